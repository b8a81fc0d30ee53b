package classifiers

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalisation before classification. Text is read as a person reads it:
//
//   - zero-width characters (U+200B-U+200D, U+2060, U+FEFF) and soft
//     hyphens (U+00AD) are removed, so "病\u200b人\u200b" is "病人";
//   - NFKC: full-width letters and digits, mathematical alphanumerics,
//     circled, super- and subscript digits, ligatures, compatibility and
//     Kangxi-radical ideographs read as their plain forms. CJK full-width
//     punctuation (，：（）) and the ideographic space stay as written:
//     the dictionaries and the HKID scanner read them natively;
//   - decimal digits of other scripts and Cyrillic/Greek look-alike
//     letters in an identifier's prefix read as ASCII, and combining marks
//     over ASCII letters and digits are dropped (fold.go);
//   - Han numerals in an identifier's digits read as ASCII digits:
//     "A一二三四五六(三)" is "A123456(3)" (handigits.go);
//   - markdown emphasis and inline code are read as they render:
//     "A12**3456**(3)" is "A123456(3)", "~~x~~" and "`x`" are "x"; a lone
//     "*" (a footnote, a mask, a product) stays.
//
// Cost. Nothing is copied for text that needs none of this: the shared
// automaton walk (set.go) carries trigger patterns for every character that
// can change (normTriggers), and only segments where one fired are
// normalised and walked again. Samples found in normalised text are mapped
// back to offsets in the text as extracted (offsetMap).
//
// Separators inside identifiers ("A 123 456 (3)", "A-123456-3", a check
// digit in the next CSV column) are the HKID scanner's business (hkid.go):
// they are not removed here, so "Room 12-3" stays what it is.

// normTriggers are the byte strings whose presence sends a segment through
// normalizeText. Some are lead bytes of a block, not whole characters.
var normTriggers = []string{
	"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", // invisible
	"\u00a0",                                         // no-break space
	"\u00b2", "\u00b3", "\u00b9", "\u00aa", "\u00ba", // superscripts
	"\xe2\x81", "\xe2\x82", // U+2040-U+209F super/subscripts
	"\xe2\x84",             // U+2100-U+213F letterlike: K (Kelvin), ℍ, ℳ, ℕ read as K, H, M, N
	"\xe2\x85", "\xe2\x86", // U+2140-U+21BF number forms, Roman numerals
	"\xe2\x91", "\xe2\x92", "\xe2\x93", // U+2440-U+24FF enclosed alphanumerics
	"\xe2\xbc", "\xe2\xbd", "\xe2\xbe", "\xe2\xbf", // Kangxi radicals
	"\xef\xa4", "\xef\xa5", "\xef\xa6", "\xef\xa7", "\xef\xa8", "\xef\xa9", "\xef\xaa", "\xef\xab", // CJK compatibility ideographs
	"\xef\xac", // ligatures
	"\xf0\x9d\x90", "\xf0\x9d\x91", "\xf0\x9d\x92", "\xf0\x9d\x93", "\xf0\x9d\x94", "\xf0\x9d\x95", "\xf0\x9d\x96", "\xf0\x9d\x97",
	"\xf0\x9d\x98", "\xf0\x9d\x99", "\xf0\x9d\x9a", "\xf0\x9d\x9b", "\xf0\x9d\x9c", "\xf0\x9d\x9d", "\xf0\x9d\x9e", "\xf0\x9d\x9f", // mathematical alphanumerics
	"\xf0\x9f\x84", "\xf0\x9f\x85", "\xf0\x9f\x86", // enclosed alphanumeric supplement
	"*", // markdown emphasis
	// Not "~", "_" or "`": each byte the automaton reads costs a byte
	// class, and three more pushed the table past 128 classes, doubling
	// it (15% of the walk's speed, measured). Strikethrough and underscore
	// emphasis are read only in segments normalised for another reason;
	// the HKID scanner reads through backticks itself.
	// Full-width letters and digits are already HKID prefilter patterns
	// (set.go); they trigger normalisation too.
}

// maxTriggerLen is the longest trigger pattern ("a 一": hanTriggers).
const maxTriggerLen = 5

// offsetPoint says that from byte out of the normalised text on, bytes
// correspond to the original text from byte in on.
type offsetPoint struct{ out, in int32 }

// offsetMap maps offsets in normalised text back to the original.
type offsetMap []offsetPoint

func (m offsetMap) original(off int) int {
	i := sort.Search(len(m), func(i int) bool { return int(m[i].out) > off }) - 1
	if i < 0 {
		return off
	}
	o := int(m[i].in) + off - int(m[i].out)
	if i+1 < len(m) && o > int(m[i+1].in) {
		o = int(m[i+1].in) // inside a replacement longer than what it replaced
	}
	return o
}

