package extract

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// compoundFile reads a Compound File (cfb.go) by what its streams say it
// is: Word (WordDocument: doc.go), Excel (Workbook or Book: xls.go),
// PowerPoint (PowerPoint Document: ppt.go), an encrypted OOXML package
// (EncryptionInfo). In an Outlook .msg (msg.go) the text properties are
// decoded (in the message's code page), the HTML body is read as HTML,
// the compressed RTF body decompressed and read as RTF, and each
// attachment's data goes back through the walker as a file named by its
// file name, whatever its format. Other streams the readers do not parse
// are read for best-effort strings and reported Unsupported; a stream
// that is itself a file (a ZIP, a PDF, a nested compound file: embedded
// objects) goes back through the walker. Damage to the container is
// reported Malformed with whatever could be read still classified, and
// the bytes no stream's read took are read for best-effort strings.
func (w *walker) compoundFile(n node, data []byte) {
	base := containerBase(n, "ole")
	f, err := parseCFB(data, w.lim.MaxDecompressed)
	if err != nil {
		// No directory to follow: the raw bytes for best-effort strings,
		// as before this reader existed.
		if oleHasStream(data, "EncryptionInfo") || oleHasStream(data, "EncryptedPackage") {
			w.problem(n.origin, Encrypted, "password-protected Office document")
			return
		}
		w.problem(n.origin, Malformed, "compound file header or directory does not parse; only best-effort text was extracted")
		w.bestEffort(n.origin, data)
		return
	}
	defer func() {
		for _, d := range f.damage {
			w.problem(n.origin, Malformed, "compound file damaged ("+d+"); what could be read was inspected")
		}
		if len(f.damage) > 0 && !w.stop {
			// What the damage hid from the chains (a cut directory loses
			// whole streams) may still be in the bytes: those the reads
			// did not take (the streams' text already read would count
			// twice).
			if text := oleStrings(f.unread()); strings.TrimSpace(text) != "" {
				origin := child(base, "ole", "damaged")
				w.problem(origin, Unsupported, "legacy Office (OLE) document: only best-effort text was extracted")
				w.emit(origin, text)
			}
		}
	}()
	if f.find("EncryptionInfo") >= 0 || f.find("EncryptedPackage") >= 0 {
		w.problem(n.origin, Encrypted, "password-protected Office document")
		return
	}
	done := map[int]bool{} // streams a reader consumed
	read := func(name string) ([]byte, bool) {
		i := f.find(name)
		if i < 0 || f.entries[i].typ != 2 {
			return nil, false
		}
		done[i] = true
		return f.stream(i), true
	}
	switch {
	case f.find("WordDocument") >= 0:
		wd, _ := read("WordDocument")
		t0, _ := read("0Table")
		t1, _ := read("1Table")
		read("Data") // pictures and form-field data, no document text
		w.docNode(base, wd, t0, t1)
	case f.find("Workbook") >= 0:
		s, _ := read("Workbook")
		w.xlsNode(base, s, false)
	case f.find("Book") >= 0:
		s, _ := read("Book")
		w.xlsNode(base, s, true)
	case f.find("PowerPoint Document") >= 0:
		s, _ := read("PowerPoint Document")
		read("Current User") // the last editor's name and a pointer
		read("Pictures")     // images, no text
		w.pptNode(base, s)
	}
	w.otherStreams(n, base, f, done)
}

// oleKnownStreams carry no document text (format identifiers, properties
// that oleProperties reads, VBA p-code read as strings elsewhere is not
// attempted): they are neither read for strings nor reported.
var oleKnownStreams = map[string]bool{
	"\x01CompObj": true, "\x01Ole": true, "\x03ObjInfo": true, "\x01CompObjObj": true,
}

