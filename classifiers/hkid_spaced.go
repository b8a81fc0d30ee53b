package classifiers

import (
	"math/bits"
	"slices"
)

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
//
// dm is the segment's digit map (digitMap), or nil.
func spacedIfKeyword(v *segView, bracketedOnly bool, dm []uint64) {
	scan := func(bracketedOnly bool) {
		if dm != nil {
			v.hkids = scanSpacedHKIDsMap(v.text, dm, v.hkids, bracketedOnly)
		} else {
			v.hkids = scanSpacedHKIDs(v.text, v.hkids, bracketedOnly)
		}
	}
	for _, h := range v.hits[clsHKID] {
		if h.kind == hkKeyword {
			scan(false)
			if dm != nil {
				v.hkids = scanGroupedHKIDsMap(v.text, dm, v.hkids)
			} else {
				v.hkids = scanGroupedHKIDs(v.text, v.hkids)
			}
			return
		}
	}
	if bracketedOnly {
		scan(true)
	}
}

// scanSpacedHKIDs appends the spaced candidates of s not already in dst
// (only those with a bracketed check character if bracketedOnly), keeping
// dst in order of offset.
//
// The six-digit runs are found 64 bytes at a time from the blocks' digit
// masks (digitmask.go): the other runs of a long segment are not visited.
func scanSpacedHKIDs(s string, dst []hkidMatch, bracketedOnly bool) []hkidMatch {
	n0 := len(dst)
	var pad [72]byte
	var prev uint64
	for b := 0; b < len(s); {
		d, nx := digitBlock(s, b, &pad)
		next := uint64(0)
		if nx {
			next = 1
		}
		dst = spacedBlock(s, b, d, prev, next, dst, bracketedOnly)
		prev = d
		// Skip a digit-free stretch eight bytes at a time: the next block
		// starts at the byte before the next digit, and no run crosses
		// into it.
		if p := nextDigit(s, b+64); p == b+64 || p >= len(s) {
			b = p
		} else {
			b, prev = p-1, 0
		}
	}
	return sortedFrom(dst, n0)
}

// scanSpacedHKIDsMap is scanSpacedHKIDs over the digit map of s.
func scanSpacedHKIDsMap(s string, dm []uint64, dst []hkidMatch, bracketedOnly bool) []hkidMatch {
	n0 := len(dst)
	for w, d := range dm {
		if d == 0 {
			continue
		}
		var prev, next uint64
		if w > 0 {
			prev = dm[w-1]
		}
		if w+1 < len(dm) {
			next = dm[w+1] & 1
		}
		dst = spacedBlock(s, w<<6, d, prev, next, dst, bracketedOnly)
	}
	return sortedFrom(dst, n0)
}

// spacedBlock appends the spaced candidates whose six digits end in the
// block at b (masks as idBlock's).
func spacedBlock(s string, b int, d, prev, next uint64, dst []hkidMatch, bracketedOnly bool) []hkidMatch {
	end := d &^ (d>>1 | next<<63) // the last digit of a run
	r2 := d & (d<<1 | prev>>63)   // digits at q-1 and q
	p2 := prev & (prev << 1)
	r4 := r2 & (r2<<2 | p2>>62) // q-3..q
	r6 := r4 & (r2<<4 | p2>>60) // q-5..q
	// Runs of exactly six digits, by their last digit.
	for six := end & r6 &^ (d<<6 | prev>>58); six != 0; six &= six - 1 {
		i := b + bits.TrailingZeros64(six) - 5
		if p := spacedLetter(s, i); p >= 0 {
			dst = addSeparated(s, p, dst, bracketedOnly)
		}
	}
	return dst
}

// sortedFrom keeps dst in order of offset after candidates were appended
// from n0 on.
func sortedFrom(dst []hkidMatch, n0 int) []hkidMatch {
	if len(dst) > n0 {
		slices.SortStableFunc(dst, func(a, b hkidMatch) int { return a.start - b.start })
	}
	return dst
}

// scanGroupedHKIDs appends the HKIDs of s whose six digits are written in
// groups ("A 123 456 3", "A123 456(3)", "A 123-456-3"), not already in dst,
// keeping dst in order of offset. Only segments with an HKID keyword are
// read this way (spacedIfKeyword), so a run-by-run walk is cheap enough.
func scanGroupedHKIDs(s string, dst []hkidMatch) []hkidMatch {
	n0 := len(dst)
	for i := nextDigit(s, 0); i < len(s); i = nextDigit(s, i) {
		k := i + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		// The first group: two to five digits, then a separator.
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
	return sortedFrom(dst, n0)
}

// scanGroupedHKIDsMap is scanGroupedHKIDs over the digit map of s: the
// runs of two to five digits are found from the blocks' masks, and only
// those followed by a separator are looked at.
func scanGroupedHKIDsMap(s string, dm []uint64, dst []hkidMatch) []hkidMatch {
	n0 := len(dst)
	for w, d := range dm {
		if d == 0 {
			continue
		}
		var prev, next uint64
		if w > 0 {
			prev = dm[w-1]
		}
		if w+1 < len(dm) {
			next = dm[w+1] & 1
		}
		end := d &^ (d>>1 | next<<63) // the last digit of a run
		r2 := d & (d<<1 | prev>>63)   // digits at q-1 and q
		p2 := prev & (prev << 1)
		r4 := r2 & (r2<<2 | p2>>62) // q-3..q
		r6 := r4 & (r2<<4 | p2>>60) // q-5..q
		b := w << 6
		// Runs of two to five digits, by their last digit.
		for grp := end & r2 &^ r6; grp != 0; grp &= grp - 1 {
			k := b + bits.TrailingZeros64(grp) + 1
			// A separator and a digit after it: separatedHKIDAt reads
			// no further otherwise (the run is short of six).
			var n int
			switch {
			case k+1 >= len(s):
				continue
			case s[k] == ' ' || s[k] == '-':
				n = 1
			case s[k] == ideoSpace[0]:
				if n = sepLen(s, k); n == 0 {
					continue
				}
			default:
				continue
			}
			if k+n >= len(s) || !isDigit(s[k+n]) {
				continue
			}
			i := k - 2
			for i > 0 && isDigit(s[i-1]) {
				i--
			}
			p := spacedLetter(s, i)
			if p < 0 && i >= 1 && isLetter(s[i-1]) {
				p = i - 1
			}
			if p >= 0 {
				dst = addSeparated(s, p, dst, false)
			}
		}
	}
	return sortedFrom(dst, n0)
}

// spacedLetter is the offset of the prefix letter one space (or one
// ideographic space) before the digits at s[i], or -1.
func spacedLetter(s string, i int) int {
	switch {
	case i >= 2 && s[i-1] == ' ' && isLetter(s[i-2]):
		return i - 2
	case i >= 4 && s[i-3:i] == ideoSpace && isLetter(s[i-4]):
		return i - 4
	}
	return -1
}

// addSeparated appends the separated HKID whose last prefix letter is s[p]
// (only a bracketed one if bracketedOnly) unless dst already has one there.
func addSeparated(s string, p int, dst []hkidMatch, bracketedOnly bool) []hkidMatch {
	if m, ok := separatedHKIDAt(s, p); ok && (m.bracketed || !bracketedOnly) && !slices.ContainsFunc(dst, func(d hkidMatch) bool { return d.start == m.start }) {
		dst = append(dst, m)
	}
	return dst
}
