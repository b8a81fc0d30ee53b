package extract

import (
	"errors"
	"io"
	"math"
)

// Reading a decompressed JSON document or form front to back. A large
// compressed body (Content-Encoding gzip, a .gz upload ...) whose
// decompressed head shows a JSON document, JSON Lines or a urlencoded form
// is not decompressed into memory whole: the front-to-back readings of
// jsonstream.go and formstream.go read it from the decompressor as it goes
// (a body whose bytes come from a fresh decompressor each time it is read,
// seqBody), keeping only a bounded stretch of it behind the furthest byte
// read (seqSource). Memory is then that stretch and the readings' buffers,
// not up to MaxDecompressed bytes per body, and an inspection that
// overlaps the receipt (Input.Speculative) classifies the values while
// the compressed bytes still arrive.
//
// Whatever the readings would read otherwise (not valid JSON or a form, a
// value that must be read whole, a step back further than the stretch
// kept, the decompression limits reached, a damaged stream) is doubt: the
// checking pass finds it before anything is emitted, and the stream is
// then decompressed into memory and walked as before, with the same
// problems and limits. A speculative reading gives up instead
// (ErrSpeculation).
//
// A body of unknown size still arriving (a chunked upload) whose head
// shows a JSON document or form is read the same way from the body itself
// (unknownStructured): its size is not needed until its end.

// unknownStructured reads n, a body of unknown size still arriving
// (Input.SizeUnknown), as a JSON document or form front to back from its
// first byte to its end when it is speculative and its head shows one (as
// StreamsJSON or StreamsForm would), and reports whether it did; false
// leaves n to the rest of Extract. Whether an Extract of the complete body
// with its size would read it so is the caller's to check then
// (StreamsJSON, StreamsForm with the size): the reading stops with doubt
// past the sizes that reading takes.
func (w *walker) unknownStructured(n node) bool {
	if !w.speculative || w.batch == nil {
		return false
	}
	head := w.head(n.body, sniffLen)
	if len(head) < sniffLen || !StreamsJSON(n.ctype, head, math.MaxInt64) && !StreamsForm(n.ctype, head, math.MaxInt64) {
		return false
	}
	body := n.body
	n.body = blob{size: -1, seq: &seqBody{
		open:  func() io.Reader { return io.NewSectionReader(body.r, 0, math.MaxInt64) },
		limit: min(textCap(w.lim), w.lim.MaxDecompressed),
	}}
	mt, _ := mediaType(n.ctype)
	if mt == "application/x-www-form-urlencoded" {
		return w.streamPasses(n, true, "form", w.formPass)
	}
	return w.streamPasses(n, true, "json", w.jsonPass)
}

// seqBody is a body of unknown size read front to back from a fresh
// reader each time (a decompressor over the compressed bytes).
type seqBody struct {
	open  func() io.Reader
	limit int64 // the most bytes a reading takes; past it is doubt
}

// seqKeep is how far behind the furthest byte read a reading may step
// back: a piece is measured (extent) before it is read (take), and a
// lookahead is re-read.
const seqKeep = jsonPieceMax + jsonChunk

// errSeqBehind is a reading that stepped back further than seqKeep.
var errSeqBehind = errors.New("read behind the bytes kept")

// seqSource serves a seqBody's bytes from its buffer: buf holds the
// bytes at base..base+len(buf).
type seqSource struct {
	r    io.Reader
	left int64 // bytes still allowed before the limit
	buf  []byte
	base int64
	eof  bool  // the stream ended at base+len(buf)
	err  error // why it cannot be read further (not io.EOF)
}

func newSeqSource(b *seqBody) *seqSource {
	return &seqSource{r: b.open(), left: b.limit}
}

// at returns the bytes from p on, at least want of them unless the stream
// ends sooner (end: the slice reaches the stream's end). An error is
// doubt: a step back too far, the limit passed, a damaged stream.
func (q *seqSource) at(p int64, want int) (b []byte, end bool, err error) {
	if p < q.base {
		return nil, false, errSeqBehind
	}
	for !q.eof && q.base+int64(len(q.buf)) < p+int64(want) {
		if q.err != nil {
			return nil, false, q.err
		}
		q.fill(p)
	}
	if p >= q.base+int64(len(q.buf)) {
		return nil, q.eof, nil
	}
	return q.buf[p-q.base:], q.eof, nil
}

// fill reads up to jsonChunk bytes more, first dropping the bytes more
// than seqKeep behind p.
func (q *seqSource) fill(p int64) {
	if drop := min(p-seqKeep, q.base+int64(len(q.buf))) - q.base; drop > 0 {
		k := copy(q.buf, q.buf[drop:])
		q.buf, q.base = q.buf[:k], q.base+drop
	}
	if cap(q.buf)-len(q.buf) < jsonChunk {
		grown := make([]byte, len(q.buf), len(q.buf)+jsonChunk+seqKeep/4)
		copy(grown, q.buf)
		q.buf = grown
	}
	// Read until the chunk is full or the stream ends: io.EOF alone is
	// the end; any other error (a cut stream is io.ErrUnexpectedEOF) is
	// damage.
	room := q.buf[len(q.buf) : len(q.buf)+jsonChunk]
	k := 0
	var err error
	for idle := 0; k < len(room) && err == nil; {
		var m int
		m, err = q.r.Read(room[k:])
		k += m
		if idle++; m > 0 {
			idle = 0
		} else if idle > 100 && err == nil {
			err = io.ErrNoProgress
		}
	}
	if int64(k) > q.left {
		// Past the limit: the bytes within it are served, a reading
		// that needs more stops there.
		k, q.err = int(q.left), errTooBig
	}
	q.buf = q.buf[:len(q.buf)+k]
	q.left -= int64(k)
	if q.err != nil {
		return
	}
	switch {
	case errors.Is(err, io.EOF):
		q.eof = true
	case err != nil:
		q.err = err
	}
}
