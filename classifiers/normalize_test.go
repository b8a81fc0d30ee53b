package classifiers

import (
	"context"
	"math"
	"slices"
	"unicode/utf8"

	"fmt"
	"github.com/dlpgate/dlpgate/extract"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

func TestNormalizeText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain ascii", "plain ascii"},
		{"A12**3456**(3)", "A123456(3)"},
		{"**Revenue** and __profit__ and ~~loss~~ and *note*", "Revenue and profit and loss and note"},
		{"3*4 = 12, A12****(3), snake_case_name, a * b", "3*4 = 12, A12****(3), snake_case_name, a * b"},
		{"run `go test` then ``x`` and ```", "run go test then x and ```"},
		{"病\u200b人\u200b姓\u200b名", "病人姓名"},
		{"in\u00adcorporated\u2060 \ufeffx\u200c\u200dy", "incorporated xy"},
		{"ＡＢ１２３４５６（７）", "AB123456（7）"},
		{"𝐀𝟏𝟐𝟑𝟒𝟓𝟔(𝟕)", "A123456(7)"},
		{"ﬁnancial ①②", "financial 12"},
		{"⽇本 資產負債表，合計：", "日本 資產負債表，合計："},
	}
	for _, c := range cases {
		got, m := normalizeText(c.in)
		if got != c.want {
			t.Errorf("normalizeText(%q) = %q, want %q", c.in, got, c.want)
		}
		// Every offset maps into the original, in order.
		last := -1
		for o := 0; o < len(got); o++ {
			in := m.original(o)
			if in < last || in > len(c.in) {
				t.Errorf("%q: offset %d maps to %d (previous %d)", c.in, o, in, last)
				break
			}
			last = in
		}
	}
}

func TestNormalizeOffsetsPointAtTheOriginal(t *testing.T) {
	in := "前言\u200b\u200b **note** then 𝐀𝟏 and A12**3456**(3)"
	got, m := normalizeText(in)
	i := strings.Index(got, "A123456(3)")
	if i < 0 {
		t.Fatalf("normalised %q", got)
	}
	if o := m.original(i); !strings.HasPrefix(in[o:], "A12**3456") {
		t.Fatalf("offset %d maps to %d: %q", i, o, in[o:])
	}
}

// hkidsIn returns the hkid finding's count for texts (0 when none).
func hkidsIn(t *testing.T, texts ...string) (int, Finding) {
	t.Helper()
	f, ok := classifyText(t, texts...)[HKID]
	if !ok {
		return 0, f
	}
	return f.Count, f
}

// evasions writes n distinct valid HKIDs in an evasive form.
func evasions(r *rand.Rand, n int, form func(body string, check byte) string) ([]string, string) {
	var ids []string
	var b strings.Builder
	for i := range n {
		body, c := genHKID(r, string(rune('A'+i%20)))
		ids = append(ids, body)
		fmt.Fprintf(&b, "Customer %d: %s\n", i, form(body, c))
	}
	return ids, b.String()
}

func TestHKIDEvasionsAreRead(t *testing.T) {
	forms := map[string]func(string, byte) string{
		"zero-width inside": func(b string, c byte) string { return b[:2] + "\u200b" + b[2:] + "(\u200d" + string(c) + ")" },
		"soft hyphens": func(b string, c byte) string {
			return b[:1] + "\u00ad" + b[1:4] + "\u00ad" + b[4:] + "(" + string(c) + ")"
		},
		"markdown bold":   func(b string, c byte) string { return b[:3] + "**" + b[3:] + "**(" + string(c) + ")" },
		"markdown italic": func(b string, c byte) string { return "*" + b + "(" + string(c) + ")*" },
		"full width":      func(b string, c byte) string { return fullWidthAll(b + "(" + string(c) + ")") },
		"math bold digits": func(b string, c byte) string {
			return b[:1] + toMathDigits(b[1:]) + "(" + toMathDigits(string(c)) + ")"
		},
		"spaced groups":     func(b string, c byte) string { return b[:1] + " " + b[1:4] + " " + b[4:] + " (" + string(c) + ")" },
		"hyphenated":        func(b string, c byte) string { return b[:1] + "-" + b[1:] + "-" + string(c) },
		"split digits":      func(b string, c byte) string { return b[:4] + " " + b[4:] + "(" + string(c) + ")" },
		"csv column":        func(b string, c byte) string { return b + "," + string(c) + ",HK" },
		"tsv column":        func(b string, c byte) string { return b + "\t" + string(c) + "\t" },
		"quoted csv column": func(b string, c byte) string { return `"` + b + `","` + string(c) + `"` },
		"markdown table":    func(b string, c byte) string { return "| " + b + " | " + string(c) + " |" },
		"inline code":       func(b string, c byte) string { return "`" + b + "(" + string(c) + ")`" },
		"digit by digit":    func(b string, c byte) string { return strings.Join(strings.Split(b, ""), " ") + " (" + string(c) + ")" },
	}
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(len(name))))
			ids, text := evasions(r, 4, form)
			n, f := hkidsIn(t, text)
			if n != 4 {
				t.Fatalf("%d HKIDs, want 4 in\n%s", n, maskTestDigits(text))
			}
			for _, s := range f.Samples {
				if strings.ContainsAny(s.Masked[3:], "0123456789"[1:]) && strings.Count(s.Masked, "*") < 4 {
					t.Errorf("sample %q is not masked", s.Masked)
				}
			}
			_ = ids
		})
	}
}

