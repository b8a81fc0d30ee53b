package classifiers

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// naiveHits is the reference: every occurrence of every pattern, folded,
// with the same word-boundary rule.
func naiveHits(pats []string, text string) []hit {
	ft := string(foldString(text))
	var out []hit
	for id, p := range pats {
		fp := string(foldString(p))
		for i := 0; ; {
			j := strings.Index(ft[i:], fp)
			if j < 0 {
				break
			}
			s, e := i+j, i+j+len(fp)
			ok := !(isASCIIAlnum(fp[0]) && s > 0 && isASCIIAlnum(text[s-1])) &&
				!(isASCIIAlnum(fp[len(fp)-1]) && e < len(text) && isASCIIAlnum(text[e]))
			if ok {
				out = append(out, hit{id: int32(id), start: int32(s), end: int32(e)})
			}
			i = s + 1
		}
	}
	sortHits(out)
	return out
}

func sortHits(h []hit) {
	sort.Slice(h, func(i, j int) bool {
		if h[i].end != h[j].end {
			return h[i].end < h[j].end
		}
		return h[i].id < h[j].id
	})
}

func TestAutomatonMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	alphabet := []string{"a", "b", "A", "B", " ", "\n", "1", "身", "份", "證", "财", "務", "-"}
	gen := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for round := range 200 {
		pats := map[string]bool{}
		for len(pats) < 1+r.IntN(12) {
			pats[string(foldString(gen(1+r.IntN(4))))] = true
		}
		var list []string
		for p := range pats {
			list = append(list, p)
		}
		sort.Strings(list)
		a, err := newAutomaton(list)
		if err != nil {
			t.Fatal(err)
		}
		text := gen(r.IntN(200))
		if round%20 == 0 {
			text = gen(5000 + r.IntN(20000)) // long enough for the four-lane walk
		}
		got := a.scan(text, nil)
		sortHits(got)
		want := naiveHits(list, text)
		if len(got) != len(want) {
			t.Fatalf("round %d: %d hits, want %d (patterns %q text %q)", round, len(got), len(want), list, text)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("round %d: hit %d = %+v, want %+v", round, i, got[i], want[i])
			}
		}
	}
}

func TestAutomatonFolding(t *testing.T) {
	a, err := newAutomaton([]string{"total assets", "資產總值", "ast"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want int
	}{
		{"TOTAL ASSETS 1,000", 1},
		{"Total\nAssets", 1},
		{"Total\tassets", 1},
		{"subtotal assets", 0}, // not a whole word
		{"資產總值 328,108", 1},
		{"fast past AST", 1},
	} {
		n := len(a.scan(tc.text, nil))
		if n != tc.want {
			t.Errorf("%q: %d hits, want %d", tc.text, n, tc.want)
		}
	}
	if _, err := newAutomaton([]string{""}); err == nil {
		t.Error("empty pattern accepted")
	}
}

func TestDictionariesLoad(t *testing.T) {
	for name, kinds := range map[string]map[string]uint8{
		"hkid": {"keyword": hkKeyword, "code": hkCode}, "medical": medSections, "financial": finSections,
	} {
		files := []string{name}
		if name == "medical" {
			files = medDictFiles
		}
		v, err := loadDicts(kinds, files...)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[uint8]int{}
		for _, e := range v {
			seen[e.kind]++
		}
		for sec, k := range kinds {
			if seen[k] == 0 {
				t.Errorf("dictionary %s: section %s is empty", name, sec)
			}
		}
	}
	if _, err := loadDict("medical", map[string]uint8{"disease": 1}); err == nil {
		t.Error("unknown section accepted")
	}
}

// Every term of every dictionary must be found in text made of that term:
// a term that silently never matches is a hole (presidio discussion #1044).
func TestEveryTermMatches(t *testing.T) {
	for ci, c := range testSet.cls {
		for ti, v := range c.vocabulary() {
			text := "。" + v.term + "。"
			found := false
			for _, h := range testSet.ac.scan(text, nil) {
				if int(h.id) >= testSet.dictPatterns {
					continue
				}
				for _, o := range testSet.owners[h.id] {
					if int(o.cls) == ci && int(o.term) == ti {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("%s: term %q never matches", c.name(), v.term)
			}
		}
	}
}

func TestDigitOrEF(t *testing.T) {
	for b := 0; b < 256; b++ {
		for pos := 0; pos < 8; pos++ {
			x := uint64(0x41) * lo7 // "AAAAAAAA"
			x = x&^(0xFF<<(8*pos)) | uint64(b)<<(8*pos)
			want := (b >= '0' && b <= '9') || b == 0xEF
			if got := digitOrEF(x); got != want {
				t.Fatalf("byte %#x at %d: got %v want %v", b, pos, got, want)
			}
		}
	}
}
