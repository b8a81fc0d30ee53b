package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reading a large JSON document front to back. A JSON body over
// StreamAbove bytes that is not in memory (a spilled upload), when the
// caller set Input.Stream and Input.Batch, is not loaded whole: it is read
// through its ReaderAt from its first byte to its last, and its values
// reach the classifiers while it is read, so an inspection that overlaps
// the receipt (inspect.Overlap) classifies it as it arrives and memory
// stays bounded whatever the document's size.
//
// The document is cut into pieces: a value of up to jsonPieceMax bytes
// (a record of an array, a member of an object, a string) is read whole
// and walked by jsonWalker exactly as the whole document would be walked,
// below the same path, so its segments are those of the whole-document
// walk; only the containers too large to be one piece are walked here,
// member by member. Their segments go to Input.Batch a few MiB of text at
// a time. A string value too large to be one piece is decoded as it is
// read and its text goes to Input.Stream in the same overlapping windows
// as a large plain-text body (streamWindows), below its path.
//
// JSON Lines (a first value small enough to be a piece followed by more
// than white space: not one document) are read line by line as jsonLines
// reads them, each line a piece.
//
// Whatever the reading cannot do exactly as the whole-document walk would
// is left to that walk (the body is then loaded whole, as before): a body
// that is not one valid JSON document or valid JSON Lines in UTF-8 (a
// truncated document, another charset), a line, scalar or key too large
// to be a piece, containers nested more than jsonSkeletonMax deep, and a
// large string
// whose text would be read in some other way too (JSON or a base64
// document inside it, data: URLs, base64 runs, %XX escapes or HTML
// character references that textExtras decodes). Before walking, the
// document is read once through to check all that (jsonPass with walk
// false), so nothing is emitted for a body the old walk reads. An
// inspection overlapping the receipt (Input.Speculative) walks without
// that check, which would wait for the last byte, and discards its
// reading (ErrSpeculation) should the check fail at the end.

// ErrSpeculation is returned by a speculative Extract (Input.Speculative)
// whose body turned out not to be read as it assumed: the caller must
// read the body again from its start.
var ErrSpeculation = errors.New("body not read front to back as it arrived; read it again from the start")

const (
	// jsonPieceMax is the largest value read whole (and walked as the
	// whole document would walk it).
	jsonPieceMax = 1 << 20
	// jsonSkeletonMax is how deep containers too large to be one piece
	// may nest.
	jsonSkeletonMax = 64
	// jsonChunk is how much of the body is read at a time.
	jsonChunk = 256 << 10
	// jsonLookahead is how many bytes a string decoder may need past the
	// byte it is at (an escaped surrogate pair is 12).
	jsonLookahead = 16
	// jsonBatchBuf is the capacity of the buffer that holds the pieces
	// whose segments wait for the next batch.
	jsonBatchBuf = StreamWindow + 2*jsonPieceMax
)

// errJSONDoubt unwinds a jsonPass that met something the whole-document
// walk would read otherwise.
var errJSONDoubt = errors.New("not a JSON document read front to back")

// StreamsJSON reports whether Extract, given a body of size bytes declared
// as ctype, with no Content-Encoding, not held in memory, and an
// Input.Stream and Input.Batch, may read it as a JSON document front to
// back from its first HeadLen bytes head alone: a front end can then read
// it while it still arrives (Input.Speculative); whether it really is one
// is known at its last byte.
func StreamsJSON(ctype string, head []byte, size int64) bool {
	if int64(len(head)) < min(size, HeadLen) || size <= StreamAbove {
		return false
	}
	mt, params := mediaType(ctype)
	return sniff(head, size) == kindText && jsonHead(mt, params["charset"], head)
}

// jsonHead reports whether a body of media type mt and charset with this
// head is, as far as the head shows, a JSON document that textNode would
// decode as UTF-8 as it is.
func jsonHead(mt, charset string, head []byte) bool {
	if mt == "application/x-www-form-urlencoded" || strings.HasPrefix(mt, "multipart/") || isBinary(head) || bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	// "us-ascii" and other labels decode through their charset
	// (decodeTextAs): only UTF-8 is read as it is whatever its bytes.
	if cs := strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"'`)); cs != "" && cs != "utf-8" && cs != "utf8" {
		return false
	}
	h := head[jsonPrefix(head):]
	return len(h) > 0 && (h[0] == '{' || h[0] == '[')
}

