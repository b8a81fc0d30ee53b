package extract

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"fmt"
	"html"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding"
)

// Fixture builders: every document format the tests use is generated here,
// so the suite needs no binary files and shows exactly what it feeds in.

type zipEntry struct {
	name  string
	body  []byte
	store bool   // no compression
	flags uint16 // extra general-purpose flags (bit 0: encrypted)
}

func buildZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Flags: e.flags}
		if e.store {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatalf("zip create %s: %v", e.name, err)
		}
		if _, err := w.Write(e.body); err != nil {
			t.Fatalf("zip write %s: %v", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("zip close: %v", err)
	}
	return buf.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`

// buildDOCX makes a DOCX whose paragraphs are paras; a paragraph may hold
// "\t" (a w:tab) and the last paragraph list becomes a 2x2 table.
func buildDOCX(t testing.TB, paras []string, table [][]string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, p := range paras {
		b.WriteString(`<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>`)
		for i, part := range strings.Split(p, "\t") {
			if i > 0 {
				b.WriteString(`<w:r><w:tab/></w:r>`)
			}
			// Split each run in two, as Word does mid-word.
			half := len(part) / 2
			for half > 0 && !isRuneStart(part[half]) {
				half--
			}
			fmt.Fprintf(&b, `<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r><w:r><w:t>%s</w:t></w:r>`, html.EscapeString(part[:half]), html.EscapeString(part[half:]))
		}
		b.WriteString(`</w:p>`)
	}
	if len(table) > 0 {
		b.WriteString(`<w:tbl>`)
		for _, row := range table {
			b.WriteString(`<w:tr>`)
			for _, c := range row {
				fmt.Fprintf(&b, `<w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>`, html.EscapeString(c))
			}
			b.WriteString(`</w:tr>`)
		}
		b.WriteString(`</w:tbl>`)
	}
	b.WriteString(`</w:body></w:document>`)
	return buildZip(t,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypes)},
		zipEntry{name: "word/document.xml", body: []byte(b.String())},
		zipEntry{name: "word/header1.xml", body: []byte(`<w:hdr xmlns:w="w"><w:p><w:r><w:t>Confidential header</w:t></w:r></w:p></w:hdr>`)},
		zipEntry{name: "word/media/image1.png", body: realPNG(t)},
	)
}

func isRuneStart(c byte) bool { return c&0xc0 != 0x80 }

// buildXLSX makes a workbook: sheet1 uses shared strings (one rich-text
// entry), sheet2 inline strings, numbers and a gap column.
func buildXLSX(t testing.TB, sheet1 [][]string, sheet2 [][]string) []byte {
	var shared []string
	idx := map[string]int{}
	var s1 strings.Builder
	s1.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r, row := range sheet1 {
		fmt.Fprintf(&s1, `<row r="%d">`, r+1)
		for c, v := range row {
			i, ok := idx[v]
			if !ok {
				i = len(shared)
				idx[v] = i
				shared = append(shared, v)
			}
			fmt.Fprintf(&s1, `<c r="%c%d" t="s"><v>%d</v></c>`, 'A'+c, r+1, i)
		}
		s1.WriteString(`</row>`)
	}
	s1.WriteString(`</sheetData></worksheet>`)
	var sst strings.Builder
	fmt.Fprintf(&sst, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="x" count="%d" uniqueCount="%d">`, len(shared), len(shared))
	for i, s := range shared {
		if r := []rune(s); i == 0 && len(r) > 2 {
			// Rich text: two runs plus a phonetic guide that must not show.
			fmt.Fprintf(&sst, `<si><r><t>%s</t></r><r><rPr><b/></rPr><t>%s</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>`, html.EscapeString(string(r[:1])), html.EscapeString(string(r[1:])))
			continue
		}
		fmt.Fprintf(&sst, `<si><t>%s</t></si>`, html.EscapeString(s))
	}
	sst.WriteString(`</sst>`)
	var s2 strings.Builder
	s2.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="x"><sheetData>`)
	for r, row := range sheet2 {
		fmt.Fprintf(&s2, `<row r="%d">`, r+1)
		for c, v := range row {
			col := 'A' + c
			if c == len(row)-1 && c > 0 {
				col++ // leave an empty column before the last cell
			}
			if v != "" && strings.Trim(v, "0123456789.") == "" {
				fmt.Fprintf(&s2, `<c r="%c%d"><v>%s</v></c>`, col, r+1, v)
			} else {
				fmt.Fprintf(&s2, `<c r="%c%d" t="inlineStr"><is><t>%s</t></is></c>`, col, r+1, html.EscapeString(v))
			}
		}
		s2.WriteString(`</row>`)
	}
	s2.WriteString(`</sheetData></worksheet>`)
	return buildZip(t,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypes)},
		zipEntry{name: "xl/workbook.xml", body: []byte(`<workbook xmlns:r="r"><sheets><sheet name="客戶名單" sheetId="1" r:id="rId1"/><sheet name="Balance" sheetId="2" r:id="rId2"/></sheets></workbook>`)},
		zipEntry{name: "xl/_rels/workbook.xml.rels", body: []byte(`<Relationships><Relationship Id="rId1" Type="ws" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="ws" Target="/xl/worksheets/sheet2.xml"/></Relationships>`)},
		zipEntry{name: "xl/sharedStrings.xml", body: []byte(sst.String())},
		zipEntry{name: "xl/worksheets/sheet1.xml", body: []byte(s1.String())},
		zipEntry{name: "xl/worksheets/sheet2.xml", body: []byte(s2.String())},
	)
}

func buildPPTX(t testing.TB, slides ...string) []byte {
	entries := []zipEntry{
		{name: "[Content_Types].xml", body: []byte(contentTypes)},
		{name: "ppt/presentation.xml", body: []byte(`<p:presentation xmlns:p="p"/>`)},
	}
	// Written out of order: slide10 must still come after slide2.
	for i := len(slides) - 1; i >= 0; i-- {
		body := fmt.Sprintf(`<p:sld xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>%s</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`, html.EscapeString(slides[i]))
		entries = append(entries, zipEntry{name: fmt.Sprintf("ppt/slides/slide%d.xml", i+1), body: []byte(body)})
	}
	return buildZip(t, entries...)
}

func buildODT(t testing.TB, paras ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>`)
	for _, p := range paras {
		// Multiple spaces are written as <text:s text:c="N"/> in ODF.
		p = html.EscapeString(p)
		p = strings.ReplaceAll(p, "  ", `<text:s text:c="2"/>`)
		fmt.Fprintf(&b, `<text:p>%s</text:p>`, p)
	}
	b.WriteString(`</office:text></office:body></office:document-content>`)
	return buildZip(t,
		zipEntry{name: "mimetype", body: []byte("application/vnd.oasis.opendocument.text"), store: true},
		zipEntry{name: "content.xml", body: []byte(b.String())},
	)
}

