package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// The worksheet, shared-string and DrawingML readers against their frozen
// token-by-token references (officeref_test.go), and nextFast against
// next: same text, same streamed windows, same problems, same state left
// behind, for generated, odd and damaged XML read in chunks of every size
// (so tags fall across the scanner's buffer end).

// chunkReader returns at most n bytes per Read (n <= 0: all at once).
type chunkReader struct {
	b []byte
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	if c.n > 0 && len(p) > c.n {
		p = p[:c.n]
	}
	k := copy(p, c.b)
	c.b = c.b[k:]
	return k, nil
}

// officeRun is what one reader call produced and left in its walker.
type officeRun struct {
	Text     string
	Err      string
	Res      Result
	Windows  []string
	Used     []bool
	Phonetic string
	Shared   []string
}

func equivWalker(maxText int64, windows *[]string) *walker {
	lim := Limits{MaxTotalBytes: maxText}.withDefaults()
	w := &walker{ctx: context.Background(), parent: context.Background(), lim: lim, seen: map[string]bool{}, repanic: true}
	w.stream = func(s Segment, off int64) {
		*windows = append(*windows, fmt.Sprintf("%s@%d:%s", s.Origin, off, s.Text))
	}
	return w
}

func errText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, errStop):
		return "stop"
	}
	return err.Error()
}

func sstStrings(t sstTable) []string {
	out := []string{}
	for i := range t.len() {
		out = append(out, string(t.at(i)))
	}
	return out
}

// runSheet reads sst then sheet as xlsx does, with the new readers or the
// references.
func runSheet(ref bool, sst, sheet []byte, chunk int, maxText int64, streamed bool) officeRun {
	var run officeRun
	w := equivWalker(maxText, &run.Windows)
	var ps *partStream
	if streamed {
		ps = &partStream{origin: "x.xlsx!zip:xl/worksheets/sheet1.xml", head: "Sheet"}
	}
	dates := []bool{false, true, false, true}
	var text string
	var err error
	if ref {
		shared, _ := w.refSharedStrings(&chunkReader{sst, chunk})
		run.Shared = append([]string{}, shared...)
		w.sstUsed = make([]bool, len(shared))
		text, err = w.refSheetTextTo(&chunkReader{sheet, chunk}, shared, dates, ps)
	} else {
		shared, _ := w.sharedStrings(&chunkReader{sst, chunk})
		run.Shared = sstStrings(shared)
		w.sstUsed = make([]bool, shared.len())
		text, err = w.sheetTextTo(&chunkReader{sheet, chunk}, shared, dates, ps)
	}
	if ps != nil {
		w.finish(ps, text)
	}
	run.Text, run.Err = text, errText(err)
	run.Res, run.Used, run.Phonetic = w.res, w.sstUsed, string(w.sstPhonetic)
	return run
}

func runDrawingML(ref bool, doc []byte, chunk int, maxText int64, streamed bool) officeRun {
	var run officeRun
	w := equivWalker(maxText, &run.Windows)
	var ps *partStream
	if streamed {
		ps = &partStream{origin: "x.docx!zip:word/document.xml"}
	}
	var text string
	var err error
	if ref {
		text, err = w.refDrawingMLTextTo(&chunkReader{doc, chunk}, ps)
	} else {
		text, err = w.drawingMLTextTo(&chunkReader{doc, chunk}, ps)
	}
	if ps != nil {
		w.finish(ps, text)
	}
	run.Text, run.Err, run.Res = text, errText(err), w.res
	return run
}

// tokens lists a scanner's tokens, by next or by nextFast (character
// data unescaped either way).
func tokens(data []byte, chunk int, fast bool) []string {
	sc := newXMLScanner(&chunkReader{data, chunk})
	var out []string
	var tok xmlTok
	for {
		if fast {
			sc.nextFast(&tok, true)
		} else {
			sc.next(&tok)
		}
		switch tok.kind {
		case xmlNone:
			return append(out, "end "+errText(scanErr(sc)))
		case xmlChars:
			out = append(out, "chars "+string(tok.text))
		default:
			out = append(out, fmt.Sprintf("%d %q %q", tok.kind, tok.local, tok.attrs))
		}
	}
}

