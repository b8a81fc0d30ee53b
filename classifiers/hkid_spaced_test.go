package classifiers

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Spaced forms: read under an HKID keyword ("A 123456 3"), or anywhere
// with a bracketed check character ("A　123456（3）", "A 123456（3）").
func TestSpacedHKIDForms(t *testing.T) {
	forms := map[string]struct {
		header string
		form   func(b string, c byte) string
	}{
		"space, space under HKID":            {"Customer HKID list", func(b string, c byte) string { return b[:1] + " " + b[1:] + " " + string(c) }},
		"space, space under 身份證號碼":           {"客戶 身份證號碼", func(b string, c byte) string { return b[:1] + " " + b[1:] + " " + string(c) }},
		"ideographic spaces under 身份证":       {"客户名单 身份证", func(b string, c byte) string { return b[:1] + "\u3000" + b[1:] + "\u3000" + string(c) }},
		"ideographic space, bracket":         {"Customers", func(b string, c byte) string { return b[:1] + "\u3000" + b[1:] + "(" + string(c) + ")" }},
		"ideographic space, （）":              {"Customers", func(b string, c byte) string { return b[:1] + "\u3000" + b[1:] + "（" + string(c) + "）" }},
		"space, full-width bracket":          {"Customers", func(b string, c byte) string { return b[:1] + " " + b[1:] + "（" + string(c) + "）" }},
		"spaced groups, full-width brackets": {"Customers", func(b string, c byte) string { return b[:1] + " " + b[1:4] + " " + b[4:] + " （" + string(c) + "）" }},
		"groups of three under HKID":         {"HKID No.", func(b string, c byte) string { return b[:1] + " " + b[1:4] + " " + b[4:] + " " + string(c) }},
		"groups of three under 身份證":          {"身份證號碼", func(b string, c byte) string { return b[:1] + b[1:4] + " " + b[4:] + " " + string(c) }},
		"hyphenated groups under 身份证号码":      {"身份证号码", func(b string, c byte) string { return b[:1] + " " + b[1:4] + "-" + b[4:] + "-" + string(c) }},
		"ideographic groups under 身份證": {"身份證", func(b string, c byte) string {
			return b[:1] + "\u3000" + b[1:4] + "\u3000" + b[4:] + "\u3000" + string(c)
		}},
	}
	for name, f := range forms {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(11, uint64(len(name))))
			var b strings.Builder
			b.WriteString(f.header + "\n")
			for i, l := range "ACEGK" {
				body, c := genHKID(r, string(l))
				fmt.Fprintf(&b, "Customer %d: %s\n", i, f.form(body, c))
			}
			if n, _ := hkidsIn(t, b.String()); n != 5 {
				t.Fatalf("%d HKIDs, want 5 in\n%s", n, maskTestDigits(b.String()))
			}
		})
	}
}

func TestSpacedHKIDNearMisses(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	var wrong strings.Builder
	wrong.WriteString("HKID\n")
	for range 5 {
		body, _ := genHKID(r, "K")
		fmt.Fprintf(&wrong, "%s %s %c\n", body[:1], body[1:], wrongCheck(body))
	}
	texts := []string{
		// No keyword: a space after the letter and a bare digit is too
		// loose a shape to count ("Block A 123456 3", a flight, a room).
		"Block A 123456 3 and Tower B 654321 7 and Flat C 111111 1",
		"Flight CX 123456 7 departs; HKID not needed",
		wrong.String(),
		"身份證號碼：請帶備正本。房間 A 1234567 3",
		"身份证 A 12345 6 与 B 1234567 8",
		// Grouped digits that do not make six, or a word before them.
		"HKID: Room 123 456 3; Tower A 12 34 5",
		"身份證 B 123 4567 8, C 1234 56789 0",
	}
	for _, tx := range texts {
		if n, _ := hkidsIn(t, tx); n != 0 {
			t.Errorf("%q: %d HKIDs, want 0", maskTestDigits(tx), n)
		}
	}
}

