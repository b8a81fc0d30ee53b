package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// Reading a large multipart body front to back as it arrives. A multipart
// body over StreamAbove bytes that is still arriving (Input.Speculative,
// with Input.Stream and Input.Batch) is not first scanned whole for its
// delimiters (partSpans, which would wait for the last byte): its
// delimiters are found chunk by chunk as multipart finds them, and each
// part is read as soon as what reading it needs has arrived:
//
//   - a part whose end shows within partHeaderMax+StreamAbove bytes of its
//     start is read by partInPlace once its end is in, exactly as multipart
//     reads it (its size is then known);
//   - a larger part whose body node would read as plain text in windows
//     (streamText: no transfer encoding, not JSON, a form, markup or
//     another format by its head) has its text handed to Input.Stream in
//     the same windows as streamText would, each window as soon as its
//     bytes (and the few after it that say whether the part ends there)
//     are in: its end is found by the same delimiter scan as it goes;
//   - a larger part whose body node would read as a JSON document, JSON
//     Lines or a form front to back (streamsJSON, streamsForm, by its
//     head) is walked by that reading as its bytes arrive, its end found
//     by the delimiter scan as the reading needs its bytes; one that
//     reading would decline at its size (doubt, the size limits) ends the
//     reading;
//   - any other large part (a ZIP, a PDF, base64 ...) is read by
//     partInPlace once its end is in.
//
// The reading does exactly what multipart would, in the same order (part
// names, parts, the truncation problem, preamble and epilogue), as long as
// multipart would frame the body itself: a body multipart leaves to
// mime/multipart (no delimiter line, a delimiter ended by a bare line
// feed anywhere in the body, more delimiters than MaxEntries allows) is
// known only once the scan reaches it, and so is a part too large for the
// text limits: the reading then ends with ErrSpeculation and the caller
// reads the body again from its start. So does a reading that stops for
// any reason (time, the total-text limit, a failed read): what it would
// have framed after the stop is not known.
//
// A body of unknown size (a chunked upload, Input.SizeUnknown) is read the
// same way: its size stands at unknownSize until the delimiter scan's read
// of a chunk comes up short, which is where the body ends (partScan.size);
// every test of the body's end waits for that.

// StreamsMultipart reports whether Extract, given a body of size bytes
// declared as ctype, with no Content-Encoding, not held in memory, and an
// Input.Stream and Input.Batch, reads it as multipart from its first
// HeadLen bytes head alone; a front end can then read it while it still
// arrives (Input.Speculative): whether multipart frames it itself is known
// at its last byte.
func StreamsMultipart(ctype string, head []byte, size int64) bool {
	if int64(len(head)) < min(size, HeadLen) || size <= StreamAbove {
		return false
	}
	mt, params := mediaType(ctype)
	return strings.HasPrefix(mt, "multipart/") && params["boundary"] != "" && looksMultipart(head, params["boundary"])
}

// multipartStream is multipart for a body still arriving (see above).
func (w *walker) multipartStream(n node, boundary string) {
	defer func() {
		if r := recover(); r != nil {
			if r != errStop { //nolint:errorlint // sentinel identity
				if w.repanic {
					panic(r)
				}
			}
			w.stop = true
		}
		if w.stop {
			// What multipart would frame past the stop is not known.
			w.specFailed = true
		}
	}()
	if w.stream == nil || w.batch == nil {
		w.stop = true // not for this reading: never load a body still arriving
		return
	}
	b := n.body
	s := newPartScan(w, b, boundary)
	m, ok := s.next(s.size())
	if !ok {
		w.stop = true // no delimiter line: mime/multipart's reading
		return
	}
	s.take()
	var spans []span
	closed := false
	for {
		start, isClose := partStart(b, m, s.dl)
		if isClose {
			closed = true
			break
		}
		if w.expired() || len(spans) >= w.lim.MaxEntries {
			w.stop = true
			return
		}
		idx := len(spans) + 1
		end, streamed := w.streamPart(n, idx, start, s)
		if s.bad || w.stop {
			w.stop = true
			return
		}
		if !streamed {
			// The scan first: a body of unknown size is known to end
			// only once it has read there.
			m, ok := s.next(s.size())
			end = s.size()
			if ok {
				end = m - 2 // the CRLF before the next delimiter
			}
			if s.bad || w.stop {
				w.stop = true
				return
			}
			end = max(end, start)
			w.partInPlace(n, idx, span{start, end})
		}
		spans = append(spans, span{start, end})
		if m, ok = s.next(s.size()); !ok {
			break
		}
		s.take()
	}
	// partSpans looks at every delimiter, after the close one too.
	for {
		if _, ok := s.next(s.size()); !ok {
			break
		}
		s.take()
	}
	if s.bad || w.stop {
		w.stop = true
		return
	}
	if s.unknown {
		// The scan read to the end: the size is known now.
		b.size = s.size()
		n.body = b
	}
	pre, post := spanOutside(b, spans, closed, boundary)
	if !closed {
		w.problem(n.origin, Malformed, "multipart body truncated (no closing boundary); the parts read were kept")
	}
	w.outsideParts(n, pre, post)
}

