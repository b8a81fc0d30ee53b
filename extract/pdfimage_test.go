package extract

import (
	"context"
	"image"
	"strconv"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract/ocr/ocrtest"
)

func testDoc() *pdfDoc {
	w := &walker{lim: Limits{}.withDefaults()}
	return &pdfDoc{w: w, objs: map[int]any{}, fonts: map[any]*pdfFont{}}
}

// Image XObjects decode to the luminance the page shows.
func TestPDFImageSamples(t *testing.T) {
	d := testDoc()
	cases := []struct {
		name string
		dict pDict
		raw  []byte
		want []uint8 // first pixels
	}{
		{"gray8", pDict{"Width": 3.0, "Height": 1.0, "ColorSpace": pName("DeviceGray"), "BitsPerComponent": 8.0}, []byte{0, 128, 255}, []uint8{0, 128, 255}},
		{"gray8-decode-inverted", pDict{"Width": 2.0, "Height": 1.0, "ColorSpace": pName("DeviceGray"), "BitsPerComponent": 8.0, "Decode": pArray{1.0, 0.0}}, []byte{0, 255}, []uint8{255, 0}},
		{"gray1", pDict{"Width": 8.0, "Height": 1.0, "ColorSpace": pName("DeviceGray"), "BitsPerComponent": 1.0}, []byte{0b10100000}, []uint8{255, 0, 255, 0, 0}},
		{"stencil-mask", pDict{"Width": 4.0, "Height": 1.0, "ImageMask": true}, []byte{0b01000000}, []uint8{255, 0, 255, 255}},
		{"rgb", pDict{"Width": 2.0, "Height": 1.0, "ColorSpace": pName("DeviceRGB"), "BitsPerComponent": 8.0}, []byte{255, 255, 255, 255, 0, 0}, []uint8{255, 76}},
		{"cmyk", pDict{"Width": 2.0, "Height": 1.0, "ColorSpace": pName("DeviceCMYK"), "BitsPerComponent": 8.0}, []byte{0, 0, 0, 0, 0, 0, 0, 255}, []uint8{255, 0}},
		{"indexed", pDict{"Width": 2.0, "Height": 1.0, "ColorSpace": pArray{pName("Indexed"), pName("DeviceRGB"), 1.0, pStr{0, 0, 0, 255, 255, 255}}, "BitsPerComponent": 8.0}, []byte{1, 0}, []uint8{255, 0}},
		{"gray16", pDict{"Width": 2.0, "Height": 1.0, "ColorSpace": pName("DeviceGray"), "BitsPerComponent": 16.0}, []byte{0xff, 0xff, 0x00, 0x10}, []uint8{255, 0}},
		// All-white CCITT G4: one V0 code per row, then EOFB.
		{"ccitt-g4", pDict{"Width": 8.0, "Height": 8.0, "Filter": pName("CCITTFaxDecode"), "DecodeParms": pDict{"K": -1.0, "Columns": 8.0}}, []byte{0xff, 0x00, 0x10, 0x01}, []uint8{255, 255, 255}},
	}
	for _, c := range cases {
		img, why := d.image(&pStream{dict: c.dict, raw: c.raw})
		if why != "" {
			t.Errorf("%s: %s", c.name, why)
			continue
		}
		g, ok := img.Pixels.(*image.Gray)
		if !ok {
			t.Errorf("%s: %T", c.name, img.Pixels)
			continue
		}
		for i, v := range c.want {
			if g.Pix[i] != v {
				t.Errorf("%s: pixel %d = %d, want %d (row %v)", c.name, i, g.Pix[i], v, g.Pix[:len(c.want)])
				break
			}
		}
	}
	for name, dict := range map[string]pDict{
		"jpx":     {"Width": 2.0, "Height": 2.0, "Filter": pName("JPXDecode")},
		"no-size": {"ColorSpace": pName("DeviceGray")},
		"short":   {"Width": 100.0, "Height": 100.0, "ColorSpace": pName("DeviceGray"), "BitsPerComponent": 8.0},
		"bpc3":    {"Width": 2.0, "Height": 1.0, "ColorSpace": pName("DeviceGray"), "BitsPerComponent": 3.0},
	} {
		if _, why := d.image(&pStream{dict: dict, raw: []byte{1, 2, 3}}); why == "" || strings.Contains(why, "\x00") {
			t.Errorf("%s: no reason", name)
		}
	}
	// A JPEG is passed on as it is.
	if img, why := d.image(&pStream{dict: pDict{"Width": 1.0, "Height": 1.0, "Filter": pName("DCTDecode")}, raw: []byte("\xff\xd8\xff")}); why != "" || string(img.Encoded) != "\xff\xd8\xff" {
		t.Errorf("DCT: %q %q", img.Encoded, why)
	}
}

