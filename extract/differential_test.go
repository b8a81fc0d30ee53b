package extract

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// The extractors' output must not change when they are made faster: each
// generated document below (odd XML that Office and other writers produce,
// parts large enough to be inflated ahead and streamed) is extracted and
// its segments, stream windows and problems hashed; the digests were
// recorded with the extractors without the speed work (main at b26ef84,
// after 1575553 first) and are compared on every run. Regenerate them only for
// an intended change of output:
//
//	go test ./extract -run TestExtractionUnchanged -update-digests
var updateDigests = flag.Bool("update-digests", false, "rewrite testdata/extract-digests.golden")

const digestFile = "testdata/extract-digests.golden"

func TestExtractionUnchanged(t *testing.T) {
	cases := differentialCases(t)
	got := map[string]string{}
	for _, c := range cases {
		body := c.body()
		for _, streamed := range []bool{false, true} {
			name := c.name
			if streamed {
				name += "+stream"
			}
			got[name] = extractionDigest(t, body, streamed)
		}
	}
	if *updateDigests {
		var names []string
		for n := range got {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "%s %s\n", n, got[n])
		}
		if err := os.WriteFile(digestFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(digestFile)
	if err != nil {
		t.Fatalf("%v (run with -update-digests to create it)", err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			want[f[0]] = f[1]
		}
	}
	if len(want) != len(got) {
		t.Errorf("%d digests recorded, %d cases", len(want), len(got))
	}
	for n, d := range got {
		if want[n] != d {
			t.Errorf("%s: extraction output changed (digest %s, recorded %s)", n, d[:12], want[n][:min(12, len(want[n]))])
		}
	}
}

// extractionDigest hashes everything Extract reports for body; with
// streamed set, large text goes through Input.Stream as inspect reads it.
func extractionDigest(t *testing.T, body []byte, streamed bool) string {
	t.Helper()
	h := sha256.New()
	in := Input{Body: bytes.NewReader(body), Size: int64(len(body))}
	if streamed {
		// The stream path applies to bodies outside memory: a file.
		path := filepath.Join(t.TempDir(), "in")
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		in.Body = f
		in.Stream = func(s Segment, off int64) { fmt.Fprintf(h, "W %s %d %d\n%s\n", s.Origin, off, len(s.Text), s.Text) }
	}
	res, err := Extract(context.Background(), in, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Segments {
		fmt.Fprintf(h, "S %s %d\n%s\n", s.Origin, len(s.Text), s.Text)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(h, "P %s %s %s\n", p.Origin, p.Kind, p.Reason)
	}
	fmt.Fprintf(h, "T %d\n", res.TextBytes)
	return hex.EncodeToString(h.Sum(nil))
}

type diffCase struct {
	name string
	body func() []byte
}

// oddSheetXML is worksheet XML with what real writers emit besides the
// plain case: prefixes, single quotes, '>' inside a value, comments,
// CDATA, entities and character references, rich inline text with a
// phonetic guide, booleans, errors, formulas, dates, gaps, unclosed rows.
func oddSheetXML(r *rand.Rand, rows int, vocab []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<!-- generated --><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>`)
	for i := 1; i <= rows; i++ {
		w := func() string { return vocab[r.IntN(len(vocab))] }
		fmt.Fprintf(&b, `<x:row r="%d" x:spans='1:9'>`, i)
		switch i % 7 {
		case 0:
			fmt.Fprintf(&b, `<x:c r="A%d" t="s"><x:v> %d </x:v></x:c><x:c r="C%d" s="2"><x:v>%d.5</x:v></x:c>`, i, r.IntN(40), i, 20000+r.IntN(20000))
		case 1:
			fmt.Fprintf(&b, `<x:c r="A%d" t="inlineStr"><x:is><x:r><x:t>%s &amp; </x:t></x:r><x:r><x:t xml:space="preserve"> %s&#x4E2D;&#25991; </x:t></x:r><x:rPh sb="0" eb="1"><x:t>PHON</x:t></x:rPh></x:is></x:c>`, i, w(), w())
		case 2:
			fmt.Fprintf(&b, `<x:c r="B%d" t="b"><x:v>1</x:v></x:c><x:c r="D%d" t="b"><x:v>0</x:v></x:c><x:c r="E%d" t="e"><x:v>#N/A</x:v></x:c>`, i, i, i)
		case 3:
			fmt.Fprintf(&b, `<x:c r="A%d" x:note="a>b" t="str"><x:f>CONCAT("a","b")</x:f><x:v>%s&lt;%s&gt;</x:v></x:c><x:c r="Z%d"><x:v>-%d.25E+3</x:v></x:c>`, i, w(), w(), i, r.IntN(99))
		case 4:
			fmt.Fprintf(&b, `<x:c r='A%d' t='s'><x:v>%d</x:v></x:c><!-- a comment <x:c> --><x:c r="B%d" t="inlineStr"><x:is><x:t><![CDATA[%s <cdata> & %s]]></x:t></x:is></x:c>`, i, r.IntN(40), i, w(), w())
		case 5:
			fmt.Fprintf(&b, `<x:c r="A%d"/><x:c r="B%d" s="1"/><x:c r="C%d"><x:v>%d</x:v></x:c><x:c t="s"><x:v>%d</x:v></x:c><x:c r="AA%d" t="s"><x:v>999999</x:v></x:c>`, i, i, i, r.IntN(1e9), r.IntN(40), i)
		case 6:
			// An unclosed row: the next <row> ends it.
			fmt.Fprintf(&b, `<x:c r="A%d" t="inlineStr"><x:is><x:t>%s</x:t></x:is></x:c>`, i, w())
			continue
		}
		b.WriteString(`</x:row>`)
	}
	b.WriteString(`</x:sheetData></x:worksheet>`)
	return b.String()
}

