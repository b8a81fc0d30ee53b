package extract

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/traditionalchinese"
)

func TestParsePDFNum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alpha = "0123456789.-+"
	cases := []string{"0", "-0", "+5", ".5", "5.", "-.25", "1.5.3", "--5", "-", ".", "+", "3-4", "123456789012345", "1234567890123456", "0.000000000000001", "99999999999999999999999", "12.3456789012345", "007", "1e5"}
	for range 20000 {
		n := 1 + r.IntN(18)
		b := make([]byte, n)
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = alpha[r.IntN(len(alpha))]
			} else {
				b[i] = alpha[r.IntN(10)]
			}
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		want, err := strconv.ParseFloat(c, 64)
		if err != nil {
			want = 0
		}
		if got := parsePDFNum([]byte(c)); got != want || math.Signbit(got) != math.Signbit(want) {
			t.Fatalf("parsePDFNum(%q) = %v, ParseFloat %v", c, got, want)
		}
	}
}

// describeOld renders the operands pdfLexer reads before each operator
// as the text operators see them (numbers, strings, names, arrays of
// strings and numbers); describeNew does the same with cLexer. They must
// agree on any input.
func describeOld(b []byte) string {
	var sb bytes.Buffer
	l := &pdfLexer{b: b}
	for {
		tok := l.next()
		if tok == nil {
			return sb.String()
		}
		if kw, ok := tok.(pKeyword); ok {
			fmt.Fprintf(&sb, "OP %q\n", string(kw))
			continue
		}
		describeVal(&sb, l.value(tok, false, 0), true)
	}
}

func describeVal(sb *bytes.Buffer, v any, top bool) {
	switch x := v.(type) {
	case float64:
		fmt.Fprintf(sb, "N %v\n", x)
	case pStr:
		fmt.Fprintf(sb, "S %q\n", []byte(x))
	case pName:
		if top {
			fmt.Fprintf(sb, "/ %q\n", string(x))
		} else {
			sb.WriteString("X\n")
		}
	case pArray:
		if !top {
			sb.WriteString("X\n")
			return
		}
		sb.WriteString("[\n")
		for _, e := range x {
			switch e.(type) {
			case float64, pStr:
				describeVal(sb, e, false)
			}
		}
		sb.WriteString("]\n")
	default:
		sb.WriteString("X\n")
	}
}

func describeNew(b []byte) string {
	var sb bytes.Buffer
	l := &cLexer{b: b}
	var tok, op cTok
	for {
		l.next(&tok)
		switch tok.kind {
		case cNone:
			return sb.String()
		case cKw:
			fmt.Fprintf(&sb, "OP %q\n", string(l.rawOf(&tok)))
			l.reset()
			continue
		}
		l.operand(&tok, &op, 0)
		switch op.kind {
		case cNum:
			fmt.Fprintf(&sb, "N %v\n", op.num)
		case cStr:
			fmt.Fprintf(&sb, "S %q\n", l.bytesOf(&op))
		case cName:
			fmt.Fprintf(&sb, "/ %q\n", unescapeName(l.rawOf(&op)))
		case cArr:
			sb.WriteString("[\n")
			for _, e := range l.arr[op.lo:op.hi] {
				if e.kind == cNum {
					fmt.Fprintf(&sb, "N %v\n", e.num)
				} else {
					fmt.Fprintf(&sb, "S %q\n", l.bytesOf(&e))
				}
			}
			sb.WriteString("]\n")
		default:
			sb.WriteString("X\n")
		}
	}
}

var contentSeeds = []string{
	"BT /F1 11 Tf 50 800 Td 14 TL\n(Hello \\(world\\)) Tj T*\n[(Ke) 12 (rn) -350 (word)] TJ\nET",
	"BT /F#31 9 Tf <48656c6c6f> Tj <4 8 6> Tj (a\\101\\nb\\\r\nc) ' 1 2 (q) \" ET",
	"/Span <</ActualText (x>>y) /MCID 3 /K [1 2 <<>>]>> BDC (t) Tj EMC [1 [2 (n)] (s) <<>> } > 3] TJ",
	"q 1 0 0 1 0 0 cm /Im1 Do Q BI /W 1 /H 1 ID \x00\x01 EI (after) Tj",
	") ( unterminated [ (x",
	"1.5.3 --5 - . +7 .5 5. 12345678901234567 (\\0) Tj << /a stream",
	"% comment (not a string)\n(s) Tj { 1 } true false null [true (a) null 2] TJ",
}

// deepArraySeeds nest strings and numbers in arrays around the 64-deep
// limit, where array elements stop being kept.
func deepArraySeeds() []string {
	var out []string
	for _, d := range []int{62, 63, 64, 65, 66} {
		out = append(out, strings.Repeat("[(a) 1 ", d)+"(deep) -2"+strings.Repeat("]", d)+" TJ")
	}
	return out
}

func TestContentLexerMatchesPdfLexer(t *testing.T) {
	for _, s := range append(deepArraySeeds(), contentSeeds...) {
		if o, n := describeOld([]byte(s)), describeNew([]byte(s)); o != n {
			t.Errorf("%q:\npdfLexer:\n%s\ncLexer:\n%s", s, o, n)
		}
	}
}

