package classifiers

import (
	"fmt"
	"sort"
)

// This file freezes the automaton as it was before the scan loop used
// equally spaced lanes and a power-of-two output boundary (ac.go): the
// dense DFA, its builder and a plain one-lane walk. ac_equiv_test.go
// compares every scan of the new automaton with it.

// refAutomaton is the frozen automaton.
type refAutomaton struct {
	class [256]uint8 // byte -> class; 0 = a byte no pattern uses
	nc    int        // number of classes
	// trans[state<<shift|class] is the next state; states at or above
	// outFrom have outputs. uint16 states and a power-of-two row keep the
	// table small (it must stay in cache: CJK text walks many rows).
	trans   []uint16
	shift   uint
	outFrom int
	maxLen  int // longest pattern in bytes
	// outputs of a state (premultiplied index / nc) are outs[outStart[s]:outStart[s+1]].
	outStart []int32
	outs     []int32
	pats     []acPattern
}

// newRefAutomatonRaw is the frozen newAutomatonRaw: patterns from index
// rawFrom on are reported without word-boundary checks.
func newRefAutomatonRaw(patterns []string, rawFrom int) (*refAutomaton, error) {
	a := &refAutomaton{pats: make([]acPattern, len(patterns))}
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
	// Byte classes: every folded byte used by a pattern gets its own class;
	// the unfolded variants share it.
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

	// Trie with goto over classes (-1 = none).
	type node struct {
		next []int32
		out  []int32
	}
	newNode := func() node {
		n := node{next: make([]int32, nc)}
		for i := range n.next {
			n.next[i] = -1
		}
		return n
	}
	nodes := []node{newNode()}
	for id, p := range a.pats {
		s := int32(0)
		for j := 0; j < len(p.text); j++ {
			c := a.class[p.text[j]]
			if nodes[s].next[c] < 0 {
				nodes = append(nodes, newNode())
				nodes[s].next[c] = int32(len(nodes) - 1)
			}
			s = nodes[s].next[c]
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	if len(nodes) > 1<<16 {
		return nil, fmt.Errorf("automaton too large (%d states)", len(nodes))
	}
	// BFS: failure links, full DFA transitions, merged outputs.
	fail := make([]int32, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < nc; c++ {
		if t := nodes[0].next[c]; t >= 0 {
			fail[t] = 0
			queue = append(queue, t)
		} else {
			nodes[0].next[c] = 0
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		nodes[s].out = append(nodes[s].out, nodes[fail[s]].out...)
		for c := 0; c < nc; c++ {
			t := nodes[s].next[c]
			if t >= 0 {
				fail[t] = nodes[fail[s]].next[c]
				queue = append(queue, t)
			} else {
				nodes[s].next[c] = nodes[fail[s]].next[c]
			}
		}
	}
	// Renumber states so that every state with outputs comes after every
	// state without: the scan loop then tests "has output" with one
	// comparison against a.outFrom instead of a flag bit.
	// Within each group states are numbered breadth first: the shallow
	// states most bytes of any text visit then share a few pages of the
	// table instead of being strewn over it in pattern order (the table is
	// megabytes; measured in one process, the walk alone ran about 10%
	// faster on business text, random letters and base64).
	bfs := append([]int32{0}, queue...)
	order := make([]int32, 0, len(nodes))
	for pass := 0; pass < 2; pass++ {
		for _, s := range bfs {
			if (len(nodes[s].out) > 0) == (pass == 1) {
				order = append(order, s)
			}
		}
	}
	// The root must stay state 0 (it has no outputs, so it is first).
	newID := make([]int32, len(nodes))
	for i, s := range order {
		newID[s] = int32(i)
	}
	for 1<<a.shift < nc {
		a.shift++
	}
	a.outFrom = len(nodes)
	a.trans = make([]uint16, len(nodes)<<a.shift)
	a.outStart = make([]int32, len(nodes)+1)
	for i, s := range order {
		if len(nodes[s].out) > 0 && i < a.outFrom {
			a.outFrom = i
		}
		a.outStart[i] = int32(len(a.outs))
		out := nodes[s].out
		sort.Slice(out, func(i, j int) bool { return len(a.pats[out[i]].text) > len(a.pats[out[j]].text) })
		a.outs = append(a.outs, out...)
		for c := 0; c < nc; c++ {
			a.trans[i<<a.shift|c] = uint16(newID[nodes[s].next[c]])
		}
	}
	a.outStart[len(nodes)] = int32(len(a.outs))
	return a, nil
}

// scan is the frozen reference walk: one lane from the root over the whole
// text.
func (a *refAutomaton) scan(text string) []hit {
	var dst []hit
	s := 0
	for i := 0; i < len(text); i++ {
		s = int(a.trans[s<<a.shift|int(a.class[text[i]])])
		if s >= a.outFrom {
			dst = a.report(text, i, s, 0, dst)
		}
	}
	return dst
}

// report appends the matches of state s ending at text[i].
func (a *refAutomaton) report(text string, i, s, emitFrom int, dst []hit) []hit {
	if i < emitFrom {
		return dst
	}
	for _, id := range a.outs[a.outStart[s]:a.outStart[s+1]] {
		p := &a.pats[id]
		start := i + 1 - len(p.text)
		if p.wordStart && start > 0 && isASCIIAlnum(text[start-1]) {
			continue
		}
		if p.wordEnd && i+1 < len(text) && isASCIIAlnum(text[i+1]) {
			continue
		}
		if p.digitsFrom > 0 && !digitsAt(text, i, int(p.digitsFrom)) {
			continue
		}
		if p.runStart && start >= 3 && fullWidthAlnum(text[start-3:start]) {
			continue
		}
		dst = append(dst, hit{id: id, start: int32(start), end: int32(i + 1)})
	}
	return dst
}
