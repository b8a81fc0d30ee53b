package extract

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// TestInflateHeldMatchesReaderAt: a ZIP held in memory gives the Result a
// ZIP read through a plain io.ReaderAt gives: Office files in EN/繁/简, a plain archive with a nested
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

// TestDeclaredSizeBelowTruth: a member holding more than its declared
// size keeps exactly its declared bytes (and reports the damage), small
// or large (inflated ahead), whatever the reader's buffer: archive/zip
// drops the read that passes the declared size, so declaredReader never
// asks for more.
func TestDeclaredSizeBelowTruth(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	vocab := testgen.PseudoWords(r, 500)
	for _, n := range []int{5000, 300000, 3 << 20} {
		var b bytes.Buffer
		for b.Len() < n {
			b.WriteString(vocab[r.IntN(len(vocab))])
			b.WriteByte(' ')
		}
		text := b.String()
		body := buildZip(t, zipEntry{name: "notes.txt", body: []byte(text)})
		declared := len(text) / 3
		setDeclaredSize(t, body, "notes.txt", uint64(declared))
		res, err := Extract(context.Background(), Input{Body: bytes.NewReader(body), Size: int64(len(body))}, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for _, s := range res.Segments {
			got.WriteString(s.Text)
		}
		if strings.TrimSpace(got.String()) != strings.TrimSpace(text[:declared]) {
			t.Errorf("%d bytes declared %d: kept %d bytes, want the declared %d", n, declared, got.Len(), declared)
		}
		if len(res.Problems) != 1 || res.Problems[0].Kind != Malformed {
			t.Errorf("%d bytes: problems %v, want one malformed", n, res.Problems)
		}
	}
}
