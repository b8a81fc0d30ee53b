package extract

import (
	"compress/bzip2"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/dlpgate/dlpgate/extract/deflate"
)

// errTooBig marks a decompression cut at a size or ratio limit.
var errTooBig = errors.New("decompressed size limit")

// readBounded decompresses r into memory, stopping at the size limit (and
// the ratio limit against compressedSize). It returns what was read; on a
// limit it also returns errTooBig and a reason. It reads straight into the
// spare capacity of the result, not through a chunk allocated and copied
// per call (PDFs call it once per content stream: that copy cost a tenth
// of a text PDF's extraction time).
func (w *walker) readBounded(r io.Reader, compressedSize int64) ([]byte, string, error) {
	return readBoundedAppend(nil, r, compressedSize, &w.lim, w.expired)
}

// readBoundedAppend is readBounded appending to dst (whose spare capacity
// it reuses): the limits count only the bytes appended, and the appended
// bytes are those readBounded would return. expired is polled as
// walker.expired is; it is the only state read besides lim, so a second
// goroutine can run it with a check of its own (pdfDoc's inflate worker).
func readBoundedAppend(dst []byte, r io.Reader, compressedSize int64, lim *Limits, expired func() bool) ([]byte, string, error) {
	limit, byRatioLimit := lim.decompressLimit(compressedSize)
	base := len(dst)
	out := dst
	if compressedSize > 0 {
		out = slices.Grow(out, int(min(4*compressedSize, limit, 1<<20)+1)) // a typical ratio, small streams
	}
	for {
		if expired() {
			return out, "", errStop
		}
		if len(out) == cap(out) {
			out = slices.Grow(out, max(len(out)-base, 4<<10))
		}
		// Room for at most one byte past the limit: that byte tells a
		// stream that ends exactly at the limit from one that goes on.
		room := cap(out)
		if int64(room-base)-1 > limit {
			room = base + int(limit) + 1
		}
		n, err := r.Read(out[len(out):room])
		out = out[:len(out)+n]
		if int64(len(out)-base) > limit {
			out = out[:base+int(limit)]
			return out, lim.tooBigReason(byRatioLimit), errTooBig
		}
		if errors.Is(err, io.EOF) {
			return out, "", nil
		}
		if err != nil {
			return out, "", err
		}
	}
}

// decompressLimit is how many bytes a stream of compressedSize bytes
// (0: unknown) may decompress to, and whether the ratio limit set it.
func (w *walker) decompressLimit(compressedSize int64) (limit int64, byRatio bool) {
	return w.lim.decompressLimit(compressedSize)
}

func (l *Limits) decompressLimit(compressedSize int64) (limit int64, byRatio bool) {
	limit = l.MaxDecompressed
	if compressedSize > 0 && l.MaxRatio > 0 {
		r := max(compressedSize*int64(l.MaxRatio), ratioFloor)
		if r < limit {
			return r, true
		}
	}
	return limit, false
}

// tooBigReason says which decompression limit cut a stream.
func (w *walker) tooBigReason(byRatio bool) string { return w.lim.tooBigReason(byRatio) }

func (l *Limits) tooBigReason(byRatio bool) string {
	if byRatio {
		return fmt.Sprintf("compression ratio over %d:1 (possible decompression bomb)", l.MaxRatio)
	}
	return fmt.Sprintf("decompressed size over %d bytes", l.MaxDecompressed)
}

// decodeContentEncoding undoes a (possibly stacked) Content-Encoding:
// "gzip, br" was gzip first, so br is undone first. When a layer cannot be
// undone, ok is false and data is the last layer that could (nil when the
// body could not be read or extraction must stop).
//
// When the coding has one layer, its text may go to the stream instead
// (readOrStream, as text node n): streamed is then true and data nil.
func (w *walker) decodeContentEncoding(origin, header string, b blob, n node) (data []byte, ok, streamed bool) {
	// Each layer streams from the one below (the body itself read through
	// its ReaderAt: a spilled upload is not loaded); data is loaded only
	// when a layer fails and the bytes are to be read as they are.
	cur := b
	bytesOf := func() []byte {
		if cur.data != nil {
			return cur.data
		}
		if w.encodedUnknown {
			// Not loaded while it arrives: read afresh once complete.
			w.specFailed, w.stop = true, true
			return nil
		}
		d, err := w.load(origin, cur)
		if err != nil {
			w.problem(origin, Malformed, "body could not be read")
			return nil
		}
		return d
	}
	codings := strings.Split(header, ",")
	layers := 0
	for _, c := range codings {
		if c := strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
			layers++
		}
	}
	for i := len(codings) - 1; i >= 0; i-- {
		c := strings.ToLower(strings.TrimSpace(codings[i]))
		var r io.Reader
		switch c {
		case "", "identity":
			continue
		case "gzip", "x-gzip":
			gz, err := deflate.NewGzip(blobReader(cur))
			if err != nil {
				w.problem(origin, Malformed, "content-encoding gzip: bad header")
				return bytesOf(), false, false
			}
			r = gz
		case "deflate":
			// HTTP "deflate" is zlib, but many servers send raw deflate.
			if zr, err := zlib.NewReader(blobReader(cur)); err == nil {
				r = zr
			} else {
				r = flate.NewReader(blobReader(cur))
			}
		case "br":
			r = brotli.NewReader(blobReader(cur))
		case "zstd":
			zr, err := zstd.NewReader(blobReader(cur), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(w.lim.MaxDecompressed)))
			if err != nil {
				w.problem(origin, Malformed, "content-encoding zstd: bad header")
				return bytesOf(), false, false
			}
			defer zr.Close()
			r = zr
		default:
			w.problem(origin, Unsupported, "content-encoding not supported: "+sanitizeToken(c))
			return bytesOf(), false, false
		}
		var got inflated
		if layers == 1 {
			size, reopen := cur.size, reopenLayer(c, cur)
			if w.encodedUnknown {
				// No ratio limit until the size is known; each reading's
				// bytes are counted for encodedUnknownFits.
				size = -1
				r = w.countDecompressed(r)
				if reopen != nil {
					open := reopen
					reopen = func() io.Reader { return w.countDecompressed(open()) }
				}
			}
			got = w.readOrStream(n, r, reopen, size, "content-encoding "+c+": ", "content-encoding "+c+": corrupt or truncated stream")
			if got.streamed {
				return nil, true, true
			}
		} else {
			got.out, got.why, got.err = w.readBounded(r, cur.size)
		}
		out, why, err := got.out, got.why, got.err
		switch {
		case errors.Is(err, errStop):
			return nil, false, false
		case errors.Is(err, errTooBig):
			w.limit(origin, "content-encoding "+c+": "+why+"; only the first part was inspected")
		case err != nil:
			w.problem(origin, Malformed, "content-encoding "+c+": corrupt or truncated stream")
			if len(out) == 0 {
				return bytesOf(), false, false
			}
		}
		cur = memBlob(out)
	}
	return bytesOf(), true, false
}

