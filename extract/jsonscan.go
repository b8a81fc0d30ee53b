package extract

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON is walked by a hand-written scanner over the document string rather
// than encoding/json's token stream: Token allocates for every token (an
// interface value, a copied string, a path string), which made JSON the
// slowest text format by far. The scanner validates the document in one
// pass (validJSON, with encoding/json's grammar and nesting limit, so the
// same bodies count as JSON), then walks it in a second pass that assumes
// validity. Unescaped string values are emitted as substrings of the
// document; the origin path is built in one reused buffer and copied into
// a small arena chunk (textArena) only when something is emitted there.
// The output (segments, problems, time-budget checks) is that of the
// encoding/json walker, which jsonref_test.go keeps as the reference for
// the differential tests.

// jsonMaxNesting is encoding/json's nesting limit: a deeper document is not
// valid JSON to json.Valid, so it is not JSON here either.
const jsonMaxNesting = 10000

// jsonNode walks a JSON document, emitting every string value labelled with
// its path. A string value that is itself a JSON document is decoded and
// walked too. It returns false when text is not JSON.
func (w *walker) jsonNode(n node, text string) bool {
	values, ok := scanJSON(text)
	if !ok {
		return w.jsonLines(n, text)
	}
	// Most string values become a segment: size the slice once rather
	// than grow it through many copies, but never beyond the document's
	// own size in Segment headers (a body of "","",... must not reserve
	// gigabytes).
	if room := min(values, len(text)/32); cap(w.res.Segments)-len(w.res.Segments) < room {
		if w.res.Segments == nil {
			// Nothing emitted leaves Segments nil, as before.
			defer func() {
				if len(w.res.Segments) == 0 {
					w.res.Segments = nil
				}
			}()
		}
		w.res.Segments = slices.Grow(w.res.Segments, room)
	}
	j := jsonWalker{w: w, origin: jsonRoot(n.origin), arena: newTextArena(len(text))}
	j.value(text, 0, "", n.depth)
	return true
}

// jsonRoot is the origin path of a JSON document's root value found at
// origin ("json:$", "body>json:$"; inside a JSON string "...>$"), with
// room to grow as the walk descends.
func jsonRoot(origin string) []byte {
	var prefix string
	switch {
	case origin == "":
		prefix = "json:"
	case strings.Contains(origin, "json:"):
		prefix = origin + ">" // a JSON document inside a JSON string
	default:
		prefix = origin + ">json:"
	}
	return append(append(make([]byte, 0, len(prefix)+128), prefix...), '$')
}

// jsonlRoot sets dst to the origin path of line (1-based) of JSON Lines
// found at origin: "jsonl:3:$", "body>jsonl:3:$".
func jsonlRoot(dst []byte, origin string, line int) []byte {
	dst = dst[:0]
	if origin != "" {
		dst = append(append(dst, origin...), '>')
	}
	return append(append(strconv.AppendInt(append(dst, "jsonl:"...), int64(line), 10), ':'), '$')
}

// jsonLines walks JSON Lines (one document per line, as log exports and
// message dumps are written): every non-empty line must be JSON, else the
// body is not JSON Lines and is read as text. Origins read "jsonl:3:$.a".
func (w *walker) jsonLines(n node, text string) bool {
	lines := strings.Split(text, "\n")
	docs := 0
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if l[0] != '{' && l[0] != '[' || !validJSON(l) {
			return false
		}
		docs++
	}
	if docs < 2 {
		return false
	}
	j := jsonWalker{w: w, origin: make([]byte, 0, 128), arena: newTextArena(len(text))}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if w.expired() {
			return true
		}
		j.origin = jsonlRoot(j.origin, n.origin, i+1)
		// The line is walked as it stands, as a JSON decoder reads it:
		// after JSON whitespace it starts the document checked above,
		// unless other Unicode space (\v, U+00A0 ...) precedes it, which
		// strings.TrimSpace dropped but a decoder rejects.
		if k := skipJSONSpace(l, 0); l[k] == '{' || l[k] == '[' {
			j.value(l, k, "", n.depth)
		} else if w.tick() {
			panic(errStop)
		}
	}
	return true
}

