package classifiers

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// The identifier classifiers (prc_id.go, payment_card.go, phone.go,
// email.go) share one scanner: a segment's digits are read once, each run
// of digits joined by single spaces or hyphens is cut into its groups, and
// the groups are judged against every numeric shape at once (resident ID,
// card, Hong Kong and mainland phone). E-mail addresses are found from
// their '@'. customer_database reads the same matches.

// Classifier indexes after the three of hkid.go (newSet appends them in
// this order).
const (
	clsPRCID = clsFinancial + 1 + iota
	clsPaymentCard
	clsPhone
	clsEmail
	clsCustomerDB
)

// idKind is what an identifier match is.
type idKind uint8

const (
	idPhoneHK idKind = iota + 1 // 8-digit Hong Kong number
	idPhoneCN                   // mainland mobile, 1[3-9] + 9 digits
	idPRC                       // 18-character resident ID, check verified
	idPRCBad                    // 18-character ID shape whose check fails
	idPRC15                     // 15-digit legacy ID with plausible region and date
	idCard                      // card number: known IIN, Luhn-valid
	idCardBad                   // card shape with a known IIN that fails Luhn
	idEmail                     // e-mail address
)

// idMatch flags.
const (
	idIntl    uint8 = 1 << iota // written with its country code (+852, +86)
	idGrouped                   // written in groups (4111 1111 ..., 9123 4567)
	idMobile                    // a mobile number (HK 5/6/7/8/9, every mainland match)
)

// idMatch is one identifier candidate in a segment.
type idMatch struct {
	start, end int32
	kind       idKind
	flags      uint8
	// key is the number itself (digits, PRC check 'X' as 10 in the last
	// place) or a hash of the lower-cased e-mail: distinct counts compare keys.
	key uint64
}

// maxIDDigits bounds the digits of one joined run; a longer run is no
// identifier and is skipped whole, so that no number is found inside it.
const maxIDDigits = 20

// scanIdentifiers appends every identifier candidate of s to dst, in order
// of start offset. Linear: each byte is read a bounded number of times.
func scanIdentifiers(s string, dst []idMatch) []idMatch {
	return scanIdentifiersAt(s, dst, strings.IndexByte(s, '@') >= 0)
}

// identifiersOf scans a segment's identifiers after the shared pass: its
// hits say whether the text holds an '@' (email.txt lists it), so e-mail
// addresses are looked for without another walk over the text. When buf
// is not nil the identifiers are appended to it (after the earlier
// segments', which they never overwrite) and the returned slice has no
// room to grow into.
//
// dm is the segment's digit map (digitMap), or nil.
func identifiersOf(v *segView, limit int, buf *[]idMatch, dm []uint64) []idMatch {
	hits := v.hits[clsEmail]
	at := len(hits) >= limit // hits dropped: look for addresses anyway
	for _, h := range hits {
		if h.kind == idAt {
			at = true
			break
		}
	}
	scan := func(dst []idMatch) []idMatch {
		if dm != nil {
			return scanIdentifiersMap(v.text, dm, dst, at)
		}
		return scanIdentifiersAt(v.text, dst, at)
	}
	if buf == nil {
		return scan(nil)
	}
	n := len(*buf)
	ids := scan((*buf)[n:n])
	if len(ids) == 0 {
		return nil
	}
	if n < cap(*buf) && &ids[0] == &(*buf)[:n+1][n] {
		*buf = (*buf)[:n+len(ids)] // appended in place
	} else {
		*buf = ids // grown (or merged) into a new array: go on in that one
	}
	return ids[:len(ids):len(ids)]
}