// reopenLayer is a fresh decompressor of b for the coding c (gzip and
// deflate, which are cheap to begin again; nil for the others): the
// front-to-back readings of a decompressed JSON document or form read it
// more than once (readOrStream).
func reopenLayer(c string, b blob) func() io.Reader {
	switch c {
	case "gzip", "x-gzip":
		return func() io.Reader {
			gz, err := deflate.NewGzip(blobReader(b))
			if err != nil {
				return errReader{err}
			}
			return gz
		}
	case "deflate":
		return func() io.Reader {
			if zr, err := zlib.NewReader(blobReader(b)); err == nil {
				return zr
			}
			return flate.NewReader(blobReader(b))
		}
	}
	return nil
}

// errReader is a reader that fails with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// compressedNode handles a gzip/zstd/bzip2 file found by its magic bytes.
func (w *walker) compressedNode(n node, kind format) {
	// The compressed bytes are streamed from the body (a spilled upload
	// is not loaded); only the decompressed output is held.
	src := func() io.Reader { return blobReader(n.body) }
	name := "data"
	var r io.Reader
	switch kind {
	case kindGzip:
		gz, err := deflate.NewGzip(src())
		if err != nil {
			w.problem(n.origin, Malformed, "gzip: bad header")
			return
		}
		if gz.Name != "" {
			name = sanitizeName(gz.Name)
		}
		r = gz
	case kindZstd:
		zr, err := zstd.NewReader(src(), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(w.lim.MaxDecompressed)))
		if err != nil {
			w.problem(n.origin, Malformed, "zstd: bad header")
			return
		}
		defer zr.Close()
		r = zr
	case kindBzip2:
		r = bzip2.NewReader(src())
	}
	base := containerBase(n, "gzip")
	origin := child(base, "gzip", name)
	var reopen func() io.Reader
	if kind == kindGzip {
		reopen = reopenLayer("gzip", n.body)
	}
	got := w.readOrStream(node{origin: origin, name: name, depth: n.depth + 1}, r, reopen, n.body.size, "", "compressed stream corrupt or truncated; text read before the damage was kept")
	if got.streamed {
		return
	}
	out, why, err := got.out, got.why, got.err
	switch {
	case errors.Is(err, errStop):
		return
	case errors.Is(err, errTooBig):
		w.limit(origin, why+"; only the first part was inspected")
	case err != nil:
		w.problem(origin, Malformed, "compressed stream corrupt or truncated; text read before the damage was kept")
	}
	w.node(node{origin: origin, name: name, body: memBlob(out), depth: n.depth + 1})
}

// sanitizeToken keeps a short header token printable (it is not content,
// but a hostile client controls it).
func sanitizeToken(s string) string {
	if len(s) > 32 {
		s = s[:32]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// sanitizeName keeps a member name usable in an origin path.
func sanitizeName(s string) string {
	if len(s) > 255 {
		s = s[:255]
	}
	s = escapeSeparator(s) // names reach origins by other ways than child too
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(s, "_"))
}

// DecompressesAsItGoes reports whether enc is one Content-Encoding layer
// that Extract undoes reading its input front to back: gzip or deflate.
// Stacked layers and the other codings are read whole.
func DecompressesAsItGoes(enc string) bool {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "gzip", "x-gzip", "deflate":
		return true
	}
	return false
}

// countDecompressed counts what one reading takes from r into
// w.decompressed (the most any reading took).
func (w *walker) countDecompressed(r io.Reader) io.Reader {
	return &decompressCounter{r: r, w: w}
}

type decompressCounter struct {
	r io.Reader
	n int64
	w *walker
}

func (c *decompressCounter) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	c.w.decompressed = max(c.w.decompressed, c.n)
	return k, err
}

// encodedUnknownFits reports, for a body of unknown size decompressed to
// its end (walker.encodedUnknown), whether an Extract of the complete body
// with its size would have read as much: its size is known now (body has a
// Size method, Input.SizeUnknown) and what was decompressed is within the
// limit that size sets (MaxRatio), so no limit cut the sized reading where
// this one went on.
func (w *walker) encodedUnknownFits(body io.ReaderAt) bool {
	s, ok := body.(interface{ Size() int64 })
	if !ok {
		return false
	}
	size := s.Size()
	if size <= 0 {
		return false
	}
	limit, _ := w.decompressLimit(size)
	return w.decompressed <= limit
}
