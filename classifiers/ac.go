package classifiers

import (
	"fmt"
	"runtime"
	"sort"
	"unsafe"
)

// automaton is a byte-level Aho-Corasick matcher compiled to a dense DFA.
//
// Why our own: every dictionary of every classifier goes into one automaton
// so a segment is read once for all of them; a dense transition table over
// byte classes keeps the inner loop to two loads and a shift per byte, and
// ASCII case folding plus whitespace folding are built into the byte classes
// instead of copying the text to lower-case it first. UTF-8 patterns only
// match on rune boundaries, so CJK dictionaries work as they are. Terms
// that must start a word are followed only from word starts
// (ac_anchor.go), so long tokens keep the walk among a few cached rows.
type automaton struct {
	class [256]uint8 // byte -> class; 0 = a byte no pattern uses
	nc    int        // number of classes
	// trans[state<<shift|class] is the next state; the states with
	// outputs are those at or above outFrom, a power of two. uint16
	// states and a power-of-two row keep the table small (it must stay in
	// cache: CJK text walks many rows).
	trans   []uint16
	shift   uint
	outFrom int
	maxLen  int // longest pattern in bytes
	// the outputs of state s are outs[outStart[s]:outStart[s+1]], longest
	// pattern first.
	outStart []int32
	outs     []acOut
	pats     []acPattern
	// skip[s-outFrom] tells when every output of state s is rejected by
	// the bytes after it: advance4 then goes on without leaving its loop
	// (base64 reaches letter-digit-digit states, which want digits next,
	// and short words inside longer ones; business text reaches
	// letter-hyphen-digit states on every "PO-2026" and "INV-88231",
	// which want six digits).
	skip []outSkip
	// first[s-outFrom] is the first output of state s and where the
	// others are: report reads one record instead of outStart and then
	// outs (kept apart from skip, which mustReport reads far more often:
	// on base64 a larger skip cost more than report gained).
	first []firstOut
	// lookahead is how many bytes past the byte after lane 3's last
	// advance4 may read (outSkip.digits): 7, or 0 (and no digits tested
	// that way) for an automaton whose patterns are too short to
	// guarantee them (maxLen < 8: lane 3 stops maxLen bytes before the
	// span's end, scanSpan) or on other hardware.
	lookahead int
	// kind[b] is 1 for an ASCII digit, 2 for an ASCII letter, 4 otherwise.
	kind [256]uint8
}

// acPattern is one dictionary entry as the automaton sees it.
type acPattern struct {
	text string // folded form (ASCII lower case, whitespace as ' ')
	// wordStart/wordEnd: the pattern starts/ends with an ASCII letter or
	// digit, so a match must not continue a longer ASCII word there.
	wordStart, wordEnd bool
	// digitsFrom > 0: report only when that many ASCII digits start at the
	// pattern's last byte (the HKID prefilter wants "A12" only where six
	// digits follow the letter; "A1A1A1..." must not produce a hit per byte).
	digitsFrom uint8
	// runStart: report only when the pattern does not directly follow
	// another full-width form (the prefilter needs one sign per run, not a
	// hit per character of "１２３４５６...").
	runStart bool
}

// outSkip is automaton.skip's entry for one state with outputs.
type outSkip struct {
	// kinds has bit kind[b] set when every output is rejected whenever
	// the byte after the state's is b.
	kinds uint8
	// digits has bit k set when every output wants an ASCII digit k+2
	// bytes after the state's (digitsFrom): advance4 tests the eight
	// bytes after it at once.
	digits uint8
}

// firstOut is automaton.first's entry for one state with outputs.
type firstOut struct {
	o    acOut  // the first output
	n    uint32 // outputs: o, then outs[from+1:from+n]
	from int32  // outStart of the state
}

// acOut is one output of a state: the pattern's id with what report
// needs of it, so that report reads one record per output instead of
// also chasing pats.
type acOut struct {
	id         int32
	n          uint16 // len(text)
	digitsFrom uint8
	flags      uint8 // outWordStart | outWordEnd | outRunStart
}

const (
	outWordStart = 1 << iota
	outWordEnd
	outRunStart
	outLDFamily // id is the letter-digit-digit family's first (ac_merge.go)
)

// rejectedBefore returns the kinds of byte (automaton.kind) that, right
// after the pattern, make report reject it: letters and digits for a
// pattern that must end a word, all but digits for one that wants more
// digits.
func (p *acPattern) rejectedBefore() uint8 {
	var m uint8
	if p.wordEnd {
		m |= 1 | 2
	}
	if p.digitsFrom >= 2 {
		m |= 2 | 4
	}
	return m
}

