package extract

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
)

// mediaRunMin is the shortest printable run read out of a real picture,
// sound or video (metadata, comments, text appended after the data): long
// enough that compressed samples rarely form one.
const mediaRunMin = 8

// binaryRunMin is the shortest printable run read out of a binary of
// unknown format, as `strings` does.
const binaryRunMin = 4

// mediaNode handles a body whose magic bytes name a picture, a sound or a
// video. It reports false when the container does not really parse or the
// bytes are mostly text: the caller then reads the body as text. A real
// image goes to imageNode; a real sound or video is reported unsupported.
// Either way its printable runs are read.
func (w *walker) mediaNode(n node, kind format) bool {
	h := w.head(n.body, mediaHead)
	name, ok := mediaCheck(h, n.body.size)
	if !ok || mostlyText(h[min(len(h), 16):]) {
		return false
	}
	w.mediaStrings(n)
	w.appendedZip(n)
	if name == "png" {
		w.pngText(n)
	}
	if kind == kindImage {
		w.imageNode(n, name)
		return true
	}
	w.problem(n.origin, Unsupported, "audio or video ("+name+"): no text layer to inspect; only its printable strings were read")
	return true
}

// imageNode (image.go) is the hook for a body that really is a picture
// (its container parsed): the place OCR reads it.

// mediaStrings emits the printable runs of a real media body.
func (w *walker) mediaStrings(n node) {
	text := printableRuns(io.NewSectionReader(n.body.r, 0, n.body.size), mediaRunMin, w.room(), w.expired)
	w.emitValid(leaf(n.origin), text)
}

// binaryNode reads a body of unknown format (not text in any charset, not
// a format dlpgate knows): its printable UTF-8 and UTF-16 runs are read,
// and the rest is reported unreadable so the policy decides.
func (w *walker) binaryNode(n node, data []byte, what string) {
	text := printableRuns(bytesReaderAt(data).reader(), binaryRunMin, w.room(), w.expired)
	w.emitValid(leaf(n.origin), text)
	w.problem(n.origin, Unreadable, what+": only its printable text was read")
}

func (b bytesReaderAt) reader() io.Reader { return io.NewSectionReader(b, 0, int64(len(b))) }

// appendedZip reads a ZIP appended to a picture or sound (a polyglot: the
// file opens as an image and as an archive). Only an archive whose end
// record is found and whose directory reads is opened, so a stray "PK" in
// pixel data is never reported as a damaged archive.
func (w *walker) appendedZip(n node) {
	const tailLen = 64<<10 + 22
	off := max(n.body.size-tailLen, 0)
	tail := make([]byte, n.body.size-off)
	k, _ := n.body.r.ReadAt(tail, off)
	if !bytes.Contains(tail[:k], []byte("PK\x05\x06")) {
		return
	}
	if _, err := zip.NewReader(n.body.r, n.body.size); err != nil {
		return
	}
	w.guard(n.origin, "zip", func() { w.zipNode(n) })
}

// pngText reads the compressed text chunks of a real PNG (zTXt, and iTXt
// with its compression flag set), which printable runs cannot see: a list
// deflated into the picture's metadata is still read. Chunks are walked
// through the whole body; each inflates within the size limits.
func (w *walker) pngText(n node) {
	var hdr [8]byte
	pos := int64(8)
	for chunks := 0; pos+12 <= n.body.size && chunks < 100000; chunks++ {
		if w.tick() {
			return
		}
		if k, _ := n.body.r.ReadAt(hdr[:], pos); k < 8 {
			return
		}
		size := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:8])
		if typ == "IEND" || pos+12+size > n.body.size {
			return
		}
		if (typ == "zTXt" || typ == "iTXt") && size <= w.lim.MaxDecompressed {
			data := make([]byte, size)
			if k, _ := n.body.r.ReadAt(data, pos+8); int64(k) == size {
				w.pngTextChunk(n, typ, data)
			}
		}
		pos += 12 + size
	}
}

func (w *walker) pngTextChunk(n node, typ string, data []byte) {
	key, rest, ok := bytes.Cut(data, []byte{0})
	if !ok || len(rest) < 1 {
		return
	}
	if typ == "iTXt" {
		// compression flag, method, language tag\0, translated keyword\0
		if len(rest) < 2 || rest[0] != 1 {
			return // uncompressed iTXt is plain UTF-8: printable runs read it
		}
		flagged := rest[2:]
		if _, after, ok := bytes.Cut(flagged, []byte{0}); ok {
			if _, text, ok := bytes.Cut(after, []byte{0}); ok {
				rest = append([]byte{0}, text...)
			} else {
				return
			}
		} else {
			return
		}
	}
	if rest[0] != 0 { // compression method 0: zlib
		return
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest[1:]))
	if err != nil {
		return
	}
	origin := child(containerBase(n, "png"), "png", typ+":"+sanitizeName(string(key)))
	out, why, err := w.readBounded(zr, int64(len(rest)))
	switch {
	case errors.Is(err, errStop):
		return
	case errors.Is(err, errTooBig):
		w.limit(origin, why+"; only the first part was inspected")
	}
	w.node(node{origin: origin, body: memBlob(out), depth: n.depth + 1})
}
