package classifiers

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// scanIdentifiersRunByRun is scanIdentifiersAt as it was before the
// digit-mask skip (digitmask.go): every digit run visited in turn.
func scanIdentifiersRunByRun(s string, dst []idMatch, at bool) []idMatch {
	n := len(s)
	for i := nextDigit(s, 0); i < n; i = nextDigit(s, i) {
		k := i + 1
		for k < n && s[k]-'0' < 10 {
			k++
		}
		if k-i < 8 && (k+1 >= n || (s[k] != ' ' && s[k] != '-' && s[k] != ')') || s[k+1]-'0' >= 10) {
			i = k
			continue
		}
		if k-i == 8 && lone8(s, i, k) {
			dst = judgeLone8(s, i, k, dst)
			i = k
			continue
		}
		i = numberAt(s, i, &dst)
	}
	if at {
		k := len(dst)
		dst = scanEmails(s, dst)
		if k > 0 && len(dst) > k {
			dst = mergeByStart(dst, k)
		}
	}
	return dst
}

func TestDigitBits8(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			for _, fill := range []byte{'a', '5', 0x80, 0xb9, '/', ':', 0} {
				var b [8]byte
				for j := range b {
					b[j] = fill
				}
				b[pos] = byte(c)
				got := digitBits8(load64(string(b[:]), 0))
				var want uint64
				for j := range b {
					if isDigit(b[j]) {
						want |= 1 << j
					}
				}
				if got != want {
					t.Fatalf("digitBits8(%q) = %08b, want %08b", b, got, want)
				}
			}
		}
	}
}

// genDigitDense is text from an alphabet of digits and the bytes the
// identifier scanners test, in runs that cross 64-byte blocks at every
// offset.
func genDigitDense(r *rand.Rand, n int) string {
	alpha := []string{"0123456789", "0123456789 ", "0123456789-", "0123456789)", "0123456789 -)(+xX",
		"0123456789 -)(+xXa@./,_", "9 ", "1-", "8", "0123456789１２（）　"}
	var b strings.Builder
	for b.Len() < n {
		a := alpha[r.IntN(len(alpha))]
		for range 1 + r.IntN(80) {
			i := r.IntN(len(a))
			if a[i] >= 0x80 { // a whole multi-byte character
				for _, ch := range a {
					if r.IntN(3) == 0 {
						b.WriteRune(ch)
						break
					}
				}
				continue
			}
			b.WriteByte(a[i])
		}
	}
	return b.String()
}

func checkScanIdentifiersPrev(t *testing.T, text string) {
	t.Helper()
	for _, at := range []bool{false, true} {
		want := scanIdentifiersRunByRun(text, nil, at)
		got := scanIdentifiersAt(text, nil, at)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("at=%v: digit-mask scan found %d identifiers, run-by-run %d, in %q", at, len(got), len(want), text)
		}
		if got := scanIdentifiersMap(text, digitMap(text, nil), nil, at); !reflect.DeepEqual(got, want) {
			t.Fatalf("at=%v: digit-map scan found %d identifiers, run-by-run %d, in %q", at, len(got), len(want), text)
		}
	}
	checkScanIdentifiers(t, text)
}

// The digit-mask scan finds exactly what the run-by-run scan found, on
// generated identifier text, digit-dense text and every prefix of a few
// adversarial strings (so that each shape meets a block end).
func TestScanIdentifiersDigitMaskMatchesRunByRun(t *testing.T) {
	r := rand.New(rand.NewPCG(101, 102))
	for range 2000 {
		checkScanIdentifiersPrev(t, genIDText(r, 1+r.IntN(700)))
		checkScanIdentifiersPrev(t, genDigitDense(r, 1+r.IntN(700)))
	}
	for _, s := range []string{
		strings.Repeat("1", 200), strings.Repeat("12345678 ", 30), strings.Repeat("1234-", 40), strings.Repeat("1 ", 100),
		strings.Repeat("4111 1111 1111 1111,", 10), strings.Repeat("(852) 9123 4567;", 10), strings.Repeat("11010519491231002X ", 8),
		strings.Repeat("a1234567", 20), strings.Repeat("1234567)", 20), strings.Repeat("1234567X8", 20),
		strings.Repeat("x", 57) + "91234567" + strings.Repeat("y", 70),
	} {
		for n := 0; n <= len(s); n++ {
			checkScanIdentifiersPrev(t, s[:n])
			checkScanIdentifiersPrev(t, s[n:])
		}
	}
}

// FuzzScanIdentifiersDigitMask: the digit-mask scan and the run-by-run
// scan agree on any input.
func FuzzScanIdentifiersDigitMask(f *testing.F) {
	idSeeds(f)
	r := rand.New(rand.NewPCG(103, 104))
	for range 8 {
		f.Add(genDigitDense(r, 300))
	}
	f.Fuzz(func(t *testing.T, text string) { checkScanIdentifiersPrev(t, text) })
}