// checkOffice compares new and reference readers on one input.
func checkOffice(t *testing.T, name string, sst, sheet, doc []byte, chunk int, maxText int64, streamed bool) {
	t.Helper()
	if got, want := runSheet(false, sst, sheet, chunk, maxText, streamed), runSheet(true, sst, sheet, chunk, maxText, streamed); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s (chunk %d, max %d, streamed %v): worksheet differs\nnew: %.300q\nref: %.300q\nnew problems %v, ref %v\nnew shared %.200q\nref shared %.200q",
			name, chunk, maxText, streamed, got.Text, want.Text, got.Res.Problems, want.Res.Problems, got.Shared, want.Shared)
	}
	if got, want := runDrawingML(false, doc, chunk, maxText, streamed), runDrawingML(true, doc, chunk, maxText, streamed); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s (chunk %d, max %d, streamed %v): DrawingML differs\nnew: %.300q\nref: %.300q", name, chunk, maxText, streamed, got.Text, want.Text)
	}
	for _, data := range [][]byte{sst, sheet, doc} {
		if len(data) > 1<<20 {
			continue // the streamed cases: readers only
		}
		if got, want := tokens(data, chunk, true), tokens(data, chunk, false); !reflect.DeepEqual(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Fatalf("%s (chunk %d): token %d: nextFast %q, next %q", name, chunk, i, got[i], want[i])
				}
			}
			t.Fatalf("%s (chunk %d): nextFast %d tokens, next %d", name, chunk, len(got), len(want))
		}
	}
}

// oddSST is shared-string XML with rich runs, phonetic guides, empty and
// self-closed items, entities, and stray or missing tags.
func oddSST(r *rand.Rand, n int, vocab []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><sst xmlns="x" count="9">`)
	for i := range n {
		w := func() string { return vocab[r.IntN(len(vocab))] }
		switch r.IntN(12) {
		case 0:
			fmt.Fprintf(&b, `<si><r><rPr><b/></rPr><t>%s</t></r><r><t xml:space="preserve"> %s</t></r><rPh sb="0" eb="1"><t>%s</t></rPh></si>`, w(), w(), w())
		case 1:
			b.WriteString(`<si/>`)
		case 2:
			fmt.Fprintf(&b, `<si><t>%s &amp; &#20013; &quot;x&quot; &bogus; &#xZZ;</t></si>`, w())
		case 3:
			fmt.Fprintf(&b, `<x:si><x:t>%s</x:t></x:si>`, w())
		case 4:
			b.WriteString(`</si>`) // stray end: repeats the last string
		case 5:
			fmt.Fprintf(&b, `<si><t>%s</t><si><t>%s</t></si>`, w(), w()) // a restart
		case 6:
			fmt.Fprintf(&b, `<si><t><![CDATA[%s <&> ]]></t><t/></si>`, w())
		case 7:
			fmt.Fprintf(&b, `<si ><t >%s</t ></si >`, w())
		case 8:
			fmt.Fprintf(&b, `<si><t>%s<si/>%s</t></si>`, w(), w())
		default:
			fmt.Fprintf(&b, `<si><t>%s %d</t></si>`, w(), i)
		}
	}
	b.WriteString(`</sst>`)
	return b.String()
}

// oddDoc is WordprocessingML/DrawingML with every construct the reader
// knows and some it must not be confused by.
func oddDoc(r *rand.Rand, n int, vocab []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><w:document xmlns:w="w" xmlns:a="a"><w:body>`)
	for range n {
		w := func() string { return vocab[r.IntN(len(vocab))] }
		switch r.IntN(10) {
		case 0:
			fmt.Fprintf(&b, `<w:p w:rsidR="00AB"><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t xml:space='preserve'>%s </w:t></w:r><w:r><w:tab/><w:t>%s&amp;%s</w:t></w:r></w:p>`, w(), w(), w())
		case 1:
			fmt.Fprintf(&b, `<w:tbl><w:tr><w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p><w:p><w:r><w:t>%s  </w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>%d</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`, w(), w(), r.IntN(1e6))
		case 2:
			fmt.Fprintf(&b, `<w:p><w:ins><w:r><w:t>%s</w:t></w:r></w:ins><w:del><w:r><w:delText>%s</w:delText></w:r></w:del><w:r><w:br/><w:t>%s</w:t><w:cr/></w:r></w:p>`, w(), w(), w())
		case 3:
			fmt.Fprintf(&b, `<w:p><w:r><w:instrText> HYPERLINK "x>y" </w:instrText></w:r><w:fldSimple w:instr=" PAGE &amp; x "/><w:r><w:t><![CDATA[%s]]></w:t></w:r><!-- <w:t>hidden</w:t> --><w:r><w:t>&#x9999;&#28207; %s</w:t></w:r></w:p>`, w(), w())
		case 4:
			fmt.Fprintf(&b, `<p:sp><p:nvSpPr><p:cNvPr id="2" name="x" descr="%s &lt;alt&gt;" title='%s'/></p:nvSpPr><p:txBody><a:p><a:r><a:rPr lang="en-GB" sz="1800"/><a:t>%s</a:t></a:r><a:br/></a:p></p:txBody></p:sp>`, w(), w(), w())
		case 5:
			fmt.Fprintf(&b, `<w:p><w:r><w:t>%s</w:t><w:t/></w:r></w:p></w:t></w:tc></w:tabs><w:p/>`, w())
		case 6:
			fmt.Fprintf(&b, `<w:p ><w:r ><w:t a = "1">%s</w:t ></w:r></w:p/><w:t b="2"/ >%s<w:drawing><wp:docPr id="1" name="P" descr="%s"/></w:drawing>`, w(), w(), w())
		case 7:
			fmt.Fprintf(&b, `<w:p><w:r><w:t x"y>%s</w:t></w:r><w:r><w:t x='>'>%s</w:t></w:r><?pi x?><!DOCTYPE y></w:p>`, w(), w())
		default:
			fmt.Fprintf(&b, `<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">%s %s</w:t></w:r></w:p>`, w(), w())
		}
	}
	b.WriteString(`</w:body></w:document>`)
	return b.String()
}