// otherStreams reads every stream no format reader consumed: an Outlook
// attachment's data or a stream that is a file is walked as a nested
// node; Outlook text properties are decoded; the rest are read for
// best-effort strings (Unsupported when that found text, unless they are
// a message's own binary streams).
func (w *walker) otherStreams(n node, base string, f *cfbFile, done map[int]bool) {
	count := 0
	unsupported := false
	msg := newMsgLayout(f)
	for i, e := range f.entries {
		if i == 0 || e.typ != 2 || done[i] || oleKnownStreams[e.name] {
			continue
		}
		if w.expired() {
			return
		}
		if count++; count > w.lim.MaxEntries {
			w.limit(n.origin, "compound file has more streams than the entries limit; the rest were not inspected")
			return
		}
		s := f.stream(i)
		origin := child(base, "ole", e.path)
		if e.name == "\x05SummaryInformation" || e.name == "\x05DocumentSummaryInformation" {
			w.emit(origin, oleProperties(s))
			continue
		}
		if name, ok := msg.attachment(i); ok {
			// An attachment's data is a file whatever its format (a CSV
			// as much as a ZIP): walked as one, named by its file name.
			if name != "" {
				origin = child(base, "ole", f.entries[e.parent].path+"/"+cfbPathName(name))
			}
			w.node(node{origin: origin, name: name, body: memBlob(s), depth: n.depth + 1})
			continue
		}
		if msg.rtfBody(i) {
			if rtf, whole, capped, ok := rtfDecompress(s, w.lim.MaxDecompressed); ok {
				switch {
				case capped:
					w.limit(origin, "compressed RTF body larger than the decompressed-size limit; the rest was not inspected")
				case !whole:
					w.problem(origin, Malformed, "compressed RTF body cut short; the text before the cut was inspected")
				}
				w.node(node{origin: origin, name: "body.rtf", body: memBlob(rtf), depth: n.depth + 1})
				continue
			}
		}
		if msg.htmlBody(i) {
			// PR_BODY_HTML as bytes: HTML in the message's code page (or
			// as its meta tag says).
			w.node(node{origin: origin, name: "body.html", ctype: "text/html", body: memBlob(s), depth: n.depth + 1})
			continue
		}
		if oleNested(sniff(w.head(memBlob(s), sniffLen), int64(len(s)))) {
			w.node(node{origin: origin, name: e.name, body: memBlob(s), depth: n.depth + 1})
			continue
		}
		if e.name == "\x01Ole10Native" {
			if inner, ok := ole10Native(s); ok {
				w.node(node{origin: origin, body: memBlob(inner), depth: n.depth + 1})
				continue
			}
		}
		if text, ok := msgProperty(e.name, s, msg.encoding(i)); ok {
			w.emit(origin, text)
			continue
		}
		text := oleStrings(s)
		if strings.TrimSpace(text) != "" {
			// A message's own binary streams (fixed-size properties,
			// named-property mappings) are read for strings too, but are
			// no unknown format.
			unsupported = unsupported || !msg.internal(i)
			w.emit(origin, text)
		}
	}
	if unsupported {
		w.problem(n.origin, Unsupported, "compound file streams of an unknown format: only best-effort text was extracted")
	}
}

// oleNested says a stream that sniffs as k is a file to walk (an embedded
// package, a .msg attachment), not a stream whose bytes merely start alike.
func oleNested(k format) bool {
	switch k {
	case kindZip, kindPDF, kindOLE, kindRTF, kindGzip, kindImage, kind7z, kindRar:
		return true
	}
	return false
}

func utf16LEString(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	for len(u) > 0 && u[len(u)-1] == 0 {
		u = u[:len(u)-1]
	}
	return string(utf16.Decode(u))
}

// ole10Native returns the file an OLE Package object wraps (MS-OLEDS
// 2.3.6 style: total size, then label, file name, command as
// NUL-terminated strings, then the data's size and the data).
func ole10Native(s []byte) ([]byte, bool) {
	if len(s) < 6 {
		return nil, false
	}
	p := 6 // u32 size, u16 flags
	for k := 0; k < 2; k++ {
		i := bytes.IndexByte(s[p:], 0)
		if i < 0 {
			return nil, false
		}
		p += i + 1
	}
	p += 4 // unknown u32
	if p+4 > len(s) {
		return nil, false
	}
	p += 4 // command length
	i := bytes.IndexByte(s[p:], 0)
	if i < 0 {
		return nil, false
	}
	p += i + 1
	if p+4 > len(s) {
		return nil, false
	}
	n := int(binary.LittleEndian.Uint32(s[p:]))
	p += 4
	if n <= 0 || p+n > len(s) {
		return nil, false
	}
	return s[p : p+n], true
}

