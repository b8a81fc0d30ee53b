package extract

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/dlpgate/dlpgate/internal/cputime"
)

// peakHeap samples HeapInuse while fn runs and returns the high-water mark
// in bytes (sampling: a short spike between samples can be missed). It
// reads runtime/metrics, which unlike runtime.ReadMemStats does not stop
// the world: sampling every 5 ms must not slow down what it measures.
func peakHeap(fn func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if h := heapInuse(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return peak.Load()
}

// heapInuse is runtime.MemStats.HeapInuse (bytes in in-use spans: objects
// plus their spans' free slots) read without stopping the world.
func heapInuse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

func benchExtract(b *testing.B, in Input, body []byte, setBytes int64) {
	b.Helper()
	b.SetBytes(setBytes)
	b.ReportAllocs()
	runtime.GC()
	base := heapInuse()
	var peak uint64
	cpu0 := cputime.Process()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in.Body, in.Size = bytes.NewReader(body), int64(len(body))
		p := peakHeap(func() {
			res, err := Extract(context.Background(), in, Limits{})
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
	// CPU time (all threads, GC included) is steadier than wall time on
	// shared cores, but does not show work overlapped on two cores.
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	if peak > base {
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MB")
	}
}

func tableRows(n int) [][]string {
	rows := make([][]string, n)
	names := []string{"陳大文", "Chan Tai Man", "李美玲", "Wong Chi Keung", "張嘉欣"}
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("C%06d", i), names[i%len(names)], hkid("A", fmt.Sprintf("%06d", i%1000000)), fmt.Sprintf("%d.%02d", i*37%100000, i%100), "Kwun Tong"}
	}
	return rows
}

func BenchmarkFormats(b *testing.B) {
	var text strings.Builder
	for text.Len() < 1<<20 {
		text.WriteString("Customer Chan Tai Man, HKID A123456(3), 香港九龍觀塘道 100 號, tel 9123 4567.\n")
	}
	var js strings.Builder
	js.WriteString(`{"messages":[`)
	for i := 0; js.Len() < 1<<20; i++ {
		if i > 0 {
			js.WriteString(",")
		}
		fmt.Fprintf(&js, `{"msgtype":"text","text":{"content":"客人身份證 %s 第%d條"},"msgParam":"{\"content\":\"nested %d\"}"}`, hkid("A", fmt.Sprintf("%06d", i)), i, i)
	}
	js.WriteString(`]}`)
	var html strings.Builder
	html.WriteString("<html><head><title>t</title><style>p{}</style></head><body><table>")
	for html.Len() < 1<<20 {
		html.WriteString("<tr><td>Chan Tai Man</td><td>A123456(3)</td><td>&amp; 香港</td></tr>")
	}
	html.WriteString("</table></body></html>")
	var paras []string
	size := 0
	for size < 1<<20 {
		p := fmt.Sprintf("Paragraph %d: applicant Chan Tai Man holds HKID %s and lives in 觀塘.", size, hkid("A", "123456"))
		paras = append(paras, p)
		size += len(p)
	}
	rows := tableRows(20000)
	pdfPages := make([]string, 10)
	for i := range pdfPages {
		pdfPages[i] = strings.Repeat(fmt.Sprintf("Line of page %d with Patient Chan Tai Man HKID A123456(3)\n", i), 50)
	}
	big5 := encode(b, traditionalchinese.Big5, strings.Repeat("員工入職表 姓名：黃志強 香港身份證號碼 職位：會計主任\n", 20000))
	docx := buildDOCX(b, paras, nil)
	slides := make([]string, 200)
	for i := range slides {
		slides[i] = strings.Join(paras[i*len(paras)/len(slides):(i+1)*len(paras)/len(slides)], " ")
	}
	pptx := buildPPTX(b, slides...)
	xlsx := buildXLSX(b, rows, nil)
	pdf := buildLatinPDF(b, pdfPages, "")
	zipped := buildZip(b, zipEntry{name: "in.zip", body: buildZip(b, zipEntry{name: "a.txt", body: []byte(text.String())})})
	gz := gzipBytes(b, []byte(text.String()), "")
	cases := []struct {
		name string
		in   Input
		body []byte
		text int64 // bytes counted for MB/s: the uncompressed size
	}{
		{"text-utf8", Input{}, []byte(text.String()), int64(text.Len())},
		{"text-big5", Input{}, big5, int64(len(big5))},
		{"json", Input{ContentType: "application/json"}, []byte(js.String()), int64(js.Len())},
		{"html", Input{}, []byte(html.String()), int64(html.Len())},
		{"docx", Input{}, docx, int64(size)},
		{"xlsx", Input{}, xlsx, int64(len(xlsx))},
		{"pptx", Input{}, pptx, int64(size)},
		{"pdf-10pages", Input{}, pdf, int64(len(pdf))},
		{"zip-nested", Input{}, zipped, int64(text.Len())},
		{"gzip", Input{}, gz, int64(text.Len())},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { benchExtract(b, c.in, c.body, c.text) })
	}
}

// BenchmarkXLSX50MB extracts a workbook whose worksheet XML is ~50 MB.
func BenchmarkXLSX50MB(b *testing.B) {
	var sheet bytes.Buffer
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="x"><sheetData>`)
	for r := 1; sheet.Len() < 50<<20; r++ {
		fmt.Fprintf(&sheet, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>%s</t></is></c><c r="C%d"><v>%d.%02d</v></c><c r="D%d" t="s"><v>%d</v></c></row>`,
			r, r, r%1000, r, hkid("A", fmt.Sprintf("%06d", r%1000000)), r, r*37%100000, r%100, r, (r+7)%1000)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	var sst strings.Builder
	sst.WriteString(`<sst>`)
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&sst, `<si><t>客戶 %d 陳大文 Chan Tai Man</t></si>`, i)
	}
	sst.WriteString(`</sst>`)
	x := buildZip(b,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypes)},
		zipEntry{name: "xl/workbook.xml", body: []byte(`<workbook/>`)},
		zipEntry{name: "xl/sharedStrings.xml", body: []byte(sst.String())},
		zipEntry{name: "xl/worksheets/sheet1.xml", body: sheet.Bytes()},
	)
	b.Logf("xlsx file %.1f MB, sheet XML %.1f MB", float64(len(x))/(1<<20), float64(sheet.Len())/(1<<20))
	benchExtract(b, Input{}, x, int64(sheet.Len()))
}

// BenchmarkPDF40Pages extracts a 40-page PDF (Latin pages plus CJK text).
func BenchmarkPDF40Pages(b *testing.B) {
	pages := make([]string, 40)
	for i := range pages {
		var sb strings.Builder
		for l := 0; l < 45; l++ {
			fmt.Fprintf(&sb, "Page %d line %d: statement of financial position, total assets 1,204,330 HKID %s\n", i+1, l, hkid("A", fmt.Sprintf("%06d", i*100+l)))
		}
		pages[i] = sb.String()
	}
	pdf := buildLatinPDF(b, pages, "")
	b.Logf("pdf %.1f KB", float64(len(pdf))/1024)
	start := time.Now()
	benchExtract(b, Input{}, pdf, int64(len(pdf)))
	b.ReportMetric(float64(b.N*len(pages))/time.Since(start).Seconds(), "pages/s")
}