// plainSheet is worksheet XML as the benchmark (and Excel) writes it.
func plainSheet(r *rand.Rand, rows, nStrings int, vocab []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><worksheet xmlns="m"><sheetData>`)
	for row := 1; row <= rows; row++ {
		fmt.Fprintf(&b, `<row r="%d" spans="1:5"><c r="A%d" t="s"><v>%d</v></c><c r="B%d" s="1"><v>%d</v></c>`, row, row, r.IntN(nStrings+2), row, 20000+r.IntN(30000))
		fmt.Fprintf(&b, `<c r="D%d" t="inlineStr"><is><t>%s &amp; %s</t></is></c><c r="E%d" s="3"><v>%d.5</v></c><c r="F%d" t="b"><v>1</v></c></row>`, row, vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))], row, r.IntN(50000), row)
	}
	b.WriteString(`</sheetData><dataValidations><dataValidation><formula1>"Yes,No"</formula1></dataValidation></dataValidations><headerFooter><oddHeader>&amp;CConfidential</oddHeader></headerFooter></worksheet>`)
	return b.String()
}

func TestOfficeFastMatchesRef(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	vocab := testgen.PseudoWords(r, 300)
	vocab = append(vocab, "陳大文", "A&amp;B", "x&lt;y", "q&quot;")
	chunks := []int{0, 1, 2, 3, 7, 9, 13, 64, 1000, 4093}
	for i := range 12 {
		sst := []byte(oddSST(r, 60, vocab))
		var sheet []byte
		if i%2 == 0 {
			sheet = []byte(oddSheetXML(r, 80, vocab))
		} else {
			sheet = []byte(plainSheet(r, 80, 60, vocab))
		}
		doc := []byte(oddDoc(r, 80, vocab))
		name := fmt.Sprintf("case %d", i)
		for _, c := range chunks {
			checkOffice(t, name, sst, sheet, doc, c, 0, false)
		}
		// The total text limit cutting a part at every stage.
		for _, max := range []int64{1, 10, 100, 1000, 5000} {
			checkOffice(t, name, sst, sheet, doc, chunks[r.IntN(len(chunks))], max, false)
		}
		// Damaged: cut anywhere, bytes flipped.
		for range 6 {
			cut := func(b []byte) []byte { return b[:r.IntN(len(b)+1)] }
			checkOffice(t, name+" cut", cut(sst), cut(sheet), cut(doc), chunks[r.IntN(len(chunks))], 0, false)
			flip := func(b []byte) []byte {
				b = bytes.Clone(b)
				for range 5 {
					b[r.IntN(len(b))] = "<>/=\"' x&;"[r.IntN(10)]
				}
				return b
			}
			checkOffice(t, name+" flipped", flip(sst), flip(sheet), flip(doc), chunks[r.IntN(len(chunks))], 0, false)
		}
	}
	// Markup soup: short inputs from the bytes the readers care about.
	soup := []byte("<<>>//==\"\"'' x&;:cvistrfpw0A1#!-[]?CDATA")
	gen := func(n int) []byte {
		b := make([]byte, r.IntN(n))
		for i := range b {
			b[i] = soup[r.IntN(len(soup))]
		}
		return b
	}
	for range 1500 {
		d := gen(300)
		checkOffice(t, "soup", gen(120), d, d, r.IntN(40), int64(r.IntN(60)), false)
	}
	// A sheet and a document above StreamAbove: streamed in windows, and
	// the total limit falling inside a window.
	if testing.Short() {
		return
	}
	sst := []byte(oddSST(r, 2000, vocab))
	sheet := []byte(plainSheet(r, 160000, 2000, vocab))
	var doc bytes.Buffer
	doc.WriteString(`<w:document><w:body>`)
	for i := 0; doc.Len() < 12<<20; i++ {
		if i%50 == 0 {
			fmt.Fprintf(&doc, `<w:tbl><w:tr><w:tc><w:p><w:r><w:t>%d</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>x &amp; y</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`, i)
		}
		doc.WriteString(`<w:p><w:r><w:t xml:space="preserve">`)
		for range 2000 {
			doc.WriteString(vocab[r.IntN(len(vocab))])
			doc.WriteByte(' ')
		}
		doc.WriteString(`</w:t></w:r></w:p>`)
	}
	for _, max := range []int64{0, 11 << 20} {
		checkOffice(t, "streamed", sst, sheet, doc.Bytes(), 0, max, true)
	}
	if run := runSheet(false, sst, sheet, 0, 0, true); len(run.Windows) < 2 {
		t.Fatalf("worksheet of %d bytes streamed in %d windows", len(sheet), len(run.Windows))
	}
	if run := runDrawingML(false, doc.Bytes(), 0, 0, true); len(run.Windows) < 2 {
		t.Fatalf("document of %d bytes streamed in %d windows", doc.Len(), len(run.Windows))
	}
}

// FuzzOfficeEquivalence: the new readers and nextFast against the
// references on any bytes, as a worksheet, shared strings and a document.
func FuzzOfficeEquivalence(f *testing.F) {
	r := rand.New(rand.NewPCG(23, 24))
	vocab := testgen.PseudoWords(r, 50)
	f.Add([]byte(oddSheetXML(r, 8, vocab)), []byte(oddSST(r, 8, vocab)), uint16(0))
	f.Add([]byte(plainSheet(r, 8, 8, vocab)), []byte(oddSST(r, 8, vocab)), uint16(5))
	f.Add([]byte(oddDoc(r, 8, vocab)), []byte(`<si><t>a</t></si></si>`), uint16(1))
	f.Add([]byte(`<c r="A1" t="s"><v>0</v></c><c><is><t>x&amp;y</t></is></c>`), []byte(`<si><t>s</t></si>`), uint16(9))
	f.Fuzz(func(t *testing.T, data, sst []byte, chunk uint16) {
		checkOffice(t, "fuzz", sst, data, data, int(chunk%300), 0, false)
		checkOffice(t, "fuzz-limit", sst, data, data, int(chunk%300), int64(chunk%97)+1, false)
	})
}

// BenchmarkOfficeScan: the XML readers alone (no inflate), new against
// the frozen references, on the benchmark's worksheet and document XML:
//
//	go test ./extract -run '^$' -bench OfficeScan -benchtime 5x
func BenchmarkOfficeScan(b *testing.B) {
	r := rand.New(rand.NewPCG(41, 42))
	vocab := testgen.PseudoWords(r, 3000)
	var sst strings.Builder
	sst.WriteString(`<sst>`)
	for range 200000 {
		fmt.Fprintf(&sst, `<si><t>%s %s %s</t></si>`, vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))])
	}
	sst.WriteString(`</sst>`)
	sstXML := []byte(sst.String())
	sheet := []byte(plainSheet(r, 100000, 200000, vocab))
	var doc bytes.Buffer
	doc.WriteString(`<w:document><w:body>`)
	for doc.Len() < 20<<20 {
		doc.WriteString(`<w:p w:rsidR="00A1B2C3"><w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t xml:space="preserve">`)
		for range 12 {
			doc.WriteString(vocab[r.IntN(len(vocab))] + " ")
		}
		doc.WriteString(`</w:t></w:r></w:p>`)
	}
	for _, ref := range []bool{false, true} {
		name := "new"
		if ref {
			name = "ref"
		}
		b.Run("sheet-"+name, func(b *testing.B) {
			b.SetBytes(int64(len(sheet) + len(sstXML)))
			for range b.N {
				runSheet(ref, sstXML, sheet, 0, 0, false)
			}
		})
		b.Run("docx-"+name, func(b *testing.B) {
			b.SetBytes(int64(doc.Len()))
			for range b.N {
				runDrawingML(ref, doc.Bytes(), 0, 0, false)
			}
		})
	}
}