func perCoreTexts() []struct{ name, text string } {
	r := rand.New(rand.NewPCG(51, 52))
	const n = 1 << 20
	gen := func(line int, alphabet string) string {
		var sb strings.Builder
		for sb.Len() < n {
			for range line {
				sb.WriteByte(alphabet[r.IntN(len(alphabet))])
			}
			sb.WriteByte('\n')
		}
		return sb.String()
	}
	var sheet strings.Builder
	for row := 0; sheet.Len() < n; row++ {
		sheet.WriteString(itoa(row) + "," + itoa(r.IntN(100000)) + "." + itoa(10+r.IntN(90)) + "," + itoa(r.IntN(1000000)) + ",2026-0" + itoa(1+r.IntN(9)) + "-1" + itoa(r.IntN(10)) + "," + itoa(r.IntN(99999999)) + "\n")
	}
	return []struct{ name, text string }{
		{"business", mixedText(n)},
		{"base64", gen(76, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")},
		{"letters", gen(100, "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ")},
		{"digit-sheet", sheet.String()},
	}
}

func BenchmarkScanIdentifiersOnly(b *testing.B) {
	for _, c := range perCoreTexts() {
		for _, f := range []struct {
			name string
			fn   func(string, []idMatch, bool) []idMatch
		}{{"mask", scanIdentifiersAt}, {"runs", scanIdentifiersRunByRun}} {
			b.Run(c.name+"/"+f.name, func(b *testing.B) {
				b.SetBytes(int64(len(c.text)))
				for b.Loop() {
					f.fn(c.text, nil, false)
				}
			})
		}
	}
}

// scanSpacedHKIDsRunByRun is scanSpacedHKIDs as it was before the digit-
// mask skip: every digit run visited in turn.
func scanSpacedHKIDsRunByRun(s string, dst []hkidMatch, bracketedOnly bool) []hkidMatch {
	n0 := len(dst)
	for i := nextDigit(s, 0); i < len(s); i = nextDigit(s, i) {
		k := i + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k-i == 6 {
			p := -1
			switch {
			case i >= 2 && s[i-1] == ' ' && isLetter(s[i-2]):
				p = i - 2
			case i >= 4 && s[i-3:i] == ideoSpace && isLetter(s[i-4]):
				p = i - 4
			}
			if p >= 0 {
				if m, ok := separatedHKIDAt(s, p); ok && (m.bracketed || !bracketedOnly) && !slices.ContainsFunc(dst, func(d hkidMatch) bool { return d.start == m.start }) {
					dst = append(dst, m)
				}
			}
		}
		i = k
	}
	if len(dst) > n0 {
		slices.SortStableFunc(dst, func(a, b hkidMatch) int { return a.start - b.start })
	}
	return dst
}

// genSpacedText is text full of spaced HKIDs and their near misses: digit
// runs of five to eight after a letter and a space or an ideographic
// space, with and without brackets, glued to other runs.
func genSpacedText(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		switch r.IntN(8) {
		case 0, 1:
			body, c := genHKID(r, pickOne(r, []string{"A", "B", "XY", "k"}))
			l := 1
			if body[1] >= 'A' {
				l = 2
			}
			sp := pickOne(r, []string{" ", "　", "", "  "})
			chk := pickOne(r, []string{" " + string(c), "(" + string(c) + ")", "　" + string(c), "（" + string(c) + "）", " (" + string(c) + ")", string(c), ""})
			b.WriteString(body[:l] + sp + body[l:] + chk)
		case 2:
			b.WriteString(pickOne(r, []string{"A ", "Z　", "b ", "1 ", "  "}))
			for range 4 + r.IntN(6) {
				b.WriteByte(byte('0' + r.IntN(10)))
			}
		case 3:
			b.WriteString(pickOne(r, []string{"HKID ", "身份證 ", "身份证号码：", "Room 12 ", "明天", "\n"}))
		default:
			b.WriteString(genDigitDense(r, r.IntN(40)))
		}
		b.WriteString(pickOne(r, []string{" ", "", "\n", "　", ",", "a"}))
	}
	return b.String()
}

func checkSpacedHKIDs(t *testing.T, text string) {
	t.Helper()
	for _, bracketedOnly := range []bool{false, true} {
		want := scanSpacedHKIDsRunByRun(text, nil, bracketedOnly)
		got := scanSpacedHKIDs(text, nil, bracketedOnly)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("bracketedOnly=%v: digit-mask scan found %d spaced HKIDs, run-by-run %d, in %q", bracketedOnly, len(got), len(want), text)
		}
		if got := scanSpacedHKIDsMap(text, digitMap(text, nil), nil, bracketedOnly); !reflect.DeepEqual(got, want) {
			t.Fatalf("bracketedOnly=%v: digit-map scan found %d spaced HKIDs, run-by-run %d, in %q", bracketedOnly, len(got), len(want), text)
		}
		// With candidates already found (the other scanners').
		pre := scanHKIDs(text, nil)
		want = scanSpacedHKIDsRunByRun(text, slices.Clone(pre), bracketedOnly)
		got = scanSpacedHKIDs(text, slices.Clone(pre), bracketedOnly)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("bracketedOnly=%v, after scanHKIDs: digit-mask scan found %d, run-by-run %d, in %q", bracketedOnly, len(got), len(want), text)
		}
	}
	// The grouped forms ("A 123 456 3"): the digit-map walk finds what the
	// byte walk does, alone and after the other scanners.
	dm := digitMap(text, nil)
	for _, pre := range [][]hkidMatch{nil, scanSpacedHKIDs(text, scanHKIDs(text, nil), false)} {
		want := scanGroupedHKIDs(text, slices.Clone(pre))
		if got := scanGroupedHKIDsMap(text, dm, slices.Clone(pre)); !reflect.DeepEqual(got, want) {
			t.Fatalf("grouped: digit-map walk found %d, byte walk %d, in %q", len(got), len(want), text)
		}
		want = scanLooseHKIDs(text, nil, slices.Clone(pre))
		if got := scanLooseHKIDs(text, dm, slices.Clone(pre)); !reflect.DeepEqual(got, want) {
			t.Fatalf("punctuated: digit-map walk found %d, byte walk %d, in %q", len(got), len(want), text)
		}
	}
}

