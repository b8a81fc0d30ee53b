package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tracker hands out real files that remember, for every record written,
// which file and end offset it has, and for every file, up to where an
// fsync has completed (the size when the fsync started). A file closed
// with bytes no fsync covered is a violation.
type tracker struct {
	mu         sync.Mutex
	onSync     func(call int) error // optional, runs before the real fsync
	calls      int
	lineAt     map[string]lineEnd // event ID → where its line ends
	violations []string
}

type lineEnd struct {
	f   *trackFile
	end int64
}

type trackFile struct {
	t       *tracker
	f       *os.File
	path    string
	size    int64 // bytes written
	durable int64 // covered by a completed fsync
}

func newTracker() *tracker { return &tracker{lineAt: map[string]lineEnd{}} }

func (t *tracker) open(path string) (File, error) {
	f, err := openAppend(path)
	if err != nil {
		return nil, err
	}
	st, err := f.(*os.File).Stat()
	if err != nil {
		return nil, err
	}
	return &trackFile{t: t, f: f.(*os.File), path: path, size: st.Size(), durable: st.Size()}, nil
}

func (f *trackFile) Write(p []byte) (int, error) {
	f.t.mu.Lock()
	defer f.t.mu.Unlock()
	n, err := f.f.Write(p)
	end := f.size
	for _, line := range bytes.SplitAfter(p[:n], []byte("\n")) {
		end += int64(len(line))
		if r, perr := parseRecord(bytes.TrimSuffix(line, []byte("\n"))); perr == nil {
			f.t.lineAt[r.ID] = lineEnd{f, end}
		}
	}
	f.size += int64(n)
	return n, err
}

func (f *trackFile) Sync() error {
	f.t.mu.Lock()
	f.t.calls++
	call, hook, snap := f.t.calls, f.t.onSync, f.size
	f.t.mu.Unlock()
	if hook != nil {
		if err := hook(call); err != nil {
			return err
		}
	}
	if err := f.f.Sync(); err != nil {
		return err
	}
	f.t.mu.Lock()
	f.durable = max(f.durable, snap)
	f.t.mu.Unlock()
	return nil
}

func (f *trackFile) Truncate(n int64) error {
	f.t.mu.Lock()
	defer f.t.mu.Unlock()
	f.size = n
	f.durable = min(f.durable, n)
	return f.f.Truncate(n)
}

func (f *trackFile) Close() error {
	f.t.mu.Lock()
	if f.durable < f.size {
		f.t.violations = append(f.t.violations, fmt.Sprintf("%s closed with bytes %d..%d never fsynced", f.path, f.durable, f.size))
	}
	f.t.mu.Unlock()
	return f.f.Close()
}

// covered reports whether the line of event id is covered by a completed fsync.
func (t *tracker) covered(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	le, ok := t.lineAt[id]
	return ok && le.f.durable >= le.end
}

func (t *tracker) syncCalls() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.calls
}

// waitUntil polls cond for up to 10 s (state, not timing, is asserted).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func verifyDir(t *testing.T, path string) *VerifyResult {
	t.Helper()
	files, complete, err := ExpandPaths([]string{filepath.Dir(path)})
	if err != nil || !complete {
		t.Fatalf("expand: %v (complete %v)", err, complete)
	}
	res, err := Verify(context.Background(), files, VerifyOptions{Complete: true})
	if err != nil || res.Problem != nil {
		t.Fatalf("verify: %v %v", err, res.Problem)
	}
	return res
}

// concurrentBlocks records perWriter block events from each of writers
// goroutines and checks that each Record returned only once its line was
// covered by a completed fsync.
func concurrentBlocks(t *testing.T, l *Logger, tr *tracker, writers, perWriter int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				e := sampleEvent(w + i)
				if err := l.Record(context.Background(), e); err != nil {
					t.Errorf("Record: %v", err)
					return
				}
				if !tr.covered(e.ID) {
					t.Errorf("Record of seq %d returned before an fsync covered its line", e.Seq)
				}
			}
		}()
	}
	wg.Wait()
}

