// Package ocr reads the text in images for extract: screenshots, phone
// photos of ID cards and certificates, scanned PDF pages. It decodes the
// image with Go's image packages (PNG, JPEG, GIF; BMP, TIFF and WebP from
// golang.org/x/image), skips pictures that cannot hold text in microseconds,
// prepares the rest (grayscale, text scaled to a size Tesseract reads well)
// and runs the Tesseract 5 command line, one process per image, at most
// Workers at once.
//
// A process per image, not cgo bindings: a crash or a hang on a hostile
// image kills only that process (the proxy keeps running), a timeout is a
// kill, the binary stays cgo-free and builds without Tesseract's headers, and
// a machine without Tesseract still runs dlpgate. The price is loading the
// language models per image (0.3 to 0.6 s for eng+chi_tra+chi_sim on this class of machine).
//
// Text is post-processed for the classifiers: spaces Tesseract puts between
// Chinese characters are removed, and identifier-shaped tokens whose letters
// and digits OCR confused (O/0, I/l/1, S/5, B/8) are corrected only when the
// corrected form's HKID check digit verifies.
package ocr

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/dlpgate/dlpgate/extract"
)

// Config configures the engine; zero fields take the defaults.
type Config struct {
	// Languages are Tesseract language codes (default eng, chi_tra, chi_sim).
	Languages []string
	// ImageTimeout bounds the OCR of one image (default 8s).
	ImageTimeout time.Duration
	// MaxPixels refuses larger images before decoding them (default 40 MP).
	MaxPixels int64
	// Workers is how many Tesseract processes run at once (default: half
	// the CPUs, at least 1).
	Workers int
	// Command is the tesseract binary (default: "tesseract" on PATH).
	Command string
}

// Defaults.
const (
	DefaultImageTimeout = 8 * time.Second
	DefaultMaxPixels    = 40_000_000
)

// DefaultLanguages are read when Config.Languages is empty.
var DefaultLanguages = []string{"eng", "chi_tra", "chi_sim"}

// InstallHint says how to get the engine.
const InstallHint = "install Tesseract 5 with English and Chinese models: apt-get install tesseract-ocr tesseract-ocr-chi-tra tesseract-ocr-chi-sim (Debian/Ubuntu), brew install tesseract tesseract-lang (macOS)"

// ErrNoEngine is the reason reported for images when Tesseract is missing.
var ErrNoEngine = errors.New("no OCR engine")

// Engine reads images with Tesseract. It is safe for concurrent use and
// holds no process between calls, so it needs no Close.
type Engine struct {
	cfg     Config
	bin     string
	missing error
	slots   chan struct{}
}

// New returns an engine; when Tesseract (or one of the languages) is not
// installed it still returns one, whose Available says why and whose
// ReadImage reports ErrNoEngine.
func New(cfg Config) *Engine {
	if len(cfg.Languages) == 0 {
		cfg.Languages = DefaultLanguages
	}
	if cfg.ImageTimeout <= 0 {
		cfg.ImageTimeout = DefaultImageTimeout
	}
	if cfg.MaxPixels <= 0 {
		cfg.MaxPixels = DefaultMaxPixels
	}
	if cfg.Workers <= 0 {
		cfg.Workers = max(1, runtime.NumCPU()/2)
	}
	if cfg.Command == "" {
		cfg.Command = "tesseract"
	}
	e := &Engine{cfg: cfg, slots: make(chan struct{}, cfg.Workers)}
	bin, err := exec.LookPath(cfg.Command)
	if err != nil {
		e.missing = fmt.Errorf("%w: %s not found", ErrNoEngine, cfg.Command)
		return e
	}
	e.bin = bin
	if err := e.checkLanguages(); err != nil {
		e.missing = err
		e.bin = ""
	}
	return e
}

// checkLanguages asks tesseract which models it has.
func (e *Engine) checkLanguages() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, e.bin, "--list-langs").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s --list-langs failed: %v", ErrNoEngine, e.cfg.Command, err)
	}
	have := map[string]bool{}
	for _, l := range strings.Fields(string(out)) {
		have[l] = true
	}
	var missing []string
	for _, l := range e.cfg.Languages {
		if !have[l] {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: tesseract has no model for %s", ErrNoEngine, strings.Join(missing, ", "))
	}
	return nil
}

// Available is nil when images can be read, else the reason they cannot
// (wrapping ErrNoEngine).
func (e *Engine) Available() error { return e.missing }

