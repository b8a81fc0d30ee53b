package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Streaming of large plain-text bodies. A body of plain text larger than
// StreamAbove, held outside memory (a spilled upload), is not loaded whole
// when the caller set Input.Stream: it is read through its ReaderAt in
// windows of about StreamWindow bytes, each cut after a line end where one
// is near, and each starting with the last StreamOverlap bytes of the one
// before (whole characters), so a match that straddles a cut is still seen
// whole in one window. One window buffer serves the whole body. The
// windows go to Input.Stream with the offset of
// their first byte in the body (after a UTF-8 BOM), not to
// Result.Segments; TextBytes counts them (the overlap once) and the
// total-text limit applies to them as to any text.
const (
	StreamAbove   = 8 << 20
	StreamWindow  = 4 << 20
	StreamOverlap = 4 << 10
	// streamCutSearch is how far back from a window's end a line end is
	// looked for.
	streamCutSearch = 64 << 10
)

// HeadLen is how many leading bytes of a body StreamsText needs (fewer
// only when the body is shorter).
const HeadLen = sniffLen

// StreamsText reports whether Extract, given a body of size bytes declared
// as ctype, with no Content-Encoding, not held in memory, and an
// Input.Stream, reads it as plain text window by window (streamText) from
// its first HeadLen bytes head alone: no container or binary format by its
// magic, not multipart, form, JSON or markup, UTF-8 (or ASCII) as far as
// the head shows. A front end can then start reading it while it is still
// arriving (inspect's overlap); false means Extract needs the body in
// another way.
func StreamsText(ctype string, head []byte, size int64) bool {
	if int64(len(head)) < min(size, HeadLen) {
		return false
	}
	mt, params := mediaType(ctype)
	if strings.HasPrefix(mt, "multipart/") || sniff(head, size) != kindText {
		return false
	}
	w := &walker{stream: func(Segment, int64) {}}
	return w.streamable(node{body: blob{size: size}}, mt, params["charset"], head)
}

// streamable reports whether n's body is plain text that can be read in
// windows: large, not in memory, valid UTF-8 in its head (ASCII or UTF-8
// with an optional BOM, whatever the label says is in-line with
// decodeText), and none of the structured flavours (form, JSON, markup).
func (w *walker) streamable(n node, mt, charset string, head []byte) bool {
	if w.stream == nil || n.body.data != nil || n.body.size <= StreamAbove {
		return false
	}
	if mt == "application/x-www-form-urlencoded" || isBinary(head) || bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	if cs := strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"'`)); cs != "" && cs != "utf-8" && cs != "utf8" && cs != "us-ascii" && cs != "ascii" {
		return false
	}
	h := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	// The head may end inside a character.
	for i := 0; i < utf8.UTFMax && len(h) > 0 && !utf8.Valid(h); i++ {
		h = h[:len(h)-1]
	}
	if !utf8.Valid(h) {
		return false
	}
	t := strings.TrimLeft(string(h), " \t\r\n")
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") || strings.HasPrefix(t, "<") {
		return false
	}
	return !looksHTML(t, mt)
}

// streamText reads n's body in overlapping windows and hands each to the
// stream.
func (w *walker) streamText(n node) {
	b := n.body
	size := b.size
	if textCap := textCap(w.lim); size > textCap {
		w.limit(n.origin, "text body larger than the total extracted text limit allows; only the first part was inspected")
		size = textCap
	}
	off := int64(0)
	atEOF := false // sizeUnknown: the end was seen
	w.streamWindows(n.origin, min(size, int64(StreamWindow)), false, func(dst []byte) (int, bool) {
		want := min(int64(len(dst)), size-off)
		k, err := b.r.ReadAt(dst[:want], off)
		if w.sizeUnknown && (err == nil || errors.Is(err, io.EOF)) {
			// Read to the end: a full read is the last one when no byte
			// follows it, so the windows are cut where a sized read cuts
			// them (its last fill is the one that reaches its size).
			end := err != nil
			if !end && off+int64(k) < size {
				var probe [1]byte
				p, perr := b.r.ReadAt(probe[:], off+int64(k))
				end = p == 0
				if perr != nil && !errors.Is(perr, io.EOF) {
					err = perr // failed: reported below
				}
			}
			if err == nil || errors.Is(err, io.EOF) {
				off += int64(k)
				atEOF = atEOF || end
				return k, end || off >= size
			}
		}
		if err != nil && !errors.Is(err, io.EOF) || k == 0 && want > 0 {
			if err == nil || errors.Is(err, io.EOF) {
				err = errShortRead
			}
			err = fmt.Errorf("read %s: %w", leaf(n.origin), err)
			if w.readErr == nil {
				w.readErr = err
			}
			w.stop = true
			return 0, true
		}
		off += int64(k)
		return k, off >= size
	})
	// A sized Extract of the same bytes reads them the same way only if
	// they were all read (not cut at textCap or by a limit) and are more
	// than StreamAbove (a smaller body is read whole).
	w.unknownRead = w.sizeUnknown && atEOF && off > StreamAbove && !w.stop && !w.full && !w.expired()
}

