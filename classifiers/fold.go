package classifiers

import (
	"unicode"
	"unicode/utf8"
)

// Folding of look-alikes NFKC leaves alone (normalize.go applies it):
//
//   - decimal digits of other scripts (Arabic-Indic ٠١٢, Extended
//     Arabic-Indic ۰۱۲, Devanagari ०१२, Thai ๐๑๒, Bengali, Myanmar, ...,
//     every Unicode Nd character) read as ASCII digits: "A١٢٣٤٥٦(٣)" is
//     an HKID as a person reads it;
//   - Cyrillic and Greek letters drawn like Latin ones (А В Е К М Н О Р С
//     Т Х, Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ, and lower-case а е о р с х ...)
//     read as those Latin letters where they stand as an identifier's
//     prefix: followed by a digit, perhaps after a second letter and one
//     separator ("Кх123456(7)", "А 123456"). Cyrillic and Greek words
//     elsewhere stay as written;
//   - combining marks over ASCII letters and digits (underlines, accents,
//     strokes: "A̲1̲2̲3̲") are dropped (markOverAlnum).
//
// Cost. No byte of these scripts is an automaton pattern (one more byte
// class would double the transition table, normalize.go), so a segment is
// checked by needsFold, a 16-bytes-at-a-time scan for the lead bytes
// 0xCC-0xE1 (U+0300-U+1FFF: combining diacritical marks, Greek, Cyrillic, Arabic, NKo, the Indic,
// Tibetan and South-East Asian blocks, Mongolian); only candidates are
// decoded, and a segment with one is normalised whole. Digits of the
// blocks above U+9FFF (Vai, Javanese, Cham, Meetei Mayek; the four-byte
// scripts such as Adlam and Osmanya) are folded only in segments
// normalised for another reason: the scan with their lead bytes ran at
// less than half the speed (1.0 against 2.2 GB/s over mixedText, loaded
// machine), for scripts no HK reader would take for digits.

// confusables maps Cyrillic and Greek letters to the Latin letter they
// are drawn as.
var confusables = map[rune]byte{
	// Cyrillic capitals and small letters.
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X', 'У': 'Y',
	'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'Ү': 'Y', 'Һ': 'H', 'Ӏ': 'I', 'Ԛ': 'Q', 'Ԝ': 'W',
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'х': 'x', 'у': 'y', 'ѕ': 's', 'і': 'i', 'ј': 'j', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w',
	// Greek capitals and small letters.
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
	'Ϲ': 'C', 'Ϳ': 'J', 'ο': 'o', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ρ': 'p', 'υ': 'u', 'χ': 'x', 'ϲ': 'c',
}

// foldDigit returns the value of a non-ASCII decimal digit (Unicode Nd),
// or -1. Nd characters come in runs of ten from zero.
func foldDigit(r rune) int {
	if r < 0x80 || !unicode.Is(unicode.Nd, r) {
		return -1
	}
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}

// isDigitAt reports whether s[i:] starts with a digit of any script.
func isDigitAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if c := s[i]; c < utf8.RuneSelf {
		return c >= '0' && c <= '9'
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return foldDigit(r) >= 0
}

// invisibleAt returns the length of a zero-width character or soft hyphen
// at s[i:], or 0.
func invisibleAt(s string, i int) int {
	if i >= len(s) || s[i] < utf8.RuneSelf {
		return 0
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD:
		return n
	}
	return 0
}

// prefixContext reports whether the letter ending at s[i] stands as an
// identifier prefix: a digit follows, perhaps after one more letter (Latin
// or look-alike) and one separator (space, hyphen), with invisible
// characters anywhere between.
func prefixContext(s string, i int) bool {
	skip := func() {
		for n := invisibleAt(s, i); n > 0; n = invisibleAt(s, i) {
			i += n
		}
	}
	skip()
	if i < len(s) {
		if c := s[i]; c < utf8.RuneSelf && isLetter(c) {
			i++
		} else if r, n := utf8.DecodeRuneInString(s[i:]); confusables[r] != 0 {
			i += n
		}
	}
	skip()
	if i < len(s) && (s[i] == ' ' || s[i] == '-') {
		i++
	}
	skip()
	return isDigitAt(s, i)
}

// foldAt returns the ASCII byte the character r (of size bytes) at s[i]
// folds to, or 0.
func foldAt(s string, i int, r rune, size int) byte {
	if d := foldDigit(r); d >= 0 {
		if r >= 0xFF10 && r <= 0xFF19 {
			return 0 // full-width: normalize.go's own case
		}
		return byte('0' + d)
	}
	if c := confusables[r]; c != 0 && prefixContext(s, i+size) {
		return c
	}
	return 0
}

// maxMarks is how many combining marks in a row over one character are
// read as marks (markOverAlnum looks back no further).
const maxMarks = 8

// markOverAlnum reports whether r, at s[i], is a combining mark (Unicode
// Mn or Me: accents, underlines, strokes, enclosing circles) written over
// an ASCII letter or digit, perhaps after other marks: "1\u0332"
// (underlined), "A\u0301". normalizeText drops it, so "A̲1̲2̲3̲4̲5̲6̲(̲3̲)̲"
// reads as "A123456(3)".
func markOverAlnum(s string, i int, r rune) bool {
	if r < 0x300 || !unicode.In(r, unicode.Mn, unicode.Me) {
		return false
	}
	for j, k := i, 0; j > 0 && k <= maxMarks; k++ {
		p, n := utf8.DecodeLastRuneInString(s[:j])
		if p < utf8.RuneSelf {
			return isASCIIAlnum(byte(p)) || p == '(' || p == ')'
		}
		if !unicode.In(p, unicode.Mn, unicode.Me) {
			return false
		}
		j -= n
	}
	return false
}

// foldLead marks the bytes that can start a character foldAt folds, or a
// combining mark of U+0300-U+036F that markOverAlnum drops.
var foldLead = func() (t [256]bool) {
	for b := 0xCC; b <= 0xE1; b++ {
		t[b] = true
	}
	return t
}()

// needsFold reports whether s holds a character foldAt folds.
func needsFold(s string) bool {
	i := 0
	for ; i+16 <= len(s); i += 16 {
		x, y := load64(s, i), load64(s, i+8)
		if (x|y)&hi8 == 0 || foldLanes(x)|foldLanes(y) == 0 {
			continue
		}
		for j := i; j < i+16; j++ {
			if foldLead[s[j]] && foldsAt(s, j) {
				return true
			}
		}
	}
	for ; i < len(s); i++ {
		if foldLead[s[i]] && foldsAt(s, i) {
			return true
		}
	}
	return false
}

// foldLanes is non-zero when a byte of x is in 0xCC-0xE1: high bit set,
// low seven bits 0x4C-0x61 (no borrow or carry crosses a lane: each stays
// in range).
func foldLanes(x uint64) uint64 {
	t := x &^ hi8
	return (lo7*0xE1 - t) & (t + lo7*0x34) & x & hi8
}

func foldsAt(s string, i int) bool {
	r, size := utf8.DecodeRuneInString(s[i:])
	return size > 1 && (foldAt(s, i, r, size) != 0 || markOverAlnum(s, i, r))
}
