package ocr

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PostProcess tidies Tesseract's output for the classifiers: spaces between
// CJK characters go (Tesseract separates every Chinese word), blank-line
// runs collapse, and HKID-shaped tokens are repaired where OCR confused
// letters and digits and the check digit confirms the repair.
func PostProcess(s string) string {
	s = strings.ReplaceAll(s, "\f", "\n")
	var lines []string
	blank := false
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(joinCJK(narrow(l)))
		if l == "" {
			if !blank && len(lines) > 0 {
				lines = append(lines, "")
			}
			blank = true
			continue
		}
		blank = false
		lines = append(lines, fixIDs(l))
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// narrow maps full-width letters, digits and parentheses (Chinese forms
// write "A123456（3）") to ASCII, so identifiers read the same either way.
func narrow(l string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ', r == '（', r == '）':
			return r - 0xfee0
		}
		return r
	}, l)
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef
}

// joinCJK drops spaces that have a CJK character on one side and a CJK
// character, a digit or punctuation on the other ("於 2025 年" is
// "於2025年", "診斷 : 急性" is "診斷：急性"): Chinese is written without
// spaces, Tesseract puts one between words. A colon after CJK becomes the
// full-width one Chinese forms use.
func joinCJK(l string) string {
	if !strings.Contains(l, " ") {
		return l
	}
	var b strings.Builder
	var prev rune
	for i := 0; i < len(l); {
		r, n := utf8.DecodeRuneInString(l[i:])
		if r == ' ' && prev != 0 {
			j := i
			for j < len(l) && l[j] == ' ' {
				j++
			}
			next, _ := utf8.DecodeRuneInString(l[j:])
			if isCJK(prev) && (isCJK(next) || joinable(next)) || joinable(prev) && isCJK(next) {
				i = j
				continue
			}
		}
		if r == ':' && isCJK(prev) {
			b.WriteString("：")
			prev = '：'
			i += n
			continue
		}
		b.WriteString(l[i : i+n])
		prev = r
		i += n
	}
	return b.String()
}

// joinable are characters that sit next to Chinese without a space.
func joinable(r rune) bool {
	return r >= '0' && r <= '9' || r == ':' || r == '：' || r == ',' || r == '.' || r == '(' || r == ')'
}

// idShape is an HKID as OCR may misread it: one or two prefix characters,
// six digit-like characters, and a check character, bracketed or not.
// Letters OCR confuses with digits are allowed in every position.
var idShape = regexp.MustCompile(`([A-Za-z0-9|]{1,2})[ ]?([0-9OoDIlL|iSsBZzGq]{6}) ?([(\[{]?) ?([0-9AOoDIl|]) ?([)\]}]?)`)

var (
	toDigit  = map[byte]byte{'O': '0', 'o': '0', 'D': '0', 'I': '1', 'l': '1', 'L': '1', '|': '1', 'i': '1', 'S': '5', 's': '5', 'B': '8', 'Z': '2', 'z': '2', 'G': '6', 'q': '9'}
	toLetter = map[byte]byte{'0': 'O', '1': 'I', '|': 'I', 'l': 'I', '4': 'A', '8': 'B', '5': 'S', '2': 'Z', '6': 'G'}
)

// fixIDs rewrites misread HKIDs in one line as "A123456(3)". A token is
// changed only if it is not already an HKID as written (letters and digits
// confused, or one bracket lost: table layout often splits the ")" into a
// column of its own), its repaired form verifies, and, when a prefix digit had to become a letter, a bracket
// shows it is an identifier (an 8-digit phone number stays one).
func fixIDs(l string) string {
	if !strings.ContainsAny(l, "0123456789") {
		return l
	}
	var b strings.Builder
	last := 0
	for _, ix := range idShape.FindAllStringSubmatchIndex(l, -1) {
		start, end := ix[0], ix[1]
		if start > 0 && isAlnum(l[start-1]) || end < len(l) && isAlnum(l[end]) {
			continue
		}
		g := func(i int) string { return l[ix[2*i]:ix[2*i+1]] }
		if fixed, ok := repairID(g(1), g(2), g(3), g(4), g(5)); ok && fixed != l[start:end] {
			b.WriteString(l[last:start])
			b.WriteString(fixed)
			last = end
		}
	}
	if last == 0 {
		return l
	}
	b.WriteString(l[last:])
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// repairID maps one HKID-shaped token to its canonical form when that
// verifies.
func repairID(pre, digits, open, check, closer string) (string, bool) {
	bracket := open != "" || closer != ""
	p := []byte(strings.ToUpper(pre))
	guessed := false
	for i, c := range []byte(pre) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' && c != 'l' {
			continue
		}
		r, ok := toLetter[c]
		if !ok {
			return "", false
		}
		p[i] = r
		guessed = guessed || c >= '0' && c <= '9'
	}
	if guessed && !bracket {
		return "", false
	}
	d := []byte(digits)
	for i, c := range d {
		if c < '0' || c > '9' {
			d[i] = toDigit[c]
		}
	}
	ck := check[0]
	switch ck {
	case 'O', 'o', 'D':
		ck = '0'
	case 'I', 'l', '|':
		ck = '1'
	}
	if string(p) == pre && string(d) == digits && ck == check[0] && (open == "") == (closer == "") {
		return "", false // read as written: the classifier judges it
	}
	if !validHKID(string(p), string(d), ck) {
		return "", false
	}
	return string(p) + string(d) + "(" + string(ck) + ")", true
}

// validHKID verifies the HKID check digit (weights 9..2 over a space-padded
// two-letter prefix and six digits, modulo 11; 10 is written "A").
func validHKID(prefix, digits string, check byte) bool {
	if len(prefix) == 1 {
		prefix = " " + prefix
	}
	sum := 0
	for i := 0; i < 2; i++ {
		c := prefix[i]
		v := 36 // a space
		if c != ' ' {
			v = int(c-'A') + 10
		}
		sum += v * (9 - i)
	}
	for i := 0; i < 6; i++ {
		sum += int(digits[i]-'0') * (7 - i)
	}
	want := (11 - sum%11) % 11
	var got int
	switch {
	case check == 'A':
		got = 10
	case check >= '0' && check <= '9':
		got = int(check - '0')
	default:
		return false
	}
	return got == want
}
