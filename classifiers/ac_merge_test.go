package classifiers

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The set's HKID prefilter is laid out as the family the automaton merges;
// if newSet changes that layout, the merge (and base64's speed) is lost.
func TestSetHasLDFamily(t *testing.T) {
	if !ldFamilyAt(testSet.ac.pats, testSet.dictPatterns) {
		t.Fatal("the letter-digit-digit prefilter patterns are not where newAutomatonRaw looks for them")
	}
	withOut := 0
	for s := testSet.ac.outFrom; s+1 < len(testSet.ac.outStart); s++ {
		for _, o := range testSet.ac.outs[testSet.ac.outStart[s]:testSet.ac.outStart[s+1]] {
			if o.flags&outLDFamily != 0 {
				withOut++
				break
			}
		}
	}
	if withOut > 200 {
		t.Errorf("%d states report the family: the %d patterns' states were not merged", withOut, ldFamilySize)
	}
}

// A small automaton with the family and words that share its bytes walks
// like the frozen automaton, which keeps one state per pattern.
func TestLDFamilyMatchesFrozen(t *testing.T) {
	words := []string{"a1", "a12b", "x9", "zz99", "b12", "po", "12", "9z", "q0q"}
	var pats []string
	pats = append(pats, words...)
	for l := byte('a'); l <= 'z'; l++ {
		for d := byte('0'); d <= '9'; d++ {
			for e := byte('0'); e <= '9'; e++ {
				pats = append(pats, string([]byte{l, d, e}))
			}
		}
	}
	pats = append(pats, "b12") // a duplicate of a family member after it
	a, err := newAutomatonRaw(pats, len(words))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := newRefAutomatonRaw(pats, len(words))
	if err != nil {
		t.Fatal(err)
	}
	if rows := len(a.trans) >> a.shift; rows >= len(ref.trans)>>ref.shift {
		t.Errorf("no state merged: %d rows", rows)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, alphabet := range []string{"aAbBzZ0123456789 ", "a1b2 ", "0123456789Zz", "ab12-9(x)"} {
		b := make([]byte, 30000)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		text := string(b)
		want := ref.scan(text)
		if got := refScan(a, text); !slices.Equal(got, want) {
			t.Fatalf("walk differs from the frozen automaton on %q...: %d hits, want %d", clip(text), len(got), len(want))
		}
		if got := a.scan(text, nil); !slices.Equal(got, want) {
			t.Fatalf("scan differs from the frozen automaton on %q...", clip(text))
		}
	}
}
