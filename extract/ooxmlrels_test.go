package extract

import (
	"fmt"
	"strings"
	"testing"
)

// opcFile is one part of a hand-built OOXML package.
type opcFile struct {
	name, ctype string // ctype "" means covered by a Default
	body        []byte
}

type opcRelSpec struct{ from, id, typ, target string }

const relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

// buildOPC writes a package with [Content_Types].xml (Defaults for rels,
// xml, bin, png; an Override per typed part) and one .rels per source.
func buildOPC(t testing.TB, files []opcFile, rels []opcRelSpec) []byte {
	var ct strings.Builder
	ct.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`)
	ct.WriteString(`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="XML" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="xlsx" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/>`)
	for _, f := range files {
		if f.ctype != "" {
			fmt.Fprintf(&ct, `<Override PartName="/%s" ContentType="%s"/>`, f.name, f.ctype)
		}
	}
	ct.WriteString(`</Types>`)
	entries := []zipEntry{{name: "[Content_Types].xml", body: []byte(ct.String())}}
	bySrc := map[string][]opcRelSpec{}
	var order []string
	for _, r := range rels {
		if bySrc[r.from] == nil {
			order = append(order, r.from)
		}
		bySrc[r.from] = append(bySrc[r.from], r)
	}
	for _, src := range order {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
		for _, r := range bySrc[src] {
			fmt.Fprintf(&b, `<Relationship Id="%s" Type="%s%s" Target="%s"/>`, r.id, relNS, r.typ, r.target)
		}
		b.WriteString(`</Relationships>`)
		name := "_rels/.rels"
		if src != "" {
			i := strings.LastIndex(src, "/")
			name = src[:i+1] + "_rels/" + src[i+1:] + ".rels"
		}
		entries = append(entries, zipEntry{name: name, body: []byte(b.String())})
	}
	for _, f := range files {
		entries = append(entries, zipEntry{name: f.name, body: f.body})
	}
	return buildZip(t, entries...)
}

const (
	ctWordMain  = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	ctWordHdr   = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
	ctWordFtr   = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
	ctWordCmt   = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
	ctWordFn    = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
	ctWordStyle = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"
	ctXLMain    = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	ctXLSheet   = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
	ctXLShared  = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
	ctXLCmt     = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
	ctDrawing   = "application/vnd.openxmlformats-officedocument.drawing+xml"
	ctPPTMain   = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
	ctPPTSlide  = "application/vnd.openxmlformats-officedocument.presentationml.slide+xml"
	ctPPTNotes  = "application/vnd.openxmlformats-officedocument.presentationml.notesSlide+xml"
)

func wpara(s string) string {
	return `<w:p><w:r><w:t xml:space="preserve">` + s + `</w:t></w:r></w:p>`
}

// buildRelXLSX is a workbook with its worksheets at xl/sheets/*.xml (Excel
// opens it: only the relationships say where they are), shared strings
// under another name, a comment and a drawing with a text box.
func buildRelXLSX(t testing.TB, rows [][]string, second string) []byte {
	var ss, sheet strings.Builder
	ss.WriteString(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	sheet.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	k := 0
	for r, row := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, r+1)
		for c, v := range row {
			fmt.Fprintf(&ss, `<si><t>%s</t></si>`, v)
			fmt.Fprintf(&sheet, `<c r="%c%d" t="s"><v>%d</v></c>`, 'A'+c, r+1, k)
			k++
		}
		sheet.WriteString(`</row>`)
	}
	ss.WriteString(`</sst>`)
	sheet.WriteString(`</sheetData></worksheet>`)
	return buildOPC(t, []opcFile{
		{name: "xl/book.xml", ctype: ctXLMain, body: []byte(`<workbook xmlns:r="r"><sheets><sheet name="客戶 Customers" sheetId="1" r:id="rId1"/><sheet name="Other" sheetId="2" r:id="rId2"/></sheets></workbook>`)},
		{name: "xl/sheets/data.xml", ctype: ctXLSheet, body: []byte(sheet.String())},
		{name: "xl/sheets/more.xml", ctype: ctXLSheet, body: []byte(`<worksheet><sheetData><row r="1"><c r="B1" t="inlineStr"><is><t>` + second + `</t></is></c></row></sheetData></worksheet>`)},
		{name: "xl/strings.xml", ctype: ctXLShared, body: []byte(ss.String())},
		{name: "xl/notes/c1.xml", ctype: ctXLCmt, body: []byte(`<comments><commentList><comment ref="A1"><text><r><t>reviewer note 2</t></r></text></comment></commentList></comments>`)},
		{name: "xl/art/d1.xml", ctype: ctDrawing, body: []byte(`<xdr:wsDr xmlns:xdr="x" xmlns:a="a"><xdr:sp><xdr:txBody><a:p><a:r><a:t>text box 3</a:t></a:r></a:p></xdr:txBody></xdr:sp></xdr:wsDr>`)},
	}, []opcRelSpec{
		{"", "rId1", "officeDocument", "xl/book.xml"},
		{"xl/book.xml", "rId1", "worksheet", "sheets/data.xml"},
		{"xl/book.xml", "rId2", "worksheet", "/xl/sheets/more.xml"},
		{"xl/book.xml", "rId3", "sharedStrings", "strings.xml"},
		{"xl/sheets/data.xml", "rId1", "comments", "../notes/c1.xml"},
		{"xl/sheets/data.xml", "rId2", "drawing", "../art/d1.xml"},
	})
}

// buildRelDOCX: main document at word/body.xml, header, footer, comments
// and footnotes under other names, a text box, an embedded workbook.
func buildRelDOCX(t testing.TB, body string, embedded []byte) []byte {
	files := []opcFile{
		{name: "word/body.xml", ctype: ctWordMain, body: []byte(`<w:document xmlns:w="w"><w:body>` + wpara(body) +
			`<w:p><w:r><w:pict><v:shape><v:textbox><w:txbxContent>` + wpara("textbox text 7") + `</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p></w:body></w:document>`)},
		{name: "word/top.xml", ctype: ctWordHdr, body: []byte(`<w:hdr xmlns:w="w">` + wpara("header text 4") + `</w:hdr>`)},
		{name: "word/bottom.xml", ctype: ctWordFtr, body: []byte(`<w:ftr xmlns:w="w">` + wpara("footer text 5") + `</w:ftr>`)},
		{name: "word/remarks.xml", ctype: ctWordCmt, body: []byte(`<w:comments xmlns:w="w"><w:comment>` + wpara("comment text 6") + `</w:comment></w:comments>`)},
		{name: "word/notes.xml", ctype: ctWordFn, body: []byte(`<w:footnotes xmlns:w="w"><w:footnote>` + wpara("footnote text 8") + `</w:footnote></w:footnotes>`)},
		{name: "word/looks.xml", ctype: ctWordStyle, body: []byte(`<w:styles xmlns:w="w"><w:style><w:name w:val="Heading"/><w:t>style junk</w:t></w:style></w:styles>`)},
	}
	rels := []opcRelSpec{
		{"", "rId1", "officeDocument", "word/body.xml"},
		{"word/body.xml", "rId1", "header", "top.xml"},
		{"word/body.xml", "rId2", "footer", "bottom.xml"},
		{"word/body.xml", "rId3", "comments", "remarks.xml"},
		{"word/body.xml", "rId4", "footnotes", "notes.xml"},
		{"word/body.xml", "rId5", "styles", "looks.xml"},
	}
	if embedded != nil {
		files = append(files, opcFile{name: "word/objects/Book 1.xlsx", body: embedded})
		rels = append(rels, opcRelSpec{"word/body.xml", "rId6", "package", "objects/Book%201.xlsx"})
	}
	return buildOPC(t, files, rels)
}

func buildRelPPTX(t testing.TB, slide string) []byte {
	return buildOPC(t, []opcFile{
		{name: "deck/show.xml", ctype: ctPPTMain, body: []byte(`<p:presentation xmlns:p="p"><p:sldIdLst><p:sldId r:id="rId1"/></p:sldIdLst></p:presentation>`)},
		{name: "deck/pages/one.xml", ctype: ctPPTSlide, body: []byte(`<p:sld xmlns:a="a"><a:p><a:r><a:t>` + slide + `</a:t></a:r></a:p></p:sld>`)},
		{name: "deck/pages/one-notes.xml", ctype: ctPPTNotes, body: []byte(`<p:notes xmlns:a="a"><a:p><a:r><a:t>speaker notes 9</a:t></a:r></a:p></p:notes>`)},
		{name: "deck/cm/c1.xml", ctype: "application/vnd.openxmlformats-officedocument.presentationml.comments+xml", body: []byte(`<p:cmLst xmlns:p="p"><p:cm authorId="0"><p:text>slide comment 10</p:text></p:cm></p:cmLst>`)},
		{name: "deck/charts/chart1.xml", ctype: "application/vnd.openxmlformats-officedocument.drawingml.chart+xml", body: []byte(`<c:chartSpace xmlns:c="c"><c:ser><c:tx><c:strRef><c:strCache><c:pt idx="0"><c:v>chart series 11</c:v></c:pt></c:strCache></c:strRef></c:tx></c:ser></c:chartSpace>`)},
	}, []opcRelSpec{
		{"deck/pages/one.xml", "rId2", "comments", "../cm/c1.xml"},
		{"deck/pages/one.xml", "rId3", "chart", "../charts/chart1.xml"},
		{"", "rId1", "officeDocument", "deck/show.xml"},
		{"deck/show.xml", "rId1", "slide", "pages/one.xml"},
		{"deck/pages/one.xml", "rId1", "notesSlide", "one-notes.xml"},
	})
}

func TestOOXMLByRelationships(t *testing.T) {
	id1, id2, id3 := hkid("A", "123456"), hkid("K", "765432"), hkid("WX", "123456")
	xlsx := buildRelXLSX(t, [][]string{{"Name", "HKID"}, {"Chan Tai Man", id1}, {"Lee Mei Ling", id2}}, "second sheet "+id3)
	docx := buildRelDOCX(t, "Applicant "+id1, nil)
	withXLSX := buildRelDOCX(t, "cover letter", xlsx)
	for _, tc := range []struct {
		name string
		body []byte
		w    want
	}{
		{"xlsx with sheets at xl/sheets", xlsx, want{
			texts:   []string{"客戶 Customers\nName\tHKID\nChan Tai Man\t" + id1 + "\nLee Mei Ling\t" + id2, "Other\n\tsecond sheet " + id3, "reviewer note 2", "text box 3"},
			origins: []string{"zip:xl/sheets/data.xml", "zip:xl/sheets/more.xml", "zip:xl/notes/c1.xml", "zip:xl/art/d1.xml"}, clean: true}},
		{"docx with word/body.xml", docx, want{
			texts:   []string{"Applicant " + id1, "textbox text 7", "header text 4", "footer text 5", "comment text 6", "footnote text 8"},
			origins: []string{"zip:word/body.xml", "zip:word/top.xml", "zip:word/bottom.xml"}, absent: []string{"style junk"}, clean: true}},
		{"xlsx inside docx", withXLSX, want{
			texts:   []string{"cover letter", "Chan Tai Man\t" + id1, "second sheet " + id3},
			origins: []string{"zip:word/objects/Book 1.xlsx/xl/sheets/data.xml"}, clean: true}},
		{"pptx with odd names", buildRelPPTX(t, "slide "+id1), want{
			texts: []string{"slide " + id1, "speaker notes 9", "slide comment 10", "chart series 11"}, origins: []string{"zip:deck/pages/one.xml", "zip:deck/pages/one-notes.xml"}, clean: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, run(t, bodyInput(tc.body), Limits{}), tc.w)
		})
	}
	t.Run("part no relationship reaches", func(t *testing.T) {
		b := buildOPC(t, []opcFile{
			{name: "word/document.xml", ctype: ctWordMain, body: []byte(`<w:document xmlns:w="w"><w:body>` + wpara("main") + `</w:body></w:document>`)},
			{name: "word/hidden.xml", body: []byte(`<x><w:t>hidden part ` + id2 + `</w:t></x>`)},
		}, []opcRelSpec{{"", "rId1", "officeDocument", "word/document.xml"}})
		check(t, run(t, bodyInput(b), Limits{}), want{texts: []string{"main", "hidden part " + id2}})
	})
}
