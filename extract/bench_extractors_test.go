package extract

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	kflate "github.com/klauspost/compress/flate"

	"github.com/dlpgate/dlpgate/extract/deflate"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// BenchmarkExtractors: one case per Office/PDF extractor, on files of
// realistic make-up and compression (generated, seeded), in MB/s of FILE
// (what arrives on the wire), with the XML (or content stream) size as
// xml-MB and the peak heap above the baseline as peak-heap-MB:
//
//	go test ./extract -run '^$' -bench Extractors -benchtime 3x -count 3
//
// BenchmarkXLSXBig is the memory figure for a ~200 MB workbook.
func BenchmarkExtractors(b *testing.B) {
	for _, c := range []struct {
		name string
		fx   func() benchFile
	}{
		{"xlsx-shared", xlsxSharedFile},
		{"xlsx-inline", xlsxInlineFile},
		{"docx", docxFile},
		{"pptx", pptxFile},
		{"pdf-text", pdfFile},
	} {
		b.Run(c.name, func(b *testing.B) {
			f := c.fx()
			// As inspect calls it: a large part's text goes to Stream
			// in windows (classified there), not into Result.Segments.
			var streamed int64
			benchExtract(b, Input{Stream: func(s Segment, _ int64) { streamed += int64(len(s.Text)) }}, f.body, int64(len(f.body)))
			b.ReportMetric(float64(len(f.body))/1e6, "file-MB")
			b.ReportMetric(float64(f.inner)/1e6, "xml-MB")
		})
	}
}

// benchFile is a generated file and the size of what it compresses.
type benchFile struct {
	body  []byte
	inner int // bytes of XML (or PDF content streams) inside
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return c.w.Write(p) }

// genZip writes a ZIP to w: small parts as given, then one big part
// produced by gen (which stops when the archive reaches size bytes, as
// reported by written). It returns the big part's uncompressed size.
func genZip(w io.Writer, small [][2]string, bigName string, size int64, gen func(bw *bufio.Writer, done func() bool)) int {
	cw := &countingWriter{w: w}
	zw := zip.NewWriter(cw)
	for _, p := range small {
		pw, _ := zw.Create(p[0])
		io.WriteString(pw, p[1])
	}
	pw, _ := zw.Create(bigName)
	inner := &countingWriter{w: pw}
	bw := bufio.NewWriterSize(inner, 1<<20)
	flushes := 0
	gen(bw, func() bool {
		if flushes++; flushes%2000 == 0 {
			bw.Flush()
			zw.Flush()
		}
		return int64(cw.n) >= size
	})
	bw.Flush()
	zw.Close()
	return inner.n
}

const benchFileSize = 8 << 20

// xlsxSharedFile: an inventory export, shared strings (200k item names)
// and numbers; xlsxInlineFile: the same rows with inline strings.
var (
	xlsxSharedFile = sync.OnceValue(func() benchFile { return xlsxBench(benchFileSize, true) })
	xlsxInlineFile = sync.OnceValue(func() benchFile { return xlsxBench(benchFileSize, false) })
	docxFile       = sync.OnceValue(func() benchFile { return docxBench(benchFileSize) })
	pptxFile       = sync.OnceValue(func() benchFile { return pptxBench(benchFileSize) })
	pdfFile        = sync.OnceValue(func() benchFile { return pdfBench(benchFileSize) })
)

func xlsxBench(size int64, shared bool) benchFile {
	var buf bytes.Buffer
	n := writeXLSXBench(&buf, size, shared)
	return benchFile{body: buf.Bytes(), inner: n}
}

// writeXLSXBench writes a workbook of about size bytes to w.
func writeXLSXBench(w io.Writer, size int64, shared bool) int {
	r := rand.New(rand.NewPCG(3, 4))
	vocab := testgen.PseudoWords(r, 3000)
	const nStrings = 200000
	var sst strings.Builder
	sst.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	if shared {
		for range nStrings {
			fmt.Fprintf(&sst, `<si><t>%s %s %s</t></si>`, vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))])
		}
	}
	sst.WriteString(`</sst>`)
	small := [][2]string{
		{"[Content_Types].xml", contentTypes},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="r"><sheets><sheet name="Items" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Type="ws" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/sharedStrings.xml", sst.String()},
	}
	return genZip(w, small, "xl/worksheets/sheet1.xml", size, func(bw *bufio.Writer, done func() bool) {
		bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		for row := 1; !done(); row++ {
			fmt.Fprintf(bw, `<row r="%d" spans="1:5">`, row)
			if shared {
				fmt.Fprintf(bw, `<c r="A%d" t="s"><v>%d</v></c>`, row, r.IntN(nStrings))
			} else {
				fmt.Fprintf(bw, `<c r="A%d" t="inlineStr"><is><t>%s %s</t></is></c>`, row, vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))])
			}
			fmt.Fprintf(bw, `<c r="B%d" s="1"><v>%d</v></c><c r="C%d"><v>%d.%02d</v></c>`, row, r.IntN(100000), row, r.IntN(10000), r.IntN(100))
			if shared {
				fmt.Fprintf(bw, `<c r="D%d" t="s"><v>%d</v></c>`, row, r.IntN(nStrings))
			} else {
				fmt.Fprintf(bw, `<c r="D%d" t="inlineStr"><is><t>%s</t></is></c>`, row, vocab[r.IntN(len(vocab))])
			}
			fmt.Fprintf(bw, `<c r="E%d" t="inlineStr"><is><t>%s &amp; %s</t></is></c></row>`, row, vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))])
		}
		bw.WriteString(`</sheetData></worksheet>`)
	})
}