func differentialCases(t testing.TB) []diffCase {
	r := rand.New(rand.NewPCG(11, 12))
	vocab := testgen.PseudoWords(r, 500)
	vocab = append(vocab, "陳大文", "香港九龍", "客戶", "Chan Tai Man", "A&B", "x<y", `"q"`)
	var sst strings.Builder
	sst.WriteString(`<sst xmlns="x" count="40">`)
	for i := range 40 {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&sst, `<si><t>%s</t></si>`, vocab[i])
		case 1:
			fmt.Fprintf(&sst, `<si><r><rPr><b/></rPr><t>%s</t></r><r><t xml:space="preserve"> %s</t></r><rPh sb="0" eb="1"><t>ピン</t></rPh></si>`, vocab[i], vocab[i+1])
		case 2:
			sst.WriteString(`<si/>`)
		case 3:
			fmt.Fprintf(&sst, `<si><t>%s &amp; &#20013; &quot;x&quot;</t></si>`, vocab[i])
		}
	}
	sst.WriteString(`</sst>`)
	styles := `<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/mm/dd"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>`
	xlsx := func(rows int) []byte {
		return buildZip(t,
			zipEntry{name: "[Content_Types].xml", body: []byte(contentTypes)},
			zipEntry{name: "xl/workbook.xml", body: []byte(`<workbook xmlns:r="r"><sheets><sheet name="資產負債表" sheetId="1" r:id="rId1"/><sheet name="Two" sheetId="2" r:id="rId2"/></sheets></workbook>`)},
			zipEntry{name: "xl/_rels/workbook.xml.rels", body: []byte(`<Relationships><Relationship Id="rId1" Type="ws" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="ws" Target="worksheets/sheet2.xml"/></Relationships>`)},
			zipEntry{name: "xl/styles.xml", body: []byte(styles)},
			zipEntry{name: "xl/sharedStrings.xml", body: []byte(sst.String())},
			zipEntry{name: "xl/worksheets/sheet1.xml", body: []byte(oddSheetXML(r, rows, vocab))},
			zipEntry{name: "xl/worksheets/sheet2.xml", body: []byte(oddSheetXML(r, 50, vocab))},
			zipEntry{name: "xl/comments1.xml", body: []byte(`<comments><commentList><comment ref="A1"><text><r><t>note &amp; comment</t></r></text></comment></commentList></comments>`)},
		)
	}
	docxXML := func(paras int) string {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><w:document xmlns:w="w"><w:body>`)
		for i := range paras {
			w := func() string { return vocab[r.IntN(len(vocab))] }
			switch i % 5 {
			case 0:
				fmt.Fprintf(&b, `<w:p w:rsidR="00AB"><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t xml:space='preserve'>%s </w:t></w:r><w:r><w:tab/><w:t>%s&amp;%s</w:t></w:r></w:p>`, w(), w(), w())
			case 1:
				fmt.Fprintf(&b, `<w:tbl><w:tr><w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p><w:p><w:r><w:t>%s  </w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>%d</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`, w(), w(), r.IntN(1e6))
			case 2:
				fmt.Fprintf(&b, `<w:p><w:ins><w:r><w:t>%s</w:t></w:r></w:ins><w:del><w:r><w:delText>%s</w:delText></w:r></w:del><w:r><w:br/><w:t>%s</w:t><w:cr/></w:r></w:p>`, w(), w(), w())
			case 3:
				fmt.Fprintf(&b, `<w:p><w:r><w:instrText> HYPERLINK "x>y" </w:instrText></w:r><w:r><w:t><![CDATA[%s]]></w:t></w:r><!-- <w:t>hidden</w:t> --><w:r><w:t>&#x9999;&#28207; %s</w:t></w:r></w:p>`, w(), w())
			case 4:
				fmt.Fprintf(&b, `<w:p><w:r><w:t>%s</w:t></w:r><w:r><w:t/></w:r><w:r><w:t>%s</w:t></w:r></w:p>`, w(), w())
			}
		}
		b.WriteString(`</w:body></w:document>`)
		return b.String()
	}
	docx := func(paras int) []byte {
		return buildZip(t,
			zipEntry{name: "[Content_Types].xml", body: []byte(contentTypes)},
			zipEntry{name: "word/document.xml", body: []byte(docxXML(paras))},
			zipEntry{name: "word/header1.xml", body: []byte(`<w:hdr xmlns:w="w"><w:p><w:r><w:t>Header &lt;1&gt;</w:t></w:r></w:p></w:hdr>`)},
			zipEntry{name: "word/footnotes.xml", body: []byte(docxXML(20))},
		)
	}
	pptx := func(slides int) []byte {
		entries := []zipEntry{
			{name: "[Content_Types].xml", body: []byte(contentTypes)},
			{name: "ppt/presentation.xml", body: []byte(`<p:presentation xmlns:p="p"/>`)},
		}
		for s := slides; s >= 1; s-- {
			var b strings.Builder
			fmt.Fprintf(&b, `<p:sld xmlns:a="a" xmlns:p="p"><p:cSld><p:spTree>`)
			for range 3 {
				fmt.Fprintf(&b, `<p:sp><p:txBody><a:bodyPr/><a:p><a:r><a:rPr lang="en-GB"/><a:t>%s %s</a:t></a:r><a:br/><a:r><a:t>%s&amp;</a:t></a:r></a:p></p:txBody></p:sp>`, vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))])
			}
			b.WriteString(`<p:graphicFrame><a:tbl><a:tr><a:tc><a:txBody><a:p><a:r><a:t>cell1</a:t></a:r></a:p></a:txBody></a:tc><a:tc><a:txBody><a:p><a:r><a:t>cell2</a:t></a:r></a:p></a:txBody></a:tc></a:tr></a:tbl></p:graphicFrame>`)
			b.WriteString(`</p:spTree></p:cSld></p:sld>`)
			entries = append(entries, zipEntry{name: fmt.Sprintf("ppt/slides/slide%d.xml", s), body: []byte(b.String())})
			if s%10 == 0 {
				entries = append(entries, zipEntry{name: fmt.Sprintf("ppt/notesSlides/notesSlide%d.xml", s), body: []byte(`<p:notes xmlns:a="a" xmlns:p="p"><a:t>speaker notes</a:t></p:notes>`)})
			}
		}
		return buildZip(t, entries...)
	}
	pdfPages := func(n int) []string {
		pages := make([]string, n)
		for i := range pages {
			var sb strings.Builder
			for l := range 30 {
				fmt.Fprintf(&sb, "Line %d (%s) \\ %s %d.%02d\n", l, vocab[r.IntN(len(vocab)-7)], vocab[r.IntN(len(vocab)-7)], r.IntN(1e5), r.IntN(100))
			}
			pages[i] = sb.String()
		}
		return pages
	}
	// A worksheet whose deflate data is cut short (CRC and data damaged):
	// text before the damage is kept, the member reported.
	corrupt := func() []byte {
		body := xlsx(30000)
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			if f.Name == "xl/worksheets/sheet1.xml" {
				off, _ := f.DataOffset()
				mid := off + int64(f.CompressedSize64)/2
				for i := mid; i < mid+64; i++ {
					body[i] ^= 0x5a
				}
			}
		}
		return body
	}
	return []diffCase{
		{"xlsx-small", func() []byte { return xlsx(200) }},
		{"xlsx-big", func() []byte { return xlsx(60000) }}, // sheet XML over 1 MiB: inflated ahead
		{"xlsx-corrupt-member", func() []byte { return corrupt() }},
		{"docx-small", func() []byte { return docx(100) }},
		{"docx-big", func() []byte { return docx(30000) }},
		{"pptx", func() []byte { return pptx(120) }},
		{"pdf-latin", func() []byte { return buildLatinPDF(t, pdfPages(30), "") }},
		{"pdf-cjk", func() []byte {
			return buildCJKPDF(t, []string{"香港身份證 A123456(3)", "客戶 陳大文 觀塘"})
		}},
		{"xlsx-bench-shared", func() []byte { return xlsxTestFile(t, 3<<20, true) }},
		{"xlsx-bench-inline", func() []byte { return xlsxTestFile(t, 3<<20, false) }},
		{"docx-bench", func() []byte { return docxBench(5 << 20).body }},
		{"pptx-bench", func() []byte { return pptxBench(1 << 20).body }},
		{"pdf-bench", func() []byte { return pdfBench(1 << 20).body }},
	}
}

func xlsxTestFile(t testing.TB, size int64, shared bool) []byte {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	writeXLSXBench(bw, size, shared)
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
