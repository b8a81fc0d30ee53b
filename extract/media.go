package extract

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// Media validation: a body counts as a picture, a sound or a video only when
// its container really parses, not because of its first bytes. A CSV that
// starts with "RIFF", "GIF89a", "ID3", "OggS", "fLaC" or the PNG signature
// is a CSV. Each check reads only the head of the body (mediaHead bytes):
// the structures it walks must be consistent as far as the head reaches.

// mediaHead is how many leading bytes container validation looks at.
const mediaHead = 64 << 10

// mediaCheck reports whether h (the head of a body of size bytes) is a real
// container of the kind its magic bytes claim, and its name ("png",
// "wav"...).
func mediaCheck(h []byte, size int64) (name string, ok bool) {
	has := func(p string) bool { return bytes.HasPrefix(h, []byte(p)) }
	switch {
	case has("\x89PNG\r\n\x1a\n"):
		return "png", validPNG(h)
	case has("\xff\xd8\xff"):
		return "jpeg", validJPEG(h, size)
	case has("GIF87a"), has("GIF89a"):
		return "gif", validGIF(h)
	case has("BM"):
		return "bmp", validBMP(h, size)
	case has("II*\x00"), has("MM\x00*"):
		return "tiff", validTIFF(h, size)
	case has("\x00\x00\x01\x00"):
		return "ico", validICO(h, size)
	case has("RIFF"):
		return riffCheck(h, size)
	case has("OggS"):
		return "ogg", validOgg(h)
	case has("fLaC"):
		return "flac", validFLAC(h)
	case has("ID3"):
		return "mp3", validID3(h, size)
	case has("\x1a\x45\xdf\xa3"):
		return "matroska", validEBML(h)
	case len(h) >= 12 && string(h[4:8]) == "ftyp":
		return "iso-bmff", validBMFF(h, size)
	case has("#!AMR"):
		return "amr", len(h) > 6 && (h[5] == '\n' || has("#!AMR-WB\n")) && !mostlyText(h[6:])
	case has("FLV\x01"):
		return "flv", len(h) >= 9 && binary.BigEndian.Uint32(h[5:9]) == 9 && !mostlyText(h[9:])
	case has("\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
		return "asf", len(h) >= 30 && binary.LittleEndian.Uint64(h[16:24]) >= 30 && binary.LittleEndian.Uint64(h[16:24]) <= uint64(size)
	case len(h) >= 2 && h[0] == 0xff && h[1]&0xe0 == 0xe0:
		return "mp3", validMPEGFrames(h, 0, size)
	}
	return "", false
}

// mostlyText is true when at least 90% of b is printable text (ASCII,
// whitespace or valid multibyte UTF-8): compressed pixels and samples never
// are, a CSV behind a fake header always is.
func mostlyText(b []byte) bool {
	if len(b) < 16 {
		return false
	}
	text := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t' {
				text++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError {
			text += n
		}
		i += n
	}
	return text*10 >= len(b)*9
}

// riffCheck: the RIFF size matches the body, the form type is one RIFF
// media uses, and the first chunk fits.
func riffCheck(h []byte, size int64) (string, bool) {
	if len(h) < 20 {
		return "riff", false
	}
	form := string(h[8:12])
	name := map[string]string{"WAVE": "wav", "AVI ": "avi", "WEBP": "webp", "RMID": "midi", "CDXA": "cd-xa", "ACON": "ani"}[form]
	if name == "" {
		return "riff", false
	}
	n := int64(binary.LittleEndian.Uint32(h[4:]))
	if n+8 < size-1 || n+8 > size+1 {
		// A truncated file is shorter than it says; longer is never right.
		if n+8 < size-1 {
			return name, false
		}
	}
	id := h[12:16]
	for _, c := range id {
		if c < 0x20 || c > 0x7e {
			return name, false
		}
	}
	first := int64(binary.LittleEndian.Uint32(h[16:]))
	if 20+first > size+1 {
		return name, false
	}
	return name, !mostlyText(h[20:])
}

// validOgg checks the first page: version 0, its segment table, and the
// page CRC.
func validOgg(h []byte) bool {
	if len(h) < 27 || h[4] != 0 {
		return false
	}
	segs := int(h[26])
	if 27+segs > len(h) {
		return false
	}
	body := 0
	for _, s := range h[27 : 27+segs] {
		body += int(s)
	}
	end := 27 + segs + body
	if end > len(h) {
		return false
	}
	page := append([]byte(nil), h[:end]...)
	want := binary.LittleEndian.Uint32(page[22:])
	page[22], page[23], page[24], page[25] = 0, 0, 0, 0
	return oggCRC(page) == want
}

var oggTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for j := 0; j < 8; j++ {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

func oggCRC(b []byte) uint32 {
	var c uint32
	for _, x := range b {
		c = c<<8 ^ oggTable[byte(c>>24)^x]
	}
	return c
}

// validFLAC: the first metadata block is a 34-byte STREAMINFO; the blocks
// chain within the head.
func validFLAC(h []byte) bool {
	pos := 4
	for i := 0; pos+4 <= len(h); i++ {
		typ, n := h[pos]&0x7f, int(h[pos+1])<<16|int(h[pos+2])<<8|int(h[pos+3])
		if i == 0 && (typ != 0 || n != 34) || typ > 6 && typ != 127 {
			return false
		}
		if i == 0 && pos+4+n <= len(h) {
			rate := int(h[pos+4+10])<<12 | int(h[pos+4+11])<<4 | int(h[pos+4+12])>>4
			if rate == 0 || rate > 655350 {
				return false
			}
		}
		last := h[pos]&0x80 != 0
		pos += 4 + n
		if last {
			return pos > len(h) || pos+2 <= len(h) && h[pos] == 0xff && h[pos+1]&0xfc == 0xf8 || pos == len(h)
		}
	}
	return true
}

// validID3: a well-formed ID3v2 header (sync-safe size), then MPEG audio
// frames (or the end of the body).
func validID3(h []byte, size int64) bool {
	if len(h) < 10 || h[3] < 2 || h[3] > 4 || h[4] == 0xff {
		return false
	}
	n := 0
	for _, c := range h[6:10] {
		if c >= 0x80 {
			return false
		}
		n = n<<7 | int(c)
	}
	end := 10 + n
	if h[5]&0x10 != 0 {
		end += 10 // footer
	}
	if int64(end) > size {
		return false
	}
	if int64(end) == size {
		return true // a tag with no audio
	}
	if end >= len(h) {
		return !mostlyText(h[10:])
	}
	// Padding may precede the first frame.
	for end < len(h) && h[end] == 0 {
		end++
	}
	return validMPEGFrames(h, end, size)
}

// validMPEGFrames checks that two consecutive MPEG audio frame headers
// start at pos (or one that ends the body, or runs past the head).
func validMPEGFrames(h []byte, pos int, size int64) bool {
	for i := 0; i < 2; i++ {
		if int64(pos) == size && i > 0 {
			return true
		}
		if int64(pos) > size {
			return false
		}
		if pos+4 > len(h) {
			return i > 0 && int64(len(h)) < size
		}
		n := mpegFrameLen(h[pos:])
		if n <= 0 {
			return false
		}
		pos += n
	}
	return true
}

func mpegFrameLen(b []byte) int {
	if b[0] != 0xff || b[1]&0xe0 != 0xe0 {
		return 0
	}
	ver, layer := b[1]>>3&3, b[1]>>1&3
	br, sr, pad := b[2]>>4, b[2]>>2&3, int(b[2]>>1&1)
	if ver == 1 || layer == 0 || br == 0 || br == 15 || sr == 3 {
		return 0
	}
	rates := [4][3]int{{11025, 12000, 8000}, {}, {22050, 24000, 16000}, {44100, 48000, 32000}}
	rate := rates[ver][sr]
	// Bitrates (kbit/s) for MPEG-1 layer I/II/III and MPEG-2/2.5.
	tab := map[[2]byte][]int{
		{3, 3}: {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
		{3, 2}: {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
		{3, 1}: {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
		{0, 3}: {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
		{0, 2}: {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
	}
	v := ver
	if v == 2 {
		v = 0
	}
	l := layer
	if v == 0 && l == 1 {
		l = 2
	}
	kbps := tab[[2]byte{v, l}][br]
	switch {
	case layer == 3: // layer I
		return (12*kbps*1000/rate + pad) * 4
	case ver == 3 || layer == 2:
		return 144*kbps*1000/rate + pad
	default: // MPEG-2/2.5 layer III
		return 72*kbps*1000/rate + pad
	}
}

// validEBML: the EBML header element has a sane size and names a DocType
// of Matroska or WebM.
func validEBML(h []byte) bool {
	if len(h) < 5 {
		return false
	}
	n, w := ebmlVint(h[4:])
	if w == 0 || n < 4 || n > 256 || 4+w+int(n) > len(h) {
		return false
	}
	hdr := h[4+w : 4+w+int(n)]
	return bytes.Contains(hdr, []byte("matroska")) || bytes.Contains(hdr, []byte("webm"))
}

func ebmlVint(b []byte) (uint64, int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	w := 1
	for m := byte(0x80); b[0]&m == 0; m >>= 1 {
		w++
	}
	if w > len(b) {
		return 0, 0
	}
	v := uint64(b[0] & (0xff >> w))
	for _, c := range b[1:w] {
		v = v<<8 | uint64(c)
	}
	return v, w
}

// validBMFF walks the top-level boxes: each has a sane size and a
// printable type, starting with ftyp.
func validBMFF(h []byte, size int64) bool {
	pos, boxes := int64(0), 0
	for pos+8 <= int64(len(h)) && pos < size {
		n := int64(binary.BigEndian.Uint32(h[pos:]))
		for _, c := range h[pos+4 : pos+8] {
			if c < 0x20 || c > 0x7e {
				return false
			}
		}
		switch {
		case n == 1 && pos+16 <= int64(len(h)):
			n = int64(binary.BigEndian.Uint64(h[pos+8:]))
		case n == 0:
			return boxes > 0 // to the end of the file
		}
		if n < 8 || pos+n > size {
			return false
		}
		if boxes == 0 && n > 4096 {
			return false // ftyp is small
		}
		boxes++
		pos += n
	}
	return boxes > 0
}
