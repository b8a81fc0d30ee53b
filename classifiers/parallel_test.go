package classifiers

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

// Generated large documents for the parallel analysis tests: every kind of
// match the classifiers use, repeated densely so that piece boundaries cut
// through HKIDs, CJK terms, multi-word items and figures.
func largeHKIDList(n int) string { return testgen.HKIDList(n) }

func largeStatements(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "Consolidated Statement of Financial Position %d\nHK$'000\t2025\t2024\nTotal assets\t%d,%03d\t(%d,%03d)\nTotal liabilities\t%d,204\t88,301\n", i, 100+i%900, i%1000, 50+i%700, i%1000, 300+i%600)
		b.WriteString("綜合財務狀況表\n存貨\t40,211\t38,877\n應收賬款\t55,102\t49,310\n资产总计　 60,118,204　 55,301,990\n")
		if i%7 == 0 {
			b.WriteString("The team met to discuss the office move and the new printer. ")
		}
	}
	return b.String()
}

func largeMedical(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "出院小結\n病人姓名：陳大文 %d\n身份證號碼：%s\n診斷：肺炎；高血壓；E11.65\n出院藥物：Augmentin 500mg\n", i, testgen.HKID(i))
		b.WriteString("Discharge summary\nPatient: Chan Tai Man\nDiagnosis: type 2 diabetes mellitus, hypertension\nMetformin 500 mg\n")
		if i%5 == 0 {
			b.WriteString(strings.Repeat("病人服務中心今日暫停開放，請改日再來。", 20))
		}
	}
	return b.String()
}

// largeMixed is business text with the occasional statement, record and
// HKID (including upper- and lower-case and full-width forms).
func largeMixed(n int) string {
	r := rand.New(rand.NewPCG(7, 8))
	var b strings.Builder
	b.WriteString(mixedText(n / 2))
	for i := 0; b.Len() < n; i++ {
		switch r.IntN(6) {
		case 0:
			b.WriteString("HKID " + testgen.HKID(i) + " ")
		case 1:
			b.WriteString("身份證：Ａ１２３４５６（３） ")
		case 2:
			b.WriteString(largeStatements(300))
		case 3:
			b.WriteString(largeMedical(300))
		case 4:
			b.WriteString(strings.ToLower(testgen.HKID(i)) + " ")
		default:
			b.WriteString(mixedText(2000))
		}
	}
	return b.String()
}

// parallelSet returns a Set that analyses in pieces of pieceSize bytes with
// the given number of goroutines from 1 byte of text on.
func parallelSet(t *testing.T, pieceSize, workers int) *defaultSet {
	t.Helper()
	s, err := newSet()
	if err != nil {
		t.Fatal(err)
	}
	s.parallelMin, s.pieceSize, s.workers = 1, pieceSize, workers
	return s
}