// jsonWalker walks one valid JSON document. origin holds the origin of the
// value being walked (prefix and path); each step appends to it and cuts
// it back afterwards. The strings it emits that are not substrings of the
// document (origins, decoded strings, "key: 123") are carved from arena.
type jsonWalker struct {
	w       *walker
	origin  []byte
	arena   textArena
	scratch []byte // decoding buffer, copied to the arena
}

// textArena hands out strings carved from shared chunks: one allocation
// per chunk instead of one per origin or decoded string. It relies on
// strings.Builder only ever appending: a string returned by an earlier
// String() is never changed by later writes (a write that outgrows the
// buffer copies it, leaving the old one to the strings that use it).
type textArena struct {
	b     strings.Builder
	chunk int
}

// newTextArena sizes chunks for a document of n bytes: small documents
// get small chunks, large ones 2 KiB. Chunks stay small because a
// classifier finding keeps its segment's origin, and with it the chunk,
// for as long as the audit event lives.
func newTextArena(n int) textArena { return textArena{chunk: min(max(n, 256), 2<<10)} }

// reserve makes room for n more bytes in the current chunk.
func (a *textArena) reserve(n int) {
	if a.b.Cap()-a.b.Len() < n {
		a.b = strings.Builder{}
		a.b.Grow(max(n, a.chunk))
	}
}

// str returns the concatenation of parts as an arena string.
func (a *textArena) str(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	a.reserve(n)
	start := a.b.Len()
	for _, p := range parts {
		a.b.WriteString(p)
	}
	return a.b.String()[start:]
}

// bytes returns p as an arena string.
func (a *textArena) bytes(p []byte) string {
	a.reserve(len(p))
	start := a.b.Len()
	a.b.Write(p)
	return a.b.String()[start:]
}

// value walks the JSON value at or after s[i] (s is valid JSON there) and
// returns the offset just past it. key is the member name the value sits
// under (an array's own name for its elements): numbers are emitted as
// "key: 123" because a bare number means nothing to a classifier, while
// {"Total assets": 1204330} does.
func (j *jsonWalker) value(s string, i int, key string, depth int) int {
	if j.w.tick() {
		panic(errStop)
	}
	i = skipJSONSpace(s, i)
	switch s[i] {
	case '{':
		i = skipJSONSpace(s, i+1)
		if s[i] == '}' {
			return i + 1
		}
		for {
			k, end := j.quoted(s, i)
			mark := len(j.origin)
			j.origin = appendJSONKey(j.origin, k)
			if jsonKeyData(k) {
				// A member name can carry the data itself.
				j.w.emit(j.arena.str(string(j.origin), "#key"), k)
			}
			i = skipJSONSpace(s, end) // at ':'
			i = skipJSONSpace(s, j.value(s, i+1, k, depth))
			j.origin = j.origin[:mark]
			if s[i] == '}' {
				return i + 1
			}
			i = skipJSONSpace(s, i+1) // past ','
		}
	case '[':
		i = skipJSONSpace(s, i+1)
		if s[i] == ']' {
			return i + 1
		}
		for idx := 0; ; idx++ {
			mark := len(j.origin)
			j.origin = append(strconv.AppendInt(append(j.origin, '['), int64(idx), 10), ']')
			i = skipJSONSpace(s, j.value(s, i, key, depth))
			j.origin = j.origin[:mark]
			if s[i] == ']' {
				return i + 1
			}
			i++ // past ','
		}
	case '"':
		t, end := j.quoted(s, i)
		j.str(t, depth)
		return end
	case 't', 'n':
		return i + 4
	case 'f':
		return i + 5
	default:
		end, _ := scanJSONNumber(s, i)
		if key != "" {
			j.w.emitValid(j.arena.bytes(j.origin), j.arena.str(key, ": ", s[i:end]))
		}
		return end
	}
}

