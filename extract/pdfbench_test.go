package extract

import (
	"testing"

	"github.com/dlpgate/dlpgate/internal/cputime"
)

// BenchmarkPDFTextRun is the content-stream interpreter alone (contents
// inflated beforehand) on the pages of the pdf-text fixture, in MB/s of
// content: the extraction goroutine's share of BenchmarkExtractors/pdf-text.
//
//	go test ./extract -run '^$' -bench PDFTextRun -count 6
func BenchmarkPDFTextRun(b *testing.B) {
	d, pages := aheadDoc(pdfBench(1<<19).body, Limits{})
	contents := make([][]byte, len(pages))
	total := 0
	for i, p := range pages {
		contents[i] = d.decodeContents(p.dict["Contents"])
		total += len(contents[i])
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	defer func() { b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e6, "cpu-ms/op") }()
	for range b.N {
		for i, p := range pages {
			t := &textRun{d: d, out: d.text[:0]}
			t.run(contents[i], p.resources, 0)
			d.text = t.out
		}
	}
}
