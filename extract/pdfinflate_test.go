package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	kflate "github.com/klauspost/compress/flate"
	kzlib "github.com/klauspost/compress/zlib"
)

// TestReadBoundedMatchesOld: walker.readBounded keeps the same bytes,
// reason and error kind as before it read into the result's capacity, at
// and around the size and ratio limits, for whole, truncated and corrupt
// streams.
func TestReadBoundedMatchesOld(t *testing.T) {
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
		want, wantWhy, wantErr := refReadBounded(w, oneShot(z), int64(len(z)))
		got, gotWhy, gotErr := w.readBounded(oneShot(z), int64(len(z)))
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

// inflateOld is pdfDoc.inflate before the zlib wrapper was stripped by
// hand: a zlib reader, raw deflate when it refuses the header.
func inflateOld(w *walker, b []byte) []byte {
	var r io.Reader
	if zr, err := kzlib.NewReader(bytes.NewReader(b)); err == nil {
		r = zr
	} else {
		r = kflate.NewReader(bytes.NewReader(b))
	}
	out, _, _ := w.readBounded(r, int64(len(b)))
	return out
}

// checkInflate: what a zlib reader over klauspost's inflate reads of b,
// inflate reads too; on a damaged stream it may read more before the
// damage (extract/deflate hands over everything it decoded, klauspost
// only what it had flushed), never other bytes.
func checkInflate(t *testing.T, d *pdfDoc, b []byte) {
	t.Helper()
	want := inflateOld(d.w, b)
	if got := d.inflate(b); !bytes.HasPrefix(got, want) {
		t.Fatalf("inflate(%x...) = %d bytes, want %d (as a prefix)", b[:min(len(b), 16)], len(got), len(want))
	}
}

// TestInflateMatchesOld: whole, truncated, corrupt (body and checksum),
// raw deflate, preset-dictionary headers and garbage inflate to the
// bytes a zlib reader reads (checkInflate).
func TestInflateMatchesOld(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	w := &walker{ctx: context.Background(), parent: context.Background(), lim: Limits{}.withDefaults(), seen: map[string]bool{}}
	d := &pdfDoc{w: w}
	for range 300 {
		in := make([]byte, r.IntN(20000))
		for i := range in {
			in[i] = "BT ()Tj[]ET 0123"[r.IntN(16)]
		}
		z := flateBytes(t, in)
		if got := d.inflate(z); !bytes.Equal(got, in) {
			t.Fatalf("inflate of a whole stream: %d bytes, want %d", len(got), len(in))
		}
		variants := [][]byte{z, z[:r.IntN(len(z)+1)], z[2:], z[:len(z)-4], {}, {0x78}, {0x78, 0x9c}}
		c := append([]byte{}, z...)
		c[len(c)-1] ^= 1 // checksum
		variants = append(variants, c)
		c = append([]byte{}, z...)
		c[r.IntN(len(c))] ^= byte(1 + r.IntN(255))
		variants = append(variants, c)
		// FDICT set (0x78 0xbb is a valid check): id of the empty
		// dictionary, another id, and a header cut inside the id.
		variants = append(variants, append([]byte{0x78, 0xbb, 0, 0, 0, 1}, z[2:]...), append([]byte{0x78, 0xbb, 0, 0, 0, 2}, z[2:]...), []byte{0x78, 0xbb, 0, 0})
		g := make([]byte, r.IntN(64))
		for i := range g {
			g[i] = byte(r.IntN(256))
		}
		variants = append(variants, g)
		for _, v := range variants {
			checkInflate(t, d, v)
		}
	}
}

func FuzzInflateMatchesOld(f *testing.F) {
	f.Add(flateBytes(f, []byte("BT /F1 12 Tf (Hello) Tj ET")))
	f.Add([]byte{0x78, 0xbb, 0, 0, 0, 1, 3, 0})
	f.Add([]byte{0x78, 0x9c, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		w := &walker{ctx: context.Background(), parent: context.Background(), lim: Limits{}.withDefaults(), seen: map[string]bool{}}
		checkInflate(t, &pdfDoc{w: w}, b)
	})
}

// refReadBounded is walker.readBounded as it was before it read into the
// result's spare capacity (kept frozen as the reference): it decompresses r into memory, stopping at the size limit (and
// the ratio limit against compressedSize). It returns what was read; on a
// limit it also returns errTooBig and a reason.
func refReadBounded(w *walker, r io.Reader, compressedSize int64) ([]byte, string, error) {
	max := w.lim.MaxDecompressed
	byRatioLimit := false
	if compressedSize > 0 && w.lim.MaxRatio > 0 {
		byRatio := compressedSize * int64(w.lim.MaxRatio)
		if byRatio < ratioFloor {
			byRatio = ratioFloor
		}
		if byRatio < max {
			max = byRatio
			byRatioLimit = true
		}
	}
	// The reason is built only when a limit is hit (PDFs call this once
	// per content stream).
	why := func() string {
		if byRatioLimit {
			return fmt.Sprintf("compression ratio over %d:1 (possible decompression bomb)", w.lim.MaxRatio)
		}
		return fmt.Sprintf("decompressed size over %d bytes", w.lim.MaxDecompressed)
	}
	var buf bytes.Buffer
	if compressedSize > 0 {
		buf.Grow(int(min(4*compressedSize, max, 1<<20))) // a typical ratio, small streams
	}
	chunk := make([]byte, 32<<10)
	for {
		if w.expired() {
			return buf.Bytes(), "", errStop
		}
		n, err := r.Read(chunk)
		if n > 0 {
			if int64(buf.Len()+n) > max {
				buf.Write(chunk[:max-int64(buf.Len())])
				return buf.Bytes(), why(), errTooBig
			}
			buf.Write(chunk[:n])
		}
		if errors.Is(err, io.EOF) {
			return buf.Bytes(), "", nil
		}
		if err != nil {
			return buf.Bytes(), "", err
		}
	}
}
