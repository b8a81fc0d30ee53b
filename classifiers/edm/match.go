package edm

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
)

// Matching. Each segment is cut into tokens (runs of letters and digits,
// Han runs apart); from every token start the matcher forms the candidate
// spans a cell's canonical form can take: up to four words joined by
// spaces, up to four groups joined into a compact number or ID, Han
// substrings of two to four characters, e-mail addresses around each '@'
// (only the shapes the index holds). Each candidate is hashed with the
// index's key and looked up; a hit names rows and a column. A row counts
// once two different columns of it are hit within nearBytes of each
// other in one segment.

const (
	// nearBytes is how close two fields of a row must be: a CSV or table
	// row, a JSON record, a line of a letter.
	nearBytes = 512
	// maxRowsPerValue: a value shared by more rows (a common surname,
	// "n/a") says nothing about which row is present and is ignored.
	maxRowsPerValue = 64
	maxSamples      = 10
)

// Set matches uploads against one or more indexes; it is a classifiers.Set
// whose findings are named "edm:NAME".
type Set struct {
	indexes []*Index
}

// NewSet returns a Set over indexes.
func NewSet(indexes ...*Index) *Set { return &Set{indexes: indexes} }

// ClassifierName is how rules name an index: "edm:NAME".
func ClassifierName(index string) string { return "edm:" + index }

type tokKind uint8

const (
	tokWord tokKind = iota // letters only
	tokNum                 // holds a digit
	tokHan
)

type token struct {
	start, end int // byte span in the segment
	kind       tokKind
	ascii      bool  // the span is ASCII: its text is its lower case
	text       int32 // otherwise: its index in the texts of the segment: lower case, NFKC, invisible characters removed (not for Han)
}

