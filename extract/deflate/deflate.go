// Package deflate is a streaming raw DEFLATE (RFC 1951) decoder, and a
// gzip (RFC 1952) reader on it (gzip.go), built for
// speed on the one path where dlpgate is inflate-bound: a large Office part
// (a DOCX's document.xml is one deflate stream, four to five times its
// compressed size), read by the XML scanner as fast as it is inflated.
//
// It decodes as libdeflate does, not as compress/flate and klauspost's
// port do (a byte-at-a-time bit refill through an io.ByteReader, a 9-bit
// table, a dictionary window copied out at every read):
//
//   - the bit buffer is 64 bits wide and refilled with one unaligned
//     8-byte load, branch-free, so one refill covers a whole
//     length/distance pair (at most 48 bits);
//   - the literal/length table resolves every code of up to 11 bits in
//     one lookup (longer codes go through a second, small table); its
//     entries carry the symbol's base value and extra-bit count, so a
//     length or distance is a lookup, a mask and an add;
//   - output is written straight into a buffer that holds the 32 KiB
//     window before it, and matches are copied 8 bytes at a time (the
//     buffer has slack after its limit for the overrun).
//
// Input is read into a buffer of its own; at the end of the input the
// buffer is padded with zeros so the 8-byte load never needs a branch, and
// a stream that would consume a padding bit is truncated
// (io.ErrUnexpectedEOF). Anything the format forbids (an over-subscribed
// or, beyond the one-code case zlib accepts, incomplete Huffman code, a
// code that is not in the table, a distance beyond the output, a stored
// block whose length check fails) is a CorruptInputError, as
// compress/flate reports it; what compress/flate accepts this decoder
// accepts, byte for byte (TestDifferential, FuzzDifferential).
//
// Memory is fixed: at most an input buffer of inSize bytes and an output
// buffer of the window plus outChunk, whatever the stream's size.
package deflate

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
)

const (
	windowSize = 32 << 10
	outChunk   = 256 << 10
	// outSlack is room past the output limit: a symbol starts only below
	// the limit, writes at most maxMatch bytes, and a match copy may
	// write 8 bytes past its end.
	outSlack = maxMatch + 16
	maxMatch = 258

	inSize = 64 << 10
	// inSmall and outSmall are the buffers' first sizes; they grow
	// fourfold to inSize and windowSize+outChunk.
	inSmall  = 4 << 10
	outSmall = 16 << 10
	// inPad is zeros after the input's end (and room past inSize): the
	// 8-byte load may start up to 8 bytes past the last byte consumed.
	inPad = 16
	// inSafe is the input that one symbol (a refill of at most 8 bytes
	// and a length/distance pair of at most 48 bits) can consume: with
	// this much left, no check for the end of the input is needed.
	inSafe = 16

	litlenBits = 11
	distBits   = 8
	preBits    = 7
	maxCodeLen = 15

	numLitlen = 288
	numDist   = 32
	// Table sizes: the primary table plus a subtable of 2^(15-primary)
	// entries for each prefix of longer codes. A complete code has at
	// least two codes below such a prefix (its subtree is full), so
	// there are at most half as many prefixes as symbols.
	litlenTableSize = 1<<litlenBits + numLitlen/2<<(maxCodeLen-litlenBits)
	distTableSize   = 1<<distBits + numDist/2<<(maxCodeLen-distBits)
)

// Table entries (uint32):
//
//	bits 0-3   codeword length (a pointer: unused)
//	bits 4-7   extra bits after the codeword (a pointer: subtable bits)
//	bit  8     literal
//	bit  9     end of block
//	bit  10    pointer to a subtable
//	bit  11    invalid code
//	bits 16-31 value: literal byte, length or distance base, subtable start
const (
	fLiteral = 1 << 8
	fEOB     = 1 << 9
	fPointer = 1 << 10
	fInvalid = 1 << 11
)

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	preOrder    = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// CorruptInputError reports data the format forbids, at the given offset
// of the compressed input (in bytes, approximate to the bit buffer).
type CorruptInputError int64

func (e CorruptInputError) Error() string {
	return fmt.Sprintf("deflate: corrupt input before offset %d", int64(e))
}

// Decoder states.
const (
	stHeader = iota // at a block header
	stHuffman
	stStored
	stDone
)

