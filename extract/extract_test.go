package extract

import (
	"archive/tar"
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

func TestHKIDHelper(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"A", "123456"}: "A123456(3)", {"G", "123456"}: "G123456(A)", {"AB", "987654"}: "AB987654(3)",
		{"K", "123456"}: "K123456(0)", {"WX", "123456"}: "WX123456(9)",
	} {
		if got := hkid(in[0], in[1]); got != want {
			t.Errorf("hkid(%v) = %s, want %s", in, got, want)
		}
	}
}

// want describes what one extraction must produce.
type want struct {
	texts    []string          // substrings of the joined text
	absent   []string          // substrings that must not appear
	origins  []string          // exact origins that must be present
	at       map[string]string // origin: a substring of that origin's text
	notAt    map[string]string // origin: a substring its text must not hold
	problems []ProblemKind
	clean    bool // no problems at all
}

func check(t *testing.T, res *Result, w want) {
	t.Helper()
	all := allText(res)
	for _, s := range w.texts {
		if !strings.Contains(all, s) {
			t.Errorf("text %q missing; got origins %v text:\n%s", s, origins(res), clip(all))
		}
	}
	for _, s := range w.absent {
		if strings.Contains(all, s) {
			t.Errorf("text %q must not appear; got:\n%s", s, clip(all))
		}
	}
	got := map[string]bool{}
	for _, o := range origins(res) {
		got[o] = true
	}
	for _, o := range w.origins {
		if !got[o] {
			t.Errorf("origin %q missing; got %v", o, origins(res))
		}
	}
	for o, sub := range w.at {
		if text := originText(res, o); !strings.Contains(text, sub) {
			t.Errorf("origin %q: text %q missing; it holds %q (origins %v)", o, sub, clip(text), origins(res))
		}
	}
	for o, sub := range w.notAt {
		if text := originText(res, o); strings.Contains(text, sub) {
			t.Errorf("origin %q: text %q must not appear; it holds %q", o, sub, clip(text))
		}
	}
	for _, k := range w.problems {
		found := false
		for _, p := range res.Problems {
			found = found || p.Kind == k
		}
		if !found {
			t.Errorf("problem %s missing; got %+v", k, res.Problems)
		}
	}
	if w.clean && len(res.Problems) > 0 {
		t.Errorf("unexpected problems: %+v", res.Problems)
	}
	var n int64
	for _, s := range res.Segments {
		n += int64(len(s.Text))
	}
	if n != res.TextBytes {
		t.Errorf("TextBytes = %d, segments hold %d", res.TextBytes, n)
	}
}