// str handles one string value t: nested JSON is walked below ">$", a
// base64 document is extracted as a file, anything else is text.
func (j *jsonWalker) str(t string, depth int) {
	s := trimSpace(t)
	if s == "" {
		return // blank text is never emitted
	}
	if (s[0] == '{' && s[len(s)-1] == '}' || s[0] == '[' && s[len(s)-1] == ']') && validJSON(s) {
		if depth+1 > j.w.lim.MaxDepth {
			origin := j.arena.bytes(j.origin)
			j.w.limit(origin, "nested JSON deeper than the nesting limit not inspected")
			j.w.emit(origin, t)
			return
		}
		mark := len(j.origin)
		j.origin = append(j.origin, ">$"...)
		j.value(s, 0, "", depth+1)
		j.origin = j.origin[:mark]
		return
	}
	origin := j.arena.bytes(j.origin)
	if j.w.base64Doc(origin, s, depth) {
		return
	}
	j.w.emitValid(origin, t) // quoted returns valid UTF-8
	j.w.textExtras(origin, t, depth, true)
}

// spaceEdge marks the bytes a Unicode space (as strings.TrimSpace sees
// them) can begin (bit 0) or end (bit 1) with.
var spaceEdge = func() (t [256]uint8) {
	var buf [utf8.UTFMax]byte
	for _, tab := range []*unicode.RangeTable{unicode.White_Space} {
		for _, r16 := range tab.R16 {
			for r := rune(r16.Lo); r <= rune(r16.Hi); r += rune(r16.Stride) {
				n := utf8.EncodeRune(buf[:], r)
				t[buf[0]] |= 1
				t[buf[n-1]] |= 2
			}
		}
		for _, r32 := range tab.R32 {
			for r := rune(r32.Lo); r <= rune(r32.Hi); r += rune(r32.Stride) {
				n := utf8.EncodeRune(buf[:], r)
				t[buf[0]] |= 1
				t[buf[n-1]] |= 2
			}
		}
	}
	return t
}()

// trimSpace is strings.TrimSpace, skipped for the usual value whose first
// and last bytes cannot belong to a space (TrimSpace decodes runes at
// both ends of any string that does not start with ASCII).
func trimSpace(t string) string {
	if t == "" || spaceEdge[t[0]]&1 == 0 && spaceEdge[t[len(t)-1]]&2 == 0 {
		return t
	}
	return strings.TrimSpace(t)
}

// appendJSONKey appends one path step: .name for plain keys, ["..."]
// otherwise (jsonKey, which allocates, only for the rare unplain key).
func appendJSONKey(b []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		if c := k[i]; !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return append(b, jsonKey(k)...)
		}
	}
	if k == "" {
		return append(b, jsonKey(k)...)
	}
	return append(append(b, '.'), k...)
}

// quoted returns the decoded value of the valid JSON string starting
// at s[i] (the quote) and the offset past its closing quote. It decodes as
// encoding/json does: invalid UTF-8 bytes each become U+FFFD, and so does
// a \u surrogate that is not half of a valid pair.
func (j *jsonWalker) quoted(s string, i int) (string, int) {
	// Short ASCII strings (keys, most values) end in this loop.
	k := i + 1
	for k+8 <= len(s) && !special8(load8(s, k)) && load8(s, k)&msb8 == 0 {
		k += 8
	}
	for jsonASCIIPlain[s[k]] {
		k++
	}
	if s[k] == '"' {
		return s[i+1 : k], k + 1
	}
	if s[k] != '\\' {
		q := k + strings.IndexByte(s[k:], '"')
		if strings.IndexByte(s[k:q], '\\') < 0 && utf8.ValidString(s[k:q]) {
			return s[i+1 : q], q + 1
		}
	}
	// Find the closing quote: the first one not escaped.
	end := i + 1
	for s[end] != '"' {
		if s[end] == '\\' {
			end++
		}
		end++
	}
	j.scratch = appendUnquoted(j.scratch[:0], s[i+1:end])
	return j.arena.bytes(j.scratch), end + 1
}

