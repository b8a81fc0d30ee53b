package extract

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner is a minimal streaming XML tokenizer for the machine-written
// XML of office documents. encoding/xml allocates per token and reads large
// worksheets at ~15 MB/s; this reads the same parts several times faster by
// handing out slices of its buffer. It does no validation: it only needs
// element names, a few attributes and character data.
type xmlScanner struct {
	r    io.Reader
	buf  []byte
	pos  int
	end  int
	err  error
	text []byte // scratch for unescaped character data
}

type xmlTokKind int

const (
	xmlNone xmlTokKind = iota
	xmlStart
	xmlEnd
	xmlSelfClose // <x/>: reported as a start; Next then reports the end
	xmlChars
)

type xmlTok struct {
	kind  xmlTokKind
	local []byte // local name (prefix stripped)
	attrs []byte // raw attribute text of a start tag
	text  []byte // unescaped character data
}

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, 64<<10)}
}

// scanner is newXMLScanner reusing the walker's spare buffer; release
// gives it back once nothing refers to the scanner's tokens any more.
func (w *walker) scanner(r io.Reader) *xmlScanner {
	if b := w.scanBuf; b != nil {
		w.scanBuf = nil
		return &xmlScanner{r: r, buf: b}
	}
	return newXMLScanner(r)
}

func (w *walker) release(sc *xmlScanner) {
	if len(sc.buf) <= 1<<20 {
		w.scanBuf = sc.buf
	}
	sc.buf, sc.r = nil, nil
}

// fill makes more input available, keeping buf[pos:end]. It reports false
// at the end of the input.
func (s *xmlScanner) fill() bool {
	if s.err != nil {
		return false
	}
	if s.pos > 0 {
		copy(s.buf, s.buf[s.pos:s.end])
		s.end -= s.pos
		s.pos = 0
	}
	if s.end == len(s.buf) {
		// A single token larger than the buffer: grow (bounded by the
		// entry's own size limit upstream).
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err != nil {
		s.err = err
		return n > 0
	}
	return true
}

// indexFrom finds sep at or after pos, reading more input as needed; it
// returns the offset relative to s.pos, or -1 at the end of the input.
func (s *xmlScanner) indexFrom(off int, sep []byte) int {
	for {
		if i := bytes.Index(s.buf[s.pos+off:s.end], sep); i >= 0 {
			return off + i
		}
		searched := s.end - s.pos - len(sep) + 1
		if searched > off {
			off = searched
		}
		if !s.fill() {
			return -1
		}
	}
}

// next returns the next token; kind xmlNone at the end (s.err says why).
func (s *xmlScanner) next(tok *xmlTok) {
	for {
		if s.pos >= s.end && !s.fill() {
			tok.kind = xmlNone
			return
		}
		if s.buf[s.pos] != '<' {
			i := s.indexFrom(0, []byte("<"))
			if i < 0 {
				i = s.end - s.pos
			}
			tok.kind = xmlChars
			tok.text = s.unescape(s.buf[s.pos : s.pos+i])
			s.pos += i
			return
		}
		// Markup. Make sure a few bytes are there to classify it.
		for s.end-s.pos < 9 && s.fill() {
		}
		rest := s.buf[s.pos:s.end]
		switch {
		case len(rest) > 1 && rest[1] != '!' && rest[1] != '?':
			// An element tag: the common case, no prefix tests.
		case bytes.HasPrefix(rest, []byte("<!--")):
			if i := s.indexFrom(4, []byte("-->")); i >= 0 {
				s.pos += i + 3
			} else {
				s.pos = s.end
			}
			continue
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i := s.indexFrom(9, []byte("]]>"))
			if i < 0 {
				i = s.end - s.pos
				tok.text = append(s.text[:0], s.buf[s.pos+9:s.end]...)
				s.pos = s.end
			} else {
				tok.text = append(s.text[:0], s.buf[s.pos+9:s.pos+i]...)
				s.pos += i + 3
			}
			tok.kind = xmlChars
			return
		case bytes.HasPrefix(rest, []byte("<?")), bytes.HasPrefix(rest, []byte("<!")):
			if i := s.indexFrom(2, []byte(">")); i >= 0 {
				s.pos += i + 1
			} else {
				s.pos = s.end
			}
			continue
		}
		i := s.tagEnd()
		if i < 0 {
			s.pos = s.end
			tok.kind = xmlNone
			return
		}
		tag := s.buf[s.pos+1 : s.pos+i] // without < and >
		s.pos += i + 1
		kind := xmlStart
		if len(tag) > 0 && tag[0] == '/' {
			kind = xmlEnd
			tag = tag[1:]
		} else if len(tag) > 0 && tag[len(tag)-1] == '/' {
			kind = xmlSelfClose
			tag = tag[:len(tag)-1]
		}
		n, colon := 0, -1
		for n < len(tag) && !isXMLSpace(tag[n]) {
			if tag[n] == ':' && colon < 0 {
				colon = n
			}
			n++
		}
		name := tag[colon+1 : n] // prefix stripped
		tok.kind, tok.local, tok.attrs = kind, name, tag[n:]
		return
	}
}

// nameByte marks the bytes nextFast accepts in element and attribute
// names; a tag with any other byte in a name goes the generic way.
var nameByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':'
	}
	return t
}()