// FuzzPDFImages: image-only PDFs with hostile image dictionaries and
// streams never crash the walker or decode beyond the limits.
func FuzzPDFImages(f *testing.F) {
	g := stripes(40, 20)
	f.Add(ocrtest.ImagePDF([]ocrtest.PDFImage{{Gray: g}}))
	f.Add(ocrtest.ImagePDF([]ocrtest.PDFImage{{JPEG: ocrtest.JPEG(g, 50), W: 40, H: 20}}))
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Resources<</XObject<</I 4 0 R>>>>>>endobj 4 0 obj<</Subtype/Image/Width 8/Height 8/Filter/CCITTFaxDecode/DecodeParms<</K -1/Columns 8>>/Length 4>>stream\n\xff\x00\x10\x01\nendstream endobj trailer<</Root 1 0 R>>"))
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]>>endobj 3 0 obj<</Type/Page/Contents 4 0 R>>endobj 4 0 obj<</Length 40>>stream\nBI /W 4 /H 4 /CS /G /BPC 8 ID 0123456789abcdef EI\nendstream endobj trailer<</Root 1 0 R>>"))
	lim := fuzzLimits
	lim.OCR = &fakeOCR{}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := extractOpts(context.Background(), bodyInput(data), lim, true); err != nil {
			t.Fatal(err)
		}
	})
}

// A small stream declaring a huge image is refused before allocation.
func TestPDFImageTooLarge(t *testing.T) {
	d := testDoc()
	for _, dict := range []pDict{
		{"Width": 60000.0, "Height": 60000.0, "ColorSpace": pName("DeviceGray"), "BitsPerComponent": 1.0},
		{"Width": 8.0, "Height": 8.0, "Filter": pName("CCITTFaxDecode"), "DecodeParms": pDict{"K": -1.0, "Columns": 60000.0, "Rows": 60000.0}},
	} {
		if _, why := d.image(&pStream{dict: dict, raw: make([]byte, 1<<20)}); !strings.Contains(why, "larger than") {
			t.Errorf("%v: %q", dict, why)
		}
	}
}

// Inline images (BI ... ID ... EI) in a page's content are read too.
func TestPDFInlineImage(t *testing.T) {
	g := stripes(40, 20)
	raw := string(g.Pix)
	content := "q 40 0 0 20 0 0 cm BI /W 40 /H 20 /CS /G /BPC 8 ID " + raw + " EI Q"
	pdf := "%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n3 0 obj <</Type/Page/Parent 2 0 R/Contents 4 0 R>> endobj\n" +
		"4 0 obj <</Length " + strconv.Itoa(len(content)) + ">> stream\n" + content + "\nendstream endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
	res := run(t, bodyInput([]byte(pdf)), Limits{OCR: &fakeOCR{}})
	found := false
	for _, s := range res.Segments {
		found = found || s.Origin == "pdf:page1/image1" && s.Text == "pixels 40x20"
	}
	if !found {
		t.Errorf("segments %+v problems %+v, want the inline image read", res.Segments, res.Problems)
	}
}
