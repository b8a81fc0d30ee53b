// Package ocrtest renders text into images for OCR tests and benchmarks:
// ID cards, screenshots of tables, scanned pages and phone photos, at chosen
// sizes, rotations and JPEG qualities. It uses a font installed on the
// machine (WenQuanYi Zen Hei, GPL with font exception, Debian
// fonts-wqy-zenhei, which covers Latin and both Chinese scripts); nothing
// is shipped.
package ocrtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// FontPaths are where the CJK font is looked for, first found wins.
var FontPaths = []string{
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
	"/usr/share/fonts/truetype/wqy-zenhei/wqy-zenhei.ttc",
}

var (
	fontOnce sync.Once
	fontVal  *opentype.Font
	fontErr  error
)

// Font returns the CJK font, or an error naming the package to install.
func Font() (*opentype.Font, error) {
	fontOnce.Do(func() {
		for _, p := range FontPaths {
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			ttf, err := firstFont(data)
			if err != nil {
				fontErr = err
				return
			}
			fontVal, fontErr = opentype.Parse(ttf)
			return
		}
		fontErr = errors.New("font WenQuanYi Zen Hei not found: apt-get install fonts-wqy-zenhei")
	})
	return fontVal, fontErr
}

// firstFont copies the first font of a TrueType collection into a
// standalone TrueType file with its tables on 4-byte boundaries:
// wqy-zenhei.ttc packs them unaligned, which golang.org/x/image/font/sfnt
// rejects ("invalid table offset"). A plain TTF is returned as it is.
func firstFont(d []byte) ([]byte, error) {
	be32 := func(b []byte) int { return int(binary.BigEndian.Uint32(b)) }
	off := 0
	if len(d) >= 16 && string(d[:4]) == "ttcf" {
		off = be32(d[12:16])
	}
	if off+12 > len(d) {
		return nil, errors.New("font file truncated")
	}
	n := int(binary.BigEndian.Uint16(d[off+4 : off+6]))
	if off+12+16*n > len(d) {
		return nil, errors.New("font table directory truncated")
	}
	out := make([]byte, 12+16*n)
	copy(out, d[off:off+12])
	for i := 0; i < n; i++ {
		rec := d[off+12+16*i : off+28+16*i]
		o, l := be32(rec[8:12]), be32(rec[12:16])
		if o+l > len(d) {
			return nil, errors.New("font table out of range")
		}
		at := len(out)
		out = append(out, d[o:o+l]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		dst := out[12+16*i : 28+16*i]
		copy(dst, rec)
		binary.BigEndian.PutUint32(dst[8:12], uint32(at))
	}
	return out, nil
}

// Style says how a text image looks.
type Style struct {
	Size     float64 // font size in pixels (default 24)
	Margin   int     // pixels around the text (default Size)
	Rotate   int     // 0, 90, 180 or 270 degrees clockwise
	Noise    int     // 0..255: random grey noise (a phone photo)
	Paper    color.Gray
	Ink      color.Gray
	Width    int // minimum canvas width
	LineGap  float64
	Border   bool // a card-like border
	Tabs     int  // pixels per tab column (tables); 0 = 12 x Size
	Seed     uint64
	Contrast bool // unused: reserved
}

// Render draws lines of text (tabs align table columns) on paper.
func Render(lines []string, st Style) (image.Image, error) {
	f, err := Font()
	if err != nil {
		return nil, err
	}
	if st.Size == 0 {
		st.Size = 24
	}
	if st.Margin == 0 {
		st.Margin = int(st.Size)
	}
	if st.Paper == (color.Gray{}) && st.Ink == (color.Gray{}) {
		st.Paper, st.Ink = color.Gray{Y: 250}, color.Gray{Y: 20}
	}
	if st.LineGap == 0 {
		st.LineGap = 1.5
	}
	if st.Tabs == 0 {
		st.Tabs = int(st.Size * 12)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: st.Size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	defer face.Close()
	w := st.Width
	for _, l := range lines {
		x := 0
		for i, cell := range splitTabs(l) {
			if i > 0 {
				x = (x/st.Tabs + 1) * st.Tabs
			}
			x += font.MeasureString(face, cell).Ceil()
		}
		if x+2*st.Margin > w {
			w = x + 2*st.Margin
		}
	}
	lh := int(st.Size * st.LineGap)
	h := len(lines)*lh + 2*st.Margin
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(st.Paper), image.Point{}, draw.Src)
	if st.Border {
		for x := 2; x < w-2; x++ {
			img.SetGray(x, 2, st.Ink)
			img.SetGray(x, h-3, st.Ink)
		}
		for y := 2; y < h-2; y++ {
			img.SetGray(2, y, st.Ink)
			img.SetGray(w-3, y, st.Ink)
		}
	}
	d := &font.Drawer{Dst: img, Src: image.NewUniform(st.Ink), Face: face}
	for i, l := range lines {
		y := st.Margin + i*lh + int(st.Size)
		x := st.Margin
		for j, cell := range splitTabs(l) {
			if j > 0 {
				x = st.Margin + ((x-st.Margin)/st.Tabs+1)*st.Tabs
			}
			d.Dot = fixed.P(x, y)
			d.DrawString(cell)
			x = d.Dot.X.Ceil()
		}
	}
	if st.Noise > 0 {
		r := rand.New(rand.NewPCG(st.Seed, 7))
		for i := range img.Pix {
			v := int(img.Pix[i]) + r.IntN(2*st.Noise+1) - st.Noise
			img.Pix[i] = uint8(max(0, min(255, v)))
		}
	}
	return Rotate(img, st.Rotate), nil
}

func splitTabs(l string) []string { return bytesSplit(l, '\t') }

func bytesSplit(s string, sep byte) []string {
	var out []string
	for {
		i := bytes.IndexByte([]byte(s), sep)
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}

// Rotate turns img clockwise by deg (a multiple of 90).
func Rotate(img *image.Gray, deg int) image.Image {
	deg = ((deg % 360) + 360) % 360
	if deg == 0 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var out *image.Gray
	if deg == 180 {
		out = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		out = image.NewGray(image.Rect(0, 0, h, w))
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := img.Pix[y*img.Stride+x]
			switch deg {
			case 90:
				out.Pix[x*out.Stride+(h-1-y)] = v
			case 180:
				out.Pix[(h-1-y)*out.Stride+(w-1-x)] = v
			case 270:
				out.Pix[(w-1-x)*out.Stride+y] = v
			}
		}
	}
	return out
}

// PNG encodes img as PNG.
func PNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// JPEG encodes img as JPEG at quality q (1..100).
func JPEG(img image.Image, q int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Tint turns a grey image into a colour one (a photo), so decoders and
// grayscale conversion are exercised.
func Tint(img image.Image, tint color.RGBA) image.Image {
	b := img.Bounds()
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
			out.SetRGBA(x, y, color.RGBA{
				R: uint8(int(g) * int(tint.R) / 255), G: uint8(int(g) * int(tint.G) / 255),
				B: uint8(int(g) * int(tint.B) / 255), A: 255,
			})
		}
	}
	return out
}
