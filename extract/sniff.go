package extract

import (
	"bytes"
	"regexp"
	"strings"
)

// format is what the leading bytes say a body is.
type format int

const (
	kindText format = iota
	kindZip
	kindPDF
	kindGzip
	kindZstd
	kindBzip2
	kindOLE
	kindRTF
	kindImage
	kindAudioVideo
	kindOtherArchive
	kindExecutable
	kindTar
	kindMail
	kindXz
	kindLzma
	kind7z
	kindRar
)

func (k format) reason() string {
	switch k {
	case kindImage:
		return "image: no text layer to inspect"
	case kindAudioVideo:
		return "audio or video: no text layer to inspect"
	case kindOtherArchive:
		return "archive format not supported (cab)"
	case kindExecutable:
		return "executable or unknown binary: not inspected"
	}
	return "not inspectable"
}

// sniff classifies by magic bytes only; text flavours are decided later.
func sniff(h []byte, size int64) format {
	has := func(p string) bool { return bytes.HasPrefix(h, []byte(p)) }
	switch {
	case has("PK\x03\x04"), has("PK\x05\x06"), has("PK\x07\x08"):
		return kindZip
	case has("\x1f\x8b"):
		return kindGzip
	case has("\x28\xb5\x2f\xfd"):
		return kindZstd
	case has("BZh") && len(h) > 3 && h[3] >= '1' && h[3] <= '9':
		return kindBzip2
	case has("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
		return kindOLE
	case has("{\\rtf"):
		return kindRTF
	case has("\x89PNG\r\n\x1a\n"), has("\xff\xd8\xff"), has("GIF87a"), has("GIF89a"),
		has("BM") && len(h) > 14 && h[6] == 0 && h[7] == 0 && h[8] == 0 && h[9] == 0,
		has("II*\x00"), has("MM\x00*"), has("\x00\x00\x01\x00"),
		has("RIFF") && len(h) >= 12 && string(h[8:12]) == "WEBP":
		return kindImage
	case has("RIFF"), has("OggS"), has("fLaC"), has("ID3"), has("\x1a\x45\xdf\xa3"),
		has("#!AMR"), has("FLV\x01"), has("\x30\x26\xb2\x75\x8e\x66\xcf\x11"),
		len(h) >= 2 && h[0] == 0xff && h[1]&0xe0 == 0xe0 && h[1] != 0xff && !likelyText(h):
		return kindAudioVideo
	case len(h) >= 12 && string(h[4:8]) == "ftyp":
		// ISO BMFF: HEIC/AVIF images and MP4/MOV video alike.
		brand := string(h[8:12])
		if strings.HasPrefix(brand, "hei") || strings.HasPrefix(brand, "mif") || strings.HasPrefix(brand, "avi") || brand == "msf1" {
			return kindImage
		}
		return kindAudioVideo
	case has("7z\xbc\xaf\x27\x1c"):
		return kind7z
	case has("Rar!\x1a\x07"):
		return kindRar
	case has("\xfd7zXZ\x00"):
		return kindXz
	case has("MSCF"):
		return kindOtherArchive
	case lzmaAlone(h, size):
		return kindLzma
	case has("\x7fELF"), has("\xca\xfe\xba\xbe"), has("\xcf\xfa\xed\xfe"), has("\xce\xfa\xed\xfe"), has("\x00asm"):
		return kindExecutable
	case has("MZ") && len(h) >= 64 && isBinary(h):
		return kindExecutable
	case pdfHeader(h) >= 0:
		return kindPDF
	case len(h) >= 263 && string(h[257:262]) == "ustar":
		return kindTar
	case looksMail(h):
		return kindMail
	}
	return kindText
}

// pdfHeader finds "%PDF-" within the first KiB (readers allow junk before it).
func pdfHeader(h []byte) int {
	if len(h) > 1024 {
		h = h[:1024]
	}
	return bytes.Index(h, []byte("%PDF-"))
}

// likelyText is true when h decodes as some text (used to keep text
// starting with 0xFF bytes out of the MP3 frame-sync test).
func likelyText(h []byte) bool {
	return !isBinary(h) && len(h) > 0 && (h[0] != 0xff || len(h) > 1 && h[1] == 0xfe)
}

// isBinary decides "binary" by the share of control bytes. UTF-16 text (many
// NULs in an alternating pattern) is not binary.
func isBinary(h []byte) bool {
	if len(h) > sniffLen {
		h = h[:sniffLen]
	}
	if len(h) == 0 {
		return false
	}
	if utf16Order(h) != 0 {
		return false
	}
	ctl := 0
	for _, c := range h {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b || c == 0x7f {
			ctl++
		}
	}
	return ctl*100 > len(h)*5 // more than 5% control bytes
}

var mailHeader = regexp.MustCompile(`(?im)^(mime-version|content-type|from|to|subject|date|message-id|received|return-path):[ \t]`)

// looksMail recognises an RFC 5322 message (.eml): it starts with header
// lines and declares MIME or has at least three well-known headers.
func looksMail(h []byte) bool {
	end := bytes.Index(h, []byte("\r\n\r\n"))
	if e := bytes.Index(h, []byte("\n\n")); e >= 0 && (end < 0 || e < end) {
		end = e
	}
	if end <= 0 {
		return false
	}
	head := h[:end]
	first := head
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if !mailHeader.Match(first) && !bytes.HasPrefix(first, []byte("From ")) {
		return false
	}
	n := len(mailHeader.FindAllIndex(head, 8))
	return n >= 3 || n >= 1 && bytes.Contains(bytes.ToLower(head), []byte("mime-version:"))
}

func looksMultipart(h []byte, boundary string) bool {
	return bytes.Contains(h, []byte("--"+boundary))
}

var htmlStart = regexp.MustCompile(`(?i)^(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|div|p|table|span|br|h[1-6]|ul|a)[\s>/]`)

func looksHTML(text, mt string) bool {
	if mt == "text/html" || mt == "application/xhtml+xml" {
		return strings.HasPrefix(text, "<")
	}
	t := text
	if len(t) > 2048 {
		t = t[:2048]
	}
	if strings.HasPrefix(t, "<?xml") {
		return strings.Contains(strings.ToLower(t), "<html")
	}
	return htmlStart.MatchString(t)
}

func looksXML(text string) bool {
	if strings.HasPrefix(text, "<?xml") {
		return true
	}
	if !strings.HasPrefix(text, "<") || len(text) < 3 {
		return false
	}
	c := text[1]
	return (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') && strings.Contains(text, "</")
}