func TestGroupCommitDurableBeforeReturn(t *testing.T) {
	tr := newTracker()
	// A slow disk: fsyncs take 2 ms, so writers pile up behind each one.
	tr.onSync = func(int) error { time.Sleep(2 * time.Millisecond); return nil }
	l, opts, _ := openTest(t, func(o *Options) { o.OpenFile = tr.open })
	const writers, per = 64, 10
	concurrentBlocks(t, l, tr, writers, per)
	syncs := tr.syncCalls()
	if syncs > writers*per/4 {
		t.Errorf("%d fsyncs for %d block records from %d writers: fsyncs are not shared", syncs, writers*per, writers)
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(tr.violations) > 0 {
		t.Errorf("violations: %v", tr.violations)
	}
	if res := verifyDir(t, opts.Path); res.Records != writers*per {
		t.Errorf("verified %d records, want %d", res.Records, writers*per)
	}
	t.Logf("%d block records, %d fsyncs", writers*per, syncs)
}

func TestGroupCommitFsyncErrorReachesEveryCoveredWaiter(t *testing.T) {
	tr := newTracker()
	release := make(chan struct{})
	tr.onSync = func(call int) error {
		switch call {
		case 1: // the first record's fsync is slow: the others queue behind it
			<-release
		case 2: // the fsync covering all of them fails
			return syscall.EIO
		}
		return nil
	}
	l, opts, _ := openTest(t, func(o *Options) { o.OpenFile = tr.open })
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // runs before Close: a failed test must not hang
	first := make(chan error, 1)
	go func() { first <- l.Record(context.Background(), sampleEvent(0)) }()
	waitUntil(t, "the first fsync", func() bool { return tr.syncCalls() == 1 })
	const n = 20
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- l.Record(context.Background(), sampleEvent(i)) }()
	}
	waitUntil(t, "all records written", func() bool { return l.Stats().Records == n+1 })
	if tr.syncCalls() != 1 {
		t.Fatalf("fsyncs while the first runs: %d, want 1", tr.syncCalls())
	}
	free()
	if err := <-first; err != nil {
		t.Errorf("first record (its fsync succeeded): %v", err)
	}
	for range n {
		if err := <-errs; !errors.Is(err, syscall.EIO) || !bytes.Contains([]byte(err.Error()), []byte("fsync")) {
			t.Errorf("record covered by the failed fsync: %v, want fsync EIO", err)
		}
	}
	if c := tr.syncCalls(); c != 2 {
		t.Errorf("fsyncs = %d, want 2 (one per group)", c)
	}
	// The failed records stay in the chain; the next one continues it.
	e := sampleEvent(99)
	record(t, l, e)
	if e.Seq != n+2 || !tr.covered(e.ID) {
		t.Errorf("after the failure: seq %d (want %d), covered %v", e.Seq, n+2, tr.covered(e.ID))
	}
	l.Close(context.Background())
	if res := verifyDir(t, opts.Path); res.Records != n+2 {
		t.Errorf("verified %d records, want %d", res.Records, n+2)
	}
}

func TestGroupCommitCancelledWaitKeepsRecord(t *testing.T) {
	tr := newTracker()
	release := make(chan struct{})
	tr.onSync = func(call int) error {
		if call == 1 {
			<-release
		}
		return nil
	}
	l, opts, _ := openTest(t, func(o *Options) { o.OpenFile = tr.open })
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // runs before Close: a failed test must not hang
	first := make(chan error, 1)
	go func() { first <- l.Record(context.Background(), sampleEvent(0)) }()
	waitUntil(t, "the first fsync", func() bool { return tr.syncCalls() == 1 })

	ctx, cancel := context.WithCancel(context.Background())
	e := sampleEvent(1)
	got := make(chan error, 1)
	go func() { got <- l.Record(ctx, e) }()
	waitUntil(t, "the second record written", func() bool { return l.Stats().Records == 2 })
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v, want context.Canceled", err)
	}
	if e.Seq != 2 || e.Hash == "" {
		t.Errorf("cancelled record not in the chain: seq %d hash %q", e.Seq, e.Hash)
	}
	free()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// Nobody else writes: the abandoned record is still fsynced.
	waitUntil(t, "the cancelled record's fsync", func() bool { return tr.covered(e.ID) })
	l.Close(context.Background())
	if res := verifyDir(t, opts.Path); res.Records != 2 {
		t.Errorf("verified %d records, want 2", res.Records)
	}
}

func TestGroupCommitRotationUnderLoad(t *testing.T) {
	tr := newTracker()
	tr.onSync = func(int) error { time.Sleep(time.Millisecond); return nil }
	l, opts, clk := openTest(t, func(o *Options) { o.OpenFile = tr.open; o.RotateSize = 8000 })
	go func() { // distinct rotated-file names
		for range 200 {
			clk.Advance(10 * time.Millisecond)
			time.Sleep(time.Millisecond)
		}
	}()
	const writers, per = 32, 15
	concurrentBlocks(t, l, tr, writers, per)
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(tr.violations) > 0 {
		t.Errorf("a rotation or Close dropped a pending fsync: %v", tr.violations)
	}
	files, _, _ := ExpandPaths([]string{filepath.Dir(opts.Path)})
	if len(files) < 5 {
		t.Fatalf("only %d files: rotation did not happen under load", len(files))
	}
	if res := verifyDir(t, opts.Path); res.Records != writers*per+len(files)-1 {
		t.Errorf("verified %d records over %d files, want %d + trailers", res.Records, len(files), writers*per)
	}
}
