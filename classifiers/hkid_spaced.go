package classifiers

import (
	"math/bits"
	"slices"
	"unicode/utf8"
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
// dm is the segment's digit map (digitMap), or nil; with a map, kw is the
// room keywordScans works in.
func spacedIfKeyword(v *segView, bracketedOnly bool, dm []uint64, kw *kwScans) {
	scan := func(bracketedOnly bool) {
		if dm != nil {
			v.hkids = scanSpacedHKIDsMap(v.text, dm, v.hkids, bracketedOnly)
		} else {
			v.hkids = scanSpacedHKIDs(v.text, v.hkids, bracketedOnly)
		}
	}
	for _, h := range v.hits[clsHKID] {
		if h.kind == hkKeyword {
			if dm != nil {
				v.hkids = keywordScans(v.text, dm, v.hkids, kw)
				return
			}
			scan(false)
			v.hkids = scanGroupedHKIDs(v.text, v.hkids)
			v.hkids = scanLooseHKIDs(v.text, nil, v.hkids)
			v.hkids = scanDigitSpacedHKIDs(v.text, nil, v.hkids)
			return
		}
	}
	if bracketedOnly {
		scan(true)
	}
}

// kwScans are keywordScans' candidate lists, one per scanner, kept between
// segments so their room is reused.
type kwScans struct{ spaced, grouped, loose, apart []hkidMatch }

// trim drops the lists that grew past n candidates (a pathological segment
// must not keep its room in the pool).
func (k *kwScans) trim(n int) {
	for _, l := range []*[]hkidMatch{&k.spaced, &k.grouped, &k.loose, &k.apart} {
		if cap(*l) > n {
			*l = nil
		}
	}
}

// keywordScans is, over the digit map dm of s, the four scans of a segment
// with an HKID keyword (spaced, grouped, loose, digit-spaced: in that
// order, as spacedIfKeyword runs them without a map) in one walk over the
// digit runs instead of four: each run is offered to the scanners whose
// shape its length fits (six digits: spaced and loose; two to five:
// grouped; one to five: digit-spaced). The candidates are kept per scanner
// and added to dst scanner by scanner afterwards, so that where two
// scanners find a candidate at the same offset the one the sequential
// scans would keep is kept (TestKeywordScansMatchSequential).
//
// The runs are found by their last digit from the map's words
// (kwRunEnds): only runs of six, and shorter runs with a digit within
// nine bytes after them, are visited. Most runs of business text (dates,
// amounts, "room 12") are neither, and visiting each one cost more than
// the few tests that then rejected it (TestKeywordScansMatchRunByRun
// compares this with the walk over every run).
func keywordScans(s string, dm []uint64, dst []hkidMatch, k *kwScans) []hkidMatch {
	spaced, grouped, loose, apart := k.spaced[:0], k.grouped[:0], k.loose[:0], k.apart[:0]
	var prev uint64
	for w, d := range dm {
		before := prev
		prev = d
		if d == 0 {
			continue
		}
		var next uint64
		if w+1 < len(dm) {
			next = dm[w+1]
		}
		for ends := kwRunEnds(d, before, next); ends != 0; ends &= ends - 1 {
			q := bits.TrailingZeros64(ends) // the run's last digit
			// Its length: the digits from q down in this word, and those
			// ending the word before when it reaches bit 0 (at most six:
			// kwRunEnds).
			n := bits.LeadingZeros64(^(d << (63 - q)))
			if n > q {
				n += bits.LeadingZeros64(^before)
			}
			i := w<<6 + q + 1 - n
			if n == 6 {
				if p := spacedLetter(s, i); p >= 0 {
					if m, ok := separatedHKIDAt(s, p); ok {
						spaced = append(spaced, m)
					}
				}
				if m, ok := looseHKIDAt(s, i); ok {
					loose = append(loose, m)
				}
				continue
			}
			// Both shapes go on with more digits (grouped after one
			// separator, digit-spaced after one to three) and have a
			// prefix before their first group that loosePrefixBefore
			// accepts (groupedAt's one space or none is among its
			// shapes, with the same word and boundary checks).
			if _, ok := loosePrefixBefore(s, i); !ok {
				continue
			}
			if m, ok := groupedAt(s, i, n); ok {
				grouped = append(grouped, m)
			}
			if m, ok := digitsApartFrom(s, i, n); ok {
				apart = append(apart, m)
			}
		}
	}
	*k = kwScans{spaced, grouped, loose, apart}
	return addScans(dst, spaced, grouped, loose, apart)
}

// addScans adds the matches of each scan to dst in turn, as sepAdder
// keeps them (a match that starts where one already added starts is
// dropped).
func addScans(dst []hkidMatch, scans ...[]hkidMatch) []hkidMatch {
	for _, c := range scans {
		if len(c) == 0 {
			continue
		}
		a := sepAdder{dst: dst}
		for _, m := range c {
			a.addMatch(m)
		}
		dst = a.sorted()
	}
	return dst
}

// kwRunEnds marks, in a word d of a digit map (before: the word before;
// next: the word after, 0 at the end), the last digit of each run
// keywordScans reads: runs of exactly six digits, and runs of one to five
// with a digit two to ten bytes after their last (digitSoonAfter of the
// byte after it: where a grouped or digit-spaced HKID's next group
// starts), except those whose first digit has a digit two bytes before
// it.
func kwRunEnds(d, before, next uint64) uint64 {
	end := d &^ (d>>1 | next<<63) // the last digit of a run
	r2 := d & (d<<1 | before>>63) // digits at q-1 and q
	p2 := before & (before << 1)
	r4 := r2 & (r2<<2 | p2>>62)
	r6 := r4 & (r2<<4 | p2>>60) // digits at q-5..q
	six := end & r6 &^ (d<<6 | before>>58)
	// soon: a digit at q+2..q+10, from the 128 bits next:d shifted right
	// by two and then or-ed with themselves shifted by 0..8 (doubling).
	lo, hi := d>>2|next<<62, next>>2
	alo, ahi := lo|lo>>1|hi<<63, hi|hi>>1 // by 0..1
	blo, bhi := alo|alo>>2|ahi<<62, ahi|ahi>>2
	soon := blo | blo>>4 | bhi<<60 | lo>>8 | hi<<56 // by 0..7, and 8
	// Not the runs with a digit two bytes before them ("2026-03-02",
	// "450,000 2)"): loosePrefixBefore rejects those (one separator, then
	// a digit where the prefix letter would be; or a letter glued to that
	// digit). Their first digits are flagged, and adding the flags to d
	// carries each through its run to the byte after it; a run that
	// reaches the word's last byte carries out and stays in.
	first := d &^ (d<<1 | before>>63) & (d<<2 | before>>62)
	glued := ((d + first) &^ d) >> 1
	return six | end&^r6&soon&^glued
}

// scanSpacedHKIDs appends the spaced candidates of s not already in dst
// (only those with a bracketed check character if bracketedOnly), keeping
// dst in order of offset.
//
// The six-digit runs are found 64 bytes at a time from the blocks' digit
// masks (digitmask.go): the other runs of a long segment are not visited.
func scanSpacedHKIDs(s string, dst []hkidMatch, bracketedOnly bool) []hkidMatch {
	a := sepAdder{dst: dst}
	var pad [72]byte
	var prev uint64
	for b := 0; b < len(s); {
		d, nx := digitBlock(s, b, &pad)
		next := uint64(0)
		if nx {
			next = 1
		}
		spacedBlock(s, b, d, prev, next, &a, bracketedOnly)
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
	return a.sorted()
}

// scanSpacedHKIDsMap is scanSpacedHKIDs over the digit map of s.
func scanSpacedHKIDsMap(s string, dm []uint64, dst []hkidMatch, bracketedOnly bool) []hkidMatch {
	a := sepAdder{dst: dst}
	mapBlocks(dm, func(b int, d, prev, next uint64) { spacedBlock(s, b, d, prev, next, &a, bracketedOnly) })
	return a.sorted()
}

// mapBlocks calls f for each block of the digit map dm that holds a digit,
// with the block's offset, its mask, the mask of the block before and
// bit 0 of the block after (the masks spacedBlock and sixRuns take).
func mapBlocks(dm []uint64, f func(b int, d, prev, next uint64)) {
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
		f(w<<6, d, prev, next)
	}
}

// spacedBlock appends the spaced candidates whose six digits end in the
// block at b (masks as idBlock's).
func spacedBlock(s string, b int, d, prev, next uint64, a *sepAdder, bracketedOnly bool) {
	for six := sixRuns(d, prev, next); six != 0; six &= six - 1 {
		i := b + bits.TrailingZeros64(six) - 5
		if p := spacedLetter(s, i); p >= 0 {
			a.add(s, p, bracketedOnly)
		}
	}
}

// sixRuns marks the last digit of each run of exactly six digits in a
// block's digit mask d (prev: the block before; next: bit 0 of the block
// after).
func sixRuns(d, prev, next uint64) uint64 {
	end := d &^ (d>>1 | next<<63) // the last digit of a run
	r2 := d & (d<<1 | prev>>63)   // digits at q-1 and q
	p2 := prev & (prev << 1)
	r4 := r2 & (r2<<2 | p2>>62) // q-3..q
	r6 := r4 & (r2<<4 | p2>>60) // q-5..q
	return end & r6 &^ (d<<6 | prev>>58)
}

// sepAdder appends separated candidates to dst unless dst already has one
// that starts at the same offset. The starts are looked up in a set built
// the first time a candidate is found (most segments have none), not by a
// walk over dst per candidate: that walk made a megabyte of "A 123456(3) "
// take seconds (quadratic in the candidates).
type sepAdder struct {
	dst    []hkidMatch
	n0     int // len(dst) when the set was built
	starts map[int]struct{}
	added  bool
}

// add appends the separated HKID whose last prefix letter is s[p] (only a
// bracketed one if bracketedOnly) unless dst already has one there.
func (a *sepAdder) add(s string, p int, bracketedOnly bool) {
	m, ok := separatedHKIDAt(s, p)
	if !ok || !m.bracketed && bracketedOnly {
		return
	}
	a.addMatch(m)
}

// addMatch appends m unless dst already has a candidate that starts there.
func (a *sepAdder) addMatch(m hkidMatch) {
	if a.starts == nil {
		a.starts = make(map[int]struct{}, len(a.dst)+8)
		for _, d := range a.dst {
			a.starts[d.start] = struct{}{}
		}
		a.n0 = len(a.dst)
	}
	if _, dup := a.starts[m.start]; dup {
		return
	}
	a.starts[m.start] = struct{}{}
	a.dst = append(a.dst, m)
	a.added = true
}

// sorted returns dst, in order of offset when candidates were added.
func (a *sepAdder) sorted() []hkidMatch {
	if a.added {
		slices.SortStableFunc(a.dst, func(x, y hkidMatch) int { return x.start - y.start })
	}
	return a.dst
}

// scanGroupedHKIDs appends the HKIDs of s whose six digits are written in
// groups ("A 123 456 3", "A123 456(3)", "A 123-456-3"), not already in dst,
// keeping dst in order of offset. Only segments with an HKID keyword are
// read this way (spacedIfKeyword).
func scanGroupedHKIDs(s string, dst []hkidMatch) []hkidMatch {
	return scanGroupedHKIDsMap(s, nil, dst)
}

// scanGroupedHKIDsMap is scanGroupedHKIDs over the digit map of s (nil: a
// byte walk between the runs; digitRuns).
func scanGroupedHKIDsMap(s string, dm []uint64, dst []hkidMatch) []hkidMatch {
	a := sepAdder{dst: dst}
	digitRuns(s, dm, func(i, n int) {
		if m, ok := groupedAt(s, i, n); ok {
			a.addMatch(m)
		}
	})
	return a.sorted()
}

// groupedAt parses the grouped HKID whose first group is the run of n
// digits at s[i]: two to five digits after the prefix letter (spaced or
// glued), then a separator.
func groupedAt(s string, i, n int) (hkidMatch, bool) {
	if n < 2 || n >= 6 {
		return hkidMatch{}, false
	}
	p := spacedLetter(s, i)
	if p < 0 && i >= 1 && isLetter(s[i-1]) {
		p = i - 1
	}
	if p < 0 || sepLen(s, i+n) == 0 {
		return hkidMatch{}, false
	}
	return separatedHKIDAt(s, p)
}

// digitRuns calls f with the offset and length of each run of ASCII digits
// of s, in order. With the digit map of s (digitMap) the runs are found by
// their first digit 64 bytes at a time; with dm nil, by a walk eight bytes
// at a time (nextDigit). A length from the map is exact up to 64; past
// that it is 64 or more (the scanners that call this want runs of at most
// six).
func digitRuns(s string, dm []uint64, f func(i, n int)) {
	if dm == nil {
		for i := nextDigit(s, 0); i < len(s); i = nextDigit(s, i) {
			k := i + 1
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			f(i, k-i)
			i = k
		}
		return
	}
	var prev uint64
	for w, d := range dm {
		starts := d &^ (d<<1 | prev>>63)
		prev = d
		for ; starts != 0; starts &= starts - 1 {
			off := bits.TrailingZeros64(starts)
			// The digits from off on in this word, and those opening the
			// next when the run reaches the word's end.
			n := bits.TrailingZeros64(^(d >> off))
			if off+n == 64 && w+1 < len(dm) {
				n += bits.TrailingZeros64(^dm[w+1])
			}
			f(w<<6+off, n)
		}
	}
}

// digitSoonAfter reports whether the digit map dm has a digit in
// (end, end+9]: where the next group of a grouped or digit-spaced HKID
// starts after the run ending at end (at most three separators of at
// most three bytes each). It is a necessary condition of groupedAt and
// digitsApartAt finding a candidate for that run, not a sufficient one.
func digitSoonAfter(dm []uint64, end int) bool {
	from, to := end+1, end+10 // bits [from, to)
	w := from >> 6
	if w >= len(dm) {
		return false
	}
	lo := dm[w] >> (from & 63)
	if w+1 < len(dm) && from&63 != 0 {
		lo |= dm[w+1] << (64 - from&63)
	}
	return lo&(1<<(to-from)-1) != 0
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

// looseSep reports whether r separates the parts of a loosely written
// HKID: spaces of every width, tabs and line ends, hyphens and dashes,
// and the punctuation people type between groups in English and in
// Chinese forms (ASCII and full-width: . / _ : , | + ~ # * " ' = ．／：，、·).
func looseSep(r rune) bool {
	switch r {
	case ' ', '\t', '\r', '\n', '-', '.', '/', '_', ':', ',', '|', '+', '~', '#', '*', '"', '\'', '=',
		0xA0, 0x202F, 0x205F, 0x3000, // no-break, narrow, math and ideographic spaces
		0x2212, 0xFE58, 0xFE63, 0xFF0D, // minus sign, small and full-width hyphens
		0xFF0E, 0xFF0F, 0xFF1A, 0xFF0C, 0x3001, 0xFF5C, 0xFF5E, 0xFF03, 0xFF0A, 0xFF0B, // ．／：，、｜～＃＊＋
		0xB7, 0x30FB, 0x2027, 0x2022: // middle dots, hyphenation point, bullet
		return true
	}
	return r >= 0x2000 && r <= 0x200A || r >= 0x2010 && r <= 0x2015 // spaces, dashes
}

// openBracket and closeBracket are the brackets a check character is
// written in: ( [ { < and their full-width and CJK forms.
func openBracket(r rune) bool {
	switch r {
	case '(', '[', '{', '<', 0xFF08, 0xFF3B, 0xFF5B, 0xFF1C, 0x3010, 0x3014, 0x3016, 0x300C, 0x300E, 0x3008, 0x300A:
		return true
	}
	return false
}

func closeBracket(r rune) bool {
	switch r {
	case ')', ']', '}', '>', 0xFF09, 0xFF3D, 0xFF5D, 0xFF1E, 0x3011, 0x3015, 0x3017, 0x300D, 0x300F, 0x3009, 0x300B:
		return true
	}
	return false
}

// maxLooseSeps is how many separators may stand between two parts
// ("A . 123456", "A      123456"); more is not one number.
const maxLooseSeps = 6

// scanLooseHKIDs appends the HKIDs of s written with separators between
// the prefix, the six digits and the check character that the other
// scanners do not take: punctuation, dashes, tabs, line ends, other
// spaces, up to maxLooseSeps of them, or a check character in other
// brackets ("A.123456.3", "A/123456/3", "A_123456_3", "A, 123456, 3",
// "A – 123456 – 3", "A\t123456\t3", "A123456[3]", "A：123456【3】"), not
// already in dst, keeping dst in order of offset. Like the spaced forms
// they are read only in segments that name an identity card
// (spacedIfKeyword): "No.123456.7" elsewhere is a reference number. A
// checksum-invalid one is a candidate like any other, so a list of such
// codes still reads as chance.
func scanLooseHKIDs(s string, dm []uint64, dst []hkidMatch) []hkidMatch {
	a := sepAdder{dst: dst}
	if dm != nil {
		mapBlocks(dm, func(b int, d, prev, next uint64) {
			for six := sixRuns(d, prev, next); six != 0; six &= six - 1 {
				if m, ok := looseHKIDAt(s, b+bits.TrailingZeros64(six)-5); ok {
					a.addMatch(m)
				}
			}
		})
		return a.sorted()
	}
	for i := nextDigit(s, 0); i < len(s); i = nextDigit(s, i) {
		k := i + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k-i == 6 {
			if m, ok := looseHKIDAt(s, i); ok {
				a.addMatch(m)
			}
		}
		i = k
	}
	return a.sorted()
}

// looseHKIDAt parses a loosely written HKID whose six digits start at s[i].
func looseHKIDAt(s string, i int) (hkidMatch, bool) { return looseHKIDFrom(s, i, i+6, s[i:i+6]) }

// loosePrefixBefore finds the prefix of a loosely written HKID whose digits
// start at s[i]: one or two letters, up to maxLooseSeps separators before
// i, not the end of a longer word, at a token boundary. start is the
// offset of its first letter.
func loosePrefixBefore(s string, i int) (start int, ok bool) {
	j, n := i, 0
	for n < maxLooseSeps && j > 0 {
		r, size := rune(s[j-1]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeLastRuneInString(s[:j])
		}
		if !looseSep(r) {
			break
		}
		j, n = j-size, n+1
	}
	p := j - 1 // the (last) prefix letter ("A123456–3": none between)
	if p < 0 || !isLetter(s[p]) {
		return 0, false
	}
	start = p
	if p > 0 && isLetter(s[p-1]) {
		start = p - 1
		if start > 0 && isLetter(s[start-1]) {
			return 0, false // part of a word: "Ref.123456.7"
		}
	}
	return start, boundaryBefore(s, start)
}

// looseHKIDFrom parses a loosely written HKID whose digits (six) are
// written in s[i:dEnd]: the prefix before i, the check character after
// dEnd, each apart from them by separators.
func looseHKIDFrom(s string, i, dEnd int, digits string) (hkidMatch, bool) {
	var m hkidMatch
	start, ok := loosePrefixBefore(s, i)
	if !ok {
		return m, false
	}
	prefix := []byte{s[start] &^ 0x20}
	lower := s[start] >= 'a'
	if isLetter(s[start+1]) {
		prefix = append(prefix, s[start+1]&^0x20)
		lower = lower || s[start+1] >= 'a'
	}
	// The check character: after separators, or in brackets.
	k, seps := dEnd, 0
	for seps < maxLooseSeps && k < len(s) {
		r, size := utf8.DecodeRuneInString(s[k:])
		if !looseSep(r) {
			break
		}
		k, seps = k+size, seps+1
	}
	bracketed := false
	if r, size := utf8.DecodeRuneInString(s[k:]); k < len(s) && openBracket(r) {
		bracketed = true
		k += size
		if c, cn := peek(s, k); c == ' ' {
			k += cn
		}
	} else if seps == 0 {
		return m, false // "A.1234563": glued, the other scanners' shape
	}
	c, cn := peek(s, k)
	if !isCheckChar(c) {
		return m, false
	}
	check, end := upper(c), k+cn
	if bracketed {
		if c, cn := peek(s, end); c == ' ' {
			end += cn
		}
		r, size := utf8.DecodeRuneInString(s[end:])
		if end >= len(s) || !closeBracket(r) {
			return m, false
		}
		end += size
	}
	if !boundaryAfter(s, end) {
		return m, false
	}
	var buf [8]byte
	nb := copy(buf[:], prefix)
	nb += copy(buf[nb:], digits)
	body := string(buf[:nb])
	if hkidCheckDigit(body) != check {
		return hkidMatch{start: start, end: end}, true
	}
	return hkidMatch{start: start, end: end, body: body, check: check, issued: issuedPrefix(prefix),
		lower: lower, bracketed: bracketed, valid: true}, true
}

// scanDigitSpacedHKIDs appends the HKIDs of s whose six digits are written
// apart, one by one or in groups the other scanners do not take ("A 1 2 3
// 4 5 6 (3)", "A1-2-3-4-5-6-3", "A.123.456.(3)", "A 12 34 56 3"): the
// shapes a person types to get an HKID past a filter, and still reads as
// one. Like the loose forms they are read only in segments that name an
// identity card (spacedIfKeyword); a checksum-invalid one is a candidate
// like any other. Each gap between two groups is one to three separators
// (looseSep: "1 2", "1-2", "1 - 2"); digits that do not make exactly six
// are not one.
func scanDigitSpacedHKIDs(s string, dm []uint64, dst []hkidMatch) []hkidMatch {
	a := sepAdder{dst: dst}
	digitRuns(s, dm, func(i, n int) {
		if m, ok := digitsApartAt(s, i, n); ok {
			a.addMatch(m)
		}
	})
	return a.sorted()
}

// digitsApartAt parses the HKID whose digits are typed apart from the run
// of n digits at s[i] on. The first group is one to five digits after a
// prefix; the prefix is looked for first, as most runs (amounts, dates,
// "Room 12") have a word or nothing before them. The runs inside a
// candidate have a digit before them, not a prefix.
func digitsApartAt(s string, i, n int) (hkidMatch, bool) {
	if n > 5 {
		return hkidMatch{}, false
	}
	if _, ok := loosePrefixBefore(s, i); !ok {
		return hkidMatch{}, false
	}
	return digitsApartFrom(s, i, n)
}

// digitsApartFrom is digitsApartAt where loosePrefixBefore(s, i) is known
// to accept the prefix.
func digitsApartFrom(s string, i, n int) (hkidMatch, bool) {
	if n > 5 {
		return hkidMatch{}, false
	}
	end, digits, ok := spacedDigitsAt(s, i)
	if !ok {
		return hkidMatch{}, false
	}
	return looseHKIDFrom(s, i, end, string(digits[:]))
}

// spacedDigitsAt reads six digits from the digit run at s[i] on, in two or
// more groups each one to three separators apart from the one before. ok
// false: not that shape; end is then where the search goes on (past the
// run at i).
func spacedDigitsAt(s string, i int) (end int, digits [6]byte, ok bool) {
	first := i
	for first < len(s) && isDigit(s[first]) {
		first++
	}
	if i > 0 && isDigit(s[i-1]) {
		return first, digits, false // inside a run: not its start
	}
	k, n, groups := i, 0, 0
	for {
		j := k
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == k || n+j-k > 6 {
			return first, digits, false
		}
		n += copy(digits[n:], s[k:j])
		groups++
		k = j
		if n == 6 {
			break
		}
		seps := 0
		for seps < 3 && k < len(s) {
			r, size := utf8.DecodeRuneInString(s[k:])
			if !looseSep(r) {
				break
			}
			k, seps = k+size, seps+1
		}
		if seps == 0 {
			return first, digits, false
		}
	}
	if groups < 2 {
		return first, digits, false // one run of six: the other scanners' shape
	}
	return k, digits, true
}
