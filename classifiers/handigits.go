package classifiers

import (
	"strings"
	"unicode/utf8"
)

// Han numerals inside an identifier. "A一二三四五六(三)" and
// "A123四五六(3)" are HKIDs as a person reads them: the digits are
// written as Chinese numerals, common (〇一二三四五六七八九, 零) or
// formal (壹貳參肆伍陸柒捌玖, with the simplified 贰叁陆 and the
// variant 叄). normalize.go reads such a numeral as its ASCII digit only
// inside an identifier's digit run: after an ASCII letter (and any ASCII
// digits), in a run of six or seven digits of any script, with a
// bracketed check character after it. Everywhere else these characters
// are words ("一二三", "第一", "三號") and stay as written.
//
// Cost. Han numerals are among the commonest characters of Chinese text,
// so they are not triggers on their own: the automaton carries "letter or
// ASCII digit followed by a numeral" (hanTriggers, 4 bytes each), which
// business text almost never holds.

// hanNumerals are the numerals read as digits; hanDigits[i] is the value
// of the i-th.
const (
	hanNumerals = "〇零一二三四五六七八九壹貳贰參叁叄肆伍陸陆柒捌玖"
	hanDigits   = "001234567891223334566789"
)

// hanDigit returns the ASCII digit a Han numeral stands for, or 0.
func hanDigit(r rune) byte {
	if r < 0x3000 || r > 0x9FFF {
		return 0
	}
	if i := strings.IndexRune(hanNumerals, r); i >= 0 {
		return hanDigits[utf8.RuneCountInString(hanNumerals[:i])]
	}
	return 0
}

// hanTriggers are the automaton patterns that send a segment to
// normalisation for Han numerals: an ASCII letter (perhaps and a space)
// or digit directly before a numeral.
func hanTriggers() []string {
	var out []string
	for _, r := range hanNumerals {
		for c := byte('a'); c <= 'z'; c++ {
			out = append(out, string(c)+string(r), string(c)+" "+string(r))
		}
		for c := byte('0'); c <= '9'; c++ {
			out = append(out, string(c)+string(r))
		}
	}
	return out
}

// digitAt returns the ASCII value of the digit of any script (ASCII,
// full-width, other scripts' Nd, a Han numeral) at s[i:] and its length,
// or 0.
func digitAt(s string, i int) (byte, int) {
	if i >= len(s) {
		return 0, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		if isDigit(c) {
			return c, 1
		}
		return 0, 0
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if d := hanDigit(r); d != 0 {
		return d, size
	}
	if d := foldDigit(r); d >= 0 { // full-width digits are Nd too
		return byte(d) + '0', size
	}
	return 0, 0
}

// hanIdentifierEnd is called at a Han numeral s[i:] whose normalised text
// so far is out. When the numeral is inside an identifier's digit run (an
// ASCII letter, then ASCII digits, in out; six or seven digits in all,
// perhaps in groups one space apart, the first perhaps one space after
// the letter; then optionally a bracketed check character, perhaps after
// a space) it returns the end of that run in s, through the closing
// bracket; otherwise -1.
func hanIdentifierEnd(s string, i int, out string) int {
	k := len(out)
	before := 0
	for k > 0 && (isDigit(out[k-1]) || out[k-1] == ' ' && k > 1 && out[k-2] != ' ') {
		if out[k-1] != ' ' {
			before++
		}
		k--
	}
	if k == 0 || !isLetter(out[k-1]) || before > 6 {
		return -1
	}
	n, j := before, i
	for {
		_, size := digitAt(s, j)
		if size == 0 && j+1 < len(s) && s[j] == ' ' {
			if _, next := digitAt(s, j+1); next > 0 {
				j++ // one space between groups
				continue
			}
		}
		if size == 0 {
			break
		}
		n++
		j += size
	}
	if n < 6 || n > 7 {
		return -1
	}
	if n == 6 {
		// A bracketed check character: "(三)", "（3）", "(A)", " (3)".
		for _, br := range [][2]string{{"(", ")"}, {"（", "）"}} {
			at := j
			if strings.HasPrefix(s[at:], " ") {
				at++
			}
			if !strings.HasPrefix(s[at:], br[0]) {
				continue
			}
			k := at + len(br[0])
			size := 0
			if _, size = digitAt(s, k); size == 0 && k < len(s) && isLetter(s[k]) {
				size = 1
			}
			if size > 0 && strings.HasPrefix(s[k+size:], br[1]) {
				return k + size + len(br[1])
			}
		}
	}
	return j
}
