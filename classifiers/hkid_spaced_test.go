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

// scanGroupedHKIDsRunByRun is scanGroupedHKIDs as first written (a walk
// over every digit run), frozen as the reference of scanGroupedHKIDsMap.
func scanGroupedHKIDsRunByRun(s string, dst []hkidMatch) []hkidMatch {
	n0 := len(dst)
	for i := nextDigit(s, 0); i < len(s); i = nextDigit(s, i) {
		k := i + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if n := k - i; n >= 2 && n < 6 && sepLen(s, k) > 0 {
			p := spacedLetter(s, i)
			if p < 0 && i >= 1 && isLetter(s[i-1]) {
				p = i - 1
			}
			if p >= 0 {
				dst = addSeparated(s, p, dst, false)
			}
		}
		i = k
	}
	if len(dst) > n0 {
		slices.SortStableFunc(dst, func(a, b hkidMatch) int { return a.start - b.start })
	}
	return dst
}

// genGroupedText is text full of grouped HKIDs and their near misses:
// prefixes, groups of one to seven digits, separators of every kind.
func genGroupedText(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		switch r.IntN(6) {
		case 0, 1:
			body, c := genHKID(r, pickOne(r, []string{"A", "B", "XY", "k"}))
			l := 1
			if body[1] >= 'A' {
				l = 2
			}
			cut := 1 + r.IntN(6)
			sp := func() string { return pickOne(r, []string{" ", "　", "", "-", "  "}) }
			chk := pickOne(r, []string{string(c), "(" + string(c) + ")", "（" + string(c) + "）", ""})
			b.WriteString(body[:l] + sp() + body[l:l+cut] + sp() + body[l+cut:] + sp() + chk)
		case 2:
			b.WriteString(pickOne(r, []string{"A ", "Z　", "b", "1 ", "  ", "中"}))
			for range 1 + r.IntN(4) {
				for range 1 + r.IntN(7) {
					b.WriteByte(byte('0' + r.IntN(10)))
				}
				b.WriteString(pickOne(r, []string{" ", "-", "　", ",", ""}))
			}
		case 3:
			b.WriteString(pickOne(r, []string{"HKID ", "身份證 ", "身份证号码：", "Room 12 ", "明天", "\n"}))
		default:
			b.WriteString(genDigitDense(r, r.IntN(40)))
		}
		b.WriteString(pickOne(r, []string{" ", "", "\n", "　", ",", "a", "-"}))
	}
	return b.String()
}

func checkGroupedHKIDs(t *testing.T, text string) {
	t.Helper()
	for _, pre := range [][]hkidMatch{nil, scanHKIDs(text, nil), scanSpacedHKIDs(text, scanHKIDs(text, nil), false)} {
		want := scanGroupedHKIDsRunByRun(text, slices.Clone(pre))
		if got := scanGroupedHKIDs(text, slices.Clone(pre)); !reflect.DeepEqual(got, want) {
			t.Fatalf("scanGroupedHKIDs found %d, the frozen reference %d, in %q", len(got), len(want), text)
		}
		if got := scanGroupedHKIDsMap(text, digitMap(text, nil), slices.Clone(pre)); !reflect.DeepEqual(got, want) {
			t.Fatalf("digit-map grouped scan found %d, the frozen reference %d, in %q", len(got), len(want), text)
		}
	}
}

func TestScanGroupedHKIDsMapMatchesRunByRun(t *testing.T) {
	r := rand.New(rand.NewPCG(141, 142))
	found := 0
	for range 2000 {
		text := genGroupedText(r, 1+r.IntN(700))
		checkGroupedHKIDs(t, text)
		checkGroupedHKIDs(t, genSpacedText(r, 1+r.IntN(300)))
		checkGroupedHKIDs(t, genDigitDense(r, 1+r.IntN(300)))
		found += len(scanGroupedHKIDsRunByRun(text, nil))
	}
	if found < 400 {
		t.Fatalf("the generated texts held only %d grouped HKIDs", found)
	}
	for _, s := range []string{
		strings.Repeat("A 123 456 3 ", 12), strings.Repeat("A123-456-7 ", 12), strings.Repeat("A　12　3456　7", 8),
		strings.Repeat("x 12345 ", 20), strings.Repeat("B 12 ", 30), strings.Repeat("y", 61) + "A 123 456 7" + strings.Repeat("z", 70),
		strings.Repeat("9", 63) + " A12 3456 7", strings.Repeat("Q1", 70),
	} {
		for n := 0; n <= len(s); n++ {
			checkGroupedHKIDs(t, s[:n])
			checkGroupedHKIDs(t, s[n:])
		}
	}
}

func FuzzScanGroupedHKIDsMap(f *testing.F) {
	r := rand.New(rand.NewPCG(143, 144))
	for range 8 {
		f.Add(genGroupedText(r, 300))
	}
	f.Add("HKID A 123 456 3")
	f.Add("身份證 Z　683　625（A）")
	f.Fuzz(func(t *testing.T, text string) { checkGroupedHKIDs(t, text) })
}

// The grouped-HKID pass over business text with an HKID keyword: run by
// run against the digit map (the map itself is built once per segment for
// the other scanners, so it is not timed).
func BenchmarkScanGroupedHKIDs(b *testing.B) {
	text := mixedText(benchSize)
	dm := digitMap(text, nil)
	b.Run("run-by-run", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			scanGroupedHKIDs(text, nil)
		}
	})
	b.Run("map", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			scanGroupedHKIDsMap(text, dm, nil)
		}
	})
}
