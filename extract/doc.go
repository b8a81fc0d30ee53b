package extract

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Legacy Word (.doc, MS-DOC Word 97-2003): the WordDocument stream starts
// with the FIB, which gives the lengths (in characters) of the document's
// text ranges — main text, footnotes, headers, comments, endnotes, text
// boxes, header text boxes, one after the other — and where the piece
// table (CLX) lies in the table stream (0Table or 1Table, as the FIB
// says). The piece table maps character positions to runs of bytes in
// WordDocument, each either cp1252 ("compressed") or UTF-16LE. Text is
// written with paragraph marks as newlines and table cells separated by
// tabs, as the DOCX reader writes it.

// docRanges name the FIB's text ranges in the order they follow each other.
var docRanges = []string{"text", "footnotes", "headers", "comments", "endnotes", "textboxes", "header-textboxes"}

// docNode reads a Word document's text from its streams.
func (w *walker) docNode(base string, wd, table0, table1 []byte) {
	origin := child(base, "ole", "WordDocument")
	le := binary.LittleEndian
	if len(wd) < 0x1A2 || le.Uint16(wd) != 0xA5EC {
		w.problem(origin, Malformed, "Word document stream has no valid FIB; only best-effort text was extracted")
		w.bestEffort(origin, wd)
		return
	}
	flags := le.Uint16(wd[0x0A:])
	if flags&0x0100 != 0 {
		w.problem(origin, Encrypted, "password-protected Word document")
		return
	}
	table := table0
	if flags&0x0200 != 0 {
		table = table1
	}
	// FibRgLw97: the ranges' lengths in characters.
	var lens [7]int
	for i, off := range []int{76, 80, 84, 92, 96, 100, 104} {
		lens[i] = int(int32(le.Uint32(wd[off:])))
		if lens[i] < 0 {
			lens[i] = 0
		}
	}
	fcClx, lcbClx := int(le.Uint32(wd[418:])), int(le.Uint32(wd[422:]))
	var text []uint16
	damaged := false
	if fcClx < 0 || lcbClx <= 0 || fcClx+lcbClx > len(table) || fcClx+lcbClx < fcClx {
		damaged = true
	} else {
		text, damaged = docPieces(wd, table[fcClx:fcClx+lcbClx])
	}
	if damaged {
		w.problem(origin, Malformed, "Word piece table damaged or cut short; text read before the damage was kept")
		if len(text) == 0 {
			w.bestEffort(origin, wd)
			return
		}
	}
	// Split the character positions into the FIB's ranges; whatever lies
	// past them (or everything, when the lengths are wrong) is kept too.
	p := 0
	for i, n := range lens {
		if n == 0 || p >= len(text) {
			continue
		}
		end := min(p+n, len(text))
		name := "WordDocument"
		if i > 0 {
			name += "/" + docRanges[i]
		}
		w.emit(child(base, "ole", name), docText(text[p:end]))
		p = end
	}
	if p < len(text) {
		w.emit(child(base, "ole", "WordDocument/rest"), docText(text[p:]))
	}
}

// docPieces reads the CLX: Prc entries (formatting, skipped) then the
// Pcdt holding the piece table, and returns the text of all pieces in
// character-position order. damaged is true when a piece or the table
// runs past the data.
func docPieces(wd, clx []byte) (text []uint16, damaged bool) {
	le := binary.LittleEndian
	p := 0
	for p < len(clx) && clx[p] == 0x01 {
		if p+3 > len(clx) {
			return nil, true
		}
		p += 3 + int(int16(le.Uint16(clx[p+1:])))
		if p < 0 {
			return nil, true
		}
	}
	if p+5 > len(clx) || clx[p] != 0x02 {
		return nil, true
	}
	lcb := int(le.Uint32(clx[p+1:]))
	plc := clx[p+5:]
	if lcb < 4 || lcb > len(plc) {
		damaged = true
		lcb = min(max(lcb, 0), len(plc))
	}
	plc = plc[:lcb]
	// (n+1) CPs of 4 bytes and n PCDs of 8 bytes.
	n := (len(plc) - 4) / 12
	if n <= 0 {
		return nil, true
	}
	cp1252 := charmap.Windows1252
	for i := 0; i < n; i++ {
		cpStart, cpEnd := int(le.Uint32(plc[4*i:])), int(le.Uint32(plc[4*i+4:]))
		if cpEnd < cpStart || cpEnd-cpStart > len(wd) {
			damaged = true
			continue
		}
		pcd := plc[4*(n+1)+8*i:]
		fc := le.Uint32(pcd[2:])
		count := cpEnd - cpStart
		if fc&0x40000000 != 0 {
			off := int((fc &^ 0x40000000) / 2)
			end := off + count
			if off > len(wd) || end > len(wd) {
				damaged = true
				end = len(wd)
			}
			for _, c := range wd[min(off, end):end] {
				r := cp1252.DecodeByte(c)
				text = append(text, uint16(r))
			}
		} else {
			off := int(fc)
			end := off + 2*count
			if off > len(wd) || end > len(wd) || end < off {
				damaged = true
				end = len(wd)
			}
			for k := min(off, end); k+1 < end; k += 2 {
				text = append(text, le.Uint16(wd[k:]))
			}
		}
	}
	return text, damaged
}

// docText turns Word's characters into plain text: paragraph marks, line
// and page breaks become newlines, a cell mark a tab and the row-end mark
// (a cell mark right after one) a newline; field markers become spaces
// (a field's code is kept: a HYPERLINK's address is text too); object
// anchors and other control characters are dropped.
func docText(u []uint16) string {
	var sb strings.Builder
	sb.Grow(len(u))
	prev := uint16(0)
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == 0x0D || c == 0x0B || c == 0x0C:
			sb.WriteByte('\n')
		case c == 0x07:
			if prev == 0x07 {
				sb.WriteByte('\n')
				c = 0 // a third mark starts a new cell pair
			} else {
				sb.WriteByte('\t')
			}
		case c == 0x09:
			sb.WriteByte('\t')
		case c == 0x13 || c == 0x14 || c == 0x15:
			sb.WriteByte(' ')
		case c == 0x1E:
			sb.WriteByte('-')
		case c == 0xA0:
			sb.WriteByte(' ')
		case c < 0x20 || c == 0x1F:
			// picture, footnote and comment anchors, optional hyphen
		case utf16.IsSurrogate(rune(c)) && i+1 < len(u):
			sb.WriteRune(utf16.DecodeRune(rune(c), rune(u[i+1])))
			i++
		default:
			sb.WriteRune(rune(c))
		}
		prev = c
	}
	return sb.String()
}