// fold maps a byte to its matching form: ASCII upper case to lower case and
// every ASCII whitespace byte to ' ', so "Total\nAssets" matches "total assets".
func fold(b byte) byte {
	switch {
	case b >= 'A' && b <= 'Z':
		return b + 'a' - 'A'
	case b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v':
		return ' '
	}
	return b
}

// fullWidthAlnum reports whether the 3 bytes of s are a full-width digit
// or letter (U+FF10-FF19, U+FF21-FF3A, U+FF41-FF5A).
func fullWidthAlnum(s string) bool {
	if len(s) != 3 || s[0] != 0xEF {
		return false
	}
	switch s[1] {
	case 0xBC:
		return (s[2] >= 0x90 && s[2] <= 0x99) || (s[2] >= 0xA1 && s[2] <= 0xBA)
	case 0xBD:
		return s[2] >= 0x81 && s[2] <= 0x9A
	}
	return false
}

// digitsAt reports whether n ASCII digits start at text[i].
func digitsAt(text string, i, n int) bool {
	if i+n > len(text) {
		return false
	}
	for _, c := range []byte(text[i : i+n]) {
		if c-'0' >= 10 {
			return false
		}
	}
	return true
}

// digitsAfter returns the bytes after the pattern's last that report
// wants to be ASCII digits (digitsFrom counts the last byte too): bit k
// for the byte k+1 after it, 0 for none.
func (p *acPattern) digitsAfter() uint8 {
	if p.digitsFrom < 2 {
		return 0
	}
	return uint8(1<<(p.digitsFrom-1) - 1)
}

func isASCIIAlnum(b byte) bool {
	return b-'0' < 10 || (b|0x20)-'a' < 26
}

// newAutomaton compiles patterns; pattern i is reported as id i.
func newAutomaton(patterns []string) (*automaton, error) {
	return newAutomatonRaw(patterns, len(patterns))
}