// genGroupedText is text of HKIDs with their digits in groups and near
// misses: groups of one to six digits after a letter, with and without a
// space, joined by spaces, hyphens or ideographic spaces.
func genGroupedText(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		body, c := genHKID(r, pickOne(r, []string{"A", "C", "XY"}))
		l := 1
		if body[1] >= 'A' {
			l = 2
		}
		digits := body[l:]
		b.WriteString(body[:l] + pickOne(r, []string{" ", "", "　", "  ", ".", "/", "_", ". ", ", ", "\u2013", "\t", " | ", "．"}))
		for len(digits) > 0 {
			k := min(len(digits), 1+r.IntN(5))
			b.WriteString(digits[:k])
			digits = digits[k:]
			if len(digits) > 0 {
				b.WriteString(pickOne(r, []string{" ", "-", "　", "", "  ", "."}))
			}
		}
		b.WriteString(pickOne(r, []string{" " + string(c), "(" + string(c) + ")", "-" + string(c), "", " x", "." + string(c), "/" + string(c), ". " + string(c), "（" + string(c) + "）",
			"[" + string(c) + "]", "【" + string(c) + "】", "\u2013" + string(c), "\t" + string(c), "\n(" + string(c) + ")", "[" + string(c)}))
		b.WriteString(pickOne(r, []string{" ", "\n", "7", "a", "　"}))
	}
	return b.String()
}

func TestScanSpacedHKIDsDigitMaskMatchesRunByRun(t *testing.T) {
	r := rand.New(rand.NewPCG(105, 106))
	found, foundGrouped, foundPunct := 0, 0, 0
	for range 2000 {
		text := genSpacedText(r, 1+r.IntN(700))
		checkSpacedHKIDs(t, text)
		checkSpacedHKIDs(t, genDigitDense(r, 1+r.IntN(300)))
		grouped := genGroupedText(r, 1+r.IntN(700))
		checkSpacedHKIDs(t, grouped)
		found += len(scanSpacedHKIDsRunByRun(text, nil, false))
		foundGrouped += len(scanGroupedHKIDs(grouped, nil))
		foundPunct += len(scanLooseHKIDs(grouped, nil, nil))
	}
	if foundGrouped < 300 || foundPunct < 300 {
		t.Fatalf("the generated texts held only %d grouped and %d punctuated HKIDs", foundGrouped, foundPunct)
	}
	if found < 1000 {
		t.Fatalf("the generated texts held only %d spaced HKIDs", found)
	}
	for _, s := range []string{
		strings.Repeat("A 123456 3 ", 20), strings.Repeat("A　123456（3）", 10), strings.Repeat("x 1234567 ", 20),
		strings.Repeat("B 12345 ", 20), strings.Repeat("Q 123456", 20), strings.Repeat("y", 61) + "A 123456 7" + strings.Repeat("z", 70),
		strings.Repeat("A 123 456 3 ", 12), strings.Repeat("A123 456(3)", 12), strings.Repeat("C 12-3456-3 ", 12), strings.Repeat("y", 60) + "A 12 3456 3" + strings.Repeat("z", 70),
	} {
		for n := 0; n <= len(s); n++ {
			checkSpacedHKIDs(t, s[:n])
			checkSpacedHKIDs(t, s[n:])
		}
	}
}

