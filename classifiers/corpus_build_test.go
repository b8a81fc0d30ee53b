package classifiers

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"testing"
)

// Format builders for the labelled corpus (corpus_test.go): every document
// is generated here in the format it travels in, then read back through the
// real extractor, so the classifiers see what the proxy would give them.

// content is one logical document: prose, a table or slides with notes.
type content struct {
	text   string
	table  [][]string
	slides []slide
}

type slide struct{ body, notes string }

func zipOf(t testing.TB, files map[string]string, order []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const corpusContentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`

func toCSV(t testing.TB, rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func colName(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return string(rune('A'+i/26-1)) + string(rune('A'+i%26))
}

// toXLSX writes one sheet with inline strings and numeric cells.
func toXLSX(t testing.TB, sheet string, rows [][]string) []byte {
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r, row := range rows {
		fmt.Fprintf(&s, `<row r="%d">`, r+1)
		for c, v := range row {
			ref := fmt.Sprintf("%s%d", colName(c), r+1)
			if v == "" {
				continue
			}
			if strings.Trim(v, "0123456789.-") == "" && strings.Trim(v, ".-") != "" {
				fmt.Fprintf(&s, `<c r="%s"><v>%s</v></c>`, ref, v)
			} else {
				fmt.Fprintf(&s, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, html.EscapeString(v))
			}
		}
		s.WriteString(`</row>`)
	}
	s.WriteString(`</sheetData></worksheet>`)
	files := map[string]string{
		"[Content_Types].xml":        corpusContentTypes,
		"xl/workbook.xml":            `<workbook xmlns:r="r"><sheets><sheet name="` + html.EscapeString(sheet) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Type="ws" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   s.String(),
	}
	return zipOf(t, files, []string{"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"})
}

// toDOCX writes paragraphs (one per line of text) and an optional table.
func toDOCX(t testing.TB, text string, table [][]string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, p := range strings.Split(text, "\n") {
		b.WriteString(`<w:p>`)
		for i, part := range strings.Split(p, "\t") {
			if i > 0 {
				b.WriteString(`<w:r><w:tab/></w:r>`)
			}
			fmt.Fprintf(&b, `<w:r><w:t xml:space="preserve">%s</w:t></w:r>`, html.EscapeString(part))
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
	return zipOf(t, map[string]string{"[Content_Types].xml": corpusContentTypes, "word/document.xml": b.String()},
		[]string{"[Content_Types].xml", "word/document.xml"})
}

// toPPTX writes slides, each with its speaker notes.
func toPPTX(t testing.TB, slides []slide) []byte {
	files := map[string]string{"[Content_Types].xml": corpusContentTypes, "ppt/presentation.xml": `<p:presentation xmlns:p="p"/>`}
	order := []string{"[Content_Types].xml", "ppt/presentation.xml"}
	para := func(s string) string {
		var b strings.Builder
		for _, line := range strings.Split(s, "\n") {
			fmt.Fprintf(&b, `<a:p><a:r><a:t>%s</a:t></a:r></a:p>`, html.EscapeString(line))
		}
		return b.String()
	}
	for i, s := range slides {
		n := fmt.Sprintf("ppt/slides/slide%d.xml", i+1)
		files[n] = `<p:sld xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree><p:sp><p:txBody>` + para(s.body) + `</p:txBody></p:sp></p:spTree></p:cSld></p:sld>`
		order = append(order, n)
		if s.notes != "" {
			n := fmt.Sprintf("ppt/notesSlides/notesSlide%d.xml", i+1)
			files[n] = `<p:notes xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree><p:sp><p:txBody>` + para(s.notes) + `</p:txBody></p:sp></p:spTree></p:cSld></p:notes>`
			order = append(order, n)
		}
	}
	return zipOf(t, files, order)
}

// toChat wraps text as a DingTalk robot message.
func toChat(t testing.TB, text string) []byte {
	b, err := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": text}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tableText lays a table out as tab-separated lines (for txt and docx
// bodies that carry a table as text).
func tableText(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	return b.String()
}

// render builds the bytes of c in format ("txt", "csv", "xlsx", "docx",
// "pptx", "json") and returns them with a file extension.
func render(t testing.TB, c content, format string) []byte {
	switch format {
	case "csv":
		return toCSV(t, c.table)
	case "xlsx":
		return toXLSX(t, "Sheet1", c.table)
	case "docx":
		return toDOCX(t, c.text, c.table)
	case "pptx":
		return toPPTX(t, c.slides)
	case "json":
		if c.table != nil {
			return toChat(t, c.text+tableText(c.table))
		}
		return toChat(t, c.text)
	}
	if c.table != nil {
		return []byte(c.text + tableText(c.table))
	}
	if c.slides != nil {
		var b strings.Builder
		for _, s := range c.slides {
			b.WriteString(s.body + "\n" + s.notes + "\n")
		}
		return []byte(b.String())
	}
	return []byte(c.text)
}
