package extract

import (
	"cmp"
	"encoding/binary"
	"slices"
	"sort"
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
		var marks []docMark
		text, marks, damaged = docPieces(wd, table[fcClx:fcClx+lcbClx])
		docTableMarks(wd, table, text, marks)
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

// docMark is a cell mark (0x07) of the text: its index in the text and
// its offset in the WordDocument stream.
type docMark struct {
	at int
	fc uint32
}

// Cell marks whose paragraph properties were read (docTableMarks) are
// replaced in the text by these: U+FFFE and U+FFFF are not characters,
// so no document text is mistaken for them.
const (
	docCellEnd = 0xFFFE
	docRowEnd  = 0xFFFF
)

// docPieces reads the CLX: Prc entries (formatting, skipped) then the
// Pcdt holding the piece table, and returns the text of all pieces in
// character-position order with where its cell marks came from. damaged
// is true when a piece or the table runs past the data.
func docPieces(wd, clx []byte) (text []uint16, marks []docMark, damaged bool) {
	le := binary.LittleEndian
	p := 0
	for p < len(clx) && clx[p] == 0x01 {
		if p+3 > len(clx) {
			return nil, nil, true
		}
		p += 3 + int(int16(le.Uint16(clx[p+1:])))
		if p < 0 {
			return nil, nil, true
		}
	}
	if p+5 > len(clx) || clx[p] != 0x02 {
		return nil, nil, true
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
		return nil, nil, true
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
			for k, c := range wd[min(off, end):end] {
				if c == 0x07 {
					marks = append(marks, docMark{len(text), uint32(min(off, end) + k)})
				}
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
				c := le.Uint16(wd[k:])
				if c == 0x07 {
					marks = append(marks, docMark{len(text), uint32(k)})
				}
				text = append(text, c)
			}
		}
	}
	return text, marks, damaged
}

// docTableMarks tells the cell marks that end a table row from those that
// end a cell, by the paragraph properties: a row ends with a paragraph of
// its own, a cell mark whose PAPX sets fTtp (sprmPFTtp). An empty cell is
// a cell mark right after another too, so the marks alone cannot say.
// The marks become docCellEnd and docRowEnd in text; those whose
// paragraph properties could not be read (no PlcBtePapx, a page past the
// stream, no paragraph saying fTtp at all) stay 0x07 and docText guesses
// from the marks.
func docTableMarks(wd, table []byte, text []uint16, marks []docMark) {
	if len(marks) == 0 {
		return
	}
	rows, pages := docRowEnds(wd, table)
	if len(rows) == 0 {
		return
	}
	in := func(ranges [][2]uint32, fc uint32) bool {
		i := sort.Search(len(ranges), func(i int) bool { return ranges[i][0] > fc }) - 1
		return i >= 0 && fc < ranges[i][1]
	}
	byStart := func(a, b [2]uint32) int { return cmp.Compare(a[0], b[0]) }
	slices.SortFunc(rows, byStart)
	slices.SortFunc(pages, byStart)
	for _, m := range marks {
		switch {
		case in(rows, m.fc):
			text[m.at] = docRowEnd
		case in(pages, m.fc):
			text[m.at] = docCellEnd
		}
	}
}

// docRowEnds returns the WordDocument stream ranges of the paragraphs
// whose properties set fTtp, and of the pages read, from the PAPX FKP
// pages the PlcBtePapx (in the table stream, at fcPlcfBtePapx in the FIB)
// lists. A page past the stream or that does not parse is skipped.
func docRowEnds(wd, table []byte) (rows, pages [][2]uint32) {
	le := binary.LittleEndian
	if le.Uint16(wd[152:]) <= 13 { // cbRgFcLcb: no fcPlcfBtePapx
		return nil, nil
	}
	fc, lcb := int(le.Uint32(wd[258:])), int(le.Uint32(wd[262:]))
	if fc < 0 || lcb < 12 || fc+lcb > len(table) || fc+lcb < fc {
		return nil, nil
	}
	// (n+1) FCs and n page numbers, 4 bytes each.
	plc := table[fc : fc+lcb]
	n := (len(plc) - 4) / 8
	seen := map[int]bool{}
	for i := 0; i < n; i++ {
		pn := int(le.Uint32(plc[4*(n+1)+4*i:]) & 0x3FFFFF)
		if seen[pn] || (pn+1)*512 > len(wd) {
			continue
		}
		seen[pn] = true
		page := wd[pn*512 : (pn+1)*512]
		// crun runs: rgfc (crun+1 offsets), rgbx (13 bytes each, the
		// first the PAPX's offset in words), crun in the last byte.
		crun := int(page[511])
		if crun == 0 || 4*(crun+1)+13*crun > 511 {
			continue
		}
		pages = append(pages, [2]uint32{le.Uint32(page), le.Uint32(page[4*crun:])})
		for j := 0; j < crun; j++ {
			if off := 2 * int(page[4*(crun+1)+13*j]); off > 0 && docPapxTtp(page, off) {
				rows = append(rows, [2]uint32{le.Uint32(page[4*j:]), le.Uint32(page[4*j+4:])})
			}
		}
	}
	return rows, pages
}

// docPapxTtp reports whether the PapxInFkp at off in an FKP page sets
// fTtp: cb (its GrpPrlAndIstd is 2*cb-1 bytes, or when cb is 0 the next
// byte times 2), the style (2 bytes), then Prls: a sprm whose top three
// bits (spra) give its operand's size.
func docPapxTtp(page []byte, off int) bool {
	const end = 511
	if off >= end {
		return false
	}
	p, size := off+1, 2*int(page[off])-1
	if page[off] == 0 {
		if p >= end {
			return false
		}
		p, size = p+1, 2*int(page[p])
	}
	stop := min(p+size, end)
	p += 2 // istd
	for p+2 <= stop {
		sprm := binary.LittleEndian.Uint16(page[p:])
		p += 2
		var n int
		switch sprm >> 13 {
		case 0, 1:
			n = 1
		case 2, 4, 5:
			n = 2
		case 3:
			n = 4
		case 7:
			n = 3
		case 6: // variable: a size byte, then that many
			if p >= stop || sprm == 0xC615 && page[p] == 255 {
				return false // sprmPChgTabs' long form: not needed here
			}
			n = 1 + int(page[p])
		}
		if p+n > stop {
			return false
		}
		if sprm == 0x2417 { // sprmPFTtp
			return page[p] != 0
		}
		p += n
	}
	return false
}

// docText turns Word's characters into plain text: paragraph marks, line
// and page breaks become newlines, a cell's end a tab and a row's end a
// newline (docCellEnd, docRowEnd; a bare cell mark is a cell's end unless
// right after one, when it is taken for the row's); field markers become spaces
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
		case c == 0x09 || c == docCellEnd:
			sb.WriteByte('\t')
		case c == docRowEnd:
			sb.WriteByte('\n')
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
