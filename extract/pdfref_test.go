package extract

// A frozen copy of the content-stream interpreter as it was before the
// fast path (pdftext.go, pdfcontent.go at 8f08474): the reference the
// equivalence test and FuzzPDFTextRun compare the current one against.
// Do not "fix" or speed it up; it is the definition of the expected text.

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

type rKind uint8

const (
	rNone  rKind = iota // end of input
	rNum                // refNum
	rStr                // str[lo:hi]
	rName               // raw (undecoded #xx)
	rKw                 // raw: an operator (or true/false/null)
	rDelim              // delim: [ ] { } < (dict open) > (dict close)
	// Operand kinds only:
	rArr   // array elements arr[lo:hi]
	rOther // a value no text operator reads (dict, nested array, nil)
)

type rTok struct {
	kind   rKind
	delim  byte
	refNum float64
	lo, hi int // rStr: range in refLexer.str; rArr: range in refLexer.arr
	raw    []byte
}

type refLexer struct {
	b   []byte
	pos int
	str []byte // decoded strings of the current operator's operands
	arr []rTok // elements of the current operator's array operands
}

// reset forgets the operands of the operator just run.
func (l *refLexer) reset() { l.str, l.arr = l.str[:0], l.arr[:0] }

func (l *refLexer) bytesOf(t *rTok) []byte { return l.str[t.lo:t.hi] }

// next reads one token into t (pdfLexer.next without allocating).
func (l *refLexer) next(t *rTok) {
	for {
		l.pos = skipPDFSpace(l.b, l.pos)
		if l.pos >= len(l.b) {
			t.kind = rNone
			return
		}
		c := l.b[l.pos]
		switch {
		case c == '[' || c == ']' || c == '{' || c == '}':
			l.pos++
			t.kind, t.delim = rDelim, c
			return
		case c == '<':
			if l.pos+1 < len(l.b) && l.b[l.pos+1] == '<' {
				l.pos += 2
				t.kind, t.delim = rDelim, '<'
				return
			}
			l.hexString(t)
			return
		case c == '>':
			l.pos++
			if l.pos < len(l.b) && l.b[l.pos] == '>' {
				l.pos++
			}
			t.kind, t.delim = rDelim, '>'
			return
		case c == '(':
			l.literalString(t)
			return
		case c == ')':
			l.pos++
			continue
		case c == '/':
			l.pos++
			start := l.pos
			for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
				l.pos++
			}
			t.kind, t.raw = rName, l.b[start:l.pos]
			return
		case c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9':
			start := l.pos
			l.pos++
			for l.pos < len(l.b) && (l.b[l.pos] >= '0' && l.b[l.pos] <= '9' || l.b[l.pos] == '.' || l.b[l.pos] == '-') {
				l.pos++
			}
			t.kind, t.refNum = rNum, parsePDFNum(l.b[start:l.pos])
			return
		default:
			start := l.pos
			for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
				l.pos++
			}
			if l.pos == start {
				l.pos++ // stray byte
			}
			t.kind, t.raw = rKw, l.b[start:l.pos]
			return
		}
	}
}

func (l *refLexer) hexString(t *rTok) {
	lo := len(l.str)
	l.str, l.pos = refAppendHex(l.str, l.b, l.pos)
	t.kind, t.lo, t.hi = rStr, lo, len(l.str)
}

func (l *refLexer) literalString(t *rTok) {
	lo := len(l.str)
	l.str, l.pos = refAppendLiteral(l.str, l.b, l.pos)
	t.kind, t.lo, t.hi = rStr, lo, len(l.str)
}

// operand reads the operand that starts with tok into op, as
// pdfLexer.value(tok, false, depth) would, keeping only what the text
// operators read.
func (l *refLexer) operand(tok *rTok, op *rTok, depth int) {
	if depth > 64 {
		op.kind = rOther
		return
	}
	switch tok.kind {
	case rDelim:
		switch tok.delim {
		case '[':
			l.array(op, depth)
		case '<':
			l.skipDict(depth)
			op.kind = rOther
		default:
			op.kind = rOther // value() of a lone delimiter is nil
		}
	case rKw:
		op.kind = rOther // true, false, null (only inside arrays)
	default:
		*op = *tok
	}
}

// array reads an array's elements onto l.arr; op gets their range. Only
// strings and numbers are kept (all TJ reads); nested values are consumed.
func (l *refLexer) array(op *rTok, depth int) {
	lo := len(l.arr)
	var n, v rTok
	for {
		l.next(&n)
		if n.kind == rNone || n.kind == rDelim && n.delim == ']' {
			break
		}
		if n.kind == rDelim && (n.delim == '>' || n.delim == '}') {
			continue
		}
		mark := len(l.arr)
		l.operand(&n, &v, depth+1)
		l.arr = l.arr[:mark] // a nested array's elements are not kept
		if v.kind == rStr || v.kind == rNum {
			l.arr = append(l.arr, v)
		}
	}
	op.kind, op.lo, op.hi = rArr, lo, len(l.arr)
}

