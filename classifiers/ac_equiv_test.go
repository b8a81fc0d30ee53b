package classifiers

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// refScanSpan is scanSpan as it was before skipAhead: four lanes in lock
// step over the whole parts, then plain walks. It is the reference the
// skipping walks must agree with byte for byte (same hits, same order).
func (a *automaton) refScanSpan(text string, from, to int) []hit {
	const lanes = 4
	var dst []hit
	n := to - from
	part := n / lanes
	if n < 4096 || part <= 2*a.maxLen {
		return a.walk(text, max(0, from-a.maxLen), to, 0, from, dst)
	}
	var bufs [lanes][]hit
	var st [lanes]int
	var pos, own [lanes]int
	for k := 0; k < lanes; k++ {
		own[k] = from + k*part
		pos[k] = max(0, own[k]-a.maxLen)
	}
	steps := part - a.maxLen
	p0, p1, p2, p3 := pos[0], pos[1], pos[2], pos[3]
	t0, t1, t2, t3 := text[p0:p0+steps], text[p1:p1+steps], text[p2:p2+steps], text[p3:p3+steps]
	for j := 0; j < steps; j++ {
		j = a.advance4(t0, t1, t2, t3, j, &st)
		if j == steps {
			break
		}
		for k, p := range [lanes]int{p0, p1, p2, p3} {
			if st[k] >= a.outFrom {
				bufs[k] = a.report(text, p+j, st[k], own[k], bufs[k])
			}
		}
	}
	for k := 0; k < lanes; k++ {
		end := own[k] + part
		if k == lanes-1 {
			end = to
		}
		bufs[k] = a.walk(text, pos[k]+steps, end, st[k], own[k], bufs[k])
	}
	out := bufs[0]
	for k := 1; k < lanes; k++ {
		out = append(out, bufs[k]...)
	}
	return out
}

// checkEquivalent compares scan and scanSpan over a few tilings with the
// reference walk.
func checkEquivalent(t *testing.T, a *automaton, text string, r *rand.Rand) {
	t.Helper()
	want := a.refScanSpan(text, 0, len(text))
	got := a.scan(text, nil)
	if !slices.Equal(got, want) {
		t.Fatalf("scan differs from the reference on %d bytes: %s", len(text), firstDiff(got, want))
	}
	if r == nil || len(text) == 0 {
		return
	}
	// A random tiling: concatenated spans must give the same.
	var tiled []hit
	var lb laneBufs
	for from := 0; from < len(text); {
		to := min(len(text), from+1+r.IntN(len(text)))
		if s := a.scanSpan(text, from, to, nil, &lb); true {
			if ref := a.refScanSpan(text, from, to); !slices.Equal(s, ref) {
				t.Fatalf("scanSpan(%d,%d) differs from the reference: %s", from, to, firstDiff(s, ref))
			}
			tiled = append(tiled, s...)
		}
		from = to
	}
	if !slices.Equal(tiled, want) {
		t.Fatalf("tiled spans differ from one scan: %s", firstDiff(tiled, want))
	}
}

func firstDiff(got, want []hit) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("hit %d = %+v, want %+v (of %d, want %d)", i, got[i], want[i], len(got), len(want))
		}
	}
	return fmt.Sprintf("%d hits, want %d", len(got), len(want))
}

