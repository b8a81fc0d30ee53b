package classifiers

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestHKIDCheckDigit(t *testing.T) {
	for _, tc := range []struct {
		body string
		want byte
	}{
		{"A123456", '3'}, {"G123456", 'A'}, {"AB987654", '3'}, {"K123456", '0'}, {"WX123456", '9'},
	} {
		if got := hkidCheckDigit(tc.body); got != tc.want {
			t.Errorf("hkidCheckDigit(%s) = %c, want %c", tc.body, got, tc.want)
		}
	}
	for _, bad := range []string{"A123456(4)", "AB987654(8)", "C668668(E)"} {
		if got := scanHKIDs(bad, nil); len(got) > 0 && got[0].valid {
			t.Errorf("%s: accepted an invalid check digit", bad)
		}
	}
}

func TestHKIDWrittenForms(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	body, c := genHKID(r, "A")
	two, c2 := genHKID(r, "XA")
	fw := func(s string) string { // full-width letters, digits and brackets
		var b strings.Builder
		for _, ch := range s {
			if ch > ' ' && ch < 0x7F {
				ch += 0xFEE0
			}
			b.WriteRune(ch)
		}
		return b.String()
	}
	cs := string(c)
	cases := []struct {
		name, text, want string
	}{
		{"brackets", "HKID " + body + "(" + cs + ")", body + "(" + cs + ")"},
		{"attached", "no. " + body + cs + " ok", body + "(" + cs + ")"},
		{"space", body + " " + cs, body + "(" + cs + ")"},
		{"space before bracket", body + " (" + cs + ")", body + "(" + cs + ")"},
		{"spaces in brackets", body + "( " + cs + " )", body + "(" + cs + ")"},
		{"full-width brackets", "身份證：" + body + "（" + cs + "）。", body + "(" + cs + ")"},
		{"full-width after full-width colon", "身份證：" + fw(body+"("+cs+")"), body + "(" + cs + ")"},
		{"full-width everything", "身份證" + fw(body+"("+cs+")"), body + "(" + cs + ")"},
		{"lower case bracketed", strings.ToLower(body) + "(" + strings.ToLower(cs) + ")", body + "(" + cs + ")"},
		{"hyphen", body + "-" + cs, body + "(" + cs + ")"},
		{"two-letter prefix", "ID card " + two + "(" + string(c2) + ")", two + "(" + string(c2) + ")"},
		{"CJK before", "香港身份證" + body + "(" + cs + ")", body + "(" + cs + ")"},
		{"in CSV", "1,Chan," + body + "(" + cs + "),Kwun Tong", body + "(" + cs + ")"},
		{"in JSON", `{"id":"` + body + cs + `"}`, body + "(" + cs + ")"},
		{"colon no space", "HKID:" + body + "(" + cs + ")", body + "(" + cs + ")"},
		{"No. abbreviation", "HKID No." + body + "(" + cs + ")", body + "(" + cs + ")"},
		{"end of sentence", "His number is " + body + "(" + cs + ").", body + "(" + cs + ")"},
		// A bracketed check digit is an HKID even as a whole form or
		// query-string value ('=' before, '&' after).
		{"form value", "hkid=" + body + "(" + cs + ")&name=Chan", body + "(" + cs + ")"},
		{"query string", "https://example.com/apply?id=" + body + "(" + cs + ")", body + "(" + cs + ")"},
		{"first query value", "https://example.com/apply?" + body + "(" + cs + ")", body + "(" + cs + ")"},
		{"ampersand after", "IDs " + body + "(" + cs + ")&", body + "(" + cs + ")"},
		// A narrow table column wraps the check onto the next line; a
		// sheet keeps it in a cell of its own.
		{"check on the next line", "Chan Tai Man " + body + "\n(" + cs + ") Kwun Tong", body + "(" + cs + ")"},
		{"check on the next CRLF line", "Chan Tai Man " + body + "\r\n(" + cs + ")", body + "(" + cs + ")"},
		{"check in the next cell", "Chan\t" + body + "\t(" + cs + ")\tKwun Tong", body + "(" + cs + ")"},
		{"full-width check on the next line", "陳大文 " + body + "\n（" + cs + "）", body + "(" + cs + ")"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := scanHKIDs(tc.text, nil)
			if len(got) != 1 || !got[0].valid || got[0].norm() != tc.want {
				var norms []string
				for _, m := range got {
					norms = append(norms, m.masked())
				}
				t.Fatalf("got %d matches %v, want one", len(got), norms)
			}
			f, ok := classifyText(t, tc.text)[HKID]
			if !ok || f.Count != 1 {
				t.Fatalf("finding %+v, want count 1", f)
			}
		})
	}
	// Check character 'A' in every form.
	for {
		b, ch := genHKID(r, "G")
		if ch != 'A' {
			continue
		}
		for _, text := range []string{b + "(A)", b + "A", b + " A", b + "（Ａ）", strings.ToLower(b) + "(a)"} {
			if got := scanHKIDs(text, nil); len(got) != 1 || !got[0].valid || got[0].check != 'A' {
				t.Errorf("check digit A form not accepted (%d matches)", len(got))
			}
		}
		break
	}
}

