package edm

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

var (
	bigOnce  sync.Once
	bigRows  [][]string
	bigIndex []byte
)

// bigFixture builds a 1-million-row, 4-column index once per test binary.
func bigFixture(b *testing.B) ([][]string, []byte) {
	bigOnce.Do(func() {
		bigRows = customers(1_000_000, 11)
		bl, err := NewBuilder("customers", []string{"name", "mobile", "email", "id"})
		if err != nil {
			panic(err)
		}
		for _, r := range bigRows {
			bl.Add(r)
		}
		var out bytes.Buffer
		bl.WriteTo(&out)
		bigIndex = out.Bytes()
	})
	return bigRows, bigIndex
}

// BenchmarkLoad1M: reading and verifying an index of 1 million rows from
// disk; reports the memory the loaded index holds per row.
func BenchmarkLoad1M(b *testing.B) {
	_, raw := bigFixture(b)
	p := filepath.Join(b.TempDir(), "customers.edm")
	if err := os.WriteFile(p, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	var x *Index
	for b.Loop() {
		var err error
		if x, err = Load(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(x.MemoryBytes())/float64(x.Rows()), "bytes/row")
	b.ReportMetric(float64(len(raw))/float64(x.Rows()), "file-bytes/row")
}

// benchText is 10 MB of mixed English/Chinese business text with a few
// customer rows in it.
func benchText(rows [][]string) string {
	r := rand.New(rand.NewPCG(5, 6))
	parts := []string{
		"The operations team will review the shipping schedule for next week. ",
		"Please confirm the purchase order PO-2026-0412 by Friday, total HK$24,000. ",
		"明天下午三點喺觀塘辦公室開會，記得帶埋投影機。",
		"各位好，请于周五前提交差旅报销单，附上发票原件。",
		"Customer 10234 called about invoice INV-88231 dated 2026-03-02, tel 2123 4567. ",
		"倉庫存貨 1,200 件，請於月底前盤點。",
		"Contact sales@example.com or Mr Chan Tai Man for details. ",
	}
	var b strings.Builder
	for b.Len() < 10<<20 {
		b.WriteString(parts[r.IntN(len(parts))])
		if r.IntN(2000) == 0 {
			row := rows[r.IntN(len(rows))]
			b.WriteString(row[0] + ", " + row[1] + "\n")
		}
	}
	return b.String()
}

// BenchmarkMatch1M: matching 10 MB of mixed text against the 1M-row index.
func BenchmarkMatch1M(b *testing.B) {
	rows, raw := bigFixture(b)
	x, err := Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	text := benchText(rows)
	segs := []extract.Segment{{Origin: "bench", Text: text}}
	set := NewSet(x)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		fs := set.Classify(context.Background(), segs)
		n = 0
		if len(fs) > 0 {
			n = fs[0].Count
		}
	}
	b.ReportMetric(float64(n), "rows")
}