// nextFast is next for the hot loops (worksheets, shared strings, document
// bodies): the same tokens, but a tag of the plain form (<p:name a="v" b='w'>,
// </name>, <name/>) that lies wholly in the buffer is read in one pass
// over its bytes, and character data is unescaped only when the caller
// wants it (unescape false: tok.text is the raw bytes). Anything else
// (comments, CDATA, odd spacing, a tag across the buffer's end) is left
// to next, which also reads more input exactly when next alone would:
// a member's reads, and so its limit and damage reports, fall at the same
// points.
func (s *xmlScanner) nextFast(tok *xmlTok, unescape bool) {
	if s.pos < s.end {
		b := s.buf[s.pos:s.end]
		if b[0] != '<' {
			if i := bytes.IndexByte(b, '<'); i >= 0 {
				t := b[:i]
				if unescape {
					t = s.unescape(t)
				}
				tok.kind, tok.text = xmlChars, t
				s.pos += i
				return
			}
		} else if len(b) >= 9 && s.plainTag(tok, b) {
			return
		}
	}
	s.next(tok)
}

// plainTag reads the element tag at the start of b (b[0] is '<') when it
// has the plain form; false leaves everything to next. For a plain tag
// it yields what next would: the same '>' (quoted values are jumped over
// the same way), kind, local name and attribute text.
func (s *xmlScanner) plainTag(tok *xmlTok, b []byte) bool {
	i, kind := 1, xmlStart
	if b[1] == '/' {
		i, kind = 2, xmlEnd
	}
	n0, colon := i, -1
	for i < len(b) && nameByte[b[i]] {
		if b[i] == ':' && colon < 0 {
			colon = i
		}
		i++
	}
	if i == n0 {
		return false
	}
	n1, slash := i, -1
	for {
		if i >= len(b) {
			return false
		}
		c := b[i]
		if c == '>' {
			break
		}
		if c == '/' {
			if kind == xmlEnd || i+1 >= len(b) || b[i+1] != '>' {
				return false
			}
			slash, kind = i, xmlSelfClose
			i++
			break
		}
		if !isXMLSpace(c) {
			return false
		}
		for i++; i < len(b) && isXMLSpace(b[i]); i++ {
		}
		if i >= len(b) {
			return false
		}
		if c := b[i]; c == '>' || c == '/' {
			continue
		}
		k := i
		for i < len(b) && nameByte[b[i]] {
			i++
		}
		if i == k || i+1 >= len(b) || b[i] != '=' {
			return false
		}
		q := b[i+1]
		if q != '"' && q != '\'' {
			return false
		}
		j := bytes.IndexByte(b[i+2:], q)
		if j < 0 {
			return false
		}
		i += j + 3
	}
	name := b[n0:n1]
	if colon >= 0 {
		name = b[colon+1 : n1]
	}
	attrEnd := i
	if slash >= 0 {
		attrEnd = slash
	}
	tok.kind, tok.local, tok.attrs = kind, name, b[n1:attrEnd]
	s.pos += i + 1
	return true
}

