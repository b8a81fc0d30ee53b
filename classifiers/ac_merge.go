package classifiers

// The HKID prefilter's letter-digit-digit patterns ("a00" ... "z99", see
// newSet) each ended in a state of its own, with a row of its own, and the
// 260 letter-digit states before them too: in base64 a letter and two
// digits are one position in fifty, so those 2860 rows were most of the
// table that text read (measured: the walk alone ran twice as fast on
// base64 without the family). Those states differ only in which pattern
// they report, and report can read that from the text: their last three
// bytes. So the family's outputs are keyed by the family, states with the
// same transitions and the same keyed outputs are merged, and report
// computes the pattern id from the bytes it matched.

// ldFamilySize is the number of letter-digit-digit patterns.
const ldFamilySize = 26 * 10 * 10

// ldFamilyAt reports whether pats[from:] starts with the letter-digit-digit
// family, "a00", "a01", ..., "z99", in that order (pattern from+k is
// letter k/100, then digits k/10%10 and k%10). Any other layout just keeps
// one state per pattern.
func ldFamilyAt(pats []acPattern, from int) bool {
	if from < 0 || from+ldFamilySize > len(pats) {
		return false
	}
	for k := 0; k < ldFamilySize; k++ {
		p := pats[from+k].text
		if len(p) != 3 || p[0] != byte('a'+k/100) || p[1] != byte('0'+k/10%10) || p[2] != byte('0'+k%10) {
			return false
		}
	}
	return true
}

// ldFamilyID returns the id of the family member text[start:start+3]
// (a letter in either case and two digits), the family starting at first.
func ldFamilyID(first int32, text string, start int) int32 {
	return first + int32(text[start]|0x20-'a')*100 + int32(text[start+1]-'0')*10 + int32(text[start+2]-'0')
}

// acNode is a state of the automaton under construction: its transition
// per byte class (-1 = none, until the failure links fill them) and its
// pattern ids.
type acNode struct {
	next []int32
	out  []int32
}

// mergeEquivalent merges states with the same transitions and the same
// outputs as key maps them, among those with mayMerge set, until no two
// are alike: such states behave the same on any text, so the walk reports
// the same matches. order lists the states, root first; mergeEquivalent
// returns the states left, in that order, every transition pointing at
// one of them. (Comparing only the shallow states the family lives in
// keeps the build fast: every state compared costs a hash of its row.)
func mergeEquivalent(nodes []acNode, order []int32, mayMerge []bool, key func(int32) int32) []int32 {
	rep := make([]int32, len(nodes))
	live := order
	for {
		for i := range rep {
			rep[i] = int32(i)
		}
		seen := make(map[uint64][]int32, len(live))
		merged := 0
		for _, s := range live {
			if !mayMerge[s] {
				continue
			}
			h := nodeHash(&nodes[s], key)
			found := false
			for _, t := range seen[h] {
				if sameNode(&nodes[s], &nodes[t], key) {
					rep[s], found = t, true
					merged++
					break
				}
			}
			if !found {
				seen[h] = append(seen[h], s)
			}
		}
		if merged == 0 {
			return live
		}
		kept := make([]int32, 0, len(live)-merged)
		for _, s := range live {
			if rep[s] == s {
				kept = append(kept, s)
			}
		}
		live = kept
		for _, s := range live {
			for c, t := range nodes[s].next {
				nodes[s].next[c] = rep[t]
			}
		}
	}
}

// nodeHash hashes a state's transitions and keyed outputs (FNV-1a over
// 32-bit words: sameNode decides, the hash only sorts into buckets).
func nodeHash(n *acNode, key func(int32) int32) uint64 {
	h := uint64(14695981039346656037)
	for _, t := range n.next {
		h = (h ^ uint64(uint32(t))) * 1099511628211
	}
	h = (h ^ 0xFFFFFFFF) * 1099511628211
	for _, id := range n.out {
		h = (h ^ uint64(uint32(key(id)))) * 1099511628211
	}
	return h
}

func sameNode(x, y *acNode, key func(int32) int32) bool {
	if len(x.out) != len(y.out) {
		return false
	}
	for i := range x.next {
		if x.next[i] != y.next[i] {
			return false
		}
	}
	for i := range x.out {
		if key(x.out[i]) != key(y.out[i]) {
			return false
		}
	}
	return true
}
