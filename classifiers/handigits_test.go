package classifiers

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// toHan writes the ASCII digits of s as Han numerals: common ones, or
// formal ones when formal is set.
func toHan(s string, formal bool) string {
	common := []rune("〇一二三四五六七八九")
	fancy := []rune("零壹貳參肆伍陸柒捌玖")
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9' && formal:
			b.WriteRune(fancy[c-'0'])
		case c >= '0' && c <= '9':
			b.WriteRune(common[c-'0'])
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func TestHanNumeralHKIDsAreRead(t *testing.T) {
	forms := map[string]func(body string, check byte) string{
		"common numerals": func(b string, c byte) string {
			return b[:1] + toHan(b[1:], false) + "(" + toHan(string(c), false) + ")"
		},
		"formal numerals": func(b string, c byte) string {
			return b[:1] + toHan(b[1:], true) + "（" + toHan(string(c), true) + "）"
		},
		"half and half": func(b string, c byte) string { return b[:4] + toHan(b[4:], false) + "(" + string(c) + ")" },
		"in Chinese prose": func(b string, c byte) string {
			return "客戶身份證號碼為" + b[:1] + toHan(b[1:], false) + "（" + toHan(string(c), false) + "），請核實。"
		},
		"in simplified prose": func(b string, c byte) string {
			return "客户身份证号码是" + b[:1] + toHan(b[1:], true) + "(" + string(c) + ")，请核实"
		},
		"full-width letter": func(b string, c byte) string {
			return fullWidthAll(b[:1]) + toHan(b[1:], false) + "(" + toHan(string(c), false) + ")"
		},
		"unbracketed check": func(b string, c byte) string { return "HKID " + b[:1] + toHan(b[1:]+string(c), false) },
		"Han check only":    func(b string, c byte) string { return b + "(" + toHan(string(c), false) + ")" },
		"Han check full-width brackets": func(b string, c byte) string {
			return "電話：" + b + " （" + toHan(string(c), true) + "）"
		},
		"spaced": func(b string, c byte) string {
			return b[:1] + " " + toHan(b[1:], false) + " (" + toHan(string(c), false) + ")"
		},
		"spaced groups": func(b string, c byte) string {
			return "身份證 " + b[:1] + " " + toHan(b[1:4], true) + " " + toHan(b[4:], true) + " (" + string(c) + ")"
		},
	}
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(11, uint64(len(name))))
			var ids []string
			var text strings.Builder
			for i := range 4 {
				body, c := genHKID(r, string(rune('A'+i*3)))
				if c == 'A' {
					body, c = genHKID(r, string(rune('A'+i*3)))
				}
				ids = append(ids, body)
				text.WriteString(form(body, c) + "\n")
			}
			n, f := hkidsIn(t, text.String())
			if n != 4 {
				t.Fatalf("%d HKIDs found, want 4", n)
			}
			for _, s := range f.Samples {
				if strings.ContainsAny(s.Masked, "一二三四五六七八九〇零壹貳參肆伍陸柒捌玖") {
					t.Errorf("sample %q is not in ASCII", s.Masked)
				}
				for _, id := range ids {
					if strings.Contains(s.Masked, id[1:]) {
						t.Errorf("sample %q holds a whole number", s.Masked)
					}
				}
			}
		})
	}
}

// Han numerals are words everywhere but in an identifier's digits: none
// of these is an HKID.
func TestHanNumeralNearMisses(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	body, c := genHKID(r, "K")
	for c == 'A' {
		body, c = genHKID(r, "K")
	}
	bad := wrongCheck(body)
	texts := map[string]string{
		"no letter":          "第" + toHan(body[1:], false) + "(" + toHan(string(c), false) + ")號",
		"letter apart":       body[:1] + "座" + toHan(body[1:], false) + "(" + toHan(string(c), false) + ")",
		"wrong check":        body[:1] + toHan(body[1:], false) + "(" + toHan(string(bad), false) + ")",
		"five digits":        body[:1] + toHan(body[1:6], false) + "(" + toHan(string(c), false) + ")",
		"nine digits":        body[:1] + toHan(body[1:]+"123", false),
		"counting in prose":  "A一二三四五六七八九十，B組三人，C座六樓",
		"model number":       "iPhone一二三 X二三四 型號K三四五",
		"simplified counts":  "第A一期，共二三四五六人参加",
		"dates and quantity": "2026年一二月 B一二三件 三四五六七八九",
		"team and counts":    "Team A 一二三 四五六 七八九人，B 組 一二三四五六七八",
	}
	for name, text := range texts {
		t.Run(name, func(t *testing.T) {
			if n, _ := hkidsIn(t, strings.Repeat(text+"\n", 3)); n != 0 {
				t.Errorf("%d HKIDs found in %q", n, maskTestDigits(text))
			}
		})
	}
}

// Normalisation changes nothing but the identifier's numerals, and maps
// offsets back.
func TestHanNumeralNormalisation(t *testing.T) {
	in := "三月：第一二三次，客戶A一二三四五六（三）已登記，一二三四五六七"
	out, m := normalizeText(in)
	want := "三月：第一二三次，客戶A123456（3）已登記，一二三四五六七"
	if out != want {
		t.Fatalf("normalised to %q, want %q", out, want)
	}
	i := strings.Index(out, "A123456")
	if o := m.original(i); !strings.HasPrefix(in[o:], "A一二三") {
		t.Fatalf("offset %d maps to %d: %q", i, o, in[o:])
	}
	// Trigger mode (only around the automaton's triggers) gives the same.
	var trig []int
	for _, h := range testSet.ac.scan(in, nil) {
		if int(h.id) >= testSet.normFrom {
			trig = append(trig, int(h.start))
		}
	}
	if len(trig) == 0 {
		t.Fatal("no trigger fired for a Han-numeral identifier")
	}
	if got, _, _ := normalizeAt(in, trig); got != want {
		t.Fatalf("trigger mode normalised to %q, want %q", got, want)
	}
}
