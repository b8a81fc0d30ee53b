package ocr

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	_ "image/jpeg" // decoders register themselves with image.Decode
	"image/png"
	"sort"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// gray is an 8-bit luminance image, origin at 0,0.
type gray struct {
	w, h int
	pix  []byte
}

// Smallest image that can hold a readable word; anything smaller (icons,
// bullets, spacer GIFs) is allowed without OCR.
const (
	minSide   = 12
	minPixels = 2000
)

// decode reads an encoded image after checking its declared size.
func (e *Engine) decode(data []byte) (*gray, error) {
	if skip, err := e.check(data); skip || err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte("GIF8")) {
		if g, ok := e.animated(data); ok {
			return g, nil
		}
	}
	img, _, err := image.Decode(bufio.NewReader(bytes.NewReader(data)))
	if err != nil && img == nil {
		return nil, fmt.Errorf("image does not decode: %v", err)
	}
	return toGray(img), nil
}

// maxFrames is how many frames of an animated GIF are read.
const maxFrames = 4

// animated reads an animated GIF as one page: up to maxFrames frames
// (first, last and evenly between), each composited as shown, stacked
// top to bottom, so one Tesseract run reads a blank first frame and the
// list shown after it alike. ok is false for a single frame.
func (e *Engine) animated(data []byte) (*gray, bool) {
	// gif.DecodeAll holds every frame: count them first, from the block
	// structure, and decode only what max_pixels allows.
	n, w0, h0 := gifFrames(data)
	if n < 2 || int64(n)*int64(w0)*int64(h0) > e.cfg.MaxPixels {
		return nil, false // the first frame is read as before
	}
	all, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil || len(all.Image) < 2 {
		return nil, false
	}
	w, h := all.Config.Width, all.Config.Height
	if w <= 0 || h <= 0 {
		b := all.Image[0].Bounds()
		w, h = b.Max.X, b.Max.Y
	}
	pick := map[int]bool{0: true, len(all.Image) - 1: true}
	for k := 1; k < maxFrames-1; k++ {
		pick[k*(len(all.Image)-1)/(maxFrames-1)] = true
	}
	if int64(w)*int64(h)*int64(len(pick)) > e.cfg.MaxPixels {
		return nil, false // the first frame is read as before
	}
	canvas := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(canvas, canvas.Bounds(), image.White, image.Point{}, draw.Src)
	var shots []*gray
	for i, fr := range all.Image {
		var saved *image.RGBA
		if i < len(all.Disposal) && all.Disposal[i] == gif.DisposalPrevious {
			saved = image.NewRGBA(canvas.Bounds())
			copy(saved.Pix, canvas.Pix)
		}
		draw.Draw(canvas, fr.Bounds(), fr, fr.Bounds().Min, draw.Over)
		if pick[i] {
			shot := toGray(canvas)
			if len(shots) == 0 || !bytes.Equal(shots[len(shots)-1].pix, shot.pix) {
				shots = append(shots, shot)
			}
		}
		if i < len(all.Disposal) {
			switch all.Disposal[i] {
			case gif.DisposalBackground:
				draw.Draw(canvas, fr.Bounds(), image.White, image.Point{}, draw.Src)
			case gif.DisposalPrevious:
				copy(canvas.Pix, saved.Pix)
			}
		}
	}
	gap := max(8, h/10)
	out := &gray{w: w, h: len(shots)*h + (len(shots)-1)*gap}
	out.pix = bytes.Repeat([]byte{255}, out.w*out.h)
	for k, s := range shots {
		copy(out.pix[k*(h+gap)*w:], s.pix)
	}
	return out, true
}