// originText is the text of the segments at origin, one per line.
func originText(r *Result, origin string) string {
	var sb strings.Builder
	for _, s := range r.Segments {
		if s.Origin == origin {
			sb.WriteString(s.Text)
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

func TestFormats(t *testing.T) {
	id1, id2, id3 := hkid("A", "123456"), hkid("WX", "123456"), hkid("K", "765432")
	docx := buildDOCX(t, []string{"Applicant Chan Tai Man", "HKID\t" + id1, "香港身份證 " + id2}, [][]string{{"Name", "HKID"}, {"Lee", id3}})
	xlsx := buildXLSX(t,
		[][]string{{"客戶編號", "姓名", "身份證"}, {"C1", "陳大文", id1}, {"C2", "李美玲", id2}},
		[][]string{{"Account", "Balance", "HK$"}, {"Cash", "1200.50", "total"}})
	tradLines := []string{"病假證明書", "茲證明 林小慧 女士 身份證 " + id3, "診斷為 急性上呼吸道感染"}
	cjkPDF := buildCJKPDF(t, tradLines)
	latinPDF := buildLatinPDF(t, []string{"LABORATORY REPORT\nPatient Wong Chi Keung HKID " + id1 + "\nDiagnosis type 2 diabetes", "Page two text\nsecond line of page two"}, "")
	big5Text := "員工入職表\n姓名：黃志強\n香港身份證號碼：" + id2 + "\n職位：會計主任，請於星期五前交回表格。\n"
	gbkText := "员工资料\n姓名：王小明\n身份证号码（香港）：" + id1 + "\n部门：物流部，请于周五前提交差旅报销单。\n"
	utf16Text := "Chan Tai Man id card no. " + id1 + "\n陳大文 身份證 " + id2 + "\n"
	le := encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), utf16Text)
	be := encode(t, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), utf16Text)
	nested := buildZip(t,
		zipEntry{name: "outer/inner.zip", body: buildZip(t,
			zipEntry{name: "members.csv", body: []byte("name,hkid\nChan Tai Man," + id1 + "\n")},
			zipEntry{name: "b.docx", body: docx},
		)},
		zipEntry{name: "outer/readme.txt", body: []byte("read me")},
		zipEntry{name: "outer/", body: nil},
	)
	htmlDoc := encode(t, traditionalchinese.Big5, `<!DOCTYPE html><html><head><meta charset="big5"><title>報表</title><style>.x{color:red}</style><script>var secret="SCRIPTBODY";</script></head><body><h1>綜合財務狀況表</h1><table><tr><td>現金</td><td>80,455</td></tr></table><p>A &amp; B &lt;Ltd&gt; &#39540;</p></body></html>`)
	rtf := []byte(`{\rtf1\ansi\ansicpg950\deff0{\fonttbl{\f0\fnil\fcharset136 PMingLiU;}{\f1\fcharset0 Arial;}}{\colortbl;\red0\green0\blue0;}{\*\generator Msftedit;}\viewkind4\uc1\pard\f0\fs24 ` +
		rtfHex(encode(t, traditionalchinese.Big5, "身份證")) + ` ` + id1 + `\par \u38515?\u22823?\u25991? Chan\tab Tai Man\par {\*\bkmkstart x}\f1 Caf\'e9 au lait\par}`)
	rtfGBK := []byte(`{\rtf1\ansi\ansicpg936 ` + rtfHex(encode(t, simplifiedchinese.GBK, "资产负债表")) + `\par}`)
	odt := buildODT(t, "Discharge summary", "Patient  Lau Ka Ho "+id2)
	ods := buildODS(t, [][]string{{"Item", "Amount"}, {"Revenue", "512,330"}})
	pptx := buildPPTX(t, "Slide one title", "Slide two "+id1, "3", "4", "5", "6", "7", "8", "9", "Slide ten last")
	gz := gzipBytes(t, []byte("診斷：高血壓；處方：Amlodipine 5mg；病人：何麗華\n"), "note.txt")
	jsonDoc := []byte(`{"msgtype":"text","text":{"content":"客人身份證 ` + id1 + `"},"at":{"atMobiles":["123"]},"n":5,"weird key":"v"}`)

	tests := []struct {
		name string
		in   Input
		want want
	}{
		{"docx", Input{Name: "report.docx"}, want{
			texts:   []string{"Applicant Chan Tai Man\n", "HKID\t" + id1, "香港身份證 " + id2, "Name\tHKID\t\nLee\t" + id3, "Confidential header"},
			absent:  []string{"\t\tHKID"},
			origins: []string{"zip:report.docx/word/document.xml", "zip:report.docx/word/header1.xml"}, clean: true}},
		{"xlsx", Input{}, want{
			texts: []string{"客戶名單\n客戶編號\t姓名\t身份證\nC1\t陳大文\t" + id1 + "\nC2\t李美玲\t" + id2, "Balance\nAccount\tBalance\t\tHK$\nCash\t1200.50\t\ttotal",
				"PHONETIC\n"}, // phonetic guides are read apart, never inside the cell text
			absent:  []string{"編號PHONETIC", "編號 PHONETIC"},
			origins: []string{"zip:xl/worksheets/sheet1.xml", "zip:xl/worksheets/sheet2.xml"}, clean: true}},
		{"docx altchunk and xlsx drawing", Input{}, want{texts: []string{"pasted html " + id1, "text box " + id2, "comment " + id3 + "\nsecond note " + id1}, clean: true}},
		{"pptx slide order", Input{Name: "deck.pptx"}, want{texts: []string{"Slide one title\n", "Slide two " + id1}, clean: true}},
		{"odt", Input{}, want{texts: []string{"Discharge summary\nPatient  Lau Ka Ho " + id2}, origins: []string{"zip:content.xml"}, clean: true}},
		{"ods", Input{}, want{texts: []string{"Item\tAmount\t\nRevenue\t512,330"}, clean: true}},
		{"pdf cjk type0 tounicode objstm", Input{Name: "cert.pdf"}, want{texts: []string{"病假證明書\n茲證明 林小慧 女士 身份證 " + id3 + "\n診斷為 急性上呼吸道感染"}, origins: []string{"pdf:cert.pdf/page1"}, clean: true}},
		{"pdf glyph by glyph", Input{}, want{texts: []string{"HKID " + id1 + "\n香港身份證號碼\nRevenue\t512,330\t480,112"}, clean: true}},
		{"pdf latin two pages", Input{}, want{texts: []string{"LABORATORY REPORT\nPatient Wong Chi Keung HKID " + id1, "Diagnosis type 2 diabetes", "Page two text\nsecond line of page two"}, origins: []string{"pdf:page1", "pdf:page2"}, clean: true}},
		{"big5 text", Input{}, want{texts: []string{big5Text}, origins: []string{"body"}, clean: true}},
		{"gbk text", Input{}, want{texts: []string{gbkText}, clean: true}},
		{"big5 declared", Input{ContentType: "text/plain; charset=big5-hkscs"}, want{texts: []string{big5Text}, clean: true}},
		{"utf8 mislabelled big5", Input{ContentType: "text/plain; charset=big5"}, want{texts: []string{big5Text}, clean: true}},
		{"utf16le bom", Input{}, want{texts: []string{utf16Text}, clean: true}},
		{"utf16be bom", Input{}, want{texts: []string{utf16Text}, clean: true}},
		{"utf16le no bom", Input{}, want{texts: []string{utf16Text}, clean: true}},
		{"utf16be no bom", Input{}, want{texts: []string{utf16Text}, clean: true}},
		{"utf8 bom", Input{}, want{texts: []string{"héllo 香港"}, absent: []string{"\ufeff"}, clean: true}},
		{"nested zip", Input{Name: "a.zip"}, want{
			texts:   []string{"Chan Tai Man," + id1, "read me", "Applicant Chan Tai Man"},
			origins: []string{"zip:a.zip/outer/inner.zip/members.csv", "zip:a.zip/outer/inner.zip/b.docx/word/document.xml"}, clean: true}},
		{"html big5 meta", Input{}, want{texts: []string{"報表", "綜合財務狀況表", "現金\t80,455", "A & B <Ltd> 驴"}, absent: []string{"SCRIPTBODY", "color:red", "<td>"}, clean: true}},
		{"rtf big5", Input{}, want{texts: []string{"身份證 " + id1 + "\n陳大文 Chan\tTai Man", "Café au lait"}, absent: []string{"PMingLiU", "Msftedit", "?"}, clean: true}},
		{"rtf gbk", Input{}, want{texts: []string{"资产负债表"}, clean: true}},
		{"gzip file", Input{Name: "x.gz"}, want{texts: []string{"診斷：高血壓"}, origins: []string{"gzip:x.gz/note.txt"}, clean: true}},
		{"json robot", Input{ContentType: "application/json"}, want{
			texts:   []string{"客人身份證 " + id1, "123", "v", "n: 5"},
			origins: []string{"json:$.text.content", "json:$.at.atMobiles[0]", `json:$["weird key"]`}, clean: true}},
		{"json lines", Input{}, want{texts: []string{"客人 " + id2, "sample_001.xlsx", "n: 1"}, absent: []string{`\u5ba2`}, origins: []string{"jsonl:2:$.text", "jsonl:1:$.file"}, clean: true}},
		{"truncated json", Input{}, want{texts: []string{`"content":"客人 ` + id1 + "\n😀"}, problems: []ProblemKind{Malformed}}},
		{"csv", Input{}, want{texts: []string{"name,hkid\nChan," + id1}, clean: true}},
		{"xml generic", Input{}, want{texts: []string{"Chan Tai Man", id1}, absent: []string{"<hkid>"}, clean: true}},
	}
	bodies := map[string][]byte{
		"docx altchunk and xlsx drawing": buildZip(t,
			zipEntry{name: "[Content_Types].xml", body: []byte(contentTypes)},
			zipEntry{name: "word/document.xml", body: []byte(`<w:document xmlns:w="w"><w:body><w:altChunk r:id="x"/></w:body></w:document>`)},
			zipEntry{name: "word/afchunk.htm", body: []byte(`<html><body><p>pasted html ` + id1 + `</p></body></html>`)},
			zipEntry{name: "word/embeddings/Microsoft_Excel_Worksheet.xlsx", body: buildZip(t,
				zipEntry{name: "xl/workbook.xml", body: []byte(`<workbook/>`)},
				zipEntry{name: "xl/drawings/drawing1.xml", body: []byte(`<xdr:wsDr xmlns:xdr="x" xmlns:a="a"><xdr:sp><xdr:txBody><a:p><a:r><a:t>text box ` + id2 + `</a:t></a:r></a:p></xdr:txBody></xdr:sp></xdr:wsDr>`)},
				zipEntry{name: "xl/comments1.xml", body: []byte(`<comments><commentList><comment ref="A1"><text><r><t>comment ` + id3 + `</t></r></text></comment><comment ref="B2"><text><r><t>second note ` + id1 + `</t></r></text></comment></commentList></comments>`)},
			)}),
		"docx": docx, "xlsx": xlsx, "pptx slide order": pptx, "odt": odt, "ods": ods,
		"pdf cjk type0 tounicode objstm": cjkPDF, "pdf latin two pages": latinPDF,
		"pdf glyph by glyph": buildPositionedPDF(t, "HKID "+id1, "香港身份證號碼", []string{"Revenue", "512,330", "480,112"}),
		"big5 text":          encode(t, traditionalchinese.Big5, big5Text), "gbk text": encode(t, simplifiedchinese.GBK, gbkText),
		"big5 declared":         encode(t, traditionalchinese.Big5, big5Text),
		"utf8 mislabelled big5": []byte(big5Text),
		"utf16le bom":           append([]byte{0xff, 0xfe}, le...), "utf16be bom": append([]byte{0xfe, 0xff}, be...),
		"utf16le no bom": le, "utf16be no bom": be, "utf8 bom": []byte("\xef\xbb\xbfhéllo 香港"),
		"nested zip": nested, "html big5 meta": htmlDoc, "rtf big5": rtf, "rtf gbk": rtfGBK, "gzip file": gz,
		"json robot":     jsonDoc,
		"truncated json": []byte(`{"msgtype":"text","text":{"content":"\u5ba2\u4eba ` + id1 + `\n\ud83d\ude00`),
		"json lines":     []byte("{\"file\": \"sample_001.xlsx\", \"n\": 1}\n{\"text\": \"\\u5ba2\\u4eba " + id2 + "\"}\n\n"), "csv": []byte("name,hkid\nChan," + id1 + "\n"),
		"xml generic": []byte(`<?xml version="1.0"?><people><person><name>Chan Tai Man</name><hkid>` + id1 + `</hkid></person></people>`),
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, ok := bodies[tc.name]
			if !ok {
				t.Fatalf("no body for %s", tc.name)
			}
			in := tc.in
			in.Body, in.Size = heldBody(b), int64(len(b))
			orig := bytes.Clone(b)
			check(t, run(t, in, Limits{}), tc.want)
			if !bytes.Equal(b, orig) {
				t.Fatal("Extract wrote into a body it was given in place")
			}
		})
	}
}