// normBuilder writes normalised text and records where it diverges.
type normBuilder struct {
	b    strings.Builder
	m    offsetMap
	src  string
	runs []cleanRun
}

// cleanRun is a span of the output copied unchanged from the input.
type cleanRun struct{ out, in, n int }

// copyFrom appends src[i:j] unchanged.
func (w *normBuilder) copyFrom(i, j int) {
	if j <= i {
		return
	}
	w.mark(i)
	out := w.b.Len()
	if k := len(w.runs) - 1; k >= 0 && w.runs[k].out+w.runs[k].n == out && w.runs[k].in+w.runs[k].n == i {
		w.runs[k].n += j - i
	} else {
		w.runs = append(w.runs, cleanRun{out: out, in: i, n: j - i})
	}
	w.b.WriteString(w.src[i:j])
}

// put appends replacement text for src[i:...].
func (w *normBuilder) put(i int, s string) {
	w.mark(i)
	w.b.WriteString(s)
}

func (w *normBuilder) mark(i int) {
	out := int32(w.b.Len())
	if n := len(w.m); n > 0 && int(w.m[n-1].in)+int(out-w.m[n-1].out) == i {
		return // still in step
	}
	if n := len(w.m); n > 0 && w.m[n-1].out == out {
		w.m[n-1].in = int32(i)
		return
	}
	w.m = append(w.m, offsetPoint{out: out, in: int32(i)})
}

// normalizeText returns s normalised (see above) and the map back to s.
func normalizeText(s string) (string, offsetMap) {
	t, m, _ := normalizeAt(s, nil)
	return t, m
}

// normalizeAt is normalizeText reading only around triggers: the sorted
// offsets where the shared walk saw a trigger pattern (nil: read all of
// s). Between triggers the text is copied as it is; from a trigger on it
// is read character by character while characters normalisation may
// change follow. It also returns the spans copied unchanged (for splice).
func normalizeAt(s string, triggers []int) (string, offsetMap, []cleanRun) {
	w := &normBuilder{src: s}
	w.b.Grow(len(s))
	w.m = append(w.m, offsetPoint{})
	var closers map[int]int // markdown closing delimiters to drop: offset -> length
	scanAll := triggers == nil
	active := 0   // in trigger mode, characters before this offset are read one by one
	hanUntil := 0 // Han numerals before this offset are an identifier's digits
	nextStop := func(i int) int {
		// A trigger passed while reading character by character still
		// covers its own bytes ("a一" read up to the letter only).
		for len(triggers) > 0 && triggers[0] < i {
			active = max(active, triggers[0]+maxTriggerLen)
			triggers = triggers[1:]
		}
		if i < active {
			return i
		}
		j := len(s)
		if len(triggers) > 0 {
			j = triggers[0]
		}
		for k := range closers {
			if k >= i && k < j {
				j = k
			}
		}
		return j
	}
	for i := 0; i < len(s); {
		if n, ok := closers[i]; ok {
			delete(closers, i)
			i += n
			active = max(active, i+1)
			continue
		}
		if !scanAll && i >= active {
			if j := nextStop(i); j > i {
				w.copyFrom(i, j)
				i = j
				continue
			}
			active = max(active, i+maxTriggerLen)
		}
		c := s[i]
		if j := keepRun(s, i, hanUntil); j > i {
			if !scanAll {
				j = min(j, max(active, i+1))
			}
			// ASCII without markdown delimiters, CJK punctuation, kana and
			// Han (U+3000-U+9FFF): copied as one run.
			if len(closers) > 0 {
				for k := range closers {
					if k > i && k < j {
						j = k
					}
				}
			}
			w.copyFrom(i, j)
			i = j
			continue
		}
		if c < utf8.RuneSelf {
			if c == '*' || c == '~' || c == '_' || c == '`' {
				if n, close := emphasisAt(s, i); n > 0 {
					if closers == nil {
						closers = map[int]int{}
					}
					closers[close] = n
					i += n
					active = max(active, i+1)
					continue
				}
			}
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && s[j] != '*' && s[j] != '~' && s[j] != '_' && s[j] != '`' {
				j++
			}
			if len(closers) > 0 {
				for k := range closers {
					if k > i && k < j {
						j = k
					}
				}
			}
			if !scanAll {
				j = min(j, max(active, i+1))
			}
			w.copyFrom(i, j)
			i = j
			continue
		}
		active = max(active, i+utf8.UTFMax+1)
		r, size := utf8.DecodeRuneInString(s[i:])
		if d := hanDigit(r); d != 0 {
			// A Han numeral in an identifier's digits (handigits.go).
			if i >= hanUntil {
				if e := hanIdentifierEnd(s, i, w.b.String()); e > i {
					hanUntil = e
					active = max(active, hanUntil)
				}
			}
			if i < hanUntil {
				w.put(i, string(rune(d)))
				i += size
				continue
			}
		}
		switch {
		case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF || r == 0x00AD:
			i += size
			continue
		case markOverAlnum(s, i, r):
			// A combining mark over an ASCII letter or digit (fold.go).
			i += size
			continue
		case r >= 0x3000 && r <= 0x9FFF, r >= 0xAC00 && r <= 0xD7A3:
			// CJK punctuation, kana, Han, Hangul syllables: as written
			// (compatibility forms in U+3200-U+33FF are left too).
			w.copyFrom(i, i+size)
			i += size
			continue
		case r >= 0xFF01 && r <= 0xFF5E:
			if c := byte(r - 0xFF01 + 0x21); isDigit(c) || isLetter(c) {
				w.put(i, string(rune(c)))
			} else {
				w.copyFrom(i, i+size) // full-width punctuation as written
			}
			i += size
			continue
		case r == utf8.RuneError && size == 1:
			w.copyFrom(i, i+1)
			i++
			continue
		}
		if c := foldAt(s, i, r, size); c != 0 {
			// Other scripts' digits, look-alike prefix letters (fold.go).
			w.put(i, string(rune(c)))
			i += size
			continue
		}
		n := norm.NFKC.NextBoundaryInString(s[i:], true)
		if n <= 0 {
			n = size
		}
		chunk := s[i : i+n]
		if norm.NFKC.IsNormalString(chunk) {
			w.copyFrom(i, i+n)
		} else {
			w.put(i, norm.NFKC.String(chunk))
		}
		i += n
	}
	// The end maps to the end: offsets inside a final replacement stay in
	// the original text.
	w.m = append(w.m, offsetPoint{out: int32(w.b.Len()), in: int32(len(s))})
	return w.b.String(), w.m, w.runs
}

