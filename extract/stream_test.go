package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// readerOnly hides bytes.Reader's in-memory nature: the body looks like a
// spilled upload.
type readerOnly struct{ r *bytes.Reader }

func (r readerOnly) ReadAt(p []byte, off int64) (int, error) { return r.r.ReadAt(p, off) }

func randomText(r *rand.Rand, n int, newlines bool) []byte {
	words := []string{"quarterly", "plan", "客戶", "资料", "review", "發票", "A123456(7)", "2026-03-02", "x"}
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		if newlines && r.IntN(12) == 0 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.Bytes()
}

// streamAll extracts body with a Stream and returns the windows.
func streamAll(t *testing.T, body []byte, ctype string, lim Limits) ([]Segment, *Result) {
	t.Helper()
	var wins []Segment
	res, err := Extract(context.Background(), Input{ContentType: ctype, Body: readerOnly{bytes.NewReader(body)}, Size: int64(len(body)), Origin: "body",
		Stream: func(s Segment, _ int64) { s.Text = strings.Clone(s.Text); wins = append(wins, s) }}, lim)
	if err != nil {
		t.Fatal(err)
	}
	return wins, res
}

// The windows of a streamed body, overlaps removed, are the body: nothing
// is lost or changed at a cut, and each window is bounded.
func TestStreamWindowsCoverBody(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"lines", randomText(r, StreamAbove+5*StreamWindow/2, true)},
		{"one long line", randomText(r, StreamAbove+3*StreamWindow/2, false)},
	} {
		t.Run(c.name, func(t *testing.T) {
			wins, res := streamAll(t, c.body, "text/plain", Limits{})
			if len(res.Segments) != 0 || len(res.Problems) != 0 {
				t.Fatalf("streamed body left %d segments, problems %v", len(res.Segments), res.Problems)
			}
			if len(wins) < 3 {
				t.Fatalf("%d windows for %d bytes", len(wins), len(c.body))
			}
			var got strings.Builder
			prev := ""
			for i, w := range wins {
				if len(w.Text) > StreamWindow+StreamOverlap || !utf8.ValidString(w.Text) || w.Origin != "body" {
					t.Fatalf("window %d: %d bytes, valid %v, origin %q", i, len(w.Text), utf8.ValidString(w.Text), w.Origin)
				}
				text := w.Text
				if i > 0 {
					from := max(0, len(prev)-StreamOverlap)
					for !utf8.RuneStart(prev[from]) {
						from++
					}
					k := len(prev) - from
					if !strings.HasPrefix(text, prev[from:]) || k < StreamOverlap-utf8.UTFMax {
						t.Fatalf("window %d does not start with the %d-byte tail of the one before", i, k)
					}
					text = text[k:]
				}
				got.WriteString(text)
				prev = w.Text
			}
			if got.String() != string(c.body) {
				t.Fatalf("windows rebuild %d bytes, body is %d (or differs)", got.Len(), len(c.body))
			}
			if res.TextBytes != int64(len(c.body)) {
				t.Fatalf("TextBytes %d, want %d", res.TextBytes, len(c.body))
			}
		})
	}
}

// Small bodies, bodies in memory, structured text and callers without a
// Stream keep the whole-text path, so their results are unchanged.
func TestStreamOnlyLargePlainText(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	big := randomText(r, StreamAbove+1<<20, true)
	jsonBody := append(append([]byte(`{"text":"`), bytes.ReplaceAll(big, []byte("\n"), []byte(" "))...), `"}`...)
	for _, c := range []struct {
		name  string
		body  []byte
		ctype string
	}{
		{"small", big[:StreamAbove], "text/plain"},
		{"json", jsonBody, "application/json"},
		{"html", append([]byte("<html><body>"), big...), "text/html"},
		{"big5 label", big, "text/plain; charset=big5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wins, res := streamAll(t, c.body, c.ctype, Limits{})
			if len(wins) != 0 || len(res.Segments) == 0 {
				t.Fatalf("streamed %d windows, %d segments kept", len(wins), len(res.Segments))
			}
		})
	}
	t.Run("no stream", func(t *testing.T) {
		res, err := Extract(context.Background(), Input{Body: readerOnly{bytes.NewReader(big)}, Size: int64(len(big))}, Limits{})
		if err != nil || len(res.Segments) != 1 || res.Segments[0].Text != string(big) {
			t.Fatalf("without a Stream: %v, %d segments", err, len(res.Segments))
		}
	})
}

