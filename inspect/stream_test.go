package inspect_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// spilled hides bytes.Reader's in-memory nature: the body is read as a
// spilled upload is, through ReadAt only.
type spilled struct{ r *bytes.Reader }

func (s spilled) ReadAt(p []byte, off int64) (int, error) { return s.r.ReadAt(p, off) }

// held is a body in memory, as the proxy holds a small one: read whole.
type held []byte

func (h held) ReadAt(p []byte, off int64) (int, error) { return bytes.NewReader(h).ReadAt(p, off) }
func (h held) Bytes() []byte                           { return h }

// longLine is n bytes of prose without a line end, so windows are cut
// mid-line, with text written at the given offsets.
func longLine(n int, at map[int]string) []byte {
	b := []byte(strings.Repeat("the team reviews the plan ", n/26+1)[:n])
	for off, s := range at {
		copy(b[off:], " "+s+" ")
	}
	return b
}

// A body beyond StreamAbove is classified window by window: an HKID cut
// by a window boundary is still found (the next window repeats the tail),
// one lying in the overlap two windows share counts once, and the verdict
// and count equal those of classifying the whole text at once.
func TestStreamedBodyMatchesWholeText(t *testing.T) {
	eng := defaultEngine(t)
	w := extract.StreamWindow
	cases := []struct {
		name string
		at   map[int]string
		want int
	}{
		{"straddles a cut", map[int]string{w - 5: testgen.HKID(1)}, 1},
		{"inside the overlap", map[int]string{w - 200: testgen.HKID(2)}, 1},
		{"three across windows", map[int]string{100: "HKID " + testgen.HKID(3), w - 6: testgen.HKID(4), 2*w + 1000: testgen.HKID(5)}, 3},
		// One person's HKID quoted in three windows is one HKID: logged,
		// not a list of three.
		{"one value in three windows", map[int]string{100: testgen.HKID(6), w + 500: testgen.HKID(6), 2*w + 1000: testgen.HKID(6)}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := longLine(extract.StreamAbove+3*w/2, c.at)
			whole := eng.Classifiers.Classify(context.Background(), []extract.Segment{{Origin: "body", Text: string(body)}})
			wantCount := 0
			for _, f := range whole {
				if f.Classifier == classifiers.HKID {
					wantCount = f.Count
				}
			}
			if wantCount != c.want {
				t.Fatalf("whole-text classification counts %d HKIDs, test expects %d", wantCount, c.want)
			}
			req := rules.Request{Method: "POST", Host: "oapi.dingtalk.com", Path: "/file/upload/single"}
			r, err := eng.Inspect(context.Background(), req, extract.Input{ContentType: "text/plain", Body: spilled{bytes.NewReader(body)}, Size: int64(len(body)), Origin: "body"})
			if err != nil {
				t.Fatal(err)
			}
			if r.Segments < 3 || r.TextBytes != int64(len(body)) {
				t.Fatalf("streamed: %d segments (windows), %d text bytes of %d", r.Segments, r.TextBytes, len(body))
			}
			f := findingOf(r, classifiers.HKID)
			if f == nil || f.Count != c.want {
				t.Fatalf("streamed: hkid finding %+v, want count %d", f, c.want)
			}
			inMem, err := eng.Inspect(context.Background(), req, extract.Input{ContentType: "text/plain", Body: held(body), Size: int64(len(body)), Origin: "body"})
			if err != nil {
				t.Fatal(err)
			}
			if g := findingOf(inMem, classifiers.HKID); g == nil || g.Count != c.want {
				t.Fatalf("whole-text inspection: %+v", g)
			}
			if inMem.Decision.Action != r.Decision.Action || inMem.Decision.Rule != r.Decision.Rule {
				t.Fatalf("streamed decision %s/%s, whole-text %s/%s", r.Decision.Action, r.Decision.Rule, inMem.Decision.Action, inMem.Decision.Rule)
			}
			// The windows' distinct counts fold into the body's: one
			// signal, the count of the union.
			var distinct []string
			for _, sg := range f.Signals {
				if strings.HasPrefix(sg, "distinct:") {
					distinct = append(distinct, sg)
				}
			}
			if want := fmt.Sprintf("distinct:%d", c.want); len(distinct) != 1 || distinct[0] != want {
				t.Errorf("streamed distinct signals %v, want [%s]", distinct, want)
			}
			for _, s := range f.Samples {
				if s.Offset < 0 || s.Offset >= len(body) || !strings.HasPrefix(string(body[s.Offset:]), s.Masked[:1]) {
					t.Errorf("sample %+v does not point into the body", s)
				}
			}
			// Sent gzip-encoded, spilled or in memory, the text is
			// unpacked into the same windows: the same findings (offsets
			// into the unpacked text) and decision.
			gz := compressed(t, "gzip", body)
			for _, b := range []io.ReaderAt{spilled{bytes.NewReader(gz)}, held(gz)} {
				g, err := eng.Inspect(context.Background(), req, extract.Input{ContentType: "text/plain", ContentEncoding: "gzip", Body: b, Size: int64(len(gz)), Origin: "body"})
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(g.Findings) != fmt.Sprint(r.Findings) || g.Segments != r.Segments || g.Decision.Action != r.Decision.Action || len(g.Problems) != 0 {
					t.Fatalf("gzip-encoded: %d segments, findings %v, problems %v; plain: %d, %v", g.Segments, g.Findings, g.Problems, r.Segments, r.Findings)
				}
			}
		})
	}
}
