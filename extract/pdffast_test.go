package extract

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The content fast paths (cLexer.arrayElem for TJ arrays, the run loop's
// operand handling) against pdfLexer and the reference interpreter, on
// arrays built to reach every branch: plain, escaped and nested literal
// strings, hex strings (CID codes, Big5/GBK bytes), numbers in every
// form, any white space or comment between elements, nested values, and
// the content cut at every byte (a string, number or array left open at
// the end of the buffer).

// genTJArray is a random array operand, followed by TJ.
func genTJArray(r *rand.Rand) string {
	elems := []string{
		"(ab)", "(Ke)", "()", "(a\\(b)", "(x\\)y)", "(n (est) ed)", "(\\101\\1020)", "(tab\\t\\n\\r\\b\\f)", "(line\\\r\nnext)", "(\\\\)", "(\\q)",
		"(\xe9\x80\x95)", "(\xa4\xa4\xa4\xe5)", "(\xd6\xd0\xce\xc4)",
		"<0101>", "<01040107>", "<0200020F>", "< 03 00 03 01 >", "<4142>", "<41 4>", "<>", "<a4a4 A4E5>", "<ZZ41>", "<<>>", "<</K (v)>>",
		"12", "-350", "0", "-0", ".5", "-.25", "5.", "1.5.3", "--5", "+7", "-", ".", "12345678901234567", "0.000001", "-1200",
		"[1 (in)]", "[]", "/Name", "true", "null", "}", "{", ">", ")", "\x00",
	}
	spaces := []string{"", " ", " ", " ", "  ", "\n", "\r\n", "\t", "\f", "% comment ) (\n", "\x00"}
	var sb strings.Builder
	sb.WriteString("[")
	for range r.IntN(12) {
		sb.WriteString(spaces[r.IntN(len(spaces))])
		sb.WriteString(elems[r.IntN(len(elems))])
	}
	sb.WriteString(spaces[r.IntN(len(spaces))])
	sb.WriteString("] TJ\n")
	return sb.String()
}

func TestArrayElemMatchesPdfLexer(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for range 3000 {
		s := genTJArray(r) + genTJArray(r)
		for _, c := range []string{s, s[:r.IntN(len(s)+1)]} {
			if o, n := describeOld([]byte(c)), describeNew([]byte(c)); o != n {
				t.Fatalf("%q:\npdfLexer:\n%s\ncLexer:\n%s", c, o, n)
			}
		}
	}
	// Every cut of one array with each kind of element.
	s := "[ (plain) 12 (es\\)c) -350 <4142> (n (e) s)\t.5 <01 0> [2 (x)] (end)] TJ"
	for i := range len(s) + 1 {
		if o, n := describeOld([]byte(s[:i])), describeNew([]byte(s[:i])); o != n {
			t.Fatalf("%q:\npdfLexer:\n%s\ncLexer:\n%s", s[:i], o, n)
		}
	}
}

// TestTJTextMatchesReference: pages of such arrays through all the
// fixture's fonts (simple with widths, MacRoman with Differences, CID
// with ToUnicode, Identity-H unmapped, UCS2, Big5) read as the reference
// interpreter reads them.
func TestTJTextMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	fonts := []string{"F1", "F2", "F3", "F4", "F5", "F6", "F9"}
	for round := range 40 {
		contents := make([]string, 1+r.IntN(4))
		for i := range contents {
			var sb strings.Builder
			sb.WriteString("BT 50 700 Td ")
			for range 1 + r.IntN(20) {
				if r.IntN(3) == 0 {
					sb.WriteString("/" + fonts[r.IntN(len(fonts))] + " 11 Tf ")
				}
				if r.IntN(4) == 0 {
					sb.WriteString("0 -14 Td ")
				}
				sb.WriteString(genTJArray(r))
			}
			sb.WriteString("ET")
			contents[i] = sb.String()
			if r.IntN(6) == 0 {
				contents[i] = contents[i][:r.IntN(len(contents[i])+1)]
			}
		}
		comparePages(t, equivPDF(t, contents, round%2 == 0), contents)
	}
}

func FuzzTJArray(f *testing.F) {
	r := rand.New(rand.NewPCG(35, 36))
	for range 20 {
		f.Add("BT /F2 10 Tf " + genTJArray(r) + "/F1 9 Tf " + genTJArray(r) + "ET")
	}
	f.Add("[(a) 1 (b")
	f.Add("[<41")
	f.Add("[(a\\")
	f.Add("[-")
	f.Add("[ % open comment")
	f.Fuzz(func(t *testing.T, content string) {
		if o, n := describeOld([]byte(content)), describeNew([]byte(content)); o != n {
			t.Fatalf("%q:\npdfLexer:\n%s\ncLexer:\n%s", content, o, n)
		}
		comparePages(t, equivPDF(t, []string{content}, true), []string{content})
	})
}

// TestLexInternSameValues: a file-body lexer sharing boxed values reads
// the same objects as one boxing each anew (numbers compared with their
// sign, so -0 stays -0), past the interning bound too.
func TestLexInternSameValues(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 38))
	toks := []string{"0", "-0", "0.0", "-0.0", "255", "256", "255.5", "12", "3 0 R", "-1 0 R", "1.5 0 R", "/Type", "/Font", "/F#31", "/A#2", "/", "obj", "endobj", "R", "true", "false", "null", "stream", "<< /Length 12 >>", "[1 2 0 R /N]", "(s)", "<41>", "1.5.3", "--5", "+7", "%c\n"}
	var sb strings.Builder
	for i := range 20000 {
		sb.WriteString(toks[r.IntN(len(toks))])
		if i%7 == 0 {
			fmt.Fprintf(&sb, " /N%d %d", r.IntN(2*maxInterned), r.IntN(400)) // past the bound
		}
		sb.WriteByte(' ')
	}
	b := []byte(sb.String())
	plain, shared := &pdfLexer{b: b}, &pdfLexer{b: b, in: newLexIntern()}
	for {
		v1 := plain.value(plain.next(), true, 0)
		v2 := shared.value(shared.next(), true, 0)
		if !reflect.DeepEqual(v1, v2) || plain.pos != shared.pos {
			t.Fatalf("at %d: %#v (pos %d), shared %#v (pos %d)", plain.pos, v1, plain.pos, v2, shared.pos)
		}
		if f1, ok := v1.(float64); ok && math.Signbit(f1) != math.Signbit(v2.(float64)) {
			t.Fatalf("at %d: %v, shared %v", plain.pos, f1, v2)
		}
		if plain.pos >= len(b) {
			break
		}
	}
}