// equivTexts are generated texts of the kinds skipAhead must get right.
func equivTexts(r *rand.Rand) map[string]string {
	gen := func(n int, alphabet string) string {
		var sb strings.Builder
		for sb.Len() < n {
			sb.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		return sb.String()
	}
	lines := func(n, line int, alphabet string) string {
		var sb strings.Builder
		for sb.Len() < n {
			sb.WriteString(gen(1+r.IntN(line), alphabet))
			sb.WriteByte("\n \t,-/("[r.IntN(7)])
		}
		return sb.String()
	}
	mixCase := func(s string) string {
		b := []byte(s)
		for i, c := range b {
			if c >= 'a' && c <= 'z' && r.IntN(2) == 0 {
				b[i] = c - 'a' + 'A'
			}
		}
		return string(b)
	}
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	texts := map[string]string{
		"business":       mixedText(70000),
		"long-line":      strings.ReplaceAll(mixedText(50000), "\n", " "),
		"base64":         lines(60000, 76, alnum+"+/"),
		"random-letters": lines(60000, 100, "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
		"digits":         lines(30000, 40, "0123456789"),
		"letters-digits": lines(40000, 200, "aB1234567890"),
		"traditional":    strings.Repeat("明天下午三點喺觀塘辦公室開會，記得帶埋投影機。倉庫存貨 1,200 件，總資產 Total\nAssets。\n", 300),
		"simplified":     strings.Repeat("各位好，请于周五前提交差旅报销单，附上发票原件。身份证号码 A123456(7)。\n", 300),
	}
	// HKID-like identifiers glued into alphanumeric runs.
	var sb strings.Builder
	for sb.Len() < 40000 {
		sb.WriteString(gen(r.IntN(30), alnum))
		fmt.Fprintf(&sb, "%c%06d(%d)", 'A'+r.IntN(26), r.IntN(1000000), r.IntN(10))
		sb.WriteString([]string{"", " ", "A-1", "x12", "\n", "ab12345", "（3）", "１２"}[r.IntN(8)])
	}
	texts["hkid-glued"] = sb.String()
	// Every dictionary pattern, in mixed case, glued to letters or digits
	// on either side or standing alone.
	a := testSet.ac
	sb.Reset()
	for id := range a.pats {
		p := a.pats[id].text
		glue := func() string {
			switch r.IntN(4) {
			case 0:
				return " "
			case 1:
				return gen(1+r.IntN(12), alnum)
			case 2:
				return gen(1+r.IntN(3), "0123456789")
			}
			return ""
		}
		sb.WriteString(glue())
		sb.WriteString(mixCase(strings.ReplaceAll(p, " ", []string{" ", "\n", "\t", "\r\n"}[r.IntN(4)])))
		sb.WriteString(glue())
		if r.IntN(3) == 0 {
			sb.WriteByte('\n')
		}
	}
	texts["patterns"] = sb.String()
	return texts
}

func TestAutomatonSkipEquivalence(t *testing.T) {
	a := testSet.ac
	if !a.skip {
		t.Fatal("the classifiers' automaton does not allow skipping")
	}
	r := rand.New(rand.NewPCG(61, 62))
	for name, text := range equivTexts(r) {
		t.Run(name, func(t *testing.T) {
			checkEquivalent(t, a, text, r)
			// Lengths around the four-lane threshold and lane boundaries.
			for _, n := range []int{1, 7, 15, 16, 17, 33, 100, 4095, 4096, 4097, 4096 + 4*a.maxLen, 8191, 8192, 8193, 16387} {
				for range 3 {
					if n > len(text) {
						break
					}
					off := r.IntN(len(text) - n + 1)
					checkEquivalent(t, a, text[off:off+n], r)
				}
			}
		})
	}
}

// TestAutomatonSkipSmallDictionaries checks automata built from small
// random dictionaries (with and without raw patterns) too.
func TestAutomatonSkipSmallDictionaries(t *testing.T) {
	r := rand.New(rand.NewPCG(63, 64))
	words := []string{"ab", "a1", "b12", "abc", "1a", "x", "a-1", "(1)", "q", "zz9", "total assets", "ba"}
	for round := range 60 {
		var list []string
		for range 1 + r.IntN(6) {
			list = append(list, words[r.IntN(len(words))])
		}
		list = slices.Compact(slices.Sorted(slices.Values(list)))
		a, err := newAutomatonRaw(list, r.IntN(len(list)+1))
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for sb.Len() < 5000+r.IntN(10000) {
			sb.WriteString([]string{"a", "b", "1", "2", "9", "z", "q", "x", " ", "-", "(", ")", "\n", "A", "B"}[r.IntN(15)])
			if r.IntN(40) == 0 {
				sb.WriteString(strings.Repeat("ab", r.IntN(20)))
			}
		}
		text := sb.String()
		t.Run(fmt.Sprint(round), func(t *testing.T) { checkEquivalent(t, a, text, r) })
	}
}

func TestNextStop(t *testing.T) {
	r := rand.New(rand.NewPCG(65, 66))
	ref := func(text string, i, end int) int {
		for j := i; j < end; j++ {
			if !isASCIIAlnum(text[j]) || j+1 >= len(text) || !isASCIIAlnum(text[j+1]) || ldd(text, j) {
				return j
			}
		}
		return end
	}
	alphabet := "aZ09 \x80\xff@[`{/:" + "bcdefgh"
	for range 20000 {
		b := make([]byte, 1+r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		text := string(b)
		i := r.IntN(len(text))
		end := i + r.IntN(len(text)-i+1)
		if got, want := nextStop(text, i, end), ref(text, i, end); got != want {
			t.Fatalf("nextStop(%q, %d, %d) = %d, want %d", text, i, end, got, want)
		}
	}
}

func FuzzAutomatonEquivalence(f *testing.F) {
	f.Add("Total\nAssets of HK$1,200 in base64 QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123456789abcd A123456(7)")
	f.Add("身份證 A123456(7) xA12 ab12345 a-1 （3） １２３ total assets\r\nbalance sheet")
	f.Fuzz(func(t *testing.T, text string) {
		a := testSet.ac
		checkEquivalent(t, a, text, nil)
		// Long enough for the four-lane walk.
		if len(text) > 0 {
			long := strings.Repeat(text, 4096/len(text)+2)
			checkEquivalent(t, a, long, nil)
		}
	})
}