// streamPart streams part idx, starting at start, when it is larger than
// StreamAbove and its body node would read it as plain text in windows;
// end is where it ended. It reads nothing and emits nothing otherwise.
func (w *walker) streamPart(n node, idx int, start int64, s *partScan) (end int64, streamed bool) {
	b := n.body
	lim := start + partHeaderMax + StreamAbove
	if _, ok := s.next(lim); ok || lim >= s.size() || s.bad {
		return 0, false // small: its end is known soon enough
	}
	// Its end is past lim: the part's first partHeaderMax bytes are its
	// own (partInPlace reads as many) and its body is over StreamAbove.
	hdr, hlen, why := partHeader(b, start, partHeaderMax)
	if why != "" {
		return 0, false
	}
	if t := partTransfer(hdr); t == "base64" || t == "quoted-printable" {
		return 0, false // decoded into memory by partNode
	}
	from := start + int64(hlen)
	head := make([]byte, sniffLen)
	k, _ := b.r.ReadAt(head, from)
	mt, params := mediaType(hdr.Get("Content-Type"))
	if w.partStreamsStructured(n.depth+1, mt, params, head[:k]) {
		origin, filename, ctype := w.partLabel(n, idx, hdr)
		if w.expired() {
			return 0, true
		}
		return w.streamPartStructured(node{origin: origin, name: filename, ctype: ctype, depth: n.depth + 1}, mt, b, from, s), true
	}
	if !w.partStreamsText(n.depth+1, mt, params, head[:k]) {
		return 0, false
	}
	origin, _, _ := w.partLabel(n, idx, hdr)
	if w.expired() {
		return 0, true
	}
	// Not under guard as streamText is: a panic here (a bug of this
	// reading, not of the whole-body one) ends the reading with
	// ErrSpeculation rather than becoming a problem of the body.
	return w.streamPartText(origin, b, from, s), true
}

// partStreamsText reports whether node, given a part body over
// StreamAbove bytes (and within the text limits) at depth with media type
// mt and this head, would read it with streamText: the same tests in the
// same order, each false one leaving it to another reading.
func (w *walker) partStreamsText(depth int, mt string, params map[string]string, head []byte) bool {
	if !w.partTextHead(depth, mt, params, head) {
		return false
	}
	// streamsJSON and streamsForm come first.
	if mt == "application/x-www-form-urlencoded" || jsonHead(mt, params["charset"], head) {
		return false
	}
	return w.streamable(node{body: blob{size: StreamAbove + 1}}, mt, params["charset"], head)
}

// partStreamsStructured reports whether node, given a part body over
// StreamAbove bytes at depth with media type mt and this head, would read
// it as a JSON document or a form front to back (streamsJSON,
// streamsForm), as far as the head shows: the tests of partStreamsText up
// to those readings, then theirs.
func (w *walker) partStreamsStructured(depth int, mt string, params map[string]string, head []byte) bool {
	return w.partTextHead(depth, mt, params, head) && (mt == "application/x-www-form-urlencoded" || jsonHead(mt, params["charset"], head))
}

// partTextHead reports whether node would read a large part body at depth
// with media type mt and this head as text of some kind: not too deep,
// not a nested multipart, text by its head. The tests partStreamsText and
// partStreamsStructured share, in node's order.
func (w *walker) partTextHead(depth int, mt string, params map[string]string, head []byte) bool {
	if depth > w.lim.MaxDepth || len(head) < sniffLen {
		return false
	}
	if strings.HasPrefix(mt, "multipart/") && params["boundary"] != "" && looksMultipart(head, params["boundary"]) {
		return false
	}
	return sniff(head, StreamAbove+1) == kindText && !isBinary(head)
}

