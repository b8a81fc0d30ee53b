package extract

import (
	"encoding/binary"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Legacy Excel (.xls, MS-XLS BIFF8; BIFF5 "Book" streams too): the
// Workbook stream is a sequence of records. The globals hold the shared
// strings (SST, continued by CONTINUE records), the number formats and the
// sheet list (BOUNDSHEET, each pointing at its sheet's BOF); a sheet holds
// cell records. Each sheet is written exactly as the XLSX reader writes a
// worksheet (office.go sheetTextTo): the tab name on the first line, then
// a line per row with cells separated by tabs (empty columns keep their
// tab), numbers in their shortest form (91234567, 1234.5), date-formatted
// numbers as dates, booleans TRUE/FALSE, errors as #N/A ..., so the
// classifiers see the same text an XLSX of the same workbook gives.

const (
	biffFormula    = 0x0006
	biffEOF        = 0x000A
	biffHeader     = 0x0014
	biffFooter     = 0x0015
	biffFilepass   = 0x002F
	biffContinue   = 0x003C
	biffCodepage   = 0x0042
	biffBoundsheet = 0x0085
	biffMulRK      = 0x00BD
	biffRString    = 0x00D6
	biffXF         = 0x00E0
	biffSST        = 0x00FC
	biffLabelSST   = 0x00FD
	biffTXO        = 0x01B6
	biffNumber     = 0x0203
	biffLabel      = 0x0204
	biffBoolErr    = 0x0205
	biffString     = 0x0207
	biffRK         = 0x027E
	biffFormat     = 0x041E
	biffBOF        = 0x0809
)

// biffRecord is one record: its type and payload, and the payloads of the
// CONTINUE records that follow it.
type biffRecord struct {
	typ  uint16
	data []byte
	cont [][]byte
	pos  int // offset of the record in the stream
}

// biffRecords splits a Workbook stream into records (a CONTINUE joins the
// record before it). ok is false when the stream ends inside a record.
func biffRecords(s []byte, from int) (recs []biffRecord, ok bool) {
	p := from
	for p+4 <= len(s) {
		typ := binary.LittleEndian.Uint16(s[p:])
		n := int(binary.LittleEndian.Uint16(s[p+2:]))
		if p+4+n > len(s) {
			return recs, false
		}
		data := s[p+4 : p+4+n]
		if typ == biffContinue && len(recs) > 0 {
			recs[len(recs)-1].cont = append(recs[len(recs)-1].cont, data)
		} else {
			recs = append(recs, biffRecord{typ: typ, data: data, pos: p})
		}
		p += 4 + n
	}
	return recs, p == len(s) || allZero(s[p:])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// biffReader reads a record's payload and its CONTINUE payloads as one,
// except that character data split at a CONTINUE starts again with an
// option byte (MS-XLS 2.5.294: the compressed/UTF-16 flag may change).
type biffReader struct {
	segs [][]byte
	seg  int
	p    int
	bad  bool // read past the end
}

func newBiffReader(r biffRecord) *biffReader {
	return &biffReader{segs: append([][]byte{r.data}, r.cont...)}
}

func (r *biffReader) left() bool {
	for r.seg < len(r.segs) && r.p >= len(r.segs[r.seg]) {
		r.seg++
		r.p = 0
	}
	return r.seg < len(r.segs)
}

func (r *biffReader) u8() byte {
	if !r.left() {
		r.bad = true
		return 0
	}
	c := r.segs[r.seg][r.p]
	r.p++
	return c
}

func (r *biffReader) u16() uint16 { return uint16(r.u8()) | uint16(r.u8())<<8 }
func (r *biffReader) u32() uint32 { return uint32(r.u16()) | uint32(r.u16())<<16 }

func (r *biffReader) skip(n int) {
	for n > 0 && r.left() {
		k := min(n, len(r.segs[r.seg])-r.p)
		r.p += k
		n -= k
	}
	if n > 0 {
		r.bad = true
	}
}

// chars reads cch characters, 8-bit (Latin-1: the high bytes dropped) or
// UTF-16LE as the option byte says; at a CONTINUE boundary a new option
// byte comes first.
func (r *biffReader) chars(cch int, high bool, u []uint16) []uint16 {
	for i := 0; i < cch; i++ {
		if r.seg < len(r.segs) && r.p >= len(r.segs[r.seg]) {
			if r.seg+1 >= len(r.segs) {
				r.bad = true
				return u
			}
			r.seg, r.p = r.seg+1, 0
			high = r.u8()&1 != 0
		}
		if r.seg >= len(r.segs) {
			r.bad = true
			return u
		}
		if high {
			u = append(u, r.u16())
		} else {
			u = append(u, uint16(r.u8()))
		}
	}
	return u
}

// xlString reads an XLUnicodeRichExtendedString (SST), dropping the
// rich-text runs and the phonetic block.
func (r *biffReader) xlString(u []uint16) []uint16 {
	cch := int(r.u16())
	flags := r.u8()
	var runs, ext int
	if flags&0x08 != 0 {
		runs = int(r.u16())
	}
	if flags&0x04 != 0 {
		ext = int(r.u32())
	}
	u = r.chars(cch, flags&1 != 0, u)
	r.skip(4*runs + ext)
	return u
}

// xlsSheet is one BOUNDSHEET: name and the offset of its BOF.
type xlsSheet struct {
	name string
	pos  int
	kind byte
}

// xlsCell is one cell's text (or its shared-string index).
type xlsCell struct {
	row, col int
	sst      int // index into the SST, -1 when text holds the value
	text     string
}

type xlsBook struct {
	biff5     bool
	sst       []string
	sstUsed   []bool
	formats   map[int]string
	xfFormat  []int // XF index -> number format id
	sheets    []xlsSheet
	encrypted bool
	damaged   bool
	dates     map[int]bool // number format id -> is a date format
}

// xlsGlobals reads the globals substream up to its EOF.
func xlsGlobals(recs []biffRecord, biff5 bool) *xlsBook {
	b := &xlsBook{biff5: biff5, formats: map[int]string{}, dates: map[int]bool{}}
	for _, rec := range recs {
		d := rec.data
		switch rec.typ {
		case biffFilepass:
			b.encrypted = true
			return b
		case biffSST:
			r := newBiffReader(rec)
			r.skip(8)
			var u []uint16
			for r.left() {
				u = r.xlString(u[:0])
				b.sst = append(b.sst, string(utf16.Decode(u)))
				if r.bad {
					b.damaged = true
					break
				}
			}
		case biffFormat:
			if len(d) >= 2 {
				r := newBiffReader(rec)
				id := int(r.u16())
				b.formats[id] = b.shortString(r, true)
			}
		case biffXF:
			if len(d) >= 4 {
				b.xfFormat = append(b.xfFormat, int(binary.LittleEndian.Uint16(d[2:])))
			}
		case biffBoundsheet:
			if len(d) >= 8 {
				r := newBiffReader(rec)
				pos := int(r.u32())
				r.u8()
				kind := r.u8()
				b.sheets = append(b.sheets, xlsSheet{name: b.shortString(r, false), pos: pos, kind: kind})
			}
		case biffEOF:
			return b
		}
	}
	return b
}

// shortString reads a sheet name (ShortXLUnicodeString: 8-bit count) or a
// format string (XLUnicodeString: 16-bit count); BIFF5 strings are 8-bit
// with no option byte.
func (b *xlsBook) shortString(r *biffReader, wide bool) string {
	var cch int
	if wide && !b.biff5 {
		cch = int(r.u16())
	} else {
		cch = int(r.u8())
	}
	high := false
	if !b.biff5 {
		high = r.u8()&1 != 0
	}
	return string(utf16.Decode(r.chars(cch, high, nil)))
}

// xlUnicode reads an XLUnicodeString (LABEL, STRING, HEADER): 16-bit
// count, option byte (none in BIFF5).
func (b *xlsBook) xlUnicode(r *biffReader) string {
	cch := int(r.u16())
	high := false
	if !b.biff5 {
		high = r.u8()&1 != 0
	}
	return string(utf16.Decode(r.chars(cch, high, nil)))
}

// isDate says whether the XF of a cell gives it a date format.
func (b *xlsBook) isDate(xf int) bool {
	if xf < 0 || xf >= len(b.xfFormat) {
		return false
	}
	id := b.xfFormat[xf]
	d, ok := b.dates[id]
	if !ok {
		d = isDateFormat(id, b.formats[id])
		b.dates[id] = d
	}
	return d
}

// number writes a cell's number as XLSX stores it (shortest round-trip
// form), or as a date when its format is one.
func (b *xlsBook) number(v float64, xf int) string {
	s := xlsNumber(v)
	if b.isDate(xf) {
		if d, ok := appendSerialDate(nil, []byte(s)); ok {
			return string(d)
		}
		return excelDate(s)
	}
	return s
}

// xlsNumber is the shortest decimal that reads back as v, in the form
// Excel writes a cell value in XLSX: 91234567, 1234.5, 1E+20.
func xlsNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "#NUM!"
	}
	a := math.Abs(v)
	if a != 0 && (a >= 1e15 || a < 1e-9) {
		return strings.ToUpper(strconv.FormatFloat(v, 'E', -1, 64))
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// rkNumber decodes an RK value (MS-XLS 2.5.218).
func rkNumber(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}

var biffErrors = map[byte]string{0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}

// xlsSheetCells reads one sheet substream's cells, its page header and
// footer (tail: written after the rows, as the XLSX reader writes them) and
// its comment and text box text (TXO: extra).
func (b *xlsBook) xlsSheetCells(recs []biffRecord) (cells []xlsCell, tail, extra []string) {
	le := binary.LittleEndian
	pendingFormula := -1 // index in cells of a formula waiting for its STRING
	add := func(d []byte, text string, sst int) {
		if len(d) < 4 {
			return
		}
		cells = append(cells, xlsCell{row: int(le.Uint16(d)), col: int(le.Uint16(d[2:])), sst: sst, text: text})
	}
	xf := func(d []byte) int {
		if len(d) < 6 {
			return -1
		}
		return int(le.Uint16(d[4:]))
	}
	depth := 0
	for _, rec := range recs {
		d := rec.data
		switch rec.typ {
		case biffBOF:
			// An embedded substream (a chart in the sheet) runs to its
			// own EOF inside the sheet's.
			depth++
		case biffEOF:
			if depth--; depth <= 0 {
				return cells, tail, extra
			}
		case biffLabelSST:
			if len(d) >= 10 {
				add(d, "", int(le.Uint32(d[6:])))
			}
		case biffLabel, biffRString:
			if len(d) >= 8 {
				r := newBiffReader(rec)
				r.skip(6)
				add(d, b.xlUnicode(r), -1)
			}
		case biffNumber:
			if len(d) >= 14 {
				add(d, b.number(math.Float64frombits(le.Uint64(d[6:])), xf(d)), -1)
			}
		case biffRK:
			if len(d) >= 10 {
				add(d, b.number(rkNumber(le.Uint32(d[6:])), xf(d)), -1)
			}
		case biffMulRK:
			if len(d) >= 6 {
				row, col := int(le.Uint16(d)), int(le.Uint16(d[2:]))
				for p := 4; p+6 <= len(d)-2; p += 6 {
					cells = append(cells, xlsCell{row: row, col: col, sst: -1, text: b.number(rkNumber(le.Uint32(d[p+2:])), int(le.Uint16(d[p:])))})
					col++
				}
			}
		case biffBoolErr:
			if len(d) >= 8 {
				add(d, boolErr(d[6], d[7] != 0), -1)
			}
		case biffFormula:
			if len(d) >= 14 {
				v := d[6:14]
				if v[6] == 0xFF && v[7] == 0xFF {
					switch v[0] {
					case 0: // string: in the STRING record that follows
						add(d, "", -1)
						pendingFormula = len(cells) - 1
					case 1:
						add(d, boolErr(v[2], false), -1)
					case 2:
						add(d, boolErr(v[2], true), -1)
					}
				} else {
					add(d, b.number(math.Float64frombits(le.Uint64(v)), xf(d)), -1)
				}
			}
		case biffString:
			if pendingFormula >= 0 {
				cells[pendingFormula].text = b.xlUnicode(newBiffReader(rec))
				pendingFormula = -1
			}
		case biffTXO:
			// A comment's or text box's text is in the CONTINUE records
			// after the TXO: option byte, then the characters.
			if len(d) >= 12 && len(rec.cont) > 0 {
				cch := int(le.Uint16(d[10:]))
				r := &biffReader{segs: rec.cont}
				high := r.u8()&1 != 0
				extra = append(extra, string(utf16.Decode(r.chars(cch, high, nil))))
			}
		case biffHeader, biffFooter:
			if len(d) > 0 {
				if s := sheetTailText([]byte(b.xlUnicode(newBiffReader(rec)))); s != "" {
					tail = append(tail, s)
				}
			}
		}
	}
	b.damaged = true // no EOF: the sheet was cut short
	return cells, tail, extra
}

func boolErr(v byte, isErr bool) string {
	if isErr {
		if s, ok := biffErrors[v]; ok {
			return s
		}
		return "#ERR"
	}
	if v != 0 {
		return "TRUE"
	}
	return "FALSE"
}

// sheetText writes cells as the XLSX reader writes a worksheet.
func (b *xlsBook) sheetText(cells []xlsCell) string {
	sort.SliceStable(cells, func(i, j int) bool {
		if cells[i].row != cells[j].row {
			return cells[i].row < cells[j].row
		}
		return cells[i].col < cells[j].col
	})
	var sb strings.Builder
	row, lastCol := -1, 0
	for _, c := range cells {
		text := c.text
		if c.sst >= 0 {
			if c.sst >= len(b.sst) {
				continue
			}
			text = b.sst[c.sst]
			b.sstUsed[c.sst] = true
		}
		if text == "" {
			continue
		}
		if c.row != row {
			if lastCol > 0 {
				sb.WriteByte('\n')
			}
			row, lastCol = c.row, 0
		}
		col := c.col + 1
		gap := col - lastCol
		if lastCol == 0 {
			gap = col - 1
		}
		if gap > 0 {
			sb.WriteString(tabs[:min(gap, len(tabs))])
		}
		sb.WriteString(text)
		lastCol = col
	}
	if lastCol > 0 {
		sb.WriteByte('\n')
	}
	return sb.String()
}

// xlsNode reads a Workbook (BIFF8) or Book (BIFF5) stream.
func (w *walker) xlsNode(base string, stream []byte, biff5 bool) {
	origin := child(base, "ole", "Workbook")
	recs, complete := biffRecords(stream, 0)
	if len(recs) == 0 || recs[0].typ != biffBOF {
		w.problem(origin, Malformed, "workbook stream does not start with a BOF record")
		w.emit(origin, oleStrings(stream))
		return
	}
	book := xlsGlobals(recs, biff5)
	if book.encrypted {
		w.problem(origin, Encrypted, "password-protected Excel workbook")
		return
	}
	book.sstUsed = make([]bool, len(book.sst))
	if !complete {
		book.damaged = true
	}
	// Records by stream offset, so a BOUNDSHEET's offset finds its sheet.
	at := make(map[int]int, len(recs))
	for i, r := range recs {
		if r.typ == biffBOF {
			at[r.pos] = i
		}
	}
	for n, sh := range book.sheets {
		if w.expired() {
			return
		}
		sheetOrigin := child(base, "ole", "Workbook/sheet"+strconv.Itoa(n+1))
		i, ok := at[sh.pos]
		if !ok {
			w.problem(sheetOrigin, Malformed, "sheet offset does not point at a BOF record; sheet not read")
			book.damaged = true
			continue
		}
		cells, tail, extra := book.xlsSheetCells(recs[i:])
		text := book.sheetText(cells)
		for _, t := range tail {
			text += t + "\n"
		}
		if text != "" && sh.name != "" {
			text = sh.name + "\n" + text
		}
		w.emit(sheetOrigin, text)
		if len(extra) > 0 {
			w.emit(sheetOrigin+"/comments", strings.Join(extra, "\n"))
		}
	}
	// Shared strings no cell refers to, as for XLSX.
	var sb strings.Builder
	for i, s := range book.sst {
		if !book.sstUsed[i] && s != "" {
			sb.WriteString(s)
			sb.WriteByte('\n')
		}
	}
	w.emit(child(base, "ole", "Workbook/sst"), sb.String())
	if book.damaged {
		w.problem(origin, Malformed, "workbook records cut short or damaged; what was read was kept")
	}
}
