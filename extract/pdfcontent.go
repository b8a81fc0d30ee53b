package extract

import (
	"bytes"
	"strconv"
)

// Content streams are most of a text PDF's bytes, and boxing each of their
// tokens in an interface (pdfLexer.value) cost an allocation or two per
// token. cLexer reads the same syntax as pdfLexer.next into typed operands
// that live in reused slices: strings are decoded into one scratch buffer,
// names and keywords are slices of the content. run (pdftext.go) resets
// both at every operator. Semantics follow pdfLexer exactly (the same
// tokens, numbers that do not parse read as 0, stray ')' skipped, arrays
// and dictionaries nested at most 64 deep); only what the text operators
// use is kept: numbers, strings, names, and arrays of strings and numbers.

type cKind uint8

const (
	cNone  cKind = iota // end of input
	cNum                // num
	cStr                // str[lo:hi]
	cName               // b[lo:hi] (undecoded #xx)
	cKw                 // b[lo:hi]: an operator (or true/false/null)
	cDelim              // delim: [ ] { } < (dict open) > (dict close)
	// Operand kinds only:
	cArr   // array elements arr[lo:hi]
	cOther // a value no text operator reads (dict, nested array, nil)
)

// cTok holds no pointer (names and keywords are ranges of the content):
// operands and array elements are copied into reused slices by the
// hundred thousand, without write barriers.
type cTok struct {
	num    float64
	lo, hi int // cStr: range in cLexer.str (in cLexer.b if inB); cArr: in cLexer.arr; cName, cKw: in cLexer.b
	kind   cKind
	delim  byte
	inB    bool
}

type cLexer struct {
	b   []byte
	pos int
	str []byte // decoded strings of the current operator's operands
	arr []cTok // elements of the current operator's array operands
}

// reset forgets the operands of the operator just run.
func (l *cLexer) reset() { l.str, l.arr = l.str[:0], l.arr[:0] }

func (l *cLexer) bytesOf(t *cTok) []byte {
	if t.inB {
		return l.b[t.lo:t.hi]
	}
	return l.str[t.lo:t.hi]
}

// rawOf is the text of a name (without its '/') or keyword token.
func (l *cLexer) rawOf(t *cTok) []byte { return l.b[t.lo:t.hi] }

// next reads one token into t (pdfLexer.next without allocating).
func (l *cLexer) next(t *cTok) {
	for {
		l.pos = skipPDFSpace(l.b, l.pos)
		if l.pos >= len(l.b) {
			t.kind = cNone
			return
		}
		c := l.b[l.pos]
		switch tokStart[c] { // a jump table, not a chain of compares
		case tkBracket:
			l.pos++
			t.kind, t.delim = cDelim, c
			return
		case tkLess:
			if l.pos+1 < len(l.b) && l.b[l.pos+1] == '<' {
				l.pos += 2
				t.kind, t.delim = cDelim, '<'
				return
			}
			l.hexString(t)
			return
		case tkGreater:
			l.pos++
			if l.pos < len(l.b) && l.b[l.pos] == '>' {
				l.pos++
			}
			t.kind, t.delim = cDelim, '>'
			return
		case tkLParen:
			l.literalString(t)
			return
		case tkRParen:
			l.pos++
			continue
		case tkSlash:
			l.pos++
			start := l.pos
			for l.pos < len(l.b) && pdfClass[l.b[l.pos]] == 0 {
				l.pos++
			}
			t.kind, t.lo, t.hi = cName, start, l.pos
			return
		case tkNum:
			t.kind, t.num = cNum, l.number()
			return
		default: // tkOther
			start := l.pos
			for l.pos < len(l.b) && pdfClass[l.b[l.pos]] == 0 {
				l.pos++
			}
			if l.pos == start {
				l.pos++ // stray byte
			}
			t.kind, t.lo, t.hi = cKw, start, l.pos
			return
		}
	}
}

