package classifiers

// Short texts (a JSON export's fields, a sheet's cells: a few dozen bytes
// each) are walked four at a time. One walk is bound by its chain of
// dependent table reads (each state is read from the one before); four
// texts walked side by side are four chains the processor runs at once.
//
// Measured (BenchmarkClassifyJSONFields/per-core, 3 interleaved runs):
// groups of 32 sorted by length, four walked side by side for the
// shortest one's length and then each finished alone, +5-9%; lanes
// that take the next text as soon as theirs ends were slower, with or
// without sorting (their steps between refills were a few bytes).

// shortGroup is how many consecutive short texts scanShort sorts and
// groups by length at most.
const shortGroup = 32

// isShort reports whether scanSpan walks a text of n bytes in one lane:
// only those are walked side by side.
func (a *automaton) isShort(n int) bool {
	return n < 4096 || n/4 <= 2*a.maxLen
}

// shortScratch holds scanShort's per-text hit buffers and its order.
type shortScratch struct {
	hits  [shortGroup][]hit
	order [shortGroup]int
}

// scanShort sets sc.hits[k] to scanWith(texts[k]) for each of up to
// shortGroup short texts (isShort). Texts are taken four at a time in
// order of length, so the four lanes walk side by side for most of their
// bytes; each then finishes alone.
func (a *automaton) scanShort(texts []string, sc *shortScratch) {
	n := len(texts)
	order := sc.order[:n]
	for i := range order {
		order[i] = i
		sc.hits[i] = sc.hits[i][:0]
	}
	for i := 1; i < n; i++ { // insertion sort: at most 32 small ints
		for j := i; j > 0 && len(texts[order[j]]) < len(texts[order[j-1]]); j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	k := 0
	for ; k+4 <= n; k += 4 {
		idx := [4]int{order[k], order[k+1], order[k+2], order[k+3]}
		t := [4]string{texts[idx[0]], texts[idx[1]], texts[idx[2]], texts[idx[3]]}
		d := [4][]hit{sc.hits[idx[0]], sc.hits[idx[1]], sc.hits[idx[2]], sc.hits[idx[3]]}
		m := len(t[0]) // the shortest of the four
		st := a.walk4(&t, m, &d)
		for l, i := range idx {
			sc.hits[i] = a.walk(t[l], m, len(t[l]), st[l], 0, d[l])
		}
	}
	for ; k < n; k++ {
		i := order[k]
		sc.hits[i] = a.walk(texts[i], 0, len(texts[i]), 0, 0, sc.hits[i])
	}
}

// walk4 walks the first m bytes of four texts (each at least m long) from
// the root side by side, appending each one's matches to dst[k], and
// returns the four states reached.
func (a *automaton) walk4(t *[4]string, m int, dst *[4][]hit) [4]int {
	trans, class, shift, outFrom := a.trans, &a.class, a.shift&63, a.outFrom
	t0, t1, t2, t3 := t[0][:m], t[1][:m], t[2][:m], t[3][:m]
	s0, s1, s2, s3 := 0, 0, 0, 0
	for i := 0; i < m; i++ {
		s0 = int(trans[s0<<shift|int(class[t0[i]])])
		s1 = int(trans[s1<<shift|int(class[t1[i]])])
		s2 = int(trans[s2<<shift|int(class[t2[i]])])
		s3 = int(trans[s3<<shift|int(class[t3[i]])])
		// outFrom is a power of two above every state without outputs:
		// the or of the four reaches it exactly when one state does.
		if s0|s1|s2|s3 >= outFrom {
			a.report4(t, i, [4]int{s0, s1, s2, s3}, dst)
		}
	}
	return [4]int{s0, s1, s2, s3}
}

// report4 reports the matches of the lanes in states with outputs after
// byte i (kept out of walk4's loop so its states stay in registers).
func (a *automaton) report4(t *[4]string, i int, st [4]int, dst *[4][]hit) {
	for l, s := range st {
		if s >= a.outFrom {
			dst[l] = a.report(t[l], i, s, 0, dst[l])
		}
	}
}
