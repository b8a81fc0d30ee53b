package classifiers

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

// mixedText generates n bytes of English/Traditional/Simplified business
// text with numbers, dictionary words and the odd HKID, the traffic the
// proxy sees all day.
func mixedText(n int) string {
	r := rand.New(rand.NewPCG(31, 32))
	parts := []string{
		"The operations team will review the shipping schedule for next week. ",
		"Please confirm the purchase order PO-2026-0412 by Friday, total HK$24,000. ",
		"明天下午三點喺觀塘辦公室開會，記得帶埋投影機。",
		"各位好，请于周五前提交差旅报销单，附上发票原件。",
		"Revenue for the region grew 8% year on year; the budget is unchanged. ",
		"倉庫存貨 1,200 件，請於月底前盤點。",
		"Customer 10234 called about invoice INV-88231 dated 2026-03-02. ",
		"病人服務中心今日暫停開放，請改日再來。",
		"Meeting notes: 1) pipeline 450,000 2) hiring 3) office move. ",
		"財務部提醒：報銷單須附收據正本。",
		"The health and safety briefing is on Tuesday in room 12. ",
	}
	var b strings.Builder
	b.Grow(n + 256)
	for b.Len() < n {
		b.WriteString(parts[r.IntN(len(parts))])
		if r.IntN(200) == 0 {
			body, c := genHKID(r, "A")
			b.WriteString("HKID " + body + "(" + string(c) + ") ")
		}
		if r.IntN(20) == 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func benchClassify(b *testing.B, text string) { benchClassifyWith(b, testSet, text) }

func benchClassifyWith(b *testing.B, set Set, text string) {
	segs := []extract.Segment{{Origin: "bench", Text: text}}
	ctx := context.Background()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	loopCPU(b, len(text), func() { set.Classify(ctx, segs) })
}

const benchSize = 10 << 20

// BenchmarkClassifyMixed is the per-core figure: one goroutine, whatever
// the input size (the target is 400 MB/s per core).
func BenchmarkClassifyMixed(b *testing.B) {
	s, err := newSet()
	if err != nil {
		b.Fatal(err)
	}
	s.parallelMin = math.MaxInt
	benchClassifyWith(b, s, mixedText(benchSize))
}

// BenchmarkClassifyMixedParallel is what one large upload gets: the 10 MB
// input is shared out over GOMAXPROCS goroutines.
func BenchmarkClassifyMixedParallel(b *testing.B) { benchClassify(b, mixedText(benchSize)) }

func BenchmarkPathologicalDigits(b *testing.B) {
	benchClassify(b, strings.Repeat("0123456789", benchSize/10))
}

func BenchmarkPathologicalA1(b *testing.B) { benchClassify(b, strings.Repeat("A1", benchSize/2)) }

func BenchmarkPathologicalHKIDs(b *testing.B) {
	r := rand.New(rand.NewPCG(41, 42))
	var sb strings.Builder
	for sb.Len() < benchSize {
		body, c := genHKID(r, "B")
		sb.WriteString(body + "(" + string(c) + ")\n")
	}
	benchClassify(b, sb.String())
}

// BenchmarkPathologicalSpacedHKIDs: a segment that names an identity card
// and then holds nothing but spaced and grouped HKIDs ("A 123456(3)",
// "A 123 456 3"), each of which the spaced and grouped scanners meet
// again after the other scanners: looking each up in the list found so far
// made a megabyte of them take 13 s (quadratic).
func BenchmarkPathologicalSpacedHKIDs(b *testing.B) {
	r := rand.New(rand.NewPCG(43, 44))
	var sb strings.Builder
	sb.WriteString("HKID list\n")
	for i := 0; sb.Len() < benchSize; i++ {
		body, c := genHKID(r, "C")
		if i%2 == 0 {
			sb.WriteString(body[:1] + " " + body[1:] + "(" + string(c) + ") ")
		} else {
			sb.WriteString(body[:1] + " " + body[1:4] + " " + body[4:] + " " + string(c) + " ")
		}
	}
	benchClassify(b, sb.String())
}

func BenchmarkPathologicalKeyword(b *testing.B) {
	benchClassify(b, strings.Repeat("身份證", benchSize/9))
}

func BenchmarkPathologicalMedicalTerms(b *testing.B) {
	benchClassify(b, strings.Repeat("Diagnosis: diabetes ", benchSize/20))
}

func BenchmarkPathologicalFigures(b *testing.B) {
	benchClassify(b, strings.Repeat("Revenue (1,234) ", benchSize/16))
}

func BenchmarkAutomatonOnly(b *testing.B) {
	text := mixedText(benchSize)
	b.SetBytes(int64(len(text)))
	var buf []hit
	for b.Loop() {
		buf = testSet.ac.scan(text, buf[:0])
	}
}

func BenchmarkHKIDScanOnly(b *testing.B) {
	text := mixedText(benchSize)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		scanHKIDs(text, nil)
	}
}

// The benchmark's business text mentions revenue, stock, a patient service
// centre and health and safety, and holds generated HKIDs: only hkid may
// fire on it.
func TestMixedBusinessTextQuiet(t *testing.T) {
	got := classifyText(t, mixedText(1<<20))
	if f, ok := got[Medical]; ok {
		t.Errorf("medical fired on business text: %v", f.Signals)
	}
	if f, ok := got[FinancialStatement]; ok {
		t.Errorf("financial_statement fired on business text: %v", f.Signals)
	}
	if _, ok := got[HKID]; !ok {
		t.Error("the generated HKIDs were not found")
	}
}

// Per-core figures on the kinds of text the proxy sees besides business
// prose (issue 13: >= 500 MB/s per core on any text): each runs on one
// goroutine, as BenchmarkClassifyMixed does.
func BenchmarkClassifyPerCore(b *testing.B) {
	s, err := newSet()
	if err != nil {
		b.Fatal(err)
	}
	s.parallelMin = math.MaxInt
	for _, c := range perCoreInputs() {
		b.Run(c.name, func(b *testing.B) { benchClassifyWith(b, s, c.text) })
	}
}

// perCoreInputs are the texts of BenchmarkClassifyPerCore.
func perCoreInputs() []struct{ name, text string } {
	r := rand.New(rand.NewPCG(51, 52))
	gen := func(n int, line int, alphabet string) string {
		var sb strings.Builder
		sb.Grow(n + line)
		for sb.Len() < n {
			for range line {
				sb.WriteByte(alphabet[r.IntN(len(alphabet))])
			}
			sb.WriteByte('\n')
		}
		return sb.String()
	}
	sheet := func(n int) string {
		var sb strings.Builder
		for row := 0; sb.Len() < n; row++ {
			fmt.Fprintf(&sb, "%d,%d.%02d,%d,2026-%02d-%02d,%d\n", row, r.IntN(100000), r.IntN(100), r.IntN(1000000), 1+r.IntN(12), 1+r.IntN(28), r.IntN(99999999))
		}
		return sb.String()
	}
	return []struct{ name, text string }{
		{"business-EN-zh", mixedText(benchSize)},
		{"traditional", strings.Repeat("明天下午三點喺觀塘辦公室開會，記得帶埋投影機。倉庫存貨 1,200 件，請於月底前盤點。\n", benchSize/120)},
		{"simplified", strings.Repeat("各位好，请于周五前提交差旅报销单，附上发票原件。仓库库存一千二百件，请于月底前盘点。\n", benchSize/120)},
		{"base64", gen(benchSize, 76, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")},
		{"random-letters", gen(benchSize, 100, "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ")},
		{"digit-sheet", sheet(benchSize)},
		{"long-line", strings.ReplaceAll(mixedText(benchSize), "\n", " ")},
		{"b64-and-prose", testgen.Base64AndProse(r, benchSize)}, // bench's 50 MiB upload
	}
}

// BenchmarkAutomatonPerCore is the automaton walk alone on the texts of
// BenchmarkClassifyPerCore.
func BenchmarkAutomatonPerCore(b *testing.B) {
	var lb laneBufs
	var buf []hit
	for _, c := range perCoreInputs() {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			loopCPU(b, len(c.text), func() { buf = testSet.ac.scanWith(c.text, buf[:0], &lb) })
		})
	}
}

// Tables of people (medtable.go): one endless header line, and a header
// repeated on every line, must stay linear.
func BenchmarkPathologicalHealthHeaderLine(b *testing.B) {
	benchClassify(b, strings.Repeat("name,reason,", benchSize/12))
}

func BenchmarkPathologicalHealthHeaderRows(b *testing.B) {
	benchClassify(b, strings.Repeat("Name,Diagnosis\n", benchSize/15))
}

// BenchmarkPathologicalDigitsApart: a segment that names an identity card
// and then holds nothing but single digits typed apart, each of which
// starts a look for six (hkid_spaced.go scanDigitSpacedHKIDs): linear.
func BenchmarkPathologicalDigitsApart(b *testing.B) {
	benchClassify(b, "HKID list\n"+strings.Repeat("A 1 2 3 4 5 6 7 8 9 0 ", benchSize/22))
}

func BenchmarkPathologicalDigitsApart1MB(b *testing.B) {
	benchClassify(b, "HKID list\n"+strings.Repeat("A 1 2 3 4 5 6 7 8 9 0 ", (1<<20)/22))
}

// jsonFieldSegments is what extract makes of a 4 MiB batch of a JSON API
// export: one segment per field value, a few dozen bytes each, below
// record paths (customer_database and medical read the paths).
func jsonFieldSegments(size int) ([]extract.Segment, int) {
	r := rand.New(rand.NewPCG(9, 9))
	words := testgen.PseudoWords(r, 3000)
	var segs []extract.Segment
	n := 0
	for i := 0; n < size; i++ {
		rec := fmt.Sprintf("json:$.records[%d].", i)
		note := ""
		for k := 8 + r.IntN(16); k > 0; k-- {
			note += words[r.IntN(len(words))] + " "
		}
		for _, f := range [][2]string{{"id", fmt.Sprint(i)}, {"item", words[r.IntN(len(words))] + " " + words[r.IntN(len(words))]},
			{"qty", fmt.Sprint(r.IntN(500))}, {"price", fmt.Sprintf("%d.%02d", r.IntN(10000), r.IntN(100))}, {"note", note}} {
			segs = append(segs, extract.Segment{Origin: rec + f[0], Text: f[1]})
			n += len(f[1])
		}
	}
	return segs, n
}

// BenchmarkClassifyJSONFields: classification of many short segments (a
// JSON export's fields), on one goroutine ("per-core") and as one large
// batch gets it (all cores). MB/s are of the fields' text.
func BenchmarkClassifyJSONFields(b *testing.B) {
	segs, n := jsonFieldSegments(4 << 20)
	for _, perCore := range []bool{true, false} {
		name := "parallel"
		if perCore {
			name = "per-core"
		}
		b.Run(name, func(b *testing.B) {
			s, err := newSet()
			if err != nil {
				b.Fatal(err)
			}
			if perCore {
				s.parallelMin = math.MaxInt
			}
			ctx := context.Background()
			b.SetBytes(int64(n))
			b.ReportAllocs()
			loopCPU(b, n, func() { s.Classify(ctx, segs) })
		})
	}
}