// appendUnquoted appends the decoded body of a valid JSON string that
// has escapes or invalid UTF-8 to b.
func appendUnquoted(b []byte, raw string) []byte {
	for r := 0; r < len(raw); {
		c := raw[r]
		switch {
		case c == '\\':
			rr, size := jsonEscape(raw[r:])
			if size == 0 { // not in a valid string: the byte as written
				b = append(b, raw[r+1])
				r += 2
				continue
			}
			b = utf8.AppendRune(b, rr)
			r += size
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			// Each byte of a bad sequence becomes U+FFFD, as in
			// encoding/json.
			rr, size := utf8.DecodeRuneInString(raw[r:])
			if rr == utf8.RuneError && size == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, raw[r:r+size]...)
			}
			r += size
		}
	}
	return b
}

// jsonEscape decodes the escape at the start of s ("\\n", "\\u00e9", a
// surrogate pair "\\ud83d\\ude00"): its rune and how many bytes it spans,
// size 0 when it is not a valid escape. A surrogate not in a pair is
// U+FFFD, as in encoding/json.
func jsonEscape(s string) (r rune, size int) {
	if len(s) < 2 {
		return 0, 0
	}
	switch c := s[1]; c {
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case '"', '\\', '/':
		return rune(c), 2
	case 'u':
		rr := hex4(s[2:min(len(s), 6)])
		if rr < 0 {
			return 0, 0
		}
		if utf16.IsSurrogate(rr) {
			rr1 := rune(-1)
			if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
				rr1 = hex4(s[8:12])
			}
			if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
				return dec, 12
			}
			return unicode.ReplacementChar, 6
		}
		return rr, 6
	}
	return 0, 0
}

// hex4 parses the four hex digits at the start of s, or returns -1.
func hex4(s string) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

func skipJSONSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// validJSON reports whether s is exactly one JSON value with optional
// surrounding whitespace, as json.Valid does (same grammar, bytes >= 0x80
// accepted inside strings whatever their UTF-8 validity, nesting up to
// jsonMaxNesting). It allocates only for documents nested deeper than 256.
func validJSON(s string) bool {
	_, ok := scanJSON(s)
	return ok
}

// scanJSON is validJSON that also counts the string values (not keys).
func scanJSON(s string) (values int, ok bool) {
	values, _, _, ok = scanJSONValue(s, false)
	return values, ok
}

// scanJSONPrefix checks the JSON value at the start of s and returns the
// offset past it and how deep it nests; ok is false when s does not start
// with a valid value complete inside s (malformed, or cut short).
func scanJSONPrefix(s string) (end, depth int, ok bool) {
	_, end, depth, ok = scanJSONValue(s, true)
	return end, depth, ok
}

