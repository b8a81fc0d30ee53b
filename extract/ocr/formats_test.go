package ocr

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/extract/ocr/ocrtest"
)

// Every format extract sniffs as an image decodes to the same pixels
// (before any OCR): PNG, JPEG, GIF, BMP, TIFF, WebP.
func TestFormatsDecode(t *testing.T) {
	src := stripesGray(120, 40)
	enc := map[string]func(image.Image) []byte{
		"png":  ocrtest.PNG,
		"jpeg": func(m image.Image) []byte { return ocrtest.JPEG(m, 95) },
		"gif": func(m image.Image) []byte {
			var b bytes.Buffer
			if err := gif.Encode(&b, m, nil); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		},
		"bmp": func(m image.Image) []byte {
			var b bytes.Buffer
			if err := bmp.Encode(&b, m); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		},
		"tiff": func(m image.Image) []byte {
			var b bytes.Buffer
			if err := tiff.Encode(&b, m, &tiff.Options{Compression: tiff.Deflate}); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		},
		"webp": ocrtest.WebP,
		"png-rgb": func(m image.Image) []byte {
			return ocrtest.PNG(ocrtest.Tint(m, color.RGBA{250, 240, 230, 255}))
		},
		"png-nrgba-transparent-paper": func(m image.Image) []byte {
			g := m.(*image.Gray)
			n := image.NewNRGBA(g.Rect)
			for i, v := range g.Pix {
				if v < 128 { // ink opaque, paper transparent
					n.Pix[4*i+3] = 255
				}
			}
			return ocrtest.PNG(n)
		},
	}
	e := New(Config{Command: "/nonexistent/tesseract"})
	for name, f := range enc {
		g, err := e.decode(f(src))
		if err != nil || g == nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if g.w != 120 || g.h != 40 {
			t.Errorf("%s: %dx%d", name, g.w, g.h)
			continue
		}
		diff := 0
		for i, v := range g.pix {
			d := int(v) - int(src.Pix[i])
			if d > 40 || d < -40 {
				diff++
			}
		}
		if diff > len(g.pix)/50 {
			t.Errorf("%s: %d of %d pixels differ", name, diff, len(g.pix))
		}
		if !mayHoldText(g) {
			t.Errorf("%s: stripes judged text-free", name)
		}
	}
}

// A multi-page TIFF (a scanned letter) is read on every page, not only the
// first one Go decodes.
func TestMultiPageTIFF(t *testing.T) {
	one := stripesGray(60, 30)
	doc := ocrtest.MultiTIFF(one, one, one)
	if n := tiffPages(doc); n != 3 {
		t.Fatalf("tiffPages = %d, want 3", n)
	}
	if n := tiffPages(ocrtest.PNG(one)); n != 0 {
		t.Errorf("PNG: %d pages", n)
	}
	e := engine(t)
	p1, err := ocrtest.Render([]string{"Cover page", "Customer file attached"}, ocrtest.Style{Size: 22})
	if err != nil {
		t.Skip(err)
	}
	p2, _ := ocrtest.Render(card, ocrtest.Style{Size: 22})
	blank := image.NewGray(image.Rect(0, 0, 8, 8)) // an icon-sized first page hides nothing
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	text, err := e.ReadImage(context.Background(), extract.Image{Encoded: ocrtest.MultiTIFF(blank, ocrtest.GrayOf(p1), ocrtest.GrayOf(p2))})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Cover page") || !strings.Contains(text, "A123456(3)") {
		t.Errorf("pages not all read:\n%s", text)
	}
}

// An animated GIF whose first frame is blank still shows its later frames
// to OCR: up to four composited frames are stacked into one page.
func TestAnimatedGIF(t *testing.T) {
	blank := image.NewPaletted(image.Rect(0, 0, 300, 120), palette.Plan9)
	draw.Draw(blank, blank.Bounds(), image.White, image.Point{}, draw.Src)
	text, err := ocrtest.Render(card, ocrtest.Style{Size: 16, Width: 300})
	if err != nil {
		t.Skip(err)
	}
	shown := image.NewPaletted(text.Bounds(), palette.Plan9)
	draw.Draw(shown, shown.Bounds(), text, image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{blank, shown}, Delay: []int{100, 100},
		Config: image.Config{ColorModel: color.Palette(palette.Plan9), Width: shown.Bounds().Dx(), Height: shown.Bounds().Dy()}}); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := gifFrames(b.Bytes()); n != 2 {
		t.Fatalf("gifFrames = %d, want 2", n)
	}
	e := New(Config{Command: "/nonexistent/tesseract"})
	g, err := e.decode(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if g.h <= shown.Bounds().Dy() || !mayHoldText(g) {
		t.Errorf("stacked frames %dx%d, text seen %v", g.w, g.h, mayHoldText(g))
	}
	real := engine(t)
	got, err := real.ReadImage(context.Background(), extract.Image{Encoded: b.Bytes()})
	if err != nil || !strings.Contains(got, "A123456(3)") {
		t.Errorf("animated GIF: %q, %v", got, err)
	}
}