func FuzzContentLexer(f *testing.F) {
	for _, s := range append(deepArraySeeds(), contentSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if o, n := describeOld(b), describeNew(b); o != n {
			t.Fatalf("%q:\npdfLexer:\n%s\ncLexer:\n%s", b, o, n)
		}
	})
}

func TestDecodeAppendMatchesDecode(t *testing.T) {
	win := baseEncoding("WinAnsiEncoding")
	fonts := map[string]*pdfFont{
		"none":   {},
		"simple": {simple: win},
		"toUni":  {toUni: map[uint32]string{codeKey([]byte{0, 1}): "香", codeKey([]byte{0, 2}): "港", codeKey([]byte{'A'}): "ff"}, ranges: []codeRange{{lo: []byte{0, 0}, hi: []byte{0, 0xff}}, {lo: []byte{0x20}, hi: []byte{0x7e}}}, simple: win},
		"toUni1": {toUni: map[uint32]string{codeKey([]byte{'A'}): "Α"}},
		"utf16":  {utf16: true},
		"twoB":   {twoByte: true},
		"legacy": {legacy: traditionalchinese.Big5},
	}
	// A simple font whose Differences remap printable ASCII (not copied
	// as it is) and one with runes past Unicode and zero entries.
	diffs := *win
	diffs['A'], diffs['b'], diffs[0x90] = '€', 0, 0x7fffffff
	fonts["diffs"] = &pdfFont{simple: &diffs}
	mac := *baseEncoding("MacRomanEncoding")
	fonts["mac"] = &pdfFont{simple: &mac}
	r := rand.New(rand.NewPCG(3, 4))
	for name, f := range fonts {
		for range 2000 {
			s := make([]byte, r.IntN(9))
			ascii := r.IntN(3) == 0
			for i := range s {
				s[i] = byte(r.IntN(256))
				switch {
				case ascii && r.IntN(20) > 0:
					s[i] = byte(0x20 + r.IntN(0x5f))
				case !ascii && r.IntN(2) == 0:
					s[i] = byte(r.IntN(4))
				}
			}
			if got, want := string(f.decodeAppend([]byte("pre"), s)), "pre"+decodeRef(f, s); got != want {
				t.Fatalf("%s font, %q: decodeAppend %q, decode %q", name, s, got, want)
			}
		}
	}
}

// decodeRef is pdfFont.decode as it was (a string per call): the
// reference decodeAppend is checked against.
func decodeRef(f *pdfFont, s []byte) string {
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

// TestLexNumberMatchesPdfLexer: numbers read in one pass (cLexer.number)
// are pdfLexer.next's, bit for bit (sign of zero included), and end at
// the same byte.
func TestLexNumberMatchesPdfLexer(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const alpha = "0123456789.-+"
	cases := []string{"0", "-0", "+5", ".5", "5.", "-.25", "1.5.3", "--5", "-", ".", "+", "3-4", "123456789012345", "1234567890123456", "0.000000000000001", "99999999999999999999999", "12.3456789012345", "007", "1e5", "+-1", "-.", "+.", "1..", "5-"}
	for range 30000 {
		b := make([]byte, 1+r.IntN(19))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = alpha[r.IntN(len(alpha))]
			} else {
				b[i] = alpha[r.IntN(10)]
			}
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		for _, tail := range []string{"", " Tj", "(x)", "e5"} {
			in := []byte(c + tail)
			old := &pdfLexer{b: in}
			want := old.next()
			l := &cLexer{b: in}
			var tok cTok
			l.next(&tok)
			wf, ok := want.(float64)
			if !ok {
				if tok.kind == cNum {
					t.Fatalf("%q: number %v, pdfLexer %T", in, tok.num, want)
				}
				continue
			}
			if tok.kind != cNum || math.Float64bits(tok.num) != math.Float64bits(wf) || l.pos != old.pos {
				t.Fatalf("%q: %v (kind %d) at %d, pdfLexer %v at %d", in, tok.num, tok.kind, l.pos, wf, old.pos)
			}
		}
	}
}

// TestPDFClassMatchesOld: the byte class table is the compares it
// replaced.
func TestPDFClassMatchesOld(t *testing.T) {
	for i := range 256 {
		c := byte(i)
		space := c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
		delim := strings.IndexByte("()<>[]{}/%", c) >= 0
		if isPDFSpace(c) != space || isPDFDelim(c) != delim {
			t.Fatalf("byte %#x: space %v delim %v, want %v %v", c, isPDFSpace(c), isPDFDelim(c), space, delim)
		}
		want := tkOther
		switch {
		case c == '[' || c == ']' || c == '{' || c == '}':
			want = tkBracket
		case c == '<':
			want = tkLess
		case c == '>':
			want = tkGreater
		case c == '(':
			want = tkLParen
		case c == ')':
			want = tkRParen
		case c == '/':
			want = tkSlash
		case c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9':
			want = tkNum
		}
		if int(tokStart[c]) != want {
			t.Fatalf("byte %#x: token start %d, want %d", c, tokStart[c], want)
		}
	}
}