// jsonPrefix is the length of what textNode trims before a JSON document:
// a UTF-8 BOM, then white space and U+FEFF.
func jsonPrefix(b []byte) int {
	i := 0
	for i < len(b) {
		switch {
		case b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n':
			i++
		case bytes.HasPrefix(b[i:], []byte("\ufeff")):
			i += 3
		default:
			return i
		}
	}
	return i
}

// streamsJSON reads n's body as a JSON document front to back when it can
// (see above), and reports whether it did; false leaves n to the rest of
// walker.node, which has read nothing of it.
func (w *walker) streamsJSON(n node, mt, charset string, head []byte) bool {
	if mt == "application/x-www-form-urlencoded" {
		return false // a form, whatever it holds (formstream.go)
	}
	speculate := w.speculative && n.depth == 0
	textCap := 4*w.lim.MaxTotalBytes + sniffLen
	// Beyond either size limit the old walk reads only the first part.
	if w.stream == nil || w.batch == nil || n.body.data != nil || n.body.size <= StreamAbove ||
		n.body.size > textCap || n.body.size > w.lim.MaxDecompressed || !jsonHead(mt, charset, head) {
		if speculate {
			// Not for this reading (the caller expected JSON by the
			// head): never load a body still arriving whole.
			w.specFailed, w.stop = true, true
			return true
		}
		return false
	}
	return w.streamPasses(n, speculate, "json", w.jsonPass)
}

// jsonPass reads n's body as one JSON document, checking it (walk false)
// or walking it (walk true), and reports whether it is a document this
// reading takes. It returns early when extraction stops (w.stop).
func (w *walker) jsonPass(n node, walk bool) (ok bool) {
	s := w.newJSONStream(n, walk)
	s.j = jsonWalker{w: w, origin: jsonRoot(n.origin), arena: newTextArena(int(min(s.size, 1<<30)))}
	defer func() {
		if r := recover(); r != nil {
			if r != errJSONDoubt { //nolint:errorlint // sentinel identity
				panic(r) // errStop, or a bug for guard to report
			}
			ok = false
		}
	}()
	defer s.flush() // a walk that stops still hands over what it read
	// The prefix ends in the head (jsonHead found the document there).
	b, _ := s.window(0)
	s.pos = int64(jsonPrefix(b[:min(len(b), HeadLen)]))
	if s.linesAhead() {
		s.lines(n)
		return true
	}
	s.value("", n.depth, 0)
	s.skipSpace()
	if s.pos != s.size {
		panic(errJSONDoubt) // more after the document: text
	}
	return true
}

// newJSONStream begins a pass over n's body: through its ReaderAt, or
// from a fresh reader when it is a seqBody.
func (w *walker) newJSONStream(n node, walk bool) *jsonStream {
	s := &jsonStream{w: w, r: n.body.r, size: n.body.size, walk: walk, from: len(w.res.Segments), flushedAt: w.res.TextBytes}
	if n.body.seq != nil {
		s.r, s.seq, s.size = nil, newSeqSource(n.body.seq), math.MaxInt64
	}
	return s
}

// linesAhead reports whether the body is JSON Lines if JSON at all: its
// first value is small enough to be a piece and more than white space
// follows it (so the body is not one JSON document, and the whole walk
// reads it as JSON Lines or as text).
func (s *jsonStream) linesAhead() bool {
	start := s.pos
	defer func() { s.pos = start }()
	n, _ := s.extent()
	if n < 0 {
		return false
	}
	s.pos += n
	s.skipSpace()
	return s.pos < s.size
}

// lines reads JSON Lines as jsonLines does, line by line: every line that
// is not blank must be a JSON object or array, and there must be two.
func (s *jsonStream) lines(n node) {
	docs := 0
	for line := 1; s.pos < s.size; line++ {
		l := s.line()
		if !utf8.ValidString(l) {
			panic(errJSONDoubt) // textNode would decode the body otherwise
		}
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if t[0] != '{' && t[0] != '[' || !validJSON(t) {
			panic(errJSONDoubt) // not JSON Lines: read as text
		}
		docs++
		if !s.walk {
			continue
		}
		if s.w.expired() {
			panic(errStop)
		}
		j := &s.j
		j.origin = jsonlRoot(j.origin, n.origin, line)
		// As jsonLines: other Unicode space before the document is not
		// JSON white space.
		if k := skipJSONSpace(l, 0); l[k] == '{' || l[k] == '[' {
			j.value(l, k, "", n.depth)
		} else if s.w.tick() {
			panic(errStop)
		}
		s.flushFull()
	}
	if docs < 2 {
		panic(errJSONDoubt)
	}
}

