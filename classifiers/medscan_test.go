package classifiers

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The single-pass scanners of ageSex, bedNumbers and doses must return
// exactly what the straightforward ones (one pass per byte, word or unit,
// kept here as references) return, on text dense in their near-misses.
func TestMedicalScannersMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	pieces := []string{"Chan, ", "陳大文，", ",", ", ", "，", " ", "72", "5", "110", "111", "1234", "0", " M", "F", "/M", "歲", "岁", "x",
		"mg", "mcg", "ml", "m", "g", "毫克", "500", "5 ", "床", "3床", "12床", "123床", "Bed ", "bed ", "abed 1", "ed ", "Bed 1", "bed 2", "\n", "a", "Z"}
	for n := 0; n < 3000; n++ {
		var sb strings.Builder
		for k := r.IntN(60); k >= 0; k-- {
			sb.WriteString(pieces[r.IntN(len(pieces))])
		}
		text := sb.String()
		for _, limit := range []int{1, 2, 4, 16} {
			if got, want := ageSex(text, limit), ageSexOnePerByte(text, limit); !slices.Equal(got, want) {
				t.Fatalf("ageSex(%q, %d) = %v, want %v", text, limit, got, want)
			}
			if got, want := bedNumbers(text, limit), bedNumbersOnePerWord(text, limit); !slices.Equal(got, want) {
				t.Fatalf("bedNumbers(%q, %d) = %v, want %v", text, limit, got, want)
			}
			if got, want := doses(text, limit), dosesOnePerUnit(text, limit); !slices.Equal(got, want) {
				t.Fatalf("doses(%q, %d) = %v, want %v", text, limit, got, want)
			}
		}
	}
}

func ageSexOnePerByte(text string, limit int) []int {
	var out []int
	for i := 0; i < len(text) && len(out) < limit; i++ {
		if !isDigit(text[i]) || (i > 0 && isDigit(text[i-1])) {
			continue
		}
		j := i
		for j < len(text) && isDigit(text[j]) && j-i < 4 {
			j++
		}
		if j-i > 3 || (j < len(text) && isDigit(text[j])) {
			i = j
			continue
		}
		age := 0
		for _, c := range text[i:j] {
			age = age*10 + int(c-'0')
		}
		if age < 1 || age > 110 || !afterNameComma(text, i) {
			i = j - 1
			continue
		}
		rest := text[j:]
		ok := false
		switch {
		case strings.HasPrefix(rest, "歲") || strings.HasPrefix(rest, "岁"):
			ok = true
		default:
			k := 0
			if strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "/") {
				k = 1
			}
			if k < len(rest) && (rest[k] == 'M' || rest[k] == 'F') && (k+1 == len(rest) || !isLetter(rest[k+1]) && !isDigit(rest[k+1])) {
				ok = true
			}
		}
		if ok {
			out = append(out, i)
		}
		i = j - 1
	}
	return out
}

func bedNumbersOnePerWord(text string, limit int) []int {
	var out []int
	for from := 0; len(out) < limit; {
		i := strings.Index(text[from:], "床")
		if i < 0 {
			break
		}
		i += from
		from = i + len("床")
		if i > 0 && isDigit(text[i-1]) && (i < 2 || !isDigit(text[i-2]) || i < 3 || !isDigit(text[i-3])) {
			out = append(out, i-1)
		}
	}
	for _, w := range []string{"Bed ", "bed "} {
		for from := 0; len(out) < limit; {
			i := strings.Index(text[from:], w)
			if i < 0 {
				break
			}
			i += from
			from = i + len(w)
			if from < len(text) && isDigit(text[from]) && (i == 0 || !isLetter(text[i-1])) {
				out = append(out, i)
			}
		}
	}
	return out
}

func dosesOnePerUnit(text string, limit int) []int {
	var out []int
	for _, unit := range []string{"mg", "mcg", "ml", "毫克"} {
		for from := 0; len(out) < limit; {
			i := strings.Index(text[from:], unit)
			if i < 0 {
				break
			}
			i += from
			from = i + len(unit)
			j := i
			if j > 0 && text[j-1] == ' ' {
				j--
			}
			if j == 0 || !isDigit(text[j-1]) {
				continue
			}
			if e := i + len(unit); e < len(text) && isLetter(text[e]) {
				continue
			}
			out = append(out, j)
		}
	}
	sort.Ints(out)
	return out
}

