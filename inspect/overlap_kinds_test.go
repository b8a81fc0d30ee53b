package inspect_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// Overlap for each body kind it takes (CSV and long-line text read in
// windows; gzip and deflate Content-Encoding decompressed as they arrive)
// against Inspect on the complete body, fed in random-sized pieces so
// that arrivals, windows and matches fall across one another.

// feedRandom delivers g in pieces of random size (many tiny, some up to
// 1 MiB), pausing between them so the reading catches up and waits
// mid-window, then completes it.
func feedRandom(g *growing, r *rand.Rand) {
	for sent := 0; sent < len(g.data); {
		n := 1 + r.IntN(1<<20)
		if r.IntN(3) == 0 {
			n = 1 + r.IntN(4<<10)
		}
		g.feed(n)
		sent += n
		if r.IntN(4) == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	g.end(nil)
}

// noisyText is at least n bytes of lines of random lowercase words: they
// barely compress (their gzip stays over StreamAbove) and hold no digits
// for the classifiers to weigh; tail ends it.
func noisyText(r *rand.Rand, n int, tail string) []byte {
	b := make([]byte, 0, n+len(tail)+64)
	for len(b) < n {
		for range 8 {
			for range 3 + r.IntN(6) {
				b = append(b, byte('a'+r.IntN(26)))
			}
			b = append(b, ' ')
		}
		b[len(b)-1] = '\n'
	}
	return append(b, tail...)
}

func customerCSV(r *rand.Rand, rows int) string {
	var b strings.Builder
	b.WriteString("name,mobile,email,address,hkid\n")
	for i := range rows {
		fmt.Fprintf(&b, "%s,%s,%s,\"%s\",%s\n", testgen.Name(r, "en"), testgen.HKMobile(r), testgen.Email(r, i), testgen.Address(r, "en"), testgen.HKID(100+i))
	}
	return b.String()
}

func compressed(t testing.TB, enc string, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	var zw interface {
		Write([]byte) (int, error)
		Close() error
	}
	switch enc {
	case "gzip", "x-gzip":
		zw, _ = gzip.NewWriterLevel(&out, gzip.BestSpeed)
	case "deflate": // as HTTP means it: zlib
		zw, _ = zlib.NewWriterLevel(&out, zlib.BestSpeed)
	case "raw deflate":
		zw, _ = flate.NewWriter(&out, flate.BestSpeed)
	}
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

type kindCase struct {
	name     string
	in       extract.Input // without Body; Size set
	body     []byte
	action   rules.Action // Inspect's action on the complete body
	overlaps bool         // the overlapped reading is used, not a fall-back
}

func kindCases(t *testing.T) []kindCase {
	r := rand.New(rand.NewPCG(19, 5))
	w := extract.StreamWindow
	o := extract.StreamOverlap
	csv := customerCSV(r, 60)
	edges := longLine(13<<20, map[int]string{
		w - 5: testgen.HKID(11), 2*w - o - 3: testgen.HKID(12), 3*w - 2*o - 7: testgen.HKID(13),
	})
	csvBody := []byte(strings.Repeat("ref,amount,note\n1,200,ok\n", (9<<20)/25) + csv)
	hk := testgen.HKIDList(3)
	gzText := noisyText(r, 18<<20, hk)
	gzMid := noisyText(r, 8<<20, hk)
	gzMid = append(gzMid, noisyText(r, 8<<20, "")...)
	clean := noisyText(r, 18<<20, "")
	js := []byte(`{"content":"` + strings.ReplaceAll(string(noisyText(r, 18<<20, hk)), "\n", " ") + `"}`)
	gz := compressed(t, "gzip", gzText)
	gzMid = compressed(t, "gzip", gzMid)
	zl := compressed(t, "deflate", gzText)
	raw := compressed(t, "raw deflate", gzText)
	clean = compressed(t, "gzip", clean)
	js = compressed(t, "gzip", js)
	truncated := gz[:len(gz)-1<<20]
	in := func(ct, enc string, b []byte) extract.Input {
		return extract.Input{ContentType: ct, ContentEncoding: enc, Size: int64(len(b)), Origin: "body"}
	}
	cs := []kindCase{
		{"text hkid at window edges", in("text/plain", "", edges), edges, rules.Block, true},
		{"csv customer rows at the end", in("text/csv", "", csvBody), csvBody, rules.Block, true},
		{"gzip text hkid at end", in("text/plain", "gzip", gz), gz, rules.Block, true},
		{"x-gzip text hkid mid-body", in("text/plain", "x-gzip", gzMid), gzMid, rules.Block, true},
		{"deflate (zlib) text", in("text/plain", "deflate", zl), zl, rules.Block, true},
		{"raw deflate text", in("text/plain", "deflate", raw), raw, rules.Block, true},
		{"gzip clean text", in("text/plain", "gzip", clean), clean, rules.Allow, true},
		{"gzip json", in("application/json", "gzip", js), js, rules.Block, true},
		// A stream cut short: the same partial text and problem either way.
		{"gzip truncated stream", in("text/plain", "gzip", truncated), truncated, "", true},
		// Declared gzip, is not: read as it is, either way.
		{"gzip header false", in("text/plain", "gzip", gzText), gzText, rules.Block, true},
	}
	for _, c := range cs {
		if c.in.Size <= extract.StreamAbove {
			t.Fatalf("%s: %d bytes, not over StreamAbove", c.name, c.in.Size)
		}
	}
	return cs
}

func sameProblems(t *testing.T, got, want *inspect.Result) {
	t.Helper()
	if g, w := fmt.Sprint(got.Problems), fmt.Sprint(want.Problems); g != w {
		t.Fatalf("problems\n%s\nwant\n%s", g, w)
	}
}

// inspectWhole is Inspect on the complete body, spilled; action, when
// set, is the decision the case is built to get.
func inspectWhole(t *testing.T, eng *inspect.Engine, in extract.Input, body []byte, action rules.Action) *inspect.Result {
	t.Helper()
	in.Body = spilled{bytes.NewReader(body)}
	want, err := eng.Inspect(context.Background(), overlapReq, in)
	if err != nil {
		t.Fatal(err)
	}
	if action != "" && want.Decision.Action != action {
		t.Fatalf("Inspect: %s/%s, the case wants %s", want.Decision.Action, want.Decision.Rule, action)
	}
	return want
}

func TestOverlapKinds(t *testing.T) {
	eng := defaultEngine(t)
	cases := kindCases(t)
	t.Run("equal", func(t *testing.T) { kindsEqualInspect(t, eng, cases) })
	t.Run("fail midway", func(t *testing.T) { kindsFailMidway(t, eng, cases) })
}

func kindsEqualInspect(t *testing.T, eng *inspect.Engine, cases []kindCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := inspectWhole(t, eng, c.in, c.body, c.action)
			for seed := range uint64(2) {
				overlapEquals(t, eng, c, want, "seed "+strconv.Itoa(int(seed)), func(g *growing) { feedRandom(g, rand.New(rand.NewPCG(seed, 77))) })
			}
		})
	}
}

