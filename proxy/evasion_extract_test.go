package proxy

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/ulikunitz/xz"
)

// Issue 11 items 1-4 (extract side) through the real proxy: every upload
// below hides a list of three customers' HKIDs in a way dlpgate once let
// through. Each must be blocked: the DingTalk stand-in receives nothing
// and the audit log holds exactly one event for it.

func evasionZip(t *testing.T, files ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// evasionDOCX: the main document at word/body.xml, named only by the
// package relationships (Word opens it); word/document.xml is a decoy that
// no relationship names.
func evasionDOCX(t *testing.T, text string) []byte {
	var paras strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		paras.WriteString(`<w:p><w:r><w:t>` + l + `</w:t></w:r></w:p>`)
	}
	return evasionZip(t,
		[2]string{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/body.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		[2]string{"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/body.xml"/></Relationships>`},
		[2]string{"word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Dear customer</w:t></w:r></w:p></w:body></w:document>`},
		[2]string{"word/body.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + paras.String() + `</w:body></w:document>`})
}

// evasionXLSX: a workbook at the usual xl/workbook.xml whose worksheet is
// at xl/sheets/list.xml (Excel finds it by relationship), cells in shared
// strings.
func evasionXLSX(t *testing.T, text string) []byte {
	var rows, sst strings.Builder
	k := 0
	for r, l := range strings.Split(strings.TrimSpace(text), "\n") {
		fmt.Fprintf(&rows, `<row r="%d">`, r+1)
		for c, v := range strings.Split(l, ",") {
			fmt.Fprintf(&rows, `<c r="%c%d" t="s"><v>%d</v></c>`, 'A'+c, r+1, k)
			fmt.Fprintf(&sst, `<si><t>%s</t></si>`, v)
			k++
		}
		rows.WriteString(`</row>`)
	}
	return evasionZip(t,
		[2]string{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/sheets/list.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		[2]string{"_rels/.rels", `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		[2]string{"xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="sheets/list.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		[2]string{"xl/workbook.xml", `<workbook xmlns:r="r"><sheets><sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		[2]string{"xl/sharedStrings.xml", `<sst>` + sst.String() + `</sst>`},
		[2]string{"xl/sheets/list.xml", `<worksheet><sheetData>` + rows.String() + `</sheetData></worksheet>`})
}

func evasionXZ(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestEvasionsBlocked(t *testing.T) {
	list := testgen.HKIDList(3)
	ids := []string{testgen.HKID(0), testgen.HKID(1), testgen.HKID(2)}
	noise := bytes.Repeat([]byte{0x00, 0x9c, 0xf1, 0x02, 0x7f, 0xe3}, 300)
	utf16 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return b
	}
	sevenZ, err := os.ReadFile(filepath.Join("..", "extract", "testdata", "archives", "customers.7z"))
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(list))
	var wrapped strings.Builder
	for s := b64; s != ""; {
		n := min(76, len(s))
		wrapped.WriteString(s[:n] + "\r\n")
		s = s[n:]
	}
	// The list rides in headers the old reader skipped: a message
	// header and a part header.
	eml := "From: clerk@example.com\r\nTo: partner@example.cn\r\nSubject: list\r\nX-Customer-Ids: " + strings.Join(ids[:2], " ") + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n" +
		"--BB\r\nContent-Type: text/plain\r\nX-Ref: " + ids[2] + "\r\n\r\nplease find the list in the headers\r\n--BB--\r\n"
	var entities strings.Builder
	for _, r := range list {
		fmt.Fprintf(&entities, "&#%d;", r)
	}
	var keys strings.Builder
	keys.WriteString(`{"msgtype":"text","text":{"content":"see keys"},"data":{`)
	for i, id := range ids {
		if i > 0 {
			keys.WriteString(",")
		}
		fmt.Fprintf(&keys, `"%s":"Customer %d"`, id, i)
	}
	keys.WriteString(`}}`)
	lzmaZip := func() []byte {
		// ZIP method 12 would need a bzip2 writer; method 95 (xz) goes
		// through the same registered-decompressor path.
		packed := evasionXZ(t, []byte(list))
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.CreateRaw(&zip.FileHeader{Name: "c.csv", Method: 95, CRC32: crc32.ChecksumIEEE([]byte(list)), CompressedSize64: uint64(len(packed)), UncompressedSize64: uint64(len(list))})
		w.Write(packed)
		zw.Close()
		return b.Bytes()
	}()

	type upload struct {
		name     string
		fileName string
		file     []byte // multipart file upload, or
		ctype    string // a raw body with this content type
		raw      []byte
	}
	var cases []upload
	for _, magic := range []string{"RIFF", "GIF89a", "ID3", "OggS", "fLaC", "\x89PNG\r\n\x1a\n"} {
		cases = append(cases, upload{name: "1 csv behind " + strings.ToValidUTF8(magic, "?"), fileName: "customers.csv", file: []byte(magic + list)})
	}
	cases = append(cases,
		upload{name: "1 list in an unknown binary", fileName: "data.bin", file: append(append(append([]byte{}, noise...), []byte(list)...), noise...)},
		upload{name: "1 utf-16 list in an unknown binary", fileName: "data.bin", file: append(append(append([]byte{}, noise...), utf16(list)...), noise...)},
		upload{name: "2 xz", fileName: "c.csv.xz", file: evasionXZ(t, []byte(list))},
		upload{name: "2 zip method 95", fileName: "c.zip", file: lzmaZip},
		upload{name: "2 7z", fileName: "c.7z", file: sevenZ},
		upload{name: "2 rar", fileName: "c.rar", file: testgen.RAR4(testgen.RARFile{Name: "c.csv", Body: []byte(list)})},
		upload{name: "3 docx word/body.xml", fileName: "letter.docx", file: evasionDOCX(t, list)},
		upload{name: "3 xlsx xl/sheets", fileName: "book.xlsx", file: evasionXLSX(t, list)},
		upload{name: "3 restricted pdf", fileName: "list.pdf", file: testgen.RestrictedPDF(strings.Split(list, "\n"))},
		upload{name: "4 json keys", ctype: "application/json", raw: []byte(keys.String())},
		upload{name: "4 multipart file names", fileName: strings.Join(ids, " ") + ".txt", file: []byte("nothing to see")},
		upload{name: "4 eml headers", fileName: "fwd.eml", file: []byte(eml)},
		upload{name: "4 base64 in a text body", ctype: "text/plain", raw: []byte("note:\r\n" + wrapped.String())},
		upload{name: "4 html entities", ctype: "text/plain", raw: []byte(entities.String())},
		// Found by red-teaming the merged proxy: bytes after a ZIP's end
		// record (ZIP readers ignore them), a hex-encoded body, and a form
		// value URL-encoded twice were forwarded with no event.
		upload{name: "5 list appended after a zip's end record", fileName: "photos.zip",
			file: append(evasionZip(t, [2]string{"readme.txt", "x"}), []byte("\n"+list)...)},
		upload{name: "5 hex of the list in a text body", ctype: "text/plain", raw: []byte("payload: " + hex.EncodeToString([]byte(list)))},
		upload{name: "5 form value encoded twice", ctype: "application/x-www-form-urlencoded",
			raw: []byte("msg=" + url.QueryEscape(url.QueryEscape(list)))},
	)
	h := newHarness(t, harnessConfig{})
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct, body := c.ctype, c.raw
			target := "https://oapi.dingtalk.com/robot/send?access_token=tok"
			if c.file != nil {
				ct, body = multipartBody(t, "media", c.fileName, c.file)
				target = "https://oapi.dingtalk.com/media/upload?access_token=tok&type=file"
			}
			before := len(h.rec.events())
			req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
			req.Header.Set("Content-Type", ct)
			if st := h.status(t, req); st != http.StatusForbidden {
				t.Errorf("status %d, want 403", st)
			}
			if n := len(h.up.requests()); n != 0 {
				t.Fatalf("stand-in received %d requests", n)
			}
			evs := h.rec.events()[before:]
			if len(evs) != 1 || evs[0].Action != "block" || evs[0].Rule != "hkid-bulk" {
				t.Fatalf("case %d: events %+v, want one hkid-bulk block", i, evs)
			}
		})
	}
}

// TestUnopenableArchiveLogged: an archive dlpgate cannot open (an unknown
// ZIP method) is uninspectable, not media: the default policy forwards it
// and logs exactly one event naming the reason.
func TestUnopenableArchiveLogged(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "c.csv", Method: 98, CompressedSize64: 40, UncompressedSize64: 400})
	w.Write(bytes.Repeat([]byte{0x5a}, 40))
	zw.Close()
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	hd := textproto.MIMEHeader{}
	hd.Set("Content-Disposition", `form-data; name="media"; filename="c.zip"`)
	pw, _ := mw.CreatePart(hd)
	pw.Write(b.Bytes())
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, "https://oapi.dingtalk.com/media/upload?access_token=tok&type=file", &mp)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if st := h.status(t, req); st != http.StatusOK {
		t.Fatalf("status %d, want 200 (logged, forwarded)", st)
	}
	evs := h.rec.events()
	if len(evs) != 1 || evs[0].Action != "log" {
		t.Fatalf("events %+v, want one log event", evs)
	}
	if got := fmt.Sprintf("%+v", evs[0]); !strings.Contains(got, "unreadable") {
		t.Errorf("event does not name the unreadable reason: %s", got)
	}
}
