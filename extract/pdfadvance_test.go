package extract

import (
	"math/rand/v2"
	"testing"
)

func checkAdvance(t *testing.T, f *pdfFont, s []byte) {
	t.Helper()
	if got, want := f.advance(s), refAdvance(f, s); got != want {
		t.Fatalf("advance(%x) = %v, want %v (font %+v)", s, got, want, f)
	}
}

func randomAdvanceFont(r *rand.Rand) *pdfFont {
	f := &pdfFont{}
	switch r.IntN(4) {
	case 1:
		f.twoByte = true
	case 2:
		f.ranges = []codeRange{{lo: []byte{0}, hi: []byte{0x7f}}, {lo: []byte{0x81, 0x40}, hi: []byte{0xfe, 0xfe}}}
	}
	if r.IntN(3) > 0 {
		f.widths = map[uint32]float64{}
		for range r.IntN(300) {
			f.widths[uint32(r.IntN(1<<16))&^uint32(r.IntN(2)*0xff00)] = float64(r.IntN(2000)) + float64(r.IntN(1000))/997
		}
		f.defWidth = float64(r.IntN(1000)) / 3
		f.knownWidths = len(f.widths) > 0
	}
	return f
}

func TestAdvanceMatchesOld(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		f := randomAdvanceFont(r)
		for range 20 {
			s := make([]byte, r.IntN(80))
			for i := range s {
				s[i] = byte(r.IntN(256))
			}
			checkAdvance(t, f, s)
		}
	}
}

func FuzzAdvanceMatchesOld(f *testing.F) {
	f.Add(uint64(1), []byte("Hello, world"))
	f.Add(uint64(7), []byte{0x81, 0x40, 0x20, 0xff})
	f.Fuzz(func(t *testing.T, seed uint64, s []byte) {
		r := rand.New(rand.NewPCG(seed, seed>>7))
		checkAdvance(t, randomAdvanceFont(r), s)
	})
}