// Reader inflates a raw deflate stream. It is for one goroutine.
type Reader struct {
	src   io.Reader
	in    []byte // inSmall or inSize, plus inPad; in[inPos:inEnd] unread
	inPos int
	inEnd int
	inOff int64 // input bytes dropped from the front of in
	eof   bool  // src is at its end (in is zero-padded after inEnd)

	bb uint64 // bit buffer: the stream's next nb bits, low first
	nb uint

	out []byte // from outSmall to windowSize+outChunk, plus outSlack
	r   int    // out[r:w] decoded and not yet read
	w   int

	state  int
	final  bool
	stored int // bytes left of a stored block
	fixed  bool
	err    error

	lt  [litlenTableSize]uint32
	dt  [distTableSize]uint32
	pt  [1 << preBits]uint32
	lns [numLitlen + numDist]uint8
}

// NewReader returns a Reader of src's raw deflate stream.
//
// Its buffers start small (a PDF's content streams and a presentation's
// slides are a few KB, and each document's readers were mostly zeroed
// buffers) and grow to full size once a stream outgrows them.
func NewReader(src io.Reader) *Reader {
	d := &Reader{
		in:  make([]byte, inSmall+inPad),
		out: make([]byte, outSmall+outSlack),
	}
	d.Reset(src)
	return d
}

// Reset makes d read a new stream from src, reusing its buffers.
func (d *Reader) Reset(src io.Reader) {
	d.src = src
	d.inPos, d.inEnd, d.inOff, d.eof = 0, 0, 0, false
	d.bb, d.nb = 0, 0
	d.r, d.w = 0, 0
	d.state, d.final, d.stored, d.err = stHeader, false, 0, nil
	// d.fixed stays: the tables are the fixed code's until a dynamic
	// block replaces them.
}

// Close ends the read (the source is not closed).
func (d *Reader) Close() error {
	if d.err == nil || d.err == io.EOF {
		return nil
	}
	return d.err
}

// Read implements io.Reader.
func (d *Reader) Read(p []byte) (int, error) {
	for {
		if d.r < d.w {
			n := copy(p, d.out[d.r:d.w])
			d.r += n
			return n, nil
		}
		if d.err != nil {
			return 0, d.err
		}
		if d.state == stDone {
			d.err = io.EOF
			return 0, io.EOF
		}
		if len(p) == 0 {
			return 0, nil
		}
		if d.w >= d.limit() {
			// Everything is read: keep the window (all of the output
			// while it is shorter), start over, in a larger buffer
			// while it is not yet full size.
			out := d.out
			if full := windowSize + outChunk + outSlack; len(out) < full {
				out = make([]byte, min(full, 4*len(out)))
			}
			keep := min(d.w, windowSize)
			copy(out, d.out[d.w-keep:d.w])
			d.out = out
			d.r, d.w = keep, keep
		}
		d.err = d.step()
	}
}

// limit is where a symbol may no longer start in out.
func (d *Reader) limit() int { return len(d.out) - outSlack }

// step decodes until the output limit, the end of a block, or an error.
func (d *Reader) step() error {
	switch d.state {
	case stHeader:
		if d.final {
			d.state = stDone
			return nil
		}
		return d.header()
	case stHuffman:
		return d.huffman()
	case stStored:
		return d.copyStored()
	}
	return nil
}

// fill tops the input up (keeping 8 bytes before inPos: a stored block
// gives back the bit buffer's whole bytes); at the source's end the rest
// of in is zeros.
func (d *Reader) fill() error {
	keep := min(d.inPos, 8)
	drop := d.inPos - keep
	in := d.in
	if drop > 0 && len(in) < inSize+inPad {
		in = make([]byte, min(inSize, 4*(len(in)-inPad))+inPad) // a longer stream
	}
	if drop > 0 {
		copy(in, d.in[drop:d.inEnd])
		d.in = in
		d.inEnd -= drop
		d.inPos = keep
		d.inOff += int64(drop)
	}
	for empty := 0; !d.eof && d.inEnd-d.inPos < inSafe; {
		n, err := d.src.Read(d.in[d.inEnd : len(d.in)-inPad])
		d.inEnd += n
		switch {
		case err == io.EOF:
			d.eof = true
			clear(d.in[d.inEnd : d.inEnd+inPad])
		case err != nil:
			return fmt.Errorf("deflate: reading input: %w", err)
		case n == 0:
			if empty++; empty > 100 {
				return fmt.Errorf("deflate: reading input: %w", io.ErrNoProgress)
			}
		}
	}
	return nil
}