func buildODS(t testing.TB, rows [][]string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="o" xmlns:table="tb" xmlns:text="t"><office:body><office:spreadsheet><table:table table:name="S">`)
	for _, r := range rows {
		b.WriteString(`<table:table-row>`)
		for _, c := range r {
			fmt.Fprintf(&b, `<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>`, html.EscapeString(c))
		}
		b.WriteString(`</table:table-row>`)
	}
	b.WriteString(`</table:table></office:spreadsheet></office:body></office:document-content>`)
	return buildZip(t,
		zipEntry{name: "mimetype", body: []byte("application/vnd.oasis.opendocument.spreadsheet"), store: true},
		zipEntry{name: "content.xml", body: []byte(b.String())},
	)
}

// pdfBuilder writes a PDF object by object with a correct xref table.
type pdfBuilder struct {
	objs []string
}

func (p *pdfBuilder) add(body string) int {
	p.objs = append(p.objs, body)
	return len(p.objs)
}

func (p *pdfBuilder) set(num int, body string) { p.objs[num-1] = body }

func pdfStreamObj(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

func flateBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (p *pdfBuilder) bytes(trailerExtra string, root int) []byte {
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(p.objs))
	for i, o := range p.objs {
		if o == "" {
			continue // lives in an object stream
		}
		offs[i] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(p.objs)+1)
	for i := range p.objs {
		if offs[i] == 0 {
			buf.WriteString("0000000000 65535 f \n")
			continue
		}
		fmt.Fprintf(&buf, "%010d 00000 n \n", offs[i])
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root %d 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(p.objs)+1, root, trailerExtra, xref)
	return buf.Bytes()
}

// buildLatinPDF makes a PDF with Helvetica text, one page per entry; each
// page uses Tj, TJ with a word-gap adjustment, T* and ' operators.
func buildLatinPDF(t testing.TB, pages []string, trailerExtra string) []byte {
	p := &pdfBuilder{}
	catalog := p.add("")
	pagesObj := p.add("")
	font := p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	var kids []string
	for _, text := range pages {
		var cs strings.Builder
		cs.WriteString("BT /F1 11 Tf 50 800 Td 14 TL\n")
		for i, line := range strings.Split(text, "\n") {
			words := strings.Fields(line)
			if i%2 == 0 || len(words) < 2 {
				fmt.Fprintf(&cs, "(%s) Tj T*\n", pdfEscape(line))
				continue
			}
			// TJ: words split with kerning inside and a word gap between.
			cs.WriteString("[")
			for j, w := range words {
				if j > 0 {
					cs.WriteString(" -350 ")
				}
				h := len(w) / 2
				fmt.Fprintf(&cs, "(%s) 12 (%s)", pdfEscape(w[:h]), pdfEscape(w[h:]))
			}
			cs.WriteString("] TJ T*\n")
		}
		cs.WriteString("ET\n")
		content := p.add(pdfStreamObj("/Filter /FlateDecode", flateBytes(t, []byte(cs.String()))))
		page := p.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>", pagesObj, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	p.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesObj))
	// Resources inherited from the page tree node.
	p.set(pagesObj, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /Resources << /Font << /F1 %d 0 R >> >> >>", strings.Join(kids, " "), len(kids), font))
	return p.bytes(trailerExtra, catalog)
}

// pdfEscaper is built once: a Replacer per call cost the benchmark
// fixture most of its build time (and cluttered the CPU profile).
var pdfEscaper = strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)

func pdfEscape(s string) string { return pdfEscaper.Replace(s) }

// buildCJKPDF makes a PDF whose text is shown through a Type0 font with
// Identity-H 2-byte codes and a ToUnicode CMap (bfchar, bfrange with an
// increment and bfrange with an array); the fonts live in a compressed
// object stream and the content stream is FlateDecoded.
func buildCJKPDF(t testing.TB, lines []string) []byte {
	codes := map[rune]uint16{}
	var order []rune
	code := func(r rune) uint16 {
		if c, ok := codes[r]; ok {
			return c
		}
		c := uint16(0x0100 + len(order)*3) // sparse codes, not Unicode
		codes[r] = c
		order = append(order, r)
		return c
	}
	var cs strings.Builder
	cs.WriteString("BT /F0 12 Tf 40 800 Td\n")
	for _, line := range lines {
		// Words separated by spaces become TJ elements with a gap.
		cs.WriteString("[")
		for j, w := range strings.Fields(line) {
			if j > 0 {
				cs.WriteString(" -600 ")
			}
			cs.WriteString("<")
			for _, r := range w {
				fmt.Fprintf(&cs, "%04X", code(r))
			}
			cs.WriteString(">")
		}
		cs.WriteString("] TJ\n0 -16 Td\n")
	}
	cs.WriteString("ET\n")
	var cmap strings.Builder
	cmap.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Adobe-Identity-UCS def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	var chars, ranges []string
	for i, r := range order {
		c := codes[r]
		u := utf16.Encode([]rune{r})
		dst := ""
		for _, x := range u {
			dst += fmt.Sprintf("%04X", x)
		}
		switch i % 3 {
		case 0:
			chars = append(chars, fmt.Sprintf("<%04X> <%s>", c, dst))
		case 1:
			// One-code range with a start value.
			ranges = append(ranges, fmt.Sprintf("<%04X> <%04X> <%s>", c, c, dst))
		case 2:
			// Range written with an array of destinations.
			ranges = append(ranges, fmt.Sprintf("<%04X> <%04X> [<%s>]", c, c, dst))
		}
	}
	fmt.Fprintf(&cmap, "%d beginbfchar\n%s\nendbfchar\n", len(chars), strings.Join(chars, "\n"))
	fmt.Fprintf(&cmap, "%d beginbfrange\n%s\nendbfrange\n", len(ranges), strings.Join(ranges, "\n"))
	cmap.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")

	p := &pdfBuilder{}
	catalog := p.add("")
	pages := p.add("")
	page := p.add("")
	content := p.add(pdfStreamObj("/Filter /FlateDecode", flateBytes(t, []byte(cs.String()))))
	toUni := p.add(pdfStreamObj("/Filter /FlateDecode", flateBytes(t, []byte(cmap.String()))))
	type0 := p.add("")   // in the object stream
	cidfont := p.add("") // in the object stream
	objs := []string{
		fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+NotoSansCJK /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", cidfont, toUni),
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+NotoSansCJK /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
	}
	header := fmt.Sprintf("%d 0 %d %d ", type0, cidfont, len(objs[0])+1)
	body := header + objs[0] + "\n" + objs[1]
	p.add(pdfStreamObj(fmt.Sprintf("/Type /ObjStm /N 2 /First %d /Filter /FlateDecode", len(header)), flateBytes(t, []byte(body))))
	p.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pages))
	p.set(pages, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page))
	p.set(page, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F0 %d 0 R >> >> /Contents [%d 0 R] >>", pages, type0, content))
	return p.bytes("", catalog)
}

func gzipBytes(t testing.TB, b []byte, name string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Name = name
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encode(t testing.TB, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

// hkid returns a test HKID with a valid check digit for prefix+digits.
func hkid(prefix, digits string) string {
	vals := []int{}
	if len(prefix) == 1 {
		vals = append(vals, 36)
	}
	for _, c := range prefix {
		vals = append(vals, int(c-'A')+10)
	}
	for _, c := range digits {
		vals = append(vals, int(c-'0'))
	}
	sum := 0
	for i, v := range vals {
		sum += v * (9 - i)
	}
	check := (11 - sum%11) % 11
	cd := fmt.Sprint(check)
	if check == 10 {
		cd = "A"
	}
	return fmt.Sprintf("%s%s(%s)", prefix, digits, cd)
}

// run extracts b with the given content type and limits.
func run(t testing.TB, in Input, lim Limits) *Result {
	t.Helper()
	res, err := extractOpts(context.Background(), in, lim, true)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return res
}

func bodyInput(b []byte) Input { return Input{Body: bytes.NewReader(b), Size: int64(len(b))} }

func allText(r *Result) string {
	var sb strings.Builder
	for _, s := range r.Segments {
		sb.WriteString(s.Text)
		sb.WriteString("\n")
	}
	return sb.String()
}

func origins(r *Result) []string {
	var o []string
	for _, s := range r.Segments {
		o = append(o, s.Origin)
	}
	return o
}

// buildPositionedPDF places every glyph with its own Td, the way many
// generators lay out CJK text and table cells: a Latin line glyph by glyph
// (monospaced widths), a CJK line glyph by glyph (Type0, /W widths), and a
// table row whose cells are separate BT/ET blocks on one baseline.
func buildPositionedPDF(t testing.TB, latin, cjk string, row []string) []byte {
	var cs strings.Builder
	cs.WriteString("BT /F1 10 Tf 50 800 Td\n")
	for _, r := range latin {
		fmt.Fprintf(&cs, "(%s) Tj 6 0 Td\n", pdfEscape(string(r)))
	}
	cs.WriteString("ET\nBT /F2 12 Tf 50 780 Td\n")
	var order []rune
	for _, r := range cjk {
		fmt.Fprintf(&cs, "<%04X> Tj 12 0 Td\n", 0x0200+len(order))
		order = append(order, r)
	}
	cs.WriteString("ET\n")
	for i, c := range row {
		fmt.Fprintf(&cs, "BT /F1 10 Tf %d 760 Td (%s) Tj ET\n", 50+i*150, pdfEscape(c))
	}
	var cmap strings.Builder
	cmap.WriteString("begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n")
	fmt.Fprintf(&cmap, "1 beginbfrange\n<0200> <%04X> [", 0x0200+len(order)-1)
	for _, r := range order {
		fmt.Fprintf(&cmap, "<%04X>", r)
	}
	cmap.WriteString("]\nendbfrange\nendcmap\n")
	widths := strings.TrimSpace(strings.Repeat("600 ", 95))
	p := &pdfBuilder{}
	cat := p.add("")
	pages := p.add("")
	f1 := p.add("<< /Type /Font /Subtype /TrueType /BaseFont /CourierLike /FirstChar 32 /LastChar 126 /Widths [" + widths + "] >>")
	cid := p.add("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /DW 500 /W [512 [1000 1000] 514 600 1000] >>")
	uni := p.add(pdfStreamObj("", []byte(cmap.String())))
	f2 := p.add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", cid, uni))
	content := p.add(pdfStreamObj("", []byte(cs.String())))
	page := p.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>", pages, f1, f2, content))
	p.set(cat, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pages))
	p.set(pages, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page))
	return p.bytes("", cat)
}
