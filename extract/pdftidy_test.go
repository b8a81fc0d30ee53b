package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestTidyLinesMatchesOld(t *testing.T) {
	parts := []string{"", "\n", "\n\n", " ", "\t", "a", "\xff", "\xe9 ", "\u0085", "香港", "\r", "\u00a0", "\u3000", "x y", " \t\n", "\v", "\f"}
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		var sb strings.Builder
		for range r.IntN(12) {
			sb.WriteString(parts[r.IntN(len(parts))])
		}
		s := sb.String()
		if got, want := tidyLines(s), refTidyLines(s); got != want {
			t.Fatalf("tidyLines(%q) = %q, want %q", s, got, want)
		}
		if got, want := tidyLinesBytes([]byte(s)), refTidyLines(s); got != want {
			t.Fatalf("tidyLinesBytes(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzTidyLinesMatchesOld(f *testing.F) {
	for _, s := range []string{"", "a \n\n\n b\t\n", "\u00a0\n x \r\n\n\n", "\n\n香港 \n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := tidyLines(s), refTidyLines(s); got != want {
			t.Fatalf("tidyLines(%q) = %q, want %q", s, got, want)
		}
		if got, want := tidyLinesBytes([]byte(s)), refTidyLines(s); got != want {
			t.Fatalf("tidyLinesBytes(%q) = %q, want %q", s, got, want)
		}
	})
}
