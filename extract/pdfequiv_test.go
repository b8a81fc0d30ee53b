package extract

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The page text of the current interpreter must equal the frozen
// reference's (pdfref_test.go) on generated content streams shown through
// every kind of font (simple with widths and Differences, Type0 with a
// ToUnicode CMap and /W, Type0 without a mapping, UCS2 and legacy CJK
// predefined CMaps), with TJ kerning, escapes, hex strings, inline images,
// nested arrays and dictionaries, comments, form XObjects and garbage.

// equivFonts are the resources every generated page has.
const equivCMap = `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar <0101> <9999> <0104> <6E2F> <0107> <D83DDE00> endbfchar
2 beginbfrange <0200> <020F> <4E00> <0300> <0302> [<00410042> <0043> <5B57>] endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end`

func equivPDF(t testing.TB, contents []string, raw bool) []byte {
	p := &pdfBuilder{}
	catalog := p.add("")
	pagesObj := p.add("")
	f1 := p.add("<< /Type /Font /Subtype /TrueType /BaseFont /Arial /Encoding /WinAnsiEncoding /FirstChar 32 /Widths [278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556] /FontDescriptor << /MissingWidth 250 >> >>")
	cmap := p.add(pdfStreamObj("/Filter /FlateDecode", flateBytes(t, []byte(equivCMap))))
	desc := p.add("<< /Type /Font /Subtype /CIDFontType2 /DW 1000 /W [ 257 [500 600] 512 527 700 ] >>")
	f2 := p.add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /MingLiU /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", desc, cmap))
	f3 := p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Custom /Encoding << /BaseEncoding /MacRomanEncoding /Differences [65 /uni9999 /Euro /fi 200 /bullet /a.sc] >> >>")
	f4 := p.add("<< /Type /Font /Subtype /Type0 /Encoding /Identity-H >>")
	f5 := p.add("<< /Type /Font /Subtype /Type0 /Encoding /UniGB-UCS2-H >>")
	f6 := p.add("<< /Type /Font /Subtype /Type0 /Encoding /ETen-B5-H >>")
	form := p.add(pdfStreamObj("/Type /XObject /Subtype /Form /Resources << /Font << /G1 "+fmt.Sprint(f2)+" 0 R >> >>", []byte("BT /G1 10 Tf 5 5 Td <01010104> Tj [<0200> -200 <0201>] TJ ET")))
	img := p.add(pdfStreamObj("/Type /XObject /Subtype /Image /Width 1 /Height 1", []byte{0}))
	res := fmt.Sprintf("<< /Font << /F1 %d 0 R /F2 %d 0 R /F3 %d 0 R /F4 %d 0 R /F5 %d 0 R /F6 %d 0 R >> /XObject << /X1 %d 0 R /Im1 %d 0 R >> >>", f1, f2, f3, f4, f5, f6, form, img)
	var kids []string
	for i, c := range contents {
		var obj string
		if raw || i%3 == 2 {
			obj = pdfStreamObj("", []byte(c))
		} else {
			obj = pdfStreamObj("/Filter /FlateDecode", flateBytes(t, []byte(c)))
		}
		content := p.add(obj)
		contentsRef := fmt.Sprintf("%d 0 R", content)
		if i%4 == 3 {
			// Contents as an array of two streams split mid-stream.
			h := len(c) / 2
			a := p.add(pdfStreamObj("/Filter /FlateDecode", flateBytes(t, []byte(c[:h]))))
			p.set(content, pdfStreamObj("", []byte(c[h:])))
			contentsRef = fmt.Sprintf("[%d 0 R %d 0 R]", a, content)
		}
		page := p.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /Contents %s >>", pagesObj, contentsRef))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	p.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesObj))
	p.set(pagesObj, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /Resources %s >>", strings.Join(kids, " "), len(kids), res))
	return p.bytes("", catalog)
}

// genContent is a random content stream.
func genContent(r *rand.Rand) string {
	var sb strings.Builder
	words := []string{"Hello", "world", "HKID", "A123456(3)", "total", "1,204.50", "a\\(b", "x\\)y", "\\n", "\\101\\102", "\\\r\n", "tab\\t", "(nested (par) s)", "\\", "é", "\x80\x95\xc8", ""}
	hexes := []string{"<0101>", "<01040107>", "<0200020F>", "<03000301 0302>", "<4142>", "<41 4>", "<>", "<0102030>", "<ZZ41>"}
	fonts := []string{"F1", "F2", "F3", "F4", "F5", "F6", "F9", "F#31"}
	num := func() string {
		switch r.IntN(6) {
		case 0:
			return fmt.Sprint(r.IntN(800))
		case 1:
			return fmt.Sprintf("-%d", r.IntN(2000))
		case 2:
			return fmt.Sprintf("%.2f", r.Float64()*100)
		case 3:
			return fmt.Sprintf(".%d", r.IntN(100))
		case 4:
			return []string{"0", "-0", "1.5.3", "--5", "+7", "12345678901234567", "5."}[r.IntN(7)]
		}
		return fmt.Sprint(r.IntN(20))
	}
	str := func() string {
		if r.IntN(3) == 0 {
			return hexes[r.IntN(len(hexes))]
		}
		return "(" + words[r.IntN(len(words))] + ")"
	}
	n := 5 + r.IntN(60)
	for range n {
		switch r.IntN(28) {
		case 0:
			sb.WriteString("BT ")
		case 1:
			sb.WriteString("ET\n")
		case 2:
			fmt.Fprintf(&sb, "/%s %s Tf ", fonts[r.IntN(len(fonts))], num())
		case 24, 25:
			fmt.Fprintf(&sb, "%.1f 0 Td %s Tj ", r.Float64()*60, str())
		case 23:
			fmt.Fprintf(&sb, "/%s %d Tf ", fonts[r.IntN(len(fonts))], 8+r.IntN(8))
		case 3:
			fmt.Fprintf(&sb, "%s %s Td ", num(), num())
		case 4:
			fmt.Fprintf(&sb, "%s %s TD ", num(), num())
		case 5:
			fmt.Fprintf(&sb, "%s 0 0 %s %s %s Tm ", num(), num(), num(), num())
		case 6:
			sb.WriteString("T* ")
		case 7:
			fmt.Fprintf(&sb, "%s TL ", num())
		case 8, 9, 10:
			fmt.Fprintf(&sb, "%s Tj\n", str())
		case 11, 12:
			sb.WriteString("[")
			for k := range r.IntN(8) {
				if k > 0 && r.IntN(2) == 0 {
					if r.IntN(2) == 0 {
						sb.WriteString(num() + " ")
					} else {
						fmt.Fprintf(&sb, "%d ", r.IntN(1200)-900) // word gaps and kerning
					}
				}
				sb.WriteString(str())
			}
			if r.IntN(5) == 0 {
				sb.WriteString(" [1 (in)] <</K (v)>> true null")
			}
			sb.WriteString("] TJ\n")
		case 13:
			fmt.Fprintf(&sb, "%s '\n", str())
		case 14:
			fmt.Fprintf(&sb, "1 2 %s \"\n", str())
		case 15:
			sb.WriteString("q 1 0 0 1 0 0 cm 10 10 100 100 re f Q 0.5 g ")
		case 16:
			sb.WriteString("BI /W 2 /H 1 /BPC 8 ID \x00(EI)\xffEI x EI\n")
		case 17:
			sb.WriteString("% comment (Tj) [\n")
		case 18:
			sb.WriteString("/Span <</ActualText (x>>y) /MCID 3 /K [1 2 <<>>]>> BDC ")
		case 19:
			sb.WriteString([]string{"/X1 Do ", "/Im1 Do ", "/X9 Do "}[r.IntN(3)])
		case 20:
			sb.WriteString([]string{") ", "} ", "> ", "] ", "{ ", "<< ", "stream ", "\x00\x01\x02 "}[r.IntN(8)])
		case 21:
			fmt.Fprintf(&sb, "%s %s %s %s %s %s %s re ", num(), num(), num(), num(), num(), num(), num())
		case 22:
			fmt.Fprintf(&sb, "(%s)Tj(%s)Tj", words[r.IntN(5)], words[r.IntN(5)])
		default:
			fmt.Fprintf(&sb, "%s %s Td %s Tj ", num(), num(), str())
		}
	}
	s := sb.String()
	if r.IntN(8) == 0 {
		s = s[:r.IntN(len(s)+1)] // truncated
	}
	return s
}

// equivDoc parses a generated PDF as pdfNode does, up to its pages.
func equivDoc(pdf []byte) (*pdfDoc, []pageInfo) {
	w := &walker{ctx: context.Background(), parent: context.Background(), lim: Limits{}.withDefaults(), seen: map[string]bool{}}
	d := &pdfDoc{w: w, data: pdf, objs: map[int]any{}, gens: map[int]int{}, fonts: map[any]*pdfFont{}}
	d.scan()
	d.expandObjectStreams()
	return d, d.pages()
}

// refPageText is pageText with the reference interpreter.
func refPageText(d *pdfDoc, p pageInfo) string {
	var content []byte
	switch c := d.resolve(p.dict["Contents"]).(type) {
	case *pStream:
		content = d.decodeStream(c)
	case pArray:
		for _, x := range c {
			if s, ok := d.resolve(x).(*pStream); ok {
				content = append(content, d.decodeStream(s)...)
				content = append(content, '\n')
			}
		}
	}
	var sb strings.Builder
	t := &refTextRun{d: d, sb: &sb}
	t.run(content, p.resources, 0)
	return refTidyLines(sb.String())
}

// comparePages checks every page of pdf, reference against current.
func comparePages(t *testing.T, pdf []byte, contents []string) {
	t.Helper()
	dr, pr := equivDoc(pdf)
	want := make([]string, len(pr))
	for i, p := range pr {
		want[i] = refPageText(dr, p)
	}
	dn, pn := equivDoc(pdf)
	got := currentPageTexts(dn, pn)
	if len(got) != len(want) {
		t.Fatalf("%d pages, reference %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			c := ""
			if i < len(contents) {
				c = contents[i]
			}
			t.Fatalf("page %d differs\ncontent: %q\ngot:  %q\nwant: %q", i+1, c, got[i], want[i])
		}
	}
}

// currentPageTexts is the text of each page as pdfNode reads it now (the
// pages ahead queued to the inflate workers, buffers reused).
func currentPageTexts(d *pdfDoc, pages []pageInfo) []string {
	defer d.stopAhead()
	out := make([]string, len(pages))
	for i, p := range pages {
		out[i] = d.pageTextQueue(p, pages[i+1:])
	}
	return out
}

func TestPDFTextMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 13))
	for round := range 60 {
		contents := make([]string, 1+r.IntN(7))
		for i := range contents {
			contents[i] = genContent(r)
		}
		comparePages(t, equivPDF(t, contents, round%5 == 4), contents)
	}
	for _, s := range contentSeeds {
		comparePages(t, equivPDF(t, []string{s}, true), []string{s})
	}
	// The benchmark fixtures and the other generated PDFs.
	comparePages(t, pdfBench(1<<16).body, nil)
	comparePages(t, buildCJKPDF(t, []string{"香港身份證 A123456(3)", "客戶資料 陳大文", "mixed 中文 text"}), nil)
}

func FuzzPDFTextRun(f *testing.F) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 20 {
		f.Add(genContent(r))
	}
	for _, s := range contentSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		comparePages(t, equivPDF(t, []string{content}, true), []string{content})
	})
}
