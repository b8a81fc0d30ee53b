package extract

import (
	"bufio"
	"compress/flate"
	"compress/zlib"
	"errors"
	"io"
)

// Bare zlib and raw deflate streams. A body compressed with zlib (Python's
// zlib.compress, Java's Deflater) or raw deflate (.NET's DeflateStream,
// Deflater with nowrap) and sent without a Content-Encoding has no magic worth
// the name: a zlib header is two bytes with a checksum, raw deflate has
// none. Read as an unknown binary it would yield no text and only an
// "unreadable" problem, so an unknown binary is first tried as both:
//
//   - zlib: the RFC 1950 header checks (method 8, window <= 32 KiB, no
//     preset dictionary, header mod 31 == 0); then it must inflate to
//     its end with a good Adler-32, or be cut short after at least
//     inflateMinDamaged bytes (a truncated upload: kept, reported
//     malformed); corrupt Huffman data or a bad checksum is not zlib;
//   - raw deflate: it must inflate without error to its final block and
//     that block must end within rawDeflateSlack bytes of the body's end:
//     arbitrary binary data fails the Huffman decoding within a few bytes
//     or stops early, so what passes is a deflate stream.
//
// Either way the output is read as a member of its own (and may be
// anything: CSV, a ZIP, more zlib), within the decompression limits.
// A body that passes neither test is read as before (printable runs and
// an "unreadable" problem).

const (
	inflateMinDamaged = 64
	rawDeflateSlack   = 8
	rawDeflateMinOut  = 16
)

// zlibHeader reports whether h starts with a plausible RFC 1950 header.
func zlibHeader(h []byte) bool {
	if len(h) < 2 {
		return false
	}
	cmf, flg := h[0], h[1]
	return cmf&0x0f == 8 && cmf>>4 <= 7 && (uint16(cmf)<<8|uint16(flg))%31 == 0 && flg&0x20 == 0
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// inflateNode reads n as a bare zlib or raw deflate stream; it reports
// whether it was one (then its output has been read).
func (w *walker) inflateNode(n node, head []byte) bool {
	if zlibHeader(head) {
		zr, err := zlib.NewReader(blobReader(n.body))
		if err == nil {
			out, why, err := w.readBounded(zr, n.body.size)
			// Damage counts only as truncation: data that merely starts
			// like a zlib header fails as corrupt input or, when its
			// Huffman codes happen to end a final block, a bad Adler-32.
			ok := err == nil || errors.Is(err, errTooBig) || errors.Is(err, errStop) ||
				errors.Is(err, io.ErrUnexpectedEOF) && len(out) >= inflateMinDamaged
			if ok {
				w.inflated(n, "zlib", out, why, err)
				return true
			}
		}
	}
	cr := &countingReader{r: blobReader(n.body)}
	br := bufio.NewReader(cr)
	out, why, err := w.readBounded(flate.NewReader(br), n.body.size)
	switch {
	case errors.Is(err, errStop):
		return true
	case errors.Is(err, errTooBig):
		// Megabytes out of a body that decodes as deflate all the way.
	case err != nil || len(out) < rawDeflateMinOut:
		return false
	case n.body.size-(cr.n-int64(br.Buffered())) > rawDeflateSlack:
		return false // a stream that ends early: chance, or data after it
	}
	w.inflated(n, "deflate", out, why, err)
	return true
}

func (w *walker) inflated(n node, scheme string, out []byte, why string, err error) {
	if errors.Is(err, errStop) {
		return
	}
	origin := child(containerBase(n, scheme), scheme, "data")
	switch {
	case errors.Is(err, errTooBig):
		w.limit(origin, why+"; only the first part was inspected")
	case err != nil:
		w.problem(origin, Malformed, scheme+" stream corrupt or truncated; text read before the damage was kept")
	}
	w.node(node{origin: origin, name: "data", body: memBlob(out), depth: n.depth + 1})
}
