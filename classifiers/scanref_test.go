package classifiers

import (
	"math/bits"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// Reference scanners: the straightforward forms the fast paths replaced,
// kept here so that tests and fuzz targets compare the two on any text
// (the findings must not change with the speed).

// scanIdentifiersRef is scanIdentifiersAt without its shortcut for lone
// eight-digit runs: every run that may be an identifier goes through
// numberAt.
func scanIdentifiersRef(s string, dst []idMatch, at bool) []idMatch {
	n := len(s)
	for i := 0; i < n; {
		for i+8 <= n {
			y := load64(s, i) ^ (lo7 * '0')
			if m := (y - lo7*10) &^ y & hi8; m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= n {
			break
		}
		if s[i]-'0' >= 10 {
			i++
			continue
		}
		k := i + 1
		for k < n && s[k]-'0' < 10 {
			k++
		}
		if k-i < 8 && (k+1 >= n || (s[k] != ' ' && s[k] != '-' && s[k] != ')') || s[k+1]-'0' >= 10) {
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

// genIDText is a random mix of what the identifier scanners read: valid
// and broken numbers of every shape, written with and without groups,
// country codes and brackets, glued to letters, base64, sheets, CJK,
// full-width digits and every separator the scanners look at.
func genIDText(r *rand.Rand, n int) string {
	seps := []string{" ", "  ", "-", "--", ",", ".", "/", "+", "(", ")", "\n", "\t", ":", "#", "_", "@", "X", "x", "a", "Z", "，", "：", "１", "\u00a0", "%", "$", "\\", "&", ""}
	var b strings.Builder
	for b.Len() < n {
		switch r.IntN(16) {
		case 0:
			body, c := genHKID(r, pickOne(r, []string{"A", "B", "XY", "K", "z"}))
			b.WriteString(body + pickOne(r, []string{"(" + string(c) + ")", string(c), "", "(0)"}))
		case 1:
			b.WriteString(genPRC(r))
		case 2:
			p := genPRCWithX(r)
			if r.IntN(2) == 0 {
				p = p[:6] + pickOne(r, []string{" ", "-"}) + p[6:14] + pickOne(r, []string{" ", "-"}) + p[14:]
			}
			b.WriteString(p)
		case 3:
			c := genCard(r, pickOne(r, []string{"4", "51", "37", "62", "35", "6011", "9"}), 13+r.IntN(7))
			if r.IntN(2) == 0 {
				c = group4(c, pickOne(r, []string{" ", "-"}))
			}
			b.WriteString(c)
		case 4:
			m := genHKMobile(r)
			b.WriteString(pickOne(r, []string{"", "+852 ", "+852", "(852) ", "(+852)", "852"}) + pickOne(r, []string{m, m[:4] + " " + m[4:], m[:4] + "-" + m[4:]}))
		case 5:
			m := genCNMobile(r)
			b.WriteString(pickOne(r, []string{"", "+86 ", "+86", "86", "(86) ", "0086 "}) + pickOne(r, []string{m, m[:3] + " " + m[3:7] + " " + m[7:], m[:3] + "-" + m[3:]}))
		case 6:
			b.WriteString(pickOne(r, []string{"a@b.co", "chan.tm@example.com.hk", "x+y@z.io", "@", "a@", "王@例子.中国"}))
		case 7: // base64-like token
			const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
			for range 1 + r.IntN(90) {
				b.WriteByte(a[r.IntN(len(a))])
			}
		case 8: // a digit run of any length
			for range 1 + r.IntN(24) {
				b.WriteByte(byte('0' + r.IntN(10)))
			}
		case 9: // a sheet row
			b.WriteString(itoa(r.IntN(100000)) + "," + itoa(r.IntN(100000)) + "." + itoa(r.IntN(100)) + ",2026-0" + itoa(1+r.IntN(9)) + "-1" + itoa(r.IntN(10)) + "," + itoa(r.IntN(99999999)) + "\n")
		case 10:
			b.WriteString(pickOne(r, []string{"電話", "手机号码", "身份證號碼", "卡號", "Tel", "mobile", "ID No.", "Order No.", "INV", "PO-", "明天下午三點", "２０２６", "９１２３４５６７"}))
		case 11: // short numbers joined by separators
			for range 1 + r.IntN(6) {
				b.WriteString(itoa(r.IntN(10000)) + pickOne(r, []string{" ", "-", ")", "/"}))
			}
		case 12: // a date
			b.WriteString(pickOne(r, []string{"2026-03-02", "2026 03 02", "20260302", "2026/03/02", "19991231"}))
		default:
			b.WriteString(pickOne(r, seps))
		}
		b.WriteString(pickOne(r, seps))
	}
	return b.String()
}

func checkScanIdentifiers(t *testing.T, text string) {
	t.Helper()
	for _, at := range []bool{false, true} {
		want := scanIdentifiersRef(text, nil, at)
		got := scanIdentifiersAt(text, nil, at)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("at=%v: fast scanner found %d identifiers, reference %d, in %q", at, len(got), len(want), text)
		}
	}
	if got, want := hasDigit(text), strings.ContainsAny(text, "0123456789"); got != want {
		t.Fatalf("hasDigit(%q) = %v", text, got)
	}
}

// The fast identifier scan finds exactly what the reference finds.
func TestScanIdentifiersMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	found := 0
	for range 3000 {
		text := genIDText(r, 1+r.IntN(400))
		checkScanIdentifiers(t, text)
		found += len(scanIdentifiersRef(text, nil, true))
	}
	if found < 3000 {
		t.Fatalf("the generated texts held only %d identifiers: the comparison says little", found)
	}
	for _, s := range []string{"", "1", "A1 91234567", "A12345678 9123 4567", "x852)91234567", "91234567", "a-91234567", "+91234567",
		"12 ", "1- 2", "abcdefghijklmnop", "abcdefghijklmnop7", "7abcdefghijklmnop", "A1-2-3-4-5-6-7-8-9", strings.Repeat("A1 ", 40), strings.Repeat("1 ", 40), "1234567X 1234567", "+91234567", "(91234567)", "91234567X", "91234567-", "91234567 1", "9123456 7", "a91234567", "_91234567", "20260302", "29123456", "3\n91234567\n"} {
		checkScanIdentifiers(t, s)
	}
}

// FuzzScanIdentifiersReference: the fast scan and the reference agree on
// any input.
func FuzzScanIdentifiersReference(f *testing.F) {
	idSeeds(f)
	r := rand.New(rand.NewPCG(95, 96))
	for range 8 {
		f.Add(genIDText(r, 200))
	}
	f.Fuzz(func(t *testing.T, text string) { checkScanIdentifiers(t, text) })
}
