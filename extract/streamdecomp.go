package extract

import (
	"bytes"
	"errors"
	"io"
	"strings"
)

// Streaming of large decompressed text. A compressed body (Content-Encoding
// gzip, a .gz upload ...) whose decompressed bytes pass StreamAbove and are
// plain text is not decompressed into memory: when the caller set
// Input.Stream, its text goes to the stream in the same overlapping windows
// as a large plain-text body (streamWindows), read from the decompressor as
// it goes. Memory is then one window and the head below, not up to
// MaxDecompressed bytes per body, and an inspection that overlaps the
// receipt (inspect.Overlap) classifies the text while the compressed bytes
// still arrive.
//
// Whether the stream is such text is known from its first StreamAbove+1
// decompressed bytes (the head): a stream that ends within them, or whose
// head is anything but streamable text (JSON, markup, a form, a container,
// another charset ...), is read into memory whole exactly as before, the
// head followed by the rest of the decompressor, so its extraction is
// unchanged. The decompression limits (MaxDecompressed, MaxRatio) and the
// total-text limit apply to the streamed text as to the held one, with the
// same problems.

// inflated is what readOrStream made of a decompressed stream.
type inflated struct {
	out      []byte // the whole decompressed stream (unless streamed)
	why      string // the reason of an errTooBig
	err      error  // as readBounded returns it
	streamed bool   // the text went to the stream: out is nil
}

// readOrStream reads the decompressed stream r (of compressedSize
// compressed bytes) as readBounded does, unless its text can be streamed:
// then it hands it to the stream as n's text (n's origin, content type)
// and reports the limits and damage it met itself, naming layer (such as
// "content-encoding gzip: ", or "" for a compressed file found by its
// magic) in their reasons.
//
// A stream whose head shows a JSON document, JSON Lines or a form is read
// front to back from the decompressor instead (seqsource.go), when reopen
// (a fresh decompressor of the same bytes; nil: none) is given for the
// readings' passes.
func (w *walker) readOrStream(n node, r io.Reader, reopen func() io.Reader, compressedSize int64, layer, damage string) inflated {
	limit, byRatio := w.decompressLimit(compressedSize)
	if w.stream == nil || limit <= StreamAbove {
		out, why, err := w.readBounded(r, compressedSize)
		return inflated{out: out, why: why, err: err}
	}
	head, why, err := w.readBounded(io.LimitReader(r, StreamAbove+1), compressedSize)
	if err != nil || len(head) <= StreamAbove {
		// The stream ended (or failed, or extraction stopped) within the
		// head: this is all readBounded would have read.
		return inflated{out: head, why: why, err: err}
	}
	if !w.streamsDecompressed(n, head[:sniffLen]) {
		if reopen != nil && w.structuredDecompressed(n, head[:sniffLen], seqBody{open: reopen, limit: limit}) {
			return inflated{streamed: true}
		}
		out, why, err := w.readBounded(io.MultiReader(bytes.NewReader(head), r), compressedSize)
		return inflated{out: out, why: why, err: err}
	}
	src := &limitedStream{r: io.MultiReader(bytes.NewReader(head), r), left: limit}
	head = nil // read once through src: the head is not kept past its window
	w.streamWindows(n.origin, StreamWindow, true, src.fill)
	switch {
	case src.over:
		w.limit(n.origin, layer+w.tooBigReason(byRatio)+"; only the first part was inspected")
	case src.err != nil && !w.stop:
		w.problem(n.origin, Malformed, damage)
	}
	return inflated{streamed: true}
}

// streamsDecompressed reports whether decompressed text with this head
// (sniffLen bytes of a stream longer than StreamAbove), as n's body, is
// read window by window: what walker.node would stream were the bytes a
// spilled body.
func (w *walker) streamsDecompressed(n node, head []byte) bool {
	mt, params := mediaType(n.ctype)
	if strings.HasPrefix(mt, "multipart/") || sniff(head, StreamAbove+1) != kindText || isBinary(head) {
		return false
	}
	return w.streamable(node{origin: n.origin, body: blob{size: StreamAbove + 1}}, mt, params["charset"], head)
}

// structuredDecompressed reads n's decompressed stream, whose head (of a
// stream longer than StreamAbove) is head, as a JSON document or a form
// front to back when it shows one (as streamsJSON and streamsForm would
// the same bytes as a spilled body), and reports whether it did: false
// leaves the stream to be read whole, untouched. Only the decompressed
// stream of the whole body (depth 0) is speculative.
func (w *walker) structuredDecompressed(n node, head []byte, b seqBody) bool {
	if w.stream == nil || w.batch == nil {
		return false
	}
	mt, params := mediaType(n.ctype)
	if strings.HasPrefix(mt, "multipart/") || sniff(head, StreamAbove+1) != kindText || isBinary(head) {
		return false
	}
	b.limit = min(b.limit, textCap(w.lim))
	n.body = blob{size: -1, seq: &b}
	speculate := w.speculative && n.depth == 0
	switch {
	case mt == "application/x-www-form-urlencoded":
		return w.streamPasses(n, speculate, "form", w.formPass)
	case jsonHead(mt, params["charset"], head):
		return w.streamPasses(n, speculate, "json", w.jsonPass)
	}
	return false
}

// limitedStream feeds streamWindows from a decompressor, stopping at the
// decompression limit (over) or at the first read error (err); the time
// budget is checked between windows by streamWindows.
type limitedStream struct {
	r    io.Reader
	left int64 // bytes still allowed
	over bool
	err  error
}

// fill reads up to len(dst) bytes; last is set at the end of the stream, at
// the limit or on an error.
func (s *limitedStream) fill(dst []byte) (int, bool) {
	k := 0
	for k < len(dst) {
		m, err := s.r.Read(dst[k:])
		k += m
		if errors.Is(err, io.EOF) {
			return s.cap(k), true
		}
		if err != nil {
			s.err = err
			return s.cap(k), true
		}
		if int64(k) > s.left {
			return s.cap(k), true
		}
	}
	if int64(k) > s.left {
		return s.cap(k), true
	}
	s.left -= int64(k)
	// One byte more tells a stream that ends at the limit from one that
	// goes on: the next fill sees it.
	return k, false
}

// cap cuts k at the limit, noting when the stream went past it.
func (s *limitedStream) cap(k int) int {
	if int64(k) > s.left {
		k = int(s.left)
		s.over = true
	}
	s.left -= int64(k)
	return k
}