// newAutomatonRaw is newAutomaton where patterns from index rawFrom on are
// reported without word-boundary checks (the HKID prefilter wants "b1" in
// "AB123456").
func newAutomatonRaw(patterns []string, rawFrom int) (*automaton, error) {
	a := &automaton{pats: make([]acPattern, len(patterns))}
	var used [256]bool
	for i, p := range patterns {
		if p == "" {
			return nil, fmt.Errorf("pattern %d is empty", i)
		}
		f := make([]byte, len(p))
		for j := 0; j < len(p); j++ {
			f[j] = fold(p[j])
			used[f[j]] = true
		}
		a.pats[i] = acPattern{text: string(f), wordStart: isASCIIAlnum(f[0]), wordEnd: isASCIIAlnum(f[len(f)-1])}
		if i >= rawFrom {
			a.pats[i].wordStart, a.pats[i].wordEnd = false, false
			// A prefilter pattern ending in t digits ("a1", "a12") wants
			// six digits from its first digit: 7-t from its last byte.
			t := 0
			for t < len(f) && isDigit(f[len(f)-1-t]) {
				t++
			}
			if t > 0 && t <= 6 {
				a.pats[i].digitsFrom = uint8(7 - t)
			}
			a.pats[i].runStart = f[0] == 0xEF
		}
		a.maxLen = max(a.maxLen, len(f))
	}
	if a.maxLen > 1<<16-1 {
		return nil, fmt.Errorf("pattern of %d bytes: at most %d", a.maxLen, 1<<16-1)
	}
	// Byte classes: every folded byte used by a pattern gets its own class;
	// the unfolded variants share it.
	// Every letter and digit gets a class even when no pattern uses it:
	// the anchored walk must tell them from the bytes between words
	// (class 0 is those only).
	for b := byte('0'); b <= '9'; b++ {
		used[b] = true
	}
	for b := byte('a'); b <= 'z'; b++ {
		used[b] = true
	}
	var folded [256]uint8
	nc := 1
	for b := 0; b < 256; b++ {
		if used[b] {
			folded[b] = uint8(nc)
			nc++
		}
	}
	if nc > 256 {
		return nil, fmt.Errorf("too many byte classes (%d)", nc)
	}
	for b := 0; b < 256; b++ {
		a.class[b] = folded[fold(byte(b))]
	}
	a.nc = nc

	// Two automata walked as one (wordAnchored): the patterns that must
	// start a word, and the others.
	alnum := make([]bool, nc)
	for b := 0; b < 256; b++ {
		if isASCIIAlnum(byte(b)) {
			alnum[a.class[b]] = true
		}
	}
	if alnum[0] {
		return nil, fmt.Errorf("byte class 0 holds a letter or digit")
	}
	var anchored, free []int32
	for id, p := range a.pats {
		if p.wordStart {
			anchored = append(anchored, int32(id))
		} else {
			free = append(free, int32(id))
		}
	}
	nodes, order, depth := productDFA(
		completeDFA(a.trie(anchored), alnum, true),
		completeDFA(a.trie(free), alnum, false), nc)
	// Renumber states so that every state with outputs comes after every
	// state without, at or above a power of two, outFrom: the scan loop
	// then tests "has output" for four lanes at once with one comparison,
	// s0|s1|s2|s3 >= outFrom, instead of a flag bit or four comparisons.
	// The ids between the last state without outputs and outFrom are
	// unused rows (never a transition's target, so never read).
	// Within each group states are numbered breadth first: the shallow
	// states most bytes of any text visit then share a few pages of the
	// table instead of being strewn over it in pattern order (the table is
	// megabytes; measured in one process, the walk alone ran about 10%
	// faster on business text, random letters and base64).
	// Outputs longest first (report's order), then alike states merged
	// (ac_merge.go).
	for s := range nodes {
		out := nodes[s].out
		sort.Slice(out, func(i, j int) bool { return len(a.pats[out[i]].text) > len(a.pats[out[j]].text) })
	}
	family := int32(-1)
	if ldFamilyAt(a.pats, rawFrom) {
		family = int32(rawFrom)
	}
	key := func(id int32) int32 {
		if family >= 0 && id >= family && id < family+ldFamilySize {
			return family
		}
		return id
	}
	// The family's states are at most 3 deep in the trie.
	mayMerge := make([]bool, len(nodes))
	for s := range nodes {
		mayMerge[s] = family >= 0 && depth[s] <= 3
	}
	bfs := mergeEquivalent(nodes, order, mayMerge, key)
	newID := make([]int32, len(nodes))
	quiet := 0
	for _, s := range bfs {
		if len(nodes[s].out) == 0 {
			newID[s] = int32(quiet) // the root has no outputs: it stays 0
			quiet++
		}
	}
	a.outFrom = 1
	for a.outFrom < quiet {
		a.outFrom <<= 1
	}
	rows := a.outFrom
	for _, s := range bfs {
		if len(nodes[s].out) > 0 {
			newID[s] = int32(rows)
			rows++
		}
	}
	if rows > 1<<16 {
		return nil, fmt.Errorf("automaton too large (%d states without outputs need ids up to %d, %d with outputs above them; uint16 ids end at 65536)", quiet, a.outFrom, rows-a.outFrom)
	}
	for 1<<a.shift < nc {
		a.shift++
	}
	a.trans = make([]uint16, rows<<a.shift)
	a.outStart = make([]int32, rows+1)
	outsOf := make([][]int32, rows)
	for _, s := range bfs {
		i := newID[s]
		outsOf[i] = nodes[s].out
		for c := 0; c < nc; c++ {
			a.trans[int(i)<<a.shift|c] = uint16(newID[nodes[s].next[c]])
		}
	}
	for i, out := range outsOf {
		a.outStart[i] = int32(len(a.outs))
		for _, id := range out {
			p := &a.pats[id]
			o := acOut{id: key(id), n: uint16(len(p.text)), digitsFrom: p.digitsFrom}
			if family >= 0 && o.id == family {
				o.flags |= outLDFamily
			}
			if p.wordStart {
				o.flags |= outWordStart
			}
			if p.wordEnd {
				o.flags |= outWordEnd
			}
			if p.runStart {
				o.flags |= outRunStart
			}
			a.outs = append(a.outs, o)
		}
	}
	a.outStart[rows] = int32(len(a.outs))
	for b := 0; b < 256; b++ {
		switch {
		case isDigit(byte(b)):
			a.kind[b] = 1
		case isASCIIAlnum(byte(b)):
			a.kind[b] = 2
		default:
			a.kind[b] = 4
		}
	}
	// The eight-byte read of mustReport is one unaligned little-endian
	// load: only where that is what the hardware does.
	if a.maxLen >= 8 && (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64") {
		a.lookahead = 7
	}
	a.skip = make([]outSkip, rows-a.outFrom)
	for i := range a.skip {
		m := outSkip{kinds: 7, digits: 0xFF}
		for _, o := range a.outs[a.outStart[a.outFrom+i]:a.outStart[a.outFrom+i+1]] {
			p := &a.pats[o.id] // a family's first stands for all its members
			m.kinds &= p.rejectedBefore()
			m.digits &= p.digitsAfter()
		}
		if a.lookahead == 0 {
			m.digits = 0
		}
		a.skip[i] = m
	}
	a.first = make([]firstOut, rows-a.outFrom)
	for i := range a.first {
		from, to := a.outStart[a.outFrom+i], a.outStart[a.outFrom+i+1]
		a.first[i] = firstOut{n: uint32(to - from), from: from}
		if to > from {
			a.first[i].o = a.outs[from]
		}
	}
	return a, nil
}