// Loose forms under an HKID keyword: punctuation, dashes, tabs, other
// spaces and other brackets ("A.123456.3", "A/123456/3", "A – 123456 – 3",
// "A\t123456\t3", "A123456[3]", "A：123456【3】" ...), under English,
// Traditional and Simplified Chinese keywords.
func TestLooseHKIDForms(t *testing.T) {
	forms := map[string]func(b string, c byte) string{
		"dots":               func(b string, c byte) string { return b[:1] + "." + b[1:] + "." + string(c) },
		"slashes":            func(b string, c byte) string { return b[:1] + "/" + b[1:] + "/" + string(c) },
		"underscores":        func(b string, c byte) string { return b[:1] + "_" + b[1:] + "_" + string(c) },
		"colons":             func(b string, c byte) string { return b[:1] + ":" + b[1:] + ":" + string(c) },
		"commas and spaces":  func(b string, c byte) string { return b[:1] + ", " + b[1:] + ", " + string(c) },
		"dot space":          func(b string, c byte) string { return b[:1] + ". " + b[1:] + " " + string(c) },
		"dot, bracket":       func(b string, c byte) string { return b[:1] + "." + b[1:] + "(" + string(c) + ")" },
		"slash, full-width":  func(b string, c byte) string { return b[:1] + "/" + b[1:] + "（" + string(c) + "）" },
		"two letters, dots":  func(b string, c byte) string { return "X" + b[:1] + "." + b[1:] + "." + string(c) },
		"en dash":            func(b string, c byte) string { return b + "\u2013" + string(c) },
		"em dashes, spaced":  func(b string, c byte) string { return b[:1] + " \u2014 " + b[1:] + " \u2014 " + string(c) },
		"minus sign":         func(b string, c byte) string { return b + "\u2212" + string(c) },
		"tabs":               func(b string, c byte) string { return b[:1] + "\t" + b[1:] + "\t" + string(c) },
		"pipes":              func(b string, c byte) string { return "| " + b[:1] + " | " + b[1:] + " | " + string(c) + " |" },
		"two spaces":         func(b string, c byte) string { return b[:1] + "  " + b[1:] + "  " + string(c) },
		"no-break spaces":    func(b string, c byte) string { return b[:1] + "\u00a0" + b[1:] + "\u00a0" + string(c) },
		"thin spaces":        func(b string, c byte) string { return b[:1] + "\u2009" + b[1:] + "\u2009" + string(c) },
		"square brackets":    func(b string, c byte) string { return b + "[" + string(c) + "]" },
		"curly brackets":     func(b string, c byte) string { return b + "{" + string(c) + "}" },
		"angle brackets":     func(b string, c byte) string { return b + "<" + string(c) + ">" },
		"lenticular":         func(b string, c byte) string { return b + "【" + string(c) + "】" },
		"tortoise shell":     func(b string, c byte) string { return b + "〔" + string(c) + "〕" },
		"full-width colons":  func(b string, c byte) string { return b[:1] + "：" + b[1:] + "：" + string(c) },
		"full-width dots":    func(b string, c byte) string { return b[:1] + "．" + b[1:] + "．" + string(c) },
		"ideographic comma":  func(b string, c byte) string { return b[:1] + "、" + b[1:] + "、" + string(c) },
		"middle dots":        func(b string, c byte) string { return b[:1] + "·" + b[1:] + "·" + string(c) },
		"check on next line": func(b string, c byte) string { return b + "\n(" + string(c) + ")" },
	}
	for name, form := range forms {
		for _, header := range []string{"Staff HKID numbers", "員工身份證號碼", "员工身份证号码"} {
			t.Run(name+" under "+header, func(t *testing.T) {
				r := rand.New(rand.NewPCG(21, uint64(len(name))))
				var b strings.Builder
				b.WriteString(header + "\n")
				for i, l := range "ACEGK" {
					body, c := genHKID(r, string(l))
					if strings.HasPrefix(name, "two letters") {
						body, c = genHKID(r, "X"+string(l))
						body = body[1:]
					}
					fmt.Fprintf(&b, "%d) %s\n", i, form(body, c))
				}
				if n, _ := hkidsIn(t, b.String()); n != 5 {
					t.Fatalf("%d HKIDs, want 5 in\n%s", n, maskTestDigits(b.String()))
				}
			})
		}
	}
}

