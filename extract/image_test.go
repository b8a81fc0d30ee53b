package extract

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"mime/multipart"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/extract/ocr/ocrtest"
)

// fakeOCR reads every image as "seen WxH" (its decoded size, or the byte
// count of an encoded one) so origins and plumbing are tested without
// Tesseract; wait makes it hang until its context ends.
type fakeOCR struct {
	wait  bool
	calls atomic.Int32
}

func (f *fakeOCR) ReadImage(ctx context.Context, img Image) (string, error) {
	f.calls.Add(1)
	if f.wait {
		<-ctx.Done()
		return "", fmt.Errorf("OCR timed out")
	}
	if img.Pixels != nil {
		b := img.Pixels.Bounds()
		return fmt.Sprintf("pixels %dx%d", b.Dx(), b.Dy()), nil
	}
	return fmt.Sprintf("encoded %d", len(img.Encoded)), nil
}

func stripes(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		if (i%w)/3%2 == 0 {
			g.Pix[i] = 255
		}
	}
	return g
}

func multipartOf(t *testing.T, name string, data []byte) Input {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("media", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return Input{Body: bytes.NewReader(b.Bytes()), Size: int64(b.Len()), ContentType: mw.FormDataContentType(), Origin: "body"}
}

func TestImagesReachOCR(t *testing.T) {
	png := ocrtest.PNG(stripes(120, 40))
	jpeg := ocrtest.JPEG(stripes(200, 60), 80)
	pdf := ocrtest.ImagePDF([]ocrtest.PDFImage{
		{JPEG: jpeg, W: 200, H: 60},
		{Gray: stripes(90, 30)},
	})
	docx := ocrtest.DOCXWithImage("see attached", png, "png")
	zipped := buildZip(t, zipEntry{name: "scans/a.png", body: png}, zipEntry{name: "b.jpg", body: jpeg})
	eml := []byte("From: a@example.hk\r\nTo: b@example.hk\r\nSubject: scan\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n--Z\r\nContent-Type: text/plain\r\n\r\nhi\r\n--Z\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"id.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(png) + "\r\n--Z--\r\n")
	pptx := buildZip(t, zipEntry{name: "ppt/presentation.xml", body: []byte("<p:presentation/>")},
		zipEntry{name: "ppt/slides/slide1.xml", body: []byte(`<p:sld xmlns:a="a"><a:t>Slide</a:t></p:sld>`)},
		zipEntry{name: "ppt/media/image1.png", body: png})
	xlsx := buildZip(t, zipEntry{name: "xl/workbook.xml", body: []byte(`<workbook><sheets/></workbook>`)},
		zipEntry{name: "xl/media/image1.jpeg", body: jpeg}, zipEntry{name: "xl/media/image2.emf", body: emfHeader()})
	odt := buildZip(t, zipEntry{name: "mimetype", body: []byte("application/vnd.oasis.opendocument.text"), store: true},
		zipEntry{name: "content.xml", body: []byte(`<office:document-content xmlns:office="o" xmlns:text="t"><office:body><text:p>note</text:p></office:body></office:document-content>`)},
		zipEntry{name: "Pictures/10000001.png", body: png})
	cases := []struct {
		name string
		data []byte
		want map[string]string // origin -> text
	}{
		{"note.odt", odt, map[string]string{"multipart:media/note.odt/Pictures/10000001.png": fmt.Sprintf("encoded %d", len(png))}},
		{"deck.pptx", pptx, map[string]string{"multipart:media/deck.pptx/ppt/media/image1.png": fmt.Sprintf("encoded %d", len(png))}},
		{"book.xlsx", xlsx, map[string]string{"multipart:media/book.xlsx/xl/media/image1.jpeg": fmt.Sprintf("encoded %d", len(jpeg))}},
		{"shot.png", png, map[string]string{"multipart:media/shot.png": fmt.Sprintf("encoded %d", len(png))}},
		{"scan.pdf", pdf, map[string]string{
			"multipart:media/scan.pdf/page1/image1": fmt.Sprintf("encoded %d", len(jpeg)),
			"multipart:media/scan.pdf/page2/image1": "pixels 90x30",
		}},
		{"cert.docx", docx, map[string]string{
			"multipart:media/cert.docx/word/document.xml":     "see attached\n",
			"multipart:media/cert.docx/word/media/image1.png": fmt.Sprintf("encoded %d", len(png)),
		}},
		{"scans.zip", zipped, map[string]string{
			"multipart:media/scans.zip/scans/a.png": fmt.Sprintf("encoded %d", len(png)),
			"multipart:media/scans.zip/b.jpg":       fmt.Sprintf("encoded %d", len(jpeg)),
		}},
		{"mail.eml", eml, map[string]string{"multipart:media/mail.eml/body>multipart:part2/id.png": fmt.Sprintf("encoded %d", len(png))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := run(t, multipartOf(t, c.name, c.data), Limits{OCR: &fakeOCR{}})
			got := map[string]string{}
			for _, s := range res.Segments {
				got[s.Origin] = s.Text
			}
			for o, text := range c.want {
				if got[o] != text {
					t.Errorf("origin %s: %q, want %q (all: %v)", o, got[o], text, got)
				}
			}
			if len(res.Problems) != 0 {
				t.Errorf("problems %+v", res.Problems)
			}
		})
	}
}

// Without a reader images stay "unsupported", as before OCR; a PDF page
// with text is not OCRed.
func TestImagesWithoutOCR(t *testing.T) {
	res := run(t, multipartOf(t, "a.png", ocrtest.PNG(stripes(50, 50))), Limits{})
	if len(res.Problems) != 1 || res.Problems[0].Kind != Unsupported {
		t.Errorf("problems %+v, want one unsupported", res.Problems)
	}
	// A page number does not hide the picture beside it.
	pdf := ocrtest.ImagePDF([]ocrtest.PDFImage{{Gray: stripes(90, 30), Text: "Page 1"}})
	res = run(t, bodyInput(pdf), Limits{OCR: &fakeOCR{}})
	if !strings.Contains(allText(res), "Page 1") || !strings.Contains(allText(res), "pixels 90x30") {
		t.Errorf("page with a text layer and a picture: %q", allText(res))
	}
	f := &fakeOCR{}
	res = run(t, bodyInput(buildLatinPDF(t, []string{"Total assets 25,980"}, "")), Limits{OCR: f})
	if f.calls.Load() != 0 || !strings.Contains(allText(res), "Total assets") {
		t.Errorf("text PDF: %d OCR calls, text %q", f.calls.Load(), allText(res))
	}
}

// All OCR of one input shares OCRBudget: hanging images end as "ocr"
// problems within it, and extraction returns.
func TestOCRBudget(t *testing.T) {
	png := ocrtest.PNG(stripes(120, 40))
	zipped := buildZip(t, zipEntry{name: "a.png", body: png}, zipEntry{name: "b.png", body: png}, zipEntry{name: "c.txt", body: []byte("hello")})
	f := &fakeOCR{wait: true}
	start := time.Now()
	res := run(t, bodyInput(zipped), Limits{OCR: f, OCRBudget: int64(100 * time.Millisecond)})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v with a 100ms OCR budget", d)
	}
	n := 0
	for _, p := range res.Problems {
		if p.Kind == OCR && strings.Contains(p.Reason, "budget") {
			n++
		}
	}
	if n != 2 || f.calls.Load() != 1 {
		t.Errorf("problems %+v, %d calls; want 2 budget problems after 1 call", res.Problems, f.calls.Load())
	}
	if !strings.Contains(allText(res), "hello") {
		t.Error("text after the images was lost")
	}
}

