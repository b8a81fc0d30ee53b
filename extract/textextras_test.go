package extract

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"
)

func wrap76(s string) string {
	var sb strings.Builder
	for len(s) > 76 {
		sb.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	sb.WriteString(s)
	return sb.String()
}

func entities(s string) string {
	var sb strings.Builder
	for i, r := range s {
		if i%2 == 0 {
			fmt.Fprintf(&sb, "&#%d;", r)
		} else {
			fmt.Fprintf(&sb, "&#x%x;", r)
		}
	}
	return sb.String()
}

func TestTextInOtherPlaces(t *testing.T) {
	id1, id2, id3 := hkid("A", "123456"), hkid("K", "765432"), hkid("WX", "123456")
	list := "Chan Tai Man," + id1 + "\nLee Mei Ling," + id2 + "\n陳大文," + id3 + "\n"
	b64 := base64.StdEncoding.EncodeToString([]byte(list))
	short := base64.StdEncoding.EncodeToString([]byte("Chan Tai Man " + id1)) // 32 chars

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+id2+`"; filename="Chan Tai Man `+id1+`.txt"`)
	pw, _ := mw.CreatePart(h)
	pw.Write([]byte("nothing here"))
	mw.Close()

	mail := "From: clerk@example.com\r\nTo: partner@example.cn\r\nSubject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("客戶 "+id3)) + "?=\r\n" +
		"X-Customer-Id: " + id1 + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n" +
		"--BB\r\nContent-Type: text/plain; charset=utf-8\r\nX-Part-Note: part header " + id2 + "\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nSee list: Lee Mei Ling =\r\n" + id2 + "\r\n" +
		"--BB\r\nContent-Type: text/csv; name=\"list.csv\"\r\nContent-Description: customers of " + id3 + "\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"list.csv\"\r\n\r\n" + wrap76(b64) + "\r\n" +
		"--BB\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@b.c\r\nSubject: inner\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\ninner message Chan Tai Man " + id1 + "\r\n" +
		"--BB--\r\n"

	for _, tc := range []struct {
		name string
		in   Input
		body string
		w    want
	}{
		{"json keys", Input{ContentType: "application/json"}, `{"customers":{"` + id1 + `":{"name":"x"},"陳大文":true,"91234567":null,"msgtype":"text"}}`, want{
			texts: []string{id1, "陳大文", "91234567"}, origins: []string{"json:$.customers[\"" + id1 + "\"]#key"}, absent: []string{"msgtype"}}},
		{"multipart names", Input{ContentType: mw.FormDataContentType()}, mp.String(), want{
			texts: []string{id2, "Chan Tai Man " + id1 + ".txt"}}},
		{"eml every header and part", Input{}, mail, want{
			texts: []string{"X-Customer-Id: " + id1, "Subject: 客戶 " + id3, "Lee Mei Ling " + id2, "Lee Mei Ling," + id2, "customers of " + id3, "X-Part-Note: part header " + id2, "inner message Chan Tai Man " + id1}}},
		{"base64 in a text body", Input{ContentType: "text/plain"}, "Hi, the file as asked:\n" + b64 + "\nthanks", want{
			texts: []string{"Lee Mei Ling," + id2}, origins: []string{"body>base64"}}},
		{"wrapped base64 in a text body", Input{}, "Hi,\r\n" + wrap76(b64+b64) + "\r\nbye", want{
			texts: []string{"Lee Mei Ling," + id2}}},
		{"short base64", Input{}, "ref " + short + " ok", want{texts: []string{"Chan Tai Man " + id1}}},
		{"base64 in a JSON value", Input{ContentType: "application/json"}, `{"text":{"content":"see ` + short + ` ok"}}`, want{
			texts: []string{"Chan Tai Man " + id1}, origins: []string{"json:$.text.content>base64"}}},
		{"html entities in text", Input{}, "Customer: " + entities("Chan Tai Man "+id1), want{texts: []string{"Chan Tai Man " + id1}, origins: []string{"body>entities"}}},
		{"html entities in json", Input{ContentType: "application/json"}, `{"content":"` + entities(id2) + `"}`, want{texts: []string{id2}}},
		{"named entities", Input{}, "Lee&nbsp;Mei&nbsp;Ling &lpar;HKID&rpar; K765432&lpar;" + id2[7:8] + "&rpar;", want{texts: []string{"(HKID) K765432(" + id2[7:8] + ")"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Body, in.Size = strings.NewReader(tc.body), int64(len(tc.body))
			check(t, run(t, in, Limits{}), tc.w)
		})
	}
}

// TestBase64NearMisses: words, hashes, paths and tokens are not decoded.
func TestBase64NearMisses(t *testing.T) {
	for _, s := range []string{
		"internationalisationalisationism is a long word indeed",
		"sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"/usr/share/doc/packages/SomeLongDirectoryName/README",
		"token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
	} {
		res := run(t, bodyInput([]byte(s)), Limits{})
		for _, o := range origins(res) {
			if strings.Contains(o, ">base64") && !strings.Contains(s, "eyJ") {
				t.Errorf("%q: decoded as base64 (%v)", s, origins(res))
			}
		}
	}
}