// line reads the line at pos as a piece (without its line feed) and steps
// past it; a line longer than a piece is doubt.
func (s *jsonStream) line() string { return s.until('\n') }

// until reads the bytes at pos up to the next c (or the end) as a piece,
// and steps past them and c; more than a piece is doubt.
func (s *jsonStream) until(c byte) string {
	for p := s.pos; p-s.pos <= jsonPieceMax; {
		b, _ := s.window(p)
		if len(b) == 0 {
			return s.take(p - s.pos) // the last one, with no c after it
		}
		if i := bytes.IndexByte(b, c); i >= 0 {
			l := s.take(p + int64(i) - s.pos)
			s.pos++
			return l
		}
		p += int64(len(b))
	}
	panic(errJSONDoubt)
}

// jsonStream is one pass over a JSON body.
type jsonStream struct {
	w    *walker
	r    io.ReaderAt
	size int64      // math.MaxInt64 while a seq body's end is not seen
	seq  *seqSource // the body when it is a seqBody (r is nil then)
	walk bool
	j    jsonWalker

	buf    []byte // body bytes from bufOff
	bufOff int64
	pos    int64 // next byte to read

	pieces    []byte // pieces whose segments wait for the next batch
	from      int    // w.res.Segments[from:] are this document's, not yet batched
	flushedAt int64  // w.res.TextBytes at the last batch
}

// window returns the body's bytes from p on, at least jsonLookahead of
// them unless the body ends sooner (eof: the slice reaches its end).
func (s *jsonStream) window(p int64) (b []byte, eof bool) {
	if s.seq != nil {
		b, end, err := s.seq.at(p, jsonLookahead+1)
		if err != nil {
			panic(errJSONDoubt) // read as before: decompressed whole
		}
		if end {
			s.size = s.seq.base + int64(len(s.seq.buf))
		}
		return b, end
	}
	if p < s.bufOff || p+jsonLookahead >= s.bufOff+int64(len(s.buf)) && s.bufOff+int64(len(s.buf)) < s.size {
		if s.buf == nil {
			s.buf = make([]byte, jsonChunk)
		}
		want := min(int64(jsonChunk), s.size-p)
		k, err := s.r.ReadAt(s.buf[:cap(s.buf)][:want], p)
		if int64(k) < want {
			if err == nil || errors.Is(err, io.EOF) {
				err = errShortRead
			}
			s.readFailed(err)
		}
		s.buf, s.bufOff = s.buf[:k], p
	}
	if p >= s.bufOff+int64(len(s.buf)) {
		return nil, true
	}
	b = s.buf[p-s.bufOff:]
	return b, s.bufOff+int64(len(s.buf)) >= s.size
}

// readFailed ends the pass on a body that could not be read.
func (s *jsonStream) readFailed(err error) {
	if s.w.readErr == nil {
		s.w.readErr = fmt.Errorf("read body: %w", err)
	}
	s.w.stop = true
	panic(errStop)
}

// peek returns the byte at pos, 0 at the end of the body.
func (s *jsonStream) peek() byte {
	b, _ := s.window(s.pos)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func (s *jsonStream) skipSpace() {
	for {
		b, _ := s.window(s.pos)
		k := skipJSONSpace(aliasString(b), 0)
		s.pos += int64(k)
		if k < len(b) || len(b) == 0 {
			return
		}
	}
}

// expect steps over the byte c, which must be next.
func (s *jsonStream) expect(c byte) {
	if s.peek() != c {
		panic(errJSONDoubt)
	}
	s.pos++
}

// extent measures the value starting at pos: its length when it ends
// within jsonPieceMax bytes (else -1) and how deep containers nest in it.
// It does not check the value (validJSON does, on the piece).
func (s *jsonStream) extent() (n int64, depth int) {
	first := s.peek()
	scalar := first != '{' && first != '[' && first != '"'
	inStr, esc, d := false, false, 0
	for p := s.pos; p-s.pos < jsonPieceMax; {
		b, eof := s.window(p)
		if len(b) == 0 {
			if scalar && eof {
				return p - s.pos, 0 // a number ending the body
			}
			panic(errJSONDoubt) // the body ends inside the value
		}
		for i, c := range b {
			switch {
			case p+int64(i)-s.pos >= jsonPieceMax:
				return -1, 0
			case scalar:
				if c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
					return p + int64(i) - s.pos, 0
				}
			case esc:
				esc = false
			case inStr:
				switch c {
				case '\\':
					esc = true
				case '"':
					inStr = false
					if d == 0 {
						return p + int64(i) + 1 - s.pos, depth
					}
				}
			case c == '"':
				inStr = true
			case c == '{' || c == '[':
				d++
				depth = max(depth, d)
			case c == '}' || c == ']':
				if d--; d == 0 {
					return p + int64(i) + 1 - s.pos, depth
				}
			}
		}
		p += int64(len(b))
	}
	return -1, 0
}