func rtfHex(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		fmt.Fprintf(&sb, `\'%02x`, c)
	}
	return sb.String()
}

func TestRequestShapes(t *testing.T) {
	id1, id2 := hkid("A", "123456"), hkid("G", "123456")
	xlsx := buildXLSX(t, [][]string{{"name", "hkid"}, {"Chan", id1}}, nil)

	// multipart: a file part (xlsx), a text field, a base64 part, a JSON field.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("media", "report.xlsx")
	fw.Write(xlsx)
	mw.WriteField("type", "file")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="note"; filename="note.txt"`)
	h.Set("Content-Type", "text/plain; charset=gbk")
	h.Set("Content-Transfer-Encoding", "base64")
	pw, _ := mw.CreatePart(h)
	enc := base64.StdEncoding.EncodeToString(encode(t, simplifiedchinese.GBK, "身份证 "+id2))
	pw.Write([]byte(enc[:8] + "\r\n" + enc[8:]))
	mw.WriteField("payload", `{"content":"hello `+id1+`"}`)
	mw.Close()

	msgParam := jsonInString(t, map[string]string{"content": "客人身份證 " + id1, "title": "t"})
	robot := []byte(`{"robotCode":"ding123","userIds":["u1"],"msgKey":"sampleText","msgParam":` + msgParam + `}`)

	form := "access_token=abc&msgParam=" + url.QueryEscape(`{"content":"`+id2+`"}`) + "&note=" + url.QueryEscape("香港身份證 "+id1)

	b64JSON := []byte(`{"file":{"name":"a.docx","content":"` + base64.StdEncoding.EncodeToString(buildDOCX(t, []string{"attached " + id1}, nil)) +
		`"},"pdf":"data:application/pdf;base64,` + base64.StdEncoding.EncodeToString(buildLatinPDF(t, []string{"pdf attached " + id2}, "")) +
		`","img":"` + base64.StdEncoding.EncodeToString(realPNG(t)) +
		`","token":"` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x9c, 0x01, 0xfe, 0x00, 0x13}, 20)) +
		`","hidden":"` + base64.StdEncoding.EncodeToString([]byte("name,hkid\nChan Tai Man,"+id1+"\nLee Mei Ling,"+id2+"\n")) + `"}`)
	stacked := stack(t, []byte("stacked body "+id1), "gzip", "br", "zstd")

	tests := []struct {
		name string
		in   Input
		body []byte
		want want
	}{
		{"multipart xlsx", Input{ContentType: mw.FormDataContentType()}, mp.Bytes(), want{
			texts:   []string{"name\thkid\nChan\t" + id1, "file", "身份证 " + id2, "hello " + id1},
			origins: []string{"multipart:media/report.xlsx/xl/worksheets/sheet1.xml", "multipart:type", "multipart:note/note.txt", "multipart:payload>json:$.content"}, clean: true}},
		{"json msgParam", Input{ContentType: "application/json; charset=utf-8"}, robot, want{
			texts:   []string{"客人身份證 " + id1},
			origins: []string{"json:$.msgParam>$.content", "json:$.robotCode", "json:$.userIds[0]"}, clean: true}},
		{"json base64 attachments", Input{ContentType: "application/json"}, b64JSON, want{
			texts:   []string{"attached " + id1, "pdf attached " + id2, "Lee Mei Ling," + id2},
			origins: []string{"json:$.file.content>base64/word/document.xml", "json:$.pdf>base64/page1", "json:$.token", "json:$.hidden>base64"},
			absent:  []string{"UEsDB"}, problems: []ProblemKind{Unsupported}}},
		// A UTF-16 label on text that is plainly UTF-8 (no NULs) is wrong;
		// honouring it would turn the text into unreadable CJK garbage.
		{"utf-16 label on utf-8 text", Input{ContentType: "text/plain; charset=utf-16"}, []byte("Customer A: " + id1 + ", Chan Tai Man"), want{
			texts: []string{"Customer A: " + id1 + ", Chan Tai Man"}, clean: true}},
		// curl --data-binary labels any file as a form: a body with no
		// key=value pair is text, not an empty form.
		{"form label on plain text", Input{ContentType: "application/x-www-form-urlencoded"}, []byte("Patient list\nChan Tai Man " + id1 + "\nLee Mei Ling " + id2 + "\n"), want{
			texts: []string{"Chan Tai Man " + id1, "Lee Mei Ling " + id2}, clean: true}},
		// A value with a bad escape is read as written; keys are read too.
		{"form bad escape and data in keys", Input{ContentType: "application/x-www-form-urlencoded"}, []byte("note=100%25 sure %zz " + id1 + "&" + url.QueryEscape("HKID "+id2) + "=1"), want{
			texts: []string{"%zz " + id1, "HKID " + id2}}},
		{"form urlencoded", Input{ContentType: "application/x-www-form-urlencoded"}, []byte(form), want{
			texts:   []string{id2, "香港身份證 " + id1},
			origins: []string{"form:msgParam>json:$.content", "form:note"}, clean: true}},
		{"stacked gzip br zstd", Input{ContentEncoding: "gzip, br, zstd"}, stacked, want{texts: []string{"stacked body " + id1}, clean: true}},
		{"deflate raw", Input{ContentEncoding: "deflate"}, rawDeflate(t, []byte("raw deflate "+id1)), want{texts: []string{"raw deflate " + id1}, clean: true}},
		{"deflate zlib", Input{ContentEncoding: "deflate"}, flateBytes(t, []byte("zlib deflate "+id1)), want{texts: []string{"zlib deflate " + id1}, clean: true}},
		{"raw PUT docx with wrong type", Input{ContentType: "application/octet-stream"}, buildDOCX(t, []string{"put " + id1}, nil), want{texts: []string{"put " + id1}, clean: true}},
		{"origin prefix", Input{Origin: "file:x.json"}, []byte(`{"a":"b"}`), want{origins: []string{"file:x.json>json:$.a"}, clean: true}},
		{"plain origin", Input{Origin: "upload"}, []byte("just text"), want{origins: []string{"upload"}, clean: true}},
		{"unknown encoding still inspected", Input{ContentEncoding: "compress"}, []byte("plain " + id1), want{texts: []string{"plain " + id1}, problems: []ProblemKind{Unsupported}}},
		{"false gzip header still inspected", Input{ContentEncoding: "gzip"}, []byte("not gzip at all " + id1), want{texts: []string{"not gzip at all " + id1}, problems: []ProblemKind{Malformed}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Body, in.Size = heldBody(tc.body), int64(len(tc.body))
			orig := bytes.Clone(tc.body)
			check(t, run(t, in, Limits{}), tc.want)
			if !bytes.Equal(tc.body, orig) {
				t.Fatal("Extract wrote into a body it was given in place")
			}
		})
	}
}

