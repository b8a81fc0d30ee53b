package classifiers

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dlpgate/dlpgate/extract"
)

func digitsIn(zero rune, s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return zero + r - '0'
		}
		return r
	}, s)
}

// Other scripts' digits and look-alike prefix letters are read as ASCII.
func TestFoldedEvasionsAreRead(t *testing.T) {
	cyr := map[byte]string{'A': "А", 'B': "В", 'C': "С", 'E': "Е", 'H': "Н", 'K': "К", 'M': "М", 'P': "Р", 'T': "Т", 'X': "Х", 'Y': "У"}
	grk := map[byte]string{'A': "Α", 'B': "Β", 'E': "Ε", 'H': "Η", 'K': "Κ", 'M': "Μ", 'P': "Ρ", 'T': "Τ", 'X': "Χ", 'Y': "Υ", 'Z': "Ζ"}
	prefix := func(m map[byte]string) func(string, byte) string {
		return func(b string, c byte) string {
			if l, ok := m[b[0]]; ok {
				return l + b[1:] + "(" + string(c) + ")"
			}
			return b + "(" + string(c) + ")"
		}
	}
	forms := map[string]func(string, byte) string{
		"Arabic-Indic":          func(b string, c byte) string { return digitsIn('٠', b+"("+string(c)+")") },
		"Extended Arabic-Indic": func(b string, c byte) string { return digitsIn('۰', b) + "(" + string(c) + ")" },
		"Devanagari":            func(b string, c byte) string { return digitsIn('०', b+"("+string(c)+")") },
		"Thai":                  func(b string, c byte) string { return digitsIn('๐', b+"("+string(c)+")") },
		"Bengali":               func(b string, c byte) string { return digitsIn('০', b+"("+string(c)+")") },
		"Myanmar":               func(b string, c byte) string { return digitsIn('၀', b+"("+string(c)+")") },
		"letterlike prefix":     prefix(map[byte]string{'K': "\u212a", 'H': "\u210d", 'M': "\u2133", 'P': "\u2119", 'C': "\u2102", 'E': "\u2130"}),
		"Cyrillic prefix":       prefix(cyr),
		"Greek prefix":          prefix(grk),
		"Cyrillic, zero-width":  func(b string, c byte) string { return prefix(cyr)(b[:1]+"\u200b"+b[1:], c) },
		"Cyrillic, spaced":      func(b string, c byte) string { return prefix(cyr)(b[:1]+" "+b[1:], c) },
		"underlined (U+0332)":   func(b string, c byte) string { return marked(b+"("+string(c)+")", "\u0332") },
		"struck (U+0336)":       func(b string, c byte) string { return marked(b+"("+string(c)+")", "\u0336") },
		"accents on digits":     func(b string, c byte) string { return b[:1] + marked(b[1:], "\u0301\u0308") + "(" + string(c) + ")" },
	}
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(9, uint64(len(name))))
			var b strings.Builder
			b.WriteString("客戶名單 身份證號碼\n")
			for i, l := range "ABCEHKMPTY" {
				body, c := genHKID(r, string(l))
				b.WriteString("Customer " + string(rune('a'+i)) + ": " + form(body, c) + "\n")
			}
			if n, f := hkidsIn(t, b.String()); n != 10 {
				t.Fatalf("%d HKIDs, want 10 in\n%s", n, maskTestDigits(b.String()))
			} else {
				for _, s := range f.Samples {
					if strings.Count(s.Masked, "*") < 4 {
						t.Errorf("sample %q not masked", s.Masked)
					}
				}
			}
		})
	}
}

// marked writes mark after every character of s.
func marked(s, mark string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
		b.WriteString(mark)
	}
	return b.String()
}

// Near misses: Cyrillic and Greek words and numbers in their own text,
// Arabic-Indic numbers that are not HKIDs, wrong check digits.
func TestFoldNearMisses(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var wrong strings.Builder
	for range 5 {
		body, _ := genHKID(r, "K")
		wrong.WriteString("ID: " + digitsIn('٠', body) + "(" + string(wrongCheck(body)) + ")\n")
	}
	texts := []string{
		"В 2024 году выручка выросла на 123456 рублей (3)",
		"Отчёт №7: Москва 123456, Россия",
		"Τηλ. 210 1234567, Αθήνα Τ.Κ. 10557",
		"رقم الهاتف ٠٥٠١٢٣٤٥٦٧ والمبلغ ١٢٣٤٥٦",
		"客户编号 ۱۲۳۴۵۶۷ 订单 ١٢٣٤٥٦٣",
		wrong.String(),
		// Decomposed accents in words (Vietnamese, French) stay words.
		"Nguye\u0302\u0303n Va\u0306n A ca\u0301c 123456 ngu\u031bo\u031b\u0300i (3)",
		"Cafe\u0301 re\u0301sume\u0301 123456 7",
	}
	for _, tx := range texts {
		if n, _ := hkidsIn(t, tx); n != 0 {
			t.Errorf("%q: %d HKIDs, want 0", maskTestDigits(tx), n)
		}
	}
}

// needsFold, a word-at-a-time scan, finds exactly what a rune-by-rune
// reading finds.
func TestNeedsFoldMatchesRuneScan(t *testing.T) {
	slow := func(s string) bool {
		for i, r := range s {
			if size := utf8.RuneLen(r); size > 1 && r != utf8.RuneError && (foldAt(s, i, r, size) != 0 || markOverAlnum(s, i, r) && foldLead[s[i]]) {
				return true
			}
		}
		return false
	}
	alphabet := []string{"a", "A", "1", " ", "-", "中", "，", "é", "\u00a0", "А", "а", "Α", "ο", "٣", "۵", "५", "๓", "😀", "\u200b", "Ж", "ي", "한", "\xff", "ꘓ", "\u0301", "\u0332", "\u036f", "\u20e3", "ͅ"}
	r := rand.New(rand.NewPCG(3, 3))
	for i := range 20000 {
		var b strings.Builder
		for range r.IntN(24) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		if got, want := needsFold(s), slow(s); got != want {
			t.Fatalf("case %d %q: needsFold %v, rune scan %v", i, s, got, want)
		}
	}
}

// Marks piled on one character are read in linear time: markOverAlnum
// looks back over at most maxMarks of them.
func BenchmarkPathologicalMarks(b *testing.B) {
	text := "HKID A" + strings.Repeat("\u0332", 1<<20) + "123456(3)"
	b.SetBytes(int64(len(text)))
	s := NewDefault()
	for b.Loop() {
		s.Classify(context.Background(), []extract.Segment{{Origin: "body", Text: text}})
	}
}

func BenchmarkNeedsFold(b *testing.B) {
	text := strings.Repeat("客戶名單：陳大文，電話 9123 4567，地址：九龍彌敦道“100”號—— Room 12, Block A. ", 2000)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if needsFold(text) {
			b.Fatal("nothing to fold")
		}
	}
}
