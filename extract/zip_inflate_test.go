package extract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/dlpgate/dlpgate/internal/cputime"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

// TestInflateHeldMatchesReaderAt: a ZIP held in memory (its members
// inflated from *bytes.Reader slices, zip.go's inflaterPool.member) gives
// the Result a ZIP read through its io.ReaderAt gives (members through the
// bufio.Reader): Office files in EN/繁/简, a plain archive with a nested
// one, and the same with compressed bytes flipped, cut short, or the
// archive truncated.
func TestInflateHeldMatchesReaderAt(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	vocab := append(testgen.PseudoWords(r, 200), "陳大文", "香港身份證", "简体中文", "A123456(7)")
	words := func(n int) string {
		var b bytes.Buffer
		for range n {
			b.WriteString(vocab[r.IntN(len(vocab))] + " ")
		}
		return b.String()
	}
	var paras []string
	for range 300 {
		paras = append(paras, words(12))
	}
	var rows [][]string
	for i := range 400 {
		rows = append(rows, []string{fmt.Sprint(i), words(2), words(1)})
	}
	var slides []string
	for range 40 {
		slides = append(slides, words(30))
	}
	inner := buildZip(t, zipEntry{name: "a.txt", body: []byte(words(500))})
	files := map[string][]byte{
		"docx": buildDOCX(t, paras, [][]string{{"x", "陳大文"}, {"y", "z"}}),
		"xlsx": buildXLSX(t, rows, rows[:20]),
		"pptx": buildPPTX(t, slides...),
		"zip": buildZip(t, zipEntry{name: "notes.txt", body: []byte(words(3000))},
			zipEntry{name: "inner.zip", body: inner}, zipEntry{name: "s.txt", body: []byte(words(50)), store: true}),
	}
	check := func(name string, b []byte) {
		t.Helper()
		held, err := Extract(context.Background(), Input{Body: heldBody(b), Size: int64(len(b))}, Limits{})
		if err != nil {
			t.Fatalf("%s held: %v", name, err)
		}
		via, err := Extract(context.Background(), Input{Body: bytes.NewReader(b), Size: int64(len(b))}, Limits{})
		if err != nil {
			t.Fatalf("%s via ReaderAt: %v", name, err)
		}
		if !reflect.DeepEqual(held, via) {
			t.Fatalf("%s: held %d segments %v problems, via ReaderAt %d segments %v problems", name, len(held.Segments), held.Problems, len(via.Segments), via.Problems)
		}
	}
	for name, b := range files {
		check(name, b)
		for k := range 12 {
			d := bytes.Clone(b)
			// Inside the members (the central directory is at the end).
			for range 1 + k%3 {
				d[30+r.IntN(len(d)*3/4)] ^= byte(1 + r.IntN(255))
			}
			check(fmt.Sprintf("%s flipped %d", name, k), d)
			check(fmt.Sprintf("%s cut %d", name, k), b[:r.IntN(len(b))])
		}
	}
}

// BenchmarkInflateInput: the benchmark DOCX held in memory (members
// inflated from bytes.Reader) against the same bytes behind a plain
// io.ReaderAt (through a bufio.Reader):
//
//	go test ./extract -run '^$' -bench InflateInput -benchtime 3x -cpu 1 -count 5
func BenchmarkInflateInput(b *testing.B) {
	f := docxFile()
	for _, c := range []struct {
		name string
		body func() io.ReaderAt
	}{
		{"held", func() io.ReaderAt { return heldBody(f.body) }},
		{"readerat", func() io.ReaderAt { return bytes.NewReader(f.body) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(f.body)))
			cpu0 := cputime.Process()
			for range b.N {
				if _, err := Extract(context.Background(), Input{Body: c.body(), Size: int64(len(f.body))}, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}
