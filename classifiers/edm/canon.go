package edm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Canonical forms. A cell of the source file and a span of an upload match
// when their canonical forms are equal; both sides use the rules below, so
// "Chan  Tai-man", "CHAN TAI MAN" and "chan tai man" are one name (the
// hyphen splits words), "+852 9123 4567", "9123-4567" and "91234567" one
// mobile, "A123456(7)" and "a 123456 7" one ID.
//
//   - e-mail (holds '@'): lower case, without spaces;
//   - compact (holds a digit): letters and digits only, lower case, at
//     most maxTokens groups; all-digit values drop a leading 852 (11
//     digits) or 86 (13 digits) country code; at least 5 characters;
//   - Han (only Han characters): the characters without spaces, 2 to
//     maxHan of them (names; longer Han text such as addresses cannot be
//     found inside running Chinese text and is skipped);
//   - words (anything else): words of letters, lower case, joined by one
//     space, at most maxTokens words, at least 3 bytes.
//
// Values that fit none of these (a one-letter name, a long address) are
// "unmatchable" and counted by the builder.

const (
	maxTokens = 4
	maxHan    = 4
	minBytes  = 3
)

// Shapes of canonical values; an index records which it holds so the
// matcher skips the others.
const (
	shapeEmail uint8 = 1 << iota
	shapeCompact
	shapeWords
	shapeHan
)

func isHan(r rune) bool {
	switch {
	case r < 0x2E80:
		return false
	case r >= 0x4E00 && r <= 0x9FFF:
		return true
	}
	return unicode.Is(unicode.Han, r)
}

func dropInvisible(r rune) rune {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD:
		return -1
	}
	return r
}

// canonical returns the canonical form of a cell and its shape (0 when the
// value is unmatchable).
func canonical(v string) (string, uint8) {
	v = strings.ToLower(strings.TrimSpace(strings.Map(dropInvisible, norm.NFKC.String(v))))
	if v == "" {
		return "", 0
	}
	if strings.ContainsRune(v, '@') {
		e := strings.Join(strings.Fields(v), "")
		local, domain, ok := strings.Cut(e, "@")
		if !ok || local == "" || !strings.Contains(domain, ".") || strings.Contains(domain, "@") {
			return "", 0
		}
		return e, shapeEmail
	}
	var words []string
	digit, han, other := false, false, false
	start := -1
	for i, r := range v + " " {
		alnum := unicode.IsLetter(r) || unicode.IsDigit(r)
		if alnum && start >= 0 {
			prev, _ := utf8.DecodeLastRuneInString(v[:i])
			if isHan(prev) != isHan(r) {
				words = append(words, v[start:i])
				start = -1
			}
		}
		if alnum {
			if start < 0 {
				start = i
			}
			switch {
			case unicode.IsDigit(r):
				digit = true
			case isHan(r):
				han = true
			default:
				other = true
			}
			continue
		}
		if start >= 0 {
			words = append(words, v[start:i])
			start = -1
		}
	}
	if len(words) == 0 || len(words) > maxTokens && !(han && !digit && !other) {
		return "", 0
	}
	switch {
	case digit:
		c := strings.Join(words, "")
		if allDigits(c) {
			c = stripCountry(c)
		}
		if len(c) < 5 {
			return "", 0
		}
		return c, shapeCompact
	case han && !other:
		c := strings.Join(words, "")
		if n := utf8.RuneCountInString(c); n < 2 || n > maxHan {
			return "", 0
		}
		return c, shapeHan
	default:
		c := strings.Join(words, " ")
		if len(c) < minBytes {
			return "", 0
		}
		return c, shapeWords
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// stripCountry drops the Hong Kong (852) or mainland (86) country code of
// an all-digit number.
func stripCountry(c string) string {
	switch {
	case len(c) == 11 && strings.HasPrefix(c, "852"):
		return c[3:]
	case len(c) == 13 && strings.HasPrefix(c, "86"):
		return c[2:]
	}
	return c
}
