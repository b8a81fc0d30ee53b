package classifiers

import (
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// keywordScansRunByRun is keywordScans as it was before kwRunEnds: every
// digit run of the map visited (digitRuns), its length and digitSoonAfter
// tested there. The reference of TestKeywordScansMatchRunByRun.
func keywordScansRunByRun(s string, dm []uint64, dst []hkidMatch) []hkidMatch {
	var spaced, grouped, loose, apart []hkidMatch
	digitRuns(s, dm, func(i, n int) {
		switch {
		case n == 6:
			if p := spacedLetter(s, i); p >= 0 {
				if m, ok := separatedHKIDAt(s, p); ok {
					spaced = append(spaced, m)
				}
			}
			if m, ok := looseHKIDAt(s, i); ok {
				loose = append(loose, m)
			}
		case n < 6 && digitSoonAfter(dm, i+n):
			if _, ok := loosePrefixBefore(s, i); !ok {
				return
			}
			if m, ok := groupedAt(s, i, n); ok {
				grouped = append(grouped, m)
			}
			if m, ok := digitsApartFrom(s, i, n); ok {
				apart = append(apart, m)
			}
		}
	})
	return addScans(dst, spaced, grouped, loose, apart)
}

// kwRunEndsRef is kwRunEnds bit by bit over the whole map: the last digit
// of every run of six, and of every shorter run digitSoonAfter accepts
// but one inside a word with a digit two bytes before it.
func kwRunEndsRef(dm []uint64) []int {
	var ends []int
	bit := func(p int) bool { return p >= 0 && p>>6 < len(dm) && dm[p>>6]>>(p&63)&1 != 0 }
	for p := 0; p < len(dm)<<6; p++ {
		if !bit(p) || bit(p+1) {
			continue
		}
		n := 0
		for bit(p - n) {
			n++
		}
		// A run inside one word with a digit two bytes before it is left
		// out (kwRunEnds: loosePrefixBefore rejects it).
		glued := p>>6 == (p-n+1)>>6 && p&63 != 63 && bit(p-n-1)
		if n == 6 || n < 6 && digitSoonAfter(dm, p+1) && !glued {
			ends = append(ends, p)
		}
	}
	return ends
}

func kwRunEndsOf(dm []uint64) []int {
	var ends []int
	var prev uint64
	for w, d := range dm {
		var next uint64
		if w+1 < len(dm) {
			next = dm[w+1]
		}
		for e := kwRunEnds(d, prev, next); e != 0; e &= e - 1 {
			ends = append(ends, w<<6+bits.TrailingZeros64(e))
		}
		prev = d
	}
	return ends
}

// genKeywordText is keyworded text with digit runs of every length near
// the 64-byte words of the digit map: the shapes keywordScans reads, near
// misses, and runs one to nine bytes apart.
func genKeywordText(r *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteString("HKID ")
	for b.Len() < n {
		switch r.IntN(7) {
		case 0:
			b.WriteString(genSpacedText(r, 1+r.IntN(3)))
		case 1:
			b.WriteString(genGroupedText(r, 1+r.IntN(3)))
		case 2:
			b.WriteString(genDigitsApart(r, 1+r.IntN(3)))
		case 3:
			b.WriteString(strings.Repeat("7", 1+r.IntN(80)))
		case 4:
			b.WriteString(pickOne(r, []string{" ", "-", "  ", ", ", "A", "ab", "A ", " A-", "身份證", "\u3000", "(", ")", "x"}))
		default:
			b.WriteString(strings.Repeat("1", 1+r.IntN(7)))
			b.WriteString(pickOne(r, []string{" ", "-", ".", "  ", " - ", "   ", "A", "", "ab cd", "身"}))
		}
	}
	return b.String()
}

// keywordScans visits only the runs kwRunEnds marks: it finds what the
// walk over every run found, in the same order, on long keyworded text
// (runs across the map's words) and after the other scanners' candidates.
func TestKeywordScansMatchRunByRun(t *testing.T) {
	r := rand.New(rand.NewPCG(95, 96))
	var kw kwScans
	found := 0
	for n := 0; n < 2000; n++ {
		text := genKeywordText(r, 1+r.IntN(600))
		dm := digitMap(text, nil)
		if got, want := kwRunEndsOf(dm), kwRunEndsRef(dm); !slices.Equal(got, want) {
			t.Fatalf("kwRunEnds marks %v, bit by bit %v, in %q", got, want, text)
		}
		for _, pre := range [][]hkidMatch{nil, scanSeparatedHKIDs(text, nil, nil, scanHKIDs(text, nil))} {
			want := keywordScansRunByRun(text, dm, slices.Clone(pre))
			got := keywordScans(text, dm, slices.Clone(pre), &kw)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("kwRunEnds found %v, every run %v, in %q", got, want, text)
			}
			found += len(want) - len(pre)
		}
	}
	if found < 2000 {
		t.Errorf("only %d candidates in the generated texts", found)
	}
}

func FuzzKeywordScansRunByRun(f *testing.F) {
	for _, s := range []string{"HKID A 123456 3", "A 123 456 (3) 1-2-3-4-5-6 (7)", strings.Repeat("1 ", 40) + "A 12 34 56 3", "HKID " + strings.Repeat("x", 58) + "A 1234 56 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		dm := digitMap(text, nil)
		if got, want := kwRunEndsOf(dm), kwRunEndsRef(dm); !slices.Equal(got, want) {
			t.Fatalf("kwRunEnds marks %v, bit by bit %v", got, want)
		}
		var kw kwScans
		if got, want := keywordScans(text, dm, nil, &kw), keywordScansRunByRun(text, dm, nil); !reflect.DeepEqual(got, want) {
			t.Fatalf("kwRunEnds found %v, every run %v", got, want)
		}
	})
}