// Parallel analysis must build exactly the document the sequential pass
// builds, so every classifier reaches the same verdict with the same
// counts, samples and signals.
func TestParallelMatchesSequential(t *testing.T) {
	const size = 1 << 20
	docs := []struct {
		name string
		segs []string
	}{
		{"hkid list", []string{largeHKIDList(30000)}},
		{"statements", []string{largeStatements(size)}},
		{"medical records", []string{largeMedical(size)}},
		{"mixed", []string{largeMixed(size)}},
		{"many segments", []string{largeMedical(300_000), "", largeStatements(5000), largeHKIDList(2000), mixedText(400_000), "HKID A123456(3)"}},
		// Tens of thousands of short segments (a JSON export's fields):
		// analysed in ranges of segments side by side (analyseRanges).
		{"many short segments", slices.Concat(strings.Split(largeMixed(size), "\n"), strings.Split(largeMedical(size/2), "\n"), strings.Split(largeHKIDList(3000), "\n"), strings.Fields(largeStatements(size/4)))},
	}
	seq, err := newSet()
	if err != nil {
		t.Fatal(err)
	}
	seq.parallelMin = math.MaxInt // never parallel
	sets := []struct {
		name string
		set  *defaultSet
	}{
		// Below 4096 bytes a piece is one walk; above, the four-lane walk.
		{"pieces 1021 x3", parallelSet(t, 1021, 3)},
		{"pieces 4099 x2", parallelSet(t, 4099, 2)},
		{"pieces 65537 x2", parallelSet(t, 65537, 2)},
		{"pieces 1MiB x4", parallelSet(t, 1<<20, 4)},
	}
	ctx := context.Background()
	for _, d := range docs {
		segs := make([]extract.Segment, len(d.segs))
		for i, s := range d.segs {
			segs[i] = extract.Segment{Origin: fmt.Sprintf("%s:%d", d.name, i), Text: s}
		}
		want := seq.analyse(ctx, segs)
		wantF := seq.Classify(ctx, segs)
		if len(wantF) == 0 && d.name != "mixed" {
			t.Fatalf("%s: sequential classification found nothing; the generated document is wrong", d.name)
		}
		for _, ps := range sets {
			t.Run(d.name+"/"+ps.name, func(t *testing.T) {
				got := ps.set.analyse(ctx, segs)
				if got == nil {
					t.Fatal("parallel analysis returned nil")
				}
				if ranges := len(got.more) > 0; ranges != (d.name == "many short segments") {
					t.Fatalf("analysed in ranges of segments: %v", ranges)
				}
				if got.bytes != want.bytes || len(got.segs) != len(want.segs) {
					t.Fatalf("document: %d bytes %d segments, want %d bytes %d segments", got.bytes, len(got.segs), want.bytes, len(want.segs))
				}
				for si := range want.segs {
					// digits is a memo the sequential view fills from its
					// digit map: the answer must agree, the memo may not be
					// there.
					if g, w := &got.segs[si], &want.segs[si]; g.hasDigit() != w.hasDigit() {
						t.Fatalf("segment %d: hasDigit %v, want %v", si, g.hasDigit(), w.hasDigit())
					}
					gs, ws := got.segs[si], want.segs[si]
					gs.digits, ws.digits = 0, 0
					if !reflect.DeepEqual(gs, ws) {
						w, g := ws, gs
						for ci := range w.hits {
							if len(g.hits[ci]) != len(w.hits[ci]) {
								t.Errorf("segment %d classifier %d: %d hits, want %d", si, ci, len(g.hits[ci]), len(w.hits[ci]))
							}
						}
						t.Fatalf("segment %d differs (%d HKID candidates, want %d)", si, len(g.hkids), len(w.hkids))
					}
				}
				if gotF := ps.set.Classify(ctx, segs); !reflect.DeepEqual(gotF, wantF) {
					t.Fatalf("findings differ:\n got %+v\nwant %+v", summary(gotF), summary(wantF))
				}
			})
		}
	}
}

// summary lists classifier, count and confidence (samples are masked, but
// the whole finding is not needed to see what differs).
func summary(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s count=%d conf=%s signals=%d", f.Classifier, f.Count, f.Confidence, len(f.Signals)))
	}
	return out
}

// A match cut by every possible piece boundary: the same short text is
// analysed with pieces of every size from 1 to its length.
func TestParallelEveryBoundary(t *testing.T) {
	text := "出院小結 Patient: Chan. Diagnosis：type 2 diabetes; HKID " + testgen.HKID(3) + " x" +
		testgen.HKID(4) + "; Total assets 1,204,330 资产总计 60,118,204 ＡＢ９８７６５４（３）"
	segs := []extract.Segment{{Origin: "t", Text: text}}
	ctx := context.Background()
	s, err := newSet()
	if err != nil {
		t.Fatal(err)
	}
	s.parallelMin = math.MaxInt
	want := s.analyse(ctx, segs)
	s.parallelMin, s.workers = 1, 2
	for size := 1; size <= len(text); size++ {
		s.pieceSize = size
		if got := s.analyse(ctx, segs); got == nil || got.bytes != want.bytes || !reflect.DeepEqual(got.segs, want.segs) {
			t.Fatalf("pieces of %d bytes: the document differs from one walk", size)
		}
	}
}

func TestParallelCancelled(t *testing.T) {
	s := parallelSet(t, 4096, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := s.Classify(ctx, []extract.Segment{{Text: largeHKIDList(5000)}}); got != nil {
		t.Fatalf("cancelled context still classified: %v", summary(got))
	}
}
