package classifiers

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// refScan is the reference scan: one walk from the root over the whole text
// with no lanes and no skipping, as scan was before any scan-loop
// optimisation. Faster scans must give exactly its result.
func refScan(a *automaton, text string) []hit {
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

// naiveScan finds the same hits without the DFA: every pattern tried at
// every offset. It does not define the order of hits ending at one offset,
// so it is compared after sorting by (end, id).
func naiveScan(a *automaton, text string) []hit {
	byFirst := map[byte][]int32{}
	for id, p := range a.pats {
		byFirst[p.text[0]] = append(byFirst[p.text[0]], int32(id))
	}
	f := make([]byte, len(text))
	for i := 0; i < len(text); i++ {
		f[i] = fold(text[i])
	}
	folded := string(f)
	var out []hit
	for start := 0; start < len(text); start++ {
		for _, id := range byFirst[folded[start]] {
			p := &a.pats[id]
			if !strings.HasPrefix(folded[start:], p.text) {
				continue
			}
			// report applies the boundary rules; reuse them on a
			// single-output check.
			end := start + len(p.text)
			i := end - 1
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
			out = append(out, hit{id: id, start: int32(start), end: int32(end)})
		}
	}
	sortHits(out)
	return out
}

// frozenRef is the frozen automaton (ac_ref_test.go) built from testSet's
// patterns, built once.
var frozenRef = sync.OnceValue(func() *refAutomaton {
	a := testSet.ac
	patterns := make([]string, len(a.pats))
	for i, p := range a.pats {
		patterns[i] = p.text // folding is idempotent
	}
	r, err := newRefAutomatonRaw(patterns, testSet.dictPatterns)
	if err != nil {
		panic(err)
	}
	return r
})

// checkScanEquivalent compares scan, tiled scanSpan and the naive matcher
// with refScan on text, and refScan with the frozen automaton's walk when
// a is testSet's.
func checkScanEquivalent(t *testing.T, a *automaton, text string, naive bool) {
	t.Helper()
	want := refScan(a, text)
	if a == testSet.ac {
		if old := frozenRef().scan(text); !slices.Equal(old, want) {
			t.Fatalf("refScan differs from the frozen automaton on %d bytes (%q...): %d hits, want %d", len(text), clip(text), len(want), len(old))
		}
	}
	if got := a.scan(text, nil); !slices.Equal(got, want) {
		t.Fatalf("scan differs from refScan on %d bytes (%q...): got %d hits, want %d", len(text), clip(text), len(got), len(want))
	}
	var lb laneBufs
	for _, tiles := range []int{2, 3, 5, 7} {
		var got []hit
		step := len(text)/tiles + 1
		for from := 0; from < len(text); from += step {
			got = a.scanSpan(text, from, min(len(text), from+step), got, &lb)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%d scanSpan tiles differ from refScan on %d bytes (%q...)", tiles, len(text), clip(text))
		}
	}
	// A first tile shorter than maxLen: the next one's lane 0 starts at
	// the text's start, less than maxLen bytes before its span.
	for _, cut := range []int{1, a.maxLen / 2, a.maxLen - 1, a.maxLen, a.maxLen + 1} {
		if cut >= len(text) {
			break
		}
		got := a.scanSpan(text, 0, cut, nil, &lb)
		if got = a.scanSpan(text, cut, len(text), got, &lb); !slices.Equal(got, want) {
			t.Fatalf("scanSpan tiles cut at %d differ from refScan on %d bytes (%q...)", cut, len(text), clip(text))
		}
	}
	if naive {
		w := slices.Clone(want)
		sortHits(w)
		if n := naiveScan(a, text); !slices.Equal(n, w) {
			t.Fatalf("refScan differs from naive matcher on %q...: %d vs %d hits", clip(text), len(w), len(n))
		}
	}
}

func clip(s string) string { return s[:min(len(s), 40)] }

// equivalenceInputs are generated and adversarial texts for the scan
// equivalence tests.
func equivalenceInputs(a *automaton) []string {
	r := rand.New(rand.NewPCG(7, 8))
	gen := func(n int, alphabet string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var in []string
	in = append(in,
		mixedText(20000),
		strings.ReplaceAll(mixedText(20000), "\n", " "),
		strings.Repeat("明天下午三點喺觀塘辦公室開會，記得帶埋投影機。倉庫存貨 1,200 件，請於月底前盤點。\n", 60),
		strings.Repeat("各位好，请于周五前提交差旅报销单，附上发票原件。仓库库存一千二百件，请于月底前盘点。\n", 60),
		gen(20000, b64),
		gen(20000, b64+"\n"),
		gen(20000, "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
		gen(20000, "0123456789,.\n"),
		// Letter-hyphen-digit and letter-digit-digit states that want
		// six digits, followed by runs of every length (mustReport's
		// look at the eight bytes after a state).
		gen(20000, "aB-0123456789 ."),
		gen(20000, "a-01234567890123456789"),
		strings.Repeat("A123456(7) AB1234567 a1b2c3 ", 800),
		strings.Repeat("A1", 6000),
		"Total\nAssets TOTAL\tASSETS total  assets",
	)
	// Every pattern glued to letters/digits, spaced, upper-cased, and at
	// every offset around lane boundaries of a long text.
	var glued, spaced strings.Builder
	for i, p := range a.pats {
		pre := string(b64[i%len(b64)])
		glued.WriteString(pre + p.text + pre)
		spaced.WriteString(" " + strings.ToUpper(p.text) + "\n")
		if i%3 == 0 {
			spaced.WriteString(p.text + "9")
		}
	}
	in = append(in, glued.String(), spaced.String())
	// The longest patterns placed so they straddle or end right at the
	// lane boundaries of a 4-lane scan (the text length stays fixed).
	filler := gen(40000, "abcdefghij klmnop 0123")
	long := slices.Clone(a.pats)
	slices.SortFunc(long, func(x, y acPattern) int { return len(y.text) - len(x.text) })
	part := len(filler) / 4
	for _, p := range long[:min(6, len(long))] {
		for d := -2; d <= 2; d++ {
			b := []byte(filler)
			for k := 1; k < 4; k++ {
				end := k*part + d // offset of the byte after the pattern
				copy(b[end-len(p.text)-1:], " "+p.text+" ")
			}
			in = append(in, string(b))
		}
	}
	return in
}

func TestAutomatonEquivalence(t *testing.T) {
	a := testSet.ac
	for _, text := range equivalenceInputs(a) {
		checkScanEquivalent(t, a, text, len(text) <= 50000)
	}
}

func FuzzAutomatonEquivalence(f *testing.F) {
	for _, s := range []string{
		"", "Total\nAssets", "A123456(7)", "ab12 3456", "資產總值", "资产总值",
		"xTotal Assetsx", "１２３４５６", strings.Repeat("A1", 3000),
		strings.Repeat("Balance Sheet ", 700),
	} {
		f.Add(s)
	}
	a := testSet.ac
	f.Fuzz(func(t *testing.T, text string) {
		checkScanEquivalent(t, a, text, len(text) <= 4096)
	})
}