func TestHKIDLookAlikes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	body, c := genHKID(r, "B")
	cs := string(c)
	cases := []struct{ name, text string }{
		{"wrong check digit", "Order " + body + "(" + string(wrongCheck(body)) + ")"},
		{"UK NI number", "NI number AB123456C on file"},
		{"Taiwan ID", "Taiwan ID A123456789"},
		{"Singapore NRIC", "NRIC S1234567D"},
		{"HK passport", "passport K12345678"},
		{"letter before", "X" + body + "(" + cs + ")"},
		{"three letters", "SKU" + body + cs},
		{"digit after", body + cs + "7"},
		{"letter after", body + cs + "B"},
		{"digit before", "9" + body + cs},
		{"URL path", "https://example.com/files/" + body + cs},
		{"URL query", "https://example.com/?ref=" + body + cs},
		{"URL query value", "https://example.com/?ref=" + body + cs + "&x=1"},
		{"bracketed inside a token", "token=" + body + "(" + cs + ")x"},
		{"bracketed after a path", "/files/" + body + "(" + cs + ")&"},
		{"file name", "scan_" + body + cs + ".pdf"},
		{"dotted token", "cfg." + body + cs},
		{"file name dot", body + cs + ".pdf"},
		{"email", body + cs + "@example.com"},
		{"hex id", "commit 3f9e" + body + cs + "ab"},
		{"seven digits and bracket", body + "7(" + cs + ")"},
		{"no check digit", "HKID " + body + " only"},
		{"lower case bare no keyword", "token " + strings.ToLower(body) + cs},
		{"order number", "Order No. " + body + cs + " shipped"},
		{"invoice ref", "Invoice: " + body + "(" + cs + ")"},
		{"order number 繁", "訂單號：" + body + cs},
		{"tracking 简", "快递单号 " + body + cs},
		{"version", "v" + body[1:] + cs},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if f, ok := classifyText(t, tc.text)[HKID]; ok {
				t.Fatalf("look-alike counted: %+v", f)
			}
		})
	}
}

func TestHKIDUnissuedPrefix(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, p := range []string{"PO", "AB", "ZZ", "I", "O", "Q", "U", "X"} {
		body, c := genHKID(r, p)
		code := body + "(" + string(c) + ")"
		t.Run(p+" alone", func(t *testing.T) {
			if f, ok := classifyText(t, "Part number "+code+" shipped")[HKID]; ok {
				t.Fatalf("unissued prefix counted without keyword: %+v", f)
			}
		})
		t.Run(p+" with keyword", func(t *testing.T) {
			f, ok := classifyText(t, "香港身份證號碼 "+code)[HKID]
			if !ok || f.Count != 1 || f.Confidence != Low {
				t.Fatalf("got %+v, want count 1 at low confidence", f)
			}
		})
	}
	for _, p := range []string{"EC", "WX", "XA", "XH", "A", "Z"} {
		body, c := genHKID(r, p)
		if f, ok := classifyText(t, "holder "+body+"("+string(c)+")")[HKID]; !ok || f.Confidence != Medium {
			t.Errorf("issued prefix %s: got %+v, want medium", p, f)
		}
	}
}

