package classifiers

// Word-anchored walking. Most dictionary terms start with an ASCII letter
// or digit and must start a word (acPattern.wordStart): "fever" is not a
// hit inside "Feverfew" nor anywhere inside a base64 line. A plain
// Aho-Corasick automaton still follows every suffix of the text read so
// far into the trie, so inside long tokens (base64, hex, random letters,
// long identifiers) it wanders through thousands of deep states whose rows
// are strewn over a table of megabytes, only for report to throw their
// hits away. So the patterns are split in two:
//
//   - anchored: those that must start a word. Their automaton follows
//     only suffixes that start after a byte that is not an ASCII letter or
//     digit (or at the text's start); once inside a word with no such
//     suffix in the trie it waits in a dead state until the word ends.
//   - free: all others (CJK terms, the HKID prefilter, separators,
//     normalisation triggers), a plain automaton.
//
// The automaton walked is their product, built breadth first from the pair
// of roots: it has one row per reachable pair, which is about as many as
// the plain automaton had, but inside a long token it stays among the
// few pairs "anchored dead, free shallow" whose rows stay in cache. Its
// hits are the plain automaton's without those report rejected for
// starting inside a word (TestAutomatonEquivalence compares the walk with
// the frozen plain automaton of ac_ref_test.go).

// dfa is one complete automaton under construction: every state has a
// transition per class, its outputs include those of its failure chain.
type dfa struct {
	nodes []acNode
	depth []int // in the trie; 0 for the root and the dead state
}

// trie builds the goto trie of the patterns ids (next -1 where none).
func (a *automaton) trie(ids []int32) []acNode {
	newNode := func() acNode {
		n := acNode{next: make([]int32, a.nc)}
		for i := range n.next {
			n.next[i] = -1
		}
		return n
	}
	nodes := []acNode{newNode()}
	for _, id := range ids {
		p := a.pats[id].text
		s := int32(0)
		for j := 0; j < len(p); j++ {
			c := a.class[p[j]]
			if nodes[s].next[c] < 0 {
				nodes = append(nodes, newNode())
				nodes[s].next[c] = int32(len(nodes) - 1)
			}
			s = nodes[s].next[c]
		}
		nodes[s].out = append(nodes[s].out, id)
	}
	return nodes
}

// completeDFA fills in the failure transitions of a trie (state 0 its
// root). anchored: matches may start only where a word may (the root
// stands for "after a byte that is not a letter or digit"), and a dead
// state, appended last, stands for "inside a word, no anchored suffix".
func completeDFA(nodes []acNode, alnum []bool, anchored bool) dfa {
	nc := len(alnum)
	d := dfa{nodes: nodes, depth: make([]int, len(nodes))}
	dead := int32(-1)
	if anchored {
		dead = int32(len(d.nodes))
		n := acNode{next: make([]int32, nc)}
		for c := range n.next {
			n.next[c] = 0
			if alnum[c] {
				n.next[c] = dead
			}
		}
		d.nodes = append(d.nodes, n)
		d.depth = append(d.depth, 0)
	}
	// Where the root goes on a class with no child.
	rootMiss := func(c int) int32 {
		if anchored && alnum[c] {
			return dead
		}
		return 0
	}
	fail := make([]int32, len(d.nodes))
	queue := make([]int32, 0, len(d.nodes))
	root := &d.nodes[0]
	for c := 0; c < nc; c++ {
		if t := root.next[c]; t >= 0 {
			fail[t] = rootMiss(c)
			d.depth[t] = 1
			queue = append(queue, t)
		} else {
			root.next[c] = rootMiss(c)
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		d.nodes[s].out = append(d.nodes[s].out, d.nodes[fail[s]].out...)
		for c := 0; c < nc; c++ {
			t := d.nodes[s].next[c]
			if t >= 0 {
				fail[t] = d.nodes[fail[s]].next[c]
				d.depth[t] = d.depth[s] + 1
				queue = append(queue, t)
			} else {
				d.nodes[s].next[c] = d.nodes[fail[s]].next[c]
			}
		}
	}
	return d
}

// productDFA builds the automaton that walks x and y together, breadth
// first from the pair of roots: its states (with the outputs of both),
// their order (root first) and depth (the deeper of the two).
func productDFA(x, y dfa, nc int) ([]acNode, []int32, []int) {
	id := make(map[uint64]int32, len(x.nodes)+len(y.nodes))
	var pairs [][2]int32
	var nodes []acNode
	var depth []int
	state := func(p, q int32) int32 {
		k := uint64(uint32(p))<<32 | uint64(uint32(q))
		if s, ok := id[k]; ok {
			return s
		}
		s := int32(len(pairs))
		id[k] = s
		pairs = append(pairs, [2]int32{p, q})
		out := append(append([]int32(nil), x.nodes[p].out...), y.nodes[q].out...)
		nodes = append(nodes, acNode{next: make([]int32, nc), out: out})
		depth = append(depth, max(x.depth[p], y.depth[q]))
		return s
	}
	state(0, 0)
	order := make([]int32, 0, len(x.nodes)+len(y.nodes))
	// Most transitions lead to a few pairs (the roots, the dead state,
	// shallow states): a direct-mapped cache in front of the map answers
	// most lookups (startup: the map was most of newSet's time).
	var cache [1024]struct{ p, q, s int32 }
	for i := range cache {
		cache[i].p = -1
	}
	for s := int32(0); int(s) < len(pairs); s++ {
		order = append(order, s)
		p, q := pairs[s][0], pairs[s][1]
		xn, yn := x.nodes[p].next, y.nodes[q].next
		for c := 0; c < nc; c++ {
			tp, tq := xn[c], yn[c]
			e := &cache[(uint32(tp)*2654435761^uint32(tq)*40503)>>22]
			if e.p != tp || e.q != tq {
				*e = struct{ p, q, s int32 }{tp, tq, state(tp, tq)}
			}
			nodes[s].next[c] = e.s
		}
	}
	return nodes, order, depth
}