// jsonInString encodes v as JSON, then that document as a JSON string, the
// way DingTalk's msgParam travels.
func jsonInString(t *testing.T, v any) string {
	inner, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	outer, err := json.Marshal(string(inner))
	if err != nil {
		t.Fatal(err)
	}
	return string(outer)
}

func rawDeflate(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestSpeed)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func stack(t *testing.T, b []byte, codings ...string) []byte {
	for _, c := range codings {
		var buf bytes.Buffer
		switch c {
		case "gzip":
			buf.Write(gzipBytes(t, b, ""))
		case "br":
			w := brotli.NewWriter(&buf)
			w.Write(b)
			w.Close()
		case "zstd":
			w, _ := zstd.NewWriter(&buf)
			w.Write(b)
			w.Close()
		}
		b = buf.Bytes()
	}
	return b
}

func TestProblems(t *testing.T) {
	secret := hkid("Z", "654321")
	encZip := buildZip(t, zipEntry{name: "secret.txt", body: []byte(secret), flags: 1}, zipEntry{name: "open.txt", body: []byte("open part")})
	encPDF := buildLatinPDF(t, []string{"locked " + secret}, "/Encrypt 99 0 R /ID [<01> <01>]")
	truncPDF := buildLatinPDF(t, []string{"first page " + secret, "second page"}, "")
	// Cut inside the second page's content stream.
	cut := bytes.LastIndex(truncPDF, []byte("stream\n")) + 10
	truncPDF = truncPDF[:cut]
	ole := append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 600)...)
	ole = append(ole, utf16le("EncryptionInfo")...)
	ole = append(ole, make([]byte, 200)...)
	legacy := append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 600)...)
	legacy = append(legacy, utf16le("Legacy word text "+secret)...)
	corruptZip := buildZip(t, zipEntry{name: "a.txt", body: bytes.Repeat([]byte("abc "), 1000)})
	corruptZip = corruptZip[:len(corruptZip)-30] // central directory damaged
	picDocx := buildZip(t,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypes)},
		zipEntry{name: "word/document.xml", body: []byte(`<w:document xmlns:w="w"><w:body><w:p><w:r><w:drawing/></w:r></w:p></w:body></w:document>`)},
		zipEntry{name: "word/media/image1.jpeg", body: realJPEG(t)})
	truncDocx := buildDOCX(t, []string{"chunked " + secret}, nil)
	truncDocx = truncDocx[:bytes.Index(truncDocx, []byte("PK\x01\x02"))+10]
	truncXlsx := buildXLSX(t, [][]string{{"name", "hkid"}, {"Chan", secret}}, nil)
	truncXlsx = truncXlsx[:bytes.Index(truncXlsx, []byte("PK\x01\x02"))]
	badGz := gzipBytes(t, bytes.Repeat([]byte("ok text "+secret+"\n"), 2000), "")
	badGz = badGz[:len(badGz)/2]
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*7919 + i/13)
	}

	tests := []struct {
		name string
		body []byte
		want want
	}{
		{"encrypted zip entry", encZip, want{texts: []string{"open part"}, absent: []string{secret}, problems: []ProblemKind{Encrypted}}},
		{"encrypted pdf", encPDF, want{absent: []string{"locked"}, problems: []ProblemKind{Encrypted}}},
		{"encrypted odt", buildZip(t,
			zipEntry{name: "mimetype", body: []byte("application/vnd.oasis.opendocument.text"), store: true},
			zipEntry{name: "content.xml", body: []byte("\x93\x11 encrypted bytes")},
			zipEntry{name: "META-INF/manifest.xml", body: []byte(`<manifest:manifest><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>`)}),
			want{problems: []ProblemKind{Encrypted}}},
		{"encrypted ooxml (ole)", ole, want{problems: []ProblemKind{Encrypted}}},
		{"docx with only a picture", picDocx, want{problems: []ProblemKind{Unsupported}}},
		{"legacy ole best effort", legacy, want{texts: []string{"Legacy word text"}, problems: []ProblemKind{Unsupported}}},
		{"truncated pdf keeps text", truncPDF, want{texts: []string{"first page " + secret}, problems: []ProblemKind{Malformed}}},
		{"corrupt zip recovers entries", corruptZip, want{texts: []string{"abc abc"}, problems: []ProblemKind{Malformed}}},
		{"truncated docx (first chunk of an upload)", truncDocx, want{texts: []string{"chunked " + secret}, absent: []string{"schemas.openxmlformats"}, problems: []ProblemKind{Malformed}}},
		{"truncated xlsx", truncXlsx, want{texts: []string{"name\thkid\nChan\t" + secret}, problems: []ProblemKind{Malformed}}},
		{"truncated gzip keeps text", badGz, want{texts: []string{"ok text"}, problems: []ProblemKind{Malformed}}},
		{"png", realPNG(t), want{problems: []ProblemKind{Unsupported}}},
		{"jpeg", realJPEG(t), want{problems: []ProblemKind{Unsupported}}},
		{"gif", realGIF(t), want{problems: []ProblemKind{Unsupported}}},
		{"webp", realWEBP(), want{problems: []ProblemKind{Unsupported}}},
		{"heic", realMP4("heic"), want{problems: []ProblemKind{Unsupported}}},
		{"mp4", realMP4("isom"), want{problems: []ProblemKind{Unsupported}}},
		{"wav", realWAV(), want{problems: []ProblemKind{Unsupported}}},
		{"ogg", realOgg(), want{problems: []ProblemKind{Unsupported}}},
		{"mp3", realMP3(), want{problems: []ProblemKind{Unsupported}}},
		{"flac", realFLAC(), want{problems: []ProblemKind{Unsupported}}},
		// Magic bytes over random data are not media: the bytes are read
		// as a binary of unknown format.
		{"fake png", append([]byte("\x89PNG\r\n\x1a\n"), random...), want{problems: []ProblemKind{Unreadable}}},
		{"fake jpeg", append([]byte("\xff\xd8\xff\xe0"), random...), want{problems: []ProblemKind{Unreadable}}},
		{"unknown binary", random, want{problems: []ProblemKind{Unreadable}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, bodyInput(tc.body), Limits{})
			check(t, res, tc.want)
			for _, p := range res.Problems {
				if strings.Contains(p.Reason, secret) || strings.Contains(p.Reason, "654321") {
					t.Errorf("problem reason leaks content: %q", p.Reason)
				}
			}
		})
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