// tagEnd finds the '>' closing the tag at s.pos, skipping quoted values
// ('>' may appear inside one). One pass over the tag: tags are short, and
// a byte loop beat three bytes.IndexByte/Count calls per tag; a quoted
// value is jumped over with IndexByte.
func (s *xmlScanner) tagEnd() int {
	for {
		rest := s.buf[s.pos+1 : s.end]
		for i := 0; i < len(rest); i++ {
			switch c := rest[i]; c {
			case '>':
				return 1 + i
			case '"', '\'':
				j := bytes.IndexByte(rest[i+1:], c)
				if j < 0 {
					i = len(rest)
					break
				}
				i += 1 + j
			}
		}
		// The tag goes on past the buffered input: read more and look
		// again from its start (fill may move it).
		if !s.fill() {
			return -1
		}
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// attr returns the value of the attribute with the given local name.
func (t *xmlTok) attr(name string) (string, bool) {
	v, ok := t.rawAttr(name)
	if !ok {
		return "", false
	}
	return string(unescapeXML(nil, v)), true
}

// rawAttrs3 is rawAttr for three names in one pass over the attributes
// (a spreadsheet cell's s, t and r).
func (t *xmlTok) rawAttrs3(n1, n2, n3 string) (v1, v2, v3 []byte, ok1, ok2, ok3 bool) {
	a := t.attrs
	for len(a) > 0 {
		for len(a) > 0 && isXMLSpace(a[0]) {
			a = a[1:]
		}
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return
		}
		key := a[:eq]
		for len(key) > 0 && isXMLSpace(key[len(key)-1]) {
			key = key[:len(key)-1]
		}
		if c := bytes.IndexByte(key, ':'); c >= 0 {
			key = key[c+1:]
		}
		a = a[eq+1:]
		for len(a) > 0 && isXMLSpace(a[0]) {
			a = a[1:]
		}
		if len(a) == 0 || a[0] != '"' && a[0] != '\'' {
			return
		}
		end := bytes.IndexByte(a[1:], a[0])
		if end < 0 {
			return
		}
		val := a[1 : 1+end]
		a = a[2+end:]
		switch string(key) {
		case n1:
			if !ok1 {
				v1, ok1 = val, true
			}
		case n2:
			if !ok2 {
				v2, ok2 = val, true
			}
		case n3:
			if !ok3 {
				v3, ok3 = val, true
			}
		}
	}
	return
}

// rawAttr returns the attribute's value as written (entities not decoded),
// in place: for hot loops that read plain values such as a cell's "s",
// "t" and "r" without allocating.
func (t *xmlTok) rawAttr(name string) ([]byte, bool) {
	a := t.attrs
	for len(a) > 0 {
		for len(a) > 0 && isXMLSpace(a[0]) {
			a = a[1:]
		}
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return nil, false
		}
		key := a[:eq]
		for len(key) > 0 && isXMLSpace(key[len(key)-1]) {
			key = key[:len(key)-1]
		}
		if c := bytes.IndexByte(key, ':'); c >= 0 {
			key = key[c+1:]
		}
		a = a[eq+1:]
		for len(a) > 0 && isXMLSpace(a[0]) {
			a = a[1:]
		}
		if len(a) == 0 || a[0] != '"' && a[0] != '\'' {
			return nil, false
		}
		q := a[0]
		end := bytes.IndexByte(a[1:], q)
		if end < 0 {
			return nil, false
		}
		val := a[1 : 1+end]
		a = a[2+end:]
		if string(key) == name {
			return val, true
		}
	}
	return nil, false
}

func (s *xmlScanner) unescape(b []byte) []byte {
	if bytes.IndexByte(b, '&') < 0 {
		return b
	}
	s.text = unescapeXML(s.text[:0], b)
	return s.text
}

var errXMLTruncated = errors.New("xml truncated")

// unescapeXML decodes the five predefined entities and character references
// (HTML named entities never appear in OOXML/ODF).
func unescapeXML(dst, b []byte) []byte {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		semi := bytes.IndexByte(b, ';')
		if semi < 0 || semi > 12 {
			dst = append(dst, '&')
			b = b[1:]
			continue
		}
		ent := string(b[1:semi])
		switch ent {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			var v uint64
			var err error = errXMLTruncated
			if len(ent) > 1 && ent[0] == '#' {
				if ent[1] == 'x' || ent[1] == 'X' {
					v, err = strconv.ParseUint(ent[2:], 16, 32)
				} else {
					v, err = strconv.ParseUint(ent[1:], 10, 32)
				}
			}
			if err != nil || v > utf8.MaxRune {
				dst = append(dst, b[:semi+1]...)
			} else {
				dst = utf8.AppendRune(dst, rune(v))
			}
		}
		b = b[semi+1:]
	}
	return dst
}