func TestHKIDSeparatorNearMisses(t *testing.T) {
	texts := []string{
		"Room 123 456 (3) is on the left",
		"PO-2026-0412 and INV-88231 and SKU A-12345-6",
		"Flight CX 123 456 7 departs",
		"Call 2123 4567 or 9876-5432",
		"ids: " + strings.Repeat("x", 3),
	}
	for _, tx := range texts {
		if n, _ := hkidsIn(t, tx); n != 0 {
			t.Errorf("%q: %d HKIDs, want 0", tx, n)
		}
	}
	// A wrong check digit in the next column is not an HKID.
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for range 5 {
		body, _ := genHKID(r, "K")
		fmt.Fprintf(&b, "%s,%c,1\n", body, wrongCheck(body))
	}
	if n, _ := hkidsIn(t, b.String()); n != 0 {
		t.Errorf("wrong check digits in the next column: %d HKIDs", n)
	}
	// A stock sheet: part codes of the HKID shape and a quantity column.
	// About one row in eleven validates by chance; as a whole the sheet
	// reads as codes, not identity numbers.
	var stock strings.Builder
	stock.WriteString("SKU,Qty,Bin\n")
	for range 200 {
		fmt.Fprintf(&stock, "%c%06d,%d,B%02d\n", 'A'+r.IntN(20), r.IntN(1000000), r.IntN(10), r.IntN(50))
	}
	if n, _ := hkidsIn(t, stock.String()); n != 0 {
		t.Errorf("stock sheet: %d HKIDs", n)
	}
}

func TestMedicalWithZeroWidthAfterEachHan(t *testing.T) {
	rec := "出院小結\n病人姓名：陳大文\n診斷：心房顫動；高血壓\n出院藥物：Warfarin 3mg 每日一次"
	var b strings.Builder
	for _, r := range rec {
		b.WriteRune(r)
		if unicode.Is(unicode.Han, r) {
			b.WriteString("\u200b")
		}
	}
	f, ok := classifyText(t, b.String())[Medical]
	if !ok || f.Confidence < Medium {
		t.Fatalf("medical record with zero-width spaces: %+v (found %v)", f, ok)
	}
	for _, s := range f.Samples {
		if s.Offset < 0 || s.Offset > len(b.String()) {
			t.Errorf("sample offset %d outside the text", s.Offset)
		}
	}
}

// Three valid HKIDs in the ID column of a member table are three HKIDs,
// even when the other columns hold many same-shaped codes that fail the
// check (which alone make valid ones look like chance) and the cells
// start with "Order No.".
func TestHKIDsInATableOfPeople(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("Name,Member code,Ref,ID\n")
	valid := 0
	for i := range 30 {
		code, _ := genHKID(r, "M")
		code2, _ := genHKID(r, "R")
		id := "n/a"
		if i%10 == 3 {
			body, c := genHKID(r, "C")
			id = "Order No. " + body + "(" + string(c) + ")"
			valid++
		}
		fmt.Fprintf(&b, "Person %d,%s(%c),%s(%c),%s\n", i, code, wrongCheck(code), code2, wrongCheck(code2), id)
	}
	if n, _ := hkidsIn(t, b.String()); n != valid {
		t.Fatalf("%d HKIDs in a member table, want %d", n, valid)
	}
	// The same codes in a table of parts stay chance.
	parts := strings.Replace(b.String(), "Name,Member code,Ref,ID", "Part,Batch,Ref,Lot", 1)
	parts = strings.ReplaceAll(parts, "Person ", "Widget ")
	if n, _ := hkidsIn(t, parts); n != 0 {
		t.Fatalf("%d HKIDs in a parts table, want 0", n)
	}
}

func toMathDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = 0x1D7CE + (r - '0') // MATHEMATICAL BOLD DIGIT
		}
		b.WriteRune(r)
	}
	return b.String()
}

func maskTestDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '#'
		}
		return r
	}, s)
}

func fullWidthAll(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0x20 && r < 0x7f {
			r += 0xFF01 - 0x21
		}
		b.WriteRune(r)
	}
	return b.String()
}