// check reads the image header: skip is true for an image too small to
// hold text; an error refuses it (unknown format, over max_pixels).
func (e *Engine) check(data []byte) (skip bool, err error) {
	if bytes.HasPrefix(data, []byte("\x00\x00\x01\x00")) {
		return true, nil // a Windows icon (at most 256 px): decoration
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if errors.Is(err, image.ErrFormat) {
		return false, errors.New("image format not readable by OCR (HEIC, AVIF and vector images are not decoded)")
	}
	if err != nil {
		return false, fmt.Errorf("image header does not decode: %v", err)
	}
	if small(cfg.Width, cfg.Height) {
		return true, nil
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > e.cfg.MaxPixels {
		return false, fmt.Errorf("image of %d pixels is over the OCR limit of %d (max_pixels)", px, e.cfg.MaxPixels)
	}
	return false, nil
}

func small(w, h int) bool { return w < minSide || h < minSide || w*h < minPixels }

// fromPixels takes decoded pixels (a PDF image) through the same checks.
func (e *Engine) fromPixels(img image.Image) (*gray, error) {
	b := img.Bounds()
	if small(b.Dx(), b.Dy()) {
		return nil, nil
	}
	if px := int64(b.Dx()) * int64(b.Dy()); px > e.cfg.MaxPixels {
		return nil, fmt.Errorf("image of %d pixels is over the OCR limit of %d (max_pixels)", px, e.cfg.MaxPixels)
	}
	return toGray(img), nil
}

// toGray converts to luminance; JPEG's Y plane and gray images are copied
// without per-pixel colour conversion.
func toGray(img image.Image) *gray {
	b := img.Bounds()
	g := &gray{w: b.Dx(), h: b.Dy(), pix: make([]byte, b.Dx()*b.Dy())}
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < g.h; y++ {
			copy(g.pix[y*g.w:(y+1)*g.w], m.Pix[(y)*m.Stride:])
		}
	case *image.YCbCr:
		for y := 0; y < g.h; y++ {
			copy(g.pix[y*g.w:(y+1)*g.w], m.Y[y*m.YStride:])
		}
	case *image.RGBA, *image.NRGBA:
		// Screenshots decode to these: read the bytes, not At (an
		// interface call and a colour conversion per pixel).
		var pix []byte
		var stride int
		premul := false
		if r, ok := m.(*image.RGBA); ok {
			pix, stride, premul = r.Pix, r.Stride, true
		} else {
			n := m.(*image.NRGBA)
			pix, stride = n.Pix, n.Stride
		}
		for y := 0; y < g.h; y++ {
			row := pix[y*stride:]
			for x := 0; x < g.w; x++ {
				r, gg, b, a := int(row[4*x]), int(row[4*x+1]), int(row[4*x+2]), int(row[4*x+3])
				lum := (299*r + 587*gg + 114*b) / 1000
				if premul {
					lum += 255 - a // transparent reads as white paper
				} else {
					lum = (lum*a + 255*(255-a)) / 255
				}
				g.pix[y*g.w+x] = uint8(min(255, lum))
			}
		}
	default:
		for y := 0; y < g.h; y++ {
			for x := 0; x < g.w; x++ {
				r, gg, bb, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				// Transparent pixels read as white paper.
				lum := (19595*r + 38470*gg + 7471*bb + 1<<15) >> 24
				lum = (lum*a + 255*(0xffff-a)) / 0xffff
				g.pix[y*g.w+x] = uint8(lum)
			}
		}
	}
	return g
}

// mayHoldText is the cheap test before OCR: text has contrast and many
// sharp edges. A flat or smooth picture (a colour field, a gradient, a
// blurred photo) is skipped. It samples at most ~64k pixels.
func mayHoldText(g *gray) bool {
	step := 1
	for (g.w/step)*(g.h/step) > 65536 {
		step++
	}
	var n, edges int
	var sum, sq float64
	for y := 0; y < g.h; y += step {
		row := g.pix[y*g.w : (y+1)*g.w]
		for x := 0; x+step < g.w; x += step {
			v := int(row[x])
			sum += float64(v)
			sq += float64(v * v)
			n++
			if d := v - int(row[x+1]); d > 48 || d < -48 {
				edges++
			}
		}
	}
	if n == 0 {
		return false
	}
	mean := sum / float64(n)
	variance := sq/float64(n) - mean*mean
	// Sharp edges on at least 0.3% of the sampled pixels, and contrast.
	return variance > 100 && edges*1000 >= 3*n
}

// lineHeight estimates the height of text lines in pixels: the median run
// of inked rows (or columns, for a page turned sideways, whichever shows
// more lines). 0 when no lines are seen.
func lineHeight(g *gray) int {
	h, _ := lines(g)
	return h
}

// lines returns lineHeight and whether the text is clearly upright: lines
// of text separated by blank rows (at least 15% of the inked span), and
// fewer blank columns than blank rows. A page turned sideways, a single
// line or a table with wide column gaps is not clearly upright.
func lines(g *gray) (int, bool) {
	var sum int
	for _, v := range g.pix {
		sum += int(v)
	}
	thr := uint8(sum / len(g.pix) * 3 / 4) // ink is clearly darker than the mean
	rows := make([]int, g.h)
	cols := make([]int, g.w)
	for y := 0; y < g.h; y++ {
		row := g.pix[y*g.w : (y+1)*g.w]
		for x, v := range row {
			if v < thr {
				rows[y]++
				cols[x]++
			}
		}
	}
	r, c := runs(rows, g.w), runs(cols, g.h)
	br, bc := blankShare(rows, g.w), blankShare(cols, g.h)
	upright := br >= 0.15 && bc < br
	if len(c) > len(r) {
		r = c
	}
	if len(r) == 0 {
		return 0, upright
	}
	sort.Ints(r)
	return r[len(r)/2], upright
}

// blankShare is the share of blank lines between the first and the last
// inked one.
func blankShare(counts []int, length int) float64 {
	min := max(3, length*3/200)
	a, b := 0, len(counts)-1
	for a < len(counts) && counts[a] < min {
		a++
	}
	for b > a && counts[b] < min {
		b--
	}
	if b <= a {
		return 0
	}
	blank := 0
	for _, c := range counts[a : b+1] {
		if c < min {
			blank++
		}
	}
	return float64(blank) / float64(b-a+1)
}

// runs returns the lengths of runs of inked lines (more than 1.5% of the
// line's pixels dark, so a frame or a ruled border does not count) that are
// at least 3 lines long.
func runs(counts []int, length int) []int {
	var out []int
	min := max(3, length*3/200)
	run := 0
	for _, c := range append(counts, 0) {
		if c >= min {
			run++
			continue
		}
		if run >= 3 {
			out = append(out, run)
		}
		run = 0
	}
	return out
}

// Target line height for Tesseract (its models like x-heights of 20-30 px).
const (
	targetLine = 40
	maxOutSide = 6000
)

// prepare scales the text to a size Tesseract reads well and says whether
// it is clearly upright.
func prepare(g *gray) (*gray, bool) {
	invertDark(g)
	lh, upright := lines(g)
	if lh > 0 {
		f := float64(targetLine) / float64(lh)
		switch {
		case f > 1.3:
			f = min(f, 4, float64(maxOutSide)/float64(max(g.w, g.h)))
			if f > 1.3 {
				g = scale(g, f)
			}
		case f < 0.5:
			// Huge text (a 12 MP photo of a card) costs time, not accuracy.
			g = scale(g, max(f, 0.25))
		}
	}
	return g, upright
}

// encodePNG encodes g as an 8-bit grayscale PNG, fast rather than small
// (it only travels down a pipe).
func encodePNG(g *gray) []byte {
	img := &image.Gray{Pix: g.pix, Stride: g.w, Rect: image.Rect(0, 0, g.w, g.h)}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, img); err != nil {
		return nil
	}
	return b.Bytes()
}