// The total-text limit cuts a streamed body as it cuts any text.
func TestStreamTotalLimit(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	body := randomText(r, StreamAbove+3*StreamWindow, true)
	wins, res := streamAll(t, body, "", Limits{MaxTotalBytes: StreamAbove})
	if res.TextBytes != StreamAbove && res.TextBytes < StreamAbove-utf8.UTFMax {
		t.Fatalf("TextBytes %d, limit %d", res.TextBytes, StreamAbove)
	}
	if len(res.Problems) != 1 || res.Problems[0].Kind != Limit {
		t.Fatalf("problems %v, want one limit", res.Problems)
	}
	if len(wins) == 0 {
		t.Fatal("no windows")
	}
}

// A body that fails to read mid-way is an error of the call.
func TestStreamReadError(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	body := randomText(r, StreamAbove+StreamWindow, true)
	_, err := Extract(context.Background(), Input{Body: failAfter{readerOnly{bytes.NewReader(body)}, StreamWindow}, Size: int64(len(body)), Stream: func(Segment, int64) {}}, Limits{})
	if err == nil {
		t.Fatal("want a read error")
	}
}

type failAfter struct {
	r   io.ReaderAt
	max int64
}

func (f failAfter) ReadAt(p []byte, off int64) (int, error) {
	if off >= f.max {
		return 0, io.ErrUnexpectedEOF
	}
	return f.r.ReadAt(p, off)
}

// rebuild joins streamed windows without their overlaps.
func rebuild(t *testing.T, wins []Segment) string {
	t.Helper()
	var got strings.Builder
	prev := ""
	for i, w := range wins {
		text := w.Text
		if i > 0 {
			from := max(0, len(prev)-StreamOverlap)
			for !utf8.RuneStart(prev[from]) {
				from++
			}
			if !strings.HasPrefix(text, prev[from:]) {
				t.Fatalf("window %d does not start with the tail of the one before", i)
			}
			text = text[len(prev)-from:]
		}
		got.WriteString(text)
		prev = w.Text
	}
	return got.String()
}

// A worksheet and a document body whose text passes StreamAbove stream in
// windows that rebuild exactly the text extracted whole, and no segment
// of them is kept; small parts are not streamed.
func TestStreamOfficeParts(t *testing.T) {
	rows := make([][]string, 0, 220000)
	for i := 0; len(rows) < cap(rows); i++ {
		rows = append(rows, []string{fmt.Sprintf("item %d", i), "陳大文 Chan Tai Man", fmt.Sprintf("%d.%02d", i*37%100000, i%100)})
	}
	paras := make([]string, 0, 170000)
	for i := 0; len(paras) < cap(paras); i++ {
		paras = append(paras, fmt.Sprintf("Paragraph %d: the team reviews the plan 下季度計劃", i))
	}
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"xlsx", buildXLSX(t, rows, nil)},
		{"docx", buildDOCX(t, paras, nil)},
	} {
		t.Run(c.name, func(t *testing.T) {
			whole, err := Extract(context.Background(), Input{Body: bytes.NewReader(c.body), Size: int64(len(c.body))}, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			var big Segment
			for _, s := range whole.Segments {
				if len(s.Text) > len(big.Text) {
					big = s
				}
			}
			if len(big.Text) <= StreamAbove {
				t.Fatalf("fixture too small: largest part %d bytes", len(big.Text))
			}
			wins, res := streamAll(t, c.body, "", Limits{})
			for _, s := range res.Segments {
				if s.Origin == big.Origin {
					t.Fatalf("streamed part %s also kept as a segment", s.Origin)
				}
			}
			if len(wins) < 3 {
				t.Fatalf("%d windows", len(wins))
			}
			for _, w := range wins {
				if w.Origin != big.Origin || len(w.Text) > StreamWindow+StreamOverlap+256 {
					t.Fatalf("window of %s, %d bytes", w.Origin, len(w.Text))
				}
			}
			if got := rebuild(t, wins); got != big.Text {
				t.Fatalf("windows rebuild %d bytes, whole part is %d (or differs)", len(got), len(big.Text))
			}
			if res.TextBytes != whole.TextBytes {
				t.Fatalf("TextBytes %d streamed, %d whole", res.TextBytes, whole.TextBytes)
			}
		})
	}
}

