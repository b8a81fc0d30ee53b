package extract

import (
	"encoding/binary"
	"hash/crc32"
)

// Image container checks (see mediaCheck): does the PNG, JPEG, GIF, BMP,
// TIFF or ICO really parse as far as the head of the body reaches.

// validPNG walks the chunks in h: IHDR first with a correct CRC, every
// chunk's type made of letters and its CRC right, until IEND or the end of
// the head.
func validPNG(h []byte) bool {
	pos, chunks := 8, 0
	for pos+12 <= len(h) {
		n := int(binary.BigEndian.Uint32(h[pos:]))
		typ := h[pos+4 : pos+8]
		for _, c := range typ {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
		if chunks == 0 && (string(typ) != "IHDR" || n != 13) {
			return false
		}
		if n < 0 || n > 1<<30 {
			return false
		}
		if pos+12+n > len(h) {
			// A chunk running past the head: its CRC cannot be checked.
			// IDAT data is never text.
			return chunks > 0 && !mostlyText(h[pos+8:])
		}
		if crc32.ChecksumIEEE(h[pos+4:pos+8+n]) != binary.BigEndian.Uint32(h[pos+8+n:]) {
			return false
		}
		chunks++
		if string(typ) == "IEND" {
			return true
		}
		pos += 12 + n
	}
	return chunks > 0
}

// validJPEG walks the marker segments up to the start of scan.
func validJPEG(h []byte, size int64) bool {
	pos, segs := 2, 0
	for pos+4 <= len(h) {
		if h[pos] != 0xff {
			return false
		}
		m := h[pos+1]
		if m == 0xff { // fill byte
			pos++
			continue
		}
		if m == 0xd8 || m == 0x01 || m >= 0xd0 && m <= 0xd7 {
			pos += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(h[pos+2:]))
		if n < 2 {
			return false
		}
		// Only markers JPEG defines: SOFn, DHT, DAC, SOS, DQT, DNL, DRI, EXP, APPn, JPGn, COM.
		if !(m >= 0xc0 && m <= 0xcf || m >= 0xda && m <= 0xdf || m >= 0xe0 && m <= 0xef || m == 0xfe || m >= 0xf0 && m <= 0xfd) {
			return false
		}
		if int64(pos+2+n) > size {
			return false
		}
		segs++
		if m == 0xda { // start of scan: entropy-coded data follows
			rest := h[min(pos+2+n, len(h)):]
			return !mostlyText(rest)
		}
		pos += 2 + n
	}
	return segs > 0 && pos >= len(h)
}

// validGIF checks the logical screen and walks blocks (extensions, images
// with their sub-blocks) to the trailer or the end of the head.
func validGIF(h []byte) bool {
	if len(h) < 13 {
		return false
	}
	pos := 13
	if h[10]&0x80 != 0 {
		pos += 3 << (h[10]&7 + 1)
	}
	subBlocks := func() bool {
		for pos < len(h) {
			n := int(h[pos])
			pos++
			if n == 0 {
				return true
			}
			pos += n
		}
		return true // ran to the end of the head
	}
	images := 0
	for pos < len(h) {
		switch h[pos] {
		case 0x21: // extension
			if pos+2 > len(h) {
				return true
			}
			pos += 2
			subBlocks()
		case 0x2c: // image
			if pos+10 > len(h) {
				return true
			}
			flags := h[pos+9]
			pos += 10
			if flags&0x80 != 0 {
				pos += 3 << (flags&7 + 1)
			}
			if pos < len(h) && (h[pos] < 2 || h[pos] > 12) {
				return false // LZW minimum code size
			}
			pos++
			images++
			subBlocks()
		case 0x3b:
			return images > 0
		default:
			return false
		}
	}
	return true
}

func validBMP(h []byte, size int64) bool {
	if len(h) < 26 {
		return false
	}
	fileSize := int64(binary.LittleEndian.Uint32(h[2:]))
	off := int64(binary.LittleEndian.Uint32(h[10:]))
	dib := binary.LittleEndian.Uint32(h[14:])
	switch dib {
	case 12, 40, 52, 56, 64, 108, 124:
	default:
		return false
	}
	return fileSize >= size-4 && fileSize <= size+4 && off >= 14+int64(dib) && off <= size
}

func validTIFF(h []byte, size int64) bool {
	if len(h) < 8 {
		return false
	}
	bo := binary.ByteOrder(binary.LittleEndian)
	if h[0] == 'M' {
		bo = binary.BigEndian
	}
	ifd := int64(bo.Uint32(h[4:]))
	if ifd < 8 || ifd+2 > size {
		return false
	}
	if ifd+2 <= int64(len(h)) {
		n := int(bo.Uint16(h[ifd:]))
		if n == 0 || n > 1000 {
			return false
		}
		for i := 0; i < n && ifd+2+int64(i+1)*12 <= int64(len(h)); i++ {
			e := h[ifd+2+int64(i)*12:]
			if t := bo.Uint16(e[2:]); t == 0 || t > 18 {
				return false
			}
		}
	}
	return true
}

func validICO(h []byte, size int64) bool {
	if len(h) < 22 {
		return false
	}
	n := int(binary.LittleEndian.Uint16(h[4:]))
	if n == 0 || n > 256 || 6+16*n > len(h) {
		return false
	}
	for i := 0; i < n; i++ {
		e := h[6+16*i:]
		sz := int64(binary.LittleEndian.Uint32(e[8:]))
		off := int64(binary.LittleEndian.Uint32(e[12:]))
		if sz == 0 || off < int64(6+16*n) || off+sz > size {
			return false
		}
	}
	return true
}