func TestLimits(t *testing.T) {
	zeros := buildZip(t, zipEntry{name: "bomb.txt", body: bytes.Repeat([]byte("0"), 8<<20)})
	deep := []byte("deep secret")
	for i := 0; i < 5; i++ {
		deep = buildZip(t, zipEntry{name: fmt.Sprintf("l%d.zip", i), body: deep})
	}
	var many []zipEntry
	for i := 0; i < 20; i++ {
		many = append(many, zipEntry{name: fmt.Sprintf("f%02d.txt", i), body: []byte(fmt.Sprintf("file %d", i))})
	}
	long := bytes.Repeat([]byte("0123456789"), 100)
	gz := gzipBytes(t, bytes.Repeat([]byte("line of text\n"), 200000), "") // 2.6 MB

	tests := []struct {
		name   string
		in     Input
		lim    Limits
		text   []string
		absent []string
		maxTxt int64
		reason string // the Limit problem must name the limit
	}{
		{"ratio bomb", bodyInput(zeros), Limits{MaxRatio: 10}, []string{"0000"}, nil, 4<<20 + 1, "ratio"},
		{"declared size over max", bodyInput(zeros), Limits{MaxDecompressed: 1 << 20}, []string{"0000"}, nil, 1 << 20, "declared size"},
		{"depth", bodyInput(deep), Limits{MaxDepth: 3}, nil, []string{"deep secret"}, 0, "nesting"},
		{"entries", bodyInput(buildZip(t, many...)), Limits{MaxEntries: 5}, []string{"file 0", "file 4"}, []string{"file 5"}, 0, "entries"},
		{"total bytes", bodyInput(long), Limits{MaxTotalBytes: 95}, []string{"0123456789"}, nil, 95, "total extracted text"},
		{"gzip decompressed size", bodyInput(gz), Limits{MaxDecompressed: 1 << 20}, []string{"line of text"}, nil, 1 << 20, "decompressed size"},
		{"content-encoding size", Input{ContentEncoding: "gzip", Body: bytes.NewReader(gz), Size: int64(len(gz))}, Limits{MaxDecompressed: 1 << 20}, []string{"line of text"}, nil, 1 << 20, "decompressed size"},
		{"time budget", bodyInput(long), Limits{TimeBudget: 1}, nil, []string{"0123"}, 0, "time budget"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.in, tc.lim)
			check(t, res, want{texts: tc.text, absent: tc.absent, problems: []ProblemKind{Limit}})
			named := false
			for _, p := range res.Problems {
				named = named || p.Kind == Limit && strings.Contains(p.Reason, tc.reason)
			}
			if !named {
				t.Errorf("no Limit problem naming %q: %+v", tc.reason, res.Problems)
			}
			if tc.maxTxt > 0 && res.TextBytes > tc.maxTxt {
				t.Errorf("TextBytes %d over %d", res.TextBytes, tc.maxTxt)
			}
		})
	}
}

