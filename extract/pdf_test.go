package extract

import (
	"bytes"
	"compress/lzw"
	"encoding/ascii85"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// onePagePDF writes a one-page PDF whose page content is the stream object
// given, with font F1 (Helvetica, or dict fontDict) and XObject X1 available.
func onePagePDF(t *testing.T, contentObj, fontDict, xobj string) []byte {
	p := &pdfBuilder{}
	cat := p.add("")
	pages := p.add("")
	if fontDict == "" {
		fontDict = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
	}
	font := p.add(fontDict)
	content := p.add(contentObj)
	xres := ""
	if xobj != "" {
		x := p.add(xobj)
		xres = fmt.Sprintf("/XObject << /X1 %d 0 R >>", x)
	}
	page := p.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /Resources << /Font << /F1 %d 0 R >> %s >> /Contents %d 0 R >>", pages, font, xres, content))
	p.set(cat, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pages))
	p.set(pages, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page))
	return p.bytes("", cat)
}

func TestPDFRobustness(t *testing.T) {
	id := hkid("C", "668668")
	plain := []byte("BT /F1 12 Tf 72 700 Td (Patient " + id + ") Tj ET")
	hexed := strings.ToUpper(hex.EncodeToString(plain)) + ">"
	var a85 bytes.Buffer
	enc := ascii85.NewEncoder(&a85)
	enc.Write(plain)
	enc.Close()
	a85.WriteString("~>")

	good := onePagePDF(t, pdfStreamObj("", plain), "", "")
	// Broken xref: offsets point nowhere and startxref is garbage.
	brokenXref := bytes.Replace(good, []byte("xref\n"), []byte("xref-damaged\n"), 1)
	brokenXref = bytes.ReplaceAll(brokenXref, []byte(" 00000 n "), []byte(" 99999 n "))
	// No xref, no trailer at all (the catalog is found by scanning).
	noTrailer := good[:bytes.Index(good, []byte("xref"))]
	// Incremental update: the content object is redefined after the original.
	update := append(append([]byte{}, good...), []byte("4 0 obj\n"+pdfStreamObj("", []byte("BT /F1 12 Tf 72 700 Td (Updated text) Tj ET"))+"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")...)
	// Junk before the header (allowed by readers).
	junk := append([]byte("garbage bytes\r\n"), good...)
	tests := []struct {
		name string
		pdf  []byte
		want want
	}{
		{"broken xref", brokenXref, want{texts: []string{"Patient " + id}, clean: true}},
		{"no xref or trailer", noTrailer, want{texts: []string{"Patient " + id}}},
		// The update's text is the page's; the text it replaced is still
		// in the file, and read as superseded.
		{"incremental update wins", update, want{
			at:    map[string]string{"pdf:page1": "Updated text", "pdf:superseded": "Patient " + id},
			notAt: map[string]string{"pdf:page1": "Patient", "pdf:superseded": "Updated"},
			clean: true,
		}},
		{"junk before header", junk, want{texts: []string{"Patient " + id}, clean: true}},
		{"ASCIIHex filter", onePagePDF(t, pdfStreamObj("/Filter /ASCIIHexDecode", []byte(hexed)), "", ""), want{texts: []string{"Patient " + id}, clean: true}},
		{"ASCII85 then Flate", onePagePDF(t, pdfStreamObj("/Filter [/ASCII85Decode /FlateDecode]", a85ThenFlate(t, plain)), "", ""), want{texts: []string{"Patient " + id}, clean: true}},
		{"ASCII85 filter", onePagePDF(t, pdfStreamObj("/Filter /ASCII85Decode", a85.Bytes()), "", ""), want{texts: []string{"Patient " + id}, clean: true}},
		{"form xobject and inline image", onePagePDF(t, pdfStreamObj("", []byte("BI /W 2 /H 2 /BPC 8 /CS /G ID \x00(x)\xff EI\nq /X1 Do Q")),
			"", pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 100 100]", []byte("BT /F1 10 Tf 10 10 Td (Inside form "+id+") Tj ET"))),
			want{texts: []string{"Inside form " + id}, absent: []string{"(x)"}, clean: true}},
		{"differences encoding", onePagePDF(t, pdfStreamObj("", []byte("BT /F1 12 Tf 72 700 Td <01020304> Tj ET")),
			"<< /Type /Font /Subtype /Type1 /BaseFont /X /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 /H /K /uni8EAB /hyphen] >> >>", ""),
			want{texts: []string{"HK身-"}, clean: true}},
		{"image-only pages", onePagePDF(t, pdfStreamObj("", []byte("q 500 0 0 700 0 0 cm /X1 Do Q")), "", pdfStreamObj("/Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray", []byte{0})),
			want{problems: []ProblemKind{Unsupported}}},
		{"escapes in literal strings", onePagePDF(t, pdfStreamObj("", []byte(`BT /F1 12 Tf 72 700 Td (A\(1\)\\ \101\102 end) Tj ET`)), "", ""),
			want{texts: []string{`A(1)\ AB end`}, clean: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, run(t, bodyInput(tc.pdf), Limits{}), tc.want)
		})
	}
}

