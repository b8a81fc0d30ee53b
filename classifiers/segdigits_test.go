package classifiers

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// checkSegDigits: a segment's hasDigit, read from the digit map view built,
// is hasDigit of its text (the scan the medical classifier made before).
func checkSegDigits(t *testing.T, segs []extract.Segment) (known int) {
	t.Helper()
	doc := testSet.analyse(context.Background(), segs)
	for i := range doc.segs {
		sg := &doc.segs[i]
		if got, want := sg.hasDigit(), hasDigit(sg.text); got != want {
			t.Fatalf("segment %d: hasDigit %v (digits %d), the text scan %v, in %q", i, got, sg.digits, want, sg.text)
		}
		if sg.digits != 0 {
			known++
		}
	}
	return known
}

func TestSegViewHasDigitMatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(171, 172))
	known := 0
	for range 500 {
		var segs []extract.Segment
		for range 1 + r.IntN(4) {
			var b strings.Builder
			for b.Len() < r.IntN(300) {
				b.WriteString(pickOne(r, []string{"patient ", "病人", "ｍｇ", "Ｂ１２３", "abc", " ", "\n", "HKID ", "＊", "Ａ"}))
				if r.IntN(8) == 0 {
					b.WriteByte(byte('0' + r.IntN(10)))
				}
			}
			segs = append(segs, extract.Segment{Text: b.String()})
		}
		known += checkSegDigits(t, segs)
	}
	if known < 80 {
		t.Fatalf("only %d segments had their digits read from the map", known)
	}
}

func FuzzSegViewHasDigit(f *testing.F) {
	for _, s := range []string{"", "abc", "a1", "病人 72 M", "Ｂ１２３", strings.Repeat("x", 70) + "7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { _ = checkSegDigits(t, []extract.Segment{{Text: s}, {Text: s + "9"}}) })
}