func TestDeepZipWithinLimit(t *testing.T) {
	deep := []byte("deep secret")
	for i := 0; i < 5; i++ {
		deep = buildZip(t, zipEntry{name: fmt.Sprintf("l%d.zip", i), body: deep})
	}
	check(t, run(t, bodyInput(deep), Limits{}), want{texts: []string{"deep secret"}, origins: []string{"zip:l4.zip/l3.zip/l2.zip/l1.zip/l0.zip"}, clean: true})
}

func TestCancelledContextIsError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Extract(ctx, bodyInput([]byte("x")), Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestSpilledFile(t *testing.T) {
	// The proxy spills large bodies to disk and passes the *os.File.
	path := filepath.Join(t.TempDir(), "spill")
	body := buildZip(t, zipEntry{name: "x.txt", body: []byte("spilled text")})
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	check(t, run(t, Input{Body: f, Size: int64(len(body)), Origin: "body"}, Limits{}), want{texts: []string{"spilled text"}, origins: []string{"zip:x.txt"}, clean: true})
}

func TestDetectLegacyCharset(t *testing.T) {
	tests := []struct {
		name, text string
		big5       bool
	}{
		{"traditional finance", "綜合財務狀況表 於二零二五年十二月三十一日 物業、廠房及設備 應收賬款 現金及現金等價物", true},
		{"traditional medical", "出院小結 病人姓名 診斷 社區性肺炎 第二型糖尿病 覆診 瑪麗醫院內科門診", true},
		{"simplified finance", "利润表 单位：人民币万元 营业收入 营业成本 净利润 资产负债表", false},
		{"simplified notice", "各位好，请于周五前提交差旅报销单，附上发票原件。", false},
	}
	utf16Cases := []string{"香港身份證號碼：病人姓名陳大文，診斷為急性上呼吸道感染。", "员工资料\n姓名：王小明\n身份证号码：" + hkid("A", "123456") + "\n部门：物流部\n"}
	for i, text := range utf16Cases {
		for _, order := range []unicode.Endianness{unicode.LittleEndian, unicode.BigEndian} {
			b := encode(t, unicode.UTF16(order, unicode.IgnoreBOM), text)
			if got, ok := decodeText(b, ""); !ok || got != text {
				t.Errorf("utf16 case %d order %v without BOM: decoded %q", i, order, got)
			}
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			if tc.big5 {
				b = encode(t, traditionalchinese.Big5, tc.text)
			} else {
				b = encode(t, simplifiedchinese.GBK, tc.text)
			}
			got, ok := decodeText(b, "")
			if !ok || got != tc.text {
				t.Errorf("decoded %q, want %q", got, tc.text)
			}
		})
	}
}

