package testgen

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"html"
	"strings"
	"unicode/utf16"
)

// Document builders for tests that go through extraction: each returns the
// bytes of a small but well-formed file holding a table (rows[0] is the
// header row). They panic on an internal error (a bug in the builder).

func buildZip(entries ...[2]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e[0])
		if err == nil {
			_, err = w.Write([]byte(e[1]))
		}
		if err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`

// XLSX is a workbook with one sheet of shared strings.
func XLSX(title string, rows [][]string) []byte {
	var shared []string
	idx := map[string]int{}
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	all := append([][]string{{title}}, rows...)
	for r, row := range all {
		fmt.Fprintf(&s, `<row r="%d">`, r+1)
		for c, v := range row {
			i, ok := idx[v]
			if !ok {
				i = len(shared)
				idx[v] = i
				shared = append(shared, v)
			}
			fmt.Fprintf(&s, `<c r="%c%d" t="s"><v>%d</v></c>`, 'A'+c, r+1, i)
		}
		s.WriteString(`</row>`)
	}
	s.WriteString(`</sheetData></worksheet>`)
	var sst strings.Builder
	fmt.Fprintf(&sst, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="x" count="%d" uniqueCount="%d">`, len(shared), len(shared))
	for _, v := range shared {
		fmt.Fprintf(&sst, `<si><t>%s</t></si>`, html.EscapeString(v))
	}
	sst.WriteString(`</sst>`)
	return buildZip(
		[2]string{"[Content_Types].xml", contentTypes},
		[2]string{"xl/workbook.xml", `<workbook xmlns:r="r"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		[2]string{"xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Type="ws" Target="worksheets/sheet1.xml"/></Relationships>`},
		[2]string{"xl/sharedStrings.xml", sst.String()},
		[2]string{"xl/worksheets/sheet1.xml", s.String()},
	)
}

// ODS is an OpenDocument spreadsheet.
func ODS(rows [][]string) []byte {
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
	return buildZip(
		[2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
		[2]string{"content.xml", b.String()},
	)
}

// DOCX is a Word document: a title paragraph, then the table.
func DOCX(title string, rows [][]string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	fmt.Fprintf(&b, `<w:p><w:r><w:t>%s</w:t></w:r></w:p><w:tbl>`, html.EscapeString(title))
	for _, row := range rows {
		b.WriteString(`<w:tr>`)
		for _, c := range row {
			fmt.Fprintf(&b, `<w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>`, html.EscapeString(c))
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl></w:body></w:document>`)
	return buildZip(
		[2]string{"[Content_Types].xml", contentTypes},
		[2]string{"word/document.xml", b.String()},
	)
}

// PPTX is a presentation: a title slide, then a slide with the table.
func PPTX(title string, rows [][]string) []byte {
	var t strings.Builder
	t.WriteString(`<p:sld xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree><p:graphicFrame><a:graphic><a:graphicData><a:tbl>`)
	for _, row := range rows {
		t.WriteString(`<a:tr>`)
		for _, c := range row {
			fmt.Fprintf(&t, `<a:tc><a:txBody><a:p><a:r><a:t>%s</a:t></a:r></a:p></a:txBody></a:tc>`, html.EscapeString(c))
		}
		t.WriteString(`</a:tr>`)
	}
	t.WriteString(`</a:tbl></a:graphicData></a:graphic></p:graphicFrame></p:spTree></p:cSld></p:sld>`)
	return buildZip(
		[2]string{"[Content_Types].xml", contentTypes},
		[2]string{"ppt/presentation.xml", `<p:presentation xmlns:p="p"/>`},
		[2]string{"ppt/slides/slide1.xml", fmt.Sprintf(`<p:sld xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>%s</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`, html.EscapeString(title))},
		[2]string{"ppt/slides/slide2.xml", t.String()},
	)
}

// HTML is a page with the table.
func HTML(title string, rows [][]string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%s</title></head><body><h1>%s</h1><table>\n", html.EscapeString(title), html.EscapeString(title))
	for i, row := range rows {
		b.WriteString("<tr>")
		for _, c := range row {
			tag := "td"
			if i == 0 {
				tag = "th"
			}
			fmt.Fprintf(&b, "<%s>%s</%s>", tag, html.EscapeString(c), tag)
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table></body></html>\n")
	return []byte(b.String())
}

// PDF is a one-page PDF whose lines are shown through a Type0 font with
// Identity-H codes and a ToUnicode CMap (so CJK text extracts), one line a
// row, cells separated by wide gaps.
func PDF(title string, rows [][]string) []byte {
	codes := map[rune]uint16{}
	var order []rune
	code := func(r rune) uint16 {
		if c, ok := codes[r]; ok {
			return c
		}
		c := uint16(0x0100 + len(order))
		codes[r] = c
		order = append(order, r)
		return c
	}
	var cs strings.Builder
	cs.WriteString("BT /F0 10 Tf 40 800 Td\n")
	lines := [][]string{{title}}
	lines = append(lines, rows...)
	for _, cells := range lines {
		cs.WriteString("[")
		for j, cell := range cells {
			if j > 0 {
				cs.WriteString(" -3000 ")
			}
			cs.WriteString("<")
			for _, r := range cell {
				fmt.Fprintf(&cs, "%04X", code(r))
			}
			cs.WriteString(">")
		}
		cs.WriteString("] TJ\n0 -14 Td\n")
	}
	cs.WriteString("ET\n")
	var cmap strings.Builder
	cmap.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Adobe-Identity-UCS def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	fmt.Fprintf(&cmap, "%d beginbfchar\n", len(order))
	for _, r := range order {
		u := ""
		for _, x := range utf16.Encode([]rune{r}) {
			u += fmt.Sprintf("%04X", x)
		}
		fmt.Fprintf(&cmap, "<%04X> <%s>\n", codes[r], u)
	}
	cmap.WriteString("endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	stream := func(dict string, data string) string {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write([]byte(data))
		w.Close()
		return fmt.Sprintf("<< %s /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", dict, z.Len(), z.Bytes())
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F0 5 0 R >> >> /Contents 4 0 R >>",
		stream("", cs.String()),
		"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+NotoSansCJK /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+NotoSansCJK /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
		stream("", cmap.String()),
	}
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return buf.Bytes()
}
