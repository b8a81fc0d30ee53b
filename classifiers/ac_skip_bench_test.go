package classifiers

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// BenchmarkAutomatonSkip compares the skipping scan with the reference
// lock-step walk on the texts skipping is for and on business text.
func BenchmarkAutomatonSkip(b *testing.B) {
	r := rand.New(rand.NewPCG(51, 52))
	gen := func(n int, line int, alphabet string) string {
		var sb strings.Builder
		for sb.Len() < n {
			for range line {
				sb.WriteByte(alphabet[r.IntN(len(alphabet))])
			}
			sb.WriteByte('\n')
		}
		return sb.String()
	}
	const n = 4 << 20
	for _, c := range []struct{ name, text string }{
		{"business", mixedText(n)},
		{"base64", gen(n, 76, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")},
		{"random-letters", gen(n, 100, "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ")},
		{"long-line", strings.ReplaceAll(mixedText(n), "\n", " ")},
	} {
		a := testSet.ac
		b.Run(c.name+"/ref", func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				a.refScanSpan(c.text, 0, len(c.text))
			}
		})
		b.Run(c.name+"/skip", func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			var buf []hit
			for b.Loop() {
				buf = a.scan(c.text, buf[:0])
			}
		})
	}
}