// hit is one dictionary match: pattern id and byte span in the segment.
type hit struct {
	id         int32
	start, end int32
}

// scan appends every match (respecting ASCII word boundaries) to dst in
// order of end offset. It is the one pass over the text for all
// dictionaries.
//
// Why four lanes: a DFA step is a load that depends on the previous one,
// so one automaton walk is bound by load latency, not bandwidth. Long
// texts are cut into four parts walked in the same loop; each lane starts
// maxLen bytes early from the root (enough to reach the right state, since
// a state stands for at most maxLen-1 trailing bytes) and only reports
// matches ending inside its own part, so the result is the same as one walk.
func (a *automaton) scan(text string, dst []hit) []hit {
	return a.scanWith(text, dst, nil)
}

// laneBufs are reusable buffers for lanes 1-3 of scanWith.
type laneBufs [3][]hit

// scanWith is scan with caller-owned lane buffers (nil: allocate).
func (a *automaton) scanWith(text string, dst []hit, lb *laneBufs) []hit {
	return a.scanSpan(text, 0, len(text), dst, lb)
}

// scanSpan appends the matches that end inside text[from:to] (their last
// byte at an offset in [from,to)), as one walk over the whole text would
// report them: the walk starts up to maxLen bytes before from, and word
// boundaries are checked against the whole text. Spans that tile a text
// give, concatenated in order, exactly scan's result; analyse uses this to
// share one segment between goroutines.
func (a *automaton) scanSpan(text string, from, to int, dst []hit, lb *laneBufs) []hit {
	const lanes = 4
	n := to - from
	part := n / lanes
	if n < 4096 || part <= 2*a.maxLen {
		return a.walk(text, max(0, from-a.maxLen), to, 0, from, dst)
	}
	// The lanes start part bytes apart, so one pointer and one stride
	// address all four in advance4. Lane k > 0 starts at base+k*part and
	// owns the end offsets from maxLen bytes later on; lane 0 starts at
	// base (maxLen bytes before from, or the text's start) and owns those
	// from from on. Each lane owns up to the next one's first offset.
	base := max(0, from-a.maxLen)
	var bufs [lanes][]hit
	var st [lanes]int
	var own [lanes + 1]int // lane k reports end offsets in [own[k], own[k+1])
	own[0], own[lanes] = from, to
	for k := 1; k < lanes; k++ {
		own[k] = base + k*part + a.maxLen
	}
	bufs[0] = dst
	if lb != nil {
		for k := 1; k < lanes; k++ {
			bufs[k] = lb[k-1][:0]
		}
	}
	// Lanes warm up over at most maxLen bytes before their part; run all
	// four for the same number of steps, then finish each one alone
	// (lane 3 stops maxLen bytes before to, so the byte after its last is
	// in the text, as advance4 needs).
	steps := part - a.maxLen
	for j := 0; j < steps; j++ {
		// advance4 runs until some lane is in a state with outputs;
		// reporting lives out here so the loop's variables fit in
		// registers (with it inline the lane states went to the stack on
		// every byte).
		j = a.advance4(text, base, part, j, steps, &st)
		if j == steps {
			break
		}
		for k := 0; k < lanes; k++ {
			if st[k] >= a.outFrom {
				bufs[k] = a.report(text, base+k*part+j, st[k], own[k], bufs[k])
			}
		}
	}
	for k := 0; k < lanes; k++ {
		bufs[k] = a.walk(text, base+k*part+steps, own[k+1], st[k], own[k], bufs[k])
	}
	out := bufs[0]
	for k := 1; k < lanes; k++ {
		out = append(out, bufs[k]...)
		if lb != nil {
			lb[k-1] = bufs[k]
		}
	}
	return out
}

