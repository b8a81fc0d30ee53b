package ocr

import (
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"os/exec"
	"strings"
	"sync"
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
		{"png-rot270-12px", func() []byte { return render(t, card, ocrtest.Style{Size: 12, Rotate: 270}) }},
		{"dark-mode-screenshot", func() []byte {
			return render(t, card, ocrtest.Style{Size: 18, Paper: color.Gray{Y: 30}, Ink: color.Gray{Y: 230}})
		}},
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

// fakeTesseract writes a shell script standing in for tesseract: it lists
// the languages, then runs body for an image.
func fakeTesseract(t *testing.T, body string) string {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("SKIP: no sh")
	}
	p := t.TempDir() + "/tesseract"
	script := "#!/bin/sh\ncase \"$1\" in --list-langs) printf 'List of available languages (3):\\neng\\nchi_tra\\nchi_sim\\n'; exit 0;; esac\ncat >/dev/null\n" + body + "\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// A crashing or hanging engine process costs one image, never the caller:
// the crash is an error with a reason, the hang is killed at ImageTimeout.
func TestEngineCrashAndHang(t *testing.T) {
	img := extract.Image{Pixels: stripesGray(200, 60)}
	crash := New(Config{Command: fakeTesseract(t, "echo 'Segmentation fault' >&2; kill -SEGV $$")})
	if err := crash.Available(); err != nil {
		t.Fatal(err)
	}
	if _, err := crash.ReadImage(context.Background(), img); err == nil || !strings.Contains(err.Error(), "OCR failed") {
		t.Errorf("crash: err = %v, want OCR failed", err)
	}
	hang := New(Config{Command: fakeTesseract(t, "sleep 30"), ImageTimeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := hang.ReadImage(context.Background(), img)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("hang: err = %v, want timed out", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("hang returned after %v", d)
	}
	missing := New(Config{Command: fakeTesseract(t, "true"), Languages: []string{"eng", "jpn"}})
	if err := missing.Available(); !errors.Is(err, ErrNoEngine) || !strings.Contains(err.Error(), "jpn") {
		t.Errorf("missing language: Available() = %v", err)
	}
}

// Workers bounds the processes running at once.
func TestEngineWorkers(t *testing.T) {
	dir := t.TempDir()
	// Each run marks itself busy, fails if another is, then sleeps a bit.
	body := "if ! mkdir " + dir + "/busy 2>/dev/null; then echo overlap > " + dir + "/overlap; fi; sleep 0.2; rmdir " + dir + "/busy 2>/dev/null; exit 0"
	e := New(Config{Command: fakeTesseract(t, body), Workers: 1})
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.ReadImage(context.Background(), extract.Image{Pixels: stripesGray(200, 60)})
		}()
	}
	wg.Wait()
	if _, err := os.Stat(dir + "/overlap"); err == nil {
		t.Error("two OCR processes ran at once with Workers = 1")
	}
}

// The line profile tells clearly upright text from text that needs OSD.
func TestUprightProfile(t *testing.T) {
	for _, c := range []struct {
		rot  int
		want bool
	}{{0, true}, {180, true}, {90, false}, {270, false}} {
		for _, size := range []float64{12, 20, 32} {
			img, err := ocrtest.Render(card, ocrtest.Style{Size: size, Rotate: c.rot})
			if err != nil {
				t.Skip(err)
			}
			g := toGray(img)
			lh, upright := lines(g)
			if upright != c.want {
				t.Errorf("%d° %.0fpx: upright %v, want %v", c.rot, size, upright, c.want)
			}
			// Tightly spaced lines may merge into one run: the estimate
			// only has to tell small text (to scale up) from large.
			if lh < int(size*0.6) || lh > int(size*2.5) {
				t.Errorf("%d° %.0fpx: line height %d", c.rot, size, lh)
			}
		}
	}
}