// refill tops the bit buffer up to at least 56 bits with one load; the
// caller has made sure in[inPos:inPos+8] exists.
func (d *Reader) refill() {
	d.bb |= binary.LittleEndian.Uint64(d.in[d.inPos:]) << d.nb
	d.inPos += int(63-d.nb) >> 3
	d.nb |= 56
}

// pastEnd reports whether a stream read to inPos with nb bits buffered
// has consumed, with more bits besides, more than the input holds (its
// padding).
func (d *Reader) pastEnd(inPos int, nb uint, more int) bool {
	return d.eof && inPos*8-int(nb)+more > d.inEnd*8
}

// overread reports whether the stream has consumed padding.
func (d *Reader) overread() bool { return d.pastEnd(d.inPos, d.nb, 0) }

// offsetAt is the input offset for errors of a stream read to inPos with
// nb bits buffered.
func (d *Reader) offsetAt(inPos int, nb uint) CorruptInputError {
	return CorruptInputError(d.inOff + int64(inPos) - int64(nb/8))
}

func (d *Reader) offset() CorruptInputError { return d.offsetAt(d.inPos, d.nb) }

// badCode is the error of the invalid table entry e looked up with the
// stream read to inPos, nb bits buffered: a cut stream when its code's
// bits reach into the padding, as compress/flate reads it, else corrupt
// input. Not inlined: it is the cold end of huffman's loop, whose code
// it would otherwise spread (letters inflated 5% slower).
//
//go:noinline
func (d *Reader) badCode(inPos int, nb uint, e uint32) error {
	if d.pastEnd(inPos, nb, int(e&15)) {
		return io.ErrUnexpectedEOF
	}
	return d.offsetAt(inPos, nb)
}

// need makes the bit buffer hold at least n (<= 56) bits (small enough
// to inline: load is the call).
func (d *Reader) need(n uint) error {
	if d.nb >= n {
		return nil
	}
	return d.load()
}

// load refills the bit buffer, topping the input up first when it runs
// low.
func (d *Reader) load() error {
	if d.inEnd-d.inPos < inSafe && !d.eof {
		if err := d.fill(); err != nil {
			return err
		}
	}
	d.refill()
	return nil
}

// bits returns the next n (<= 32) bits of a header, consumed.
func (d *Reader) bits(n uint) (uint32, error) {
	if err := d.need(n); err != nil {
		return 0, err
	}
	v := uint32(d.bb & (1<<n - 1))
	d.bb >>= n
	d.nb -= n
	if d.overread() {
		return 0, io.ErrUnexpectedEOF
	}
	return v, nil
}

// header reads a block header and sets the block up.
func (d *Reader) header() error {
	h, err := d.bits(3)
	if err != nil {
		return err
	}
	d.final = h&1 == 1
	switch h >> 1 {
	case 0:
		return d.storedHeader()
	case 1:
		if !d.fixed {
			buildFixed(&d.lt, &d.dt, &d.lns)
			d.fixed = true
		}
		d.state = stHuffman
		return nil
	case 2:
		d.fixed = false
		if err := d.dynamic(); err != nil {
			return err
		}
		d.state = stHuffman
		return nil
	}
	return d.offset()
}

// storedHeader aligns to a byte, gives the bit buffer's whole bytes back
// to the input and reads LEN and NLEN.
func (d *Reader) storedHeader() error {
	d.giveBack()
	if d.inEnd-d.inPos < 4 && !d.eof {
		if err := d.fill(); err != nil {
			return err
		}
	}
	if d.inEnd-d.inPos < 4 {
		return io.ErrUnexpectedEOF
	}
	n := binary.LittleEndian.Uint16(d.in[d.inPos:])
	nn := binary.LittleEndian.Uint16(d.in[d.inPos+2:])
	if n != ^nn {
		return d.offset()
	}
	d.inPos += 4
	d.stored = int(n)
	d.state = stStored
	return nil
}

