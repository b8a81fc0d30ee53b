package classifiers

import (
	"encoding/binary"
	"slices"
)

// Word-at-a-time digit masks for the scanners that look for digit runs of
// a given shape (numbers.go, hkid_spaced.go): 64 bytes become one uint64
// with bit j set when byte j is an ASCII digit, and the shapes the
// scanners want (eight digits in a row, a digit, a separator and a digit)
// are a few shifts and ANDs of it, so the text between candidates is not
// walked run by run.

// digitBits8 is the digit mask of the eight bytes of x (little-endian),
// one bit a byte. Exact for every byte value: with y = x^'0' a digit is a
// byte of y below ten, and the test adds 0x76 to the low seven bits (a
// carry into the high bit means ten or more) and rules out a high bit.
func digitBits8(x uint64) uint64 {
	y := x ^ (lo7 * '0')
	return gatherHigh(^((y&^hi8 + lo7*0x76) | y) & hi8)
}

// gatherHigh packs the high bits of the eight bytes of m into one byte.
func gatherHigh(m uint64) uint64 { return ((m >> 7) * 0x0102040810204080) >> 56 }

// digitBits64 is the digit mask of b[0:64]. Blocks without a digit (most
// of prose and CJK text) are not gathered.
func digitBits64(b string) uint64 {
	b = b[:64]
	var m [8]uint64
	var any uint64
	for w := range m {
		y := load64(b, 8*w) ^ (lo7 * '0')
		m[w] = ^((y&^hi8 + lo7*0x76) | y) & hi8
		any |= m[w]
	}
	if any == 0 {
		return 0
	}
	return gatherHigh(m[0]) | gatherHigh(m[1])<<8 | gatherHigh(m[2])<<16 | gatherHigh(m[3])<<24 |
		gatherHigh(m[4])<<32 | gatherHigh(m[5])<<40 | gatherHigh(m[6])<<48 | gatherHigh(m[7])<<56
}

// gather64 is the digit mask of b[0:64], word by word.
func gather64(b string) uint64 {
	b = b[:64]
	return digitBits8(load64(b, 0)) | digitBits8(load64(b, 8))<<8 |
		digitBits8(load64(b, 16))<<16 | digitBits8(load64(b, 24))<<24 |
		digitBits8(load64(b, 32))<<32 | digitBits8(load64(b, 40))<<40 |
		digitBits8(load64(b, 48))<<48 | digitBits8(load64(b, 56))<<56
}

// digitBlock returns the digit mask of s[b:b+64] (bytes past the end
// count as non-digits) and whether s[b+64] is a digit.
func digitBlock(s string, b int, pad *[72]byte) (d uint64, next bool) {
	if b+65 <= len(s) {
		return digitBits64(s[b : b+64]), isDigit(s[b+64])
	}
	*pad = [72]byte{}
	copy(pad[:], s[b:])
	// Only the words holding text: a JSON field is a few dozen bytes.
	for w := 0; w < len(s)-b; w += 8 {
		d |= digitBits8(binary.LittleEndian.Uint64(pad[w:])) << w
	}
	return d, false
}

// runOf8 marks the positions where eight digits in a row end, given the
// digit masks of this block (d) and of the 64 bytes before it (prev).
func runOf8(d, prev uint64) uint64 {
	a := d & (d<<1 | prev>>63) // digits at p-1 and p
	ap := prev & (prev << 1)   // the same for the block before (its top bits are right)
	c := a & (a<<2 | ap>>62)   // p-3..p
	cp := ap & (ap << 2)
	return c & (c<<4 | cp>>60) // p-7..p
}

// lowBitsTo clears the bits of m at positions 0..k (k may be 63 or more).
func lowBitsTo(m uint64, k int) uint64 {
	switch {
	case k < 0:
		return m
	case k >= 63:
		return 0
	}
	return m &^ (1<<(uint(k)+1) - 1)
}

// digitMap appends to buf the digit masks of s's 64-byte blocks: word w
// is the mask of s[64w:64w+64].
func digitMap(s string, buf []uint64) []uint64 {
	buf, _ = digitFoldMap(s, buf)
	return buf
}

// blockBits tells whether b[0:64] holds an ASCII digit (any) and a byte
// of 0x80 or more (high), each as a non-zero value. The eight words are
// loaded once and tested independently, a few operations each (the loop
// it replaces spent four instructions a byte on this): with y = x^'0', a
// digit is a byte of y below ten, and (y-10)&^y has the high bit of some
// byte set exactly when one is (the lowest such byte always sets it; only
// the existence is used, not which bytes).
func blockBits(b string) (any, high uint64) {
	b = b[:64]
	x0, x1, x2, x3 := load64(b, 0), load64(b, 8), load64(b, 16), load64(b, 24)
	x4, x5, x6, x7 := load64(b, 32), load64(b, 40), load64(b, 48), load64(b, 56)
	const z, ten = lo7 * '0', lo7 * 10
	y0, y1, y2, y3 := x0^z, x1^z, x2^z, x3^z
	y4, y5, y6, y7 := x4^z, x5^z, x6^z, x7^z
	any = ((y0-ten)&^y0 | (y1-ten)&^y1 | (y2-ten)&^y2 | (y3-ten)&^y3 |
		(y4-ten)&^y4 | (y5-ten)&^y5 | (y6-ten)&^y6 | (y7-ten)&^y7) & hi8
	high = (x0 | x1 | x2 | x3 | x4 | x5 | x6 | x7) & hi8
	return any, high
}

// foldBlock is non-zero when a byte of b[0:64] is in 0xCC-0xE1 (foldLanes
// word by word).
func foldBlock(b string) uint64 {
	b = b[:64]
	return foldLanes(load64(b, 0)) | foldLanes(load64(b, 8)) | foldLanes(load64(b, 16)) | foldLanes(load64(b, 24)) |
		foldLanes(load64(b, 32)) | foldLanes(load64(b, 40)) | foldLanes(load64(b, 48)) | foldLanes(load64(b, 56))
}

// digitFoldBlocksGo writes to dm[w] the digit mask of each whole 64-byte
// block w of s and returns non-zero when a byte of those blocks is in
// 0xCC-0xE1: digitFoldBlocks where there is no assembly for it, and its
// reference in tests.
func digitFoldBlocksGo(s string, dm []uint64) uint64 {
	var lanes uint64
	for w, b := 0, 0; b+64 <= len(s); w, b = w+1, b+64 {
		any, high := blockBits(s[b : b+64])
		dm[w] = 0
		if any != 0 {
			dm[w] = gather64(s[b : b+64])
		}
		// Once a fold lead byte is found the answer is known.
		if high != 0 && lanes == 0 {
			lanes = foldBlock(s[b : b+64])
		}
	}
	return lanes
}

// digitFoldMap is digitMap, and in the same pass over s reports whether
// s holds no byte in 0xCC-0xE1, the bytes that can start a character
// fold.go folds (foldLead): then needsFold(s) is false.
func digitFoldMap(s string, buf []uint64) ([]uint64, bool) {
	n := len(s)
	k := len(buf)
	buf = slices.Grow(buf, (n+63)/64)[:k+(n+63)/64]
	dm := buf[k:]
	lanes := digitFoldBlocks(s, dm)
	b := n &^ 63
	foldFree := lanes == 0
	if b < n {
		var pad [72]byte
		dm[len(dm)-1], _ = digitBlock(s, b, &pad)
		for _, c := range []byte(s[b:]) {
			if foldLead[c] {
				foldFree = false
			}
		}
	}
	return buf, foldFree
}
