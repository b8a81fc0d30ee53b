package extract

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	kflate "github.com/klauspost/compress/flate"
	kzlib "github.com/klauspost/compress/zlib"
)

// TestReadInflatedMatchesReadBounded: the PDF stream reader keeps the
// same bytes, reason and error kind as walker.readBounded, at and around
// the size and ratio limits, for whole, truncated and corrupt streams.
func TestReadInflatedMatchesReadBounded(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var inputs [][]byte
	for _, n := range []int{0, 1, 100, 4 << 10, 40 << 10, 300 << 10, 3 << 20} {
		b := make([]byte, n)
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = 'a' + byte(i%7)
			}
		}
		inputs = append(inputs, b)
	}
	inputs = append(inputs, bytes.Repeat([]byte{'0'}, 9<<20)) // ratio bomb
	limits := []int64{1, 100, 4 << 10, 40<<10 - 1, 40 << 10, 40<<10 + 1, 300 << 10, 3 << 20, 9 << 20, 64 << 20}
	check := func(t *testing.T, z []byte, lim Limits) {
		t.Helper()
		w := &walker{ctx: context.Background(), parent: context.Background(), lim: lim.withDefaults(), seen: map[string]bool{}}
		d := &pdfDoc{w: w}
		want, wantWhy, wantErr := w.readBounded(oneShot(z), int64(len(z)))
		got, gotWhy, gotErr := d.readInflated(oneShot(z), int64(len(z)))
		if !bytes.Equal(got, want) || gotWhy != wantWhy || errors.Is(gotErr, errTooBig) != errors.Is(wantErr, errTooBig) || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("limits %+v, %d compressed: got %d bytes %q %v, want %d bytes %q %v", lim, len(z), len(got), gotWhy, gotErr, len(want), wantWhy, wantErr)
		}
	}
	for _, in := range inputs {
		z := flateBytes(t, in)
		for _, variant := range [][]byte{z, z[:len(z)/2], append(append([]byte{}, z[:len(z)/2]...), bytes.Repeat([]byte{0xff}, 50)...)} {
			for _, lim := range limits {
				check(t, variant, Limits{MaxDecompressed: lim})
				check(t, variant, Limits{MaxDecompressed: lim, MaxRatio: 3})
			}
		}
	}
}

// oneShot is a fresh zlib reader over z (raw deflate when the header
// does not read), as pdfDoc.inflate picks.
func oneShot(z []byte) io.Reader {
	if zr, err := kzlib.NewReader(bytes.NewReader(z)); err == nil {
		return zr
	}
	return kflate.NewReader(bytes.NewReader(z))
}
