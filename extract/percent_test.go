package extract

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// Text sent URL-encoded is read as the text it encodes; a few escapes, or
// escapes that do not decode to text, are left as written.
func TestPercentDecoded(t *testing.T) {
	list := "客戶名單\nChan Tai Man A123456(3)\n陳大文 B234567(8)\n"
	for _, c := range []struct {
		name, in, want string
		ok             bool
	}{
		{"encodeURIComponent", url.PathEscape(list), list, true},
		{"query escape, + for spaces", url.QueryEscape("Chan Tai Man A123456(3) and more"), "Chan Tai Man A123456(3) and more", true},
		{"encoded twice", url.PathEscape(url.PathEscape(list)), list, true},
		{"lower-case hex", strings.ToLower(url.PathEscape("資料資料")), "資料資料", true},
		{"only digits escaped", "A%31%32%33%34%35%36%283%29", "A123456(3)", true},
		{"one escape", "50% off, a%20b", "", false},
		{"brackets only", "HKID A123456%283%29", "HKID A123456(3)", true},
		{"escapes of binary", "%FF%FE%00%01%80%81%C0", "", false},
		{"no escapes", "plain text", "", false},
		{"bad escapes", "%zz%zz%zz%zz%zz%zz%zz", "", false},
	} {
		got, ok := percentDecoded(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: %q %v, want %q %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// Extract reads a URL-encoded text body and JSON value below ">percent".
func TestPercentEncodedBodies(t *testing.T) {
	list := "Chan Tai Man A123456(3)\n"
	for _, c := range []struct {
		name, ctype, body, origin string
	}{
		{"text body", "text/plain", url.PathEscape(list), "body>percent"},
		{"JSON value", "application/json", `{"text":{"content":"` + url.PathEscape(list) + `"}}`, "json:$.text.content>percent"},
	} {
		in := bodyInput([]byte(c.body))
		in.ContentType = c.ctype
		res := run(t, in, Limits{})
		found := false
		for _, s := range res.Segments {
			if s.Origin == c.origin && strings.Contains(s.Text, "A123456(3)") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no %q segment with the decoded text in %v", c.name, c.origin, res.Segments)
		}
	}
}

func FuzzPercentDecoded(f *testing.F) {
	f.Add("A%31%32%33%34%35%36%283%29")
	f.Add(url.PathEscape("客戶 A123456(3)"))
	f.Add("%2541%2541%2541%2541%2541%2541")
	f.Add("100% 50% %%%%%%%")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := percentDecoded(s)
		if !ok {
			return
		}
		if !utf8.ValidString(got) || got == s || len(got) > len(s) {
			t.Fatalf("%q -> %q", s, got)
		}
	})
}