// take reads the n bytes at pos as a piece and steps past them. The piece
// lives until the next batch.
func (s *jsonStream) take(n int64) string {
	if int64(cap(s.pieces)-len(s.pieces)) < n {
		// Hand the segments over (pieces that make little text must not
		// pile up buffers): the buffer is free again.
		s.flush()
		s.pieces = s.pieces[:0]
		if int64(cap(s.pieces)) < n {
			s.pieces = make([]byte, 0, max(jsonBatchBuf, int(n)))
		}
	}
	start := len(s.pieces)
	s.pieces = s.pieces[:start+int(n)]
	dst := s.pieces[start:]
	for len(dst) > 0 {
		b, _ := s.window(s.pos)
		if len(b) == 0 {
			panic(errJSONDoubt)
		}
		k := copy(dst, b)
		dst = dst[k:]
		s.pos += int64(k)
	}
	return aliasString(s.pieces[start:])
}

// piece reads the value at pos whole when it is small enough, checks it
// at skeleton depth skel and returns it; ok is false (nothing read) when
// it is too large.
func (s *jsonStream) piece(skel int) (string, bool) {
	// Most pieces (a record, a key) lie whole in the window: one scan
	// finds their end and checks them. Anything else (a piece cut by the
	// window, a malformed one, a bare scalar) takes the way below, which
	// decides.
	if c := s.peek(); c == '{' || c == '[' || c == '"' {
		if b, _ := s.window(s.pos); len(b) > 0 {
			if end, depth, ok := scanJSONPrefix(aliasString(b)); ok && end <= jsonPieceMax {
				if skel+depth > jsonMaxNesting {
					panic(errJSONDoubt) // too deep for encoding/json: not JSON
				}
				p := s.take(int64(end))
				if !utf8.ValidString(p) {
					panic(errJSONDoubt)
				}
				return p, true
			}
		}
	}
	n, depth := s.extent()
	if n < 0 {
		return "", false
	}
	if skel+depth > jsonMaxNesting {
		panic(errJSONDoubt) // too deep for encoding/json: not JSON
	}
	p := s.take(n)
	if !utf8.ValidString(p) || !validJSON(p) {
		// Not JSON, or not UTF-8 (textNode would decode the whole body
		// in a legacy charset).
		panic(errJSONDoubt)
	}
	return p, true
}

// value reads the value at pos (after white space), which sits under key
// (see jsonWalker.value) inside skel containers read here.
func (s *jsonStream) value(key string, depth, skel int) {
	if s.w.tick() {
		panic(errStop)
	}
	s.skipSpace()
	if p, ok := s.piece(skel); ok {
		if s.walk {
			s.j.value(p, 0, key, depth)
			s.flushFull()
		}
		return
	}
	if skel >= jsonSkeletonMax {
		panic(errJSONDoubt)
	}
	switch s.peek() {
	case '{':
		s.object(depth, skel+1)
	case '[':
		s.array(key, depth, skel+1)
	case '"':
		s.bigString()
	default:
		panic(errJSONDoubt) // a scalar too large to be a piece
	}
}

// object reads an object too large to be one piece, member by member.
func (s *jsonStream) object(depth, skel int) {
	s.expect('{')
	s.skipSpace()
	if s.peek() == '}' {
		s.pos++
		return
	}
	for {
		s.skipSpace()
		if s.peek() != '"' {
			panic(errJSONDoubt)
		}
		raw, ok := s.piece(skel)
		if !ok {
			panic(errJSONDoubt) // a key over jsonPieceMax
		}
		// The key outlives the batch its piece belongs to: copy it.
		k, _ := s.j.quoted(raw, 0)
		k = strings.Clone(k)
		mark := len(s.j.origin)
		s.j.origin = appendJSONKey(s.j.origin, k)
		if s.walk && jsonKeyData(k) {
			s.w.emit(s.j.arena.str(string(s.j.origin), "#key"), k)
		}
		s.skipSpace()
		s.expect(':')
		s.value(k, depth, skel)
		s.j.origin = s.j.origin[:mark]
		if s.closes('}') {
			return
		}
	}
}

