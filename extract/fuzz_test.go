package extract

import (
	"bytes"
	"context"
	"mime/multipart"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// fuzzLimits keep every fuzz run small and bounded in time.
var fuzzLimits = Limits{MaxTotalBytes: 1 << 20, MaxDecompressed: 8 << 20, MaxEntries: 200, MaxDepth: 6, TimeBudget: int64(2 * time.Second)}

// fuzzCheck runs Extract with panics surfacing (not turned into problems)
// and checks the result's invariants.
func fuzzCheck(t *testing.T, in Input) {
	t.Helper()
	res, err := extractOpts(context.Background(), in, fuzzLimits, true)
	if err != nil {
		t.Fatalf("Extract error on a live context: %v", err)
	}
	var n int64
	for _, s := range res.Segments {
		if !utf8.ValidString(s.Text) {
			t.Fatalf("segment %s is not valid UTF-8", s.Origin)
		}
		if s.Origin == "" {
			t.Fatal("empty origin")
		}
		n += int64(len(s.Text))
	}
	if n != res.TextBytes || n > fuzzLimits.MaxTotalBytes {
		t.Fatalf("TextBytes %d, segments %d, limit %d", res.TextBytes, n, fuzzLimits.MaxTotalBytes)
	}
	for _, p := range res.Problems {
		if p.Reason == "" || p.Kind == "" {
			t.Fatalf("empty problem %+v", p)
		}
	}
}

func seedDocs(f *testing.F) [][]byte {
	id := hkid("A", "123456")
	return [][]byte{
		buildDOCX(f, []string{"hello " + id}, [][]string{{"a", "b"}}),
		buildXLSX(f, [][]string{{"name", "id"}, {"x", id}}, [][]string{{"1", "2"}}),
		buildPPTX(f, "slide"),
		buildODT(f, "odt text"),
		buildODS(f, [][]string{{"a", "b"}}),
		buildLatinPDF(f, []string{"pdf " + id}, ""),
		buildCJKPDF(f, []string{"香港 身份證"}),
		buildZip(f, zipEntry{name: "a/b.zip", body: buildZip(f, zipEntry{name: "c.txt", body: []byte("c")})}),
		buildZip(f, zipEntry{name: "enc.txt", body: []byte("x"), flags: 1}),
		gzipBytes(f, []byte("gz text"), "n.txt"),
		[]byte(`{"msgParam":"{\"content\":\"x\"}","a":[1,"b",{"c":null}]}`),
		[]byte(`<html><meta charset="gbk"><script>x</script><p>hi &amp; bye</p></html>`),
		[]byte(`{\rtf1\ansi\ansicpg950{\fonttbl{\f0\fcharset136 X;}}\f0 \'a4\'a4\u20013? text\par}`),
		[]byte("\xff\xfeh\x00i\x00"),
		encode(f, traditionalchinese.Big5, "香港身份證"),
		encode(f, simplifiedchinese.GBK, "身份证号码"),
		[]byte("\x89PNG\r\n\x1a\n\x00\x00"),
		[]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1E\x00n\x00c\x00"),
		[]byte("plain text, a,b,c\n1,2,3\n"),
		[]byte("From: a@b\r\nSubject: =?gbk?B?1tDOxA==?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n--Z\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n--Z--\r\n"),
		append(append(make([]byte, 257), "ustar\x0000"...), make([]byte, 250)...),
		[]byte("{\"a\":\"b\"}\n{\"c\":[1,\"\\u4e2d\"]}\n"),
		[]byte(`{"text":{"content":"\u5ba2\u4eba`),
		append([]byte("\x00\x01\x02junk"), buildZip(f, zipEntry{name: "x.txt", body: []byte("frag")})[:40]...),
	}
}

func FuzzExtract(f *testing.F) {
	for _, b := range seedDocs(f) {
		f.Add(b, "")
	}
	f.Add([]byte("a=1&b=%7B%22c%22%3A%22d%22%7D"), "application/x-www-form-urlencoded")
	f.Add([]byte(`{"x":"y"}`), "application/json; charset=big5")
	// Bare zlib and raw deflate (inflate.go).
	f.Add(zlibOf([]byte("name,hkid\nChan,A123456(3)\n")), "application/octet-stream")
	f.Add(rawDeflateOf([]byte("name,hkid\nChan,A123456(3)\n")), "")
	f.Add([]byte("\x78\x9c\x4b\x4c\x4a\x06\x00"), "text/plain; charset=iso-8859-1")
	f.Fuzz(func(t *testing.T, data []byte, ctype string) {
		fuzzCheck(t, Input{ContentType: ctype, Body: bytes.NewReader(data), Size: int64(len(data))})
	})
}

func FuzzPDF(f *testing.F) {
	f.Add(buildLatinPDF(f, []string{"one", "two"}, ""))
	f.Add(buildCJKPDF(f, []string{"香港 身份證 號碼"}))
	f.Add(buildLatinPDF(f, []string{"enc"}, "/Encrypt 5 0 R"))
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Page /Contents 2 0 R >> endobj 2 0 obj << /Length 99 >> stream\nBT (x) Tj ET"))
	f.Add([]byte("%PDF-1.7\n1 0 obj<</Type/ObjStm/N 1/First 4>>stream\n2 0 <</Type/Page>>\nendstream endobj"))
	f.Add([]byte("%PDF-1.5\n1 0 obj<</Type/Page/Contents 2 0 R>>endobj 2 0 obj<</Filter/FlateDecode/DecodeParms<</Predictor 12/Columns 4000000000>>/Length 3>>stream\nabc\nendstream endobj"))
	f.Add([]byte("%PDF-1.5\n" + strings.Repeat("trailer[", 2000)))
	// Annotations, form values, outlines, attachments (pdfextras.go).
	f.Add([]byte("%PDF-1.7\n1 0 obj<</Type/Annot/Contents<FEFF0041>/V[(a)(b)]/Kids[<</T(x)>>]>>endobj 2 0 obj<</Type/EmbeddedFile/Filter/FlateDecode/Length 8>>stream\n\x78\x9c\x4b\x04\x00\x00\x62\x00\nendstream endobj 3 0 obj<</Type/Metadata/Subtype/XML/Length 9>>stream\n<a>b</a>\nendstream endobj"))
	// Superseded definitions and an unused content stream (pdfleftovers.go):
	// a page replaced by an update, an old Info, a stream no page uses, an
	// update cut off in its stream.
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/Contents 4 0 R>>endobj 4 0 obj<</Length 20>>stream\nBT (old text) Tj ET\nendstream endobj 5 0 obj<</Title(old)>>endobj 6 0 obj<</Length 19>>stream\nBT (unused) Tj ET\nendstream endobj\ntrailer<</Root 1 0 R/Info 5 0 R>>\n%%EOF\n3 0 obj<</Type/Page/Parent 2 0 R/Contents 7 0 R/Resources<</Font<</F1 8 0 R>>>>>>endobj 5 0 obj<</Title(new)>>endobj 7 0 obj<</Length 20>>stream\nBT (new text) Tj ET\nendstream endobj\ntrailer<</Root 1 0 R/Info 5 0 R>>\n%%EOF\n4 0 obj<</Filter/FlateDecode/Length 99>>stream\nx\x9c"))
	f.Add([]byte("%PDF-1.5\n" + strings.Repeat("1 0 obj<</Type/Page/Contents 1 0 R/AP<</N 1 0 R>>>>endobj 1 0 obj<</Resources<</XObject<</X 1 0 R>>/Pattern<</P 1 0 R>>>>/Length 9>>stream\nBT(a)TjET\nendstream endobj ", 50)))
	// Appearances, patterns and Type3 glyphs (pdfappear.go): a stamp whose
	// appearance runs a form in a cycle, a widget with a state dictionary
	// that names itself, a shared Annots array, a tiling pattern, a Type3
	// glyph, a widget no page lists.
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[12 0 R]>>>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R 4 0 R]/Count 2>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/Contents 5 0 R/Annots 6 0 R/Resources<</Font<</F1<</Subtype/Type1>>/T3 10 0 R>>/Pattern<</P1 11 0 R>>>>>>endobj 4 0 obj<</Type/Page/Parent 2 0 R/Annots 6 0 R>>endobj 5 0 obj<</Length 19>>stream\nBT (page) Tj ET\nendstream endobj 6 0 obj[<</Subtype/Stamp/Contents(s)/AP<</N 7 0 R/D 9 0 R>>>> 8 0 R<</Subtype/Widget/Parent 8 0 R/AP<</N 9 0 R>>>>]endobj 7 0 obj<</Subtype/Form/Resources<</XObject<</X 7 0 R/Y 13 0 R>>>>/Length 25>>stream\nBT (stamp) Tj ET /X Do /Y Do\nendstream endobj 8 0 obj<</Subtype/Widget/V(v)/Parent 8 0 R/AP<</N 9 0 R/R 8 0 R>>>>endobj 9 0 obj<</On 7 0 R/Off 9 0 R/X<</Y 9 0 R>>>>endobj 10 0 obj<</Subtype/Type3/CharProcs<</a 13 0 R>>/Resources<</Font 10 0 R>>>>endobj 11 0 obj<</PatternType 1/Resources<</Pattern<</P 11 0 R>>>>/Length 18>>stream\nBT (tile) Tj ET\nendstream endobj 12 0 obj<</Subtype/Widget/AP<</N 13 0 R>>>>endobj 13 0 obj<</Subtype/Form/Filter/FlateDecode/Resources<</XObject<</X 7 0 R>>>>/Length 3>>stream\nx\x9c\x01\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"))
	f.Add([]byte("%PDF-1.5\n" + strings.Repeat("1 0 obj<</Type/Page/Annots[1 0 R<</AP<</N 2 0 R/D<</A 2 0 R/B 1 0 R>>>>>>]/AP<</N 2 0 R>>>>endobj 2 0 obj<</Resources<</XObject<</X 2 0 R>>/Font<</F<</Subtype/Type3/CharProcs<</g 2 0 R>>>>>>>>/Length 14>>stream\nBT(a)Tj ET/X Do\nendstream endobj ", 50)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			data = append([]byte("%PDF-1.4\n"), data...)
		}
		fuzzCheck(t, Input{Body: bytes.NewReader(data), Size: int64(len(data))})
	})
}

