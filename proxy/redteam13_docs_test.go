package proxy

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

// Item 6: places in Office files and PDFs that the reader shows outside
// the page or cells. Each file hides three customers' HKIDs in one place.

const (
	rtSML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	rtRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	rtPkg = "http://schemas.openxmlformats.org/package/2006/relationships"
)

func rtIDs() []string { return []string{testgen.HKID(60), testgen.HKID(61), testgen.HKID(62)} }

// rtXLSX is a one-sheet workbook with extra XML in the workbook and after
// the sheet's cells.
func rtXLSX(t *testing.T, workbookExtra, sheetTail string, parts ...[2]string) []byte {
	files := [][2]string{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<Relationships xmlns="` + rtPkg + `"><Relationship Id="rId1" Type="` + rtRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="` + rtPkg + `"><Relationship Id="rId1" Type="` + rtRel + `/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns="` + rtSML + `" xmlns:r="` + rtRel + `"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>` + workbookExtra + `</workbook>`},
		{"xl/worksheets/sheet1.xml", `<worksheet xmlns="` + rtSML + `"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Quarterly plan</t></is></c></row></sheetData>` + sheetTail + `</worksheet>`},
	}
	return evasionZip(t, append(files, parts...)...)
}

// rtPDF writes a PDF with one page ("Quarterly plan") and the given
// objects from number 6 on; catalogExtra and pageExtra go in the catalog
// and page dictionaries, trailerExtra in the trailer.
func rtPDF(catalogExtra, pageExtra, trailerExtra string, objs ...string) []byte {
	content := "BT /F1 12 Tf 72 720 Td (Quarterly plan) Tj ET"
	all := append([]string{
		"<< /Type /Catalog /Pages 2 0 R " + catalogExtra + " >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> " + pageExtra + " >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}, objs...)
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	var offs []int
	for i, o := range all {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(all)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(all)+1, trailerExtra, x)
	return b.Bytes()
}

func pdfLit(s string) string {
	return "(" + strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s) + ")"
}

func pdfUTF16(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String() + ">"
}

func TestRedTeamDocumentHidingPlaces(t *testing.T) {
	ids := rtIDs()
	joined := strings.Join(ids, " ")
	list := "Name,HKID\n" + fmt.Sprintf("Chan,%s\nLee,%s\nWong,%s\n", ids[0], ids[1], ids[2])
	var names strings.Builder
	names.WriteString("<definedNames>")
	for i, id := range ids {
		fmt.Fprintf(&names, `<definedName name="cust%d">"%s"</definedName>`, i, id)
	}
	names.WriteString("</definedNames>")
	props := [2]string{"docProps/core.xml", `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Plan</dc:title><dc:description>` + joined + `</dc:description></cp:coreProperties>`}
	custom := [2]string{"docProps/custom.xml", `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="ref"><vt:lpwstr>` + joined + `</vt:lpwstr></property></Properties>`}
	var zl bytes.Buffer
	zw := zlib.NewWriter(&zl)
	zw.Write([]byte(list))
	zw.Close()
	annots := func(sub, key string) []string {
		var o []string
		for i, id := range ids {
			o = append(o, fmt.Sprintf("<< /Type /Annot /Subtype /%s /Rect [0 0 10 10] /T (f%d) /%s %s >>", sub, i, key, pdfLit(id)))
		}
		return o
	}
	h := newHarness(t, harnessConfig{classifiers: classifiers.NewDefault()})
	rtBlocked(t, h, []rtUpload{
		{name: "xlsx defined names", fileName: "plan.xlsx", file: rtXLSX(t, names.String(), "")},
		{name: "xlsx data validation list", fileName: "plan.xlsx", file: rtXLSX(t, "", `<dataValidations count="1"><dataValidation type="list" sqref="B1:B9"><formula1>"`+strings.Join(ids, ",")+`"</formula1></dataValidation></dataValidations>`)},
		{name: "xlsx header and footer", fileName: "plan.xlsx", file: rtXLSX(t, "", `<headerFooter><oddHeader>&amp;L`+ids[0]+`&amp;C`+ids[1]+`</oddHeader><oddFooter>&amp;R&amp;"Arial,Bold"&amp;8`+ids[2]+`</oddFooter></headerFooter>`)},
		{name: "xlsx document properties", fileName: "plan.xlsx", file: rtXLSX(t, "", "", props)},
		{name: "xlsx custom properties", fileName: "plan.xlsx", file: rtXLSX(t, "", "", custom)},
		{name: "docx document properties", fileName: "letter.docx", file: rtDOCXWith(t, props)},
		{name: "xlsx shared strings no cell uses", fileName: "plan.xlsx", file: rtXLSXShared(t, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`, "<si><t>Plan</t></si>"+sis(ids, "<si><t>%s</t></si>"))},
		{name: "xlsx phonetic guides", fileName: "plan.xlsx", file: rtXLSXShared(t, `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>`, sis(ids, `<si><t>Chan</t><rPh sb="0" eb="1"><t>%s</t></rPh></si>`))},
		{name: "xlsx formulas with no cached value", fileName: "plan.xlsx", file: rtXLSXShared(t, sis(ids, `<row><c t="str"><f>"%s"</f></c></row>`), "")},
		{name: "pptx picture alt text", fileName: "deck.pptx", file: rtPPTXSlide(t, `<p:pic><p:nvPicPr><p:cNvPr id="2" name="Picture 1" descr="`+joined+`"/></p:nvPicPr></p:pic>`)},
		{name: "docx footnotes, comments, deleted text (regression)", fileName: "letter.docx", file: rtDOCXParts(t, `<w:p><w:del w:id="1" w:author="x"><w:r><w:delText>`+ids[0]+`</w:delText></w:r></w:del></w:p>`,
			[2]string{"word/footnotes.xml", `<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="1"><w:p><w:r><w:t>` + ids[1] + `</w:t></w:r></w:p></w:footnote></w:footnotes>`},
			[2]string{"word/comments.xml", `<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0"><w:p><w:r><w:t>` + ids[2] + `</w:t></w:r></w:p></w:comment></w:comments>`})},
		{name: "pdf text annotations", fileName: "plan.pdf", file: rtPDF("", "/Annots [6 0 R 7 0 R 8 0 R]", "", annots("Text", "Contents")...)},
		{name: "pdf form field values", fileName: "form.pdf", file: rtPDF("/AcroForm << /Fields [6 0 R 7 0 R 8 0 R] >>", "/Annots [6 0 R 7 0 R 8 0 R]", "", annots("Widget /FT /Tx", "V")...)},
		{name: "pdf information dictionary, UTF-16", fileName: "plan.pdf", file: rtPDF("", "", "/Info 6 0 R", "<< /Title (Plan) /Subject "+pdfUTF16(joined)+" /CustomerRefs "+pdfLit(joined)+" >>")},
		{name: "pdf bookmarks", fileName: "plan.pdf", file: rtPDF("/Outlines 6 0 R", "", "",
			"<< /Type /Outlines /First 7 0 R /Last 9 0 R /Count 3 >>",
			"<< /Title "+pdfLit(ids[0])+" /Parent 6 0 R /Next 8 0 R >>",
			"<< /Title "+pdfLit(ids[1])+" /Parent 6 0 R /Prev 7 0 R /Next 9 0 R >>",
			"<< /Title "+pdfLit(ids[2])+" /Parent 6 0 R /Prev 8 0 R >>")},
		{name: "pdf embedded file", fileName: "plan.pdf", file: rtPDF("/Names << /EmbeddedFiles << /Names [(c.csv) 6 0 R] >> >>", "", "",
			"<< /Type /Filespec /F (c.csv) /EF << /F 7 0 R >> >>",
			fmt.Sprintf("<< /Type /EmbeddedFile /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", zl.Len(), zl.String()))},
		{name: "pdf XMP metadata", fileName: "plan.pdf", file: rtPDF("/Metadata 6 0 R", "", "",
			rtStream("/Type /Metadata /Subtype /XML", `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>`+joined+`</dc:description></rdf:Description></rdf:RDF></x:xmpmeta>`))},
	})
}