// scanIdentifiersAt is scanIdentifiers; at says whether s holds an '@'.
//
// Most digit runs are short amounts, dates and codes that no separator
// continues, and say nothing: only a run of eight digits or more, or one
// followed by ' ', '-' or ')' and a digit, can be (part of) an
// identifier. Those are found 64 bytes at a time from the blocks' digit
// masks (digitmask.go): the ends of eight digits in a row, and every
// non-digit between two digits (then tested for a separator), so the runs
// between them are never visited.
func scanIdentifiersAt(s string, dst []idMatch, at bool) []idMatch {
	n := len(s)
	var pad [72]byte
	i := 0 // where the scan goes on; never strictly inside a digit run
	var prev uint64
	for b := 0; b < n; {
		d, nx := digitBlock(s, b, &pad)
		next := uint64(0)
		if nx {
			next = 1
		}
		i, dst = idBlock(s, b, d, prev, next, i, dst)
		// The next block starts at the next digit, or the byte before
		// it: a digit-free stretch is skipped eight bytes at a time.
		// (Digit-dense text goes on with the next block: the skip would
		// only stop at once.)
		if i <= b+64 && (nx || d>>32 != 0) {
			b, prev = b+64, d
			continue
		}
		nb := max(b+64, i)
		p := nextDigit(s, nb)
		switch {
		case p >= n:
			b = n
		case p == b+64:
			b, prev = p, d
		default:
			// s[p-1] is no digit (or the scan went on at p after one,
			// i == p): no run crosses into the new block, and of the
			// block before only whether s[p-2] is a digit matters.
			b, prev = p-1, 0
			if isDigit(s[b-1]) {
				prev = 1 << 63
			}
		}
	}
	return withEmails(s, dst, at)
}

// scanIdentifiersMap is scanIdentifiersAt over the digit map of s
// (digitMap): a segment's scanners share one map, and the blocks without
// a digit cost one load.
func scanIdentifiersMap(s string, dm []uint64, dst []idMatch, at bool) []idMatch {
	i := 0
	for w := 0; w < len(dm); w++ {
		b := w << 6
		if i >= b+64 {
			w = i>>6 - 1 // on with the block holding i
			continue
		}
		d := dm[w]
		if d == 0 {
			continue // no digit: no candidate
		}
		var prev, next uint64
		if w > 0 {
			prev = dm[w-1]
		}
		if w+1 < len(dm) {
			next = dm[w+1] & 1
		}
		i, dst = idBlock(s, b, d, prev, next, i, dst)
	}
	return withEmails(s, dst, at)
}

// idBlock judges the candidate runs of the 64-byte block at b (digit mask
// d; prev the mask of the 64 bytes before, as far as it matters; next 1
// when s[b+64] is a digit) from i on, and returns where the scan goes on.
func idBlock(s string, b int, d, prev, next uint64, i int, dst []idMatch) (int, []idMatch) {
	n := len(s)
	long := runOf8(d, prev)
	// A non-digit with a digit either side.
	between := ^d & (d<<1 | prev>>63) & (d>>1 | next<<63)
	cand := long | between
	if i >= b {
		cand = lowBitsTo(cand, i-b)
	}
	for cand != 0 {
		q := b + bits.TrailingZeros64(cand)
		bit := cand & -cand
		cand &^= bit
		var st, k int
		if long&bit != 0 {
			// The first eight digits in a row since i: the run
			// starts seven bytes back, and goes on after q.
			st = q - 7
			k = q + 1
			for k < n && s[k]-'0' < 10 {
				k++
			}
		} else {
			if c := s[q]; c != ' ' && c != '-' && c != ')' {
				continue
			}
			// The run ending at q-1 (shorter than eight digits, or
			// its eighth digit would have come first), back to i at
			// most. Its start is after the last non-digit before q
			// in this block's mask; when there is none, the walk goes
			// on byte by byte from the block's start.
			k = q
			if below := ^d & (1<<uint(q-b) - 1); below != 0 {
				st = max(b+64-bits.LeadingZeros64(below), i)
			} else {
				st = q - 1
				if q > b {
					st = max(b, i)
				}
				for st > i && s[st-1]-'0' < 10 {
					st--
				}
			}
		}
		// (The separator is tested before the digit after it: on base64
		// and random text that branch is the one that predicts well.)
		switch {
		case k-st < 8 && (k+1 >= n || (s[k] != ' ' && s[k] != '-' && s[k] != ')') || s[k+1]-'0' >= 10):
			i = k
		case k-st == 8 && lone8(s, st, k):
			// The commonest long run (a phone, a date, a sheet's eight-
			// digit column), judged without collecting groups.
			dst = judgeLone8(s, st, k, dst)
			i = k
		default:
			i = numberAt(s, st, &dst)
		}
		cand = lowBitsTo(cand, i-b)
	}
	return i, dst
}

