package classifiers

import (
	"fmt"
	"sort"
)

// automaton is a byte-level Aho-Corasick matcher compiled to a dense DFA.
//
// Why our own: every dictionary of every classifier goes into one automaton
// so a segment is read once for all of them; a dense transition table over
// byte classes keeps the inner loop to two loads and a shift per byte, and
// ASCII case folding plus whitespace folding are built into the byte classes
// instead of copying the text to lower-case it first. UTF-8 patterns only
// match on rune boundaries, so CJK dictionaries work as they are.
type automaton struct {
	class [256]uint8 // byte -> class; 0 = a byte no pattern uses
	nc    int        // number of classes
	// trans[state*nc+class] = next<<1 | hasOutput, where next is the
	// premultiplied index (state*nc) of the next state.
	trans []int32
	// outputs of a state (premultiplied index / nc) are outs[outStart[s]:outStart[s+1]].
	outStart []int32
	outs     []int32
	pats     []acPattern
}

// acPattern is one dictionary entry as the automaton sees it.
type acPattern struct {
	text string // folded form (ASCII lower case, whitespace as ' ')
	// wordStart/wordEnd: the pattern starts/ends with an ASCII letter or
	// digit, so a match must not continue a longer ASCII word there.
	wordStart, wordEnd bool
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

func isASCIIAlnum(b byte) bool {
	return b-'0' < 10 || (b|0x20)-'a' < 26
}

// newAutomaton compiles patterns; pattern i is reported as id i.
func newAutomaton(patterns []string) (*automaton, error) {
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
	if len(nodes)*nc >= 1<<29 {
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
	a.trans = make([]int32, len(nodes)*nc)
	a.outStart = make([]int32, len(nodes)+1)
	for s := range nodes {
		a.outStart[s] = int32(len(a.outs))
		// Longest first: callers that want one match per position see the longest.
		out := nodes[s].out
		sort.Slice(out, func(i, j int) bool { return len(a.pats[out[i]].text) > len(a.pats[out[j]].text) })
		a.outs = append(a.outs, out...)
		for c := 0; c < nc; c++ {
			t := nodes[s].next[c]
			v := t * int32(nc) << 1
			if len(nodes[t].out) > 0 {
				v |= 1
			}
			a.trans[s*nc+c] = v
		}
	}
	a.outStart[len(nodes)] = int32(len(a.outs))
	return a, nil
}

// hit is one dictionary match: pattern id and byte span in the segment.
type hit struct {
	id         int32
	start, end int32
}

// scan reports every match (respecting ASCII word boundaries) to emit in
// order of end offset. It is the one pass over the text for all dictionaries.
func (a *automaton) scan(text string, emit func(h hit)) {
	trans, class, nc := a.trans, &a.class, int32(a.nc)
	s := int32(0)
	for i := 0; i < len(text); i++ {
		t := trans[s+int32(class[text[i]])]
		s = t >> 1
		if t&1 == 0 {
			continue
		}
		st := s / nc
		for _, id := range a.outs[a.outStart[st]:a.outStart[st+1]] {
			p := &a.pats[id]
			start := i + 1 - len(p.text)
			if p.wordStart && start > 0 && isASCIIAlnum(text[start-1]) {
				continue
			}
			if p.wordEnd && i+1 < len(text) && isASCIIAlnum(text[i+1]) {
				continue
			}
			emit(hit{id: id, start: int32(start), end: int32(i + 1)})
		}
	}
}
