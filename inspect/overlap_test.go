package inspect_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// growing is a body that arrives in pieces (inspect.Arriving): feed adds
// bytes, end completes it or fails it.
type growing struct {
	data []byte // the whole body, of which n bytes have arrived

	mu   sync.Mutex
	n    int
	done bool
	err  error
	ch   chan struct{}
}

func newGrowing(data []byte) *growing { return &growing{data: data, ch: make(chan struct{})} }

func (g *growing) feed(n int) {
	g.mu.Lock()
	g.n = min(len(g.data), g.n+n)
	close(g.ch)
	g.ch = make(chan struct{})
	g.mu.Unlock()
}

func (g *growing) end(err error) {
	g.mu.Lock()
	g.n, g.done, g.err = len(g.data), err == nil, err
	close(g.ch)
	g.ch = make(chan struct{})
	g.mu.Unlock()
}

func (g *growing) ReadAt(p []byte, off int64) (int, error) {
	g.mu.Lock()
	n := g.n
	g.mu.Unlock()
	if off >= int64(n) {
		return 0, io.EOF
	}
	k := copy(p, g.data[off:n])
	if k < len(p) {
		return k, io.EOF
	}
	return k, nil
}

func (g *growing) WaitFor(ctx context.Context, n int64) error {
	for {
		g.mu.Lock()
		got, done, err, ch := g.n, g.done, g.err, g.ch
		g.mu.Unlock()
		switch {
		case err != nil:
			return err
		case done || int64(got) >= n:
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// feedAll delivers g in steps of step bytes, then completes it.
func feedAll(g *growing, step int) {
	for range len(g.data)/step + 1 {
		g.feed(step)
	}
	g.end(nil)
}

func overlapBody() []byte {
	list := testgen.HKIDList(3)
	base := strings.Repeat("minutes of the quarterly planning meeting, nothing personal\n", (extract.StreamAbove+3<<20)/60)
	return []byte(base + list)
}

var overlapReq = rules.Request{Method: "POST", Host: "sh-dualstack.trans.dingtalk.com", Path: "/put"}

func inputFor(body []byte) extract.Input {
	return extract.Input{ContentType: "text/plain", Size: int64(len(body)), Origin: "body"}
}

func sameResult(t *testing.T, got, want *inspect.Result) {
	t.Helper()
	if got.Decision.Action != want.Decision.Action || got.Decision.Rule != want.Decision.Rule {
		t.Fatalf("decision %s/%s, want %s/%s", got.Decision.Action, got.Decision.Rule, want.Decision.Action, want.Decision.Rule)
	}
	if g, w := fmt.Sprint(got.Findings), fmt.Sprint(want.Findings); g != w {
		t.Fatalf("findings\n%s\nwant\n%s", g, w)
	}
	if got.Segments != want.Segments || got.TextBytes != want.TextBytes {
		t.Fatalf("segments %d text %d, want %d %d", got.Segments, got.TextBytes, want.Segments, want.TextBytes)
	}
}

// An overlapped inspection fed in pieces gives exactly Inspect's result on
// the complete (spilled) body.
func TestOverlapEqualsInspect(t *testing.T) {
	eng := defaultEngine(t)
	body := overlapBody()
	in := inputFor(body)
	want, err := eng.Inspect(context.Background(), overlapReq, extract.Input{ContentType: in.ContentType, Body: spilled{bytes.NewReader(body)}, Size: in.Size, Origin: "body"})
	if err != nil {
		t.Fatal(err)
	}
	if want.Decision.Action != rules.Block {
		t.Fatalf("the test body is not blocked: %+v", want.Decision)
	}
	g := newGrowing(body)
	ov := eng.Begin(context.Background(), in, g)
	if ov == nil {
		t.Fatal("Begin refused a large plain-text body")
	}
	go feedAll(g, 256<<10)
	got, err := ov.Finish(context.Background(), overlapReq)
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ov.Overlapped(); !ok {
		t.Fatalf("not overlapped: %s", why)
	}
	sameResult(t, got, want)
}

// What cannot be read as it arrives is not begun (by its declaration) or
// falls back to Inspect on the complete body (by its head).
func TestOverlapFallBacks(t *testing.T) {
	eng := defaultEngine(t)
	body := overlapBody()
	if ov := eng.Begin(context.Background(), extract.Input{ContentType: "text/plain", Size: 1 << 20}, newGrowing(body[:1<<20])); ov != nil {
		t.Error("a body under StreamAbove was begun")
	}
	// Codings extract does not undo front to back as one layer.
	for _, enc := range []string{"br", "zstd", "gzip, deflate", "compress"} {
		in := inputFor(body)
		in.ContentEncoding = enc
		if ov := eng.Begin(context.Background(), in, newGrowing(body)); ov != nil {
			t.Errorf("a body with Content-Encoding %q was begun", enc)
		}
	}
	// A JSON document and JSON Lines are read front to back as they
	// arrive.
	hk := strings.ReplaceAll(testgen.HKIDList(3), "\n", " ")
	js := []byte(`{"content":"` + strings.Repeat("plain notes ", extract.StreamAbove/12+1) + hk + `"}`)
	nd := []byte(strings.Repeat(`{"msg":"plain notes of the day"}`+"\n", extract.StreamAbove/32+1) + `{"msg":"` + hk + `"}` + "\n")
	for _, c := range []struct {
		ct   string
		body []byte
		why  string // "": overlapped
	}{{"application/json", js, ""}, {"application/x-ndjson", nd, ""}, {"text/plain", nd, ""}} {
		in := inputFor(c.body)
		in.ContentType = c.ct
		want, err := eng.Inspect(context.Background(), overlapReq, extract.Input{ContentType: c.ct, Body: spilled{bytes.NewReader(c.body)}, Size: in.Size, Origin: "body"})
		if err != nil {
			t.Fatal(err)
		}
		g := newGrowing(c.body)
		ov := eng.Begin(context.Background(), in, g)
		go feedAll(g, 1<<20)
		got, err := ov.Finish(context.Background(), overlapReq)
		if err != nil {
			t.Fatal(err)
		}
		if ok, why := ov.Overlapped(); ok != (c.why == "") || why != c.why {
			t.Errorf("%s: overlapped %v (%s), want %q", c.ct, ok, why, c.why)
		}
		sameResult(t, got, want)
	}
	for _, ct := range []string{"multipart/form-data; boundary=x", "text/plain; charset=big5", "application/x-www-form-urlencoded"} {
		in := inputFor(body)
		in.ContentType = ct
		want, err := eng.Inspect(context.Background(), overlapReq, extract.Input{ContentType: ct, Body: spilled{bytes.NewReader(body)}, Size: in.Size, Origin: "body"})
		if err != nil {
			t.Fatal(err)
		}
		g := newGrowing(body)
		ov := eng.Begin(context.Background(), in, g)
		go feedAll(g, 1<<20)
		got, err := ov.Finish(context.Background(), overlapReq)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := ov.Overlapped(); ok {
			t.Errorf("%s: overlapped", ct)
		}
		sameResult(t, got, want)
	}
}

// An overlapped inspection waiting for bytes gives its budget slot up to
// an inspection that queues for it, and its result is still right.
func TestOverlapYieldsBudget(t *testing.T) {
	eng := defaultEngine(t)
	eng.Budget = inspect.NewBudget(64<<20, 1, time.Minute)
	body := overlapBody()
	g := newGrowing(body)
	ov := eng.Begin(context.Background(), inputFor(body), g)
	g.feed(5 << 20) // a window is read; then the reading waits
	time.Sleep(100 * time.Millisecond)
	other := []byte(strings.Repeat("another upload, nothing personal\n", 4<<10))
	done := make(chan *inspect.Result, 1)
	go func() {
		r, _ := eng.Inspect(context.Background(), overlapReq, extract.Input{ContentType: "text/plain", Body: spilled{bytes.NewReader(other)}, Size: int64(len(other)), Origin: "body"})
		done <- r
	}()
	select {
	case r := <-done:
		if r == nil || r.Decision.Action != rules.Allow {
			t.Fatalf("other inspection: %+v", r)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the waiting overlapped reading kept the only slot")
	}
	go feedAll(g, 1<<20)
	got, err := ov.Finish(context.Background(), overlapReq)
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ov.Overlapped(); ok || !strings.Contains(why, "budget") {
		t.Fatalf("overlapped %v (%s), want a yield", ok, why)
	}
	if got.Decision.Action != rules.Block {
		t.Fatalf("after the yield: %+v", got.Decision)
	}
}

// The extraction clock runs while bytes are awaited: a reading that ran
// out of time is not judged; the complete body is read with a fresh budget.
func TestOverlapTimeBudgetReadsAgain(t *testing.T) {
	eng := defaultEngine(t)
	eng.Limits.TimeBudget = int64(2 * time.Second)
	body := overlapBody()
	g := newGrowing(body)
	ov := eng.Begin(context.Background(), inputFor(body), g)
	g.feed(5 << 20)
	time.Sleep(2500 * time.Millisecond)
	go feedAll(g, 1<<20)
	got, err := ov.Finish(context.Background(), overlapReq)
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ov.Overlapped(); ok || !strings.Contains(why, "time budget") {
		t.Fatalf("overlapped %v (%s), want a fresh read", ok, why)
	}
	// Read afresh, the HKIDs at the end block (a machine too slow for
	// even the fresh budget blocks too, as fail-closed).
	if got.Decision.Action != rules.Block {
		t.Fatalf("decision %+v (problems %v)", got.Decision, got.Problems)
	}
}

// A body that fails while it arrives is abandoned; Abandon returns once
// the reading stopped, and Finish is never needed.
func TestOverlapAbandon(t *testing.T) {
	eng := defaultEngine(t)
	body := overlapBody()
	g := newGrowing(body)
	ov := eng.Begin(context.Background(), inputFor(body), g)
	g.feed(5 << 20)
	g.end(errors.New("client went away"))
	ov.Abandon()
	ov.Abandon() // twice is fine
	if ok, _ := ov.Overlapped(); ok {
		t.Fatal("a failed body counts as read")
	}
	// Cancellation while waiting for bytes ends it too.
	ctx, cancel := context.WithCancel(context.Background())
	g2 := newGrowing(body)
	ov2 := eng.Begin(ctx, inputFor(body), g2)
	g2.feed(1 << 20)
	cancel()
	if _, err := ov2.Finish(ctx, overlapReq); !errors.Is(err, context.Canceled) {
		t.Fatalf("Finish after cancel: %v", err)
	}
}

// A fallback begun before the last byte is held waits for it: Finish
// called early must not judge a prefix (the HKID list is at the end).
func TestOverlapFallbackWaitsForWholeBody(t *testing.T) {
	eng := defaultEngine(t)
	body := overlapBody()
	in := inputFor(body)
	in.ContentType = "application/x-www-form-urlencoded"
	g := newGrowing(body)
	ov := eng.Begin(context.Background(), in, g)
	g.feed(len(body) / 2)
	go func() {
		time.Sleep(300 * time.Millisecond)
		feedAll(g, 1<<20)
	}()
	got, err := ov.Finish(context.Background(), overlapReq)
	if err != nil {
		t.Fatal(err)
	}
	if got.Decision.Action != rules.Block {
		t.Fatalf("decision %s/%s on a body finished early, want block", got.Decision.Action, got.Decision.Rule)
	}
}

// sizedGrowing is a growing body of unknown size (a chunked upload) that
// tells its size once complete (inspect.Sized).
type sizedGrowing struct{ *growing }

func (s sizedGrowing) Size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(s.n)
}

// A chunked body (no size) is read as it arrives when it is plain text, a
// JSON document or a form, and the Result is Inspect's on the complete
// body with its size; other chunked bodies (at or below StreamAbove, a
// truncated document) are inspected once complete, with the same Result.
func TestOverlapUnknownSize(t *testing.T) {
	eng := defaultEngine(t)
	text := overlapBody()
	js := []byte(`{"notes":"` + strings.Repeat("quarterly planning minutes ", (extract.StreamAbove+1<<20)/27) + `","ids":"` + testgen.HKIDList(3) + `"}`)
	r := rand.New(rand.NewPCG(8, 8))
	hk := strings.ReplaceAll(testgen.HKIDList(3), "\n", " ")
	records := jsonRecords(r, extract.StreamAbove+1<<20, hk)
	smallJS := []byte(`{"a":"` + hk + `","pad":"`)
	smallJS = append(append(smallJS, strings.Repeat("x", extract.StreamAbove-len(smallJS)-2)...), `"}`...)
	lines := bytes.Repeat([]byte(`{"msg":"plain notes of the day"}`+"\n"), (extract.StreamAbove+1<<20)/33)
	lines = append(lines, `{"msg":"`+hk+`"}`+"\n"...)
	form := []byte(strings.Repeat("a=minutes+of+the+meeting&", (extract.StreamAbove+1<<20)/25) + "b=" + url.QueryEscape(hk))
	for _, c := range []struct {
		name, ctype string
		body        []byte
		overlapped  bool
		enc         string
	}{
		{"text", "text/plain", text, true, ""},
		{"text just over StreamAbove", "text/plain", text[:extract.StreamAbove+1<<20], true, ""},
		{"text at StreamAbove", "text/plain", text[:extract.StreamAbove], false, ""},
		{"JSON with a raw line feed in a string", "application/json", js, false, ""}, // not JSON: read whole
		{"JSON records", "application/json", records, true, ""},
		{"JSON at StreamAbove", "application/json", smallJS, false, ""},
		{"JSON truncated", "application/json", records[:len(records)-2], false, ""},
		{"JSON Lines", "application/x-ndjson", lines, true, ""},
		{"form", "application/x-www-form-urlencoded", form, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, err := eng.Inspect(context.Background(), overlapReq, extract.Input{ContentType: c.ctype, ContentEncoding: c.enc, Body: spilled{bytes.NewReader(c.body)}, Size: int64(len(c.body)), Origin: "body"})
			if err != nil {
				t.Fatal(err)
			}
			in := extract.Input{ContentType: c.ctype, ContentEncoding: c.enc, Size: -1, Origin: "body"}
			if !inspect.CanOverlap(in) {
				t.Fatal("CanOverlap refused a chunked body")
			}
			g := sizedGrowing{newGrowing(c.body)}
			ov := eng.Begin(context.Background(), in, g)
			if ov == nil {
				t.Fatal("Begin refused a chunked body")
			}
			go feedAll(g.growing, 256<<10)
			got, err := ov.Finish(context.Background(), overlapReq)
			if err != nil {
				t.Fatal(err)
			}
			if ok, why := ov.Overlapped(); ok != c.overlapped {
				t.Fatalf("overlapped %v (%s), want %v", ok, why, c.overlapped)
			}
			sameResult(t, got, want)
		})
	}
	// Without a size to learn at the end it is not begun; nor with a
	// Content-Encoding.
	if ov := eng.Begin(context.Background(), extract.Input{ContentType: "text/plain", Size: -1}, newGrowing(text)); ov != nil {
		ov.Abandon()
		t.Error("Begin took a body of unknown size that cannot tell its size")
	}
	if inspect.CanOverlap(extract.Input{ContentType: "text/plain", Size: -1, ContentEncoding: "gzip, br"}) {
		t.Error("CanOverlap took a chunked body with two codings")
	}
}
