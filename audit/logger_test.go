package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/config"
)

func TestRecordAssignsChainFields(t *testing.T) {
	l, opts, _ := openTest(t, nil)
	var prev string = ZeroHash
	for i := 1; i <= 3; i++ {
		e := sampleEvent(i)
		record(t, l, e)
		if e.Seq != uint64(i) || e.PrevHash != prev || len(e.Hash) != 64 || len(e.ID) != 32 || e.Instance != "gw-test" || e.Time.IsZero() {
			t.Fatalf("record %d: seq=%d prev=%s hash=%s id=%s instance=%s", i, e.Seq, e.PrevHash, e.Hash, e.ID, e.Instance)
		}
		prev = e.Hash
	}
	lines := readLines(t, opts.Path)
	if len(lines) != 4 || lines[3] != "" {
		t.Fatalf("want 3 newline-terminated lines, got %q", lines)
	}
	if st := l.Stats(); st.Records != 3 || st.Seq != 3 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	a := NewID(time.UnixMilli(1_700_000_000_000))
	b := NewID(time.UnixMilli(1_700_000_000_001))
	c := NewID(time.UnixMilli(1_700_000_000_001))
	if !(a < b) || b == c || len(a) != 32 {
		t.Errorf("ids %s %s %s", a, b, c)
	}
}

// writeChain records n events and returns the file's lines (with newlines).
func writeChain(t *testing.T, n int) []string {
	t.Helper()
	l, opts, clk := openTest(t, nil)
	for i := 0; i < n; i++ {
		e := sampleEvent(i)
		e.Action = ActionLog // no fsync per record: keeps long chains quick
		record(t, l, e)
		clk.Advance(time.Minute)
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, opts.Path)
	return lines[:len(lines)-1]
}