func TestHKIDConfidenceAndCount(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	a, ca := genHKID(r, "C")
	b, cb := genHKID(r, "D")
	one := a + "(" + string(ca) + ")"
	cases := []struct {
		name  string
		texts []string
		count int
		conf  Confidence
	}{
		{"check digit alone", []string{"holder " + one}, 1, Medium},
		{"english keyword", []string{"Hong Kong Identity Card: " + one}, 1, High},
		{"traditional keyword", []string{"身份證號碼：" + one}, 1, High},
		{"simplified keyword", []string{"身份证号码：" + one}, 1, High},
		{"keyword after", []string{one + " (HKID)"}, 1, High},
		{"keyword too far", []string{"HKID" + strings.Repeat(" filler", 60) + " " + one}, 1, Medium},
		{"same number three forms", []string{one + " " + a + string(ca) + " " + a + "（" + string(ca) + "）"}, 1, Medium},
		{"code word but keyword near", []string{"HKID (ref " + one + ")"}, 1, High},
		{"code word on another line", []string{"Order 123\n" + one}, 1, Medium},
		{"two numbers across segments", []string{"HKID " + one, b + string(cb) + " and " + one}, 2, High},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := classifyText(t, tc.texts...)[HKID]
			if !ok || f.Count != tc.count || f.Confidence != tc.conf {
				t.Fatalf("got count %d conf %v (%v), want %d %v", f.Count, f.Confidence, f.Signals, tc.count, tc.conf)
			}
			for _, s := range f.Samples {
				if strings.Contains(s.Masked, a[3:]) || strings.Contains(s.Masked, b[3:]) {
					t.Fatalf("sample %q leaks the number", s.Masked)
				}
			}
		})
	}
}

func TestHKIDMask(t *testing.T) {
	m := hkidMatch{body: "A123456", check: '3'}
	if got := m.masked(); got != "A12****(3)" {
		t.Errorf("masked = %q", got)
	}
	m = hkidMatch{body: "AB987654", check: '3'}
	if got := m.masked(); got != "AB9*****(3)" {
		t.Errorf("masked = %q", got)
	}
}

// normAt is a hand-written subset of NFKC (so ASCII needs no normalisation
// pass): check it agrees with NFKC for every character it maps, and that
// NFKC maps no other character of those blocks to something an HKID uses.
func TestNormAtAgreesWithNFKC(t *testing.T) {
	for r := rune(0x3000); r <= 0xFFEF; r++ {
		if r > 0x3000 && r < 0xFF00 {
			continue
		}
		s := string(r)
		c, n := normAt(s, 0)
		want := norm.NFKC.String(s)
		if c != 0 {
			if n != len(s) || want != string(rune(c)) {
				t.Errorf("U+%04X: normAt %q, NFKC %q", r, c, want)
			}
			continue
		}
		if len(want) == 1 && (isDigit(want[0]) || isLetter(want[0]) || strings.ContainsAny(want, "()-")) {
			t.Errorf("U+%04X: NFKC gives %q but normAt does not map it", r, want)
		}
	}
}

