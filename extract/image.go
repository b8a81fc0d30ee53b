package extract

import (
	"context"
	"errors"
	"image"
	"time"
)

// OCR is the problem kind of an image whose text could not be read: no OCR
// engine, OCR timed out or failed. The policy decides (default: log).
const OCR ProblemKind = "ocr"

// Image is one picture to read: encoded bytes (PNG, JPEG, GIF, BMP, TIFF,
// WebP) or pixels already decoded (a PDF image XObject).
type Image struct {
	Encoded []byte
	Pixels  image.Image
}

// ImageReader reads the text an image shows (extract/ocr implements it with
// Tesseract). ReadImage returns "" and no error for a picture without text;
// an error's message is the reason reported (it never holds content).
type ImageReader interface {
	ReadImage(ctx context.Context, img Image) (string, error)
}

// ErrNoText is what an ImageReader may return for an image it was told not
// to read (its text layer already read); it is not reported.
var ErrNoText = errors.New("no text")

// imageNode reads one image through the OCR hook, or reports why not.
func (w *walker) imageNode(n node, kind format) {
	if w.lim.OCR == nil || kind != kindImage {
		w.problem(n.origin, Unsupported, kind.reason())
		return
	}
	data, err := w.load(n.origin, n.body)
	if err != nil {
		w.problem(n.origin, Malformed, "body could not be read")
		return
	}
	w.ocr(n.origin, Image{Encoded: data})
}

// ocr runs the image reader within what is left of the request's OCR
// budget and emits the text at origin.
func (w *walker) ocr(origin string, img Image) {
	if w.ocrCtx == nil {
		budget := time.Duration(w.lim.OCRBudget)
		if budget <= 0 {
			budget = time.Duration(DefaultOCRBudget)
		}
		var cancel context.CancelFunc
		w.ocrCtx, cancel = context.WithTimeout(w.ctx, budget)
		w.ocrStop = cancel
	}
	if w.ocrCtx.Err() != nil {
		w.problem(origin, OCR, "OCR time budget of the request spent; image not read")
		return
	}
	text, err := w.lim.OCR.ReadImage(w.ocrCtx, img)
	if err != nil {
		if errors.Is(err, ErrNoText) {
			return
		}
		if w.parent.Err() != nil {
			w.stop = true
			return
		}
		if w.ocrCtx.Err() != nil {
			w.problem(origin, OCR, "OCR time budget of the request spent; image not read")
			return
		}
		w.problem(origin, OCR, err.Error())
		return
	}
	w.emit(origin, text)
}

func (w *walker) endOCR() {
	if w.ocrStop != nil {
		w.ocrStop()
	}
}