// withEmails adds the e-mail addresses of s to its numbers dst when at.
func withEmails(s string, dst []idMatch, at bool) []idMatch {
	if at {
		k := len(dst)
		dst = scanEmails(s, dst)
		if k > 0 && len(dst) > k {
			dst = mergeByStart(dst, k)
		}
	}
	return dst
}

// mergeByStart merges the two runs dst[:k] and dst[k:], each in order of
// start offset, into one (linear; a sort was n log n on large exports).
func mergeByStart(dst []idMatch, k int) []idMatch {
	a, b := dst[:k], dst[k:]
	i, j := 0, 0
	res := make([]idMatch, 0, len(dst))
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && a[i].start <= b[j].start) {
			res = append(res, a[i])
			i++
		} else {
			res = append(res, b[j])
			j++
		}
	}
	return res
}

// numGroups is a run of digit groups joined by single spaces or hyphens.
type numGroups struct {
	digits [maxIDDigits]byte
	n      int    // digits
	glen   [8]int // group lengths
	gpos   [8]int // group start offsets
	ng     int
	x      bool // an 'X' directly after the last digit (PRC check character)
	end    int  // offset after the run (and the X)
}

// numberAt reads the digit run starting at s[i] (a digit that follows no
// digit) and appends what it is; it returns the offset to go on from.
func numberAt(s string, i int, dst *[]idMatch) int {
	// Cheap rejections first, before the groups are collected: the tail
	// of a longer token ("PO-2026-0412", "INV88231001") and dates
	// ("2026-03-02", "2026 03 02") are skipped whole.
	if !numBoundaryBefore(s, i) {
		return skipJoined(s, i)
	}
	if k := i + 4; k+3 < len(s) && digitsAt(s, i, 4) && (s[k] == '-' || s[k] == ' ' || s[k] == '/') &&
		digitsAt(s, k+1, 2) && (k+3 == len(s) || !isDigit(s[k+3])) {
		// skipJoined(s, i) would walk the four digits, the separator
		// (when it joins: '/' does not) and the two digits first.
		if s[k] == '/' {
			return k
		}
		return skipJoined(s, k+3)
	}
	var g numGroups
	j := i
	over, paren := false, false
	for {
		k := j
		for k < len(s) && s[k]-'0' < 10 {
			k++
		}
		if g.ng == len(g.glen) || g.n+(k-j) > maxIDDigits {
			over = true
		} else {
			g.glen[g.ng], g.gpos[g.ng] = k-j, j
			g.ng++
			copy(g.digits[g.n:], s[j:k])
			g.n += k - j
		}
		j = k
		// "(852) 9123 4567": the country code in brackets.
		if g.ng == 1 && j+1 < len(s) && s[j] == ')' && i >= 1 && (s[i-1] == '(' || s[i-1] == '+') && (s[i:j] == "852" || s[i:j] == "86") {
			p := j + 1
			if p < len(s) && s[p] == ' ' {
				p++
			}
			if p < len(s) && s[p]-'0' < 10 {
				j, paren = p, true
				continue
			}
		}
		if j+1 < len(s) && (s[j] == ' ' || s[j] == '-') && s[j+1]-'0' < 10 {
			j++
			continue
		}
		break
	}
	if over {
		// Skip the rest of an over-long run in one go.
		for j < len(s) && (s[j]-'0' < 10 || ((s[j] == ' ' || s[j] == '-') && j+1 < len(s) && s[j+1]-'0' < 10)) {
			j++
		}
		return j
	}
	if j < len(s) && (s[j] == 'X' || s[j] == 'x') && (g.ng == 1 || g.glen[g.ng-1] == 3) {
		g.x = true
		j++
	}
	g.end = j
	if !numBoundaryBefore(s, i) || !numBoundaryAfter(s, j) {
		return j // part of a longer token: nothing inside it counts
	}
	intl := paren || i >= 1 && s[i-1] == '+'
	if m, ok := judgeNumber(&g, i, intl); ok {
		// The span takes in "+" and "(" of a country code.
		for m.start > 0 && intl && (s[m.start-1] == '+' || s[m.start-1] == '(') && int(m.start) > i-2 {
			m.start--
		}
		*dst = appendID(*dst, m)
		return j
	}
	// "Qty 2 91234567": the run joined by a space is no identifier; its
	// longer groups may be, each on its own.
	// Not after a hyphen or an area code ("021-61234567", "021 61234567"
	// are one mainland fixed line).
	if g.ng > 1 && !g.x && g.digits[0] != '0' {
		for k := 0; k < g.ng; k++ {
			if g.glen[k] < 8 || (k > 0 && s[g.gpos[k]-1] == '-') || (k+1 < g.ng && s[g.gpos[k+1]-1] == '-') {
				continue
			}
			var h numGroups
			h.n, h.ng = g.glen[k], 1
			h.glen[0], h.gpos[0] = g.glen[k], g.gpos[k]
			copy(h.digits[:], s[g.gpos[k]:g.gpos[k]+g.glen[k]])
			h.end = g.gpos[k] + g.glen[k]
			if m, ok := judgeNumber(&h, g.gpos[k], false); ok {
				*dst = appendID(*dst, m)
			}
		}
	}
	return j
}