// Token starts, by first byte (white space and comments are skipped
// before).
const (
	tkOther   = iota // a keyword (operator) or a stray byte
	tkBracket        // [ ] { }
	tkLess           // < (hex string or dictionary open)
	tkGreater        // >
	tkLParen         // (
	tkRParen         // ) (stray, skipped)
	tkSlash          // /name
	tkNum            // + - . 0-9
)

var tokStart = func() (t [256]uint8) {
	for _, c := range []byte("[]{}") {
		t[c] = tkBracket
	}
	t['<'], t['>'], t['('], t[')'], t['/'] = tkLess, tkGreater, tkLParen, tkRParen, tkSlash
	for _, c := range []byte("+-.0123456789") {
		t[c] = tkNum
	}
	return t
}()

// number reads the number token at l.pos: the bytes pdfLexer.next takes
// (a sign, '.' or digit, then digits, '.' and '-'), read as parsePDFNum
// reads them, in the same pass for a plain decimal of up to 15 digits.
func (l *cLexer) number() float64 {
	if f, end, ok := intAt(l.b, l.pos); ok {
		l.pos = end
		return f
	}
	return l.numberSlow()
}

// intAt reads the number token at b[p] when it is an integer, signed or
// not, of up to 15 digits (most numbers: one tight loop), the value the
// general reading computes for it (frac 0); ok is false for any other
// token, left to numberSlow.
func intAt(b []byte, p int) (f float64, end int, ok bool) {
	start := p
	if b[p] == '-' || b[p] == '+' {
		p++
	}
	var mant uint64
	d := p
	for p < len(b) && b[p]-'0' < 10 {
		mant = mant*10 + uint64(b[p]-'0')
		p++
	}
	if n := p - d; n == 0 || n > 15 || p < len(b) && (b[p] == '.' || b[p] == '-') {
		return 0, start, false
	}
	f = float64(mant)
	if b[start] == '-' {
		f = -f
	}
	return f, p, true
}

// numberSlow is number for any token: a sign, '.' or digit, then digits,
// '.' and '-'.
func (l *cLexer) numberSlow() float64 {
	b, start := l.b, l.pos
	c := b[start]
	var mant uint64
	digits, frac := 0, 0
	dot, odd := c == '.', false
	if c >= '0' && c <= '9' {
		mant, digits = uint64(c-'0'), 1
	}
	p := start + 1
	for ; p < len(b); p++ {
		c := b[p]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
			continue
		case c == '.':
			odd = odd || dot
			dot = true
			continue
		case c == '-':
			odd = true
			continue
		}
		break
	}
	l.pos = p
	if odd || digits == 0 || digits > 15 {
		return parsePDFNum(b[start:p])
	}
	// Integers (most operands: kerning, coordinates) skip the division:
	// x/1 is x, and the division's latency showed in the profile.
	f := float64(mant)
	if frac > 0 {
		f /= pow10[frac]
	}
	if c == '-' {
		f = -f
	}
	return f
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// parsePDFNum is strconv.ParseFloat of a number token, 0 when it does not
// parse. Plain decimals of up to 15 digits are computed directly (an
// exact integer divided by an exact power of ten is the correctly rounded
// result, as ParseFloat's own fast path); anything else goes to ParseFloat.
func parsePDFNum(b []byte) float64 {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i++
	}
	var mant uint64
	digits, frac, dot := 0, 0, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			digits = 99 // a second '.' or a '-' inside: let ParseFloat decide
		}
	}
	if digits == 0 || digits > 15 {
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return 0
		}
		return f
	}
	f := float64(mant) / pow10[frac]
	if neg {
		f = -f
	}
	return f
}

func (l *cLexer) hexString(t *cTok) {
	lo := len(l.str)
	l.str, l.pos = appendPDFHex(l.str, l.b, l.pos)
	t.kind, t.lo, t.hi, t.inB = cStr, lo, len(l.str), false
}