// Loose near misses: no keyword, a word before the digits, other
// digit counts, a digit or letter glued after, doubled punctuation, a
// wrong check character.
func TestLooseHKIDNearMisses(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 23))
	body, c := genHKID(r, "A")
	ok := body[:1] + "." + body[1:] + "." + string(c)
	texts := []string{
		"Reference " + ok + " in the ledger", // no keyword
		"HKID: Ref." + body[1:] + "." + string(c),
		"HKID: " + body[:1] + "." + body[1:] + "1." + string(c),
		"HKID: " + body[:1] + "." + body[2:] + "." + string(c),
		"HKID: " + ok + "7",
		"HKID: " + ok + "x",
		"HKID: " + body[:1] + "......." + body[1:] + "......." + string(c),
		"HKID: " + body[:1] + "." + body[1:] + "." + string(wrongCheck(body)),
		"身份證 v1." + body[1:] + ".2",
		"HKID: " + body + "[" + string(c) + "x]",
		"HKID: " + body + "[" + string(c),
		"HKID: " + body[:1] + "\u2013" + body[1:] + "\u2013",
		"HKID: " + body[:1] + "。" + body[1:] + "。" + string(c), // an ideographic full stop ends a sentence
	}
	for _, tx := range texts {
		if n, _ := hkidsIn(t, tx); n != 0 {
			t.Errorf("%q: %d HKIDs, want 0", maskTestDigits(tx), n)
		}
	}
}

// Other brackets and dashes are the same shapes as "(3)" and "-3" in other
// glyphs: read anywhere, keyword or not.
func TestOtherBracketsAndDashes(t *testing.T) {
	forms := map[string]func(b string, c byte) string{
		"[3]":   func(b string, c byte) string { return b + "[" + string(c) + "]" },
		" [3]":  func(b string, c byte) string { return b + " [" + string(c) + "]" },
		"{3}":   func(b string, c byte) string { return b + "{" + string(c) + "}" },
		"<3>":   func(b string, c byte) string { return b + "<" + string(c) + ">" },
		"【3】":   func(b string, c byte) string { return b + "【" + string(c) + "】" },
		"〔3〕":   func(b string, c byte) string { return b + "〔" + string(c) + "〕" },
		"［3］":   func(b string, c byte) string { return b + "［" + string(c) + "］" },
		"[ 3 ]": func(b string, c byte) string { return b + "[ " + string(c) + " ]" },
		"–3":    func(b string, c byte) string { return b + "\u2013" + string(c) },
		"—3":    func(b string, c byte) string { return b + "\u2014" + string(c) },
		"−3":    func(b string, c byte) string { return b + "\u2212" + string(c) },
		"‐3":    func(b string, c byte) string { return b + "\u2010" + string(c) },
	}
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(31, uint64(len(name))))
			var b strings.Builder
			b.WriteString("Customer list\n")
			for i, l := range "ACEGK" {
				body, c := genHKID(r, string(l))
				fmt.Fprintf(&b, "%d, Chan Tai Man, %s\n", i, form(body, c))
			}
			if n, _ := hkidsIn(t, b.String()); n != 5 {
				t.Fatalf("%d HKIDs, want 5 in\n%s", n, maskTestDigits(b.String()))
			}
		})
	}
	r := rand.New(rand.NewPCG(32, 33))
	body, c := genHKID(r, "B")
	for _, tx := range []string{
		body + "7[" + string(c) + "]", // seven digits then a bracket
		body + "[" + string(c),        // unclosed
		body + "[" + string(c) + "3]",
		body + "\u2013" + string(c) + "3",
		body + "[" + string(wrongCheck(body)) + "]",
		"x." + body + "[" + string(c) + "]", // glued to a token
	} {
		if n, _ := hkidsIn(t, tx); n != 0 {
			t.Errorf("%q: %d HKIDs, want 0", maskTestDigits(tx), n)
		}
	}
}

// The digit-map walk of the grouped forms reads a run's length from the
// map: runs that start near a 64-byte word's end and run on into the
// next (or stop right at it) must give what the byte walk gives.
func TestGroupedHKIDsAtWordEnds(t *testing.T) {
	found := 0
	for _, lead := range []string{"", "HKID ", "中", "x"} {
		for at := 52; at <= 70; at++ {
			for g := 1; g <= 7; g++ {
				for _, sep := range []string{" ", "-", "　"} {
					digits := "1234567"[:g] + sep + "456789"[:max(0, 6-g)]
					prefix := lead + strings.Repeat("z", max(0, at-len(lead)-3)) + " "
					for _, form := range []string{"A ", "A", "AB "} {
						text := prefix + form + digits + " 3" + " tail " + strings.Repeat("9", g)
						dm := digitMap(text, nil)
						want := scanGroupedHKIDs(text, nil)
						if got := scanGroupedHKIDsMap(text, dm, nil); !reflect.DeepEqual(got, want) {
							t.Fatalf("digit-map walk found %v, byte walk %v, in %q", got, want, text)
						}
						found += len(want)
					}
				}
			}
		}
	}
	if found == 0 {
		t.Fatal("no grouped HKID found at all: the comparison proves nothing")
	}
}