// splice returns the automaton hits of t (s normalised, with the clean runs
// of normalizeAt) without walking all of t: a hit of s whose bytes and the
// context its checks read (4 bytes either side) lie in one clean run is a
// hit of t, shifted; t is walked again only around what changed. The
// result is what a.scanWith(t) returns (TestSpliceMatchesFullWalk).
func (a *automaton) splice(s, t string, hs []hit, runs []cleanRun, dst []hit) []hit {
	const ctx = 8 // what report reads around a match: 6 digits ahead (digitsFrom), 3 bytes behind (runStart)
	// Changed spans of t: between and around the clean runs.
	type span struct{ from, to int }
	var walk []span // end offsets (last byte) to report, merged
	addDirty := func(ds, de int) {
		from, to := max(0, ds-ctx), min(len(t), de+a.maxLen+ctx)
		if n := len(walk); n > 0 && from <= walk[n-1].to {
			walk[n-1].to = max(walk[n-1].to, to)
			return
		}
		walk = append(walk, span{from, to})
	}
	prevOut, prevIn := 0, 0
	for _, r := range runs {
		if r.out != prevOut || r.in != prevIn {
			addDirty(prevOut, r.out)
		}
		prevOut, prevIn = r.out+r.n, r.in+r.n
	}
	if prevOut != len(t) || prevIn != len(s) {
		addDirty(prevOut, len(t))
	}
	// Walked spans' hits, in order; kept hits of s in between.
	ri, wi := 0, 0
	inWalk := func(last int) bool {
		for wi < len(walk) && walk[wi].to <= last {
			wi++
		}
		return wi < len(walk) && walk[wi].from <= last
	}
	var lanes laneBufs
	emitted := 0 // walk spans already appended
	for _, h := range hs {
		// The run holding h with its context, if any.
		lo, hi := max(0, int(h.start)-ctx), min(len(s), int(h.end)+ctx)
		for ri < len(runs) && runs[ri].in+runs[ri].n < hi {
			ri++
		}
		if ri == len(runs) || runs[ri].in > lo {
			continue
		}
		r := runs[ri]
		if lo == 0 && r.out != 0 || hi == len(s) && r.out+r.n != len(t) {
			continue // a text edge in s is not one in t
		}
		d := int32(r.out - r.in)
		nh := hit{id: h.id, start: h.start + d, end: h.end + d}
		last := int(nh.end) - 1
		if inWalk(last) {
			continue
		}
		for emitted < len(walk) && walk[emitted].to <= last {
			dst = a.scanSpan(t, walk[emitted].from, walk[emitted].to, dst, &lanes)
			emitted++
		}
		dst = append(dst, nh)
	}
	for ; emitted < len(walk); emitted++ {
		dst = a.scanSpan(t, walk[emitted].from, walk[emitted].to, dst, &lanes)
	}
	return dst
}

