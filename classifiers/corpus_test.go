package classifiers

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// TestLabelledCorpus scores medical and financial_statement on the
// generated labelled corpus (corpus_gen_test.go): every template in each
// language, three variants each, each variant in another of its formats,
// read back through the real extractor. It prints precision and recall per
// classifier and fails below 0.97. Run it alone with
//
//	go test ./classifiers -run TestLabelledCorpus -v
//
// and set DLPGATE_CORPUS_MISSES=1 to list the documents it gets wrong
// (names only, never content).
func TestLabelledCorpus(t *testing.T) {
	type doc struct {
		name               string
		medical, financial bool
		gotMed, gotFin     bool
	}
	var docs []doc
	all := [][]template{medicalTemplates, medicalNearMisses, financialTemplates, financialNearMisses,
		medicalTemplates2, medicalNearMisses2, financialTemplates2, financialNearMisses2,
		medicalTemplates3, medicalNearMisses3, financialTemplates3, financialNearMisses3}
	ctx := context.Background()
	formats := map[string]int{}
	langs := map[lang]int{}
	for gi, group := range all {
		for ti, tp := range group {
			for _, l := range []lang{en, tc, sc} {
				for v := range 3 {
					r := rand.New(rand.NewPCG(uint64(gi*1000+ti), uint64(int(l)*10+v)))
					c := tp.gen(l, r)
					format := tp.formats[v%len(tp.formats)]
					body := render(t, c, format)
					name := fmt.Sprintf("%s-%s-%d.%s", tp.name, l, v, format)
					res, err := extract.Extract(ctx, extract.Input{Name: name, Body: bytes.NewReader(body), Size: int64(len(body)), Origin: "file:" + name}, extract.Limits{})
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if len(res.Problems) > 0 {
						t.Fatalf("%s: extraction problems %v", name, res.Problems)
					}
					d := doc{name: name, medical: tp.medical, financial: tp.financial}
					for _, f := range testSet.Classify(ctx, res.Segments) {
						switch f.Classifier {
						case Medical:
							d.gotMed = f.Confidence >= Medium
						case FinancialStatement:
							d.gotFin = f.Confidence >= Medium
						}
					}
					docs = append(docs, d)
					formats[format]++
					langs[l]++
				}
			}
		}
	}
	if len(docs) < 300 {
		t.Fatalf("corpus has %d documents, want at least 300", len(docs))
	}
	t.Logf("documents: %d; formats %v; languages en=%d tc=%d sc=%d", len(docs), formats, langs[en], langs[tc], langs[sc])
	var misses []string
	score := func(cls string, want, got func(doc) bool) {
		var tp, fp, fn, tn int
		for _, d := range docs {
			switch w, g := want(d), got(d); {
			case w && g:
				tp++
			case !w && g:
				fp++
				misses = append(misses, cls+" false positive: "+d.name)
			case w && !g:
				fn++
				misses = append(misses, cls+" false negative: "+d.name)
			default:
				tn++
			}
		}
		p, rc := ratio(tp, tp+fp), ratio(tp, tp+fn)
		t.Logf("%-20s TP=%d FP=%d FN=%d TN=%d precision=%.3f recall=%.3f", cls, tp, fp, fn, tn, p, rc)
		if p < 0.97 || rc < 0.97 {
			t.Errorf("%s: precision %.3f recall %.3f, want both >= 0.97", cls, p, rc)
		}
	}
	score(Medical, func(d doc) bool { return d.medical }, func(d doc) bool { return d.gotMed })
	score(FinancialStatement, func(d doc) bool { return d.financial }, func(d doc) bool { return d.gotFin })
	if t.Failed() || os.Getenv("DLPGATE_CORPUS_MISSES") != "" {
		sort.Strings(misses)
		t.Log("wrong:\n  " + strings.Join(misses, "\n  "))
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// BenchmarkClassifyCorpusMix: 10 MB of the labelled corpus's text documents
// (records, statements, near-misses) interleaved with mixed business text,
// one segment, so the medical and financial paths are exercised, not only
// the automaton walk.
func BenchmarkClassifyCorpusMix(b *testing.B) {
	var docs []string
	for gi, group := range [][]template{medicalTemplates, medicalNearMisses, financialTemplates, financialNearMisses} {
		for ti, tp := range group {
			for _, l := range []lang{en, tc, sc} {
				r := rand.New(rand.NewPCG(uint64(gi*1000+ti), uint64(l)))
				docs = append(docs, string(render(b, tp.gen(l, r), "txt")))
			}
		}
	}
	filler := mixedText(64 << 10)
	var sb strings.Builder
	for i := 0; sb.Len() < benchSize; i++ {
		sb.WriteString(docs[i%len(docs)])
		sb.WriteString("\n\n")
		sb.WriteString(filler[:8<<10])
		sb.WriteString("\n\n")
	}
	benchClassify(b, sb.String())
}