// array reads an array too large to be one piece, element by element.
func (s *jsonStream) array(key string, depth, skel int) {
	s.expect('[')
	s.skipSpace()
	if s.peek() == ']' {
		s.pos++
		return
	}
	for idx := 0; ; idx++ {
		mark := len(s.j.origin)
		s.j.origin = append(strconv.AppendInt(append(s.j.origin, '['), int64(idx), 10), ']')
		s.value(key, depth, skel)
		s.j.origin = s.j.origin[:mark]
		if s.closes(']') {
			return
		}
	}
}

// closes steps over what follows a container's member or element: its
// closing byte end (true) or a ',' (false, another follows).
func (s *jsonStream) closes(end byte) bool {
	s.skipSpace()
	switch s.peek() {
	case end:
		s.pos++
		return true
	case ',':
		s.pos++
		return false
	}
	panic(errJSONDoubt)
}

// bigString reads a string value too large to be one piece: walking, its
// text goes to the stream in windows; checking, it is decoded and thrown
// away. Either way it must be text jsonWalker.str would only emit.
func (s *jsonStream) bigString() {
	s.expect('"')
	d := &jsonStrDec{s: s}
	if s.walk {
		s.flush()
		origin := s.j.arena.bytes(s.j.origin)
		s.w.streamWindows(origin, StreamWindow, true, d.fill)
		if !d.done && !d.bad {
			panic(errStop) // the walk stopped inside the string
		}
	} else {
		scratch := make([]byte, 64<<10)
		for !d.done && !d.bad {
			d.fill(scratch)
		}
	}
	if d.bad || d.doubt() {
		panic(errJSONDoubt)
	}
}

// flushFull hands the segments over once they hold a window of text.
func (s *jsonStream) flushFull() {
	if s.w.res.TextBytes-s.flushedAt >= StreamWindow {
		s.flush()
	}
}

// flush hands the segments read since the last batch to Input.Batch.
func (s *jsonStream) flush() {
	w := s.w
	if !s.walk {
		return
	}
	if len(w.res.Segments) > s.from {
		w.batch(w.res.Segments[s.from:])
		clear(w.res.Segments[s.from:])
		w.res.Segments = w.res.Segments[:s.from]
	}
	// Only segments refer to the pieces (keys are copied, and what
	// nested readings keep is their own).
	s.flushedAt = w.res.TextBytes
	s.pieces = s.pieces[:0]
}

// jsonStrDec decodes a JSON string from the body as jsonWalker.quoted
// does, checking it as scanJSONString does, and notes what in its text
// jsonWalker.str or textExtras would read otherwise.
type jsonStrDec struct {
	s         *jsonStream
	done, bad bool // the closing quote was read; the string is not valid JSON in UTF-8
	started   bool // the text's first non-space character was looked at
	lead      bool // it starts like JSON or a data: URL
	amp, semi bool // '&' and ';' seen (HTML character references)
	pct       int  // %XX escapes seen
	pctTail   []byte
	run       int  // base64 alphabet run at the end of the text so far
	b64       bool // a run long enough for base64Runs
	other     bool // a byte base64Doc does not accept
}

// doubt reports whether the string, read to its end, holds text that
// jsonWalker.str or textExtras would read in another way than as text.
func (d *jsonStrDec) doubt() bool {
	return !d.started || d.lead || d.amp && d.semi || d.pct >= percentMin || d.b64 || !d.other
}

