package classifiers

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Classifier indexes inside defaultSet.cls (the order newSet builds them).
const (
	clsHKID = iota
	clsMedical
	clsFinancial
)

// keywordWindow is how close (in characters) an HKID keyword must be to a
// number to raise confidence; the distance Microsoft Purview uses.
const keywordWindow = 300

const (
	hkKeyword uint8 = iota + 1
	hkCode          // a word that introduces order/part/tracking codes
)

// hkidMatch is a checksum-valid HKID candidate in a segment.
type hkidMatch struct {
	start, end int    // byte span in the segment, check digit included
	body       string // normalised: upper-case prefix + 6 digits
	check      byte   // '0'-'9' or 'A'
	issued     bool   // prefix is on the issued list
	lower      bool   // written in lower case
	bracketed  bool   // check digit in brackets
	// valid: the check digit verifies. Invalid candidates of the same
	// shape are kept only to judge how likely the valid ones are chance.
	valid bool
}

// norm returns the canonical written form, e.g. "A123456(3)".
func (m hkidMatch) norm() string { return m.body + "(" + string(m.check) + ")" }

// key64 packs the number into an integer (prefix letters in base 27 with
// space as 0, six digits, check 0-10) for counting distinct numbers by
// sorting: a map of a million keys spent most of its time in cache misses.
func (m hkidMatch) key64() uint64 {
	b := m.body
	var l1, l2 uint64
	if len(b) == 8 {
		l1, b = uint64(b[0]-'A'+1), b[1:]
	}
	l2 = uint64(b[0] - 'A' + 1)
	var d uint64
	for i := 1; i < len(b); i++ {
		d = d*10 + uint64(b[i]-'0')
	}
	c := uint64(m.check - '0')
	if m.check == 'A' {
		c = 10
	}
	return ((l1*27+l2)*1_000_000+d)*11 + c
}