// appendText appends t's matching text to b.
func appendText(b []byte, s string, texts []string, t token) []byte {
	if !t.ascii {
		return append(b, texts[t.text]...)
	}
	for i := t.start; i < t.end; i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// scratch holds buffers reused across segments.
type scratch struct {
	buf    []byte
	rs     [][2]int
	toks   []token
	texts  []string   // normalised text of the non-ASCII tokens
	hitsBy [][]hitRec // per index
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

type hitRec struct {
	off, end int
	row      uint32
	col      uint8
}

// Classify implements classifiers.Set.
func (s *Set) Classify(ctx context.Context, segs []extract.Segment) []classifiers.Finding {
	if len(s.indexes) == 0 {
		return nil
	}
	var out []classifiers.Finding
	type state struct {
		matched []uint32
		seen    map[uint32]bool
		f       classifiers.Finding
		pairs   map[string]bool
	}
	st := make([]state, len(s.indexes))
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	toks := sc.toks[:0]
	defer func() { sc.toks = toks[:0] }()
	for _, sg := range segs {
		if ctx.Err() != nil {
			return nil
		}
		if len(sc.hitsBy) < len(s.indexes) {
			sc.hitsBy = make([][]hitRec, len(s.indexes))
		}
		for xi := range s.indexes {
			sc.hitsBy[xi] = sc.hitsBy[xi][:0]
		}
		// Tokens are made and looked up a chunk of lines at a time (no
		// candidate spans a newline), so the token buffer stays small.
		text := sg.Text
		for lo := 0; lo < len(text); {
			hi := chunkEnd(text, lo)
			toks, sc.texts = tokenize(text, lo, hi, toks[:0], sc.texts[:0])
			for xi, x := range s.indexes {
				sc.hitsBy[xi] = x.candidates(text, toks, sc, sc.hitsBy[xi])
			}
			lo = hi
		}
		for xi, x := range s.indexes {
			hits := x.emails(text, sc, sc.hitsBy[xi])
			sc.hitsBy[xi] = hits
			if len(hits) < 2 {
				continue
			}
			z := &st[xi]
			if z.seen == nil {
				z.seen, z.pairs = map[uint32]bool{}, map[string]bool{}
			}
			x.sweep(sg, hits, func(row uint32, a, b hitRec) {
				if z.seen[row] {
					return
				}
				z.seen[row] = true
				z.matched = append(z.matched, row)
				ca, cb := x.columns[a.col], x.columns[b.col]
				if ca > cb {
					ca, cb = cb, ca
				}
				z.pairs[ca+"+"+cb] = true
				if len(z.f.Samples) < maxSamples {
					z.f.Samples = append(z.f.Samples, classifiers.Sample{
						Masked: x.columns[a.col] + " " + mask(sg.Text[a.off:a.end]) + ", " + x.columns[b.col] + " " + mask(sg.Text[b.off:b.end]),
						Origin: sg.Origin, Offset: min(a.off, b.off),
					})
				}
			})
		}
	}
	for xi, x := range s.indexes {
		z := &st[xi]
		if len(z.matched) == 0 {
			continue
		}
		f := z.f
		f.Classifier = ClassifierName(x.name)
		f.Count = len(z.matched)
		f.Confidence = classifiers.High
		f.Signals = []string{fmt.Sprintf("edm:%s rows=%d", x.name, f.Count)}
		pairs := make([]string, 0, len(z.pairs))
		for p := range z.pairs {
			pairs = append(pairs, p)
		}
		sort.Strings(pairs)
		for i, p := range pairs {
			if i == 4 {
				break
			}
			f.Signals = append(f.Signals, "columns:"+p)
		}
		keys := make([]uint64, len(z.matched))
		for i, r := range z.matched {
			keys[i] = uint64(r)
		}
		f.Keys = keys
		out = append(out, f)
	}
	return out
}

// sweep reports each row with two different columns hit within nearBytes.
func (x *Index) sweep(sg extract.Segment, hits []hitRec, found func(row uint32, a, b hitRec)) {
	slices.SortStableFunc(hits, func(a, b hitRec) int { return a.off - b.off })
	last := map[uint32]hitRec{}
	for _, h := range hits {
		p, ok := last[h.row]
		if ok && p.col != h.col && h.off-p.off <= nearBytes {
			found(h.row, p, h)
		}
		last[h.row] = h
	}
}

// commonHan reports whether s starts with a well-formed character of
// U+4E00..U+9FFF (CJK Unified Ideographs: Han, NFKC-stable, visible), read
// from its bytes without decoding.
func commonHan(s string) bool {
	if len(s) < 3 || s[1]&0xC0 != 0x80 || s[2]&0xC0 != 0x80 {
		return false
	}
	c := s[0]
	return c >= 0xE5 && c <= 0xE9 || c == 0xE4 && s[1] >= 0xB8
}

func isInvisible(r rune) bool { return dropInvisible(r) < 0 }

// chunkBytes is about how much text is tokenised at once.
const chunkBytes = 32 << 10

// chunkEnd is where the chunk of text starting at lo ends: just after the
// first newline at least chunkBytes on, or the end of text.
func chunkEnd(text string, lo int) int {
	if len(text)-lo <= chunkBytes {
		return len(text)
	}
	k := strings.IndexByte(text[lo+chunkBytes:], '\n')
	if k < 0 {
		return len(text)
	}
	return lo + chunkBytes + k + 1
}

// tokenize cuts s[lo:hi] into tokens (offsets in s).
func tokenize(s string, lo, hi int, dst []token, texts []string) ([]token, []string) {
	for i := lo; i < hi; {
		c := s[i]
		if c < utf8.RuneSelf && !isASCIIAlnum(c) {
			i++
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		han := isHan(r)
		if !han && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			i += size
			continue
		}
		start, ascii, digit := i, c < utf8.RuneSelf, unicode.IsDigit(r)
		i += size
		for i < hi {
			c := s[i]
			if c < utf8.RuneSelf {
				if han || !isASCIIAlnum(c) {
					break
				}
				digit = digit || c <= '9'
				i++
				continue
			}
			if han && commonHan(s[i:]) {
				ascii = false
				i += 3
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if isInvisible(r) {
				ascii = false
				i += size
				continue
			}
			if han && r >= 0x4E00 && r <= 0x9FFF {
				ascii = false
				i += size
				continue
			}
			if h := isHan(r); h != han || !h && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			ascii = false
			if !han { // Han characters are never digits
				digit = digit || unicode.IsDigit(r)
			}
			i += size
		}
		t := token{start: start, end: i, kind: tokWord, ascii: ascii}
		switch {
		case han:
			t.kind = tokHan
		case digit:
			t.kind = tokNum
		}
		if !ascii && !han {
			txt := strings.ToLower(strings.Map(dropInvisible, norm.NFKC.String(s[start:i])))
			t.text = int32(len(texts))
			texts = append(texts, txt)
			if t.kind == tokWord && strings.IndexFunc(txt, unicode.IsDigit) >= 0 {
				t.kind = tokNum
			}
		}
		dst = append(dst, t)
	}
	return dst, texts
}

// startOf is what the start filter holds for a canonical value: its first
// word or Han character ("" for other shapes, which the filter does not
// gate).
func startOf(canon string, shape uint8) string {
	switch shape {
	case shapeWords:
		w, _, _ := strings.Cut(canon, " ")
		return w
	case shapeHan:
		_, n := utf8.DecodeRuneInString(canon)
		return canon[:n]
	}
	return ""
}

func isASCIIAlnum(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 26
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// gapOK reports whether s (between two tokens) may join them: short and
// made only of allowed bytes.
func gapOK(s string, allowed string) bool {
	if len(s) == 1 && s[0] == ' ' {
		return true
	}
	if len(s) == 0 || len(s) > 3 {
		return len(s) == 0
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(allowed, s[i]) < 0 {
			return false
		}
	}
	return true
}

const (
	wordGap    = " -.'*_~`" // markdown emphasis and code marks too
	compactGap = " -()+./*_~`"
)

// candidates hashes every candidate span of the segment and appends the
// index hits to dst.
func (x *Index) candidates(s string, toks []token, sc *scratch, dst []hitRec) []hitRec {
	look := func(b []byte, off, end int) {
		lo, hi := x.lookup(x.hash(b))
		if hi-lo > maxRowsPerValue {
			return
		}
		for e := lo; e < hi; e++ {
			ref := x.refs[e]
			dst = append(dst, hitRec{off: off, end: end, row: ref >> 4, col: uint8(ref & 15)})
		}
	}
	b := sc.buf[:0]
	for i, t := range toks {
		switch t.kind {
		case tokHan:
			if x.shapes&shapeHan == 0 {
				continue
			}
			// Substrings of 2..maxHan characters starting at each
			// (visible) character, with their offsets as written.
			rs := sc.rs[:0] // start, end in s of each visible character
			for p := t.start; p < t.end; {
				if commonHan(s[p:]) {
					rs = append(rs, [2]int{p, p + 3})
					p += 3
					continue
				}
				r, sz := utf8.DecodeRuneInString(s[p:])
				if !isInvisible(r) {
					rs = append(rs, [2]int{p, p + sz})
				}
				p += sz
			}
			sc.rs = rs
			for a := range rs {
				if !x.mayStart([]byte(s[rs[a][0]:rs[a][1]])) {
					continue
				}
				b = b[:0]
				for n := 0; n < maxHan && a+n < len(rs); n++ {
					if ch := s[rs[a+n][0]:rs[a+n][1]]; ch >= "\u3400" && ch <= "\u9fff" {
						b = append(b, ch...) // NFKC-stable
					} else {
						b = norm.NFKC.AppendString(b, ch)
					}
					if n >= 1 {
						look(b, rs[a][0], rs[a+n][1])
					}
				}
			}
		default:
			if x.shapes&shapeWords != 0 && t.kind == tokWord && x.mayStart(appendText(b[:0], s, sc.texts, t)) {
				b = b[:0]
				for j := i; j < len(toks) && j < i+maxTokens; j++ {
					u := toks[j]
					if u.kind != tokWord || j > i && !gapOK(s[toks[j-1].end:u.start], wordGap) {
						break
					}
					if j > i {
						b = append(b, ' ')
					}
					b = appendText(b, s, sc.texts, u)
					if len(b) >= minBytes {
						look(b, t.start, u.end)
					}
				}
			}
			if x.shapes&shapeCompact != 0 && numWithin(toks[i:]) {
				b = b[:0]
				digits := false
				for j := i; j < len(toks) && j < i+maxTokens; j++ {
					u := toks[j]
					if u.kind == tokHan || j > i && !gapOK(s[toks[j-1].end:u.start], compactGap) {
						break
					}
					b = appendText(b, s, sc.texts, u)
					digits = digits || u.kind == tokNum
					if !digits {
						continue
					}
					c := b
					if allDigitBytes(c) {
						c = stripCountryBytes(c)
					}
					if len(c) >= 5 {
						look(c, t.start, u.end)
					}
				}
			}
		}
	}
	sc.buf = b
	return dst
}

// emails hashes the e-mail addresses around each '@' of s and appends
// the index hits to dst.
func (x *Index) emails(s string, sc *scratch, dst []hitRec) []hitRec {
	look := func(b []byte, off, end int) {
		lo, hi := x.lookup(x.hash(b))
		if hi-lo > maxRowsPerValue {
			return
		}
		for e := lo; e < hi; e++ {
			ref := x.refs[e]
			dst = append(dst, hitRec{off: off, end: end, row: ref >> 4, col: uint8(ref & 15)})
		}
	}
	b := sc.buf[:0]
	if x.shapes&shapeEmail != 0 {
		for i := 0; i < len(s); {
			k := strings.IndexByte(s[i:], '@')
			if k < 0 {
				break
			}
			at := i + k
			lo, hi := at, at+1
			for lo > 0 && emailLocal(s[lo-1]) {
				lo--
			}
			for hi < len(s) && emailDomain(s[hi]) {
				hi++
			}
			for hi > at+1 && s[hi-1] == '.' {
				hi--
			}
			if lo < at && strings.IndexByte(s[at+1:hi], '.') > 0 {
				b = append(b[:0], asciiLower(s[lo:hi])...)
				look(b, lo, hi)
			}
			i = at + 1
		}
	}
	sc.buf = b
	return dst
}

// numWithin reports whether one of the first maxTokens tokens of toks,
// before any Han token, holds a digit: only then can a compact candidate
// start at toks[0].
func numWithin(toks []token) bool {
	for j := 0; j < len(toks) && j < maxTokens; j++ {
		switch toks[j].kind {
		case tokNum:
			return true
		case tokHan:
			return false
		}
	}
	return false
}

func allDigitBytes(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// stripCountryBytes is stripCountry without allocating.
func stripCountryBytes(c []byte) []byte {
	switch {
	case len(c) == 11 && string(c[:3]) == "852":
		return c[3:]
	case len(c) == 13 && string(c[:2]) == "86":
		return c[2:]
	}
	return c
}

func emailLocal(c byte) bool  { return isASCIIAlnum(c) || strings.IndexByte("._%+-", c) >= 0 }
func emailDomain(c byte) bool { return isASCIIAlnum(c) || c == '.' || c == '-' }

// mask keeps the first character (and the domain of an e-mail address).
func mask(v string) string {
	if at := strings.IndexByte(v, '@'); at > 0 {
		r, n := utf8.DecodeRuneInString(v)
		return string(r) + strings.Repeat("*", min(max(at-n, 1), 6)) + v[at:]
	}
	r, n := utf8.DecodeRuneInString(v)
	rest := utf8.RuneCountInString(v[n:])
	return string(r) + strings.Repeat("*", min(max(rest, 2), 8))
}