// BenchmarkNormalizeMixed measures what normalisation costs on mixed text
// where it has work to do: the 10 MB mixed business text with a
// zero-width space, a markdown emphasis and a full-width number in every
// 64 KiB piece (so every segment of 64 KiB is normalised and walked again),
// compared with BenchmarkClassifyMixed (the same text with nothing to do,
// where normalisation costs only the trigger patterns in the shared walk).
func BenchmarkNormalizeMixed(b *testing.B) {
	s, err := newSet()
	if err != nil {
		b.Fatal(err)
	}
	s.parallelMin = math.MaxInt
	text := mixedText(benchSize)
	var segs []string
	for i := 0; i < len(text); i += 64 << 10 {
		seg := text[i:min(i+64<<10, len(text))]
		segs = append(segs, seg)
	}
	b.Run("clean-64KiB-segments", func(b *testing.B) { benchSegments(b, s, segs) })
	dirty := make([]string, len(segs))
	for i, seg := range segs {
		dirty[i] = "**note**\u200b１２３ " + seg
	}
	b.Run("every-segment-normalised", func(b *testing.B) { benchSegments(b, s, dirty) })
	b.Run("normalizeText-only", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			for _, d := range dirty {
				normalizeText(d)
			}
		}
	})
}

func benchSegments(b *testing.B, s *defaultSet, texts []string) {
	segs := make([]extract.Segment, len(texts))
	n := 0
	for i, t := range texts {
		segs[i] = extract.Segment{Origin: "bench", Text: t}
		n += len(t)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		s.Classify(context.Background(), segs)
	}
}

// FuzzNormalizeText: any text normalises without panicking, offsets map
// into the original in order, and text without trigger characters is
// returned unchanged.
func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{"A12**3456**(3)", "病\u200b人", "ＡＢ１２", "𝐀𝟏", "**a** *b* ~~c~~ __d__ _e_", "\xff\xfe*", "ﬁ①",
		"A一二三四五六(三)", "A 壹貳參 肆伍陸 （參）", "Ａ1二三4五六七"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, m := normalizeText(s)
		last := 0
		for o := 0; o <= len(got); o++ {
			in := m.original(o)
			if in < last || in > len(s) {
				t.Fatalf("offset %d maps to %d after %d (len %d)", o, in, last, len(s))
			}
			last = in
		}
		// Copied spans are what they say and map back exactly.
		_, _, runs := normalizeAt(s, nil)
		for _, r := range runs {
			if got[r.out:r.out+r.n] != s[r.in:r.in+r.n] {
				t.Fatalf("clean run %+v differs", r)
			}
			for k := 0; k < r.n; k++ {
				if o := m.original(r.out + k); o != r.in+k {
					t.Fatalf("offset %d of a copied span maps to %d, want %d", r.out+k, o, r.in+k)
				}
			}
		}
		if !strings.ContainsAny(s, "*~_`\u200b\u200c\u200d\u2060\ufeff\u00ad") && isPlainASCII(s) && got != s {
			t.Fatalf("plain ASCII changed: %q -> %q", s, got)
		}
	})
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// triggersOf returns the trigger offsets and hits of one full walk of s,
// as view records them.
func triggersOf(s string) ([]int, []hit) {
	hs := testSet.ac.scan(s, nil)
	var at []int
	for _, h := range hs {
		if int(h.id) >= testSet.normFrom || (int(h.id) >= testSet.fullWidthFrom && int(h.id) < testSet.sepFrom) {
			at = append(at, int(h.start))
		}
	}
	slices.Sort(at)
	return at, hs
}

func checkSplice(t *testing.T, s string) {
	t.Helper()
	at, hs := triggersOf(s)
	text, _, runs := normalizeAt(s, at)
	want := testSet.ac.scan(text, nil)
	got := testSet.ac.splice(s, text, hs, runs, nil)
	if !slices.Equal(got, want) {
		t.Fatalf("splice differs from a full walk of the normalised text\n got %v\nwant %v\ntext %q", got, want, text)
	}
}

func TestSpliceMatchesFullWalk(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 34))
	pieces := []string{
		"病人姓名：", "診斷：高血壓。", "Balance Sheet ", "total assets ", "HKID ", "身份證 ", "A123456(3) ",
		"\u200b", "\u200d", "\u00ad", "\ufeff", "\u00a0", "ＡＢ１２３", "𝐀𝟏𝟐", "①", "ﬁ", "⽇",
		"**", "*", "snake_case ", "3*4 ", "\n", "，", "。", "Z",
	}
	for n := range 400 {
		var b strings.Builder
		for range 5 + r.IntN(60) {
			p := pieces[r.IntN(len(pieces))]
			if r.IntN(3) == 0 && len(p) > 3 {
				// a trigger inside a word
				k := len(p) / 2
				for k > 0 && !utf8.RuneStart(p[k]) {
					k--
				}
				p = p[:k] + "\u200b" + p[k:]
			}
			b.WriteString(p)
		}
		s := b.String()
		checkSplice(t, s)
		at, _ := triggersOf(s)
		got, _, _ := normalizeAt(s, at)
		if want, _ := normalizeText(s); got != want {
			t.Fatalf("case %d: trigger-driven %q, full %q (from %q)", n, got, want, s)
		}
	}
}

func FuzzSplice(f *testing.F) {
	for _, s := range []string{"病\u200b人 A12**3456**(3)", "ＡＢ１２３４５６（７）", "_x_ `y` ~~z~~", "\u00a0\u00ad\ufeff",
		"客戶A一二三四五六（三）\nB 七八九 〇一二 (A)", "x1一 a 二"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkSplice(t, s) })
}
