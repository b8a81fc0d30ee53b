package ocrtest

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
)

// PDFImage is one page image for ImagePDF: JPEG bytes (DCTDecode) or, when
// JPEG is nil, Gray pixels stored FlateDecode.
type PDFImage struct {
	JPEG []byte
	Gray *image.Gray
	W, H int
	// Text, when set, is drawn in Helvetica too: a page with a thin text
	// layer (a page number) beside the picture.
	Text string
}

// GrayOf converts img to *image.Gray.
func GrayOf(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			g.Set(x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return g
}

// ImagePDF writes a PDF whose pages each show one image and have no text
// layer: what a scanner produces.
func ImagePDF(pages []PDFImage) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(body string, stream []byte) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offs), body)
		if stream != nil {
			fmt.Fprintf(&b, "\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(pages)
	// 1 catalog, 2 pages, then per page: page, content, image.
	kids := ""
	for i := 0; i < n; i++ {
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, n), nil)
	for i, p := range pages {
		pw, ph := p.W*72/150, p.H*72/150 // scanned at 150 dpi
		if p.JPEG == nil {
			pw, ph = p.Gray.Rect.Dx()*72/150, p.Gray.Rect.Dy()*72/150
		}
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R /Resources << /XObject << /Im1 %d 0 R >> /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >> >>", pw, ph, 4+3*i, 5+3*i), nil)
		content := fmt.Sprintf("q %d 0 0 %d 0 0 cm /Im1 Do Q", pw, ph)
		if p.Text != "" {
			content += fmt.Sprintf(" BT /F1 8 Tf 4 4 Td (%s) Tj ET", p.Text)
		}
		obj(fmt.Sprintf("<< /Length %d >>", len(content)), []byte(content))
		if p.JPEG != nil {
			obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>", p.W, p.H, len(p.JPEG)), p.JPEG)
			continue
		}
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		for y := 0; y < p.Gray.Rect.Dy(); y++ {
			zw.Write(p.Gray.Pix[y*p.Gray.Stride : y*p.Gray.Stride+p.Gray.Rect.Dx()])
		}
		zw.Close()
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>", p.Gray.Rect.Dx(), p.Gray.Rect.Dy(), z.Len()), z.Bytes())
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// DOCXWithImage writes a Word document with a line of text and one picture
// (word/media/image1.<ext>).
func DOCXWithImage(text string, img []byte, ext string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	add := func(name, body string) {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="`+ext+`" ContentType="image/`+ext+`"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)
	add("word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.`+ext+`"/></Relationships>`)
	add("word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>`+text+`</w:t></w:r></w:p></w:body></w:document>`)
	w, _ := zw.Create("word/media/image1." + ext)
	w.Write(img)
	zw.Close()
	return b.Bytes()
}

// MultiTIFF writes an uncompressed 8-bit grayscale TIFF with one page per
// image (a multi-page fax or scan; Go's encoder writes one page only).
func MultiTIFF(pages ...*image.Gray) []byte {
	var b bytes.Buffer
	b.WriteString("II*\x00\x00\x00\x00\x00") // first IFD offset patched below
	le16 := func(v int) { b.WriteByte(byte(v)); b.WriteByte(byte(v >> 8)) }
	le32 := func(v int) { le16(v & 0xffff); le16(v >> 16) }
	prevNext := 4 // where the offset of the next IFD is written
	for _, g := range pages {
		w, h := g.Rect.Dx(), g.Rect.Dy()
		pix := b.Len()
		for y := 0; y < h; y++ {
			b.Write(g.Pix[y*g.Stride : y*g.Stride+w])
		}
		if b.Len()%2 == 1 {
			b.WriteByte(0)
		}
		ifd := b.Len()
		out := b.Bytes()
		out[prevNext], out[prevNext+1], out[prevNext+2], out[prevNext+3] = byte(ifd), byte(ifd>>8), byte(ifd>>16), byte(ifd>>24)
		entries := [][3]int{{256, 4, w}, {257, 4, h}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1}, {273, 4, pix}, {277, 3, 1}, {278, 4, h}, {279, 4, w * h}}
		le16(len(entries))
		for _, e := range entries {
			le16(e[0])
			le16(e[1])
			le32(1)
			if e[1] == 3 {
				le16(e[2])
				le16(0)
			} else {
				le32(e[2])
			}
		}
		prevNext = b.Len()
		le32(0)
	}
	return b.Bytes()
}
