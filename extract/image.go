package extract

import (
	"archive/zip"
	"context"
	"image"
	"slices"
	"strings"
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

// imageNode is the hook for a body that really is a picture (its container
// parsed, mediahook.go): OCR reads it. Without OCR the picture is reported
// as not inspected.
func (w *walker) imageNode(n node, format string) {
	if w.lim.OCR == nil {
		w.problem(n.origin, Unsupported, "image ("+format+"): no text layer to inspect; only its printable strings were read")
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

// odfImages reads the pictures of an OpenDocument (Pictures/), in name
// order.
func (w *walker) odfImages(n node, base string, byName map[string]*zip.File) {
	var files []*zip.File
	for name, f := range byName {
		if strings.HasPrefix(name, "Pictures/") && !f.FileInfo().IsDir() {
			files = append(files, f)
		}
	}
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	w.images(n, base, files)
}

// docImages reads the pictures of an Office document (word/media/,
// xl/media/, ppt/media/) with OCR: a scanned certificate pasted into Word.
// Vector pictures do not sniff as images: SVG is read as markup and a
// member that is no picture as what it is (mediaNonPictures, office.go);
// EMF and WMF stay pictures.
func (w *walker) docImages(n node, base string, zr *zip.Reader) {
	var files []*zip.File
	for _, f := range zr.File {
		if strings.Contains(f.Name, "/media/") && !f.FileInfo().IsDir() {
			files = append(files, f)
		}
	}
	w.images(n, base, files)
}

// images reads the package members that sniff as images.
func (w *walker) images(n node, base string, files []*zip.File) {
	for _, f := range files {
		if w.expired() {
			return
		}
		origin := child(base, "zip", f.Name)
		data, ok := w.readEntry(origin, f)
		if !ok || sniff(data, int64(len(data))) != kindImage {
			continue
		}
		w.node(node{origin: origin, name: f.Name, body: memBlob(data), depth: n.depth + 1})
	}
}
