package ocr

import (
	"testing"

	"github.com/dlpgate/dlpgate/extract/ocr/ocrtest"
)

// FuzzPrepare feeds arbitrary bytes to everything before Tesseract:
// decoders, the cheap checks, scaling and PNG encoding. Nothing may panic
// or allocate beyond max_pixels.
func FuzzPrepare(f *testing.F) {
	img := ocrtest.Rotate(stripesGray(64, 32), 90)
	f.Add(ocrtest.PNG(img))
	f.Add(ocrtest.JPEG(img, 50))
	f.Add([]byte("GIF89a\x10\x00\x10\x00\x00\x00\x00;"))
	f.Add([]byte("GIF89a\x20\x00\x20\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\x20\x00\x20\x00\x00\x02\x02\x44\x01\x00,\x00\x00\x00\x00\x20\x00\x20\x00\x00\x02\x02\x44\x01\x00;"))
	f.Add([]byte("BM\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	e := New(Config{Command: "/nonexistent/tesseract", MaxPixels: 1 << 20})
	f.Add(ocrtest.MultiTIFF(stripesGray(16, 16), stripesGray(16, 16)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if n := tiffPages(data); n < 0 || n > 1000 {
			t.Fatalf("tiffPages = %d", n)
		}
		if n, _, _ := gifFrames(data); n < 0 || n > len(data) {
			t.Fatalf("gifFrames = %d", n)
		}
		g, err := e.decode(data)
		if err != nil || g == nil {
			return
		}
		if int64(g.w)*int64(g.h) > 1<<20 {
			t.Fatalf("decoded %dx%d over max_pixels", g.w, g.h)
		}
		if mayHoldText(g) {
			p, _ := prepare(g)
			encodePNG(rotate(p, 90))
		}
	})
}

// FuzzPostProcess: repairing identifiers never panics and keeps valid UTF-8.
func FuzzPostProcess(f *testing.F) {
	for _, s := range []string{"A1234S6(3)", "41234563)", "陳 大 文 : 2025", "AB 123456 (9)", "\f\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		PostProcess(s)
	})
}
