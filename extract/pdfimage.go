package extract

import (
	"bytes"
	"image"
	"slices"
	"strconv"

	"golang.org/x/image/ccitt"
)

// pdfImages reads the image XObjects of a page with OCR, one segment per
// image: "pdf:page3/image1". Every page is read, not only those without a
// text layer: a page number must not hide a pasted screenshot. An image
// drawn on many pages (a logo) is read once per document; images drawn
// through form XObjects are found too. JPEG (DCTDecode) goes to the reader
// as it is; Flate/LZW/RunLength pixels (gray, RGB, CMYK, 1 to 8 bits) and
// CCITT fax images are decoded here.
func (d *pdfDoc) pdfImages(origin string, p pageInfo) {
	if d.images == nil {
		d.images = map[*pStream]bool{}
	}
	seen := d.images
	count := 0
	var walk func(res pDict, depth int)
	walk = func(res pDict, depth int) {
		if depth > 8 || res == nil {
			return
		}
		xobjs := d.dict(res["XObject"])
		names := make([]string, 0, len(xobjs))
		for k := range xobjs {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			if d.w.expired() {
				return
			}
			s, ok := d.resolve(xobjs[k]).(*pStream)
			if !ok || seen[s] {
				if ok && s.dict["Subtype"] == pName("Image") {
					count++ // numbered as drawn, read the first time only
				}
				continue
			}
			seen[s] = true
			switch s.dict["Subtype"] {
			case pName("Form"):
				walk(d.dict(s.dict["Resources"]), depth+1)
			case pName("Image"):
				count++
				at := origin + "/image" + strconv.Itoa(count)
				img, why := d.image(s)
				if why != "" {
					d.w.problem(at, OCR, why)
					continue
				}
				d.w.ocr(at, img)
			}
		}
	}
	walk(p.resources, 0)
	d.inlineImages(origin, count)
}

// maxPDFImagePixels bounds the pixels decoded from one PDF image (the OCR
// engine has its own, usually lower, max_pixels): a 1-bit image of a few
// MB can declare billions of pixels.
const maxPDFImagePixels = 64 << 20

// image turns an image XObject into something the reader takes, or says
// why it cannot.
func (d *pdfDoc) image(s *pStream) (Image, string) {
	var filters []pName
	switch f := d.resolve(s.dict["Filter"]).(type) {
	case pName:
		filters = []pName{f}
	case pArray:
		for _, x := range f {
			if n, ok := d.resolve(x).(pName); ok {
				filters = append(filters, n)
			}
		}
	}
	w, _ := d.resolve(s.dict["Width"]).(float64)
	h, _ := d.resolve(s.dict["Height"]).(float64)
	if w <= 0 || h <= 0 || w > 1<<16 || h > 1<<16 {
		return Image{}, "PDF image without a usable /Width and /Height"
	}
	if w*h > maxPDFImagePixels {
		return Image{}, "PDF image larger than " + strconv.Itoa(maxPDFImagePixels) + " pixels not read"
	}
	last := pName("")
	if len(filters) > 0 {
		last = filters[len(filters)-1]
	}
	switch last {
	case "DCTDecode", "DCT":
		if len(filters) > 1 {
			return Image{}, "PDF image with filters before DCTDecode not supported"
		}
		return Image{Encoded: s.raw}, ""
	case "CCITTFaxDecode", "CCF":
		if len(filters) > 1 {
			return Image{}, "PDF image with filters before CCITTFaxDecode not supported"
		}
		return d.fax(s, int(w), int(h))
	case "JPXDecode", "JBIG2Decode":
		return Image{}, "PDF image codec " + string(last) + " not supported by OCR"
	}
	data := s.raw
	if len(filters) > 0 {
		data = d.decodeStream(s)
		if data == nil {
			return Image{}, "PDF image stream does not decode"
		}
	}
	return d.rawImage(s, data, int(w), int(h))
}

// components is the number of colour channels of a colour space.
func (d *pdfDoc) components(cs any) int {
	switch c := d.resolve(cs).(type) {
	case pName:
		switch c {
		case "DeviceGray", "G", "CalGray":
			return 1
		case "DeviceRGB", "RGB", "CalRGB", "Lab":
			return 3
		case "DeviceCMYK", "CMYK":
			return 4
		}
	case pArray:
		if len(c) >= 2 {
			switch d.resolve(c[0]) {
			case pName("ICCBased"):
				if st, ok := d.resolve(c[1]).(*pStream); ok {
					if n, ok := d.resolve(st.dict["N"]).(float64); ok {
						return int(n)
					}
				}
			case pName("CalGray"):
				return 1
			case pName("CalRGB"), pName("Lab"):
				return 3
			case pName("Indexed"), pName("I"):
				return -1
			}
		}
	}
	return 0
}