func forge(t *testing.T, seq uint64, prev string, user string) string {
	t.Helper()
	e := sampleEvent(0)
	e.Time, e.ID, e.Seq, e.PrevHash, e.User = time.Date(2026, 11, 20, 9, 2, 30, 0, time.UTC), NewID(time.Now()), seq, prev, user
	line, _, err := encodeRecord(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(line)
}

func hashOf(t *testing.T, line string) string {
	t.Helper()
	r, err := parseRecord([]byte(strings.TrimSuffix(line, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return r.Hash
}

func TestVerifyDetectsTampering(t *testing.T) {
	base := writeChain(t, 6)
	join := func(ls ...string) string { return strings.Join(ls, "") }
	without := func(i int) []string { return append(append([]string{}, base[:i]...), base[i+1:]...) }
	lastAnchor := Anchor{Seq: 6, Hash: hashOf(t, base[5])}

	cases := []struct {
		name     string
		content  func() string
		anchors  []Anchor
		wantKind string // "" = intact
		wantLine int
	}{
		{"intact", func() string { return join(base...) }, nil, "", 0},
		{"intact with anchor", func() string { return join(base...) }, []Anchor{lastAnchor}, "", 0},
		{"edit a field", func() string {
			ls := append([]string{}, base...)
			ls[2] = strings.Replace(ls[2], `"name":"carol"`, `"name":"mallo"`, 1)
			return join(ls...)
		}, nil, ProblemEdited, 3},
		{"edit a masked sample", func() string {
			ls := append([]string{}, base...)
			ls[3] = strings.Replace(ls[3], `"count":3`, `"count":1`, 1)
			return join(ls...)
		}, nil, ProblemEdited, 4},
		{"edit and re-hash a record", func() string {
			ls := append([]string{}, base...)
			ls[2] = forge(t, 3, hashOf(t, ls[1]), "mallory")
			return join(ls...)
		}, nil, ProblemBroken, 4},
		{"delete a line", func() string { return join(without(2)...) }, nil, ProblemMissing, 3},
		{"delete the first line", func() string { return join(without(0)...) }, nil, "", 0}, // looks like a rotated-away start; see docs
		{"reorder two lines", func() string {
			ls := append([]string{}, base...)
			ls[2], ls[3] = ls[3], ls[2]
			return join(ls...)
		}, nil, ProblemReordered, 3},
		{"insert a forged line with a valid own hash", func() string {
			f := forge(t, 3, hashOf(t, base[1]), "mallory")
			return join(append(append(append([]string{}, base[:2]...), f), base[2:]...)...)
		}, nil, ProblemInserted, 3},
		{"insert a forged line with a made-up seq", func() string {
			f := forge(t, 42, ZeroHash, "mallory")
			return join(append(append(append([]string{}, base[:4]...), f), base[4:]...)...)
		}, nil, ProblemInserted, 5},
		{"duplicate a line", func() string {
			return join(append(append(append([]string{}, base[:3]...), base[2]), base[3:]...)...)
		}, nil, ProblemInserted, 4},
		{"blank line", func() string {
			return join(append(append(append([]string{}, base[:3]...), "\n"), base[3:]...)...)
		}, nil, ProblemMalformed, 4},
		{"truncate mid-line (crash)", func() string {
			s := join(base...)
			return s[:len(s)-len(base[5])/2]
		}, nil, ProblemTruncated, 6},
		{"truncate whole records at the end, no anchor", func() string { return join(base[:4]...) }, nil, "", 0},
		{"truncate whole records at the end, SIEM anchor", func() string { return join(base[:4]...) }, []Anchor{lastAnchor}, ProblemAnchor, 4},
		{"rewrite the whole chain, SIEM anchor", func() string {
			ls := []string{forge(t, 1, ZeroHash, "x")}
			for s := uint64(2); s <= 6; s++ {
				ls = append(ls, forge(t, s, hashOf(t, ls[len(ls)-1]), "x"))
			}
			return join(ls...)
		}, []Anchor{lastAnchor}, ProblemAnchor, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "events.jsonl")
			if err := os.WriteFile(path, []byte(c.content()), 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := Verify(context.Background(), []string{path}, VerifyOptions{Anchors: c.anchors})
			if err != nil {
				t.Fatal(err)
			}
			if c.wantKind == "" {
				if res.Problem != nil {
					t.Fatalf("want intact, got %v", res.Problem)
				}
				return
			}
			if res.Problem == nil {
				t.Fatalf("want %s at line %d, got intact (%d records)", c.wantKind, c.wantLine, res.Records)
			}
			if res.Problem.Kind != c.wantKind || res.Problem.Line != c.wantLine || res.Problem.File != path {
				t.Fatalf("got %v, want %s at line %d", res.Problem, c.wantKind, c.wantLine)
			}
		})
	}
}

func TestVerifyLongChain(t *testing.T) {
	// Longer than the verifier's history and look-ahead windows.
	base := writeChain(t, 3000)
	swapped := append([]string{}, base...)
	swapped[2500], swapped[2501] = swapped[2501], swapped[2500]
	deleted := append(append([]string{}, base[:2000]...), base[2001:]...)
	for _, c := range []struct {
		name     string
		lines    []string
		wantKind string
		wantLine int
	}{
		{"intact", base, "", 0},
		{"reordered late", swapped, ProblemReordered, 2501},
		{"deleted late", deleted, ProblemMissing, 2001},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "events.jsonl")
			os.WriteFile(path, []byte(strings.Join(c.lines, "")), 0o600)
			res, err := Verify(context.Background(), []string{path}, VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if c.wantKind == "" {
				if res.Problem != nil || res.Records != 3000 || res.LastSeq != 3000 {
					t.Fatalf("got %+v", res)
				}
				return
			}
			if res.Problem == nil || res.Problem.Kind != c.wantKind || res.Problem.Line != c.wantLine {
				t.Fatalf("got %v, want %s at line %d", res.Problem, c.wantKind, c.wantLine)
			}
		})
	}
}

func TestRotationKeepsChain(t *testing.T) {
	l, opts, clk := openTest(t, func(o *Options) { o.RotateSize = 3000; o.RotateAge = time.Hour })
	for i := 0; i < 12; i++ {
		record(t, l, sampleEvent(i))
		clk.Advance(time.Second)
	}
	clk.Advance(2 * time.Hour) // age-based rotation on the next record
	record(t, l, sampleEvent(99))
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(opts.Path)
	files, complete, err := ExpandPaths([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 || files[len(files)-1] != opts.Path || !complete {
		t.Fatalf("files = %v (complete %v)", files, complete)
	}
	res, err := Verify(context.Background(), files, VerifyOptions{Complete: true})
	if err != nil || res.Problem != nil {
		t.Fatalf("verify: %v %v", err, res.Problem)
	}
	if res.FirstSeq != 1 || res.Continues || int(res.LastSeq) != res.Records || res.Records != 13+len(files)-1 {
		t.Fatalf("result %+v over %d files", res, len(files))
	}
	// The age-rotated file holds only the last event.
	if lines := readLines(t, opts.Path); len(lines) != 2 {
		t.Errorf("active file after age rotation has %d lines", len(lines)-1)
	}

	t.Run("files given out of order (locale-sorted glob)", func(t *testing.T) {
		shuffled := append([]string{files[len(files)-1]}, files[:len(files)-1]...)
		res, _ := Verify(context.Background(), shuffled, VerifyOptions{Complete: true})
		if res.Problem != nil || res.FirstSeq != 1 {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("rotated file without its newest successor", func(t *testing.T) {
		res, _ := Verify(context.Background(), files[:len(files)-1], VerifyOptions{Complete: true})
		if res.Problem == nil || res.Problem.Kind != ProblemTail {
			t.Fatalf("got %v, want %s", res.Problem, ProblemTail)
		}
	})
	t.Run("a middle file removed", func(t *testing.T) {
		sub := append(append([]string{}, files[:1]...), files[2:]...)
		res, _ := Verify(context.Background(), sub, VerifyOptions{})
		if res.Problem == nil || res.Problem.Kind != ProblemMissing || res.Problem.File != files[2] || res.Problem.Line != 1 {
			t.Fatalf("got %v, want %s at %s:1", res.Problem, ProblemMissing, files[2])
		}
	})
	t.Run("records cut from a rotated file's end", func(t *testing.T) {
		dir := t.TempDir()
		var sub []string
		for i, f := range files {
			b, _ := os.ReadFile(f)
			if i == 0 {
				ls := strings.SplitAfter(string(b), "\n")
				b = []byte(strings.Join(ls[:len(ls)-3], "")) // drop the last record and the trailer
			}
			p := filepath.Join(dir, filepath.Base(f))
			os.WriteFile(p, b, 0o600)
			sub = append(sub, p)
		}
		res, _ := Verify(context.Background(), sub, VerifyOptions{})
		if res.Problem == nil || res.Problem.Kind != ProblemTail || res.Problem.File != sub[0] {
			t.Fatalf("got %v, want %s in %s", res.Problem, ProblemTail, sub[0])
		}
	})
	t.Run("one rotated file alone", func(t *testing.T) {
		res, _ := Verify(context.Background(), files[1:2], VerifyOptions{})
		if res.Problem != nil || !res.Continues || !res.EndsRotated {
			t.Fatalf("got %+v", res)
		}
	})
}

func TestRetentionKeepsNewestFiles(t *testing.T) {
	l, opts, clk := openTest(t, func(o *Options) { o.RotateSize = 1500; o.RetainFiles = 2 })
	for i := 0; i < 15; i++ {
		record(t, l, sampleEvent(i))
		clk.Advance(time.Second)
	}
	l.Close(context.Background())
	rotated, _ := rotatedFiles(opts.Path)
	if len(rotated) != 2 {
		t.Fatalf("rotated files = %v, want 2", rotated)
	}
	files, _, _ := ExpandPaths([]string{filepath.Dir(opts.Path)})
	res, err := Verify(context.Background(), files, VerifyOptions{Complete: true})
	if err != nil || res.Problem != nil || !res.Continues || res.FirstSeq == 1 {
		t.Fatalf("verify after retention: %v %+v", err, res)
	}
}

func TestOpenRecoversPartialLine(t *testing.T) {
	lines := writeChain(t, 3)
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	partial := lines[2][:len(lines[2])/2]
	os.WriteFile(path, []byte(lines[0]+lines[1]+partial), 0o600)

	var logbuf syncBuffer
	l, err := Open(Options{Path: path, Logger: slog.New(slog.NewTextHandler(&logbuf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := sampleEvent(7)
	record(t, l, e)
	l.Close(context.Background())
	if e.Seq != 3 || e.PrevHash != hashOf(t, lines[1]) {
		t.Errorf("resumed at seq %d prev %s", e.Seq, e.PrevHash)
	}
	if !strings.Contains(logbuf.String(), "partial record") {
		t.Errorf("no warning logged: %q", logbuf.String())
	}
	aside, _ := filepath.Glob(path + ".partial-*")
	if len(aside) != 1 {
		t.Fatalf("partial not moved aside: %v", aside)
	}
	if b, _ := os.ReadFile(aside[0]); string(b) != partial {
		t.Errorf("moved-aside bytes differ")
	}
	res, err := Verify(context.Background(), []string{path}, VerifyOptions{})
	if err != nil || res.Problem != nil || res.Records != 3 {
		t.Fatalf("verify after recovery: %v %+v", err, res)
	}
}

func TestOpenKeepsCompleteRecordWithoutNewline(t *testing.T) {
	lines := writeChain(t, 2)
	path := filepath.Join(t.TempDir(), "events.jsonl")
	os.WriteFile(path, []byte(lines[0]+strings.TrimSuffix(lines[1], "\n")), 0o600)
	l, err := Open(Options{Path: path, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := sampleEvent(1)
	record(t, l, e)
	l.Close(context.Background())
	if e.Seq != 3 {
		t.Errorf("seq = %d, want 3", e.Seq)
	}
	if res, _ := Verify(context.Background(), []string{path}, VerifyOptions{}); res.Problem != nil || res.Records != 3 {
		t.Errorf("verify: %+v", res)
	}
}

func TestOpenResumesFromRotatedFile(t *testing.T) {
	l, opts, _ := openTest(t, func(o *Options) { o.RotateSize = 1 })
	record(t, l, sampleEvent(0))
	record(t, l, sampleEvent(1)) // rotates first: trailer is seq 2, this is seq 3 in the new file
	l.Close(context.Background())
	os.Remove(opts.Path) // active file gone (e.g. rotated by hand); chain resumes from the rotated one
	l2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	e := sampleEvent(2)
	record(t, l2, e)
	l2.Close(context.Background())
	if e.Seq != 3 {
		t.Errorf("resumed at seq %d, want 3 (after the trailer)", e.Seq)
	}
}

func TestOpenRejectsUnreadableLastRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	os.WriteFile(path, []byte("not json\n"), 0o600)
	_, err := Open(Options{Path: path})
	if err == nil || !strings.Contains(err.Error(), "dlpgate log verify") {
		t.Fatalf("err = %v", err)
	}
}

// failFile is a File whose writes fail with err once armed; it keeps what
// it accepted so that truncation after a partial write is observable.
type failFile struct {
	mu      sync.Mutex
	buf     []byte
	err     error
	partial int // bytes accepted before failing
	syncErr error
	syncs   int
}

func (f *failFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		n := min(f.partial, len(p))
		f.buf = append(f.buf, p[:n]...)
		return n, f.err
	}
	f.buf = append(f.buf, p...)
	return len(p), nil
}
func (f *failFile) Sync() error { f.syncs++; return f.syncErr }
func (f *failFile) Truncate(n int64) error {
	f.buf = f.buf[:n]
	return nil
}
func (f *failFile) Close() error { return nil }

func TestRecordWriteFailure(t *testing.T) {
	ff := &failFile{}
	l, _, _ := openTest(t, func(o *Options) { o.OpenFile = func(string) (File, error) { return ff, nil } })
	record(t, l, sampleEvent(0))

	ff.err, ff.partial = syscall.ENOSPC, 100
	err := l.Record(context.Background(), sampleEvent(1))
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "events.jsonl") {
		t.Fatalf("Record on a full disk: %v", err)
	}

	ff.err = nil
	e := sampleEvent(2)
	record(t, l, e)
	if e.Seq != 2 {
		t.Errorf("seq after a failed write = %d, want 2 (the failed one is not in the chain)", e.Seq)
	}
	path := filepath.Join(t.TempDir(), "events.jsonl")
	os.WriteFile(path, ff.buf, 0o600)
	if res, _ := Verify(context.Background(), []string{path}, VerifyOptions{}); res.Problem != nil || res.Records != 2 {
		t.Fatalf("partial write left damage: %+v", res.Problem)
	}

	ff.syncErr = syscall.EIO
	if err := l.Record(context.Background(), sampleEvent(3)); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Record with failing fsync: %v", err)
	}
}

func TestRecordRecoversWhenReopenAfterRotationFails(t *testing.T) {
	calls := 0
	l, opts, _ := openTest(t, func(o *Options) {
		o.RotateSize = 1
		o.OpenFile = func(p string) (File, error) {
			calls++
			if calls == 2 { // the open right after the first rotation
				return nil, syscall.EMFILE
			}
			return openAppend(p)
		}
	})
	record(t, l, sampleEvent(0))
	if err := l.Record(context.Background(), sampleEvent(1)); !errors.Is(err, syscall.EMFILE) {
		t.Fatalf("Record when the new file cannot be opened: %v", err)
	}
	e := sampleEvent(2)
	record(t, l, e)
	if e.Seq != 3 { // 1 event, 2 trailer, 3 this one
		t.Errorf("seq = %d, want 3", e.Seq)
	}
	l.Close(context.Background())
	files, _, _ := ExpandPaths([]string{filepath.Dir(opts.Path)})
	if res, _ := Verify(context.Background(), files, VerifyOptions{Complete: true}); res.Problem != nil || res.Records != 3 {
		t.Fatalf("verify: %+v", res)
	}
}

func TestRecordFsyncPolicy(t *testing.T) {
	for _, c := range []struct {
		name      string
		fsyncLog  bool
		action    string
		wantSyncs int
	}{
		{"block is synced", false, ActionBlock, 1},
		{"log is not synced by default", false, ActionLog, 0},
		{"log is synced with fsync_log_events", true, ActionLog, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ff := &failFile{}
			l, _, _ := openTest(t, func(o *Options) {
				o.FsyncLog = c.fsyncLog
				o.OpenFile = func(string) (File, error) { return ff, nil }
			})
			e := sampleEvent(0)
			e.Action = c.action
			record(t, l, e)
			if ff.syncs != c.wantSyncs {
				t.Errorf("syncs = %d, want %d", ff.syncs, c.wantSyncs)
			}
		})
	}
}

func TestOpenFailure(t *testing.T) {
	_, err := Open(Options{Path: filepath.Join(t.TempDir(), "events.jsonl"),
		OpenFile: func(p string) (File, error) { return nil, fmt.Errorf("open %s: %w", p, syscall.EACCES) }})
	if !errors.Is(err, syscall.EACCES) {
		t.Fatalf("err = %v", err)
	}
}

func TestRecordConcurrent(t *testing.T) {
	l, opts, _ := openTest(t, func(o *Options) { o.RotateSize = 20000 })
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if err := l.Record(context.Background(), sampleEvent(i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	l.Close(context.Background())
	files, _, _ := ExpandPaths([]string{filepath.Dir(opts.Path)})
	res, err := Verify(context.Background(), files, VerifyOptions{Complete: true})
	if err != nil || res.Problem != nil || res.Records != 200+len(files)-1 {
		t.Fatalf("verify: %v %+v", err, res)
	}
}

func TestRecordAfterClose(t *testing.T) {
	l, _, _ := openTest(t, nil)
	l.Close(context.Background())
	if err := l.Record(context.Background(), sampleEvent(0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	path := filepath.Join(b.TempDir(), "events.jsonl")
	l, err := Open(Options{Path: path, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		l.Record(context.Background(), sampleEvent(i))
	}
	l.Close(context.Background())
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	for b.Loop() {
		res, err := Verify(context.Background(), []string{path}, VerifyOptions{})
		if err != nil || res.Problem != nil {
			b.Fatal(err, res.Problem)
		}
	}
}

func BenchmarkRecord(b *testing.B) {
	l, err := Open(Options{Path: filepath.Join(b.TempDir(), "events.jsonl"), Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		e := sampleEvent(1)
		e.Action = ActionLog
		if err := l.Record(context.Background(), e); err != nil {
			b.Fatal(err)
		}
	}
}

func TestOptionsFromConfig(t *testing.T) {
	c := config.Audit{File: "events.jsonl", FsyncLog: true, RotateSize: 1 << 20, RotateAge: config.Duration(time.Hour),
		RetainFiles: 5, InstanceID: "gw", QueueSize: 7, Syslog: []config.Sink{{Name: "s", Network: "udp", Address: "127.0.0.1:514"}}}
	o := OptionsFromConfig(c, "/var/lib/dlpgate")
	if o.Path != filepath.Join("/var/lib/dlpgate", "events.jsonl") || !o.FsyncLog || o.RotateSize != 1<<20 ||
		o.RotateAge != time.Hour || o.RetainFiles != 5 || o.Instance != "gw" || o.QueueSize != 7 || len(o.Sinks) != 1 {
		t.Errorf("options %+v", o)
	}
	c.File = "/abs/audit.jsonl"
	if o := OptionsFromConfig(c, "/var/lib/dlpgate"); o.Path != "/abs/audit.jsonl" {
		t.Errorf("absolute path rewritten: %s", o.Path)
	}
}
