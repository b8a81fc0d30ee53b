package extract

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestSheetTailText(t *testing.T) {
	for in, want := range map[string]string{
		`&LA123456(3)&CPage &P of &N`:         "A123456(3) Page   of",
		`&"Arial,Bold"&12Customer &&Co`:       "Customer  Co",
		`"A123456(3),C234567(4)"`:             `"A123456(3),C234567(4)"`,
		"  B1:B9  ":                           "B1:B9",
		`AND(LEN(A1)=10,ISNUMBER(VALUE(B1)))`: `AND(LEN(A1)=10,ISNUMBER(VALUE(B1)))`,
	} {
		if got := sheetTailText([]byte(in)); got != want {
			t.Errorf("sheetTailText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Binary strings (file IDs, encryption values) and dates are not read as
// text; text strings in any object are.
func TestPDFTextStrings(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool
		want string
	}{
		{"Plan \xe5\xae\xa2\xe6\x88\xb6", true, "Plan 客戶"},
		{"\xfe\xff\x00A\x00B", true, "AB"},
		{"\x8f\x01\x9c\x00\xfe\x13\x02\x7f\x00\x11\x05\x06", false, ""},
		{"   ", false, ""},
	} {
		got, ok := pdfTextString(pStr(c.in))
		if ok != c.ok || ok && got != c.want {
			t.Errorf("pdfTextString(%q) = %q, %v", c.in, got, ok)
		}
	}
	var sb strings.Builder
	d := &pdfDoc{}
	d.pdfStrings(&sb, pDict{"Title": pStr("Plan"), "CreationDate": pStr("D:20260101120000+08'00'"), "ID": pArray{pStr("\x8f\x01\x9c\x00\xfe\x13\x02\x7f")},
		"Kids": pArray{pDict{"T": pStr("field"), "V": pStr("value")}}, "Sig": pDict{"Type": pName("Sig"), "Contents": pStr("secret-bytes")}}, "", 0)
	if got := sb.String(); got != "field\nvalue\nPlan\n" {
		t.Errorf("strings %q", got)
	}
}

// A body labelled multipart whose boundary never appears is read as one
// piece and reported malformed (mime/multipart would read nothing of it).
func TestMultipartWithoutDelimiter(t *testing.T) {
	a := hkid("A", "123456")
	in := bodyInput([]byte("see --BBX, " + a + "\r\n"))
	in.ContentType = "multipart/form-data; boundary=BB"
	res := run(t, in, Limits{})
	check(t, res, want{texts: []string{a}, origins: []string{"multipart:unframed"}, problems: []ProblemKind{Malformed}})
}

// A multipart body's preamble and epilogue are read; the parts' own text
// is read once.
func TestMultipartPreambleAndEpilogue(t *testing.T) {
	a, c := hkid("A", "123456"), hkid("C", "234567")
	part := "--BB\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nhello\r\n"
	lfPart := "--BB\nContent-Disposition: form-data; name=\"f\"\n\nhello\n"
	for name, tc := range map[string]struct {
		body   string
		texts  []string
		absent []string
	}{
		"preamble":               {a + "\r\n" + part + "--BB--\r\n", []string{a, "hello"}, nil},
		"preamble with a decoy":  {"x\r\n--BBX " + a + "\r\n" + part + "--BB--\r\n", []string{a, "hello"}, nil},
		"epilogue":               {part + "--BB--\r\n" + c, []string{c, "hello"}, nil},
		"epilogue after padding": {part + "--BB--  \t\r\n" + c + "\r\n", []string{c}, nil},
		"none":                   {part + "--BB--\r\n", []string{"hello"}, []string{"--BB"}},
		"bare-LF preamble":       {a + "\n" + lfPart + "--BB--\n", []string{a, "hello"}, nil},
		"bare-LF decoy":          {"x\n--BBX " + a + "\n" + lfPart + "--BB--\n", []string{a, "hello"}, nil},
		"bare-LF epilogue":       {lfPart + "--BB--\n" + c, []string{c, "hello"}, nil},
		"bare-LF none":           {lfPart + "--BB--\n", []string{"hello"}, []string{"--BB"}},
	} {
		t.Run(name, func(t *testing.T) {
			in := bodyInput([]byte(tc.body))
			in.ContentType = "multipart/form-data; boundary=BB"
			res := run(t, in, Limits{})
			check(t, res, want{texts: tc.texts, absent: tc.absent})
			if strings.Count(allText(res), "hello") != 1 {
				t.Errorf("part read %d times", strings.Count(allText(res), "hello"))
			}
		})
	}
}

// Field codes are text the document carries: a QUOTE field, a hyperlink
// target, a simple field's instruction.
func TestDOCXFieldCodes(t *testing.T) {
	a, c, e := hkid("A", "123456"), hkid("C", "234567"), hkid("E", "345678")
	doc := `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> QUOTE "` + a + `" </w:instrText></w:r>` +
		`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>shown</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>` +
		`<w:p><w:fldSimple w:instr=" HYPERLINK &quot;https://x.example/?id=` + c + `&quot; "><w:r><w:t>link</w:t></w:r></w:fldSimple></w:p>` +
		`<w:p><w:del><w:r><w:delInstrText> MERGEFIELD ` + e + ` </w:delInstrText></w:r></w:del></w:p>` +
		`</w:body></w:document>`
	data := buildZip(t,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypes)},
		zipEntry{name: "word/document.xml", body: []byte(doc)})
	in := bodyInput(data)
	in.Name = "fields.docx"
	res := run(t, in, Limits{})
	check(t, res, want{texts: []string{`QUOTE "` + a + `"`, c, e, "shown", "link"}})
	if strings.Contains(allText(res), a+`"shown`) {
		t.Errorf("field code runs into its result: %q", allText(res))
	}
}

// A member name holding ": " is written ":%20" in origins, archive and
// multipart alike: logs cut problem lines "kind: origin: reason" at ": "
// to mask the origin, and the name's tail must not pass for the reason.
func TestOriginNameColonEscaped(t *testing.T) {
	z := buildZip(t, zipEntry{name: "notes: Chan Tai Man.txt", body: []byte("hello there")})
	mp := "--b\r\nContent-Disposition: form-data; name=\"f: x\"; filename=\"a: b.txt\"\r\nContent-Type: text/plain\r\n\r\nhi there\r\n--b--\r\n"
	for _, in := range []Input{
		{Body: bytes.NewReader(z), Size: int64(len(z)), Name: "a.zip"},
		{Body: strings.NewReader(mp), Size: int64(len(mp)), ContentType: "multipart/form-data; boundary=b"},
	} {
		res, err := Extract(context.Background(), in, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Segments) == 0 {
			t.Fatal("no segments")
		}
		for _, sg := range res.Segments {
			if strings.Contains(sg.Origin, ": ") || !strings.Contains(sg.Origin, ":%20") {
				t.Errorf("origin %q: want the name's \": \" as \":%%20\"", sg.Origin)
			}
		}
	}
}

// A table inside a table cell (Word and OpenDocument nest them for address blocks and
// sub-lists) stays inside its outer cell: the outer row is one line of
// its columns, the inner cells and rows apart by spaces.
func TestDocxNestedTable(t *testing.T) {
	cell := func(s string) string { return `<w:tc><w:p><w:r><w:t>` + s + `</w:t></w:r></w:p></w:tc>` }
	inner := `<w:tc><w:tbl><w:tr>` + cell("A104729(1)") + cell("Flat 3A") + `</w:tr><w:tr>` + cell("Kwun Tong") + `</w:tr></w:tbl><w:p/></w:tc>`
	doc := `<w:document xmlns:w="w"><w:body><w:tbl>` +
		`<w:tr>` + cell("Name") + cell("ID and address") + cell("Condition") + `</w:tr>` +
		`<w:tr>` + cell("Chan Tai Man") + inner + cell("diabetes") + `</w:tr>` +
		`</w:tbl></w:body></w:document>`
	body := buildZip(t, zipEntry{name: "[Content_Types].xml", body: []byte(contentTypes)}, zipEntry{name: "word/document.xml", body: []byte(doc)})
	res, err := Extract(context.Background(), Input{Body: bytes.NewReader(body), Size: int64(len(body)), Name: "x.docx"}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, sg := range res.Segments {
		text += sg.Text
	}
	if !strings.Contains(text, "Name\tID and address\tCondition\t\n") {
		t.Errorf("header row lost: %q", text)
	}
	if !strings.Contains(text, "Chan Tai Man\tA104729(1) Flat 3A Kwun Tong\tdiabetes") {
		t.Errorf("the nested table split its outer row: %q", text)
	}
	// The same in OpenDocument.
	oc := func(s string) string { return `<table:table-cell><text:p>` + s + `</text:p></table:table-cell>` }
	oinner := `<table:table-cell><table:table><table:table-row>` + oc("A104729(1)") + oc("Flat 3A") + `</table:table-row><table:table-row>` + oc("Kwun Tong") + `</table:table-row></table:table></table:table-cell>`
	content := `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="o" xmlns:text="t" xmlns:table="b"><office:body><office:text><table:table>` +
		`<table:table-row>` + oc("Chan Tai Man") + oinner + oc("diabetes") + `</table:table-row></table:table></office:text></office:body></office:document-content>`
	odt := buildZip(t, zipEntry{name: "mimetype", body: []byte("application/vnd.oasis.opendocument.text"), store: true}, zipEntry{name: "content.xml", body: []byte(content)})
	res, err = Extract(context.Background(), Input{Body: bytes.NewReader(odt), Size: int64(len(odt)), Name: "x.odt"}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	text = ""
	for _, sg := range res.Segments {
		text += sg.Text
	}
	if !strings.Contains(text, "Chan Tai Man\tA104729(1) Flat 3A Kwun Tong\tdiabetes") {
		t.Errorf("ODT: the nested table split its outer row: %q", text)
	}
}
