package classifiers

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// digitFoldBlocks (the SSE2 assembly on amd64) equals digitFoldBlocksGo,
// the SWAR reference, on every byte value at every position, at every
// length and alignment: the same digit masks, and a fold lead byte found
// exactly when the reference finds one.
func sameDigitFoldBlocks(t *testing.T, s string) {
	t.Helper()
	n := len(s) / 64
	got, want := make([]uint64, n+1), make([]uint64, n+1)
	got[n], want[n] = 0xdead, 0xdead // past the blocks: untouched
	g, w := digitFoldBlocks(s, got), digitFoldBlocksGo(s, want)
	if (g == 0) != (w == 0) {
		t.Fatalf("%d bytes: fold lead found %v, want %v", len(s), g != 0, w != 0)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%d bytes: block %d mask %064b, want %064b", len(s), i, got[i], want[i])
		}
	}
}

func TestDigitFoldBlocks(t *testing.T) {
	// Every byte value alone in every position of a block.
	for c := range 256 {
		for pos := range 64 {
			b := []byte(strings.Repeat("a", 128))
			b[64+pos] = byte(c)
			sameDigitFoldBlocks(t, string(b))
		}
	}
	// The range edges side by side, and random bytes, at every length
	// and alignment.
	edges := []byte{'/', '0', '9', ':', 0xCB, 0xCC, 0xE1, 0xE2, 0x00, 0x7F, 0x80, 0xFF}
	r := rand.New(rand.NewPCG(4, 4))
	buf := make([]byte, 400)
	for i := range buf {
		if r.IntN(2) == 0 {
			buf[i] = edges[r.IntN(len(edges))]
		} else {
			buf[i] = byte(r.Uint32())
		}
	}
	for off := range 16 {
		for n := 0; off+n <= len(buf) && n <= 300; n++ {
			sameDigitFoldBlocks(t, string(buf[off:off+n]))
		}
	}
	// No fold lead anywhere, digits everywhere.
	sameDigitFoldBlocks(t, strings.Repeat("0123456789", 100))
}

func FuzzDigitFoldBlocks(f *testing.F) {
	f.Add([]byte("HKID A123456(3) 2026-03-02 客戶 é"))
	f.Add([]byte(strings.Repeat("\xcc\x81 12", 40)))
	f.Fuzz(func(t *testing.T, b []byte) {
		for off := range min(len(b), 8) {
			sameDigitFoldBlocks(t, string(b[off:]))
		}
	})
}