// scanJSONValue scans one JSON value from the start of s: all of s
// (prefix false: nothing but white space may follow it) or up to its end
// (prefix true: end is the offset past it). maxDepth is its deepest
// nesting.
func scanJSONValue(s string, prefix bool) (values, end, maxDepth int, ok bool) {
	// objs has bit d set when the container at nesting d is an object;
	// it lives on the stack unless the document nests deeper than 256.
	var small [4]uint64
	objs := small[:]
	const (
		wantValue = iota
		wantKey
		afterValue
	)
	depth, state, i := 0, wantValue, 0
	for {
		if prefix && state == afterValue && depth == 0 {
			return values, i, maxDepth, true // the value ends here
		}
		i = skipJSONSpace(s, i)
		switch state {
		case wantValue:
			if i >= len(s) {
				return 0, 0, 0, false
			}
			switch c := s[i]; {
			case c == '{' || c == '[':
				if depth >= jsonMaxNesting {
					return 0, 0, 0, false
				}
				if depth/64 == len(objs) {
					objs = append(objs, 0)
				}
				if c == '{' {
					objs[depth/64] |= 1 << (depth % 64)
				} else {
					objs[depth/64] &^= 1 << (depth % 64)
				}
				depth++
				maxDepth = max(maxDepth, depth)
				i = skipJSONSpace(s, i+1)
				if i < len(s) && s[i] == c+2 { // '}' or ']'
					depth--
					i++
					state = afterValue
				} else if c == '{' {
					state = wantKey
				}
				continue
			case c == '"':
				if i, ok = scanJSONString(s, i); !ok {
					return 0, 0, 0, false
				}
				values++
			case c == 't':
				if !strings.HasPrefix(s[i:], "true") {
					return 0, 0, 0, false
				}
				i += 4
			case c == 'f':
				if !strings.HasPrefix(s[i:], "false") {
					return 0, 0, 0, false
				}
				i += 5
			case c == 'n':
				if !strings.HasPrefix(s[i:], "null") {
					return 0, 0, 0, false
				}
				i += 4
			case c == '-' || c >= '0' && c <= '9':
				if i, ok = scanJSONNumber(s, i); !ok {
					return 0, 0, 0, false
				}
			default:
				return 0, 0, 0, false
			}
			state = afterValue
		case wantKey:
			if i >= len(s) || s[i] != '"' {
				return 0, 0, 0, false
			}
			if i, ok = scanJSONString(s, i); !ok {
				return 0, 0, 0, false
			}
			i = skipJSONSpace(s, i)
			if i >= len(s) || s[i] != ':' {
				return 0, 0, 0, false
			}
			i++
			state = wantValue
		case afterValue:
			if depth == 0 {
				return values, i, maxDepth, i == len(s)
			}
			if i >= len(s) {
				return 0, 0, 0, false
			}
			obj := objs[(depth-1)/64]>>((depth-1)%64)&1 != 0
			switch s[i] {
			case ',':
				if obj {
					state = wantKey
				} else {
					state = wantValue
				}
			case '}':
				if !obj {
					return 0, 0, 0, false
				}
				depth--
			case ']':
				if obj {
					return 0, 0, 0, false
				}
				depth--
			default:
				return 0, 0, 0, false
			}
			i++
		}
	}
}

// jsonStringPlain marks the bytes a JSON string scan can step over
// without a closer look: not a quote, backslash or control character.
var jsonStringPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// jsonASCIIPlain is jsonStringPlain without the bytes >= 0x80.
var jsonASCIIPlain = func() (t [256]bool) {
	copy(t[:utf8.RuneSelf], jsonStringPlain[:utf8.RuneSelf])
	return t
}()

// scanJSONString checks the string starting at s[i] (the quote) and
// returns the offset past its closing quote.
func scanJSONString(s string, i int) (int, bool) {
	i++
	for {
		// Eight bytes at a time through plain text, then byte by byte
		// up to the byte that stopped it.
		for i+8 <= len(s) && !special8(load8(s, i)) {
			i += 8
		}
		for i < len(s) && jsonStringPlain[s[i]] {
			i++
		}
		if i >= len(s) {
			return 0, false
		}
		switch s[i] {
		case '"':
			return i + 1, true
		case '\\':
			if i+1 >= len(s) {
				return 0, false
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if hex4(s[i+2:]) < 0 {
					return 0, false
				}
				i += 6
			default:
				return 0, false
			}
		default: // a control character
			return 0, false
		}
	}
}

// Word-at-a-time byte tests (the classic "has zero byte" bit tricks).
const (
	lsb8 = 0x0101010101010101
	msb8 = 0x8080808080808080
)

// load8 returns s[i:i+8] as a little-endian word (the compiler turns this
// into one load).
func load8(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// special8 reports whether a byte of x is a quote, a backslash or a
// control character (below 0x20). It is exact: a borrow can only mark a
// byte after one that really matches.
func special8(x uint64) bool {
	q := x ^ (lsb8 * '"')
	b := x ^ (lsb8 * '\\')
	return ((x-lsb8*0x20)&^x|(q-lsb8)&^q|(b-lsb8)&^b)&msb8 != 0
}

// scanJSONNumber checks the number starting at s[i] and returns the offset
// past it.
func scanJSONNumber(s string, i int) (int, bool) {
	if s[i] == '-' {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return i, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return i, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return i, false
		}
	}
	return i, true
}