func TestHKIDChanceInCodeLists(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	// Product codes of HKID shape: about one in eleven passes the check.
	var codes []string
	valid := 0
	for len(codes) < 60 {
		body, _ := genHKID(r, "P")
		d := byte('0' + r.IntN(10))
		if hkidCheckDigit(body) == d {
			valid++
		}
		codes = append(codes, body+string(d))
	}
	if valid == 0 {
		t.Fatal("generator produced no chance-valid code; change the seed")
	}
	if f, ok := classifyText(t, "Product codes: "+strings.Join(codes, ", "))[HKID]; ok {
		t.Fatalf("%d chance-valid product codes counted as HKIDs: %+v", valid, f)
	}
	// A real list with two typos still counts its valid numbers.
	var list []string
	for i := range 7 {
		body, c := genHKID(r, "M")
		if i < 2 {
			c = wrongCheck(body)
		}
		list = append(list, body+"("+string(c)+")")
	}
	if f, ok := classifyText(t, "Members:\n"+strings.Join(list, "\n"))[HKID]; !ok || f.Count != 5 {
		t.Fatalf("got %+v, want 5", f)
	}
	// With an HKID keyword in the document the chance rule does not apply.
	if f, ok := classifyText(t, "HKID list\n"+strings.Join(codes, "\n"))[HKID]; !ok || f.Count != valid {
		t.Fatalf("got %+v, want %d", f, valid)
	}
}

// The prefiltered scanner (letter+digit pairs from the shared pass) must
// find exactly what the full scanner finds in text without full-width forms.
func TestHKIDPrefilterAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	pieces := []string{"A", "b", "XA", "PO", "1", "23", "456", "123456", "(", ")", " ", "-", "身份證", ",", "\n", "7", "A"}
	for round := range 2000 {
		var sb strings.Builder
		for range r.IntN(40) {
			sb.WriteString(pieces[r.IntN(len(pieces))])
		}
		if round%3 == 0 {
			body, c := genHKID(r, "C")
			sb.WriteString(" " + body + string(c))
		}
		text := sb.String()
		var pairs []int
		for i := 0; i+1 < len(text); i++ {
			if isLetter(text[i]) && digitsAt(text, i+1, 6) {
				pairs = append(pairs, i)
			}
		}
		full := scanHKIDs(text, nil)
		fast := scanHKIDsAt(text, pairs, nil)
		if len(full) != len(fast) {
			t.Fatalf("%q: full %d, prefiltered %d", text, len(full), len(fast))
		}
		for i := range full {
			if full[i] != fast[i] {
				t.Fatalf("%q: match %d differs", text, i)
			}
		}
	}
}

// Near misses of a check on the next line or in the next cell: a blank
// line or two cells apart, a bare digit in the next cell, a wrong check,
// two breaks.
func TestHKIDCheckAcrossBreakNearMisses(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	body, c := genHKID(r, "A")
	wrong := byte('0' + (c-'0'+1)%10)
	if c == 'A' {
		wrong = '1'
	}
	for _, text := range []string{
		body + "\n\n(" + string(c) + ")",
		body + "\t\t(" + string(c) + ")",
		body + "\t" + string(c),
		body + "\n" + string(c),
		body + "\n \n(" + string(c) + ")",
	} {
		for _, m := range scanHKIDs(text, nil) {
			if m.valid {
				t.Errorf("%q: read as %s", text, m.masked())
			}
		}
	}
	for _, m := range scanHKIDs(body+"\n("+string(wrong)+")", nil) {
		if m.valid {
			t.Errorf("a wrong check on the next line is valid: %s", m.masked())
		}
	}
}

// A letter written apart and spaces inside the brackets, in every
// placement: the bracket patterns the automaton reports for the
// separated scan include the spaced ones.
func TestHKIDSeparatedSpacedBrackets(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var ids []string
	for range 3 {
		body, c := genHKID(r, "A")
		ids = append(ids, body[:1]+" "+body[1:]+"%s"+string(c)+"%s")
	}
	for _, br := range [][2]string{{" ( ", " )"}, {" (", " )"}, {" ( ", ")"}, {" (", ")"}} {
		text := ""
		for _, id := range ids {
			text += fmt.Sprintf(id, br[0], br[1]) + " "
		}
		if f := classifyText(t, text)[HKID]; f.Count != 3 {
			t.Errorf("%q: count %d, want 3", text, f.Count)
		}
	}
}
