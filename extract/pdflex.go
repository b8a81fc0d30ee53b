package extract

import (
	"bytes"
	"math"
	"strconv"
)

// PDF object model: just enough to find pages, fonts and content streams.
type (
	pName    string
	pKeyword string
	pStr     []byte
	pArray   []any
	pDict    map[string]any
	pRef     struct{ num, gen int }
	pStream  struct {
		dict pDict
		raw  []byte
	}
	pDelim byte // '[' ']' '<' (dict open) '>' (dict close) '{' '}'
)

// pdfLexer tokenizes PDF syntax (file bodies and content streams alike).
type pdfLexer struct {
	b   []byte
	pos int
	in  *lexIntern // nil: every value boxed anew
}

// lexIntern holds the boxed names, keywords and small integers a
// document's lexers return, so that each distinct one is allocated once:
// a file body repeats /Type /Font /Length, obj, R, 0 by the thousand, and
// boxing each was most of the allocations of reading one. The values are
// the same (strings and floats, never written); only their allocation is
// shared. Bounded: past maxInterned names or keywords, new ones are
// boxed anew.
type lexIntern struct {
	names map[string]any // by the raw name (before #xx unescaping)
	kws   map[string]any
	ints  [256]any // float64(i), boxed on first use
}

const maxInterned = 4096

func newLexIntern() *lexIntern {
	return &lexIntern{names: map[string]any{}, kws: map[string]any{}}
}

func (in *lexIntern) name(raw []byte) any {
	if v, ok := in.names[string(raw)]; ok {
		return v
	}
	v := any(pName(unescapeName(raw)))
	if len(in.names) < maxInterned {
		in.names[string(raw)] = v
	}
	return v
}

func (in *lexIntern) keyword(raw []byte) any {
	if v, ok := in.kws[string(raw)]; ok {
		return v
	}
	v := any(pKeyword(raw))
	if len(in.kws) < maxInterned {
		in.kws[string(raw)] = v
	}
	return v
}

// number boxes f, from the table when it is a small non-negative
// integer (not -0, which is a different float).
func (in *lexIntern) number(f float64) any {
	if i := int(f); f >= 0 && f < float64(len(in.ints)) && float64(i) == f && !math.Signbit(f) {
		if in.ints[i] == nil {
			in.ints[i] = f
		}
		return in.ints[i]
	}
	return f
}

func isPDFSpace(c byte) bool { return pdfClass[c]&pdfSpaceBit != 0 }

func isPDFDelim(c byte) bool { return pdfClass[c]&pdfDelimBit != 0 }

// pdfClass classes every byte: white space (NUL, HT, LF, FF, CR, space)
// and delimiters, one table load instead of a chain of compares.
var pdfClass = func() (t [256]uint8) {
	for _, c := range []byte{' ', '\n', '\r', '\t', '\f', 0} {
		t[c] |= pdfSpaceBit
	}
	for _, c := range []byte("()<>[]{}/%") {
		t[c] |= pdfDelimBit
	}
	return t
}()

const (
	pdfSpaceBit = 1 << iota
	pdfDelimBit
)

func (l *pdfLexer) skipSpace() { l.pos = skipPDFSpace(l.b, l.pos) }

// skipPDFSpace returns the first position at or after pos that is neither
// white space nor inside a comment.
func skipPDFSpace(b []byte, pos int) int {
	for pos < len(b) {
		c := b[pos]
		if isPDFSpace(c) {
			pos++
			continue
		}
		if c == '%' {
			for pos < len(b) && b[pos] != '\n' && b[pos] != '\r' {
				pos++
			}
			continue
		}
		return pos
	}
	return pos
}

// next returns the next token, or nil at the end.
func (l *pdfLexer) next() any {
	l.skipSpace()
	if l.pos >= len(l.b) {
		return nil
	}
	c := l.b[l.pos]
	switch {
	case c == '[' || c == ']' || c == '{' || c == '}':
		l.pos++
		return pDelim(c)
	case c == '<':
		if l.pos+1 < len(l.b) && l.b[l.pos+1] == '<' {
			l.pos += 2
			return pDelim('<')
		}
		return l.hexString()
	case c == '>':
		l.pos++
		if l.pos < len(l.b) && l.b[l.pos] == '>' {
			l.pos++
		}
		return pDelim('>')
	case c == '(':
		return l.literalString()
	case c == ')':
		l.pos++
		return l.next()
	case c == '/':
		l.pos++
		start := l.pos
		for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
			l.pos++
		}
		if l.in != nil {
			return l.in.name(l.b[start:l.pos])
		}
		return pName(unescapeName(l.b[start:l.pos]))
	case c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9':
		start := l.pos
		l.pos++
		for l.pos < len(l.b) && (l.b[l.pos] >= '0' && l.b[l.pos] <= '9' || l.b[l.pos] == '.' || l.b[l.pos] == '-') {
			l.pos++
		}
		f := parsePDFNum(l.b[start:l.pos]) // ParseFloat, 0 when it fails
		if l.in != nil {
			return l.in.number(f)
		}
		return f
	default:
		start := l.pos
		for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
			l.pos++
		}
		if l.pos == start {
			l.pos++ // stray byte
		}
		if l.in != nil {
			return l.in.keyword(l.b[start:l.pos])
		}
		return pKeyword(l.b[start:l.pos])
	}
}

func unescapeName(b []byte) string {
	if bytes.IndexByte(b, '#') < 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) {
			if v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (l *pdfLexer) hexString() pStr {
	out, pos := appendPDFHex(nil, l.b, l.pos)
	l.pos = pos
	return pStr(out)
}

func (l *pdfLexer) literalString() pStr {
	out, pos := appendPDFLiteral(nil, l.b, l.pos)
	l.pos = pos
	return pStr(out)
}

// value parses one object starting with tok; refs ("N G R") are recognised
// when refs is set (file bodies, not content streams).
func (l *pdfLexer) value(tok any, refs bool, depth int) any {
	if depth > 64 {
		return nil
	}
	switch t := tok.(type) {
	case pDelim:
		switch t {
		case '[':
			var arr pArray
			for {
				n := l.next()
				if n == nil || n == pDelim(']') {
					return arr
				}
				if d, ok := n.(pDelim); ok && (d == '>' || d == '}') {
					continue
				}
				arr = append(arr, l.value(n, refs, depth+1))
			}
		case '<':
			d := pDict{}
			for {
				k := l.next()
				if k == nil || k == pDelim('>') {
					return d
				}
				name, ok := k.(pName)
				if !ok {
					if kw, ok := k.(pKeyword); ok && (kw == "stream" || kw == "endobj") {
						l.pos -= len(kw)
						return d
					}
					continue
				}
				v := l.next()
				if v == pDelim('>') {
					d[string(name)] = nil
					return d
				}
				d[string(name)] = l.value(v, refs, depth+1)
			}
		}
		return nil
	case float64:
		if refs && t >= 0 && t == float64(int(t)) {
			save := l.pos
			if g, ok := l.next().(float64); ok && g >= 0 && g == float64(int(g)) {
				if kw, ok := l.next().(pKeyword); ok && kw == "R" {
					return pRef{int(t), int(g)}
				}
			}
			l.pos = save
		}
		return tok // t boxed again would be allocated again
	case pKeyword:
		switch t {
		case "true":
			return true
		case "false":
			return false
		case "null":
			return nil
		}
		return tok
	}
	return tok
}
