package ocr

import (
	"context"
	"errors"
	"image"
	"image/color"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/extract/ocr/ocrtest"
)

// engine returns a real Tesseract engine or skips loudly.
func engine(t testing.TB) *Engine {
	t.Helper()
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("SKIP: tesseract not installed; OCR not tested (apt-get install tesseract-ocr tesseract-ocr-chi-tra tesseract-ocr-chi-sim)")
	}
	e := New(Config{ImageTimeout: 30 * time.Second, Workers: 2})
	if err := e.Available(); err != nil {
		t.Skipf("SKIP: OCR engine unusable: %v", err)
	}
	return e
}

func render(t testing.TB, lines []string, st ocrtest.Style) []byte {
	t.Helper()
	img, err := ocrtest.Render(lines, st)
	if err != nil {
		t.Skipf("SKIP: cannot render test images: %v", err)
	}
	return ocrtest.PNG(img)
}

var card = []string{"HONG KONG IDENTITY CARD", "香港永久性居民身份證", "CHAN, Tai Man 陳大文", "Date of Birth 01-01-1980", "A123456(3)"}

func TestReadImageRotationsAndQuality(t *testing.T) {
	e := engine(t)
	cases := []struct {
		name string
		data func() []byte
	}{
		{"png-16px", func() []byte { return render(t, card, ocrtest.Style{Size: 16}) }},
		{"png-rot90", func() []byte { return render(t, card, ocrtest.Style{Size: 28, Rotate: 90}) }},
		{"png-rot180", func() []byte { return render(t, card, ocrtest.Style{Size: 28, Rotate: 180}) }},
		{"jpeg-q35-photo", func() []byte {
			img, err := ocrtest.Render(card, ocrtest.Style{Size: 30, Noise: 30, Border: true})
			if err != nil {
				t.Skip(err)
			}
			return ocrtest.JPEG(ocrtest.Tint(img, color.RGBA{240, 220, 200, 255}), 35)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			text, err := e.ReadImage(context.Background(), extract.Image{Encoded: c.data()})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s in %v:\n%s", c.name, time.Since(start), text)
			if !strings.Contains(text, "A123456(3)") {
				t.Errorf("HKID not read")
			}
		})
	}
}

func TestNoEngine(t *testing.T) {
	e := New(Config{Command: "/nonexistent/tesseract"})
	if !errors.Is(e.Available(), ErrNoEngine) {
		t.Fatalf("Available() = %v, want ErrNoEngine", e.Available())
	}
	text := render(t, card, ocrtest.Style{Size: 20})
	if _, err := e.ReadImage(context.Background(), extract.Image{Encoded: text}); !errors.Is(err, ErrNoEngine) {
		t.Errorf("text image: err = %v, want ErrNoEngine", err)
	}
	// An icon and a blank picture are allowed without an engine.
	icon := render(t, []string{"x"}, ocrtest.Style{Size: 8, Margin: 2})
	blank := render(t, []string{" "}, ocrtest.Style{Size: 200})
	for name, data := range map[string][]byte{"icon": icon, "blank": blank} {
		if got, err := e.ReadImage(context.Background(), extract.Image{Encoded: data}); err != nil || got != "" {
			t.Errorf("%s: (%q, %v), want no text and no error", name, got, err)
		}
	}
	if _, err := e.ReadImage(context.Background(), extract.Image{Encoded: []byte("\x89PNG\r\n\x1a\nbroken")}); err == nil {
		t.Error("broken PNG: no error")
	}
}

func stripesGray(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		if (i%w)/3%2 == 0 {
			g.Pix[i] = 255
		}
	}
	return g
}