// scale resizes bilinearly by f.
func scale(g *gray, f float64) *gray {
	w, h := max(1, int(float64(g.w)*f)), max(1, int(float64(g.h)*f))
	out := &gray{w: w, h: h, pix: make([]byte, w*h)}
	for y := 0; y < h; y++ {
		sy := (float64(y)+0.5)/f - 0.5
		y0 := int(sy)
		if sy < 0 {
			sy, y0 = 0, 0
		}
		y1 := min(y0+1, g.h-1)
		fy := sy - float64(y0)
		for x := 0; x < w; x++ {
			sx := (float64(x)+0.5)/f - 0.5
			x0 := int(sx)
			if sx < 0 {
				sx, x0 = 0, 0
			}
			x1 := min(x0+1, g.w-1)
			fx := sx - float64(x0)
			a := float64(g.pix[y0*g.w+x0])*(1-fx) + float64(g.pix[y0*g.w+x1])*fx
			b := float64(g.pix[y1*g.w+x0])*(1-fx) + float64(g.pix[y1*g.w+x1])*fx
			out.pix[y*w+x] = uint8(a*(1-fy) + b*fy + 0.5)
		}
	}
	return out
}

// rotate turns g clockwise by deg (90, 180 or 270).
func rotate(g *gray, deg int) *gray {
	w, h := g.w, g.h
	out := &gray{w: w, h: h, pix: make([]byte, w*h)}
	if deg != 180 {
		out.w, out.h = h, w
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := g.pix[y*w+x]
			switch deg {
			case 90:
				out.pix[x*out.w+(h-1-y)] = v
			case 180:
				out.pix[(h-1-y)*w+(w-1-x)] = v
			case 270:
				out.pix[(w-1-x)*out.w+y] = v
			default:
				return g
			}
		}
	}
	return out
}