func FuzzScanSpacedHKIDsDigitMask(f *testing.F) {
	r := rand.New(rand.NewPCG(107, 108))
	for range 8 {
		f.Add(genSpacedText(r, 300))
	}
	f.Add("A 123456 3")
	f.Add("HKID Z　683625（A）")
	f.Add(genGroupedText(r, 300))
	f.Add("A 123 456 3")
	f.Add("HKID A.123456.3 B/654321(7)")
	f.Fuzz(func(t *testing.T, text string) { checkSpacedHKIDs(t, text) })
}

// digitsKeyRef is digitsKey without its eight-digit shortcut.
func digitsKeyRef(d []byte) uint64 {
	var k uint64
	for _, c := range d {
		k = k*10 + uint64(c-'0')
	}
	return k
}

func TestDigitsKeyEightMatchesLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(109, 110))
	check := func(d []byte) {
		if got, want := digitsKey(d), digitsKeyRef(d); got != want {
			t.Fatalf("digitsKey(%q) = %d, want %d", d, got, want)
		}
	}
	for _, s := range []string{"00000000", "99999999", "12345678", "90000001", "00000009", "10000000"} {
		check([]byte(s))
	}
	for range 200000 {
		d := make([]byte, 1+r.IntN(19))
		for j := range d {
			d[j] = byte('0' + r.IntN(10))
		}
		check(d)
	}
	for p := 0; p < 8; p++ { // every digit in every place
		for c := byte('0'); c <= '9'; c++ {
			d := []byte("55555555")
			d[p] = c
			check(d)
		}
	}
}

// judgeLone8Ref is judgeLone8 as it was: the digits copied out, then the
// date test and hkPhone.
func judgeLone8Ref(s string, i, k int, dst []idMatch) []idMatch {
	if !numBoundaryBefore(s, i) || !numBoundaryAfter(s, k) {
		return dst
	}
	var d [8]byte
	copy(d[:], s[i:k])
	if looksLikeDate(d[:]) {
		return dst
	}
	if m, ok := hkPhone(d[:], idMatch{start: int32(i), end: int32(k)}, false); ok {
		dst = appendID(dst, m)
	}
	return dst
}

// Every first digit, dates of every month and day, and random numbers in
// every context byte: judgeLone8 and the reference agree.
func TestJudgeLone8MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(115, 116))
	ctx := []string{"", " ", ",", "a", "_", "/", "-", ".", "+", "#", ":", "%", "@", "\\", "$", "&", "\n", "x", "電"}
	check := func(num string) {
		for _, before := range ctx {
			for _, after := range ctx {
				s := before + num + after
				i := len(before)
				if !lone8(s, i, i+8) {
					continue
				}
				got := judgeLone8(s, i, i+8, nil)
				want := judgeLone8Ref(s, i, i+8, nil)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("judgeLone8(%q) = %v, reference %v", s, got, want)
				}
			}
		}
	}
	for range 20000 {
		b := make([]byte, 8)
		for j := range b {
			b[j] = byte('0' + r.IntN(10))
		}
		check(string(b))
	}
	for _, y := range []string{"1899", "1900", "1999", "2000", "2026", "2099", "2100", "1901", "2012"} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				check(y + string(rune('0'+m/10)) + string(rune('0'+m%10)) + string(rune('0'+d/10)) + string(rune('0'+d%10)))
			}
		}
	}
}

func TestDigitMap(t *testing.T) {
	r := rand.New(rand.NewPCG(117, 118))
	for range 500 {
		text := genDigitDense(r, r.IntN(400)) + genIDText(r, r.IntN(200))
		dm := digitMap(text, nil)
		if len(dm) != (len(text)+63)/64 {
			t.Fatalf("%d words for %d bytes", len(dm), len(text))
		}
		for i := 0; i < len(text); i++ {
			if got := dm[i>>6]>>(i&63)&1 == 1; got != isDigit(text[i]) {
				t.Fatalf("byte %d (%q): map says digit %v", i, text[i], got)
			}
		}
		for i := len(text); i < 64*len(dm); i++ {
			if dm[i>>6]>>(i&63)&1 != 0 {
				t.Fatalf("bit %d past the end of %d bytes is set", i, len(text))
			}
		}
	}
}

func BenchmarkDigitMap(b *testing.B) {
	for _, c := range perCoreTexts() {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			var buf []uint64
			for b.Loop() {
				buf = digitMap(c.text, buf[:0])
			}
		})
	}
}