// HKIDs with their six digits typed apart, under an identity-card keyword,
// count; the same shapes without the keyword, with a wrong check digit,
// with seven digits, inside a word or with wide gaps do not.
func TestDigitSpacedHKIDs(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	body, c := genHKID(r, "D")
	cs := string(c)
	apart := func(sep string) string { return strings.Join(strings.Split(body[1:], ""), sep) }
	for _, text := range []string{
		"HKID " + body[:1] + " " + apart(" ") + " ( " + cs + " )",
		"HKID " + body[:1] + " " + apart(" ") + " " + cs,
		"HKID: " + body[:1] + apart("-") + "-" + cs,
		"身份證號碼 " + body[:1] + " " + apart(".") + " " + cs,
		"身份证 " + body[:1] + "\u3000" + apart("\u3000") + "（" + cs + "）",
		"ID card no. " + body[:1] + " " + apart(" - ") + " [" + cs + "]",
		"HKID " + body[:1] + "." + body[1:4] + "." + body[4:] + ".(" + cs + ")",
		"HKID " + body[:1] + " " + body[1:3] + " " + body[3:5] + " " + body[5:] + " " + cs,
		"身份證 " + body[:1] + "-" + body[1:2] + " " + body[2:] + "（" + cs + "）",
	} {
		f, ok := classifyText(t, text)[HKID]
		if !ok || f.Count != 1 || len(f.Samples) == 0 || !strings.HasPrefix(f.Samples[0].Masked, body[:3]) {
			t.Errorf("%q: finding %+v, want one HKID %s...", text, f, body[:3])
		}
	}
	for _, text := range []string{
		"Room " + body[:1] + " " + apart(" ") + " " + cs,
		"HKID " + body[:1] + " " + apart(" ") + " " + string(wrongCheck(body)),
		"HKID " + body[:1] + " " + apart(" ") + " 7 " + cs,
		"HKID " + body[:1] + " " + body[1:4] + " " + body[4:] + "7 " + cs,
		"HKID " + body[:1] + "." + body[1:4] + "." + body[4:] + "." + string(wrongCheck(body)),
		"HKID word" + body[:1] + " " + apart(" ") + " " + cs,
		"HKID " + body[:1] + " " + apart("    ") + " " + cs,
	} {
		if f, ok := classifyText(t, text)[HKID]; ok {
			t.Errorf("%q: counted %+v", text, f)
		}
	}
}

// scanDigitSpacedRef is scanDigitSpacedHKIDs as first written: a byte walk
// from digit to digit, each run read by spacedDigitsAt and its prefix by
// looseHKIDFrom. The digit-map walk, which looks for the prefix first and
// leaves runs of six or more alone, must find what it finds.
func scanDigitSpacedRef(s string, dst []hkidMatch) []hkidMatch {
	a := sepAdder{dst: dst}
	for i := nextDigit(s, 0); i < len(s); i = nextDigit(s, i) {
		end, digits, ok := spacedDigitsAt(s, i)
		if !ok {
			i = end
			continue
		}
		if m, ok := looseHKIDFrom(s, i, end, string(digits[:])); ok {
			a.addMatch(m)
		}
		i = end
	}
	return a.sorted()
}