func FuzzZip(f *testing.F) {
	for _, b := range seedDocs(f)[:10] {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzCheck(t, Input{Body: bytes.NewReader(data), Size: int64(len(data))})
	})
}

func FuzzJSON(f *testing.F) {
	f.Add(`{"msgKey":"sampleText","msgParam":"{\"content\":\"身份證\"}"}`)
	f.Add(`[{"a":"[\"[\\\"x\\\"]\"]"}]`)
	f.Add(`{"":"", "a b":{"c":[1,2,"3"]}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		fuzzCheck(t, Input{ContentType: "application/json", Body: strings.NewReader(doc), Size: int64(len(doc))})
	})
}

func FuzzMultipart(f *testing.F) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.SetBoundary("xyzzy")
	fw, _ := mw.CreateFormFile("media", "a.xlsx")
	fw.Write(buildXLSX(f, [][]string{{"a"}}, nil))
	mw.WriteField("json", `{"a":"b"}`)
	mw.Close()
	f.Add(buf.Bytes(), "xyzzy")
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"f\"\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n"), "b")
	// A preamble, a decoy delimiter and an epilogue (spanOutside).
	f.Add([]byte("pre\r\n--bX\r\n--b\r\n\r\nx\r\n--b--  \r\nepilogue"), "b")
	// The same framed with bare LF (lfOutside), and a boundary that only
	// appears inside text.
	f.Add([]byte("pre\n--bX\n--b\n\nx\n--b--  \nepilogue"), "b")
	f.Add([]byte("see --bX and --b-- here"), "b")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		fuzzCheck(t, Input{ContentType: "multipart/form-data; boundary=" + boundary, Body: bytes.NewReader(body), Size: int64(len(body))})
	})
}

func FuzzRTF(f *testing.F) {
	f.Add([]byte(`{\rtf1\ansi\ansicpg936 \'c9\'ed\'b7\'dd\u-28888?\par{\*\x y}}`))
	f.Add([]byte(`{\rtf1{\fonttbl{\f1\fcharset136 A;}}\f1\'a5\'c1\uc2\u20013\'a1\'a1 \bin5 abcde}`))
	f.Add([]byte(`{\rtf1 \bin-5 loop? \bin99999999 x}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte(`{\rtf`)) {
			data = append([]byte(`{\rtf1 `), data...)
		}
		fuzzCheck(t, Input{Body: bytes.NewReader(data), Size: int64(len(data))})
	})
}

func FuzzCharset(f *testing.F) {
	f.Add(encode(f, traditionalchinese.Big5, "香港身份證號碼"), "")
	f.Add(encode(f, simplifiedchinese.GBK, "资产负债表"), "gbk")
	f.Add([]byte("\xfe\xff\x00h"), "")
	f.Add([]byte("h\x00i\x00"), "utf-16")
	f.Fuzz(func(t *testing.T, data []byte, declared string) {
		s, ok := decodeText(data, declared)
		if ok && !utf8.ValidString(s) {
			t.Fatal("decodeText returned invalid UTF-8")
		}
	})
}

func FuzzContentEncoding(f *testing.F) {
	f.Add(gzipBytes(f, []byte("x"), ""), "gzip")
	f.Add(flateBytes(f, []byte("x")), "deflate")
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0}, "zstd")
	f.Add([]byte{0x0b, 0x00, 0x80, 0x78, 0x03}, "br, gzip")
	f.Fuzz(func(t *testing.T, data []byte, header string) {
		fuzzCheck(t, Input{ContentEncoding: header, Body: bytes.NewReader(data), Size: int64(len(data))})
	})
}