func TestNoTimeBudgetDrift(t *testing.T) {
	// A generous budget must not report a Limit on ordinary input.
	res := run(t, bodyInput([]byte("hello")), Limits{TimeBudget: int64(time.Minute)})
	check(t, res, want{texts: []string{"hello"}, clean: true})
}

func TestPanicInHandlerIsMalformed(t *testing.T) {
	w := &walker{ctx: context.Background(), parent: context.Background(), lim: Limits{}.withDefaults(), seen: map[string]bool{}}
	w.guard("body/x", "test format", func() { panic("boom") })
	if len(w.res.Problems) != 1 || w.res.Problems[0].Kind != Malformed || strings.Contains(w.res.Problems[0].Reason, "boom") {
		t.Fatalf("problems = %+v", w.res.Problems)
	}
	// errStop unwinds quietly: it is how handlers stop, not a fault.
	w.guard("body/y", "test format", func() { panic(errStop) })
	if len(w.res.Problems) != 1 {
		t.Fatalf("errStop became a problem: %+v", w.res.Problems)
	}
}

func TestTarAndMail(t *testing.T) {
	id1, id2 := hkid("B", "246810"), hkid("D", "135790")
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, f := range []struct{ name, body string }{{"export/members.csv", "name,hkid\nChan," + id1 + "\n"}, {"export/notes.txt", "notes"}} {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o600, Size: int64(len(f.body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(f.body))
	}
	tw.Close()
	tgz := gzipBytes(t, tb.Bytes(), "")

	docx := base64.StdEncoding.EncodeToString(buildDOCX(t, []string{"attachment " + id2}, nil))
	var wrapped strings.Builder
	for len(docx) > 76 {
		wrapped.WriteString(docx[:76] + "\r\n")
		docx = docx[76:]
	}
	wrapped.WriteString(docx)
	subj := "=?big5?B?" + base64.StdEncoding.EncodeToString(encode(t, traditionalchinese.Big5, "客戶名單")) + "?="
	eml := "From: a@example.com\r\nTo: b@example.com\r\nSubject: " + subj + "\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Please see the list =E9=A6=99=E6=B8=AF " + id1 + "\r\n--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"list.docx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		wrapped.String() + "\r\n--XX--\r\n"
	tests := []struct {
		name string
		in   Input
		body []byte
		want want
	}{
		{"tar.gz", Input{Name: "export.tar.gz"}, tgz, want{texts: []string{"Chan," + id1, "notes"}, origins: []string{"gzip:export.tar.gz/data/export/members.csv"}, clean: true}},
		{"eml with attachment", Input{Name: "msg.eml"}, []byte(eml), want{
			texts:   []string{"Subject: 客戶名單", "Please see the list 香港 " + id1, "attachment " + id2},
			origins: []string{"mail:msg.eml/headers", "mail:msg.eml/body>multipart:part2/list.docx/word/document.xml"}, clean: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Body, in.Size = heldBody(tc.body), int64(len(tc.body))
			orig := bytes.Clone(tc.body)
			check(t, run(t, in, Limits{}), tc.want)
			if !bytes.Equal(tc.body, orig) {
				t.Fatal("Extract wrote into a body it was given in place")
			}
		})
	}
}

type failingReader struct{}

func (failingReader) ReadAt(p []byte, off int64) (int, error) { return 0, errors.New("disk gone") }

func TestUnreadableBodyIsError(t *testing.T) {
	for _, enc := range []string{"", "gzip"} {
		_, err := Extract(context.Background(), Input{Body: failingReader{}, Size: 100, ContentEncoding: enc}, Limits{})
		if err == nil || !strings.Contains(err.Error(), "disk gone") {
			t.Errorf("encoding %q: err = %v, want the read error", enc, err)
		}
	}
}

// TestHostileInputsStayBounded feeds shapes built to exhaust a naive
// parser; each must finish with bounded text and no panic.
func TestHostileInputsStayBounded(t *testing.T) {
	nestedGz := []byte("core")
	for i := 0; i < 12; i++ {
		nestedGz = gzipBytes(t, nestedGz, "")
	}
	tests := []struct {
		name    string
		body    []byte
		problem ProblemKind
	}{
		{"rtf deep groups", append([]byte(`{\rtf1 `), bytes.Repeat([]byte("{"), 1<<20)...), Malformed},
		{"pdf trailer flood", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("trailer[<<"), 100000)...), Malformed},
		{"pdf obj flood", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("1 0 obj [[[[ "), 50000)...), Malformed},
		{"json deep nesting", []byte(strings.Repeat("[", 9000) + `"x"` + strings.Repeat("]", 9000)), ""},
		{"html unclosed scripts", bytes.Repeat([]byte("<html><script>"), 100000), ""},
		{"gzip nested past the depth limit", nestedGz, Limit},
		{"msgParam nested past the depth limit", []byte(nestedJSON(12)), Limit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, bodyInput(tc.body), Limits{MaxTotalBytes: 1 << 20})
			if res.TextBytes > 1<<20 {
				t.Errorf("TextBytes %d over the limit", res.TextBytes)
			}
			if tc.problem != "" {
				check(t, res, want{problems: []ProblemKind{tc.problem}})
			}
		})
	}
}

// nestedJSON wraps a message n times as a JSON string inside JSON.
func nestedJSON(n int) string {
	doc := `{"content":"innermost"}`
	for i := 0; i < n; i++ {
		b, _ := json.Marshal(map[string]string{"msgParam": doc})
		doc = string(b)
	}
	return doc
}