// rawImage builds a gray image from uncompressed samples.
func (d *pdfDoc) rawImage(s *pStream, data []byte, w, h int) (Image, string) {
	bpc := 8
	if b, ok := d.resolve(s.dict["BitsPerComponent"]).(float64); ok {
		bpc = int(b)
	}
	mask, _ := d.resolve(s.dict["ImageMask"]).(bool)
	comps := 1
	if mask {
		bpc = 1
	} else {
		comps = d.components(s.dict["ColorSpace"])
	}
	if comps == -1 {
		return d.indexed(s, data, w, h, bpc)
	}
	if comps <= 0 || bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16 {
		return Image{}, "PDF image colour space or bit depth not supported"
	}
	invert := mask // a stencil paints its 0 bits
	if dec, ok := d.resolve(s.dict["Decode"]).(pArray); ok && len(dec) >= 2 {
		a, _ := d.resolve(dec[0]).(float64)
		b, _ := d.resolve(dec[1]).(float64)
		if a > b {
			invert = !invert
		}
	}
	stride := (w*comps*bpc + 7) / 8
	if len(data) < stride*h {
		h = len(data) / stride // a short stream: the rows it has
		if h == 0 {
			return Image{}, "PDF image stream is shorter than its size"
		}
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	maxv := 1<<min(bpc, 8) - 1 // 16-bit samples are read by their high byte
	for y := 0; y < h; y++ {
		row := data[y*stride : (y+1)*stride]
		for x := 0; x < w; x++ {
			var lum int
			if comps == 1 || comps == 3 || comps == 4 {
				var c [4]int
				for k := 0; k < comps; k++ {
					c[k] = sample(row, x*comps+k, bpc) * 255 / maxv
				}
				switch comps {
				case 1:
					lum = c[0]
				case 3:
					lum = (299*c[0] + 587*c[1] + 114*c[2]) / 1000
				case 4:
					lum = 255 - min(255, (299*c[0]+587*c[1]+114*c[2])/1000+c[3])
				}
			} else {
				lum = sample(row, x*comps, bpc) * 255 / maxv
			}
			if invert {
				lum = 255 - lum
			}
			g.Pix[y*w+x] = uint8(lum)
		}
	}
	return Image{Pixels: g}, ""
}

// indexed maps palette indices through the lookup table's luminance.
func (d *pdfDoc) indexed(s *pStream, data []byte, w, h, bpc int) (Image, string) {
	cs, _ := d.resolve(s.dict["ColorSpace"]).(pArray)
	if len(cs) < 4 || bpc > 8 {
		return Image{}, "PDF indexed image not supported"
	}
	base := d.components(cs[1])
	var lut []byte
	switch t := d.resolve(cs[3]).(type) {
	case pStr:
		lut = t
	case *pStream:
		lut = d.decodeStream(t)
	}
	if base <= 0 || len(lut) < base {
		return Image{}, "PDF indexed image not supported"
	}
	stride := (w*bpc + 7) / 8
	if len(data) < stride*h {
		h = len(data) / stride
		if h == 0 {
			return Image{}, "PDF image stream is shorter than its size"
		}
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		row := data[y*stride : (y+1)*stride]
		for x := 0; x < w; x++ {
			i := sample(row, x, bpc) * base
			if i+base > len(lut) {
				continue
			}
			var lum int
			switch base {
			case 1:
				lum = int(lut[i])
			case 3:
				lum = (299*int(lut[i]) + 587*int(lut[i+1]) + 114*int(lut[i+2])) / 1000
			default:
				lum = 255 - min(255, (299*int(lut[i])+587*int(lut[i+1])+114*int(lut[i+2]))/1000+int(lut[i+3]))
			}
			g.Pix[y*w+x] = uint8(lum)
		}
	}
	return Image{Pixels: g}, ""
}

// sample reads the i-th bpc-bit sample of a row (16-bit: its high byte).
func sample(row []byte, i, bpc int) int {
	switch bpc {
	case 8:
		return int(row[i])
	case 16:
		return int(row[2*i])
	}
	bit := i * bpc
	b := row[bit/8]
	shift := 8 - bpc - bit%8
	return int(b>>shift) & (1<<bpc - 1)
}

// fax decodes a CCITT Group 3 or 4 image.
func (d *pdfDoc) fax(s *pStream, w, h int) (Image, string) {
	p := d.dict(s.dict["DecodeParms"])
	if arr, ok := d.resolve(s.dict["DecodeParms"]).(pArray); ok && len(arr) > 0 {
		p = d.dict(arr[0])
	}
	k, _ := d.resolve(p["K"]).(float64)
	if cols, ok := d.resolve(p["Columns"]).(float64); ok && cols > 0 {
		w = int(cols)
	}
	if rows, ok := d.resolve(p["Rows"]).(float64); ok && rows > 0 {
		h = int(rows)
	}
	if w > 1<<16 || h > 1<<16 || w*h > maxPDFImagePixels {
		return Image{}, "CCITT image larger than " + strconv.Itoa(maxPDFImagePixels) + " pixels not read"
	}
	black1, _ := d.resolve(p["BlackIs1"]).(bool)
	align, _ := d.resolve(p["EncodedByteAlign"]).(bool)
	sf := ccitt.Group4
	if k >= 0 {
		if k > 0 {
			return Image{}, "CCITT Group 3 2-D (K>0) images not supported by OCR"
		}
		sf = ccitt.Group3
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	err := ccitt.DecodeIntoGray(g, bytes.NewReader(s.raw), ccitt.MSB, sf, &ccitt.Options{Invert: black1, Align: align})
	if err != nil {
		return Image{}, "CCITT image does not decode"
	}
	return Image{Pixels: g}, ""
}

// inlineKeys expands the abbreviations of inline image dictionaries.
var inlineKeys = map[string]string{
	"BPC": "BitsPerComponent", "CS": "ColorSpace", "D": "Decode", "DP": "DecodeParms",
	"F": "Filter", "H": "Height", "IM": "ImageMask", "W": "Width", "I": "Interpolate",
}

// inlineNames expands abbreviated colour space names of inline images
// (filter abbreviations are understood by decodeStream and image).
var inlineNames = map[pName]pName{"G": "DeviceGray", "RGB": "DeviceRGB", "CMYK": "DeviceCMYK"}

// inlineImages reads the inline images (BI ... ID data EI) of the page
// pageText just read (its decoded content), numbered after its XObject
// images.
func (d *pdfDoc) inlineImages(origin string, count int) {
	content := d.content
	for pos := 0; pos < len(content); {
		if d.w.expired() {
			return
		}
		i := bytes.Index(content[pos:], []byte("BI"))
		if i < 0 {
			return
		}
		at := pos + i
		pos = at + 2
		if at > 0 && !isPDFSpace(content[at-1]) || pos < len(content) && !isPDFSpace(content[pos]) {
			continue // "BI" inside another token
		}
		l := &pdfLexer{b: content, pos: pos}
		dict := pDict{}
		complete := false
		for k := 0; k < 64; k++ {
			tok := l.next()
			if kw, ok := tok.(pKeyword); ok && kw == "ID" {
				complete = true
				break
			}
			key, ok := tok.(pName)
			if !ok {
				break
			}
			v := l.value(l.next(), false, 0)
			if n, ok := v.(pName); ok && inlineNames[n] != "" {
				v = inlineNames[n]
			}
			if long := inlineKeys[string(key)]; long != "" {
				dict[long] = v
			} else {
				dict[string(key)] = v
			}
		}
		if !complete {
			continue
		}
		start := l.pos + 1 // one white-space byte after ID
		end := -1
		for j := start; j+2 <= len(content); j++ {
			if content[j] == 'E' && content[j+1] == 'I' && j > start && isPDFSpace(content[j-1]) && (j+2 == len(content) || isPDFSpace(content[j+2])) {
				end = j - 1
				break
			}
		}
		if start > len(content) || end < start {
			return
		}
		pos = end + 3
		count++
		o := origin + "/image" + strconv.Itoa(count)
		img, why := d.image(&pStream{dict: dict, raw: content[start:end]})
		if why != "" {
			d.w.problem(o, OCR, why)
			continue
		}
		d.w.ocr(o, img)
	}
}
