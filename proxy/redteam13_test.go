package proxy

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

// Red team, issue 13: ways an insider hides three customers' HKIDs in an
// upload to DingTalk, sent through the real proxy with the real
// classifiers and the default policy. Each must be blocked: the stand-in
// receives nothing and the audit log holds one hkid-bulk block event.

// rtUpload is one attempt: a robot message (text), a raw body with a
// content type, or a multipart file upload.
type rtUpload struct {
	name     string
	text     string // robot message text, or
	ctype    string // a raw body with this content type
	raw      []byte
	fileName string // a multipart upload of file
	file     []byte
}

// rtList renders three distinct valid HKIDs with form, as customer lines.
func rtList(form func(id string) string) string {
	var b strings.Builder
	b.WriteString("Customer list\n")
	for n := 40; n < 43; n++ {
		fmt.Fprintf(&b, "Chan Tai Man %d: %s\n", n, form(testgen.HKID(n)))
	}
	return b.String()
}

func rtBlocked(t *testing.T, h *harness, cases []rtUpload) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target, ct, body := robotURL, "application/json", robotJSON(c.text)
			switch {
			case c.file != nil:
				ct, body = multipartBody(t, "media", c.fileName, c.file)
				target = "https://oapi.dingtalk.com/media/upload?access_token=tok&type=file"
			case c.raw != nil:
				ct, body = c.ctype, c.raw
			}
			seen, before := len(h.up.requests()), len(h.rec.events())
			req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
			req.Header.Set("Content-Type", ct)
			if st := h.status(t, req); st != http.StatusForbidden {
				t.Errorf("status %d, want 403", st)
			}
			if n := len(h.up.requests()) - seen; n != 0 {
				t.Fatalf("stand-in received %d requests", n)
			}
			evs := h.rec.events()[before:]
			if len(evs) != 1 || evs[0].Action != "block" || evs[0].Rule != "hkid-bulk" {
				t.Fatalf("events %+v, want one hkid-bulk block", evs)
			}
		})
	}
}

func rtZlib(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func rtDeflate(b []byte) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	fw.Write(b)
	fw.Close()
	return buf.Bytes()
}

// Item 1: a zlib or raw deflate body with no Content-Encoding.
func TestRedTeamBareCompression(t *testing.T) {
	list := []byte(testgen.HKIDList(3))
	h := newHarness(t, harnessConfig{classifiers: classifiers.NewDefault()})
	rtBlocked(t, h, []rtUpload{
		{name: "zlib octet-stream body", ctype: "application/octet-stream", raw: rtZlib(list)},
		{name: "zlib text/plain latin1 body", ctype: "text/plain; charset=iso-8859-1", raw: rtZlib(list)},
		{name: "raw deflate body", ctype: "application/octet-stream", raw: rtDeflate(list)},
		{name: "zlib file upload", fileName: "backup.dat", file: rtZlib(list)},
		{name: "raw deflate file upload", fileName: "backup.dat", file: rtDeflate(list)},
	})
}

// Item 3: look-alike characters, other digits and charsets.
func TestRedTeamCharsetEvasions(t *testing.T) {
	digits := func(zero rune) func(string) string {
		return func(id string) string {
			return strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return zero + r - '0'
				}
				return r
			}, id)
		}
	}
	lookalike := func(m map[rune]rune) func(string) string {
		return func(id string) string {
			if r, ok := m[rune(id[0])]; ok {
				return string(r) + id[1:]
			}
			return id
		}
	}
	cyr := map[rune]rune{'A': 'А', 'B': 'В', 'E': 'Е', 'K': 'К', 'M': 'М', 'H': 'Н', 'P': 'Р', 'C': 'С', 'T': 'Т', 'Y': 'У', 'Z': 'Z'}
	grk := map[rune]rune{'A': 'Α', 'B': 'Β', 'E': 'Ε', 'Z': 'Ζ', 'H': 'Η', 'K': 'Κ', 'M': 'Μ', 'P': 'Ρ', 'T': 'Τ', 'Y': 'Υ'}
	le := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	var entities, jsonEsc strings.Builder
	list := rtList(func(id string) string { return id })
	for _, r := range list {
		fmt.Fprintf(&entities, "&#%d;", r)
	}
	jsonEsc.WriteString(`{"msgtype":"text","text":{"content":"`)
	for _, r := range list {
		fmt.Fprintf(&jsonEsc, `\u%04x`, r)
	}
	jsonEsc.WriteString(`"}}`)
	h := newHarness(t, harnessConfig{classifiers: classifiers.NewDefault()})
	rtBlocked(t, h, []rtUpload{
		{name: "full-width with full-width brackets", text: rtList(fullWidth)},
		{name: "zero-width joiner, non-joiner, BOM", text: rtList(func(id string) string { return id[:1] + "\u200c" + id[1:4] + "\u200d" + id[4:7] + "\ufeff" + id[7:] })},
		{name: "Arabic-Indic digits", text: rtList(digits('٠'))},
		{name: "extended Arabic-Indic digits", text: rtList(digits('۰'))},
		{name: "Devanagari digits", text: rtList(digits('०'))},
		{name: "Thai digits", text: rtList(digits('๐'))},
		{name: "Cyrillic prefix", text: rtList(lookalike(cyr))},
		{name: "Greek prefix", text: rtList(lookalike(grk))},
		{name: "letterlike prefix (Kelvin sign, double-struck)", text: rtList(lookalike(map[rune]rune{'K': 'K', 'H': 'ℍ', 'M': 'ℳ', 'P': 'ℙ', 'Z': 'ℤ', 'B': 'ℬ', 'E': 'ℰ', 'R': 'ℛ'}))},
		{name: "UTF-16LE without BOM", ctype: "text/plain", raw: le("客戶名單\n" + list)},
		{name: "HTML numeric entities", ctype: "text/plain", raw: []byte(entities.String())},
		{name: "JSON \\u escapes", ctype: "application/json", raw: []byte(jsonEsc.String())},
	})
}