// BenchmarkNoImages: an upload without images costs the same with an OCR
// reader configured as without (the reader is never called):
//
//	go test ./extract -run '^$' -bench NoImages -benchtime 20x
func BenchmarkNoImages(b *testing.B) {
	var paras []string
	for i := 0; i < 5000; i++ {
		paras = append(paras, fmt.Sprintf("Paragraph %d: applicant Chan Tai Man lives in 觀塘.", i))
	}
	pages := make([]string, 10)
	for i := range pages {
		pages[i] = strings.Repeat(fmt.Sprintf("Line of page %d with Patient Chan Tai Man\n", i), 50)
	}
	var doc strings.Builder
	doc.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, p := range paras {
		fmt.Fprintf(&doc, `<w:p><w:r><w:t>%s</w:t></w:r></w:p>`, p)
	}
	doc.WriteString(`</w:body></w:document>`)
	docx := buildZip(b, zipEntry{name: "[Content_Types].xml", body: []byte(contentTypes)}, zipEntry{name: "word/document.xml", body: []byte(doc.String())})
	docs := map[string][]byte{"docx": docx, "pdf": buildLatinPDF(b, pages, ""), "text": []byte(strings.Join(paras, "\n"))}
	for _, name := range []string{"docx", "pdf", "text"} {
		for _, withOCR := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/ocr=%v", name, withOCR), func(b *testing.B) {
				f := &fakeOCR{}
				lim := Limits{}
				if withOCR {
					lim.OCR = f
				}
				data := docs[name]
				b.SetBytes(int64(len(data)))
				for i := 0; i < b.N; i++ {
					if _, err := Extract(context.Background(), bodyInput(data), lim); err != nil {
						b.Fatal(err)
					}
				}
				if f.calls.Load() != 0 {
					b.Fatalf("OCR called %d times for a body without images", f.calls.Load())
				}
			})
		}
	}
}

// A picture sent as base64 inside a JSON message is read too.
func TestBase64ImageInJSON(t *testing.T) {
	png := ocrtest.PNG(stripes(120, 40))
	body := []byte(`{"msgtype":"image","image":{"data":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(png) + `"},"raw":"` + base64.StdEncoding.EncodeToString(png) + `"}`)
	res := run(t, Input{Body: bytes.NewReader(body), Size: int64(len(body)), ContentType: "application/json", Origin: "body"}, Limits{OCR: &fakeOCR{}})
	want := fmt.Sprintf("encoded %d", len(png))
	n := 0
	for _, s := range res.Segments {
		if s.Text == want && strings.HasSuffix(s.Origin, ">base64") {
			n++
		}
	}
	if n != 2 || len(res.Problems) != 0 {
		t.Errorf("segments %+v problems %+v, want 2 OCR readings", res.Segments, res.Problems)
	}
	res = run(t, Input{Body: bytes.NewReader(body), Size: int64(len(body)), ContentType: "application/json"}, Limits{})
	if len(res.Problems) != 2 || res.Problems[0].Kind != Unsupported {
		t.Errorf("without OCR: problems %+v, want 2 unsupported", res.Problems)
	}
}

// emfHeader is the header record of an empty EMF picture: type 1, its
// size, bounds and frame, then the " EMF" signature at offset 40.
func emfHeader() []byte {
	h := make([]byte, 108)
	h[0], h[4] = 1, 108
	copy(h[40:], " EMF")
	return h
}
