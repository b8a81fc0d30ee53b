package extract

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// textRun interprets a content stream's text operators. It tracks where
// text lands (text and line matrices, glyph advances from the font widths)
// so that a move to another baseline is a line break, a gap on the same
// baseline a space (a wide one a tab, for table columns), and glyphs placed
// one by one still read as words.
type textRun struct {
	d     *pdfDoc
	out   []byte // the text shown so far
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
	// undecodable, when set, reports a form it runs that does not decode
	// (appearances: pdfappear.go).
	undecodable func()
}

func (t *textRun) newline() {
	s := t.out
	if len(s) > 0 && s[len(s)-1] != '\n' {
		t.out = append(t.out, '\n')
	}
}

func (t *textRun) sep(c byte) {
	s := t.out
	if len(s) > 0 && s[len(s)-1] != ' ' && s[len(s)-1] != '\n' && s[len(s)-1] != '\t' {
		t.out = append(t.out, c)
	}
}

func (t *textRun) moveTo(e, f float64) {
	t.e, t.f, t.px = e, f, 0
}

func isCJK(r rune) bool {
	return r >= 0x2e80 && r <= 0x9fff || r >= 0xac00 && r <= 0xd7af || r >= 0xf900 && r <= 0xfaff || r >= 0xff00 && r <= 0xffef || r >= 0x20000 && r <= 0x3ffff
}

func (t *textRun) show(s pStr) {
	if t.font == nil {
		t.font = &pdfFont{}
	}
	// The text is decoded straight onto the output; a separator it needs
	// is slipped in before it (text is one string's worth).
	start := len(t.out)
	t.out = t.font.decodeAppend(t.out, s)
	text := t.out[start:]
	em := t.fs * absf(t.a)
	if em == 0 {
		em = 1
	}
	x, y := t.e+t.px*t.a, t.f
	if t.started && len(text) > 0 {
		dy := absf(y - t.lastY)
		gap := x - t.lastX
		first := rune(text[0])
		if first >= utf8.RuneSelf {
			first, _ = utf8.DecodeRune(text)
		}
		cjkJoin := isCJK(t.lastRune) && isCJK(first)
		switch {
		case dy > 0.4*t.fs*absf(t.d2) && dy > 0.01:
			t.sepBefore(start, '\n')
		case gap > 3*em:
			t.sepBefore(start, '\t')
		case gap > 0.2*em && !(cjkJoin && gap < 0.6*em):
			t.sepBefore(start, ' ')
		case gap < -1.5*em:
			// A move back on the same baseline (or estimated advances
			// that overshot) still starts a new word.
			t.sepBefore(start, ' ')
		}
	}
	if len(text) > 0 {
		r := rune(t.out[len(t.out)-1])
		if r >= utf8.RuneSelf {
			r, _ = utf8.DecodeLastRune(t.out)
		}
		t.lastRune = r
		t.started = true
	}
	t.px += t.font.advance(s) * t.fs / 1000
	t.lastX, t.lastY = t.e+t.px*t.a, t.f
}

// sepBefore inserts c at i (where the text just decoded starts) as
// newline (c == '\n') or sep would have appended it before the text.
func (t *textRun) sepBefore(i int, c byte) {
	if i == 0 {
		return
	}
	switch last := t.out[i-1]; {
	case last == '\n':
		return
	case c != '\n' && (last == ' ' || last == '\t'):
		return
	}
	t.out = append(t.out, 0)
	copy(t.out[i+1:], t.out[i:])
	t.out[i] = c
}

// nameValue is dict[unescapeName(raw)], without a string allocated for
// a name with no #xx escape.
func nameValue(dict pDict, raw []byte) any {
	if bytes.IndexByte(raw, '#') < 0 {
		return dict[string(raw)]
	}
	return dict[unescapeName(raw)]
}