func a85ThenFlate(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	enc := ascii85.NewEncoder(&out)
	enc.Write(flateBytes(t, b))
	enc.Close()
	out.WriteString("~>")
	return out.Bytes()
}

// lzwEncode is a PDF LZW encoder for fixtures (EarlyChange 0 or 1).
func lzwEncode(data []byte, early int) []byte {
	var out []byte
	var bits uint64
	nbits := 0
	width := 9
	put := func(code int) {
		bits = bits<<width | uint64(code)
		nbits += width
		for nbits >= 8 {
			out = append(out, byte(bits>>(nbits-8)))
			nbits -= 8
		}
	}
	dict := map[string]int{}
	next := 258
	put(256)
	w := ""
	for _, c := range data {
		wc := w + string(c)
		if _, ok := dict[wc]; ok || len(wc) == 1 {
			w = wc
			continue
		}
		code := int(w[0])
		if len(w) > 1 {
			code = dict[w]
		}
		put(code)
		dict[wc] = next
		next++
		if next+early > 1<<width && width < 12 {
			width++
		}
		if next == 4094 {
			put(256)
			dict, next, width = map[string]int{}, 258, 9
		}
		w = string(c)
	}
	if w != "" {
		code := int(w[0])
		if len(w) > 1 {
			code = dict[w]
		}
		put(code)
	}
	put(257)
	if nbits > 0 {
		out = append(out, byte(bits<<(8-nbits)))
	}
	return out
}

func TestPDFLZW(t *testing.T) {
	id := hkid("E", "112233")
	content := []byte(strings.Repeat("BT /F1 12 Tf 72 700 Td (LZW page "+id+" repeated repeated) Tj ET\n", 300))
	// Cross-check against the standard library's LZW writer, which
	// produces the EarlyChange 0 variant (MSB, 8-bit literals).
	var std bytes.Buffer
	lw := lzw.NewWriter(&std, lzw.MSB, 8)
	lw.Write(content)
	lw.Close()
	if got := lzwDecode(std.Bytes(), 0, 1<<30); !bytes.Equal(got, content) {
		t.Fatalf("decoding compress/lzw output: got %d bytes, want %d", len(got), len(content))
	}
	for _, early := range []int{0, 1} {
		t.Run(fmt.Sprintf("EarlyChange %d", early), func(t *testing.T) {
			if got := lzwDecode(lzwEncode(content, early), early, 1<<30); !bytes.Equal(got, content) {
				t.Fatalf("round trip: got %d bytes, want %d", len(got), len(content))
			}
			parms := ""
			if early == 0 {
				parms = " /DecodeParms << /EarlyChange 0 >>"
			}
			pdf := onePagePDF(t, pdfStreamObj("/Filter /LZWDecode"+parms, lzwEncode(content, early)), "", "")
			check(t, run(t, bodyInput(pdf), Limits{}), want{texts: []string{"LZW page " + id + " repeated repeated"}, clean: true})
		})
	}
}

// TestPDFAllInObjectStreams: PDF 1.5 as modern writers produce it — the
// catalog, page tree and page live in a compressed object stream, the
// trailer is a cross-reference stream, and there is no classic xref table.
func TestPDFAllInObjectStreams(t *testing.T) {
	id := hkid("F", "908070")
	content := flateBytes(t, []byte("BT /F1 12 Tf 1 0 0 1 72 700 Tm [(Modern )-20(PDF )] TJ 1 0 0 1 72 686 Tm (holder "+id+") Tj ET"))
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var header, body strings.Builder
	for i, o := range objs {
		fmt.Fprintf(&header, "%d %d ", i+1, body.Len())
		body.WriteString(o + "\n")
	}
	stm := flateBytes(t, []byte(header.String()+body.String()))
	var pdf bytes.Buffer
	pdf.WriteString("%PDF-1.5\n")
	fmt.Fprintf(&pdf, "5 0 obj\n%s\nendobj\n", pdfStreamObj("/Filter /FlateDecode", content))
	fmt.Fprintf(&pdf, "6 0 obj\n%s\nendobj\n", pdfStreamObj(fmt.Sprintf("/Type /ObjStm /N %d /First %d /Filter /FlateDecode", len(objs), header.Len()), stm))
	xref := pdf.Len()
	fmt.Fprintf(&pdf, "7 0 obj\n%s\nendobj\nstartxref\n%d\n%%%%EOF\n", pdfStreamObj("/Type /XRef /Size 8 /W [1 2 1] /Root 1 0 R /Filter /FlateDecode", flateBytes(t, []byte{1, 0, 9, 0})), xref)
	check(t, run(t, bodyInput(pdf.Bytes()), Limits{}), want{texts: []string{"Modern PDF\nholder " + id}, clean: true})

	// The same with /Encrypt in the cross-reference stream: Encrypted.
	enc := bytes.Replace(pdf.Bytes(), []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt 9 0 R"), 1)
	check(t, run(t, bodyInput(enc), Limits{}), want{absent: []string{"Modern"}, problems: []ProblemKind{Encrypted}})
}