// TestChunkFragments: a chunked upload sends pieces of a file; a middle
// piece of a ZIP or PDF still yields the parts it holds whole.
func TestChunkFragments(t *testing.T) {
	id := hkid("H", "121212")
	filler := make([]byte, 3000)
	for i := range filler {
		filler[i] = byte(i*131 + i/7)
	}
	z := buildZip(t,
		zipEntry{name: "a.bin", body: filler, store: true},
		zipEntry{name: "list.csv", body: []byte("name,hkid\nChan," + id + "\n")},
		zipEntry{name: "b.bin", body: filler, store: true})
	zipChunk := z[1000 : len(z)-400]
	pages := []string{"page one " + id, "page two"}
	pdf := buildLatinPDF(t, pages, "")
	pdfChunk := pdf[bytes.Index(pdf, []byte("\n4 0 obj")):bytes.Index(pdf, []byte("xref"))]
	pdfChunk = append(append([]byte{}, filler[:600]...), pdfChunk...)
	for _, tc := range []struct {
		name string
		body []byte
		text string
	}{{"zip middle chunk", zipChunk, "Chan," + id}, {"pdf middle chunk", pdfChunk, "page one " + id}} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, run(t, bodyInput(tc.body), Limits{}), want{texts: []string{tc.text}, problems: []ProblemKind{Malformed}})
		})
	}
}

func TestMultipartFraming(t *testing.T) {
	id1, id2 := hkid("J", "343434"), hkid("K", "565656")
	big := bytes.Repeat([]byte("filler line without secrets\n"), 30000) // ~840 KB: spans scan windows
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "big.txt")
	fw.Write(big)
	fw.Write([]byte("tail " + id1))
	zw, _ := mw.CreateFormFile("media", "list.zip")
	zw.Write(buildZip(t, zipEntry{name: "list.csv", body: []byte("hkid\n" + id2 + "\n")}))
	mw.WriteField("note", "--"+mw.Boundary()+"x is not a delimiter")
	mw.Close()
	crlf := buf.Bytes()
	ct := mw.FormDataContentType()

	lf := bytes.ReplaceAll([]byte("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nLF only "+id1+"\r\n--b--\r\n"), []byte("\r\n"), []byte("\n"))
	truncated := crlf[:bytes.LastIndex(crlf, []byte("--"+mw.Boundary()))]

	spill := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(spill, crlf, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(spill)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	tests := []struct {
		name string
		in   Input
		want want
	}{
		{"parts across scan windows", Input{ContentType: ct, Body: bytes.NewReader(crlf), Size: int64(len(crlf))}, want{
			texts:   []string{"tail " + id1, "hkid\n" + id2, "is not a delimiter"},
			origins: []string{"multipart:file/big.txt", "multipart:media/list.zip/list.csv", "multipart:note"}, clean: true}},
		{"spilled to a file", Input{ContentType: ct, Body: f, Size: int64(len(crlf)), Origin: "body"}, want{
			texts: []string{"tail " + id1, "hkid\n" + id2}, origins: []string{"multipart:media/list.zip/list.csv"}, clean: true}},
		{"LF-only framing falls back", Input{ContentType: "multipart/form-data; boundary=b", Body: bytes.NewReader(lf), Size: int64(len(lf))}, want{
			texts: []string{"LF only " + id1}, origins: []string{"multipart:a"}, clean: true}},
		{"no closing boundary", Input{ContentType: ct, Body: bytes.NewReader(truncated), Size: int64(len(truncated))}, want{
			texts: []string{"tail " + id1, "hkid\n" + id2}, problems: []ProblemKind{Malformed}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, run(t, tc.in, Limits{}), tc.want)
		})
	}
}

func TestXLSXDates(t *testing.T) {
	styles := `<styleSheet><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy/mm/dd;@"/><numFmt numFmtId="165" formatCode="[Red]0.00"/></numFmts>` +
		`<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>` +
		`<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>`
	sheet := `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>DOB</t></is></c><c r="B1" s="1"><v>32874</v></c>` +
		`<c r="C1" s="2"><v>45000.5</v></c><c r="D1" s="3"><v>1234.5</v></c><c r="E1"><v>32874</v></c></row></sheetData></worksheet>`
	x := buildZip(t,
		zipEntry{name: "xl/workbook.xml", body: []byte(`<workbook/>`)},
		zipEntry{name: "xl/styles.xml", body: []byte(styles)},
		zipEntry{name: "xl/worksheets/sheet1.xml", body: []byte(sheet)})
	check(t, run(t, bodyInput(x), Limits{}), want{texts: []string{"DOB\t1990-01-01\t2023-03-15 12:00\t1234.5\t32874"}, clean: true})

	for _, tc := range []struct {
		id   int
		code string
		date bool
	}{{14, "", true}, {0, "", false}, {164, "d-mmm", true}, {165, `0.00" days"`, false}, {166, "[$-404]e/m/d", true}, {167, "h:mm", false}, {168, `yyyy"年"m"月"d"日"`, true}} {
		if got := isDateFormat(tc.id, tc.code); got != tc.date {
			t.Errorf("isDateFormat(%d, %q) = %v", tc.id, tc.code, got)
		}
	}
}

// memBody is a body held in memory, as the proxy holds one: extract reads
// it in place (Bytes), so every fixture also checks that extraction never
// writes into its input — the proxy forwards those same bytes.
type memBody struct {
	*bytes.Reader
	b []byte
}

func (m memBody) Bytes() []byte { return m.b }

func heldBody(b []byte) memBody { return memBody{bytes.NewReader(b), b} }
