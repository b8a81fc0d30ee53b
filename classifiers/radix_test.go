package classifiers

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		n    int
		max  uint64
		high uint64 // or'ed into every key: digits that skip a pass
	}{
		{"empty", 0, 10, 0},
		{"small", 100, 1000, 0},
		{"hkid range", 50000, 8_000_000_000, 0},
		{"duplicates", 20000, 50, 0},
		{"full 64 bits", 10000, 0, 0},
		{"hk phones", 30000, 100_000_000, 852 << 40},
		{"one key", 3000, 1, 86 << 40},
		{"constant middle", 5000, 1 << 11, 1 << 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := make([]uint64, tc.n)
			for i := range keys {
				if tc.max == 0 {
					keys[i] = r.Uint64()
				} else {
					keys[i] = r.Uint64N(tc.max)
				}
				keys[i] |= tc.high
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			if got := radixSort(keys); !slices.Equal(got, want) {
				t.Fatal("radixSort differs from slices.Sort")
			}
		})
	}
}