// litSpecial are the bytes that end a literal string's plain run.
var litSpecial = [256]bool{'(': true, ')': true, '\\': true}

// literalString reads a literal string. One without escapes or nested
// parentheses (most) is the range of the content it spans, not a copy;
// the others are decoded into l.str by appendPDFLiteral.
//
// The plain case is found with IndexByte (vectorised): the first ')' with
// neither '(' nor '\\' before it. A Tj string is often a whole line, and
// byte by byte that scan was a twentieth of the content's time. (TJ array
// elements, a few letters each, are scanned bytewise by arrayElem.)
func (l *cLexer) literalString(t *cTok) {
	b := l.b
	start := l.pos + 1
	if k := bytes.IndexByte(b[start:], ')'); k >= 0 {
		if s := b[start : start+k]; bytes.IndexByte(s, '\\') < 0 && bytes.IndexByte(s, '(') < 0 {
			t.kind, t.lo, t.hi, t.inB = cStr, start, start+k, true
			l.pos = start + k + 1
			return
		}
	}
	lo := len(l.str)
	l.str, l.pos = appendPDFLiteral(l.str, l.b, l.pos)
	t.kind, t.lo, t.hi, t.inB = cStr, lo, len(l.str), false
}

// appendPDFHex appends the bytes of the hex string starting at b[pos]
// ('<') to dst and returns the position after its '>'.
func appendPDFHex(dst, b []byte, pos int) ([]byte, int) {
	pos++ // '<'
	hi := -1
	for pos < len(b) && b[pos] != '>' {
		v := hexVal(b[pos])
		pos++
		if v < 0 {
			continue
		}
		if hi < 0 {
			hi = v
		} else {
			dst = append(dst, byte(hi<<4|v))
			hi = -1
		}
	}
	if hi >= 0 {
		dst = append(dst, byte(hi<<4))
	}
	return dst, pos + 1 // '>'
}

// appendPDFLiteral appends the bytes of the literal string starting at
// b[pos] ('(') to dst, escapes and nested parentheses resolved, and
// returns the position after its closing ')' (len(b) when unclosed).
func appendPDFLiteral(dst, b []byte, pos int) ([]byte, int) {
	pos++ // '('
	depth := 1
	for pos < len(b) {
		// Copy the run up to the next byte that matters in one go.
		if k := indexParenOrEscape(b[pos:]); k > 0 {
			dst = append(dst, b[pos:pos+k]...)
			pos += k
			continue
		} else if k < 0 {
			return append(dst, b[pos:]...), len(b)
		}
		c := b[pos]
		pos++
		switch c {
		case '(':
			depth++
			dst = append(dst, c)
		case ')':
			depth--
			if depth == 0 {
				return dst, pos
			}
			dst = append(dst, c)
		case '\\':
			if pos >= len(b) {
				return dst, pos
			}
			e := b[pos]
			pos++
			switch e {
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case '\r':
				if pos < len(b) && b[pos] == '\n' {
					pos++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && pos < len(b) && b[pos] >= '0' && b[pos] <= '7'; k++ {
						v = v*8 + int(b[pos]-'0')
						pos++
					}
					dst = append(dst, byte(v))
				} else {
					dst = append(dst, e)
				}
			}
		}
	}
	return dst, pos
}

// indexParenOrEscape is the index of the first '(', ')' or '\\' in b, -1
// if none.
func indexParenOrEscape(b []byte) int {
	for i, c := range b {
		if c == '(' || c == ')' || c == '\\' {
			return i
		}
	}
	return -1
}

// operand reads the operand that starts with tok into op, as
// pdfLexer.value(tok, false, depth) would, keeping only what the text
// operators read.
func (l *cLexer) operand(tok *cTok, op *cTok, depth int) {
	if depth > 64 {
		op.kind = cOther
		return
	}
	switch tok.kind {
	case cDelim:
		switch tok.delim {
		case '[':
			l.array(op, depth)
		case '<':
			l.skipDict(depth)
			op.kind = cOther
		default:
			op.kind = cOther // value() of a lone delimiter is nil
		}
	case cKw:
		op.kind = cOther // true, false, null (only inside arrays)
	default:
		*op = *tok
	}
}