// lone8 reports whether the run of eight digits s[i:k] is read by
// numberAt as one group on its own: no separator joins a digit to it, no
// 'X' follows, no "+" of a country code precedes it.
func lone8(s string, i, k int) bool {
	if i > 0 && s[i-1] == '+' {
		return false
	}
	if k < len(s) {
		switch s[k] {
		case 'X', 'x':
			return false
		case ' ', '-':
			return k+1 >= len(s) || !isDigit(s[k+1])
		}
	}
	return true
}

// judgeLone8 is numberAt for a run lone8 accepts (its one possible shape
// is a Hong Kong number) and appends what it is to dst. It reads the eight
// digits as one word: the date test only for a "19" or "20" prefix, the
// key in three multiplies (digitsKey).
func judgeLone8(s string, i, k int, dst []idMatch) []idMatch {
	if !numBoundaryBefore(s, i) || !numBoundaryAfter(s, k) {
		return dst
	}
	v := load64(s, i)
	var flags uint8
	switch byte(v) {
	case '2', '3':
	case '5', '6', '7', '8', '9':
		flags = idMobile
	default:
		return dst // no Hong Kong number (and a date starts with 1 or 2)
	}
	if p := v & 0xFFFF; p == '2'|'0'<<8 || p == '1'|'9'<<8 {
		var d [8]byte
		copy(d[:], s[i:k])
		if looksLikeDate(d[:]) {
			return dst
		}
	}
	v -= lo7 * '0'
	v = (v*10 + v>>8) & 0x00FF00FF00FF00FF
	v = (v*100 + v>>16) & 0x0000FFFF0000FFFF
	v = (v*10000 + v>>32) & 0xFFFFFFFF
	return appendID(dst, idMatch{start: int32(i), end: int32(k), kind: idPhoneHK, flags: flags, key: 852<<40 | v})
}

// appendID appends m, doubling the slice when it is full: append grows
// large slices by a quarter, which on a sheet with a number in every row
// allocated and copied about five times the final slice.
func appendID(dst []idMatch, m idMatch) []idMatch {
	if len(dst) == cap(dst) {
		dst = slices.Grow(dst, max(16, len(dst)))
	}
	return append(dst, m)
}

// skipJoined returns the end of the digit run at s[i] with the groups
// joined to it by single spaces or hyphens.
func skipJoined(s string, i int) int {
	for i < len(s) && (isDigit(s[i]) || ((s[i] == ' ' || s[i] == '-') && i+1 < len(s) && isDigit(s[i+1]) && i > 0 && isDigit(s[i-1]))) {
		i++
	}
	return i
}

// numBeforeLow has bit c set for the bytes c < 64 that numBoundaryBefore
// looks at.
const numBeforeLow uint64 = 1<<'#' | 1<<'$' | 1<<'%' | 1<<'&' | 1<<'+' | 1<<'-' | 1<<'.' | 1<<'/' | 1<<':'