// skipDict consumes a dictionary as pdfLexer.value does.
func (l *refLexer) skipDict(depth int) {
	var k, v, sink rTok
	for {
		l.next(&k)
		if k.kind == rNone || k.kind == rDelim && k.delim == '>' {
			return
		}
		if k.kind != rName {
			if k.kind == rKw && (bytes.Equal(k.raw, []byte("stream")) || bytes.Equal(k.raw, []byte("endobj"))) {
				l.pos -= len(k.raw)
				return
			}
			continue
		}
		l.next(&v)
		if v.kind == rDelim && v.delim == '>' {
			return
		}
		l.operand(&v, &sink, depth+1)
	}
}

// refTextRun interprets a content stream's text operators. It tracks where
// text lands (text and line matrices, glyph advances from the font widths)
// so that a move to another baseline is a line break, a gap on the same
// baseline a space (a wide one a tab, for table columns), and glyphs placed
// one by one still read as words.
type refTextRun struct {
	d     *pdfDoc
	sb    *strings.Builder
	font  *pdfFont
	fs    float64 // font size (Tf)
	tl    float64 // leading (TL)
	a, d2 float64 // line matrix scale
	e, f  float64 // line matrix origin (user space, rotation ignored)
	px    float64 // advance since the line origin, text space
	// End of the last text shown, user space.
	lastX, lastY float64
	started      bool
	lastRune     rune
	forms        map[*pStream]bool
	scratch      []byte // decoded text of the string being shown
}

func (t *refTextRun) newline() {
	s := t.sb.String()
	if len(s) > 0 && s[len(s)-1] != '\n' {
		t.sb.WriteByte('\n')
	}
}

func (t *refTextRun) sep(c byte) {
	s := t.sb.String()
	if len(s) > 0 && s[len(s)-1] != ' ' && s[len(s)-1] != '\n' && s[len(s)-1] != '\t' {
		t.sb.WriteByte(c)
	}
}

func (t *refTextRun) moveTo(e, f float64) {
	t.e, t.f, t.px = e, f, 0
}

func (t *refTextRun) show(s pStr) {
	if t.font == nil {
		t.font = &pdfFont{}
	}
	t.scratch = append(t.scratch[:0], decodeRef(t.font, s)...)
	text := aliasString(t.scratch) // written to sb below, not kept
	em := t.fs * absf(t.a)
	if em == 0 {
		em = 1
	}
	x, y := t.e+t.px*t.a, t.f
	if t.started && text != "" {
		dy := absf(y - t.lastY)
		gap := x - t.lastX
		first, _ := utf8.DecodeRuneInString(text)
		cjkJoin := isCJK(t.lastRune) && isCJK(first)
		switch {
		case dy > 0.4*t.fs*absf(t.d2) && dy > 0.01:
			t.newline()
		case gap > 3*em:
			t.sep('\t')
		case gap > 0.2*em && !(cjkJoin && gap < 0.6*em):
			t.sep(' ')
		case gap < -1.5*em:
			// A move back on the same baseline (or estimated advances
			// that overshot) still starts a new word.
			t.sep(' ')
		}
	}
	if text != "" {
		t.sb.WriteString(text)
		r, _ := utf8.DecodeLastRuneInString(text)
		t.lastRune = r
		t.started = true
	}
	t.px += refAdvance(t.font, s) * t.fs / 1000
	t.lastX, t.lastY = t.e+t.px*t.a, t.f
}

func refNum(ops []rTok, i int) float64 {
	if i < 0 || i >= len(ops) || ops[i].kind != rNum {
		return 0
	}
	return ops[i].refNum
}