// nearClinical cuts a segment at stop bytes on the claim that the three
// scanners then find on a stretch exactly what they find inside it in the
// whole text. Checked on text dense in their near-misses and in stop
// bytes, cut at every stop byte pair.
func TestMedicalScannersOnStretch(t *testing.T) {
	r := rand.New(rand.NewPCG(73, 74))
	pieces := []string{"Chan, ", "陳大文，", ",", ", ", "，", " ", "72", "5", "110", "1234", " M", "F", "/M", "歲", "岁", "x",
		"mg", "mcg", "ml", "m", "g", "毫克", "500", "5 ", "床", "3床", "12床", "123床", "Bed ", "bed ", "abed 1", "ed ", "\n", ".", "+", "(", "\t", "a", "Z", "/"}
	within := func(all []int, lo, hi int) []int {
		var out []int
		for _, p := range all {
			if p >= lo && p < hi {
				out = append(out, p-lo)
			}
		}
		return out
	}
	scanners := map[string]func(string, int) []int{"ageSex": ageSex, "bedNumbers": bedNumbers, "doses": doses}
	for n := 0; n < 2000; n++ {
		var sb strings.Builder
		for k := r.IntN(40); k >= 0; k-- {
			sb.WriteString(pieces[r.IntN(len(pieces))])
		}
		text := sb.String()
		cuts := []int{0}
		for i := 0; i < len(text); i++ {
			if stopByte(text[i]) {
				cuts = append(cuts, i)
			}
		}
		for name, scan := range scanners {
			all := scan(text, 1<<20)
			for _, lo := range cuts {
				for _, hi := range append(cuts[1:], len(text)-1) {
					hi++ // the stop byte is kept
					if hi <= lo || hi > len(text) {
						continue
					}
					slices.Sort(all)
					got := scan(text[lo:hi], 1<<20)
					slices.Sort(got)
					if want := within(all, lo, hi); !slices.Equal(got, want) {
						t.Fatalf("%s on %q[%d:%d] = %v, want %v (whole text: %v)", name, text, lo, hi, got, want, all)
					}
				}
			}
		}
	}
}

// nearClinical's stretches cover every clinical hit's medWindow on both
// sides, start and end at stop bytes (or the text's ends), are in order
// and apart, and leave out what is further from every clinical hit.
func TestNearClinicalSpans(t *testing.T) {
	r := rand.New(rand.NewPCG(75, 76))
	doc := &document{bytes: medDocWindow + 1}
	for n := 0; n < 60; n++ {
		size := 20000 + r.IntN(100000)
		b := make([]byte, size)
		for i := range b {
			b[i] = "abc 12,/"[r.IntN(8)]
			if r.IntN(200) == 0 {
				b[i] = '\n'
			}
		}
		text := string(b)
		var hits []termHit
		for p := r.IntN(5000); p < size-10; p += 1 + r.IntN(30000) {
			kind := uint8(medDisease)
			if r.IntN(3) == 0 {
				kind = medPerson // not clinical: opens no stretch
			}
			hits = append(hits, termHit{kind: kind, start: int32(p), end: int32(p + 1 + r.IntN(8))})
		}
		spans := nearClinical(doc, text, hits)
		in := func(p int) bool {
			for _, sp := range spans {
				if p >= sp[0] && p < sp[1] {
					return true
				}
			}
			return false
		}
		for k, sp := range spans {
			if sp[0] > 0 && !stopByte(text[sp[0]]) || sp[1] < len(text) && !stopByte(text[sp[1]-1]) {
				t.Fatalf("span %v does not start and end at stop bytes", sp)
			}
			if k > 0 && sp[0] <= spans[k-1][1] {
				t.Fatalf("spans %v and %v overlap or touch", spans[k-1], sp)
			}
		}
		near := make([]bool, size)
		for _, h := range hits {
			if !clinical(h.kind) {
				continue
			}
			for p := max(0, int(h.start)-medWindow); p < min(size, int(h.end)+medWindow); p++ {
				near[p] = true
			}
		}
		for p := 0; p < size; p++ {
			if near[p] && !in(p) {
				t.Fatalf("offset %d is within medWindow of a clinical hit but in no span", p)
			}
		}
		// A stretch grows past a window only to the nearest stop byte: no
		// stop byte lies strictly between an offset outside every window
		// and the window it was reached from.
		noStop := func(from, to int) bool {
			for q := from; q < to; q++ {
				if stopByte(text[q]) {
					return false
				}
			}
			return true
		}
		for p := 0; p < size; p++ {
			if !in(p) || near[p] {
				continue
			}
			prev, next := p-1, p+1
			for prev >= 0 && !near[prev] {
				prev--
			}
			for next < size && !near[next] {
				next++
			}
			if !(prev >= 0 && noStop(prev+1, p)) && !(next < size && noStop(p+1, next)) {
				t.Fatalf("offset %d is in a span though stop bytes lie between it and every clinical window", p)
			}
		}
	}
	// A small document is scored whole: one stretch, all of it.
	if got := nearClinical(&document{bytes: 100}, "abc", nil); !slices.Equal(got, [][2]int{{0, 3}}) {
		t.Errorf("small document: %v", got)
	}
}