// numBoundaryBefore: the run starting at s[i] is not the tail of a longer
// token (a letter, "_", a path or a dotted/hyphenated code right before).
func numBoundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	c := s[i-1]
	// Below 64 only # $ % & + - . / : matter, and 64 and over only
	// letters, '_', '@' and '\\': the commonest bytes before a number
	// (space, comma, line end, bracket, CJK) answer after one test.
	if c < 64 && numBeforeLow>>c&1 == 0 || c >= 128 {
		return true
	}
	switch {
	case c == '/':
		// "13800138000/13900139000" lists two numbers; "/u/13800138000"
		// and "a/123..." are paths.
		return i >= 2 && isDigit(s[i-2])
	case isLetter(c), c == '_', c == '@', c == '\\', c == '$', c == '%', c == '&':
		return false
	case c == '.' || c == '-' || c == '+' || c == '#' || c == ':':
		if c == ':' || c == '#' {
			return true
		}
		if i >= 2 && (isASCIIAlnum(s[i-2]) || s[i-2] == '_') {
			return false
		}
	}
	return true
}

// numBoundaryAfter: the run ending before s[j] is not the head of a longer
// token.
func numBoundaryAfter(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	c := s[j]
	switch {
	case isLetter(c), c == '_', c == '@', c == '%', c == '\\':
		return false
	case c == '/':
		return j+1 >= len(s) || !isLetter(s[j+1])
	case c == '.' || c == '-':
		// "9123.4567", "91234567-A": a decimal or a longer code. (A comma
		// ends a number: thousands groups are never 8 digits long, so an
		// amount never reaches here, and CSV puts "4111…1111,123" together.)
		if j+1 < len(s) && isASCIIAlnum(s[j+1]) {
			return false
		}
	}
	return true
}

// judgeNumber decides what a clean digit run is, most specific shape first.
func judgeNumber(g *numGroups, start int, intl bool) (idMatch, bool) {
	m := idMatch{start: int32(start), end: int32(g.end)}
	if g.n < 8 {
		// No shape has fewer digits (a Hong Kong number has eight): the
		// commonest runs here, an amount and the number after it
		// ("450,000 2) hiring"), are rejected before the shapes' tests.
		return m, false
	}
	d := g.digits[:g.n]
	grouped := g.ng > 1
	if grouped {
		m.flags |= idGrouped
	}
	// Resident ID: 18 characters, or 15 digits (legacy), unbroken or 6-8-4.
	if !intl && (g.n == 18 || (g.n == 17 && g.x)) && (g.ng == 1 || g.ng == 3 && g.glen[0] == 6 && g.glen[1] == 8) {
		if k, ok := prcShape(d, g.x); ok {
			m.key = k
			m.kind = idPRCBad
			if prcCheckValid(d, g.x) {
				m.kind = idPRC
			}
			return m, true
		}
	}
	if g.x {
		return m, false
	}
	// Cards before the 15-digit ID: "3782 822463 10005" is an Amex number
	// whatever its first digits say about a province.
	if !intl && g.n >= 13 && g.n <= 19 && cardGrouping(g) {
		if brand := cardBrand(d); brand != "" {
			m.key = digitsKey(d)
			m.kind = idCardBad
			if luhnValid(d) {
				m.kind = idCard
			}
			return m, true
		}
	}
	if !intl && g.n == 15 && g.ng == 1 {
		if k, ok := prc15Shape(d); ok {
			m.key, m.kind = k, idPRC15
			return m, true
		}
	}
	return judgePhone(g, m, intl)
}

func digitsKey(d []byte) uint64 {
	if len(d) == 8 {
		// The commonest length (a Hong Kong number), in three multiplies
		// instead of eight: digit pairs, then quads, then the eight.
		v := uint64(d[0]) | uint64(d[1])<<8 | uint64(d[2])<<16 | uint64(d[3])<<24 |
			uint64(d[4])<<32 | uint64(d[5])<<40 | uint64(d[6])<<48 | uint64(d[7])<<56
		v -= lo7 * '0'
		v = (v*10 + v>>8) & 0x00FF00FF00FF00FF
		v = (v*100 + v>>16) & 0x0000FFFF0000FFFF
		return (v*10000 + v>>32) & 0xFFFFFFFF
	}
	var k uint64
	for _, c := range d {
		k = k*10 + uint64(c-'0')
	}
	return k
}