// copyStored copies a stored block's bytes to the output.
func (d *Reader) copyStored() error {
	for d.stored > 0 && d.w < d.limit() {
		if d.inPos == d.inEnd {
			if d.eof {
				return io.ErrUnexpectedEOF
			}
			if err := d.fill(); err != nil {
				return err
			}
			continue
		}
		n := copy(d.out[d.w:min(d.w+d.stored, d.limit())], d.in[d.inPos:d.inEnd])
		d.w += n
		d.inPos += n
		d.stored -= n
	}
	if d.stored == 0 {
		d.state = stHeader
	}
	return nil
}

// dynamic reads a dynamic block's code lengths and builds its tables.
func (d *Reader) dynamic() error {
	h, err := d.bits(14)
	if err != nil {
		return err
	}
	nlit, ndist, npre := int(h&31)+257, int(h>>5&31)+1, int(h>>10)+4
	if nlit > 286 || ndist > 30 {
		return d.offset()
	}
	var pl [19]uint8
	for i := range npre {
		v, err := d.bits(3)
		if err != nil {
			return err
		}
		pl[preOrder[i]] = uint8(v)
	}
	if !build(d.pt[:], preBits, pl[:], preEntries[:]) {
		return d.offset()
	}
	lns := d.lns[:nlit+ndist]
	for i := 0; i < len(lns); {
		if err := d.need(preBits); err != nil {
			return err
		}
		e := d.pt[d.bb&(1<<preBits-1)]
		if e&fInvalid != 0 {
			return d.badCode(d.inPos, d.nb, e)
		}
		n := uint(e & 15)
		d.bb >>= n
		d.nb -= n
		if d.overread() {
			return io.ErrUnexpectedEOF
		}
		sym := e >> 16
		if sym < 16 {
			lns[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var v uint8
		switch sym {
		case 16:
			if i == 0 {
				return d.offset()
			}
			x, err := d.bits(2)
			if err != nil {
				return err
			}
			rep, v = 3+int(x), lns[i-1]
		case 17:
			x, err := d.bits(3)
			if err != nil {
				return err
			}
			rep = 3 + int(x)
		default:
			x, err := d.bits(7)
			if err != nil {
				return err
			}
			rep = 11 + int(x)
		}
		if i+rep > len(lns) {
			return d.offset()
		}
		for range rep {
			lns[i] = v
			i++
		}
	}
	// A code without an end of block is not refused here (compress/flate
	// does not): such a block can only end in an error.
	if !build(d.lt[:], litlenBits, lns[:nlit], litlenEntries[:]) || !build(d.dt[:], distBits, lns[nlit:], distEntries[:]) {
		return d.offset()
	}
	return nil
}

// huffman decodes a Huffman block's symbols until the output limit or
// the block's end.
func (d *Reader) huffman() error {
	// Locals: the compiler keeps them in registers.
	bb, nb := d.bb, d.nb
	in, out := d.in, d.out
	inPos, w := d.inPos, d.w
	limit := d.limit()
	lt, dt := &d.lt, &d.dt
	var err error
	for w < limit {
		if d.inEnd-inPos < inSafe && !d.eof {
			d.inPos = inPos
			if err = d.fill(); err != nil {
				break
			}
			inPos = d.inPos
			in = d.in
		}
		safe := d.inEnd-inPos >= inSafe
		// Refill (see refill).
		bb |= binary.LittleEndian.Uint64(in[inPos:]) << nb
		inPos += int(63-nb) >> 3
		nb |= 56

		e := lt[bb&(1<<litlenBits-1)]
		if e&fPointer != 0 {
			e = lt[e>>16+uint32(bb>>litlenBits)&(1<<(e>>4&15)-1)]
		}
		if e&(fLiteral|fEOB|fInvalid) != 0 {
			if e&fInvalid != 0 {
				d.bb, d.nb, d.inPos, d.w = bb, nb, inPos, w
				return d.badCode(inPos, nb, e)
			}
			n := uint(e & 15)
			bb >>= n
			nb -= n
			if !safe && d.pastEnd(inPos, nb, 0) {
				err = io.ErrUnexpectedEOF
				break
			}
			if e&fEOB != 0 {
				d.state = stHeader
				break
			}
			out[w] = byte(e >> 16)
			w++
			continue
		}
		// A length: codeword, extra bits, then the distance.
		n := uint(e & 15)
		bb >>= n
		nb -= n
		x := uint(e >> 4 & 15)
		length := int(e>>16) + int(bb&(1<<x-1))
		bb >>= x
		nb -= x

		e = dt[bb&(1<<distBits-1)]
		if e&fPointer != 0 {
			e = dt[e>>16+uint32(bb>>distBits)&(1<<(e>>4&15)-1)]
		}
		if e&fInvalid != 0 {
			d.bb, d.nb, d.inPos, d.w = bb, nb, inPos, w
			return d.badCode(inPos, nb, e)
		}
		n = uint(e & 15)
		bb >>= n
		nb -= n
		x = uint(e >> 4 & 15)
		dist := int(e>>16) + int(bb&(1<<x-1))
		bb >>= x
		nb -= x
		if !safe && d.pastEnd(inPos, nb, 0) {
			err = io.ErrUnexpectedEOF
			break
		}
		if dist > w {
			d.bb, d.nb, d.inPos, d.w = bb, nb, inPos, w
			return d.offset()
		}
		src := w - dist
		end := w + length
		if length > 32 && dist >= 8 {
			// A long match: copy runs of what is already written (for
			// dist < length a period, doubling each time).
			for w < end {
				w += copy(out[w:end], out[src:w])
			}
		} else if dist >= 8 {
			for ; w < end; w, src = w+8, src+8 {
				binary.LittleEndian.PutUint64(out[w:], binary.LittleEndian.Uint64(out[src:]))
			}
		} else if dist == 1 {
			c := out[src]
			for ; w < end; w++ {
				out[w] = c
			}
		} else {
			for ; w < end; w, src = w+1, src+1 {
				out[w] = out[src]
			}
		}
		w = end
	}
	d.bb, d.nb, d.inPos, d.w = bb, nb, inPos, w
	return err
}

// Entry templates: each symbol's value, extra bits and flags.
func litlenEntry(sym int) uint32 {
	switch {
	case sym < 256:
		return uint32(sym)<<16 | fLiteral
	case sym == 256:
		return fEOB
	case sym < 286:
		i := sym - 257
		return uint32(lengthBase[i])<<16 | uint32(lengthExtra[i])<<4
	}
	return fInvalid
}

func distEntry(sym int) uint32 {
	if sym < 30 {
		return uint32(distBase[sym])<<16 | uint32(distExtra[sym])<<4
	}
	return fInvalid
}

func preEntry(sym int) uint32 { return uint32(sym) << 16 }

// The templates of every symbol, read-only after they are made.
var (
	litlenEntries = entries[[numLitlen]uint32](litlenEntry)
	distEntries   = entries[[numDist]uint32](distEntry)
	preEntries    = entries[[19]uint32](preEntry)
)

func entries[A [numLitlen]uint32 | [numDist]uint32 | [19]uint32](f func(int) uint32) A {
	var a A
	for i := range len(a) {
		a[i] = f(i)
	}
	return a
}

// build fills t with the decoding table of the canonical code whose
// lengths are lens (the primary table of 2^primary entries first, then
// subtables for longer codes). It reports false for a code
// compress/flate refuses: over-subscribed, or incomplete unless it is a
// single code of one bit. A code with no lengths at all is a table of
// invalid entries (allowed for distances; a block that uses one fails).
func build(t []uint32, primary uint, lens []uint8, entry []uint32) bool {
	var count [maxCodeLen + 1]int
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	left, total, minLen, maxLen := 1, 0, 0, 0
	for l := 1; l <= maxCodeLen; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false
		}
		if count[l] > 0 {
			total += count[l]
			maxLen = l
			if minLen == 0 {
				minLen = l
			}
		}
	}
	// A hole (no code has these bits: the empty code, or the one-bit
	// code's other half) is invalid once minLen bits are there, as
	// compress/flate reads it; a symbol the format forbids (lengths 286
	// and 287, distances 30 and 31) once its own code is.
	hole := uint32(fInvalid | minLen)
	psize := 1 << primary
	if total == 0 || left > 0 {
		for i := range psize {
			t[i] = hole
		}
	}
	if total == 0 {
		return true
	}
	if left > 0 && !(total == 1 && maxLen == 1) {
		return false
	}
	// Symbols in canonical order (by length, then symbol). The codes of
	// one primary prefix are then consecutive: a subtable is started
	// when the prefix changes. A complete code writes every entry of
	// the table exactly once, so only the one-bit code needed its holes
	// filled first (no entry of an earlier table survives).
	var start [maxCodeLen + 2]int
	for l := 1; l <= maxCodeLen; l++ {
		start[l+1] = start[l] + count[l]
	}
	var sorted [numLitlen]uint16
	for sym, l := range lens {
		if l != 0 {
			sorted[start[l]] = uint16(sym)
			start[l]++
		}
	}
	subBits := 0
	if maxLen > int(primary) {
		subBits = maxLen - int(primary)
	}
	// The primary table as libdeflate builds it: the codes of length l
	// are placed in a table of 2^l entries at their bit-reversed index,
	// then the table is doubled (copied after itself) for length l+1,
	// so a short code reaches all its 2^(primary-l) entries by
	// sequential copies instead of strided stores. A stale entry (of an
	// earlier table) copied along is overwritten: every entry of the
	// final table is one code's, or a subtable pointer written last.
	code, k := 0, 0
	for l := 1; l <= int(primary); l++ {
		if l > 1 {
			copy(t[1<<(l-1):1<<l], t[:1<<(l-1)])
		}
		for ; k < total && int(lens[sorted[k]]) == l; k++ {
			t[bits.Reverse16(uint16(code))>>(16-l)] = entry[sorted[k]] | uint32(l)
			code++
		}
		code <<= 1
	}
	sub, lastP, base := psize, -1, 0
	for l := int(primary) + 1; k < total; k++ {
		sym := sorted[k]
		for int(lens[sym]) != l {
			code <<= 1
			l++
		}
		rev := int(bits.Reverse16(uint16(code)) >> (16 - l))
		code++
		e := entry[sym] | uint32(l)
		if p := rev & (psize - 1); p != lastP {
			t[p] = uint32(sub)<<16 | fPointer | uint32(subBits)<<4
			lastP, base = p, sub
			sub += 1 << subBits
		}
		for i := rev >> primary; i < 1<<subBits; i += 1 << (l - int(primary)) {
			t[base+i] = e
		}
	}
	return true
}

