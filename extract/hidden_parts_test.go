package extract

import (
	"bytes"
	"compress/gzip"
	"net/url"
	"testing"
)

// Places in an Office package that no Office reader shows but that an
// upload carries: each must be read (or, for real pictures, left to OCR
// without a problem).
func TestPackageHiddenPlaces(t *testing.T) {
	id1, id2, id3 := hkid("A", "123456"), hkid("B", "234567"), hkid("E", "364912")
	csv := "name,hkid\nChan Tai Man," + id1 + "\n"
	var emz bytes.Buffer
	zw := gzip.NewWriter(&emz)
	zw.Write(emfHeader())
	zw.Close()
	docxWith := func(extra ...zipEntry) []byte {
		return buildZip(t, append([]zipEntry{
			{name: "[Content_Types].xml", body: []byte(contentTypes)},
			{name: "word/document.xml", body: []byte(`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>cover letter</w:t></w:r></w:p></w:body></w:document>`)},
		}, extra...)...)
	}
	odtWith := func(content string, extra ...zipEntry) []byte {
		return buildZip(t, append([]zipEntry{
			{name: "mimetype", body: []byte("application/vnd.oasis.opendocument.text"), store: true},
			{name: "META-INF/manifest.xml", body: []byte(`<manifest:manifest xmlns:manifest="m"/>`)},
			{name: "content.xml", body: []byte(`<office:document-content xmlns:office="o" xmlns:text="t" xmlns:table="tb" xmlns:xlink="x"><office:body><office:text>` + content + `</office:text></office:body></office:document-content>`)},
		}, extra...)...)
	}
	cases := []struct {
		name string
		body []byte
		want want
	}{
		{"docx: a list filed as a picture", docxWith(
			zipEntry{name: "word/media/image1.png", body: realPNG(t)},
			zipEntry{name: "word/media/image2.png", body: []byte(csv)},
			zipEntry{name: "word/media/image3.png", body: append([]byte("\x89PNG\r\n\x1a\n"), csv...)},
		), want{texts: []string{"Chan Tai Man," + id1}, origins: []string{"zip:word/media/image2.png", "zip:word/media/image3.png"}, clean: true}},
		{"docx: Office's own picture formats stay pictures", docxWith(
			zipEntry{name: "word/media/image1.jpeg", body: realJPEG(t)},
			zipEntry{name: "word/media/image2.emf", body: emfHeader()},
			zipEntry{name: "word/media/image3.emz", body: emz.Bytes()},
			zipEntry{name: "word/media/hdphoto1.wdp", body: append([]byte("II\xbc\x01"), make([]byte, 60)...)},
		), want{texts: []string{"cover letter"}, absent: []string{"EMF"}, clean: true}},
		{"docx: a zip of a list filed as a picture", docxWith(
			zipEntry{name: "xl/media/image9.png", body: buildZip(t, zipEntry{name: "list.csv", body: []byte(csv)})},
		), want{texts: []string{"Chan Tai Man," + id1}, origins: []string{"zip:xl/media/image9.png/list.csv"}, clean: true}},
		{"docx: hyperlink and linked-file targets", docxWith(
			zipEntry{name: "word/_rels/document.xml.rels", body: []byte(`<Relationships xmlns="r">` +
				`<Relationship Id="rId1" Type="t/hyperlink" Target="https://x.example/?hkid=` + id2 + `&amp;n=` + url.QueryEscape(id3) + `" TargetMode="External"/>` +
				`<Relationship Id="rId2" Type="t/styles" Target="styles.xml"/></Relationships>`)},
		), want{texts: []string{"https://x.example/?hkid=" + id2 + "&n=" + url.QueryEscape(id3) + "\n", "n=" + id3 + "\n"}, absent: []string{"styles.xml"},
			origins: []string{"zip:word/_rels/document.xml.rels"}, clean: true}},
		{"odt: embedded object, extra member, pictures", odtWith(`<text:p>cover</text:p>`,
			zipEntry{name: "Object 1/content.xml", body: []byte(`<office:document-content xmlns:office="o" xmlns:table="tb" xmlns:text="t"><office:body><office:chart><table:table><table:table-row><table:table-cell><text:p>` + id1 + `</text:p></table:table-cell><table:table-cell><text:p>Chan</text:p></table:table-cell></table:table-row></table:table></office:chart></office:body></office:document-content>`)},
			zipEntry{name: "Object 1/styles.xml", body: []byte(`<office:document-styles xmlns:office="o"><s>STYLEJUNK</s></office:document-styles>`)},
			zipEntry{name: "ObjectReplacements/Object 1", body: []byte("VCLMTF\x01\x00\x31\x00\x00\x00")},
			zipEntry{name: "Pictures/1000.png", body: realPNG(t)},
			zipEntry{name: "Pictures/1001.png", body: []byte(csv)},
			zipEntry{name: "Thumbnails/thumbnail.png", body: realPNG(t)},
			zipEntry{name: "notes/secret.txt", body: []byte("HKID list " + id2 + " " + id3)},
			zipEntry{name: "settings.xml", body: []byte(`<office:document-settings xmlns:office="o"><c>SETTINGJUNK</c></office:document-settings>`)},
		), want{texts: []string{id1 + "\tChan", "Chan Tai Man," + id1, "HKID list " + id2 + " " + id3}, absent: []string{"STYLEJUNK", "SETTINGJUNK", "VCLMTF"},
			origins: []string{"zip:Object 1/content.xml", "zip:Pictures/1001.png", "zip:notes/secret.txt"}, clean: true}},
		{"odt: link targets and notes", odtWith(`<text:p>see<text:a xlink:href="http://x.example/` + id1 + `">link</text:a><text:note><text:note-body><text:p>` + id2 + `</text:p></text:note-body></text:note>after</text:p>` +
			`<text:p>reviewed<office:annotation><text:p>` + id3 + `</text:p></office:annotation>ok</text:p>`),
			want{texts: []string{"see http://x.example/" + id1 + " link", "\n" + id2 + "\n", "\n" + id3 + "\n"}, clean: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check(t, run(t, Input{Body: heldBody(tc.body), Size: int64(len(tc.body))}, Limits{}), tc.want)
		})
	}
}