// maskDigits keeps the first keep digits and the last tail of a number and
// writes '*' for the rest, keeping the separators as written.
func maskDigits(raw string, keep, tail int) string {
	total := 0
	for i := 0; i < len(raw); i++ {
		if isDigit(raw[i]) || raw[i] == 'X' || raw[i] == 'x' {
			total++
		}
	}
	b := []byte(raw)
	k := 0
	for i := range b {
		if isDigit(b[i]) || b[i] == 'X' || b[i] == 'x' {
			if k >= keep && k < total-tail {
				b[i] = '*'
			}
			k++
		}
	}
	return string(b)
}

// Dictionary sections of the identifier classifiers: the same kind numbers
// as hkid's, so nearestKeyword and afterCodeWord read their hits too.
const (
	idKeyword = hkKeyword
	idCode    = hkCode
	idAt      = hkCode + 1 // email.txt's "@": the segment may hold addresses
)

// idSpec is what one identifier classifier counts and how it shows it.
type idSpec struct {
	name string
	// accept says whether m is one of this classifier's numbers, its
	// confidence without a keyword, and whether it counts only next to one.
	// accept and bad read only m.kind and m.flags (newIDClassifier works
	// out from them which kinds the classifier reads at all).
	accept func(m idMatch) (ok bool, conf Confidence, needKeyword bool)
	// bad: a same-shape candidate whose check fails (the chance rule).
	bad    func(m idMatch) bool
	mask   func(raw string, m idMatch) string
	signal string // the check that verified it: "mod11-2", "luhn" ...
	// extra is a signal per counted match ("iin:visa"); may be nil.
	extra func(raw string, m idMatch) string
	// codeWords: a number right after an order/invoice word is that code.
	codeWords bool
}

// idClassifier counts the distinct identifiers of one spec.
type idClassifier struct {
	opts  options
	vocab []vocabEntry
	spec  idSpec
	ci    int // index in defaultSet.cls
	// kinds has bit k set when spec.accept or spec.bad takes a match of
	// kind k: a segment with none of them (segView.idKinds) is skipped.
	kinds uint32
}

// idKindsOf is the set of kinds (bit k for kind k) that accept or bad
// takes with some flags.
func idKindsOf(spec idSpec) uint32 {
	var kinds uint32
	for k := 0; k < 32; k++ {
		for fl := 0; fl < 256; fl++ {
			m := idMatch{kind: idKind(k), flags: uint8(fl)}
			if ok, _, _ := spec.accept(m); ok || spec.bad != nil && spec.bad(m) {
				kinds |= 1 << k
			}
		}
	}
	return kinds
}

// kindSet is the set of kinds in ids (as idKindsOf).
func kindSet(ids []idMatch) uint32 {
	var kinds uint32
	for _, m := range ids {
		kinds |= 1 << (m.kind & 31)
	}
	return kinds
}

func newIDClassifier(o options, dict string, ci int, spec idSpec) (*idClassifier, error) {
	v, err := loadDict(dict, map[string]uint8{"keyword": idKeyword, "code": idCode, "at": idAt})
	if err != nil {
		return nil, err
	}
	return &idClassifier{opts: o, vocab: v, spec: spec, ci: ci, kinds: idKindsOf(spec)}, nil
}

func (c *idClassifier) name() string             { return c.spec.name }
func (c *idClassifier) vocabulary() []vocabEntry { return c.vocab }