// docxBench: paragraphs of runs with properties, a table every 50
// paragraphs, as Word writes a report.
func docxBench(size int64) benchFile {
	r := rand.New(rand.NewPCG(5, 6))
	vocab := testgen.PseudoWords(r, 20000)
	var buf bytes.Buffer
	small := [][2]string{
		{"[Content_Types].xml", contentTypes},
		{"word/header1.xml", `<w:hdr xmlns:w="w"><w:p><w:r><w:t>Internal report</w:t></w:r></w:p></w:hdr>`},
	}
	n := genZip(&buf, small, "word/document.xml", size, func(bw *bufio.Writer, done func() bool) {
		bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
		for p := 1; !done(); p++ {
			if p%50 == 0 {
				bw.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>`)
				for range 4 {
					bw.WriteString(`<w:tr>`)
					for range 3 {
						fmt.Fprintf(bw, `<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>%s %d</w:t></w:r></w:p></w:tc>`, vocab[r.IntN(len(vocab))], r.IntN(100000))
					}
					bw.WriteString(`</w:tr>`)
				}
				bw.WriteString(`</w:tbl>`)
			}
			bw.WriteString(`<w:p w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3"><w:pPr><w:pStyle w:val="Normal"/><w:spacing w:after="120"/></w:pPr>`)
			for k := range 3 {
				if k == 1 {
					bw.WriteString(`<w:r><w:rPr><w:b/><w:lang w:val="en-GB"/></w:rPr><w:t xml:space="preserve">`)
				} else {
					bw.WriteString(`<w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t xml:space="preserve">`)
				}
				for range 12 {
					bw.WriteString(vocab[r.IntN(len(vocab))])
					bw.WriteByte(' ')
				}
				bw.WriteString(`</w:t></w:r>`)
			}
			bw.WriteString(`</w:p>`)
		}
		bw.WriteString(`</w:body></w:document>`)
	})
	return benchFile{body: buf.Bytes(), inner: n}
}

// pptxBench: slides of DrawingML text boxes (about 6 KB of XML each).
func pptxBench(size int64) benchFile {
	r := rand.New(rand.NewPCG(7, 8))
	vocab := testgen.PseudoWords(r, 20000)
	var buf bytes.Buffer
	cw := &countingWriter{w: &buf}
	zw := zip.NewWriter(cw)
	add := func(name, body string) {
		pw, _ := zw.Create(name)
		io.WriteString(pw, body)
	}
	add("[Content_Types].xml", contentTypes)
	add("ppt/presentation.xml", `<p:presentation xmlns:p="p"/>`)
	inner := 0
	for s := 1; int64(cw.n) < size; s++ {
		var sb strings.Builder
		sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sld xmlns:a="a" xmlns:p="p" xmlns:r="r"><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>`)
		for box := range 4 {
			fmt.Fprintf(&sb, `<p:sp><p:nvSpPr><p:cNvPr id="%d" name="TextBox %d"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="457200" y="%d"/><a:ext cx="8229600" cy="914400"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr><p:txBody><a:bodyPr wrap="square"/><a:lstStyle/>`, box+2, box, 457200+box*914400)
			for range 3 {
				sb.WriteString(`<a:p><a:r><a:rPr lang="en-GB" sz="1800" dirty="0"/><a:t>`)
				for range 10 {
					sb.WriteString(vocab[r.IntN(len(vocab))])
					sb.WriteByte(' ')
				}
				sb.WriteString(`</a:t></a:r></a:p>`)
			}
			sb.WriteString(`</p:txBody></p:sp>`)
		}
		sb.WriteString(`</p:spTree></p:cSld></p:sld>`)
		inner += sb.Len()
		add(fmt.Sprintf("ppt/slides/slide%d.xml", s), sb.String())
		zw.Flush()
	}
	zw.Close()
	return benchFile{body: buf.Bytes(), inner: inner}
}

// pdfBench: pages of Helvetica text lines (Tj, TJ with kerning), each
// page's content stream FlateDecoded.
func pdfBench(size int) benchFile {
	r := rand.New(rand.NewPCG(9, 10))
	vocab := testgen.PseudoWords(r, 20000)
	var pages []string
	total := 0
	for total < size*4 { // content streams compress about 4:1
		var sb strings.Builder
		for l := range 50 {
			fmt.Fprintf(&sb, "Item %d:", l)
			for range 9 {
				sb.WriteByte(' ')
				sb.WriteString(vocab[r.IntN(len(vocab))])
			}
			fmt.Fprintf(&sb, " %d.%02d\n", r.IntN(100000), r.IntN(100))
		}
		pages = append(pages, sb.String())
		total += sb.Len() * 2 // operators roughly double the text
	}
	pdf := buildLatinPDF(nopTB{}, pages, "")
	return benchFile{body: pdf, inner: total}
}

// nopTB lets the benchmarks' shared fixtures use the testing.TB builders
// outside a test (they fail only on an internal bug).
type nopTB struct{ testing.TB }

func (nopTB) Helper()                   {}
func (nopTB) Fatal(args ...any)         { panic(fmt.Sprint(args...)) }
func (nopTB) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }

// BenchmarkXLSXBig is the memory figure for a big workbook held on disk
// (a spilled upload), extracted as inspect does (Input.Stream set, so a
// large sheet's text is streamed, not kept), with the text and time limits
// lifted so the whole workbook is read: peak heap above the baseline.
// Size in MB from DLPGATE_BIG_XLSX_MB (default 200):
//
//	go test ./extract -run '^$' -bench XLSXBig -benchtime 1x
func BenchmarkXLSXBig(b *testing.B) {
	mb := 200
	if v := os.Getenv("DLPGATE_BIG_XLSX_MB"); v != "" {
		fmt.Sscan(v, &mb)
	}
	path := filepath.Join(b.TempDir(), "big.xlsx")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	inner := writeXLSXBench(bw, int64(mb)<<20, true)
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	b.Logf("xlsx %.1f MB, sheet XML %.1f MB", float64(st.Size())/1e6, float64(inner)/1e6)
	b.SetBytes(st.Size())
	runtime.GC()
	base := heapInuse()
	var peak uint64
	var streamed int64
	b.ResetTimer()
	for range b.N {
		p := peakHeap(func() {
			res, err := Extract(context.Background(), Input{Body: f, Size: st.Size(), Stream: func(s Segment, _ int64) { streamed += int64(len(s.Text)) }}, Limits{MaxTotalBytes: 1 << 40, MaxDecompressed: 1 << 40, TimeBudget: int64(30 * time.Minute)})
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Problems) > 0 {
				b.Fatalf("problems: %+v", res.Problems)
			}
		})
		peak = max(peak, p)
	}
	b.StopTimer()
	f.Close()
	b.ReportMetric(float64(streamed)/float64(b.N)/1e6, "text-MB")
	b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "peak-heap-MB")
}

// BenchmarkInflateBound inflates every member of the Extractors files and
// throws the bytes away, in MB/s of file: what no extractor of the file
// can beat while one deflate stream is inflated on one core (a DOCX's
// body is one member), whatever its XML reading costs. It runs with
// extract/deflate (what extract uses) and with klauspost's reader (what
// it used before), for comparison:
//
//	go test ./extract -run '^$' -bench 'InflateBound|Extractors/(docx|pptx|xlsx)' -benchtime 8x
func BenchmarkInflateBound(b *testing.B) {
	for _, c := range []struct {
		name string
		fx   func() benchFile
	}{{"docx", docxFile}, {"xlsx-shared", xlsxSharedFile}, {"pptx", pptxFile}} {
		for _, dec := range []struct {
			name string
			new  func(io.Reader) io.ReadCloser
		}{
			// One reader reset for every member, as extract's pool does.
			{"deflate", func() func(io.Reader) io.ReadCloser {
				var d *deflate.Reader
				return func(r io.Reader) io.ReadCloser {
					if d == nil {
						d = deflate.NewReader(r)
					} else {
						d.Reset(r)
					}
					return d
				}
			}()},
			{"klauspost", func() func(io.Reader) io.ReadCloser {
				var d io.ReadCloser
				return func(r io.Reader) io.ReadCloser {
					if d == nil || d.(kflate.Resetter).Reset(r, nil) != nil {
						d = kflate.NewReader(r)
					}
					return d
				}
			}()},
		} {
			b.Run(c.name+"/"+dec.name, func(b *testing.B) {
				f := c.fx()
				b.SetBytes(int64(len(f.body)))
				buf := make([]byte, 256<<10)
				for range b.N {
					zr, _ := zip.NewReader(bytes.NewReader(f.body), int64(len(f.body)))
					zr.RegisterDecompressor(zip.Deflate, dec.new)
					for _, m := range zr.File {
						rc, _ := m.Open()
						io.CopyBuffer(io.Discard, struct{ io.Reader }{rc}, buf)
						rc.Close()
					}
				}
			})
		}
	}
}