// invertDark turns a dark-mode screenshot (light text on a dark
// background) into dark text on light paper, which Tesseract's models and
// the line profile expect.
func invertDark(g *gray) {
	var sum int
	for _, v := range g.pix {
		sum += int(v)
	}
	if sum/max(1, len(g.pix)) >= 100 {
		return
	}
	for i, v := range g.pix {
		g.pix[i] = 255 - v
	}
}

// tiffPages counts the pages (IFDs) of a TIFF, 0 for anything else; it
// stops at 1000 and at a loop.
func tiffPages(d []byte) int {
	if len(d) < 8 {
		return 0
	}
	var u16 func([]byte) int
	var u32 func([]byte) int
	switch string(d[:4]) {
	case "II*\x00":
		u16 = func(b []byte) int { return int(b[0]) | int(b[1])<<8 }
		u32 = func(b []byte) int { return u16(b) | u16(b[2:])<<16 }
	case "MM\x00*":
		u16 = func(b []byte) int { return int(b[1]) | int(b[0])<<8 }
		u32 = func(b []byte) int { return u16(b[2:]) | u16(b)<<16 }
	default:
		return 0
	}
	seen := map[int]bool{}
	n := 0
	for off := u32(d[4:]); off > 0 && off+2 <= len(d) && !seen[off] && n < 1000; n++ {
		seen[off] = true
		end := off + 2 + 12*u16(d[off:])
		if end+4 > len(d) {
			return n + 1
		}
		off = u32(d[end:])
	}
	return n
}

// gifFrames counts the frames of a GIF by walking its blocks (no
// decoding) and returns its logical screen size.
func gifFrames(d []byte) (n, w, h int) {
	if len(d) < 13 {
		return 0, 0, 0
	}
	w, h = int(d[6])|int(d[7])<<8, int(d[8])|int(d[9])<<8
	pos := 13
	if d[10]&0x80 != 0 {
		pos += 3 << (d[10]&7 + 1)
	}
	subBlocks := func() bool {
		for pos < len(d) {
			size := int(d[pos])
			pos += 1 + size
			if size == 0 {
				return true
			}
		}
		return false
	}
	for pos < len(d) {
		switch d[pos] {
		case 0x21: // extension: label, sub-blocks
			pos += 2
			if !subBlocks() {
				return n, w, h
			}
		case 0x2c: // image descriptor, colour table, LZW size, sub-blocks
			if pos+10 > len(d) {
				return n, w, h
			}
			flags := d[pos+9]
			pos += 10
			if flags&0x80 != 0 {
				pos += 3 << (flags&7 + 1)
			}
			pos++ // LZW minimum code size
			n++
			if !subBlocks() {
				return n, w, h
			}
		default: // trailer or garbage
			return n, w, h
		}
	}
	return n, w, h
}