// textCap is the most text a plain body is read for: past it no window
// could be kept within the total-text limit.
func textCap(lim Limits) int64 { return 4*lim.MaxTotalBytes + sniffLen }

// streamWindows hands text read by fill to the stream in overlapping
// windows: fill reads the next bytes into dst (at most StreamWindow) and
// reports how many, and whether they are the last (then fill is not called
// again; a fill that fails sets w.stop). window is the first window's size
// (the whole text when it is smaller).
//
// ahead: fill does real work (decompressing a gzip body, decoding a JSON
// string): reading and classifying then overlap. A window goes to the
// stream on its own goroutine while fill reads the next one into the
// other of two buffers, so the decompressor runs beside the classifiers
// instead of before them. The stream is still called for one window at a
// time and in order, and a window's buffer is read into again only after
// its call returned; everything streamWindows starts has returned when it
// returns. A panic in the stream is raised again here, where a single
// walk would have raised it. A fill that only copies bytes already held
// (a plain body, a multipart part) gains nothing from that and keeps one
// buffer.
func (w *walker) streamWindows(origin string, window int64, ahead bool, fill func(dst []byte) (n int, last bool)) {
	// Two buffers: the overlap and what was read past a cut are moved from
	// the one just handed over to the front of the other, and the next
	// window read after them. (Stream's text is valid only during the call.)
	var bufs [2][]byte
	bufs[0] = make([]byte, 0, window+StreamOverlap)
	cur := 0
	var inFlight *streamCall
	defer func() { inFlight.wait() }()
	// carry: bytes of overlap at the front of buf (already emitted);
	// pending: bytes after it read but not yet emitted (past the last
	// cut); off: offset of the first byte after the overlap.
	carry, pending := 0, 0
	for off := int64(0); ; {
		if w.expired() || w.full {
			return
		}
		buf := bufs[cur][:cap(bufs[cur])]
		have := carry + pending
		k, last := fill(buf[have:min(len(buf), carry+StreamWindow)])
		if w.stop {
			return
		}
		buf = buf[:have+k]
		end := len(buf)
		if !last {
			end = cutPoint(buf, carry)
		}
		win := buf[:end]
		if off == 0 {
			win = bytes.TrimPrefix(win, []byte("\xef\xbb\xbf"))
		}
		seg, ok := w.streamSegment(origin, windowText(win, last), carry)
		// The window before must be done before this one goes (order,
		// and its buffer is the next one read into).
		inFlight.wait()
		inFlight = nil
		switch {
		case ok && ahead:
			inFlight = w.streamAsync(seg, off-int64(carry))
		case ok:
			w.stream(seg, off-int64(carry))
		}
		off += int64(end - carry)
		if last || w.full {
			return
		}
		// The next window starts with the end of this one, then what was
		// read past its cut.
		from := max(0, end-StreamOverlap)
		for from < end && !utf8.RuneStart(buf[from]) {
			from++
		}
		pending = len(buf) - end
		carry = end - from
		next := cur
		if ahead {
			next = 1 - cur
		}
		if bufs[next] == nil {
			bufs[next] = make([]byte, 0, cap(bufs[cur]))
		}
		copy(bufs[next][:cap(bufs[next])], buf[from:])
		cur = next
	}
}

// streamCall is one window handed to the stream on its own goroutine.
type streamCall struct {
	done     chan struct{}
	panicked any
}

// streamAsync calls the stream with seg on a new goroutine.
func (w *walker) streamAsync(seg Segment, offset int64) *streamCall {
	c := &streamCall{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		defer func() { c.panicked = recover() }()
		w.stream(seg, offset)
	}()
	return c
}

// wait returns once the call has (nil: nothing to wait for), raising its
// panic again.
func (c *streamCall) wait() {
	if c == nil {
		return
	}
	<-c.done
	if p := c.panicked; p != nil {
		c.panicked = nil
		panic(p)
	}
}