// ReadImage implements extract.ImageReader.
func (e *Engine) ReadImage(ctx context.Context, img extract.Image) (string, error) {
	multi := img.Pixels == nil && tiffPages(img.Encoded) > 1
	if img.Pixels == nil && !multi {
		// The header alone rules out icons and oversized images, without
		// a worker slot. (A multi-page TIFF is judged by all its pages:
		// a blank first page must not hide the second.)
		if skip, err := e.check(img.Encoded); skip || err != nil {
			return "", err
		}
	}
	// A slot bounds decoding (up to max_pixels of memory) as much as the
	// Tesseract processes; the wait counts against the request's budget,
	// the image's own timeout starts with the slot.
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	case <-ctx.Done():
		return "", errors.New("OCR timed out waiting for a free worker")
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.ImageTimeout)
	defer cancel()
	if multi {
		// A multi-page scan: Go decodes the first page only, Tesseract
		// (Leptonica) reads them all. No preprocessing: faxes and scans
		// are already bilevel at a readable resolution.
		if e.missing != nil {
			return "", ErrNoEngine
		}
		r, err := e.run(ctx, "1", img.Encoded)
		if err != nil {
			return "", err
		}
		return PostProcess(r.text), nil
	}
	var g *gray
	var err error
	if img.Pixels != nil {
		g, err = e.fromPixels(img.Pixels)
	} else {
		g, err = e.decode(img.Encoded)
	}
	if err != nil || g == nil {
		return "", err
	}
	if !mayHoldText(g) {
		return "", nil
	}
	// The engine is checked after the cheap tests: an icon is allowed even
	// where Tesseract is missing.
	if e.missing != nil {
		return "", ErrNoEngine
	}
	g, upright := prepare(g)
	if !upright {
		// Tesseract's own orientation pass in --psm 1 turns sideways
		// pages but drops text at their edges: unless the line profile
		// shows upright lines, ask OSD first (one cheap process).
		if deg := e.orientation(ctx, g); deg != 0 {
			g = rotate(g, deg)
		}
	}
	r, err := e.run(ctx, "1", encodePNG(g))
	if err != nil {
		return "", err
	}
	if r.conf < lowConfidence && upright {
		// Poor reading of lines that looked upright: perhaps upside down
		// (the layout pass's own orientation check misses 180°). Ask OSD
		// and read again turned; keep the better reading.
		if deg := e.orientation(ctx, g); deg != 0 {
			if r2, err := e.run(ctx, "1", encodePNG(rotate(g, deg))); err == nil && r2.conf > r.conf {
				r = r2
			}
		}
	}
	return PostProcess(r.text), nil
}

// lowConfidence is the mean word confidence (0-100) below which a reading
// is tried again upright.
const lowConfidence = 75

// reading is Tesseract's text and mean word confidence.
type reading struct {
	text string
	conf float64
}

// orientation asks Tesseract's OSD how far to turn g clockwise (0, 90, 180,
// 270); 0 when it cannot tell.
func (e *Engine) orientation(ctx context.Context, g *gray) int {
	out, err := e.exec(ctx, encodePNG(g), "--psm", "0", "-l", "osd")
	if err != nil {
		return 0
	}
	var deg int
	var conf float64
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "Rotate: "); ok {
			deg, _ = strconv.Atoi(strings.TrimSpace(v))
		}
		if v, ok := strings.CutPrefix(l, "Orientation confidence: "); ok {
			conf, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	if conf < 1 || deg%90 != 0 {
		return 0
	}
	return deg
}

// run reads a PNG with page segmentation mode psm and parses the TSV.
func (e *Engine) run(ctx context.Context, psm string, png []byte) (reading, error) {
	out, err := e.exec(ctx, png, "--psm", psm, "-l", strings.Join(e.cfg.Languages, "+"), "tsv")
	if err != nil {
		return reading{}, err
	}
	return parseTSV(out), nil
}

// parseTSV rebuilds lines from Tesseract's word table (level 5 rows:
// block, paragraph, line, word ..., conf, text) and averages the word
// confidences weighted by length.
func parseTSV(out string) reading {
	var b strings.Builder
	var key string
	var sum, n float64
	for _, row := range strings.Split(out, "\n") {
		f := strings.Split(row, "\t")
		if len(f) < 12 || f[0] != "5" {
			continue
		}
		word := strings.TrimSpace(f[11])
		if word == "" {
			continue
		}
		k := f[1] + "." + f[2] + "." + f[3] + "." + f[4]
		switch {
		case key == "":
		case k == key:
			b.WriteByte(' ')
		case strings.HasPrefix(k, f[1]+"."+f[2]+"."+f[3]+".") && strings.HasPrefix(key, f[1]+"."+f[2]+"."+f[3]+"."):
			b.WriteByte('\n')
		default:
			b.WriteString("\n\n")
		}
		key = k
		b.WriteString(word)
		if c, err := strconv.ParseFloat(f[10], 64); err == nil && c >= 0 {
			l := float64(len([]rune(word)))
			sum += c * l
			n += l
		}
	}
	r := reading{text: b.String()}
	if n > 0 {
		r.conf = sum / n
	}
	return r
}

// exec feeds one PNG to a tesseract process, killed when ctx ends, and
// returns its standard output. The caller holds a worker slot.
func (e *Engine) exec(ctx context.Context, png []byte, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, e.bin, append([]string{"stdin", "stdout"}, args...)...)
	// One thread per process: Workers processes already share the CPUs,
	// and OpenMP threads fighting over 2 cores made every run slower.
	cmd.Env = append(cmd.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.Stdin = strings.NewReader(string(png))
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	killGroup(cmd)
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return "", fmt.Errorf("OCR timed out after %s", e.cfg.ImageTimeout)
	}
	if err != nil {
		// stderr is Tesseract's diagnostics, never the image's text.
		msg := strings.TrimSpace(errb.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if len(msg) > 120 {
			msg = msg[:120]
		}
		return "", fmt.Errorf("OCR failed (%v): %s", err, msg)
	}
	return out.String(), nil
}