// genDigitsApart is text of HKIDs with their digits typed apart, alone or
// in groups, and near misses: five or seven digits, wide gaps, prefixes
// that end a word, check characters glued to a word.
func genDigitsApart(r *rand.Rand, parts int) string {
	seps := []string{" ", "-", " - ", ".", "　", "\t", "  ", "   ", "    ", ",", "/", "_", "–", "·", "", "x"}
	pre := []string{"", "HKID ", "身份證 ", "身份证号码：", "Ref", "ab", "ABC ", "Room ", "zA ", "A", "XY", "中", "9", "(", "\n"}
	letters := []string{"A", "XY", "a", "Z", "ABC", "", "9", "A", "WX", "中"}
	checks := []string{"3", "(3)", " (3)", "[A]", "（3）", "7", "", "a", "33", "(3", "12"}
	var b strings.Builder
	for range parts {
		b.WriteString(pre[r.IntN(len(pre))])
		b.WriteString(" ")
		b.WriteString(letters[r.IntN(len(letters))])
		if r.IntN(3) > 0 {
			b.WriteString(seps[r.IntN(4)])
		}
		digits := 6 // near misses: five or seven digits, a wider gap
		if r.IntN(3) == 0 {
			digits = 4 + r.IntN(4)
		}
		for d := 0; d < digits; d++ {
			b.WriteByte(byte('0' + r.IntN(10)))
			switch r.IntN(8) {
			case 0, 1, 2:
				b.WriteString(seps[r.IntN(4)])
			case 3:
				b.WriteString(seps[r.IntN(len(seps))])
			}
		}
		b.WriteString(checks[r.IntN(len(checks))])
		b.WriteString(seps[r.IntN(len(seps))])
		b.WriteString(strings.Repeat("z", r.IntN(70)))
	}
	return b.String()
}

func TestDigitSpacedMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	found := 0
	for n := 0; n < 4000; n++ {
		text := genDigitsApart(r, 1+r.IntN(6))
		want := scanDigitSpacedRef(text, nil)
		found += len(want)
		for _, dm := range [][]uint64{nil, digitMap(text, nil)} {
			if got := scanDigitSpacedHKIDs(text, dm, nil); !reflect.DeepEqual(got, want) {
				t.Fatalf("map=%v: found %v, the byte walk %v, in %q", dm != nil, got, want, text)
			}
		}
		// After the other scanners' candidates.
		prev := scanHKIDs(text, nil)
		want = scanDigitSpacedRef(text, slices.Clone(prev))
		if got := scanDigitSpacedHKIDs(text, digitMap(text, nil), slices.Clone(prev)); !reflect.DeepEqual(got, want) {
			t.Fatalf("after scanHKIDs: found %v, the byte walk %v, in %q", got, want, text)
		}
	}
	// The generator must make candidates, valid or not, for this to test
	// anything.
	if found < 500 {
		t.Errorf("only %d candidates in the generated texts", found)
	}
}

// keywordScans, one walk over the digit runs, finds what the four scans of
// a keyworded segment find one after the other, in the same order, on text
// of every shape they read (spaced, grouped, punctuated, typed apart, near
// misses) mixed, and after the other scanners' candidates.
func TestKeywordScansMatchSequential(t *testing.T) {
	r := rand.New(rand.NewPCG(93, 94))
	var kw kwScans
	found := 0
	for n := 0; n < 3000; n++ {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			switch r.IntN(4) {
			case 0:
				b.WriteString(genSpacedText(r, 1+r.IntN(8)))
			case 1:
				b.WriteString(genGroupedText(r, 1+r.IntN(8)))
			case 2:
				b.WriteString(genDigitsApart(r, 1+r.IntN(4)))
			default:
				b.WriteString(pickOne(r, []string{"HKID A.123456.(3) ", "身份證：A–123456–3，", "A_123456_3 ", "A 123 456 (3)", "A1234563", strings.Repeat("9", 1+r.IntN(70))}))
			}
		}
		text := b.String()
		dm := digitMap(text, nil)
		for _, pre := range [][]hkidMatch{nil, scanSeparatedHKIDs(text, nil, nil, scanHKIDs(text, nil))} {
			want := scanSpacedHKIDsMap(text, dm, slices.Clone(pre), false)
			want = scanGroupedHKIDsMap(text, dm, want)
			want = scanLooseHKIDs(text, dm, want)
			want = scanDigitSpacedHKIDs(text, dm, want)
			got := keywordScans(text, dm, slices.Clone(pre), &kw)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("one walk found %v, the four scans %v, in %q", got, want, text)
			}
			found += len(want) - len(pre)
		}
	}
	if found < 2000 {
		t.Errorf("only %d candidates in the generated texts", found)
	}
}