// classify counts distinct accepted numbers. A keyword within ~300
// characters raises confidence one step; numbers that need one count only
// with it. As with HKIDs, when most same-shape candidates fail their check
// and no keyword is in the document, the few that pass are taken as chance.
func (c *idClassifier) classify(doc *document) (Finding, bool) {
	valid, invalid, docKeyword := 0, 0, false
	for si := range doc.segs {
		sg := &doc.segs[si]
		if sg.idKinds&c.kinds != 0 {
			for _, m := range sg.ids {
				if ok, _, _ := c.spec.accept(m); ok {
					valid++
				} else if c.spec.bad != nil && c.spec.bad(m) {
					invalid++
				}
			}
		}
		if valid > 0 && !docKeyword {
			for _, h := range doc.hitsOf(si, c.ci) {
				if h.kind == idKeyword {
					docKeyword = true
					break
				}
			}
		}
	}
	if valid == 0 {
		return Finding{}, false
	}
	chance := !docKeyword && invalid >= 3 && valid*3 < invalid
	f := Finding{Classifier: c.spec.name}
	keys := make([]uint64, 0, valid)
	var sampleKeys []uint64
	keywords := map[string]bool{}
	extras := map[string]bool{}
	lastExtra := ""
	var seenExtra [8]string
	nSeen := 0
	conf := None
	for si := range doc.segs {
		sg := &doc.segs[si]
		if sg.idKinds&c.kinds == 0 {
			continue // no match of this classifier's kinds (or none at all)
		}
		hits := doc.hitsOf(si, c.ci)
		for _, m := range sg.ids {
			ok, mc, need := c.spec.accept(m)
			if !ok {
				continue
			}
			kw := nearestKeyword(sg.text, hits, int(m.start), int(m.end))
			if kw < 0 && (need || chance || (c.spec.codeWords && (afterCodeWord(sg.text, hits, int(m.start)) ||
				afterCodeWord(sg.text, doc.hitsOf(si, clsHKID), int(m.start))))) {
				continue
			}
			if kw >= 0 {
				keywords[c.vocab[hits[kw].term].term] = true
				if mc < High {
					mc++
				}
			}
			conf = max(conf, mc)
			raw := sg.text[m.start:m.end]
			if c.spec.extra != nil {
				// A set of a few values: most matches repeat the last one,
				// and a map assignment per match cost a tenth of a sheet
				// of phone numbers.
				if e := c.spec.extra(raw, m); e != "" && e != lastExtra {
					lastExtra = e
					// Values alternate ("hk_mobile", "hk_fixed"): the first
					// few seen are remembered without the map.
					if !slices.Contains(seenExtra[:nSeen], e) {
						extras[e] = true
						if nSeen < len(seenExtra) {
							seenExtra[nSeen] = e
							nSeen++
						}
					}
				}
			}
			keys = append(keys, m.key)
			// While the samples are not full every distinct number seen
			// is among them (as in hkid.go).
			if len(f.Samples) < c.opts.maxSamples && !slices.Contains(sampleKeys, m.key) {
				sampleKeys = append(sampleKeys, m.key)
				f.Samples = append(f.Samples, Sample{Masked: c.spec.mask(raw, m), Origin: sg.origin, Offset: int(m.start)})
			}
		}
	}
	if len(keys) == 0 {
		return Finding{}, false
	}
	keys = radixSort(keys)
	keys = slices.Compact(keys)
	distinct := len(keys)
	f.Count = distinct
	f.Keys = ValueKeys(keys) // for window rules (identifier-drip)
	f.Confidence = conf
	if c.spec.signal != "" {
		f.Signals = append(f.Signals, c.spec.signal)
	}
	f.Signals = append(f.Signals, "distinct:"+itoa(distinct))
	f.Signals = append(f.Signals, uniqueSorted(extras)...)
	for i, k := range uniqueSorted(keywords) {
		if i == 5 {
			break
		}
		f.Signals = append(f.Signals, "keyword:"+k)
	}
	return f, true
}

func itoa(n int) string { return strconv.Itoa(n) }

// hasDigit reports whether s holds an ASCII digit.
func hasDigit(s string) bool { return nextDigit(s, 0) < len(s) }

// nextDigit is the index of the first ASCII digit of s at or after i, or
// len(s), eight bytes at a time: x^'0' turns digits into bytes below 10
// and every other byte into one of 10 or more (or with the high bit set);
// the lowest flagged byte of the "has byte less than" trick is always a
// true digit.
func nextDigit(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		y := load64(s, i) ^ (lo7 * '0')
		if m := (y - lo7*10) &^ y & hi8; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s) && !isDigit(s[i]); i++ {
	}
	return i
}