// array reads an array's elements onto l.arr; op gets their range. Only
// strings and numbers are kept (all TJ reads); nested values are consumed.
//
// A TJ array is strings and numbers one space apart: those are read here
// straight onto l.arr (a plain literal string as its range of the
// content, a number as number reads it), the same tokens next would
// return; anything else goes through next.
func (l *cLexer) array(op *cTok, depth int) {
	lo := len(l.arr)
	var n, v cTok
	for {
		if depth+1 <= 64 {
			l.arrayElems()
		}
		l.next(&n)
		if n.kind == cNone || n.kind == cDelim && n.delim == ']' {
			break
		}
		if n.kind == cDelim && (n.delim == '>' || n.delim == '}') {
			continue
		}
		if (n.kind == cStr || n.kind == cNum) && depth+1 <= 64 {
			l.arr = append(l.arr, n) // what operand would copy to v
			continue
		}
		mark := len(l.arr)
		l.operand(&n, &v, depth+1)
		l.arr = l.arr[:mark] // a nested array's elements are not kept
		if v.kind == cStr || v.kind == cNum {
			l.arr = append(l.arr, v)
		}
	}
	op.kind, op.lo, op.hi = cArr, lo, len(l.arr)
}

// arrayElems appends the array elements from l.pos on that are numbers
// or strings to l.arr, as next reads them, and stops (l.pos after white
// space only) at the first other token (']', a nested value) or a number
// that is not a plain integer, for next to read on. One loop with the
// position and the slice in registers, not a call per element.
func (l *cLexer) arrayElems() {
	b, p, arr := l.b, l.pos, l.arr
	for {
		if p < len(b) && b[p] == ' ' {
			p++ // the usual single space, before the general skip
		}
		p = skipPDFSpace(b, p)
		if p >= len(b) {
			break
		}
		switch tokStart[b[p]] {
		case tkNum:
			f, end, ok := intAt(b, p)
			if !ok {
				l.pos, l.arr = p, arr
				return
			}
			arr = append(arr, cTok{kind: cNum, num: f})
			p = end
			continue
		case tkLParen:
			q := p + 1
			for q < len(b) && !litSpecial[b[q]] {
				q++
			}
			if q < len(b) && b[q] == ')' {
				arr = append(arr, cTok{kind: cStr, lo: p + 1, hi: q, inB: true})
				p = q + 1
				continue
			}
			lo := len(l.str)
			l.str, p = appendPDFLiteral(l.str, b, p)
			arr = append(arr, cTok{kind: cStr, lo: lo, hi: len(l.str)})
			continue
		case tkLess:
			if p+1 < len(b) && b[p+1] == '<' {
				break // a dictionary
			}
			lo := len(l.str)
			l.str, p = appendPDFHex(l.str, b, p)
			arr = append(arr, cTok{kind: cStr, lo: lo, hi: len(l.str)})
			continue
		}
		break
	}
	l.pos, l.arr = p, arr
}

// skipDict consumes a dictionary as pdfLexer.value does.
func (l *cLexer) skipDict(depth int) {
	var k, v, sink cTok
	for {
		l.next(&k)
		if k.kind == cNone || k.kind == cDelim && k.delim == '>' {
			return
		}
		if k.kind != cName {
			if k.kind == cKw {
				if kw := l.rawOf(&k); bytes.Equal(kw, []byte("stream")) || bytes.Equal(kw, []byte("endobj")) {
					l.pos -= len(kw)
					return
				}
			}
			continue
		}
		l.next(&v)
		if v.kind == cDelim && v.delim == '>' {
			return
		}
		l.operand(&v, &sink, depth+1)
	}
}
