package classifiers

import (
	"math/rand/v2"
	"testing"
)

func nextDigitRef(s string, i int) int {
	for ; i < len(s) && !isDigit(s[i]); i++ {
	}
	return i
}

// Every byte value next to every other, at every alignment: the word skip
// never passes a digit and never stops the answer short.
func TestNextDigitMatchesByteLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 20000; n++ {
		b := make([]byte, rng.IntN(40))
		for j := range b {
			b[j] = byte(rng.IntN(256))
			if rng.IntN(4) == 0 {
				b[j] = "/09:\x80\xaf\xb0\xb9 "[rng.IntN(9)]
			}
		}
		s := string(b)
		for i := 0; i <= len(s); i++ {
			if got, want := nextDigit(s, i), nextDigitRef(s, i); got != want {
				t.Fatalf("nextDigit(%q, %d) = %d, want %d", s, i, got, want)
			}
		}
	}
	for c := 0; c < 256; c++ {
		b := []byte("abcdefghijklmnop")
		b[11] = byte(c) // in the second word
		if got, want := nextDigit(string(b), 0), nextDigitRef(string(b), 0); got != want {
			t.Fatalf("byte %#x: nextDigit = %d, want %d", c, got, want)
		}
	}
}

func FuzzNextDigit(f *testing.F) {
	f.Add("no digits here at all, none", 0)
	f.Add("A 123456 3", 1)
	f.Fuzz(func(t *testing.T, s string, i int) {
		if i < 0 || i > len(s) {
			return
		}
		if got, want := nextDigit(s, i), nextDigitRef(s, i); got != want {
			t.Fatalf("nextDigit(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}