// radixSort sorts keys (LSD, 11 bits a pass, only as many passes as the
// largest key needs: HKID keys are under 2^33, three passes). A list of a
// million numbers sorted with pdqsort spent a third of its time there.
func radixSort(keys []uint64) []uint64 {
	if len(keys) < 256 {
		slices.Sort(keys)
		return keys
	}
	var top, all uint64 = 0, ^uint64(0)
	for _, k := range keys {
		top |= k
		all &= k
	}
	// Bits every key has alike (the 852 of a Hong Kong number's key).
	varying := top ^ all
	const bits = 11
	tmp := make([]uint64, len(keys))
	src, dst := keys, tmp
	for shift := uint(0); shift < 64 && top>>shift != 0; shift += bits {
		if varying>>shift&(1<<bits-1) == 0 {
			continue // every key has the same digit here
		}
		var count [1 << bits]int
		for _, k := range src {
			count[k>>shift&(1<<bits-1)]++
		}
		// Every key with the same digit here (the 852 of a Hong Kong
		// number's key): the pass would copy them in the same order.
		if count[src[0]>>shift&(1<<bits-1)] == len(src) {
			continue
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, k := range src {
			d := k >> shift & (1<<bits - 1)
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	return src
}

// masked keeps the first three characters of the body and the check digit.
func (m hkidMatch) masked() string {
	return m.body[:3] + strings.Repeat("*", len(m.body)-3) + "(" + string(m.check) + ")"
}

type hkidClassifier struct {
	opts  options
	vocab []vocabEntry
}

func newHKIDClassifier(o options) (*hkidClassifier, error) {
	v, err := loadDict("hkid", map[string]uint8{"keyword": hkKeyword, "code": hkCode})
	if err != nil {
		return nil, err
	}
	return &hkidClassifier{opts: o, vocab: v}, nil
}

func (c *hkidClassifier) name() string             { return HKID }
func (c *hkidClassifier) vocabulary() []vocabEntry { return c.vocab }

// classify counts distinct valid numbers. Issued prefixes count on the
// check digit alone (medium) and with a keyword within ~300 characters
// (high). Prefixes never issued (PO, AB, single I/O/Q/U/X ...) are part and
// order codes far more often than typos, so they count only next to an HKID
// keyword, and then at low confidence. Lower-case numbers without brackets
// look like hex or URL tokens, so they too need a keyword.
func (c *hkidClassifier) classify(doc *document) (Finding, bool) {
	f := Finding{Classifier: HKID}
	var keys []uint64       // every counted number, for the distinct count
	var sampleKeys []uint64 // distinct numbers seen while samples are not full
	keywords := map[string]bool{}
	conf := None
	unissued := 0
	// A list of codes that merely look like HKIDs validates about one in
	// eleven by chance. When most same-shape candidates fail the check and
	// the document never mentions an identity card, the few that pass are
	// taken as chance, not as HKIDs.
	valid, invalid, docKeyword := 0, 0, false
	for si := range doc.segs {
		for _, h := range doc.hitsOf(si, clsHKID) {
			if h.kind == hkKeyword {
				docKeyword = true
				break
			}
		}
		for _, m := range doc.segs[si].hkids {
			if m.valid {
				valid++
			} else {
				invalid++
			}
		}
	}
	if valid == 0 {
		return Finding{}, false
	}
	chance := !docKeyword && invalid >= 3 && valid*3 < invalid
	keys = make([]uint64, 0, valid)
	for si := range doc.segs {
		sg := &doc.segs[si]
		if len(sg.hkids) == 0 {
			continue
		}
		hits := doc.hitsOf(si, clsHKID)
		var tables map[int]bool
		for _, m := range sg.hkids {
			if !m.valid {
				continue
			}
			kw := nearestKeyword(sg.text, hits, m.start, m.end)
			if kw < 0 && (chance || afterCodeWord(sg.text, hits, m.start)) {
				// A column of a table of people holds identity numbers,
				// whatever else the document holds.
				if tables == nil {
					tables = map[int]bool{}
				}
				if !peopleTable(sg.text, m.start, tables) {
					continue
				}
			}
			mc := Medium
			switch {
			case !m.issued:
				if kw < 0 {
					continue
				}
				mc = Low
				unissued++
			case m.lower && !m.bracketed && kw < 0:
				continue
			case kw >= 0:
				mc = High
			}
			if kw >= 0 {
				keywords[c.vocab[hits[kw].term].term] = true
			}
			if mc > conf {
				conf = mc
			}
			n := m.key64()
			keys = append(keys, n)
			// Samples are the first distinct numbers in document order;
			// while they are not full, every distinct number seen so far
			// is among them, so a short search says whether n is new.
			if len(f.Samples) < c.opts.maxSamples && !slices.Contains(sampleKeys, n) {
				sampleKeys = append(sampleKeys, n)
				f.Samples = append(f.Samples, Sample{Masked: m.masked(), Origin: sg.origin, Offset: m.start})
			}
		}
	}
	if len(keys) == 0 {
		return Finding{}, false
	}
	keys = slices.Compact(radixSort(keys))
	distinct := len(keys)
	f.Count = distinct
	f.Keys = ValueKeys(keys)
	f.Confidence = conf
	f.Signals = append(f.Signals, "check_digit", fmt.Sprintf("distinct:%d", distinct))
	for i, k := range uniqueSorted(keywords) {
		if i == 5 {
			break
		}
		f.Signals = append(f.Signals, "keyword:"+k)
	}
	if unissued > 0 {
		f.Signals = append(f.Signals, fmt.Sprintf("unissued_prefix:%d", unissued))
	}
	return f, true
}

// nearestKeyword returns the index in hits (sorted by end) of a keyword
// hit within keywordWindow characters of [start,end), or -1. Code-word hits
// in between are skipped; the walk stops at the window's byte bound.
func nearestKeyword(text string, hits []termHit, start, end int) int {
	i := sort.Search(len(hits), func(i int) bool { return int(hits[i].end) > start })
	for j := i - 1; j >= 0 && start-int(hits[j].end) <= keywordWindow*utf8.UTFMax; j-- {
		if hits[j].kind == hkKeyword {
			if within(text, int(hits[j].end), start) {
				return j
			}
			break
		}
	}
	for j := i; j < len(hits) && int(hits[j].start)-end <= keywordWindow*utf8.UTFMax; j++ {
		if hits[j].kind == hkKeyword && int(hits[j].start) >= end {
			if within(text, end, int(hits[j].start)) {
				return j
			}
			break
		}
	}
	return -1
}

// afterCodeWord reports whether an order/invoice/part-code word ends just
// before start on the same line ("Order No. S1234567", "訂單號：A1234563").
func afterCodeWord(text string, hits []termHit, start int) bool {
	i := sort.Search(len(hits), func(i int) bool { return int(hits[i].end) > start })
	for j := i - 1; j >= 0 && start-int(hits[j].end) <= 16; j-- {
		if hits[j].kind == hkCode {
			return !strings.ContainsAny(text[hits[j].end:start], "\n\r\t,;|")
		}
	}
	return false
}

// within reports whether text[from:to] holds at most keywordWindow runes.
func within(text string, from, to int) bool {
	if from >= to {
		return true
	}
	if to-from > keywordWindow*utf8.UTFMax {
		return false
	}
	return utf8.RuneCountInString(text[from:to]) <= keywordWindow
}

// normAt reads the character at s[i] the way NFKC would present it for the
// characters an HKID can be written with: ASCII as is, the Halfwidth and
// Fullwidth Forms block (U+FF01-U+FF5E: Ａ, １, （, ）, －) mapped to ASCII
// and the ideographic space to ' '. Any other character is returned as 0
// with its length. Only these code points differ from ASCII under NFKC in
// an HKID, so pure ASCII spans take the fast path with no normalisation.
func normAt(s string, i int) (c byte, size int) {
	b := s[i]
	if b < utf8.RuneSelf {
		return b, 1
	}
	if i+2 < len(s) {
		b1, b2 := s[i+1], s[i+2]
		switch {
		case b == 0xEF && b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF: // U+FF01-U+FF3F
			return 0x21 + (b2 - 0x81), 3
		case b == 0xEF && b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E: // U+FF40-U+FF5E
			return 0x60 + (b2 - 0x80), 3
		case b == 0xE3 && b1 == 0x80 && b2 == 0x80: // U+3000
			return ' ', 3
		}
	}
	_, size = utf8.DecodeRuneInString(s[i:])
	return 0, size
}

// normBefore reads the character that ends just before s[i].
func normBefore(s string, i int) (c byte, size int) {
	if i <= 0 {
		return 0, 0
	}
	if s[i-1] < utf8.RuneSelf {
		return s[i-1], 1
	}
	_, size = utf8.DecodeLastRuneInString(s[:i])
	c, _ = normAt(s, i-size)
	return c, size
}

func isDigit(c byte) bool  { return c-'0' < 10 }
func isLetter(c byte) bool { return (c|0x20)-'a' < 26 }

// tokenGlue are characters that join a candidate to a longer token (URLs,
// file paths, query strings, e-mail addresses, identifiers).
func tokenGlue(c byte) bool {
	switch c {
	case '_', '/', '\\', '=', '&', '?', '%', '#', '@', '+', '$', '~':
		// Not '`': inline code (`A123456(3)`) renders as the number.
		return true
	}
	return isDigit(c) || isLetter(c)
}

// formValueBefore and formValueAfter report a candidate written as a whole
// value of a query string or form ("hkid=A123456(3)&name=..."): '=' (or
// '&', '?') right before it, '&' right after. tokenGlue joins these to a
// longer token, which is right for a bare "id=A1234563&" (an order number
// in a URL as often as an HKID), but an HKID with its check digit in
// brackets is that shape and nothing else, and a chat line or text body
// holding "A123456(3)&B234567(1)" must not hide both.
func formValueBefore(s string, i int) bool {
	c, n := normBefore(s, i)
	return n > 0 && (c == '=' || c == '&' || c == '?')
}

func formValueAfter(s string, i int) bool {
	c, n := normAt(s, i)
	return n > 0 && c == '&'
}

// boundaryBefore reports whether the candidate starting at s[i] stands alone.
func boundaryBefore(s string, i int) bool {
	c, n := normBefore(s, i)
	if n == 0 {
		return true
	}
	if tokenGlue(c) {
		return false
	}
	if c == '.' || c == '-' || c == ':' {
		// "x.A1234563" or "ref-A1234563" are parts of a longer token;
		// "HKID: A123456(3)" and "HKID:A123456(3)" are not.
		if c == ':' {
			return true
		}
		p, m := normBefore(s, i-n)
		if m == 0 || !(isDigit(p) || isLetter(p)) {
			return true
		}
		// "No.A123456(3)": the abbreviation, not a dotted token.
		if c == '.' && (p == 'o' || p == 'O') {
			q, k := normBefore(s, i-n-m)
			if q == 'n' || q == 'N' {
				r, l := normBefore(s, i-n-m-k)
				return l == 0 || !(isDigit(r) || isLetter(r))
			}
		}
		return false
	}
	return true
}

// boundaryAfter reports whether the candidate ending before s[i] stands alone.
func boundaryAfter(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	c, n := normAt(s, i)
	if tokenGlue(c) {
		return false
	}
	if c == '.' || c == '-' {
		if i+n >= len(s) {
			return true
		}
		p, _ := normAt(s, i+n)
		return !(isDigit(p) || isLetter(p))
	}
	return true
}

// scanHKIDs finds every HKID-shaped candidate in s, in any common written
// form, and appends it to dst; valid says whether its check digit verifies. It is a hand-written scanner: find a run of
// digits, look back for one or two letters, look ahead for the check
// character; linear in len(s) whatever the input.
func scanHKIDs(s string, dst []hkidMatch) []hkidMatch {
	n := len(s)
	for i := 0; i < n; {
		// Skip eight bytes at a time while none is an ASCII digit or 0xEF
		// (the lead byte of full-width digits): most text has neither.
		for i+8 <= n && !digitOrEF(load64(s, i)) {
			i += 8
		}
		if i >= n {
			break
		}
		b := s[i]
		if b-'0' >= 10 && b != 0xEF {
			i++
			continue
		}
		c, sz := normAt(s, i)
		if !isDigit(c) {
			i += sz
			continue
		}
		// Digit run [i, j) of k digits; the first 7 are kept.
		var digits [7]byte
		j, k := i, 0
		for j < n {
			d, dsz := normAt(s, j)
			if !isDigit(d) {
				break
			}
			if k < len(digits) {
				digits[k] = d
			}
			k++
			j += dsz
		}
		if k == 6 || k == 7 {
			if m, ok := hkidAt(s, i, j, digits[:k]); ok {
				dst = append(dst, m)
			}
		}
		i = j
	}
	return dst
}

func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

const (
	lo7 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// digitOrEF reports whether any byte of x is '0'-'9' or 0xEF (SWAR: the
// "has byte between" and "has zero byte" tricks from Bit Twiddling Hacks).
func digitOrEF(x uint64) bool {
	const m, n = '0' - 1, '9' + 1 // exclusive bounds
	between := (lo7*(127+n) - (x & (lo7 * 127))) & ^x & ((x & (lo7 * 127)) + lo7*(127-m)) & hi8
	y := x ^ (lo7 * 0xEF)
	zero := (y - lo7) & ^y & hi8
	return between|zero != 0
}

// scanHKIDsAt is scanHKIDs for ASCII-only candidates: pairs holds the
// offsets (ascending) of every ASCII letter followed by an ASCII digit, found
// by the shared automaton pass, so the text is not read again. Callers use
// scanHKIDs instead when the segment has full-width letters or digits.
func scanHKIDsAt(s string, pairs []int, dst []hkidMatch) []hkidMatch {
	done := 0 // digits before this offset belong to a run already judged
	for _, p := range pairs {
		i := p + 1
		if i < done {
			continue
		}
		var digits [7]byte
		j, k := i, 0
		for j < len(s) && isDigit(s[j]) {
			if k < len(digits) {
				digits[k] = s[j]
			}
			k++
			j++
		}
		done = j
		if k == 6 || k == 7 {
			if m, ok := hkidAt(s, i, j, digits[:k]); ok {
				dst = append(dst, m)
			}
		}
	}
	return dst
}

// hkidAt checks the candidate whose digit run is s[i:j].
func hkidAt(s string, i, j int, digits []byte) (hkidMatch, bool) {
	var m hkidMatch
	// Prefix: one or two letters right before the digits.
	l1, n1 := normBefore(s, i)
	if n1 == 0 || !isLetter(l1) {
		return m, false
	}
	start := i - n1
	prefix := []byte{l1 &^ 0x20}
	lower := l1 >= 'a'
	if l2, n2 := normBefore(s, start); n2 > 0 && isLetter(l2) {
		start -= n2
		prefix = []byte{l2 &^ 0x20, l1 &^ 0x20}
		lower = lower || l2 >= 'a'
	}
	var check byte
	end := j
	bracketed := false
	if len(digits) == 7 {
		// "A1234567(8)" is not an HKID written with an attached check digit.
		if c, _ := peek(s, j); c == '(' || j < len(s) && openBracketAt(s, j) {
			return m, false
		}
		check = digits[6]
		digits = digits[:6]
	} else {
		check, end, bracketed = checkAfter(s, j)
		if check == 0 {
			return m, false
		}
	}
	if !boundaryBefore(s, start) && !(bracketed && formValueBefore(s, start)) {
		return m, false
	}
	if !boundaryAfter(s, end) && !(bracketed && formValueAfter(s, end)) {
		return m, false
	}
	var buf [8]byte
	nb := copy(buf[:], prefix)
	nb += copy(buf[nb:], digits)
	if hkidCheckDigit(string(buf[:nb])) != check { // no allocation: the conversion does not escape
		return hkidMatch{start: start, end: end}, true
	}
	// A number written as it is normalised (upper case, ASCII, no
	// separator) shares the segment's bytes: lists of a million numbers
	// need no million small strings.
	body := s[start : start+nb]
	if body != string(buf[:nb]) { // no allocation: compared in place
		body = string(buf[:nb])
	}
	return hkidMatch{start: start, end: end, body: body, check: check, issued: issuedPrefix(prefix),
		lower: lower, bracketed: bracketed, valid: true}, true
}

// checkAfter reads the check character after a 6-digit body ending at s[j]:
// "(3)", " (3)", "（3）", "( 3 )", " 3", "-3", an attached "A", or "(3)"
// after a tab or a line break. It returns 0 when there is none.
//
// Other brackets ("[3]", "{3}", "<3>", "【3】", "〔3〕" ...) read as "(3)",
// and a dash or minus sign ("–3", "—3", "−3") as "-3": the same shapes
// in other glyphs.
func checkAfter(s string, j int) (check byte, end int, bracketed bool) {
	c, n := peek(s, j)
	if j < len(s) && (s[j] >= 0x80 || c == '[' || c == '{' || c == '<') {
		switch r, size := utf8.DecodeRuneInString(s[j:]); {
		case r != '(' && openBracket(r):
			return bracketedCheck(s, j+size)
		case isDash(r):
			c, n = '-', size
		}
	}
	switch {
	case c == 'A' || c == 'a':
		return 'A', j + n, false
	case c == '(':
		return bracketedCheck(s, j+n)
	case c == '\t' || c == '\n' || c == '\r':
		// A bracketed check in the next cell or on the next line: a
		// table column too narrow for it (a PDF wraps "A123456(3)" as
		// "A123456" over "(3)"), a sheet with the check in a column of
		// its own. Only bracketed: a bare digit there is the next cell's.
		p := j + n
		if c == '\r' {
			if d, dn := peek(s, p); d == '\n' {
				p += dn
			}
		}
		if d, dn := peek(s, p); d == '(' {
			return bracketedCheck(s, p+dn)
		}
		if p < len(s) && s[p] >= 0x80 {
			if r, size := utf8.DecodeRuneInString(s[p:]); openBracket(r) {
				return bracketedCheck(s, p+size)
			}
		}
	case c == ' ' || c == '-':
		p := j + n
		d, dn := peek(s, p)
		if d == '(' && c == ' ' {
			return bracketedCheck(s, p+dn)
		}
		if c == ' ' && p < len(s) && d != '(' {
			if r, size := utf8.DecodeRuneInString(s[p:]); openBracket(r) {
				return bracketedCheck(s, p+size)
			}
		}
		if isCheckChar(d) {
			return upper(d), p + dn, false
		}
	}
	return 0, 0, false
}

// bracketedCheck reads "3)" or " 3 )" after an opening bracket at s[p].
func bracketedCheck(s string, p int) (byte, int, bool) {
	d, n := peek(s, p)
	if d == ' ' {
		p += n
		d, n = peek(s, p)
	}
	if d == 0 && n > 0 {
		// A check digit written as a Han numeral: "A123456(三)"
		// (handigits.go).
		if r, size := utf8.DecodeRuneInString(s[p:]); hanDigit(r) != 0 {
			d, n = hanDigit(r), size
		}
	}
	if !isCheckChar(d) {
		return 0, 0, false
	}
	p += n
	e, en := peek(s, p)
	if e == ' ' {
		p += en
		e, en = peek(s, p)
	}
	if e != ')' {
		r, size := utf8.DecodeRuneInString(s[min(p, len(s)):])
		if p >= len(s) || !closeBracket(r) {
			return 0, 0, false
		}
		en = size
	}
	return upper(d), p + en, true
}

// openBracketAt reports whether an opening bracket starts at s[j].
func openBracketAt(s string, j int) bool {
	r, _ := utf8.DecodeRuneInString(s[j:])
	return openBracket(r)
}

// isDash reports whether r is a dash or minus sign written for a hyphen.
func isDash(r rune) bool {
	return r >= 0x2010 && r <= 0x2015 || r == 0x2212 || r == 0xFE58 || r == 0xFE63
}

func peek(s string, p int) (byte, int) {
	if p >= len(s) {
		return 0, 0
	}
	return normAt(s, p)
}

func isCheckChar(c byte) bool { return isDigit(c) || c == 'A' || c == 'a' }

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// hkidCheckDigit computes the check character of an upper-case body of one
// or two letters and six digits (Immigration Department scheme).
func hkidCheckDigit(body string) byte {
	sum, w := 0, 9
	if len(body) == 7 {
		sum += 36 * w // the missing first letter counts as a space
		w--
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * w
		w--
	}
	r := (11 - sum%11) % 11
	if r == 10 {
		return 'A'
	}
	return byte('0' + r)
}

// issuedPrefix: single letters except I, O, Q, U, X; two letters only EC,
// WX and XA-XH (docs/classifiers.md).
func issuedPrefix(p []byte) bool {
	if len(p) == 1 {
		switch p[0] {
		case 'I', 'O', 'Q', 'U', 'X':
			return false
		}
		return true
	}
	switch {
	case p[0] == 'E' && p[1] == 'C', p[0] == 'W' && p[1] == 'X':
		return true
	case p[0] == 'X' && p[1] >= 'A' && p[1] <= 'H':
		return true
	}
	return false
}

// scanSeparatedHKIDs finds HKIDs written with separators the plain scanner
// does not read: "A 123456(3)", "A-123456-3", "A 123 456 (3)",
// "A123-456(3)" and a check digit in the next column of a table
// ("A123456,3", "A123456\t3", `"A123456","3"`, "| A123456 | 3 |").
// pairs holds the offsets of a letter followed by a digit, seps those of a
// letter followed by a hyphen and a digit or of a bracketed check
// character, from the shared automaton pass.
// Candidates are appended to dst, valid or not, in order of offset; forms
// the plain scanner already read are skipped.
func scanSeparatedHKIDs(s string, pairs, seps []int, dst []hkidMatch) []hkidMatch {
	n0 := len(dst)
	try := func(p int) {
		if m, ok := separatedHKIDAt(s, p); ok {
			for _, d := range dst[:n0] {
				if d.start == m.start {
					return
				}
			}
			dst = append(dst, m)
		}
	}
	for _, p := range pairs {
		try(p)
	}
	for _, p := range seps {
		if s[p] == '(' || s[p] == 0xEF { // "(3)" or "（3）
			if p = letterBefore(s, p); p < 0 {
				continue
			}
		}
		try(p)
	}
	if len(dst) > n0 {
		slices.SortStableFunc(dst, func(a, b hkidMatch) int { return a.start - b.start })
	}
	return dst
}

// ideoSpace is U+3000, the ideographic space of Chinese forms.
const ideoSpace = "\u3000"

// sepLen returns the length of a separator inside a separated HKID at
// s[i] (a space, a hyphen, an ideographic space), or 0.
func sepLen(s string, i int) int {
	switch {
	case i >= len(s):
		return 0
	case s[i] == ' ' || s[i] == '-':
		return 1
	case strings.HasPrefix(s[i:], ideoSpace):
		return len(ideoSpace)
	}
	return 0
}

// separatedHKIDAt parses a separated HKID whose (last) prefix letter is s[p].
func separatedHKIDAt(s string, p int) (hkidMatch, bool) {
	var m hkidMatch
	l1 := s[p]
	if !isLetter(l1) {
		return m, false
	}
	start := p
	prefix := []byte{l1 &^ 0x20}
	lower := l1 >= 'a'
	if p > 0 && isLetter(s[p-1]) {
		start = p - 1
		prefix = []byte{s[p-1] &^ 0x20, l1 &^ 0x20}
		lower = lower || s[p-1] >= 'a'
		if start > 0 && isLetter(s[start-1]) {
			return m, false // part of a word: "Room 123 456"
		}
	}
	if !boundaryBefore(s, start) {
		return m, false
	}
	i := p + 1
	seps := 0
	if n := sepLen(s, i); n > 0 {
		seps++
		i += n
	}
	var digits [6]byte
	k := 0
	for k < 6 && i < len(s) {
		c := s[i]
		n := sepLen(s, i)
		switch {
		case isDigit(c):
			digits[k] = c
			k++
			i++
		case n > 0 && k > 0 && i+n < len(s) && isDigit(s[i+n]) && seps < 6:
			seps++
			i += n
		default:
			goto done
		}
	}
done:
	if k != 6 || (i < len(s) && isDigit(s[i])) {
		return m, false
	}
	check, end, bracketed := checkAfter(s, i)
	if check == 0 {
		check, end = columnCheck(s, i)
		if check == 0 {
			return m, false
		}
		seps++
	}
	if seps == 0 || !boundaryAfter(s, end) {
		return m, false
	}
	var buf [8]byte
	nb := copy(buf[:], prefix)
	nb += copy(buf[nb:], digits[:])
	body := string(buf[:nb])
	if hkidCheckDigit(body) != check {
		return hkidMatch{start: start, end: end}, true
	}
	return hkidMatch{start: start, end: end, body: body, check: check, issued: issuedPrefix(prefix),
		lower: lower, bracketed: bracketed, valid: true}, true
}

// columnCheck reads a check character standing alone in the next cell of
// a delimited row after s[i]: `,3`, `\t3`, `;3`, ` | 3 |`, `","3"`.
func columnCheck(s string, i int) (byte, int) {
	at := func(j int) byte {
		if j < len(s) {
			return s[j]
		}
		return 0
	}
	j := i
	quoted := at(j) == '"'
	if quoted {
		j++
	}
	for at(j) == ' ' {
		j++
	}
	switch at(j) {
	case ',', '\t', ';', '|':
		j++
	default:
		return 0, 0
	}
	for at(j) == ' ' {
		j++
	}
	if quoted {
		if at(j) != '"' {
			return 0, 0
		}
		j++
	}
	c := at(j)
	if !isCheckChar(c) {
		return 0, 0
	}
	j++
	if quoted {
		if at(j) != '"' {
			return 0, 0
		}
		j++
	}
	switch at(j) {
	case 0, ',', '\t', ';', '|', '\n', '\r', ' ':
		return upper(c), j
	}
	return 0, 0
}

// peopleWords in a table's header row say that its rows are people.
var peopleWords = []string{
	"name", "customer", "client", "member", "staff", "employee", "patient", "tenant",
	"student", "contact", "holder", "applicant", "owner", "guest", "passenger", "hkid",
	"mobile", "phone", "birth", "passport",
	"姓名", "名字", "客戶", "客户", "會員", "会员", "員工", "员工", "職員", "职员", "病人", "患者",
	"租戶", "租户", "學生", "学生", "聯絡人", "联系人", "業主", "业主", "住戶", "住户",
	"身份證", "身份证", "證件", "证件", "電話", "电话", "手機", "手机", "出生",
}

// peopleTable reports whether text[pos] stands in a row of a delimited table
// (CSV, TSV, markdown or pipe-aligned) whose header row names people. memo
// caches the verdict per header row.
func peopleTable(text string, pos int, memo map[int]bool) bool {
	ls := strings.LastIndexByte(text[:pos], '\n') + 1
	le := strings.IndexByte(text[pos:], '\n')
	if le < 0 {
		le = len(text)
	} else {
		le += pos
	}
	line := text[ls:le]
	delim, best := byte(0), 1
	for _, d := range []byte{',', '\t', '|', ';'} {
		if n := strings.Count(line, string(d)); n > best {
			delim, best = d, n
		}
	}
	if delim == 0 {
		return false
	}
	// Walk up while the lines are rows of the same table.
	top := ls
	for rows := 0; top > 0 && rows < 200 && ls-top < 64<<10; rows++ {
		prev := strings.LastIndexByte(text[:top-1], '\n') + 1
		if strings.Count(text[prev:top-1], string(delim)) < 2 {
			break
		}
		top = prev
	}
	if v, ok := memo[top]; ok {
		return v
	}
	he := strings.IndexByte(text[top:], '\n')
	if he < 0 {
		he = len(text) - top
	}
	header := strings.ToLower(text[top : top+min(he, 4096)])
	v := false
	for _, w := range peopleWords {
		if strings.Contains(header, w) {
			v = true
			break
		}
	}
	memo[top] = v
	return v
}

// letterBefore reads backwards from the bracket of a check character at
// s[paren] over an optional space, six digits with single spaces or
// hyphens between them and an optional separator, and returns the offset of
// the prefix letter before them, or -1.
func letterBefore(s string, paren int) int {
	j := paren - 1
	if j >= 0 && s[j] == ' ' {
		j--
	} else if j >= 2 && s[j-2:j+1] == ideoSpace {
		j -= 3
	}
	k, seps := 0, 0
	for j >= 0 && k < 6 {
		switch c := s[j]; {
		case isDigit(c):
			k++
		case (c == ' ' || c == '-') && k > 0 && seps < 6:
			seps++
		case c == 0x80 && k > 0 && seps < 6 && j >= 2 && s[j-2:j+1] == ideoSpace:
			seps++
			j -= 2
		default:
			return -1
		}
		j--
	}
	if k != 6 || j < 0 {
		return -1
	}
	if s[j] == ' ' || s[j] == '-' {
		j--
	} else if j >= 2 && s[j-2:j+1] == ideoSpace {
		j -= 3
	}
	if j < 0 || !isLetter(s[j]) {
		return -1
	}
	return j
}
