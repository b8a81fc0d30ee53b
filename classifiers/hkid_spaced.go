package classifiers

import "slices"

// HKIDs written with a separator after the prefix and an unbracketed check
// character after another: "A 123456 3", "A　123456　3" (ideographic
// spaces, as forms typed in Chinese have them), also with the digits in
// groups: "A 123 456 3", "A123 456 3". No automaton pattern marks
// them: a letter, a space and a digit would fire on every "Room 12"
// (hkid.go). They are read only in segments that name an identity card (an
// HKID keyword such as "HKID", "身份證", "身份证号码"), by a pass over the
// segment's six-digit runs; a checksum-invalid run is a candidate like any
// other, so a list of codes still reads as chance (classify).

// spacedIfKeyword adds the spaced HKIDs of a segment with an HKID keyword;
// without one, bracketed only is true for a segment read by the full
// scanner (full-width forms: "A　123456（3）", whose bracket no pattern
// marks) and adds the bracketed ones, as the separated scanner reads
// "A 123456(3)" anywhere.
func spacedIfKeyword(v *segView, bracketedOnly bool) {
	for _, h := range v.hits[clsHKID] {
		if h.kind == hkKeyword {
			v.hkids = scanSpacedHKIDs(v.text, v.hkids, false)
			return
		}
	}
	if bracketedOnly {
		v.hkids = scanSpacedHKIDs(v.text, v.hkids, true)
	}
}

// scanSpacedHKIDs appends the spaced candidates of s not already in dst
// (only those with a bracketed check character if bracketedOnly), keeping
// dst in order of offset.
func scanSpacedHKIDs(s string, dst []hkidMatch, bracketedOnly bool) []hkidMatch {
	n0 := len(dst)
	for i := nextDigit(s, 0); i < len(s); i = nextDigit(s, i) {
		k := i + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		// A run of six ("A 123456 3"), or the first group of six digits
		// written in groups ("A 123 456 3", "A123 456(3)"): the letter is
		// right before the run, or one space before it.
		if n := k - i; n == 6 || (n >= 2 && n < 6 && k < len(s) && sepLen(s, k) > 0) {
			p := -1
			switch {
			case i >= 2 && s[i-1] == ' ' && isLetter(s[i-2]):
				p = i - 2
			case i >= 4 && s[i-3:i] == ideoSpace && isLetter(s[i-4]):
				p = i - 4
			case n < 6 && i >= 1 && isLetter(s[i-1]):
				p = i - 1
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
