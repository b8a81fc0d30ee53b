package classifiers

import "math/bits"

// Skipping inside runs of ASCII letters and digits.
//
// Why: base64, hex dumps, random letters and long words make the walk read
// every byte of long alphanumeric runs in which no pattern can match. A
// pattern that starts with an ASCII letter or digit has wordStart unless it
// is a raw (prefilter) pattern, so inside a run a non-raw match can only
// start at the run's first byte (or before the run, for a pattern that
// starts with another byte). The state after a byte of the run is the
// longest suffix of the text read that is a trie prefix; when that suffix
// lies inside the run and does not reach back to its first byte, every
// match still to come starts after the run's first byte, so the only ones
// report can keep before the run ends are raw ones starting in the run:
// with the patterns set.go builds, "a12" (a letter and two digits) and
// "a-1" (which starts at the run's last byte). The walk then jumps to the
// first place such a pattern may start, or to the run's last byte, and
// resumes from the root there: a walk from the root at q finds every match
// that starts at or after q, and none of those before q can be reported.
// skippable checks that the patterns have that shape (else skip is off).

// noRun marks a state whose string is not all ASCII letters and digits.
const noRun = 0xFFFF

// skipChunk is how many bytes the walks step between two skip checks;
// minSkip the least jump worth restarting from the root for.
const (
	skipChunk = 16
	minSkip   = 8
)

// skippable reports whether the patterns let skipAhead jump: every raw
// pattern that starts with an ASCII letter or digit either is a letter and
// two digits or has no ASCII letter or digit as its second byte.
func skippable(pats []acPattern, rawFrom int) bool {
	for i := range pats {
		f := pats[i].text
		if len(f) >= noRun {
			return false
		}
		if !isASCIIAlnum(f[0]) {
			continue
		}
		if i < rawFrom {
			if !pats[i].wordStart {
				return false
			}
			continue
		}
		switch {
		case len(f) == 1:
			return false
		case !isASCIIAlnum(f[1]):
		case len(f) == 3 && isLetter(f[0]) && isDigit(f[1]) && isDigit(f[2]):
		default:
			return false
		}
	}
	return true
}

// ldd reports whether a letter and two digits start at text[p].
func ldd(text string, p int) bool {
	return p >= 0 && p+2 < len(text) && isLetter(text[p]) && text[p+1]-'0' < 10 && text[p+2]-'0' < 10
}

// skipAhead is called with i the next byte a walk reads and s its state
// (the walk started from the root at or before i-1, and may not read
// beyond end). It returns where to read next and the state there: i and s,
// or a later offset q and the root when every match reportable between
// i and q is one the root walk from q finds too.
func (a *automaton) skipAhead(text string, i, s, end int) (int, int) {
	if i == 0 || end-i < minSkip {
		return i, s
	}
	d := int(a.runDepth[s])
	last := i - 1
	// The state's string text[last-d+1:i] must be all letters and digits
	// (runDepth) with a letter or digit before it: then it lies inside the
	// run and does not start it. (d = 0: the byte read last is alnum.)
	if d == noRun || last < d || !isASCIIAlnum(text[last-d]) || !isASCIIAlnum(text[last]) {
		return i, s
	}
	// A letter and two digits begun before i may still be under way.
	if ldd(text, i-2) || ldd(text, i-1) {
		return i, s
	}
	q := nextStop(text, i, end)
	if q-i < minSkip {
		return i, s
	}
	return q, 0
}

const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// swarClass returns, for each byte of w, 0x80 in letter where it is an
// ASCII letter and in digit where it is an ASCII digit. (x+0x80-c has the
// high bit where a byte x < 0x80 is >= c; x+0x7F-c where it is > c.)
func swarClass(w uint64) (letter, digit uint64) {
	x := w &^ swarHigh
	digit = (x + (0x80-'0')*swarOnes) &^ (x + (0x7F-'9')*swarOnes)
	l := x | 0x20*swarOnes
	letter = (l + (0x80-'a')*swarOnes) &^ (l + (0x7F-'z')*swarOnes)
	keep := swarHigh &^ w // bytes >= 0x80 are neither
	return letter & keep, digit & keep
}

// nextStop returns the first j in [i, end) where text[j] or text[j+1] is
// not an ASCII letter or digit (or the text ends after j), or a letter and
// two digits start; end if there is none.
func nextStop(text string, i, end int) int {
	j := i
	for j < end && j+10 <= len(text) {
		l0, d0 := swarClass(load64(text, j))
		l2, d2 := swarClass(load64(text, j+2))
		// The classes of text[j+1:j+9]: those of the first word moved
		// down a byte, and byte 6 of the second word on top.
		const top = 0xFF << 56
		a0 := l0 | d0
		a1 := a0>>8 | (l2|d2)<<8&top
		d1 := d0>>8 | d2<<8&top
		stop := (^a0 | ^a1 | l0&d1&d2) & swarHigh
		if stop != 0 {
			return min(j+bits.TrailingZeros64(stop)/8, end)
		}
		j += 8
	}
	for ; j < end; j++ {
		if !isASCIIAlnum(text[j]) || j+1 >= len(text) || !isASCIIAlnum(text[j+1]) || ldd(text, j) {
			return j
		}
	}
	return end
}

// walkSkip is walk with skipAhead between chunks of skipChunk bytes.
func (a *automaton) walkSkip(text string, from, to, s, emitFrom int, dst []hit) []hit {
	i := from
	if a.skip {
		trans, class, shift, outFrom := a.trans, &a.class, a.shift&63, a.outFrom
		for to-i >= skipChunk {
			t := text[i : i+skipChunk]
			for j := 0; j < len(t); j++ {
				s = int(trans[s<<shift|int(class[t[j]])])
				if s >= outFrom {
					dst = a.report(text, i+j, s, emitFrom, dst)
				}
			}
			i, s = a.skipAhead(text, i+skipChunk, s, to)
		}
	}
	return a.walk(text, i, to, s, emitFrom, dst)
}