// windowText is a window's text: UTF-8 as it is, else in the legacy
// charset its bytes look like. The last window may end inside a character
// (a stream cut at a limit, a truncated upload): that tail does not make
// the whole window legacy text; it becomes U+FFFD.
func windowText(win []byte, last bool) string {
	if utf8.Valid(win) {
		return aliasString(win)
	}
	if last {
		p := len(win) - 1
		for p > 0 && len(win)-p < utf8.UTFMax && !utf8.RuneStart(win[p]) {
			p--
		}
		if p >= 0 && !utf8.FullRune(win[p:]) && utf8.Valid(win[:p]) {
			return string(win[:p]) + "\uFFFD"
		}
	}
	return decodeWith(guessLegacy(win), win)
}

// errShortRead says a body yielded fewer bytes than its size.
var errShortRead = errors.New("body shorter than its declared size")

// cutPoint returns where to end a window: after the last line end in its
// final streamCutSearch bytes, else before the last whole character; never
// inside the overlap it started with.
func cutPoint(buf []byte, overlap int) int {
	lo := max(overlap+1, len(buf)-streamCutSearch)
	if lo < len(buf) {
		if i := bytes.LastIndexByte(buf[lo:], '\n'); i >= 0 {
			return lo + i + 1
		}
	}
	// No line end: keep whole characters only.
	p := len(buf) - 1
	for p > overlap && !utf8.RuneStart(buf[p]) {
		p--
	}
	if p > overlap && !utf8.FullRune(buf[p:]) {
		return p
	}
	return len(buf)
}

// streamEmit hands one window to the stream, applying the total-text
// limit; the first overlap bytes were counted with the window before.
func (w *walker) streamEmit(origin, text string, overlap int, offset int64) {
	if seg, ok := w.streamSegment(origin, text, overlap); ok {
		w.stream(seg, offset)
	}
}

// streamSegment is streamEmit up to the call: the window's segment after
// the total-text limit, counted, and false when nothing is left to hand
// over.
func (w *walker) streamSegment(origin, text string, overlap int) (Segment, bool) {
	fresh := int64(len(text) - overlap)
	room := w.lim.MaxTotalBytes - w.res.TextBytes
	if fresh > room {
		cut := overlap + int(room)
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
		fresh = int64(max(0, cut-overlap))
		w.limitStop(origin, "total extracted text limit reached; text after this point was not inspected")
	}
	if strings.TrimSpace(text) == "" {
		return Segment{}, false
	}
	w.res.TextBytes += fresh
	return Segment{Origin: leaf(origin), Text: text}, true
}

// partStream streams the text of one large document part (a worksheet, a
// document body) as it is built, once it passes StreamAbove: the builder
// is handed over in windows at row or paragraph ends and only the overlap
// stays behind, so a 200 MB workbook is never held as text whole. Parts up
// to StreamAbove are emitted whole, as before.
type partStream struct {
	origin string
	head   string // heads the part's text (a sheet's tab name)
	on     bool
	carry  int   // bytes at the front of the builder already streamed (overlap)
	offset int64 // offset of the builder's first byte in the part's text
}

// flush hands sb's text to the stream when it is large enough; call it
// only where sb ends a line (so the overlap is never trimmed).
func (w *walker) flush(ps *partStream, sb *textBuf) {
	if ps == nil || w.stream == nil || w.full {
		return
	}
	if !ps.on {
		if sb.Len() <= StreamAbove {
			return
		}
		ps.on = true
	}
	for sb.Len() >= ps.carry+StreamWindow && !w.full {
		buf := sb.b
		end := cutPoint(buf[:ps.carry+StreamWindow], ps.carry)
		text := aliasString(buf[:end])
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
		shift := int64(0)
		if ps.head != "" && ps.offset == 0 && ps.carry == 0 {
			text = ps.head + "\n" + text
			shift = int64(len(ps.head) + 1)
		}
		w.streamEmit(ps.origin, text, ps.carry, ps.offset)
		from := max(0, end-StreamOverlap)
		for from < end && !utf8.RuneStart(buf[from]) {
			from++
		}
		n := copy(buf, buf[from:])
		sb.b = buf[:n]
		ps.offset += shift + int64(from)
		ps.carry = end - from
	}
}

// finish emits the rest of a part: whole when it was never streamed.
func (w *walker) finish(ps *partStream, text string) {
	if !ps.on {
		if ps.head != "" && text != "" {
			text = ps.head + "\n" + text
		}
		w.emit(ps.origin, text)
		return
	}
	if len(text) > ps.carry && !w.full {
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
		w.streamEmit(ps.origin, text, ps.carry, ps.offset)
	}
}

// psCarry is the overlap at the front of a streamed part's builder (text
// already counted), 0 when not streaming.
func psCarry(ps *partStream) int {
	if ps == nil {
		return 0
	}
	return ps.carry
}