// A gzip body's windows go to the stream on their own goroutine while the
// next is decompressed (streamWindows' ahead); a plain body's are handed
// over in turn. Either way a slow stream sees every window whole, in
// order, one call at a time, with text that stays put for the whole call.
func TestStreamWindowsSlowStream(t *testing.T) {
	body := randomText(rand.New(rand.NewPCG(21, 22)), StreamAbove+3*StreamWindow, true)
	gz := gzipBytes(t, body, "")
	for _, c := range []struct {
		enc  string
		body []byte
	}{{"", body}, {"gzip", gz}} {
		t.Run("encoding "+c.enc, func(t *testing.T) {
			var calls, inCall atomic.Int32
			var wins []Segment
			var offsets []int64
			_, err := Extract(context.Background(), Input{ContentType: "text/plain", ContentEncoding: c.enc, Body: readerOnly{bytes.NewReader(c.body)}, Size: int64(len(c.body)), Origin: "body",
				Stream: func(s Segment, off int64) {
					if inCall.Add(1) != 1 {
						t.Error("two stream calls at once")
					}
					before := strings.Clone(s.Text)
					time.Sleep(30 * time.Millisecond) // the next window is read meanwhile
					if s.Text != before {
						t.Error("a window's text changed during its call")
					}
					wins = append(wins, Segment{Origin: s.Origin, Text: before})
					offsets = append(offsets, off)
					calls.Add(1)
					inCall.Add(-1)
				}}, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if int(calls.Load()) != len(wins) || len(wins) < 4 {
				t.Fatalf("%d calls, %d windows", calls.Load(), len(wins))
			}
			var got strings.Builder
			for i, w := range wins {
				if i > 0 && offsets[i] <= offsets[i-1] {
					t.Fatalf("window %d at offset %d after %d", i, offsets[i], offsets[i-1])
				}
				got.WriteString(w.Text[int(int64(got.Len())-offsets[i]):])
			}
			if got.String() != string(body) {
				t.Fatalf("windows rebuild %d bytes of %d (or differ)", got.Len(), len(body))
			}
		})
	}
}

// A stream that panics does not take the process down from the goroutine
// it runs on (streamWindows' ahead): the panic comes back to the walk, in
// the caller's goroutine, where a stream called in turn would have raised
// it, and no call is left running after Extract returns.
func TestStreamPanicContained(t *testing.T) {
	body := randomText(rand.New(rand.NewPCG(23, 24)), StreamAbove+3*StreamWindow, true)
	gz := gzipBytes(t, body, "")
	var after atomic.Int32
	var n int
	var raised any
	func() {
		defer func() { raised = recover() }()
		Extract(context.Background(), Input{ContentType: "text/plain", ContentEncoding: "gzip", Body: readerOnly{bytes.NewReader(gz)}, Size: int64(len(gz)), Origin: "body",
			Stream: func(Segment, int64) {
				if n++; n == 2 {
					panic("classifier bug")
				}
				time.Sleep(10 * time.Millisecond)
				after.Add(1)
			}}, Limits{})
	}()
	calls := after.Load()
	time.Sleep(50 * time.Millisecond)
	if after.Load() != calls {
		t.Fatal("a stream call ran after Extract returned")
	}
	if raised != "classifier bug" {
		t.Fatalf("the stream's panic came back as %v", raised)
	}
	if n != 2 {
		t.Fatalf("%d calls: the walk went on after the panic", n)
	}
}

type streamedWindow struct {
	seg Segment
	off int64
}

// extractWindows extracts body with a Stream, its size given or unknown.
func extractWindows(body []byte, ctype, enc string, unknown bool, lim Limits) ([]streamedWindow, *Result, error) {
	var wins []streamedWindow
	in := Input{ContentType: ctype, ContentEncoding: enc, Body: readerOnly{bytes.NewReader(body)}, Origin: "body",
		Stream: func(s Segment, off int64) {
			s.Text = strings.Clone(s.Text)
			wins = append(wins, streamedWindow{s, off})
		}}
	if unknown {
		in.SizeUnknown = true
	} else {
		in.Size = int64(len(body))
	}
	res, err := Extract(context.Background(), in, lim)
	return wins, res, err
}

// A body of unknown size (a chunked upload) read to its end gives the
// windows, offsets and result a sized Extract of the same bytes gives,
// whatever its length against the window (a last read that fills its
// buffer exactly included); any body a sized Extract would not stream
// returns ErrSpeculation.
func TestStreamSizeUnknown(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	text := randomText(r, StreamAbove+3*StreamWindow, true)
	// Lengths at which a read ends exactly at the body's end: those of
	// the reads a sized Extract of the whole text makes.
	var rec recordingReader
	rec.r = bytes.NewReader(text)
	if _, err := Extract(context.Background(), Input{ContentType: "text/plain", Body: &rec, Size: int64(len(text)), Origin: "body", Stream: func(Segment, int64) {}}, Limits{}); err != nil {
		t.Fatal(err)
	}
	lengths := []int{StreamAbove + 1, StreamAbove + StreamWindow/3, len(text)}
	for _, e := range rec.ends {
		if e > StreamAbove+1 && e < len(text) {
			lengths = append(lengths, e)
		}
	}
	if len(lengths) < 5 {
		t.Fatalf("reads end at %v", rec.ends)
	}
	for _, n := range lengths {
		body := text[:n]
		want, wres, err := extractWindows(body, "text/plain", "", false, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		got, gres, err := extractWindows(body, "text/plain", "", true, Limits{})
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d bytes: %d windows, want %d", n, len(got), len(want))
		}
		for i := range want {
			if got[i].off != want[i].off || got[i].seg.Text != want[i].seg.Text || got[i].seg.Origin != want[i].seg.Origin {
				t.Fatalf("%d bytes: window %d at %d (%d bytes), want at %d (%d bytes)", n, i, got[i].off, len(got[i].seg.Text), want[i].off, len(want[i].seg.Text))
			}
		}
		if gres.TextBytes != wres.TextBytes || len(gres.Problems) != len(wres.Problems) {
			t.Fatalf("%d bytes: result %d text bytes %v, want %d %v", n, gres.TextBytes, gres.Problems, wres.TextBytes, wres.Problems)
		}
	}
	big := bytes.Repeat([]byte("{\"a\":1}\n"), StreamAbove/4)
	for _, c := range []struct {
		name, ctype, enc string
		body             []byte
	}{
		{"small", "text/plain", "", text[:StreamAbove]},
		{"JSON head", "application/json", "", big},
		{"multipart", "multipart/form-data; boundary=x", "", append([]byte("--x\r\n"), text...)},
		{"zip head", "application/octet-stream", "", append([]byte("PK\x03\x04"), text...)},
		{"gzip layer", "text/plain", "gzip", text},
		{"over the text limit", "text/plain", "", text},
	} {
		lim := Limits{}
		if c.name == "over the text limit" {
			lim.MaxTotalBytes = StreamAbove / 4 // textCap below the body's size
		}
		if _, _, err := extractWindows(c.body, c.ctype, c.enc, true, lim); !errors.Is(err, ErrSpeculation) {
			t.Errorf("%s: err %v, want ErrSpeculation", c.name, err)
		}
	}
}

// recordingReader notes where each read of a sized extraction ends.
type recordingReader struct {
	r    *bytes.Reader
	ends []int
}

func (r *recordingReader) ReadAt(p []byte, off int64) (int, error) {
	r.ends = append(r.ends, int(off)+len(p))
	return r.r.ReadAt(p, off)
}

// FuzzStreamSizeUnknown: whatever a body's head (the fuzzed bytes, then
// enough text to stream), reading it with its size unknown either gives
// what a sized Extract gives or declines (ErrSpeculation).
func FuzzStreamSizeUnknown(f *testing.F) {
	tail := randomText(rand.New(rand.NewPCG(11, 12)), StreamAbove+StreamWindow/2, true)
	for _, s := range []string{"plain notes\n", "\xef\xbb\xbfBOM text", "{\"a\":1}", "<html>", "PK\x03\x04", "%PDF-1.4", "\x1f\x8b\x08", "a=1&b=2", "]\x00\x00\x80\x00"} {
		f.Add([]byte(s), "text/plain")
	}
	f.Add([]byte("x"), "application/x-www-form-urlencoded")
	f.Add([]byte("x"), "text/plain; charset=big5")
	f.Fuzz(func(t *testing.T, head []byte, ctype string) {
		if len(head) > 4*sniffLen {
			return
		}
		body := append(append([]byte{}, head...), tail...)
		got, gres, err := extractWindows(body, ctype, "", true, Limits{})
		if errors.Is(err, ErrSpeculation) {
			return
		}
		if err != nil {
			t.Fatalf("unknown size: %v", err)
		}
		want, wres, err := extractWindows(body, ctype, "", false, Limits{})
		if err != nil {
			t.Fatalf("sized: %v", err)
		}
		if len(got) != len(want) || gres.TextBytes != wres.TextBytes || len(gres.Segments) != len(wres.Segments) || len(gres.Problems) != len(wres.Problems) {
			t.Fatalf("unknown size: %d windows %d bytes %d segments %v; sized: %d %d %d %v", len(got), gres.TextBytes, len(gres.Segments), gres.Problems, len(want), wres.TextBytes, len(wres.Segments), wres.Problems)
		}
		for i := range want {
			if got[i].off != want[i].off || got[i].seg.Text != want[i].seg.Text || got[i].seg.Origin != want[i].seg.Origin {
				t.Fatalf("window %d differs", i)
			}
		}
	})
}