// streamPartStructured reads the part body at from as a JSON document or
// form front to back (one walking pass, as a speculative reading does)
// while it arrives, its end found by the delimiter scan s as the reading
// needs its bytes (partReader). It returns where the part ended, -1 when
// the reading stopped first. A part this reading does not take as
// streamsJSON or streamsForm takes the same part with its size (doubt,
// past the size limits) ends the whole reading (ErrSpeculation).
func (w *walker) streamPartStructured(n node, mt string, b blob, from int64, s *partScan) int64 {
	pr := &partReader{w: w, b: b, s: s, off: from, end: -1}
	n.body = blob{size: -1, seq: &seqBody{open: func() io.Reader { return pr }, limit: min(textCap(w.lim), w.lim.MaxDecompressed)}}
	pass := w.jsonPass
	if mt == "application/x-www-form-urlencoded" {
		pass = w.formPass
	}
	// Not under guard, as streamPartText is not.
	ok := pass(n, true)
	if ok && !w.full && !w.stop && pr.end < 0 {
		// The reading stopped before the part's end (a form with too
		// many fields): find it, as partInPlace had.
		m, found := s.next(s.size())
		pr.end = s.size()
		if found {
			pr.end = m - 2
		}
	}
	if !ok || w.full || w.stop || s.bad || pr.end < 0 || pr.end-from <= StreamAbove {
		s.bad, w.stop = true, true
		return -1
	}
	return pr.end
}

// partReader reads a part body from off to its end, which the delimiter
// scan finds as the reads need it (the CRLF before the next delimiter
// line, or the body's end).
type partReader struct {
	w   *walker
	b   blob
	s   *partScan
	off int64
	end int64 // -1 until found
}

// errPartScan ends a partReader whose scan went bad or stopped.
var errPartScan = errors.New("multipart framing not read as the whole body would be")

func (r *partReader) Read(p []byte) (int, error) {
	want := int64(len(p))
	if r.end < 0 {
		at := r.off + want
		if m, ok := r.s.next(at); ok {
			r.end = m - 2
		} else if at >= r.s.size() {
			r.end = r.s.size()
		}
		if r.s.bad || r.w.stop {
			return 0, errPartScan
		}
	}
	if r.end >= 0 {
		want = min(want, r.end-r.off)
		if want <= 0 {
			return 0, io.EOF
		}
	}
	k, err := r.b.r.ReadAt(p[:want], r.off)
	r.off += int64(k)
	if k < int(want) {
		if err == nil || errors.Is(err, io.EOF) {
			err = errShortRead
		}
		return k, err
	}
	return k, nil
}

// streamPartText is streamText for the part body at from, whose end the
// delimiter scan s finds as it goes: the same windows, each handed over as
// soon as its bytes and the next delimiter's (when it follows at once)
// are in. It returns where the part ended, -1 when the reading stopped
// first.
func (w *walker) streamPartText(origin string, b blob, from int64, s *partScan) int64 {
	textCap := 4*w.lim.MaxTotalBytes + sniffLen
	end, off := int64(-1), int64(0)
	w.streamWindows(origin, StreamWindow, false, func(dst []byte) (int, bool) {
		want := int64(len(dst))
		if end < 0 {
			p := from + off + want
			if m, ok := s.next(p); ok {
				end = m - 2
			} else if p >= s.size() {
				end = s.size()
			}
			if s.bad || w.stop {
				w.stop = true
				return 0, true
			}
		}
		if end >= 0 {
			want = min(want, end-from-off)
		}
		if end < 0 && off+want >= textCap || end-from > textCap {
			// streamText would read only the first textCap bytes (a
			// limit): not this reading's.
			s.bad, w.stop = true, true
			return 0, true
		}
		k, err := b.r.ReadAt(dst[:want], from+off)
		if err != nil && !errors.Is(err, io.EOF) || k == 0 && want > 0 {
			if err == nil || errors.Is(err, io.EOF) {
				err = errShortRead
			}
			err = fmt.Errorf("read %s: %w", leaf(origin), err)
			if w.readErr == nil {
				w.readErr = err
			}
			w.stop = true
			return 0, true
		}
		off += int64(k)
		return k, end >= 0 && from+off >= end
	})
	if w.stop {
		return -1
	}
	return end
}