// advance4 steps four lanes from offset j: lane k reads
// text[base+k*d+j : base+k*d+n], its state in st[k]. It returns the offset
// of the first byte after which some lane is in a state with outputs that
// the byte after it does not all reject (st then holds the states after
// that byte), or n when none reached one. The text must hold the byte
// after lane 3's last.
//
// Why unsafe: this loop is most of the automaton's time, and it is bound
// by how many instructions it issues per byte, not by memory. Indexing the
// text through one pointer with a stride (instead of four strings) keeps
// every variable in a register, and the table read needs no bounds check:
// every entry of trans is a state id (newAutomatonRaw writes only those),
// every class is below 1<<shift, and the text offsets are checked once
// below, before the loop.
func (a *automaton) advance4(text string, base, d, j, n int, st *[4]int) int {
	if j >= n {
		return n
	}
	_ = text[base+3*d+n+a.lookahead] // the bytes after lane 3's last, which mustReport reads
	_ = text[base+j]                 // and the first lane 0 reads
	p := unsafe.Add(unsafe.Pointer(unsafe.StringData(text)), base)
	tp := unsafe.Pointer(unsafe.SliceData(a.trans))
	// shift&63 spares the check Go adds to variable shifts.
	class, shift, outFrom := &a.class, a.shift&63, a.outFrom
	s0, s1, s2, s3 := st[0], st[1], st[2], st[3]
	d2, d3 := 2*d, 3*d
	for ; j < n; j++ {
		q := unsafe.Add(p, j)
		s0 = int(*(*uint16)(unsafe.Add(tp, (s0<<shift|int(class[*(*byte)(q)]))*2)))
		s1 = int(*(*uint16)(unsafe.Add(tp, (s1<<shift|int(class[*(*byte)(unsafe.Add(q, d))]))*2)))
		s2 = int(*(*uint16)(unsafe.Add(tp, (s2<<shift|int(class[*(*byte)(unsafe.Add(q, d2))]))*2)))
		s3 = int(*(*uint16)(unsafe.Add(tp, (s3<<shift|int(class[*(*byte)(unsafe.Add(q, d3))]))*2)))
		// outFrom is a power of two and every state with outputs is at
		// or above it: the or of the four is too exactly when one is.
		// When one is, the lanes there may still all be in states
		// whose every output the next byte rejects: go on then.
		if s0|s1|s2|s3 >= outFrom && (a.mustReport(s0, q) || a.mustReport(s1, unsafe.Add(q, d)) ||
			a.mustReport(s2, unsafe.Add(q, d2)) || a.mustReport(s3, unsafe.Add(q, d3))) {
			break
		}
	}
	*st = [4]int{s0, s1, s2, s3}
	return j
}

// mustReport reports whether state s, reached on the byte at q, may have
// an output that report keeps: the byte after q does not reject them all,
// nor do the eight after q when they want digits (inside the text in
// advance4: lookahead).
func (a *automaton) mustReport(s int, q unsafe.Pointer) bool {
	if s < a.outFrom {
		return false
	}
	k := a.skip[s-a.outFrom]
	return k.kinds&a.kind[*(*byte)(unsafe.Add(q, 1))] == 0 && (k.digits == 0 || digitBits8(*(*uint64)(unsafe.Add(q, 1)))&uint64(k.digits) == uint64(k.digits))
}

// scanRange walks text[from:to] from the root, reporting matches that end
// after emitFrom.
func (a *automaton) scanRange(text string, from, to, emitFrom int, dst []hit) []hit {
	return a.walk(text, from, to, 0, emitFrom, dst)
}

func (a *automaton) walk(text string, from, to, s, emitFrom int, dst []hit) []hit {
	trans, class, shift, outFrom := a.trans, &a.class, a.shift&63, a.outFrom
	for i := from; i < to; i++ {
		s = int(trans[s<<shift|int(class[text[i]])])
		if s >= outFrom {
			dst = a.report(text, i, s, emitFrom, dst)
		}
	}
	return dst
}

// report appends the matches of state s ending at text[i].
func (a *automaton) report(text string, i, s, emitFrom int, dst []hit) []hit {
	if i < emitFrom {
		return dst
	}
	r := &a.first[s-a.outFrom]
	o := r.o
	for k := 0; k < int(r.n); k++ {
		if k > 0 {
			o = a.outs[int(r.from)+k]
		}
		start := i + 1 - int(o.n)
		if o.flags&outWordStart != 0 && start > 0 && isASCIIAlnum(text[start-1]) {
			continue
		}
		if o.flags&outWordEnd != 0 && i+1 < len(text) && isASCIIAlnum(text[i+1]) {
			continue
		}
		if o.digitsFrom > 0 && !digitsAt(text, i, int(o.digitsFrom)) {
			continue
		}
		if o.flags&outRunStart != 0 && start >= 3 && fullWidthAlnum(text[start-3:start]) {
			continue
		}
		id := o.id
		if o.flags&outLDFamily != 0 {
			id = ldFamilyID(id, text, start)
		}
		dst = append(dst, hit{id: id, start: int32(start), end: int32(i + 1)})
	}
	return dst
}
