package classifiers

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// checkDigitFoldMap: digitFoldMap's map is digitMap's, and foldFree holds
// exactly when no byte of s is a foldLead byte, so needsFold(s) is false
// whenever it does (the scan foldView skips then).
func checkDigitFoldMap(t *testing.T, s string) {
	t.Helper()
	dm, foldFree := digitFoldMap(s, nil)
	if len(dm) != (len(s)+63)/64 {
		t.Fatalf("%d words for %d bytes", len(dm), len(s))
	}
	for i := range 64 * len(dm) {
		want := i < len(s) && isDigit(s[i])
		if got := dm[i>>6]>>(i&63)&1 == 1; got != want {
			t.Fatalf("bit %d: %v, want %v, in %q", i, got, want, s)
		}
	}
	lead := false
	for i := range len(s) {
		lead = lead || foldLead[s[i]]
	}
	if foldFree == lead {
		t.Fatalf("foldFree %v with a fold lead byte %v in %q", foldFree, lead, s)
	}
	if foldFree && needsFold(s) {
		t.Fatalf("foldFree, but needsFold in %q", s)
	}
}

func TestDigitFoldMap(t *testing.T) {
	alphabet := []string{"a", "A", "1", " ", "-", "中", "，", "é", "\u00a0", "А", "а", "Α", "ο", "٣", "۵", "५", "๓", "😀", "\u200b", "Ж", "ي", "한", "\xff", "ꘓ", "\xce", "\xe1", "\xcd", "\xe2", "9", "0"}
	r := rand.New(rand.NewPCG(181, 182))
	folds := 0
	for range 20000 {
		var b strings.Builder
		n := r.IntN(200)
		ascii := r.IntN(2) == 0 // many texts without a lead byte at all
		for range n {
			if ascii {
				b.WriteString(alphabet[r.IntN(5)])
			} else {
				b.WriteString(alphabet[r.IntN(len(alphabet))])
			}
		}
		s := b.String()
		checkDigitFoldMap(t, s)
		if needsFold(s) {
			folds++
		}
	}
	if folds < 1000 {
		t.Fatalf("only %d texts needed folding", folds)
	}
	for _, s := range []string{strings.Repeat("x", 64) + "А", strings.Repeat("x", 63) + "А", "А" + strings.Repeat("7", 130), strings.Repeat("中", 40) + "٣"} {
		for n := 0; n <= len(s); n++ {
			checkDigitFoldMap(t, s[:n])
			checkDigitFoldMap(t, s[n:])
		}
	}
}

func FuzzDigitFoldMap(f *testing.F) {
	for _, s := range []string{"", "abc 123", "А1", "中文，٣", strings.Repeat("y", 70) + "ο"} {
		f.Add(s)
	}
	f.Fuzz(checkDigitFoldMap)
}

// The digit map and the fold scan as two passes (before) and as one.
func BenchmarkDigitFoldMap(b *testing.B) {
	for _, c := range []struct{ name, text string }{
		{"trad", strings.Repeat("明天下午三點喺觀塘辦公室開會，記得帶埋投影機。倉庫存貨 1,200 件，請於月底前盤點。\n", benchSize/120)},
		{"mixed", mixedText(benchSize)},
		{"simplified", strings.Repeat("各位好，请于周五前提交差旅报销单，附上发票原件。仓库库存一千二百件，请于月底前盘点。\n", benchSize/120)},
		{"sheet", strings.Repeat("1204,88231.07,402113,2026-03-12,81234567\n", benchSize/40)},
	} {
		buf := make([]uint64, 0, len(c.text)/64+1)
		b.Run(c.name+"/two-pass", func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				buf = digitMap(c.text, buf[:0])
				_ = needsFold(c.text)
			}
		})
		b.Run(c.name+"/fused", func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				buf, _ = digitFoldMap(c.text, buf[:0])
			}
		})
	}
}

// Once a block holds a fold lead byte, digitFoldMap stops looking for
// more: the digit map of every later block must still be exact, and a
// lead byte in any block (or only in the tail) still clears foldFree.
func TestDigitFoldMapAfterLead(t *testing.T) {
	r := rand.New(rand.NewPCG(183, 184))
	parts := []string{"7", "12", "中", "，", "x", " ", "-", "é", "Ж", "\xcc", "\xe1", "\xe2", "\xcb"}
	for range 3000 {
		var b strings.Builder
		for b.Len() < 64*(1+r.IntN(6)) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		s := b.String()
		checkDigitFoldMap(t, s)
		// The lead byte only in the first block, only in the last, only
		// in the tail after the last full block.
		clean := strings.NewReplacer("é", "e", "Ж", "z", "\xcc", "c", "\xe1", "a").Replace(s)
		for _, at := range []int{0, len(clean) / 2, len(clean) - 1} {
			checkDigitFoldMap(t, clean[:at]+"é"+clean[at:])
		}
	}
}