// afterAlnum reports whether s[:j] ends with an ASCII or full-width letter
// or digit, or an ASCII one and a space.
func afterAlnum(s string, j int) bool {
	if j > 1 && s[j-1] == ' ' {
		j--
	}
	return j > 0 && isASCIIAlnum(s[j-1]) || j >= 3 && fullWidthAlnum(s[j-3:j])
}

// keepRun returns the end of the run from s[i] that normalisation leaves
// as it is: ASCII other than '*', '~' and '_', and whole three-byte
// characters with lead bytes E3-E9 (U+3000-U+9FFF: CJK punctuation and the
// ideographic space, kana, Han), which the classifiers read as written.
// It stops at a Han numeral after an ASCII letter or digit, or before
// hanUntil, which may be an identifier's digit (handigits.go).
func keepRun(s string, i, hanUntil int) int {
	j := i
	for j < len(s) {
		c := s[j]
		switch {
		case c < utf8.RuneSelf:
			if c == '*' || c == '~' || c == '_' || c == '`' {
				return j
			}
			j++
		case c >= 0xE3 && c <= 0xE9 && j+2 < len(s) && s[j+1]&0xC0 == 0x80 && s[j+2]&0xC0 == 0x80:
			if (j < hanUntil || afterAlnum(s, j)) && hanDigit(rune(c&0x0F)<<12|rune(s[j+1]&0x3F)<<6|rune(s[j+2]&0x3F)) != 0 {
				return j // maybe an identifier's digit (handigits.go)
			}
			j += 3
		default:
			return j
		}
	}
	return j
}

// emphasisAt reports whether s[i] opens markdown emphasis (a run of 1-3
// '*', 2 '~' or 1-2 '_') or an inline code span (1-2 '`') with a matching
// closer on the same line; it
// returns the delimiter length and the closer's offset. CommonMark's
// flanking rules in short: the opener is followed and the closer preceded
// by a non-space; '_' does not open or close inside a word.
func emphasisAt(s string, i int) (n, close int) {
	c := s[i]
	if i > 0 && s[i-1] == c {
		return 0, 0 // inside a longer run already judged
	}
	for n = 1; i+n < len(s) && s[i+n] == c; n++ {
	}
	switch {
	case c == '*' && n > 3, c == '~' && n != 2, c == '_' && n > 2, c == '`' && n > 2:
		return 0, 0
	}
	from := i + n
	if from >= len(s) || isSpace(s[from]) {
		return 0, 0
	}
	if c == '_' && i > 0 && isASCIIAlnum(s[i-1]) {
		return 0, 0
	}
	end := min(len(s), from+512)
	for j := from + 1; j < end; j++ {
		b := s[j]
		if b == '\n' {
			return 0, 0
		}
		if b != c {
			continue
		}
		k := j
		for k < len(s) && s[k] == c {
			k++
		}
		if k-j == n && !isSpace(s[j-1]) && (c != '_' || k >= len(s) || !isASCIIAlnum(s[k])) {
			return n, j
		}
		j = k - 1
	}
	return 0, 0
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// normOrigin marks the origin of a normalised segment while classifiers
// run, so samples found in it can be mapped back (see restoreOffsets).
const normMark = "\x00norm:"

func normOrigin(origin string, seg int) string {
	return origin + normMark + strconv.Itoa(seg)
}

// restoreOffsets maps the samples of normalised segments back to their
// segment's origin and original offsets.
func restoreOffsets(fs []Finding, maps map[int]offsetMap) {
	for fi := range fs {
		for si, sg := range fs[fi].Signals {
			if k := strings.Index(sg, normMark); k >= 0 {
				e := k + len(normMark)
				for e < len(sg) && sg[e] >= '0' && sg[e] <= '9' {
					e++
				}
				fs[fi].Signals[si] = sg[:k] + sg[e:]
			}
		}
		for si := range fs[fi].Samples {
			sm := &fs[fi].Samples[si]
			k := strings.Index(sm.Origin, normMark)
			if k < 0 {
				continue
			}
			seg, err := strconv.Atoi(sm.Origin[k+len(normMark):])
			sm.Origin = sm.Origin[:k]
			if err == nil {
				sm.Offset = maps[seg].original(sm.Offset)
			}
		}
	}
}