// buildFixed builds the fixed code's tables (RFC 1951 3.2.6).
func buildFixed(lt *[litlenTableSize]uint32, dt *[distTableSize]uint32, lns *[numLitlen + numDist]uint8) {
	l := lns[:numLitlen]
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	build(lt[:], litlenBits, l, litlenEntries[:])
	dl := lns[numLitlen : numLitlen+numDist]
	for i := range dl {
		dl[i] = 5
	}
	build(dt[:], distBits, dl, distEntries[:])
}

// giveBack ends reading bits: the bit buffer's partial byte is dropped
// and its whole bytes go back to the input (as at a stored block), so the
// input is read on byte by byte from just after what was consumed.
func (d *Reader) giveBack() {
	d.bb >>= d.nb & 7
	d.nb -= d.nb & 7
	d.inPos -= int(d.nb / 8)
	d.bb, d.nb = 0, 0
}

// readRaw reads the input's next bytes past the bits consumed (what
// follows a deflate stream: a gzip trailer and the next member); io.EOF
// at the input's end, io.ErrUnexpectedEOF when it ends within p.
func (d *Reader) readRaw(p []byte) error {
	d.giveBack()
	for i := 0; i < len(p); {
		if d.inPos >= d.inEnd {
			if !d.eof {
				if err := d.fill(); err != nil {
					return err
				}
			}
			if d.inPos >= d.inEnd {
				if i == 0 {
					return io.EOF
				}
				return io.ErrUnexpectedEOF
			}
		}
		n := copy(p[i:], d.in[d.inPos:d.inEnd])
		d.inPos += n
		i += n
	}
	return nil
}

// nextStream starts a new deflate stream where the input now stands (the
// next gzip member), with a new window.
func (d *Reader) nextStream() {
	d.giveBack()
	d.r, d.w = 0, 0
	d.state, d.final, d.stored, d.err = stHeader, false, 0, nil
}
