package extract

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

func sortIntsStd(a []int) { sort.Ints(a) }

// textRun interprets a content stream's text operators.
type textRun struct {
	d     *pdfDoc
	sb    *strings.Builder
	font  *pdfFont
	lastY float64
	hasY  bool
	forms map[*pStream]bool
}

func (t *textRun) newline() {
	s := t.sb.String()
	if len(s) > 0 && s[len(s)-1] != '\n' {
		t.sb.WriteByte('\n')
	}
}

func (t *textRun) space() {
	s := t.sb.String()
	if len(s) > 0 && s[len(s)-1] != ' ' && s[len(s)-1] != '\n' {
		t.sb.WriteByte(' ')
	}
}

func (t *textRun) show(s pStr) {
	if t.font == nil {
		t.font = &pdfFont{}
	}
	t.sb.WriteString(t.font.decode(s))
}

func (t *textRun) run(content []byte, res pDict, depth int) {
	if depth > 8 || len(content) == 0 {
		return
	}
	fonts := t.d.dict(res["Font"])
	xobjs := t.d.dict(res["XObject"])
	l := &pdfLexer{b: content}
	var ops []any
	for {
		if t.d.w.tick() {
			return
		}
		if int64(t.sb.Len()) > t.d.w.room() {
			return
		}
		tok := l.next()
		if tok == nil {
			return
		}
		kw, isOp := tok.(pKeyword)
		if !isOp {
			if len(ops) > 64 {
				ops = ops[:0] // garbage: never let operands pile up
			}
			ops = append(ops, l.value(tok, false, 0))
			continue
		}
		switch kw {
		case "BT":
		case "ET":
			t.newline()
		case "Tf":
			if len(ops) >= 2 {
				if name, ok := ops[len(ops)-2].(pName); ok {
					t.font = t.d.font(fonts[string(name)])
				}
			}
		case "Tj":
			if len(ops) >= 1 {
				if s, ok := ops[len(ops)-1].(pStr); ok {
					t.show(s)
				}
			}
		case "'", "\"":
			t.newline()
			if len(ops) >= 1 {
				if s, ok := ops[len(ops)-1].(pStr); ok {
					t.show(s)
				}
			}
		case "TJ":
			if len(ops) >= 1 {
				if arr, ok := ops[len(ops)-1].(pArray); ok {
					for _, e := range arr {
						switch v := e.(type) {
						case pStr:
							t.show(v)
						case float64:
							// A large negative adjustment is a word gap.
							if v < -200 {
								t.space()
							}
						}
					}
				}
			}
		case "Td", "TD":
			if len(ops) >= 2 {
				tx, _ := ops[len(ops)-2].(float64)
				ty, _ := ops[len(ops)-1].(float64)
				if ty != 0 {
					t.newline()
				} else if tx != 0 {
					t.space()
				}
			}
		case "Tm":
			if len(ops) >= 6 {
				y, _ := ops[len(ops)-1].(float64)
				if t.hasY && y != t.lastY {
					t.newline()
				} else if t.hasY {
					t.space()
				}
				t.lastY, t.hasY = y, true
			}
		case "T*":
			t.newline()
		case "Do":
			if len(ops) >= 1 {
				if name, ok := ops[len(ops)-1].(pName); ok {
					if s, ok := t.d.resolve(xobjs[string(name)]).(*pStream); ok && s.dict["Subtype"] == pName("Form") {
						if t.forms == nil {
							t.forms = map[*pStream]bool{}
						}
						if !t.forms[s] {
							t.forms[s] = true
							sub := t.d.dict(s.dict["Resources"])
							if sub == nil {
								sub = res
							}
							saved := t.font
							t.run(t.d.decodeStream(s), sub, depth+1)
							t.font = saved
							t.newline()
						}
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
	}
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
}

type codeRange struct{ lo, hi []byte }

func (d *pdfDoc) font(ref any) *pdfFont {
	key := ref
	if r, ok := ref.(pRef); ok {
		key = r
	} else {
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
	l := &pdfLexer{b: b}
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
					if b >= a && b-a <= 0xffff {
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

// decode turns the bytes of a shown string into text.
func (f *pdfFont) decode(s []byte) string {
	switch {
	case f.utf16:
		return utf16BEString(s)
	case f.legacy != nil && len(f.toUni) == 0:
		return decodeWith(f.legacy, s)
	case len(f.toUni) > 0:
		var sb strings.Builder
		for i := 0; i < len(s); {
			n := f.codeLen(s[i:])
			if i+n > len(s) {
				n = len(s) - i
			}
			if u, ok := f.toUni[codeKey(s[i:i+n])]; ok {
				sb.WriteString(u)
			} else if n == 1 && f.simple != nil {
				sb.WriteRune(f.simple[s[i]])
			} else if n == 1 && s[i] >= 0x20 && s[i] < 0x7f {
				sb.WriteByte(s[i])
			}
			i += n
		}
		return sb.String()
	case f.twoByte:
		return "" // unmapped CIDs: nothing trustworthy to emit
	case f.simple != nil:
		var sb strings.Builder
		for _, c := range s {
			if r := f.simple[c]; r != 0 && r != utf8.RuneError {
				sb.WriteRune(r)
			}
		}
		return sb.String()
	}
	// No font information: treat as Latin-1 (Helvetica etc. without dict).
	var sb strings.Builder
	for _, c := range s {
		sb.WriteRune(winAnsi[c])
	}
	return sb.String()
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