// run interprets one content stream. Operands are typed (pdfcontent.go):
// no allocation per token.
func (t *refTextRun) run(content []byte, res pDict, depth int) {
	if depth > 8 || len(content) == 0 {
		return
	}
	if t.a == 0 {
		t.a, t.d2 = 1, 1
	}
	fonts := t.d.dict(res["Font"])
	xobjs := t.d.dict(res["XObject"])
	l := &refLexer{b: content}
	var ops []rTok
	var tok rTok
	for {
		if t.d.w.tick() {
			return
		}
		if int64(t.sb.Len()) > t.d.w.room() {
			return
		}
		l.next(&tok)
		if tok.kind == rNone {
			return
		}
		if tok.kind != rKw {
			if len(ops) > 64 {
				ops = ops[:0] // garbage: never let operands pile up
				l.reset()
			}
			ops = append(ops, rTok{})
			l.operand(&tok, &ops[len(ops)-1], 0)
			continue
		}
		n := len(ops)
		switch string(tok.raw) {
		case "BT":
			t.a, t.d2 = 1, 1
			t.moveTo(0, 0)
		case "Tf":
			if n >= 2 {
				if ops[n-2].kind == rName {
					t.font = t.d.font(fonts[unescapeName(ops[n-2].raw)])
				}
				t.fs = refNum(ops, n-1)
			}
		case "TL":
			t.tl = refNum(ops, n-1)
		case "Tj":
			if n >= 1 && ops[n-1].kind == rStr {
				t.show(l.bytesOf(&ops[n-1]))
			}
		case "'", "\"":
			t.moveTo(t.e, t.f-t.tl*t.d2)
			if n >= 1 && ops[n-1].kind == rStr {
				t.show(l.bytesOf(&ops[n-1]))
			}
		case "TJ":
			if n >= 1 && ops[n-1].kind == rArr {
				for _, e := range l.arr[ops[n-1].lo:ops[n-1].hi] {
					switch e.kind {
					case rStr:
						t.show(l.bytesOf(&e))
					case rNum:
						t.px -= e.refNum / 1000 * t.fs
					}
				}
			}
		case "Td", "TD":
			if n >= 2 {
				tx, ty := refNum(ops, n-2), refNum(ops, n-1)
				if string(tok.raw) == "TD" {
					t.tl = -ty
				}
				t.moveTo(t.e+tx*t.a, t.f+ty*t.d2)
			}
		case "Tm":
			if n >= 6 {
				t.a, t.d2 = refNum(ops, n-6), refNum(ops, n-3)
				if t.a == 0 {
					// Rotated text: keep a unit scale for gap estimates.
					t.a = 1
				}
				if t.d2 == 0 {
					t.d2 = 1
				}
				t.moveTo(refNum(ops, n-2), refNum(ops, n-1))
			}
		case "T*":
			t.moveTo(t.e, t.f-t.tl*t.d2)
		case "Do":
			if n >= 1 && ops[n-1].kind == rName {
				if s, ok := t.d.resolve(xobjs[unescapeName(ops[n-1].raw)]).(*pStream); ok && s.dict["Subtype"] == pName("Form") {
					if t.forms == nil {
						t.forms = map[*pStream]bool{}
					}
					if !t.forms[s] {
						t.forms[s] = true
						sub := t.d.dict(s.dict["Resources"])
						if sub == nil {
							sub = res
						}
						saved := *t
						t.newline()
						t.run(t.d.decodeStream(s), sub, depth+1)
						t.font, t.fs, t.a, t.d2, t.e, t.f, t.px = saved.font, saved.fs, saved.a, saved.d2, saved.e, saved.f, saved.px
						t.newline()
					}
				}
			}
		case "BI":
			// Inline image: skip to "EI" after the "ID" data.
			if i := bytes.Index(l.b[l.pos:], []byte("ID")); i >= 0 {
				l.pos += i + 2
				for l.pos < len(l.b) {
					j := bytes.Index(l.b[l.pos:], []byte("EI"))
					if j < 0 {
						l.pos = len(l.b)
						break
					}
					at := l.pos + j
					l.pos = at + 2
					if at > 0 && isPDFSpace(l.b[at-1]) && (l.pos >= len(l.b) || isPDFSpace(l.b[l.pos])) {
						break
					}
				}
			}
		}
		ops = ops[:0]
		l.reset()
	}
}

// refAdvance is pdfFont.advance as it was (kept frozen, also the reference
// for the one-byte-code width table): the width of the shown string in
// thousandths of an em. Without
// widths, it estimates: 1 em for CJK, half an em otherwise.
func refAdvance(f *pdfFont, s []byte) float64 {
	var w float64
	for i := 0; i < len(s); {
		n := 1
		if f.twoByte || len(f.ranges) > 0 {
			n = min(f.codeLen(s[i:]), len(s)-i)
		}
		code := codeVal(s[i : i+n])
		switch {
		case f.knownWidths:
			if v, ok := f.widths[code]; ok {
				w += v
			} else {
				w += f.defWidth
			}
		case f.twoByte:
			w += 1000
		default:
			w += 500
		}
		i += n
	}
	return w
}

// refAppendHex appends the bytes of the hex string starting at b[pos]
// ('<') to dst and returns the position after its '>'.
func refAppendHex(dst, b []byte, pos int) ([]byte, int) {
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

// refAppendLiteral appends the bytes of the literal string starting at
// b[pos] ('(') to dst, escapes and nested parentheses resolved, and
// returns the position after its closing ')' (len(b) when unclosed).
func refAppendLiteral(dst, b []byte, pos int) ([]byte, int) {
	pos++ // '('
	depth := 1
	for pos < len(b) {
		// Copy the run up to the next byte that matters in one go.
		if k := refIndexParenOrEscape(b[pos:]); k > 0 {
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

// refIndexParenOrEscape is the index of the first '(', ')' or '\\' in b, -1
// if none.
func refIndexParenOrEscape(b []byte) int {
	for i, c := range b {
		if c == '(' || c == ')' || c == '\\' {
			return i
		}
	}
	return -1
}

// refTidyLines trims trailing spaces and collapses blank-line runs.
func refTidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
