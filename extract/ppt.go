package extract

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// Legacy PowerPoint (.ppt, MS-PPT): the "PowerPoint Document" stream is a
// tree of records (an 8-byte header: version and instance, type, length;
// version 0xF is a container). Text lives in TextCharsAtom (UTF-16LE),
// TextBytesAtom (8-bit, the high bytes dropped) and CString atoms, inside
// the slide list, the slides, the notes and the masters. They are read in
// stream order (slides, then notes, as PowerPoint and LibreOffice write
// them), every record of the stream, so stale text an incremental save
// left behind is read too.

const (
	pptTextChars = 0x0FA0
	pptTextBytes = 0x0FA8
	pptCString   = 0x0FBA
	pptCryptSess = 0x2F14
	pptMaxDepth  = 64
)

// pptNode reads a PowerPoint Document stream.
func (w *walker) pptNode(base string, s []byte) {
	origin := child(base, "ole", "PowerPoint Document")
	var sb strings.Builder
	enc, ok := pptRecords(s, &sb)
	if enc {
		w.problem(origin, Encrypted, "password-protected PowerPoint presentation")
		return
	}
	if !ok {
		w.problem(origin, Malformed, "PowerPoint records cut short or damaged; text read before the damage was kept")
	}
	w.emit(origin, sb.String())
}

// pptRecords walks the records of s (iteratively: a hostile nesting
// depth cannot grow the Go stack), writing each text atom as a line. ok
// is false when a record runs past its container or the stream.
func pptRecords(s []byte, sb *strings.Builder) (encrypted, ok bool) {
	le := binary.LittleEndian
	ok = true
	type span struct{ p, end int }
	stack := []span{{0, len(s)}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.p+8 > top.end {
			if top.p != top.end && !allZero(s[top.p:top.end]) {
				ok = false
			}
			stack = stack[:len(stack)-1]
			continue
		}
		h := s[top.p:]
		ver := le.Uint16(h) & 0xF
		typ := le.Uint16(h[2:])
		n := int(le.Uint32(h[4:]))
		body := top.p + 8
		end := body + n
		if n < 0 || end > top.end || end < body {
			ok = false
			end = top.end
		}
		top.p = end
		switch {
		case typ == pptCryptSess:
			return true, ok
		case ver == 0xF:
			if len(stack) < pptMaxDepth {
				stack = append(stack, span{body, end})
			} else {
				ok = false
			}
		case typ == pptTextChars || typ == pptCString:
			writePPTText(sb, utf16LEUnits(s[body:end]))
		case typ == pptTextBytes:
			u := make([]uint16, end-body)
			for i, c := range s[body:end] {
				u[i] = uint16(c)
			}
			writePPTText(sb, u)
		}
	}
	return false, ok
}

func utf16LEUnits(b []byte) []uint16 {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return u
}

// writePPTText writes one text atom as a line: its paragraph marks (\r)
// and vertical tabs (line breaks) become newlines.
func writePPTText(sb *strings.Builder, u []uint16) {
	t := string(utf16.Decode(u))
	t = strings.NewReplacer("\r", "\n", "\v", "\n", "\x00", "").Replace(t)
	if strings.TrimSpace(t) == "" {
		return
	}
	sb.WriteString(t)
	sb.WriteByte('\n')
}