func sis(ids []string, f string) string {
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, f, id)
	}
	return b.String()
}

// rtXLSXShared is a one-sheet workbook with shared strings.
func rtXLSXShared(t *testing.T, rows, sst string) []byte {
	return evasionZip(t,
		[2]string{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		[2]string{"_rels/.rels", `<Relationships xmlns="` + rtPkg + `"><Relationship Id="rId1" Type="` + rtRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		[2]string{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="` + rtPkg + `"><Relationship Id="rId1" Type="` + rtRel + `/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="` + rtRel + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		[2]string{"xl/workbook.xml", `<workbook xmlns="` + rtSML + `" xmlns:r="` + rtRel + `"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		[2]string{"xl/sharedStrings.xml", `<sst xmlns="` + rtSML + `">` + sst + `</sst>`},
		[2]string{"xl/worksheets/sheet1.xml", `<worksheet xmlns="` + rtSML + `"><sheetData>` + rows + `</sheetData></worksheet>`})
}

// rtDOCXParts is a letter with extra body XML and parts (named by
// relationships).
func rtDOCXParts(t *testing.T, body string, parts ...[2]string) []byte {
	rels := `<Relationships xmlns="` + rtPkg + `">`
	for i, p := range parts {
		kind := strings.TrimSuffix(strings.TrimPrefix(p[0], "word/"), ".xml")
		rels += fmt.Sprintf(`<Relationship Id="rId%d" Type="%s/%s" Target="%s"/>`, i+5, rtRel, kind, strings.TrimPrefix(p[0], "word/"))
	}
	rels += `</Relationships>`
	files := [][2]string{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<Relationships xmlns="` + rtPkg + `"><Relationship Id="rId1" Type="` + rtRel + `/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/_rels/document.xml.rels", rels},
		{"word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Dear customer</w:t></w:r></w:p>` + body + `</w:body></w:document>`},
	}
	return evasionZip(t, append(files, parts...)...)
}

// rtPPTXSlide is a deck of one slide whose shape tree is tree.
func rtPPTXSlide(t *testing.T, tree string) []byte {
	const pml = "application/vnd.openxmlformats-officedocument.presentationml."
	return evasionZip(t,
		[2]string{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/ppt/presentation.xml" ContentType="` + pml + `presentation.main+xml"/><Override PartName="/ppt/slides/slide1.xml" ContentType="` + pml + `slide+xml"/></Types>`},
		[2]string{"_rels/.rels", `<Relationships xmlns="` + rtPkg + `"><Relationship Id="rId1" Type="` + rtRel + `/officeDocument" Target="ppt/presentation.xml"/></Relationships>`},
		[2]string{"ppt/presentation.xml", `<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="` + rtRel + `"><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst></p:presentation>`},
		[2]string{"ppt/_rels/presentation.xml.rels", `<Relationships xmlns="` + rtPkg + `"><Relationship Id="rId2" Type="` + rtRel + `/slide" Target="slides/slide1.xml"/></Relationships>`},
		[2]string{"ppt/slides/slide1.xml", `<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree>` + tree + `</p:spTree></p:cSld></p:sld>`})
}

func rtStream(dict, body string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(body), body)
}

// rtDOCXWith is a short letter with extra package parts.
func rtDOCXWith(t *testing.T, parts ...[2]string) []byte {
	files := [][2]string{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<Relationships xmlns="` + rtPkg + `"><Relationship Id="rId1" Type="` + rtRel + `/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Dear customer</w:t></w:r></w:p></w:body></w:document>`},
	}
	return evasionZip(t, append(files, parts...)...)
}