// oleProperties reads the strings of a property set stream
// (MS-OLEPS: SummaryInformation holds title, subject, author, keywords,
// comments; DocumentSummaryInformation company, manager, custom ones).
// 8-bit strings are in the set's code page (property 1).
func oleProperties(s []byte) string {
	le := binary.LittleEndian
	if len(s) < 48 {
		return ""
	}
	var sb strings.Builder
	nSets := int(le.Uint32(s[24:]))
	for k := 0; k < nSets && k < 4 && 28+20*k+20 <= len(s); k++ {
		off := int(le.Uint32(s[28+20*k+16:]))
		if off < 0 || off+8 > len(s) {
			continue
		}
		sec := s[off:]
		count := int(le.Uint32(sec[4:]))
		cp := 1252
		type prop struct{ id, off int }
		var props []prop
		for j := 0; j < count && 8+8*j+8 <= len(sec); j++ {
			props = append(props, prop{int(le.Uint32(sec[8+8*j:])), int(le.Uint32(sec[12+8*j:]))})
		}
		for _, p := range props {
			if p.id == 1 && p.off+6 <= len(sec) {
				cp = int(le.Uint16(sec[p.off+4:]))
			}
		}
		for _, p := range props {
			if p.off < 0 || p.off+8 > len(sec) {
				continue
			}
			typ := le.Uint32(sec[p.off:])
			n := int(le.Uint32(sec[p.off+4:]))
			body := sec[p.off+8:]
			switch typ {
			case 0x1E: // VT_LPSTR: n bytes in the code page
				if n > 0 && n <= len(body) {
					b := bytes.TrimRight(body[:n], "\x00")
					if cp == 1200 {
						sb.WriteString(utf16LEString(b))
					} else {
						sb.WriteString(decodeWith(codepageEncoding(cp), b))
					}
					sb.WriteByte('\n')
				}
			case 0x1F: // VT_LPWSTR: n characters
				if n > 0 && 2*n <= len(body) {
					sb.WriteString(utf16LEString(body[:2*n]))
					sb.WriteByte('\n')
				}
			}
		}
	}
	return sb.String()
}

// bestEffort emits the printable runs of b and says they are only that.
func (w *walker) bestEffort(origin string, b []byte) {
	text := oleStrings(b)
	if strings.TrimSpace(text) == "" {
		w.problem(origin, Unsupported, "legacy Office (OLE) document: no text found")
		return
	}
	w.problem(origin, Unsupported, "legacy Office (OLE) document: only best-effort text was extracted")
	w.emit(origin, text)
}

// oleHasStream looks for a directory entry name (UTF-16LE) in the file.
func oleHasStream(b []byte, name string) bool {
	enc := make([]byte, 0, 2*len(name))
	for _, r := range name {
		enc = append(enc, byte(r), 0)
	}
	return bytes.Contains(b, enc)
}

// oleStrings pulls runs of printable UTF-16LE (any BMP letter, so CJK too)
// at even and at odd offsets, and of printable ASCII of a useful length.
// UTF-16 ASCII read one byte off gives units like U+4100 that look like
// CJK: two such units in a row (a zero low byte) end a run instead (real
// CJK text has them only here and there: 一 is U+4E00).
func oleStrings(b []byte) string {
	var sb strings.Builder
	run := make([]uint16, 0, 256)
	flush16 := func() {
		if len(run) >= 4 {
			sb.WriteString(string(utf16.Decode(run)))
			sb.WriteByte('\n')
		}
		run = run[:0]
	}
	shifted := func(u uint16) bool { return u&0xFF == 0 && u >= 0x2000 }
	for odd := 0; odd < 2; odd++ {
		prev := uint16(0)
		for i := odd; i+1 < len(b); i += 2 {
			u := uint16(b[i]) | uint16(b[i+1])<<8
			next := uint16(0)
			if i+3 < len(b) {
				next = uint16(b[i+2]) | uint16(b[i+3])<<8
			}
			if oleUnit(u) && !(shifted(u) && (shifted(prev) || shifted(next))) {
				run = append(run, u)
			} else {
				flush16()
			}
			prev = u
		}
		flush16()
	}
	// 8-bit runs (Word stores Latin-only text as cp1252).
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && (b[i] >= 0x20 && b[i] < 0x7f || b[i] == '\r' || b[i] == '\t') {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= 8 {
			sb.Write(b[start:i])
			sb.WriteByte('\n')
		}
		start = -1
	}
	return sb.String()
}

func oleUnit(u uint16) bool {
	return u == '\r' || u == '\n' || u == '\t' || u >= 0x20 && u < 0x7f || u >= 0x3000 && u <= 0x9fff || u >= 0xff00 && u <= 0xffef || u >= 0xa0 && u < 0x250
}
