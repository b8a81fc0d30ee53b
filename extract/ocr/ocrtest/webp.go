package ocrtest

import (
	"encoding/binary"
	"image"
)

// WebP encodes img as a black-and-white lossless WebP (VP8L with simple
// two-symbol prefix codes: one bit per channel per pixel). Go has no WebP
// encoder; this is enough for a screenshot of text.
func WebP(img image.Image) []byte {
	g := GrayOf(img)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	var bw bitWriter
	bw.put(0x2f, 8)
	bw.put(uint32(w-1), 14)
	bw.put(uint32(h-1), 14)
	bw.put(0, 1)    // alpha not used
	bw.put(0, 3)    // version
	bw.put(0, 1)    // no transform
	bw.put(0, 1)    // no colour cache
	bw.put(0, 1)    // no meta prefix codes
	two := func() { // simple code: symbols 0 and 255, one bit each
		bw.put(1, 1) // simple
		bw.put(1, 1) // two symbols
		bw.put(0, 1) // first symbol in 1 bit
		bw.put(0, 1) // symbol 0
		bw.put(255, 8)
	}
	one := func(sym uint32, eight bool) {
		bw.put(1, 1)
		bw.put(0, 1)
		if eight {
			bw.put(1, 1)
			bw.put(sym, 8)
		} else {
			bw.put(0, 1)
			bw.put(sym, 1)
		}
	}
	two()          // green
	two()          // red
	two()          // blue
	one(255, true) // alpha
	one(0, false)  // distance
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			bit := uint32(0)
			if g.Pix[y*g.Stride+x] >= 128 {
				bit = 1
			}
			bw.put(bit, 1) // green
			bw.put(bit, 1) // red
			bw.put(bit, 1) // blue
		}
	}
	data := bw.bytes()
	chunk := make([]byte, 0, len(data)+20)
	chunk = append(chunk, "RIFF....WEBPVP8L...."...)
	binary.LittleEndian.PutUint32(chunk[16:], uint32(len(data)))
	chunk = append(chunk, data...)
	if len(data)%2 == 1 {
		chunk = append(chunk, 0)
	}
	binary.LittleEndian.PutUint32(chunk[4:], uint32(len(chunk)-8))
	return chunk
}

type bitWriter struct {
	buf  []byte
	acc  uint64
	nacc uint
}

func (b *bitWriter) put(v uint32, n uint) {
	b.acc |= uint64(v) << b.nacc
	b.nacc += n
	for b.nacc >= 8 {
		b.buf = append(b.buf, byte(b.acc))
		b.acc >>= 8
		b.nacc -= 8
	}
}

func (b *bitWriter) bytes() []byte {
	if b.nacc > 0 {
		b.buf = append(b.buf, byte(b.acc))
		b.acc, b.nacc = 0, 0
	}
	return b.buf
}