// partScan finds a multipart body's delimiters as partSpans does (the same
// chunks, the same matches) but lazily, as far as its caller needs them,
// and tells each one apart as partSpans does.
type partScan struct {
	w     *walker
	b     blob
	delim []byte // "\r\n--" + boundary
	dl    int    // len("--" + boundary)
	buf   []byte
	tail  []byte

	off   int64   // the next chunk to scan
	marks []int64 // delimiters found ("--" offsets) not yet told apart
	last  int64   // the last mark found, -1 before any
	raw   int     // marks found in all
	valid int64   // the next delimiter line, -1 when not yet found
	// bad: partSpans would not frame the body (it goes to mime/multipart)
	// or the body could not be read.
	bad bool
	// unknown: the body's size is not known (a chunked upload still
	// arriving, Input.SizeUnknown); end is where it ended, -1 until a
	// chunk's read found it.
	unknown bool
	end     int64
}

// unknownSize stands for a body size not yet known: past any offset a
// reading reaches, with room for the sums made with it.
const unknownSize = math.MaxInt64 / 4

// size is the body's size: b.size, or for a body of unknown size its end
// once a read found it (unknownSize before).
func (s *partScan) size() int64 {
	switch {
	case !s.unknown:
		return s.b.size
	case s.end >= 0:
		return s.end
	}
	return unknownSize
}

func newPartScan(w *walker, b blob, boundary string) *partScan {
	delim := []byte("\r\n--" + boundary)
	s := &partScan{w: w, b: b, delim: delim, dl: len(delim) - 2, buf: make([]byte, partChunk+len(delim)),
		tail: make([]byte, delimTail), last: -1, valid: -1, unknown: b.size == unknownSize, end: -1}
	head := make([]byte, s.dl)
	if k, _ := b.r.ReadAt(head, 0); k == len(head) && bytes.Equal(head, delim[2:]) {
		s.found(0)
	}
	return s
}

func (s *partScan) found(m int64) {
	s.marks = append(s.marks, m)
	s.last = m
	s.raw++
}

// next returns the next delimiter line (where its "--" is) when the CRLF
// before it is at or before limit (it stays next until take), reading
// the body as far as that needs; ok is false when there is none up to
// limit, or the scan went bad.
func (s *partScan) next(limit int64) (int64, bool) {
	for !s.bad && !s.w.stop {
		if s.valid >= 0 {
			return s.valid, s.valid-2 <= limit
		}
		if len(s.marks) > 0 {
			m := s.marks[0]
			if m-2 > limit {
				return 0, false
			}
			s.marks = s.marks[1:]
			switch delimAt(s.b, m, s.dl, s.tail) {
			case delimLine:
				s.valid = m
			case delimBareLF:
				s.bad = true // bare-LF framing: mime/multipart's reading
			}
			continue
		}
		if s.off > limit || s.off >= s.size() {
			return 0, false
		}
		s.chunk()
	}
	return 0, false
}

// take steps past the delimiter next returned.
func (s *partScan) take() { s.valid = -1 }

// chunk scans the next chunk as partSpans does.
func (s *partScan) chunk() {
	if s.w.tick() {
		s.bad = true
		return
	}
	off := s.off
	k, err := s.b.r.ReadAt(s.buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		if s.w.readErr == nil {
			s.w.readErr = fmt.Errorf("read body: %w", err)
		}
		s.w.stop, s.bad = true, true
		return
	}
	if s.unknown && k < len(s.buf) {
		s.end = off + int64(k) // the body ends in this chunk
	}
	data := s.buf[:k]
	for i := 0; ; {
		j := bytes.Index(data[i:], s.delim)
		if j < 0 {
			break
		}
		at := off + int64(i+j)
		// Overlapping windows see a delimiter twice.
		if at < off+partChunk && (s.last < 0 || s.last < at+2) {
			s.found(at + 2)
		}
		i += j + len(s.delim)
	}
	s.off += partChunk
	if s.raw > s.w.lim.MaxEntries+1 {
		s.bad = true // partSpans stops looking: not all delimiters framed
	}
}