func absf(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func num(ops []cTok, i int) float64 {
	if i < 0 || i >= len(ops) || ops[i].kind != cNum {
		return 0
	}
	return ops[i].num
}

// run interprets one content stream. Operands are typed (pdfcontent.go):
// no allocation per token.
func (t *textRun) run(content []byte, res pDict, depth int) {
	if depth > 8 || len(content) == 0 {
		return
	}
	if t.a == 0 {
		t.a, t.d2 = 1, 1
	}
	fonts := t.d.dict(res["Font"])
	xobjs := t.d.dict(res["XObject"])
	l := &cLexer{b: content}
	var ops []cTok
	if depth == 0 {
		// The page's run reuses the buffers of the one before (a form's
		// run, inside it, has its own).
		l.str, l.arr, ops = t.d.lexStr[:0], t.d.lexArr[:0], t.d.ops[:0]
		defer func() { t.d.lexStr, t.d.lexArr, t.d.ops = l.str, l.arr, ops }()
	}
	var tok cTok
	for {
		if t.d.w.tick() {
			return
		}
		if int64(len(t.out)) > t.d.w.room() {
			return
		}
		l.next(&tok)
		if tok.kind == cNone {
			return
		}
		if tok.kind != cKw {
			if len(ops) > 64 {
				ops = ops[:0] // garbage: never let operands pile up
				l.reset()
			}
			ops = append(ops, cTok{})
			l.operand(&tok, &ops[len(ops)-1], 0)
			continue
		}
		n := len(ops)
		switch string(l.rawOf(&tok)) {
		case "BT":
			t.a, t.d2 = 1, 1
			t.moveTo(0, 0)
		case "Tf":
			if n >= 2 {
				if ops[n-2].kind == cName {
					t.font = t.d.font(nameValue(fonts, l.rawOf(&ops[n-2])))
				}
				t.fs = num(ops, n-1)
			}
		case "TL":
			t.tl = num(ops, n-1)
		case "Tj":
			if n >= 1 && ops[n-1].kind == cStr {
				t.show(l.bytesOf(&ops[n-1]))
			}
		case "'", "\"":
			t.moveTo(t.e, t.f-t.tl*t.d2)
			if n >= 1 && ops[n-1].kind == cStr {
				t.show(l.bytesOf(&ops[n-1]))
			}
		case "TJ":
			if n >= 1 && ops[n-1].kind == cArr {
				arr := l.arr[ops[n-1].lo:ops[n-1].hi]
				for i := range arr {
					switch e := &arr[i]; e.kind {
					case cStr:
						t.show(l.bytesOf(e))
					case cNum:
						t.px -= e.num / 1000 * t.fs
					}
				}
			}
		case "Td", "TD":
			if n >= 2 {
				tx, ty := num(ops, n-2), num(ops, n-1)
				if string(l.rawOf(&tok)) == "TD" {
					t.tl = -ty
				}
				t.moveTo(t.e+tx*t.a, t.f+ty*t.d2)
			}
		case "Tm":
			if n >= 6 {
				t.a, t.d2 = num(ops, n-6), num(ops, n-3)
				if t.a == 0 {
					// Rotated text: keep a unit scale for gap estimates.
					t.a = 1
				}
				if t.d2 == 0 {
					t.d2 = 1
				}
				t.moveTo(num(ops, n-2), num(ops, n-1))
			}
		case "T*":
			t.moveTo(t.e, t.f-t.tl*t.d2)
		case "Do":
			if n >= 1 && ops[n-1].kind == cName {
				if s, ok := t.d.resolve(nameValue(xobjs, l.rawOf(&ops[n-1]))).(*pStream); ok && s.dict["Subtype"] == pName("Form") {
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
						t.run(t.form(s), sub, depth+1)
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

// form is the decoded content of the form s, reported to t.undecodable
// (when set) if it does not decode.
func (t *textRun) form(s *pStream) []byte {
	content := t.d.decodeStream(s)
	if len(content) == 0 && len(s.raw) > 0 && t.undecodable != nil {
		t.undecodable()
	}
	return content
}

// pdfFont maps character codes of shown strings to Unicode.
type pdfFont struct {
	toUni    map[uint32]string // key: code | len<<24
	ranges   []codeRange       // codespace ranges (byte lengths)
	twoByte  bool              // composite font without codespace info
	legacy   encoding.Encoding // CJK predefined CMap in a legacy charset
	utf16    bool              // UCS2/UTF16 predefined CMap
	simple   *[256]rune        // simple font encoding
	unmapped bool              // Identity-H without ToUnicode
	// Glyph widths (thousandths of an em) by code/CID.
	widths      map[uint32]float64
	defWidth    float64
	knownWidths bool
	width1      *[256]float64  // widths by byte code, built by advance
	simple8     *[256]utf8Code // simple as UTF-8, built by decodeAppend
	asciiSame   bool           // simple maps printable ASCII to itself (set with simple8)
}

// utf8Code is the UTF-8 of one byte code of a simple font (n == 0: the
// code shows nothing).
type utf8Code struct {
	b uint32 // the bytes, little-endian, zero-padded
	n uint32
}

// advance is the width of the shown string in thousandths of an em. Without
// widths, it estimates: 1 em for CJK, half an em otherwise.
func (f *pdfFont) advance(s []byte) float64 {
	var w float64
	if !f.twoByte && len(f.ranges) == 0 {
		// One byte per code: a table, not a map lookup per glyph. The
		// sum runs in the same order, so it is the same float.
		if !f.knownWidths {
			return 500 * float64(len(s)) // exact: sums of 500 are integers
		}
		if f.width1 == nil {
			f.width1 = new([256]float64)
			for c := range f.width1 {
				if v, ok := f.widths[uint32(c)]; ok {
					f.width1[c] = v
				} else {
					f.width1[c] = f.defWidth
				}
			}
		}
		for _, c := range s {
			w += f.width1[c]
		}
		return w
	}
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

// loadWidths reads /FirstChar + /Widths (simple fonts) or the descendant
// font's /DW and /W (composite fonts).
func (d *pdfDoc) loadWidths(f *pdfFont, fd pDict, composite bool) {
	f.widths = map[uint32]float64{}
	if composite {
		desc, _ := d.resolve(fd["DescendantFonts"]).(pArray)
		if len(desc) == 0 {
			return
		}
		cf := d.dict(desc[0])
		if cf == nil {
			return
		}
		f.defWidth = 1000
		if dw, ok := d.resolve(cf["DW"]).(float64); ok {
			f.defWidth = dw
		}
		f.knownWidths = true
		arr, _ := d.resolve(cf["W"]).(pArray)
		total := 0
		for i := 0; i < len(arr) && total < 1<<16; {
			c0, ok := d.resolve(arr[i]).(float64)
			if !ok || i+1 >= len(arr) {
				return
			}
			switch nx := d.resolve(arr[i+1]).(type) {
			case pArray:
				for k, x := range nx {
					if v, ok := d.resolve(x).(float64); ok {
						f.widths[uint32(c0)+uint32(k)] = v
						total++
					}
				}
				i += 2
			case float64:
				if i+2 >= len(arr) {
					return
				}
				v, _ := d.resolve(arr[i+2]).(float64)
				for c := c0; c <= nx && total < 1<<16; c++ {
					f.widths[uint32(c)] = v
					total++
				}
				i += 3
			default:
				return
			}
		}
		return
	}
	first, ok1 := d.resolve(fd["FirstChar"]).(float64)
	ws, ok2 := d.resolve(fd["Widths"]).(pArray)
	if !ok1 || !ok2 {
		return
	}
	for k, x := range ws {
		if v, ok := d.resolve(x).(float64); ok && k < 256 {
			f.widths[uint32(first)+uint32(k)] = v
		}
	}
	if desc := d.dict(fd["FontDescriptor"]); desc != nil {
		f.defWidth, _ = d.resolve(desc["MissingWidth"]).(float64)
	}
	f.knownWidths = len(f.widths) > 0
}

type codeRange struct{ lo, hi []byte }

func (d *pdfDoc) font(ref any) *pdfFont {
	key := ref // a pRef, not boxed again
	if _, ok := ref.(pRef); !ok {
		key = nil
	}
	if key != nil {
		if f, ok := d.fonts[key]; ok {
			return f
		}
	}
	f := d.buildFont(d.dict(ref))
	if key != nil {
		d.fonts[key] = f
	}
	if f.unmapped {
		d.noMap = true
	}
	return f
}

func (d *pdfDoc) buildFont(fd pDict) *pdfFont {
	f := &pdfFont{}
	if fd == nil {
		return f
	}
	sub, _ := fd["Subtype"].(pName)
	enc := d.resolve(fd["Encoding"])
	if sub == "Type0" {
		f.twoByte = true
		if name, ok := enc.(pName); ok {
			n := string(name)
			switch {
			case strings.Contains(n, "UCS2") || strings.Contains(n, "UTF16"):
				f.utf16 = true
			case strings.Contains(n, "B5") || strings.Contains(n, "ETen") || strings.Contains(n, "HKscs") || strings.Contains(n, "CNS-EUC"):
				f.legacy = traditionalchinese.Big5
			case strings.Contains(n, "GB") && !strings.Contains(n, "UCS") && !strings.Contains(n, "UTF"):
				f.legacy = simplifiedchinese.GB18030
			}
		}
	}
	if s, ok := d.resolve(fd["ToUnicode"]).(*pStream); ok {
		d.parseCMap(f, d.decodeStream(s))
	}
	d.loadWidths(f, fd, sub == "Type0")
	if sub == "Type0" {
		if len(f.toUni) == 0 && !f.utf16 && f.legacy == nil {
			f.unmapped = true
		}
		return f
	}
	// Simple font: base encoding plus /Differences.
	table := winAnsi
	var diffs pArray
	switch e := enc.(type) {
	case pName:
		table = baseEncoding(string(e))
	case pDict:
		if b, ok := e["BaseEncoding"].(pName); ok {
			table = baseEncoding(string(b))
		}
		diffs, _ = d.resolve(e["Differences"]).(pArray)
	}
	t := *table
	code := 0
	for _, x := range diffs {
		switch v := x.(type) {
		case float64:
			code = int(v)
		case pName:
			if code >= 0 && code < 256 {
				if r := glyphRune(string(v)); r != 0 {
					t[code] = r
				}
			}
			code++
		}
	}
	f.simple = &t
	return f
}

var winAnsi, macRoman, latin1 = buildTable(charmap.Windows1252), buildTable(charmap.Macintosh), buildTable(charmap.ISO8859_1)

func buildTable(cm *charmap.Charmap) *[256]rune {
	var t [256]rune
	for i := range t {
		t[i] = cm.DecodeByte(byte(i))
	}
	return &t
}

func baseEncoding(name string) *[256]rune {
	switch name {
	case "MacRomanEncoding":
		return macRoman
	case "StandardEncoding", "PDFDocEncoding":
		return latin1
	}
	return winAnsi
}

var glyphNames = map[string]rune{
	"space": ' ', "exclam": '!', "quotedbl": '"', "numbersign": '#', "dollar": '$', "percent": '%',
	"ampersand": '&', "quotesingle": '\'', "quoteright": '\'', "quoteleft": '\'', "parenleft": '(', "parenright": ')',
	"asterisk": '*', "plus": '+', "comma": ',', "hyphen": '-', "minus": '-', "period": '.', "slash": '/',
	"zero": '0', "one": '1', "two": '2', "three": '3', "four": '4', "five": '5', "six": '6', "seven": '7',
	"eight": '8', "nine": '9', "colon": ':', "semicolon": ';', "less": '<', "equal": '=', "greater": '>',
	"question": '?', "at": '@', "bracketleft": '[', "backslash": '\\', "bracketright": ']',
	"asciicircum": '^', "underscore": '_', "grave": '`', "braceleft": '{', "bar": '|', "braceright": '}',
	"asciitilde": '~', "bullet": '•', "endash": '–', "emdash": '—', "quotedblleft": '"', "quotedblright": '"',
	"nbspace": ' ', "fi": 'ﬁ', "fl": 'ﬂ', "sterling": '£', "yen": '¥', "Euro": '€', "degree": '°',
}

// glyphRune maps an Adobe glyph name to a rune (ASCII letters, common
// punctuation, uniXXXX and uXXXX forms).
func glyphRune(n string) rune {
	if i := strings.IndexByte(n, '.'); i > 0 {
		n = n[:i]
	}
	if len(n) == 1 {
		return rune(n[0])
	}
	if r, ok := glyphNames[n]; ok {
		return r
	}
	if strings.HasPrefix(n, "uni") && len(n) >= 7 {
		if v, err := strconv.ParseUint(n[3:7], 16, 32); err == nil {
			return rune(v)
		}
	}
	if strings.HasPrefix(n, "u") && len(n) >= 5 && len(n) <= 7 {
		if v, err := strconv.ParseUint(n[1:], 16, 32); err == nil {
			return rune(v)
		}
	}
	return 0
}

// parseCMap reads a ToUnicode CMap: codespace ranges, bfchar and bfrange.
func (d *pdfDoc) parseCMap(f *pdfFont, b []byte) {
	f.toUni = map[uint32]string{}
	l := d.lexer(b, 0)
	var ops []any
	mode := ""
	for {
		if d.w.tick() {
			return
		}
		tok := l.next()
		if tok == nil {
			return
		}
		if kw, ok := tok.(pKeyword); ok {
			switch string(kw) {
			case "begincodespacerange", "beginbfchar", "beginbfrange", "begincidrange", "begincidchar":
				mode = string(kw)
			case "endcodespacerange", "endbfchar", "endbfrange", "endcidrange", "endcidchar":
				mode = ""
			}
			ops = ops[:0]
			continue
		}
		v := l.value(tok, false, 0)
		ops = append(ops, v)
		switch mode {
		case "begincodespacerange":
			if len(ops) == 2 {
				lo, ok1 := ops[0].(pStr)
				hi, ok2 := ops[1].(pStr)
				if ok1 && ok2 && len(lo) == len(hi) && len(lo) > 0 && len(lo) <= 4 {
					f.ranges = append(f.ranges, codeRange{lo, hi})
				}
				ops = ops[:0]
			}
		case "beginbfchar":
			if len(ops) == 2 {
				src, ok1 := ops[0].(pStr)
				if ok1 && len(src) > 0 && len(src) <= 4 {
					switch dst := ops[1].(type) {
					case pStr:
						f.toUni[codeKey(src)] = utf16BEString(dst)
					case pName:
						if r := glyphRune(string(dst)); r != 0 {
							f.toUni[codeKey(src)] = string(r)
						}
					}
				}
				ops = ops[:0]
			}
		case "beginbfrange":
			if len(ops) == 3 {
				lo, ok1 := ops[0].(pStr)
				hi, ok2 := ops[1].(pStr)
				if ok1 && ok2 && len(lo) == len(hi) && len(lo) > 0 && len(lo) <= 4 {
					a, b := codeVal(lo), codeVal(hi)
					if b >= a && b-a <= 0xffff && len(f.toUni) < maxCMapEntries {
						switch dst := ops[2].(type) {
						case pStr:
							base := []rune(utf16BEString(dst))
							for c := a; c <= b && len(base) > 0; c++ {
								r := append([]rune(nil), base...)
								r[len(r)-1] += rune(c - a)
								f.toUni[uint32(len(lo))<<24|c] = string(r)
							}
						case pArray:
							for i, x := range dst {
								if s, ok := x.(pStr); ok && a+uint32(i) <= b {
									f.toUni[uint32(len(lo))<<24|(a+uint32(i))] = utf16BEString(s)
								}
							}
						}
					}
				}
				ops = ops[:0]
			}
		default:
			if len(ops) > 8 {
				ops = ops[:0]
			}
		}
	}
}

// maxCMapEntries bounds one font's map (a CMap of many full-range
// bfranges would otherwise allocate millions of strings).
const maxCMapEntries = 1 << 17

func codeVal(b []byte) uint32 {
	var v uint32
	for _, c := range b {
		v = v<<8 | uint32(c)
	}
	return v
}

func codeKey(b []byte) uint32 { return uint32(len(b))<<24 | codeVal(b) }

func utf16BEString(b []byte) string {
	if len(b)%2 == 1 {
		// Some writers emit single bytes for ASCII.
		if len(b) == 1 {
			return string(rune(b[0]))
		}
		b = b[:len(b)-1]
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// decodeAppend appends the text of a shown string's bytes to dst (no
// allocation for the common simple and ToUnicode fonts).
func (f *pdfFont) decodeAppend(dst, s []byte) []byte {
	switch {
	case f.utf16:
		return append(dst, utf16BEString(s)...)
	case f.legacy != nil && len(f.toUni) == 0:
		return append(dst, decodeWith(f.legacy, s)...)
	case len(f.toUni) > 0:
		for i := 0; i < len(s); {
			n := f.codeLen(s[i:])
			if i+n > len(s) {
				n = len(s) - i
			}
			if u, ok := f.toUni[codeKey(s[i:i+n])]; ok {
				dst = append(dst, u...)
			} else if n == 1 && f.simple != nil {
				dst = utf8.AppendRune(dst, f.simple[s[i]])
			} else if n == 1 && s[i] >= 0x20 && s[i] < 0x7f {
				dst = append(dst, s[i])
			}
			i += n
		}
		return dst
	case f.twoByte:
		return dst // unmapped CIDs: nothing trustworthy to emit
	case f.simple != nil:
		// A table of the codes' UTF-8, not an encoding per glyph.
		if f.simple8 == nil {
			f.simple8 = new([256]utf8Code)
			for c, r := range f.simple {
				if r != 0 && r != utf8.RuneError {
					var b [4]byte
					e := &f.simple8[c]
					e.n = uint32(len(utf8.AppendRune(b[:0], r)))
					e.b = binary.LittleEndian.Uint32(b[:])
				}
			}
			f.asciiSame = true
			for c := 0x20; c < 0x7f; c++ {
				f.asciiSame = f.asciiSame && f.simple[c] == rune(c)
			}
		}
		if f.asciiSame {
			// Printable ASCII that maps to itself (most Latin text):
			// copied as it is.
			i := 0
			for i < len(s) && s[i]-0x20 < 0x5f {
				i++
			}
			if i == len(s) {
				return append(dst, s...)
			}
		}
		// Each code's four bytes are stored and n of them kept: no
		// append (and no branch) per glyph.
		n := len(dst)
		dst = slices.Grow(dst, 4*len(s))
		out := dst[:n+4*len(s)]
		for _, c := range s {
			e := &f.simple8[c]
			binary.LittleEndian.PutUint32(out[n:], e.b)
			n += int(e.n)
		}
		return out[:n]
	}
	// No font information: treat as Latin-1 (Helvetica etc. without dict).
	for _, c := range s {
		dst = utf8.AppendRune(dst, winAnsi[c])
	}
	return dst
}

// codeLen is the byte length of the code starting s, from the codespace.
func (f *pdfFont) codeLen(s []byte) int {
	for _, r := range f.ranges {
		n := len(r.lo)
		if n > len(s) {
			continue
		}
		ok := true
		for k := 0; k < n; k++ {
			if s[k] < r.lo[k] || s[k] > r.hi[k] {
				ok = false
				break
			}
		}
		if ok {
			return n
		}
	}
	if f.twoByte {
		return 2
	}
	return 1
}
