package classifiers

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// shortTexts returns n texts made of the automaton's own patterns, digits,
// HKID-shaped runs, CJK and filler, of lengths from 0 to a few hundred
// bytes, so matches start and end at every offset, at the texts' edges
// too.
func shortTexts(r *rand.Rand, a *automaton, n int) []string {
	pieces := []string{" ", "A123456(7)", "9123 4567", "陳大文", "病歷", "x", "-", "1", "\n", "（3）", "ab12", "A-1"}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for k := r.IntN(12); k > 0; k-- {
			if r.IntN(2) == 0 {
				b.WriteString(a.pats[r.IntN(len(a.pats))].text)
			} else {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
			if r.IntN(3) == 0 {
				b.WriteString(" ")
			}
		}
		out[i] = b.String()
	}
	return out
}

// TestScanShortEqualsScan: walking short texts four side by side gives
// each text's own walk, match for match, for every group size.
func TestScanShortEqualsScan(t *testing.T) {
	s, err := newSet()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	var sc shortScratch
	total := 0
	for round := 0; round < 300; round++ {
		texts := shortTexts(r, s.ac, 1+r.IntN(shortGroup))
		s.ac.scanShort(texts, &sc)
		for k, text := range texts {
			want := s.ac.scanWith(text, nil, nil)
			got := sc.hits[k]
			if len(want) == 0 && len(got) == 0 {
				continue
			}
			total += len(want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d text %d (%d bytes): %d hits, want %d\n got %v\nwant %v", round, k, len(text), len(got), len(want), got, want)
			}
		}
	}
	if total < 1000 {
		t.Fatalf("only %d hits compared: the texts do not exercise the automaton", total)
	}
}

// FuzzScanShort: any short texts, split from the input at NUL bytes.
func FuzzScanShort(f *testing.F) {
	s, err := newSet()
	if err != nil {
		f.Fatal(err)
	}
	f.Add("patient\x00A123456(7)\x00\x00HKID A1234563\x00病人 陳大文 診斷")
	f.Add(strings.Repeat("a12\x00", 40))
	f.Fuzz(func(t *testing.T, in string) {
		texts := strings.Split(in, "\x00")
		if len(texts) > shortGroup {
			texts = texts[:shortGroup]
		}
		for _, x := range texts {
			if !s.ac.isShort(len(x)) {
				return
			}
		}
		var sc shortScratch
		s.ac.scanShort(texts, &sc)
		for k, text := range texts {
			want := s.ac.scanWith(text, nil, nil)
			if len(want) == 0 && len(sc.hits[k]) == 0 {
				continue
			}
			if !reflect.DeepEqual(sc.hits[k], want) {
				t.Fatal(fmt.Sprintf("text %d: %v, want %v", k, sc.hits[k], want))
			}
		}
	})
}