// overlapEquals begins c's inspection on a body that feed delivers (on its
// own goroutine) and checks that Finish gives want, the Result of Inspect
// on the whole body, overlapped or not as c says. label names the run.
func overlapEquals(t *testing.T, eng *inspect.Engine, c kindCase, want *inspect.Result, label string, feed func(*growing)) {
	t.Helper()
	g := newGrowing(c.body)
	ov := eng.Begin(context.Background(), c.in, g)
	if ov == nil {
		t.Fatal("Begin refused it")
	}
	go feed(g)
	got, err := ov.Finish(context.Background(), overlapReq)
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ov.Overlapped(); ok != c.overlaps {
		t.Fatalf("%s: overlapped %v (%s), want %v", label, ok, why, c.overlaps)
	}
	sameResult(t, got, want)
	sameProblems(t, got, want)
}

// A body of each kind that fails mid-way is never judged: the reading is
// abandoned, and a Finish called anyway reports the failure, never a
// Result.
func kindsFailMidway(t *testing.T, eng *inspect.Engine, cases []kindCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newGrowing(c.body)
			ov := eng.Begin(context.Background(), c.in, g)
			g.feed(len(c.body) / 2)
			time.Sleep(20 * time.Millisecond)
			g.end(errors.New("client went away"))
			got, err := ov.Finish(context.Background(), overlapReq)
			if err == nil || got != nil {
				t.Fatalf("Finish on a failed body: %+v, %v", got, err)
			}
			if ok, _ := ov.Overlapped(); ok {
				t.Fatal("a failed body counts as read")
			}
			ov.Abandon()

			g2 := newGrowing(c.body)
			ov2 := eng.Begin(context.Background(), c.in, g2)
			g2.feed(len(c.body) / 3)
			g2.end(errors.New("reset"))
			ov2.Abandon()
			if ok, _ := ov2.Overlapped(); ok {
				t.Fatal("an abandoned body counts as read")
			}
		})
	}
}

// countingSet is a classifier set that only counts the segments it sees.
type countingSet struct{ n atomic.Int64 }

func (c *countingSet) Classify(_ context.Context, segs []extract.Segment) []classifiers.Finding {
	c.n.Add(int64(len(segs)))
	return nil
}

// A gzip-encoded text body is classified while it arrives: with a quarter
// of its compressed bytes still unsent, windows of its text have already
// reached the classifiers (before, only the decompression ran beside the
// receipt and all the text waited for the last byte).
func TestOverlapGzipClassifiesWhileArriving(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 7))
	gz := compressed(t, "gzip", noisyText(r, 24<<20, testgen.HKIDList(3)))
	in := extract.Input{ContentType: "text/plain", ContentEncoding: "gzip", Size: int64(len(gz)), Origin: "body"}
	classifiedWhileArriving(t, in, gz)
}

// classifiedWhileArriving feeds body to an overlapped inspection of in:
// with a quarter of it still unsent something must have been classified,
// and once it is all in, the overlapped reading must block it (body holds
// HKIDs).
func classifiedWhileArriving(t *testing.T, in extract.Input, body []byte) {
	t.Helper()
	eng := defaultEngine(t)
	seen := &countingSet{}
	eng.Extra = append(eng.Extra, seen)
	g := newGrowing(body)
	ov := eng.Begin(context.Background(), in, g)
	if ov == nil {
		t.Fatalf("Begin refused a %s body", in.ContentType)
	}
	defer ov.Abandon()
	g.feed(len(body) * 3 / 4)
	deadline := time.Now().Add(2 * time.Minute)
	for seen.n.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("nothing classified while the last quarter of the body was still unsent")
		}
		time.Sleep(10 * time.Millisecond)
	}
	g.feed(len(body))
	g.end(nil)
	got, err := ov.Finish(context.Background(), overlapReq)
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ov.Overlapped(); !ok || got.Decision.Action != rules.Block {
		t.Fatalf("overlapped %v (%s), decision %s", ok, why, got.Decision.Action)
	}
}