// fill decodes the next bytes of the string into dst (at least
// utf8.UTFMax long) and reports how many; last is set at the closing
// quote or when the string is not valid (bad).
func (d *jsonStrDec) fill(dst []byte) (int, bool) {
	s := d.s
	out := 0
	for out+utf8.UTFMax <= len(dst) {
		b, eof := s.window(s.pos)
		lim := len(b)
		if !eof {
			lim -= jsonLookahead
		}
		if len(b) == 0 {
			d.bad = true
			break
		}
		bs := aliasString(b)
		i := 0
		for i < lim && out+utf8.UTFMax <= len(dst) {
			// Text up to the next quote, backslash or control character,
			// eight bytes at a time, then byte by byte, checked as UTF-8
			// and copied in one piece; a run cut by the room left or the
			// lookahead ends before the character it cuts.
			j, end := i, min(lim, i+len(dst)-out)
			for j+8 <= end && !special8(load8(bs, j)) {
				j += 8
			}
			for j < end && jsonStringPlain[b[j]] {
				j++
			}
			if j == end {
				for k := j; k > i && k > j-utf8.UTFMax; k-- {
					if utf8.RuneStart(b[k-1]) {
						if !utf8.FullRune(b[k-1 : j]) {
							j = k - 1
						}
						break
					}
				}
			}
			if j > i {
				if !utf8.Valid(b[i:j]) {
					d.bad = true // not UTF-8: the old walk decodes the body otherwise
					d.note(dst[:out])
					return out, true
				}
				out += copy(dst[out:], b[i:j])
				i = j
				continue
			}
			switch c := b[i]; {
			case c == '"':
				s.pos += int64(i) + 1
				d.done = true
				d.note(dst[:out])
				return out, true
			case c == '\\':
				k, size := d.escape(b[i:], dst[out:])
				if size == 0 {
					d.bad = true
					d.note(dst[:out])
					return out, true
				}
				out += k
				i += size
			case c < 0x20:
				d.bad = true
				d.note(dst[:out])
				return out, true
			default:
				r, size := utf8.DecodeRune(b[i:])
				if r == utf8.RuneError && size <= 1 {
					d.bad = true // not UTF-8: the old walk decodes the body otherwise
					d.note(dst[:out])
					return out, true
				}
				out += copy(dst[out:], b[i:i+size])
				i += size
			}
		}
		s.pos += int64(i)
	}
	d.note(dst[:out])
	return out, d.bad
}

// escape decodes the escape at the start of b into dst as appendUnquoted
// does: how many bytes it wrote and read (read 0: not a valid escape).
func (d *jsonStrDec) escape(b, dst []byte) (wrote, read int) {
	r, size := jsonEscape(aliasString(b))
	if size == 0 {
		return 0, 0
	}
	return utf8.EncodeRune(dst, r), size
}

// note looks at the next decoded text t for what doubt reports.
func (d *jsonStrDec) note(t []byte) {
	if len(t) == 0 {
		return
	}
	if !d.started {
		lead := bytes.TrimLeftFunc(t, unicode.IsSpace)
		if len(lead) == 0 {
			return // still white space (a long run of it is doubt: !started)
		}
		d.started = true
		d.lead = lead[0] == '{' || lead[0] == '[' || bytes.HasPrefix(lead, []byte("data:")) || len(lead) < 5 && bytes.HasPrefix([]byte("data:"), lead)
	}
	d.amp = d.amp || bytes.IndexByte(t, '&') >= 0
	d.semi = d.semi || bytes.IndexByte(t, ';') >= 0
	// %XX escapes, one cut by the end of the last text included.
	if bytes.IndexByte(t, '%') >= 0 || len(d.pctTail) > 0 {
		u := append(d.pctTail, t[:min(len(t), 2)]...)
		for i := 0; i+2 < len(u); i++ {
			if u[i] == '%' && i < len(d.pctTail) && isHexDigit(u[i+1]) && isHexDigit(u[i+2]) {
				d.pct++
			}
		}
		for i := 0; i+2 < len(t); i++ {
			if t[i] == '%' && isHexDigit(t[i+1]) && isHexDigit(t[i+2]) {
				d.pct++
			}
		}
		d.pctTail = append(d.pctTail[:0], t[max(0, len(t)-2):]...)
	}
	if d.b64 {
		return // doubt already, whatever follows
	}
	// Branch-free: the run grows through the base64 alphabets and drops
	// to 0 at any other byte.
	run, longest, other := d.run, 0, uint8(0)
	for _, c := range t {
		k := b64Class[c]
		run = (run + 1) & b64Keep[k]
		longest = max(longest, run)
		other |= k >> 1
	}
	d.run, d.other = run, d.other || other != 0
	// Two '=' of padding can make a 22-character run 24 long.
	d.b64 = longest >= b64Min-2
}

// b64Class is 1 for the base64 alphabets (b64Table), 0 for the other
// bytes base64Doc accepts ('=', CR, LF), 2 for the rest; b64Keep keeps a
// run going through class 1 only.
var (
	b64Class = func() (t [256]uint8) {
		for c := range t {
			switch {
			case b64Table[c]:
				t[c] = 1
			case c != '=' && c != '\r' && c != '\n':
				t[c] = 2
			}
		}
		return t
	}()
	b64Keep = [3]int{0, -1, 0}
)
