package extract

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Parts of an OOXML package that hold text, in reading order.
var (
	docxParts = []*regexp.Regexp{
		regexp.MustCompile(`^word/document\d*\.xml$`),
		regexp.MustCompile(`^word/(header|footer)\d*\.xml$`),
		regexp.MustCompile(`^word/(footnotes|endnotes|comments)\.xml$`),
		regexp.MustCompile(`^word/glossary/document\.xml$`),
	}
	pptxParts = []*regexp.Regexp{
		regexp.MustCompile(`^ppt/slides/slide\d+\.xml$`),
		regexp.MustCompile(`^ppt/notesSlides/notesSlide\d+\.xml$`),
		regexp.MustCompile(`^ppt/comments/[^/]*\.xml$`),
	}
	// Text in worksheets' drawings (text boxes, shapes) and comments.
	xlsxExtra = regexp.MustCompile(`^xl/(comments[^/]*|drawings/drawing\d+|threadedComments/[^/]*)\.xml$`)
	// Embedded objects, and altChunk documents (HTML/RTF/MHT pasted into
	// a DOCX keep their own format inside the package).
	embedded = regexp.MustCompile(`^(word|xl|ppt)/(embeddings/|[^/]+\.(htm|html|xhtml|mht|mhtml|rtf|txt)$)`)
)

// ooxml extracts a DOCX or PPTX: text parts in order, then embedded files
// (an XLSX pasted into a DOCX is its own node).
func (w *walker) ooxml(n node, base string, zr *zip.Reader, parts []*regexp.Regexp) {
	w.docStart = w.res.TextBytes
	// The parts in reading order, then read with the next few small ones
	// inflated ahead (officeprefetch.go).
	var order []*zip.File
	for _, re := range parts {
		var names []string
		files := map[string]*zip.File{}
		for _, f := range zr.File {
			if re.MatchString(f.Name) {
				names = append(names, f.Name)
				files[f.Name] = f
			}
		}
		partOrder(names)
		for _, name := range names {
			order = append(order, files[name])
		}
	}
	pf := w.prefetch(order)
	defer pf.stop()
	for i, f := range order {
		if w.expired() {
			return
		}
		origin := child(base, "zip", f.Name)
		var rc io.ReadCloser
		var ok bool
		if pf != nil {
			rc, ok = pf.open(i, origin)
		} else {
			rc, ok = w.openEntry(origin, f)
		}
		if !ok {
			continue
		}
		ps := &partStream{origin: origin}
		text, err := w.drawingMLTextSized(rc, ps, textHint(f))
		rc.Close()
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errStop) {
			w.problem(origin, Malformed, "document XML part does not parse; text before the damage was kept")
		}
		w.finish(ps, text)
	}
	pf.stop() // before any nested node: their members use the same inflaters
	w.embeddings(n, base, zr)
}

func (w *walker) embeddings(n node, base string, zr *zip.Reader) {
	w.imageOnly(n, base, zr)
	for _, f := range zr.File {
		if w.expired() {
			return
		}
		if !embedded.MatchString(f.Name) || f.FileInfo().IsDir() {
			continue
		}
		origin := child(base, "zip", f.Name)
		data, ok := w.readEntry(origin, f)
		if !ok {
			continue
		}
		w.node(node{origin: origin, name: f.Name, body: memBlob(data), depth: n.depth + 1})
	}
}

// drawingMLText reads WordprocessingML / DrawingML text: w:t and a:t runs,
// tabs, breaks, paragraphs as lines, table cells separated by tabs.
func (w *walker) drawingMLText(r io.Reader) (string, error) { return w.drawingMLTextTo(r, nil) }

// drawingMLTextTo is drawingMLText streaming a large part through ps (nil:
// never); the text returned is what was not streamed.
func (w *walker) drawingMLTextTo(r io.Reader, ps *partStream) (string, error) {
	return w.drawingMLTextSized(r, ps, 0)
}

// textHint is the room a part's text is given from the start: a quarter of
// its declared size (slides and documents are mostly markup), at most
// 64 KiB, so a presentation's thousands of slides are not each built by
// a dozen doublings; a larger text grows as before, and a size that lies
// costs at most the 64 KiB.
func textHint(f *zip.File) int {
	return int(min(f.UncompressedSize64/4, 64<<10))
}

// drawingMLTextSized is drawingMLTextTo building the text in a buffer of
// capacity hint to begin with.
func (w *walker) drawingMLTextSized(r io.Reader, ps *partStream, hint int) (string, error) {
	sc := w.scanner(r)
	defer w.release(sc)
	var tok xmlTok
	var sb textBuf
	if hint > 0 {
		sb.b = make([]byte, 0, hint)
	}
	inText, inTabs, inCell := 0, 0, 0
	end := func(name []byte) {
		switch string(name) {
		case "t", "delText":
			if inText > 0 {
				inText--
			}
		case "instrText", "delInstrText":
			if inText > 0 {
				inText--
			}
			sb.WriteByte(' ') // a field code does not run into the field's result
		case "tabs":
			if inTabs > 0 {
				inTabs--
			}
		case "p":
			if inCell > 0 {
				sb.WriteByte(' ') // paragraphs inside a cell stay on the row
			} else {
				sb.WriteByte('\n')
				w.flush(ps, &sb)
			}
		case "tc":
			if inCell > 0 {
				inCell--
			}
			sb.trimSpace()
			if inCell > 0 {
				sb.WriteByte(' ') // a nested table's cell: within the outer one
			} else {
				sb.WriteByte('\t')
			}
		case "tr":
			if inCell > 0 {
				// A nested table's row stays in the outer cell, so the
				// outer row stays one line of its columns.
				sb.trimSpace()
				sb.WriteByte(' ')
				break
			}
			sb.WriteByte('\n')
			w.flush(ps, &sb)
		case "comment":
			// A worksheet comment (xl/comments1.xml) has runs but no
			// paragraph: without a break, one cell's note ran into the
			// next ("A123456(3)B234567(1)").
			sb.WriteByte('\n')
			w.flush(ps, &sb)
		}
	}
	for {
		if w.tick() {
			return sb.fit(hint), errStop
		}
		sc.nextFast(&tok, inText > 0)
		switch tok.kind {
		case xmlNone:
			return sb.fit(hint), scanErr(sc)
		case xmlStart, xmlSelfClose:
			switch string(tok.local) {
			case "t", "delText", "instrText", "delInstrText":
				inText++
				if tok.kind == xmlStart && len(tok.local) == 1 {
					if raw, ok := sc.plainRun(); ok {
						// <w:t>raw</w:t> at once (officefast.go).
						sb.b = unescapeXML(sb.b, raw)
						inText--
					}
				}
			case "fldSimple":
				fieldInstr(&sb, &tok) // officeextras.go
			case "tabs":
				inTabs++
			case "tab":
				if inTabs == 0 {
					sb.WriteByte('\t')
				}
			case "br", "cr":
				sb.WriteByte('\n')
			case "tc":
				inCell++
			case "cNvPr", "docPr":
				altText(&sb, &tok) // officeextras.go
			}
			if tok.kind == xmlSelfClose {
				end(tok.local)
			}
		case xmlEnd:
			end(tok.local)
		case xmlChars:
			if inText > 0 {
				sb.Write(tok.text)
			}
		}
		if int64(sb.Len()) > w.room()+int64(psCarry(ps)) {
			return sb.fit(hint), nil // emit reports the limit
		}
	}
}

// scanErr is the scanner's read error, nil at a clean end.
func scanErr(sc *xmlScanner) error {
	if sc.err == nil || errors.Is(sc.err, io.EOF) {
		return nil
	}
	return sc.err
}

// room is how much more text may be emitted.
func (w *walker) room() int64 { return w.lim.MaxTotalBytes - w.res.TextBytes + 1 }

// xlsx extracts every worksheet; each row reads as one line with cells
// separated by tabs, so classifiers see the table layout.
func (w *walker) xlsx(n node, base string, zr *zip.Reader, byName map[string]*zip.File) {
	w.docStart = w.res.TextBytes
	var shared sstTable
	if f := byName["xl/sharedStrings.xml"]; f != nil {
		origin := child(base, "zip", f.Name)
		if rc, ok := w.openEntry(origin, f); ok {
			var err error
			shared, err = w.sharedStrings(rc)
			rc.Close()
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errStop) {
				w.problem(origin, Malformed, "shared strings do not parse; strings before the damage were kept")
			}
		}
	}
	var names []string
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") && strings.HasSuffix(f.Name, ".xml") && !strings.Contains(f.Name[len("xl/worksheets/"):], "/") {
			names = append(names, f.Name)
		}
	}
	partOrder(names)
	w.sstUsed = make([]bool, shared.len())
	sheetNames := w.sheetNames(base, byName)
	dates := w.dateStyles(base, byName)
	for _, name := range names {
		if w.expired() {
			return
		}
		origin := child(base, "zip", name)
		rc, ok := w.openEntry(origin, byName[name])
		if !ok {
			continue
		}
		// The tab name ("資產負債表", "Customers") is context a classifier
		// can use; it heads the sheet's text.
		ps := &partStream{origin: origin, head: sheetNames[name]}
		text, err := w.sheetTextTo(rc, shared, dates, ps)
		rc.Close()
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errStop) {
			w.problem(origin, Malformed, "worksheet XML does not parse; rows before the damage were kept")
		}
		w.finish(ps, text)
	}
	w.unusedSharedStrings(base, shared) // officeextras.go
	// Comments and embedded objects carry text too.
	for _, f := range zr.File {
		if xlsxExtra.MatchString(f.Name) {
			origin := child(base, "zip", f.Name)
			if rc, ok := w.openEntry(origin, f); ok {
				text, _ := w.drawingMLText(rc)
				rc.Close()
				w.emit(origin, text)
			}
		}
	}
	w.embeddings(n, base, zr)
}

// sheetNames maps worksheet part names to the tab names in workbook.xml
// (through the workbook relationships).
func (w *walker) sheetNames(base string, byName map[string]*zip.File) map[string]string {
	out := map[string]string{}
	read := func(name string) []byte {
		f := byName[name]
		if f == nil || f.UncompressedSize64 > 16<<20 {
			return nil
		}
		data, _ := w.readEntry(child(base, "zip", name), f)
		return data
	}
	targets := map[string]string{} // relationship id -> part name
	sc := newXMLScanner(bytes.NewReader(read("xl/_rels/workbook.xml.rels")))
	var tok xmlTok
	for sc.next(&tok); tok.kind != xmlNone; sc.next(&tok) {
		if (tok.kind == xmlStart || tok.kind == xmlSelfClose) && string(tok.local) == "Relationship" {
			id, _ := tok.attr("Id")
			target, _ := tok.attr("Target")
			target = strings.TrimPrefix(target, "/")
			if !strings.HasPrefix(target, "xl/") {
				target = "xl/" + target
			}
			targets[id] = target
		}
	}
	sc = newXMLScanner(bytes.NewReader(read("xl/workbook.xml")))
	for sc.next(&tok); tok.kind != xmlNone; sc.next(&tok) {
		if (tok.kind == xmlStart || tok.kind == xmlSelfClose) && string(tok.local) == "sheet" {
			name, _ := tok.attr("name")
			id, _ := tok.attr("id") // r:id, prefix stripped
			if t := targets[id]; t != "" && name != "" {
				out[t] = name
			}
		}
	}
	return out
}

// sstTable is a workbook's shared strings in one arena: string i is
// data[ends[i-1]:ends[i]]. One block instead of a string per <si> (200k
// of them in an export) keeps the lookups of a sheet's cells, which jump
// about the table, in few cache lines and pages.
type sstTable struct {
	data []byte
	// ends[i] is where string i ends in data: 32 bits (the arena is
	// bounded by the total text limit, sharedStrings stops it below
	// 4 GiB) halve the array a sheet's cells index at random.
	ends []uint32
	// blank has bit i set when string i is "" (markBlanks).
	blank []uint64
	// maxLen is the longest string's length (markBlanks; 0 before).
	maxLen int
}

func (t *sstTable) len() int { return len(t.ends) }

func (t *sstTable) at(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.data[start:t.ends[i]]
}

// markBlanks notes which strings are "": a cell of one writes nothing and
// moves no column (sheetTextTo), which it must know when it reads the
// cell, before its batch's strings are looked up (sstBatch).
func (t *sstTable) markBlanks() {
	t.blank = make([]uint64, (len(t.ends)+63)/64)
	prev := uint32(0)
	for i, e := range t.ends {
		if e == prev {
			t.blank[i/64] |= 1 << (i % 64)
		}
		t.maxLen = max(t.maxLen, int(e-prev))
		prev = e
	}
}

// empty reports string i is "": from a bit set of a few KB rather than
// the ends array, whose random reads are what sstBatch puts off.
func (t *sstTable) empty(i int) bool {
	if t.blank != nil {
		return t.blank[i/64]&(1<<(i%64)) != 0
	}
	return len(t.at(i)) == 0
}

// lastEnd is where the next string begins.
func (t *sstTable) lastEnd() int {
	if len(t.ends) == 0 {
		return 0
	}
	return int(t.ends[len(t.ends)-1])
}

// sharedStrings reads xl/sharedStrings.xml: one string per <si>, rich-text
// runs joined, phonetic guides (<rPh>) skipped. The string being read
// grows at the end of the arena; an </si> with no <si> since the last
// one repeats the last string, as a reused builder would.
func (w *walker) sharedStrings(r io.Reader) (sstTable, error) {
	t, err := w.readSharedStrings(r)
	t.markBlanks()
	return t, err
}

func (w *walker) readSharedStrings(r io.Reader) (sstTable, error) {
	sc := w.scanner(r)
	defer w.release(sc)
	var tok xmlTok
	var out sstTable
	var ph []byte
	inSI, inT, inPh := false, false, 0
	// The builder is out.data[sbStart:sbEnd]; committed: it is already
	// the last string of the table.
	sbStart, sbEnd, committed := 0, 0, false
	w.sstPhonetic = w.sstPhonetic[:0]
	var total int64
	// endSI is </si>; true: the limit was reached.
	endSI := func() bool {
		inSI = false
		if len(ph) > 0 {
			w.sstPhonetic = append(append(w.sstPhonetic, ph...), '\n')
			ph = ph[:0]
		}
		if committed {
			n := len(out.data)
			out.data = append(out.data, out.data[sbStart:sbEnd]...)
			sbStart, sbEnd = n, len(out.data)
		} else {
			out.data = out.data[:sbEnd]
		}
		if uint64(len(out.data)) > math.MaxUint32 {
			w.limit("", "shared strings exceed 4 GiB; later strings were not read")
			out.data = out.data[:out.lastEnd()]
			return true
		}
		out.ends = append(out.ends, uint32(len(out.data)))
		committed = true
		total += int64(sbEnd - sbStart)
		if total > w.lim.MaxTotalBytes {
			w.limit("", "shared strings exceed the total extracted text limit; later strings were not read")
			return true
		}
		return false
	}
	for {
		if w.tick() {
			return out, errStop
		}
		sc.nextFast(&tok, inSI && inT)
		switch tok.kind {
		case xmlNone:
			if inSI {
				out.ends = append(out.ends, uint32(len(out.data)))
			}
			return out, scanErr(sc)
		case xmlStart:
			switch string(tok.local) {
			case "si":
				inSI = true
				out.data = out.data[:out.lastEnd()]
				sbStart, sbEnd, committed = len(out.data), len(out.data), false
				if inPh > 0 {
					break // a guide's text would go apart: token by token
				}
				if raw, ok := sc.plainItem(); ok {
					// <t>raw</t></si> at once (officefast.go).
					out.data = unescapeXML(out.data, raw)
					sbEnd = len(out.data)
					inT = false
					if endSI() {
						return out, nil
					}
				}
			case "t":
				inT = true
			case "rPh":
				inPh++
			}
		case xmlSelfClose:
			if string(tok.local) == "si" {
				out.ends = append(out.ends, uint32(out.lastEnd()))
			}
		case xmlEnd:
			switch string(tok.local) {
			case "si":
				if endSI() {
					return out, nil
				}
			case "t":
				inT = false
			case "rPh":
				if inPh > 0 {
					inPh--
				}
			}
		case xmlChars:
			if inSI && inT && inPh == 0 {
				out.data = append(out.data, tok.text...)
				sbEnd = len(out.data)
			} else if inSI && inT {
				ph = append(ph, tok.text...) // a phonetic guide: read apart (officeextras.go)
			}
		}
	}
}

// sheetText streams one worksheet: a row is a line, cells are separated by
// tabs (empty columns keep their tab, so columns line up).
func (w *walker) sheetText(r io.Reader, shared sstTable, dates []bool) (string, error) {
	return w.sheetTextTo(r, shared, dates, nil)
}

// sheetTextTo is sheetText streaming a large sheet through ps (nil: never);
// the text returned is what was not streamed.
func (w *walker) sheetTextTo(r io.Reader, shared sstTable, dates []bool, ps *partStream) (string, error) {
	sc := w.scanner(r)
	defer w.release(sc)
	var tok xmlTok
	var sb textBuf
	pend := sstBatch{out: &sb}
	var (
		inCell, inV, inIS, inT bool
		tail                   bool // after sheetData: validations, headers (officeextras.go)
		inF                    bool
		formula                []byte
		cellType               string
		style                  int
		col, lastCol           int
		val                    []byte
		dateBuf                [16]byte // a date cell's YYYY-MM-DD hh:mm
	)
	// endCellWith ends the cell whose value is the val it is given: the
	// cell's val, or a plain cell's value still in the scanner's buffer
	// (used before the scanner moves on), so it is not copied first.
	endCellWith := func(val []byte) {
		if !inCell {
			return
		}
		inCell = false
		// Numbers and inline text are written as they are, shared strings
		// looked up: no string is made per cell.
		var text []byte
		var str string
		sharedAt := -1
		switch cellType {
		case "s":
			i, ok := atoiBytes(bytes.TrimSpace(val))
			if !ok || i >= shared.len() {
				return
			}
			if !shared.empty(i) {
				sharedAt = i
			} else if i < len(w.sstUsed) {
				w.sstUsed[i] = true
			}
		case "b":
			str = "FALSE"
			if string(bytes.TrimSpace(val)) == "1" {
				str = "TRUE"
			}
		default:
			text = val
			if cellType == "" && style >= 0 && style < len(dates) && dates[style] {
				if d, ok := appendSerialDate(dateBuf[:0], val); ok {
					text = d // what excelDate gives, without a string
				} else {
					str, text = excelDate(string(val)), nil
				}
			}
		}
		if len(text) == 0 && str == "" && sharedAt < 0 {
			// A formula with no cached value (Excel computes it on
			// opening): its text, string literals and all.
			if text = formula; len(text) == 0 {
				return
			}
		}
		gap := col - lastCol
		if lastCol == 0 {
			gap = col - 1
		}
		if gap > 0 {
			pend.WriteString(tabs[:min(gap, len(tabs))])
		}
		if sharedAt >= 0 {
			pend.shared(sharedAt)
		}
		pend.Write(text)
		pend.WriteString(str)
		lastCol = col
		if pend.full() {
			pend.drain(&shared, w.sstUsed)
		}
	}
	endCell := func() { endCellWith(val) }
	done := func() string {
		pend.drain(&shared, w.sstUsed)
		return sb.done()
	}
	for {
		if w.tick() {
			return done(), errStop
		}
		sc.nextFast(&tok, inCell && (inV || inIS && inT || inF) || tail)
		switch tok.kind {
		case xmlNone:
			return done(), scanErr(sc)
		case xmlStart, xmlSelfClose:
			switch string(tok.local) {
			case "row":
				if lastCol > 0 {
					pend.WriteByte('\n') // previous row was not closed
				}
				lastCol = 0
			case "c":
				inCell, cellType, col, style = true, "", lastCol+1, 0
				val, formula = val[:0], formula[:0]
				vs, vt, vr, okS, okT, okR := cellAttrs(tok.attrs)
				if okS {
					style, _ = atoiBytes(vs)
				}
				if okT {
					cellType = cellTypeName(vt)
				}
				if okR {
					if c := columnIndexBytes(vr); c > 0 {
						col = c
					}
				}
				if tok.kind == xmlSelfClose {
					inCell = false
				} else if raw, inline, ok := sc.cellBody(); ok {
					// The tokens of a plain cell's value and end at
					// once (officefast.go): what they would have set.
					v := raw
					if bytes.IndexByte(raw, '&') >= 0 {
						val = unescapeXML(val, raw)
						v = val
					}
					if inline {
						inIS, inT = false, false
					} else {
						inV = false
					}
					endCellWith(v)
				}
			case "v":
				inV = tok.kind == xmlStart
			case "f":
				inF = tok.kind == xmlStart
			case "is":
				inIS = tok.kind == xmlStart
			case "t":
				inT = tok.kind == xmlStart
			case "rPh":
				inT = false
			}
		case xmlEnd:
			switch string(tok.local) {
			case "row":
				endCell()
				if lastCol > 0 {
					pend.WriteByte('\n')
					if len(pend.ops) == 0 || pend.batched() {
						pend.drain(&shared, w.sstUsed)
						w.flush(ps, &sb)
					}
				}
				lastCol = 0
			case "c":
				endCell()
			case "sheetData":
				tail = true
			case "v":
				inV = false
			case "f":
				inF = false
			case "is":
				inIS = false
			case "t":
				inT = false
			}
		case xmlChars:
			if inCell && (inV || inIS && inT) {
				val = append(val, tok.text...)
			} else if inCell && inF {
				formula = append(formula, tok.text...)
			} else if tail {
				if t := sheetTailText(tok.text); t != "" {
					pend.WriteString(t)
					pend.WriteByte('\n')
				}
			}
		}
		// The batch's strings count at their longest, so the text is cut
		// at the token it was cut at unbatched: near the limit the batch
		// is drained at every token and the limit checked on what it is.
		if room := w.room() + int64(psCarry(ps)); int64(sb.Len()+len(pend.lit))+int64(len(pend.ops))*int64(shared.maxLen) > room {
			if pend.drain(&shared, w.sstUsed); int64(sb.Len()) > room {
				return sb.done(), nil
			}
		}
	}
}

// tabs separate cells (a gap of empty columns is at most 64 tabs).
const tabs = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"

// cellTypeName returns a cell's t attribute as a constant string (no
// allocation for the types that matter; others read as plain values).
func cellTypeName(v []byte) string {
	switch string(v) {
	case "s":
		return "s"
	case "b":
		return "b"
	case "":
		return ""
	}
	return "other"
}

// atoiBytes parses a non-negative decimal index without allocating.
func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// columnIndex turns "AB12" into 28.
func columnIndex(ref string) int {
	c := 0
	for i := 0; i < len(ref) && i < 4; i++ {
		ch := ref[i]
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		if ch < 'A' || ch > 'Z' {
			break
		}
		c = c*26 + int(ch-'A'+1)
	}
	return c
}

// odf extracts an OpenDocument text/spreadsheet/presentation.
func (w *walker) odf(n node, base string, byName map[string]*zip.File) {
	// A password-protected OpenDocument keeps the ZIP readable but
	// encrypts its parts; the manifest says so.
	if f := byName["META-INF/manifest.xml"]; f != nil {
		if data, ok := w.readEntry(child(base, "zip", f.Name), f); ok && bytes.Contains(data, []byte("encryption-data")) {
			w.problem(leaf(base), Encrypted, "OpenDocument is password-protected")
			return
		}
	}
	for _, name := range []string{"content.xml", "styles.xml"} {
		f := byName[name]
		if f == nil || w.expired() {
			continue
		}
		origin := child(base, "zip", name)
		rc, ok := w.openEntry(origin, f)
		if !ok {
			continue
		}
		text, err := w.odfText(rc, name == "styles.xml")
		rc.Close()
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errStop) {
			w.problem(origin, Malformed, "document XML does not parse; text before the damage was kept")
		}
		w.emit(origin, text)
	}
	w.odfOthers(n, base, byName)
	if w.lim.OCR != nil {
		w.odfImages(n, base, byName)
	}
}

// odfOthers reads the members of an OpenDocument besides its content,
// styles and properties: the content of embedded objects ("Object 1/
// content.xml": a chart's data table, a formula, an embedded sheet), and
// any other file the package holds, which no OpenDocument reader shows
// but the upload carries. Pictures (Pictures/, the objects' previews, the
// thumbnail) are left to OCR; members that only look like pictures are
// read as what they are.
func (w *walker) odfOthers(n node, base string, byName map[string]*zip.File) {
	names := make([]string, 0, len(byName))
	for name := range byName {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f := byName[name]
		if w.expired() {
			return
		}
		dir, leafName := path.Split(name)
		switch {
		case f.FileInfo().IsDir(), dir == "" && odfPlumbing[leafName], strings.HasPrefix(name, "META-INF/"), strings.HasPrefix(name, "Configurations2/"):
			continue
		case dir != "" && leafName == "content.xml":
			origin := child(base, "zip", sanitizeName(name))
			rc, ok := w.openEntry(origin, f)
			if !ok {
				continue
			}
			text, err := w.odfText(rc, false)
			rc.Close()
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errStop) {
				w.problem(origin, Malformed, "embedded object XML does not parse; text before the damage was kept")
			}
			w.emit(origin, text)
		case dir != "" && odfPlumbing[leafName]:
			continue // an object's own styles, settings and properties
		default:
			w.unlessPicture(n, base, f)
		}
	}
}

// odfPlumbing names the OpenDocument parts that are read elsewhere
// (content, styles, meta: odf, ooxmlExtras) or hold no document text.
var odfPlumbing = map[string]bool{"mimetype": true, "content.xml": true, "styles.xml": true, "meta.xml": true, "settings.xml": true, "manifest.rdf": true}

// odfText reads text:p/text:h paragraphs and table rows; styles.xml only
// contributes header and footer text.
func (w *walker) odfText(r io.Reader, stylesOnly bool) (string, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	var sb textBuf
	inBody, inCell := 0, 0
	room := w.room()
	for {
		if w.tick() {
			return sb.String(), errStop
		}
		tok, err := dec.RawToken()
		if err != nil {
			return sb.String(), err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "body":
				if !stylesOnly {
					inBody++
				}
			case "header", "footer", "header-left", "footer-left", "header-first", "footer-first":
				if stylesOnly {
					inBody++
				}
			case "s":
				if inBody > 0 {
					k := 1
					for _, a := range t.Attr {
						if a.Name.Local == "c" {
							if v, err := strconv.Atoi(a.Value); err == nil && v > 0 && v < 100 {
								k = v
							}
						}
					}
					sb.WriteString(strings.Repeat(" ", k))
				}
			case "tab":
				if inBody > 0 {
					sb.WriteByte('\t')
				}
			case "line-break":
				if inBody > 0 {
					sb.WriteByte('\n')
				}
			case "table-cell":
				inCell++
			case "a":
				// A link's target is text the reader does not see but the
				// upload carries ("http://x/?id=A123456(3)").
				for _, a := range t.Attr {
					if inBody > 0 && a.Name.Local == "href" && a.Value != "" {
						sb.WriteByte(' ')
						sb.WriteString(a.Value)
						sb.WriteByte(' ')
					}
				}
			case "note-body", "annotation":
				// A footnote or comment sits inside its paragraph in the
				// XML: it must not run into the words around it.
				if inBody > 0 {
					sb.WriteByte('\n')
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "body", "header", "footer", "header-left", "footer-left", "header-first", "footer-first":
				if inBody > 0 && (t.Name.Local == "body") != stylesOnly {
					inBody--
				}
			case "p", "h":
				if inBody > 0 && inCell > 0 {
					sb.WriteByte(' ')
				} else if inBody > 0 {
					sb.WriteByte('\n')
				}
			case "table-cell":
				if inCell > 0 {
					inCell--
				}
				if inBody > 0 {
					sb.trimSpace()
					if inCell > 0 {
						sb.WriteByte(' ') // a nested table's cell (as in Word)
					} else {
						sb.WriteByte('\t')
					}
				}
			case "table-row":
				if inBody > 0 && inCell > 0 {
					sb.trimSpace()
					sb.WriteByte(' ') // a nested table's row stays in its outer cell
				} else if inBody > 0 {
					sb.WriteByte('\n')
				}
			case "note-body", "annotation":
				if inBody > 0 {
					sb.WriteByte('\n')
				}
			}
		case xml.CharData:
			if inBody > 0 {
				sb.Write(t)
			}
		}
		if int64(sb.Len()) > room {
			return sb.String(), nil
		}
	}
}

// xmlText returns the character data of a generic XML document, one line
// per element that held text.
func xmlText(r io.Reader, stop func() bool) string {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var sb strings.Builder
	for {
		if stop() {
			return sb.String()
		}
		tok, err := dec.RawToken()
		if err != nil {
			return sb.String()
		}
		switch t := tok.(type) {
		case xml.CharData:
			if s := strings.TrimSpace(string(t)); s != "" {
				sb.WriteString(s)
				sb.WriteByte('\n')
			}
		case xml.StartElement:
			for _, a := range t.Attr {
				// Attribute values can carry data (e.g. <row name="..."/>).
				if s := strings.TrimSpace(a.Value); s != "" && a.Name.Space != "xmlns" && a.Name.Local != "xmlns" && len(s) > 1 {
					sb.WriteString(s)
					sb.WriteByte('\n')
				}
			}
		}
	}
}

// xmlRecordsText returns the text of an XML document sent as a body, with
// its records kept together: an element whose children are all leaves
// (<c><name>..</name><phone>..</phone></c>, or <c name=".." phone=".."/>)
// is one line, its values joined by tabs, as a row of a table is, so a
// customer export in XML reads as the table it is; mixed content
// (<p>text <b>bold</b> more</p>) is one line in document order. Every
// character data and attribute value xmlText reads is read here too.
func xmlRecordsText(r io.Reader, stop func() bool) string {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	type frame struct {
		parts    []string
		children int  // element children
		mixed    bool // character data beside element children
	}
	var sb strings.Builder
	var stack []*frame
	line := func(f *frame) {
		if len(f.parts) == 0 {
			return
		}
		sep := "\t"
		if f.mixed {
			sep = " "
		}
		sb.WriteString(strings.Join(f.parts, sep))
		sb.WriteByte('\n')
	}
	end := func() {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if len(stack) > 0 && f.children == 0 && len(f.parts) <= 1 {
			// A leaf with one value: it joins its parent's line (one
			// with several, <row name=".." phone=".."/>, is a record).
			p := stack[len(stack)-1]
			p.parts = append(p.parts, f.parts...)
			return
		}
		line(f)
	}
	for {
		if stop() {
			break
		}
		tok, err := dec.RawToken()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			f := &frame{}
			if len(stack) > 0 {
				stack[len(stack)-1].children++
			}
			for _, a := range t.Attr {
				if v := strings.TrimSpace(a.Value); v != "" && a.Name.Space != "xmlns" && a.Name.Local != "xmlns" && len(v) > 1 {
					f.parts = append(f.parts, v)
				}
			}
			if len(stack) >= 10000 {
				// Deeper than any real export: read flat from here.
				line(f)
				continue
			}
			stack = append(stack, f)
		case xml.EndElement:
			if len(stack) > 0 {
				end()
			}
		case xml.CharData:
			if v := strings.TrimSpace(string(t)); v != "" {
				if len(stack) == 0 {
					sb.WriteString(v)
					sb.WriteByte('\n')
					continue
				}
				f := stack[len(stack)-1]
				f.parts = append(f.parts, v)
				if f.children > 0 {
					f.mixed = true
				}
			}
		}
	}
	for len(stack) > 0 {
		end() // elements left open at the end
	}
	return sb.String()
}

// textBuf is a builder that can drop trailing spaces (cell ends).
type textBuf struct{ b []byte }

// sstBatch holds a sheet's text for a batch of cells, their shared
// strings as indexes, so the strings are looked up together (drain).
// A sheet's cells index the table at random: looked up one at a time,
// each cost a cache miss or two on a table of MBs, in series with the
// parsing of the cell after it, and that was most of a shared-strings
// sheet's time. Looked up together, the misses are in flight at once.
// What reaches the text is the same, in the same order.
type sstBatch struct {
	out  *textBuf // the sheet's text, where drain puts the batch
	lit  []byte   // the text of the batch but its shared strings
	ops  []sstRef // where in lit each shared string goes
	sink byte
}

type sstRef struct{ at, idx int32 }

// A batch is drained when it holds sstBatchRefs strings or sstBatchText
// bytes: small enough to stay in cache, large enough for the lookups to
// overlap.
const (
	sstBatchRefs = 128
	sstBatchText = 32 << 10
)

// Text before the batch's first shared string goes straight to the
// sheet's text (out): a sheet of inline strings and numbers is not
// copied twice.
func (p *sstBatch) WriteByte(c byte) error {
	if len(p.ops) == 0 {
		return p.out.WriteByte(c)
	}
	p.lit = append(p.lit, c)
	return nil
}

func (p *sstBatch) Write(b []byte) {
	if len(p.ops) == 0 {
		p.out.Write(b)
		return
	}
	p.lit = append(p.lit, b...)
}

func (p *sstBatch) WriteString(s string) {
	if len(p.ops) == 0 {
		p.out.WriteString(s)
		return
	}
	p.lit = append(p.lit, s...)
}

// shared puts string idx at the current end of the text.
func (p *sstBatch) shared(idx int) {
	p.ops = append(p.ops, sstRef{at: int32(len(p.lit)), idx: int32(idx)})
}

// full reports the batch is due; batched, that a row's end should drain
// it (a row's end is where text is streamed on; with no string pending
// the text is all in out, and streamed on at every row's end).
func (p *sstBatch) full() bool    { return len(p.ops) >= 4*sstBatchRefs || len(p.lit) >= 4*sstBatchText }
func (p *sstBatch) batched() bool { return len(p.ops) >= sstBatchRefs || len(p.lit) >= sstBatchText }

// drain appends the batch's text to out, the shared strings looked up
// from t, marks them used, and empties the batch.
func (p *sstBatch) drain(t *sstTable, used []bool) {
	sb := p.out
	// First every string's bounds and first byte, in a loop whose
	// iterations do not depend on each other: their misses overlap.
	need := len(p.lit)
	var touch byte
	for _, op := range p.ops {
		i := int(op.idx)
		start := uint32(0)
		if i > 0 {
			start = t.ends[i-1]
		}
		end := t.ends[i]
		need += int(end - start)
		if end > start {
			touch |= t.data[start]
		}
		if i < len(used) {
			used[i] = true
		}
	}
	p.sink = touch // kept, so the loads are
	sb.b = slices.Grow(sb.b, need)
	from := int32(0)
	for _, op := range p.ops {
		sb.b = append(sb.b, p.lit[from:op.at]...)
		sb.b = append(sb.b, t.at(int(op.idx))...)
		from = op.at
	}
	sb.b = append(sb.b, p.lit[from:]...)
	p.lit, p.ops = p.lit[:0], p.ops[:0]
}

func (t *textBuf) WriteByte(c byte) error { t.b = append(t.b, c); return nil }
func (t *textBuf) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	return len(p), nil
}
func (t *textBuf) WriteString(s string) (int, error) {
	t.b = append(t.b, s...)
	return len(s), nil
}
func (t *textBuf) Len() int       { return len(t.b) }
func (t *textBuf) String() string { return string(t.b) }

// done returns the text without copying it (a part's text can be tens of
// MB) and empties the builder: nothing may be written to it afterwards.
func (t *textBuf) done() string {
	s := aliasString(t.b)
	t.b = nil
	return s
}

// fit is done for a builder given capacity hint at the start: text much
// shorter than that is copied out, so a segment never holds on to more
// room than its text would have grown to (a part that declares a large
// size and holds a few words keeps a few words).
func (t *textBuf) fit(hint int) string {
	if hint > 0 && cap(t.b) == hint && len(t.b) < hint/2 {
		s := string(t.b)
		t.b = nil
		return s
	}
	return t.done()
}

func (t *textBuf) trimSpace() {
	for len(t.b) > 0 && t.b[len(t.b)-1] == ' ' {
		t.b = t.b[:len(t.b)-1]
	}
}

// imageOnly reports a document that yielded no text but holds pictures (a
// scanned ID card pasted into Word): what it shows was not inspected.
// Pictures next to text (logos) are not worth a problem each.
func (w *walker) imageOnly(n node, base string, zr *zip.Reader) {
	w.mediaNonPictures(n, base, zr)
	if w.lim.OCR != nil {
		w.docImages(n, base, zr)
		return
	}
	if w.res.TextBytes > w.docStart || w.stop {
		return
	}
	for _, f := range zr.File {
		if strings.Contains(f.Name, "/media/") && !f.FileInfo().IsDir() {
			w.problem(leaf(base), Unsupported, "document holds only pictures, no text: the pictures were not inspected")
			return
		}
	}
}

// mediaNonPictures reads the members under a package's media folders
// (word/media/, xl/media/, ppt/media/) that are not the pictures, sounds
// or films they are filed as: Office shows them as broken pictures, but
// their bytes are in the upload ("image1.png" holding a customer list).
// Real media stay with OCR (docImages) or the pictures-only report; so do
// Office's own picture formats (officePicture). Anything else is walked as
// what it is: a text is read, an unknown binary is reported.
func (w *walker) mediaNonPictures(n node, base string, zr *zip.Reader) {
	for _, f := range zr.File {
		if w.expired() {
			return
		}
		if strings.Contains(f.Name, "/media/") && !f.FileInfo().IsDir() {
			w.unlessPicture(n, base, f)
		}
	}
}

// unlessPicture walks the package member f as a file of its own unless it
// is a real picture, sound or film, or one of Office's own picture
// formats (officePicture).
func (w *walker) unlessPicture(n node, base string, f *zip.File) {
	if f.UncompressedSize64 == 0 {
		return
	}
	if rc, err := f.Open(); err == nil {
		head := make([]byte, min(mediaHead, f.UncompressedSize64))
		k, _ := io.ReadFull(rc, head)
		rc.Close()
		head = head[:k]
		if _, real := mediaCheck(head, int64(f.UncompressedSize64)); real || officePicture(head) {
			return
		}
	}
	// Not a picture, or not openable (readEntry reports why).
	origin := child(base, "zip", sanitizeName(f.Name))
	data, ok := w.readEntry(origin, f)
	if !ok {
		return
	}
	w.node(node{origin: origin, name: f.Name, body: memBlob(data), depth: n.depth + 1})
}

// officePicture reports the picture formats Office keeps beside the
// common ones: EMF (a record of type 1 with " EMF" at offset 40), WMF
// (placeable or plain header), either gzip-compressed (.emz, .wmz), JPEG XR
// (.wdp, Office's HD photos) and the StarView metafiles OpenDocument keeps
// as previews of embedded objects.
func officePicture(h []byte) bool {
	switch {
	case bytes.HasPrefix(h, []byte("VCLMTF")), bytes.HasPrefix(h, []byte("II\xbc\x01")), bytes.HasPrefix(h, []byte("II\xbc\x00")):
		return true
	case len(h) >= 44 && string(h[:4]) == "\x01\x00\x00\x00" && string(h[40:44]) == " EMF":
		return true
	case bytes.HasPrefix(h, []byte("\xd7\xcd\xc6\x9a")):
		return true
	case len(h) >= 4 && (h[0] == 1 || h[0] == 2) && h[1] == 0 && h[2] == 9 && h[3] == 0:
		return true
	case bytes.HasPrefix(h, []byte("\x1f\x8b")):
		zr, err := gzip.NewReader(bytes.NewReader(h))
		if err != nil {
			return false
		}
		var inner [44]byte
		k, _ := io.ReadFull(zr, inner[:])
		return k >= 4 && !bytes.HasPrefix(inner[:k], []byte("\x1f\x8b")) && officePicture(inner[:k])
	}
	return false
}

// dateStyles reads xl/styles.xml: for each cell style index, whether its
// number format shows a date (dates of birth are stored as serial numbers
// and would otherwise read as "32874").
func (w *walker) dateStyles(base string, byName map[string]*zip.File) []bool {
	return w.dateStylesFile(base, byName["xl/styles.xml"])
}

// dateStylesFile is dateStyles for a styles part found by relationship.
func (w *walker) dateStylesFile(base string, f *zip.File) []bool {
	if f == nil || f.UncompressedSize64 > 16<<20 {
		return nil
	}
	data, ok := w.readEntry(child(base, "zip", f.Name), f)
	if !ok {
		return nil
	}
	custom := map[int]string{}
	var out []bool
	inXfs := false
	sc := newXMLScanner(bytes.NewReader(data))
	var tok xmlTok
	for sc.next(&tok); tok.kind != xmlNone; sc.next(&tok) {
		switch {
		case tok.kind == xmlEnd && string(tok.local) == "cellXfs":
			inXfs = false
		case tok.kind != xmlStart && tok.kind != xmlSelfClose:
		case string(tok.local) == "numFmt":
			id, _ := tok.attr("numFmtId")
			code, _ := tok.attr("formatCode")
			if n, err := strconv.Atoi(id); err == nil {
				custom[n] = code
			}
		case string(tok.local) == "cellXfs":
			inXfs = tok.kind == xmlStart
		case inXfs && string(tok.local) == "xf":
			id, _ := tok.attr("numFmtId")
			n, _ := strconv.Atoi(id)
			out = append(out, isDateFormat(n, custom[n]))
		}
	}
	return out
}

// isDateFormat knows the built-in date formats (including the CJK ones)
// and recognises custom codes with day or year parts.
func isDateFormat(id int, code string) bool {
	switch {
	case id >= 14 && id <= 17, id == 22, id >= 27 && id <= 36, id >= 50 && id <= 58:
		return true
	case code == "":
		return false
	}
	// Drop quoted literals and [..] sections (colours, locales).
	var sb strings.Builder
	quote, bracket := false, false
	for _, r := range strings.ToLower(code) {
		switch {
		case r == '"':
			quote = !quote
		case quote:
		case r == '[':
			bracket = true
		case r == ']':
			bracket = false
		case !bracket:
			sb.WriteRune(r)
		}
	}
	c := sb.String()
	return strings.ContainsAny(c, "yd") || strings.Contains(c, "年") || strings.Contains(c, "日")
}

// appendSerialDate appends excelDate(v) for the common cases, a serial
// written as digits with at most one '.' (a date of birth, a timestamp:
// no sign, exponent or spaces), with the calendar worked out from the day
// number instead of by the time package (a date column cost more than
// the rest of its row); ok false for anything else, which excelDate
// handles. The arithmetic is excelDate's: the same float, the same
// rounding of the time part to seconds, shown to the minute.
// TestSerialDate and FuzzSerialDate hold the two equal.
func appendSerialDate(dst, v []byte) ([]byte, bool) {
	if len(v) == 0 || len(v) > 32 {
		return dst, false
	}
	dot, n := -1, 0
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int(c-'0')
		case c == '.' && dot < 0 && i > 0 && i < len(v)-1:
			dot = i
		default:
			return dst, false
		}
	}
	f := float64(n)
	if dot >= 0 || len(v) > 7 {
		// excelDate's ParseFloat, on bytes that stay put meanwhile.
		var err error
		if f, err = strconv.ParseFloat(aliasString(v), 64); err != nil {
			return dst, false
		}
	}
	if f < 1 || f > 2958465 {
		return dst, false
	}
	days := int(f)
	frac := f - float64(days)
	secs := 0
	if frac > 1e-9 {
		secs = int(time.Duration(frac*86400 + 0.5)) // excelDate's seconds
	}
	// Days from 1970-01-01: serial 25569 is that day; before serial 61
	// Excel counts a 1900-02-29 that never was (excelDate's base + 1).
	z := days - 25569 + secs/86400
	if days < 61 {
		z++
	}
	// civil_from_days (H. Hinnant), on the proleptic Gregorian calendar
	// the time package uses; z is positive here, so / is floor division.
	z += 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	if frac > 1e-9 {
		hh, mm := secs%86400/3600, secs%3600/60
		dst = append(dst, ' ', byte('0'+hh/10), byte('0'+hh%10), ':', byte('0'+mm/10), byte('0'+mm%10))
	}
	return dst, true
}

// excelDate renders a 1900-system serial as YYYY-MM-DD (with hh:mm when
// there is a time part); anything else is returned unchanged.
func excelDate(v string) string {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 1 || f > 2958465 {
		return v
	}
	days := int(f)
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if days < 61 {
		base = base.AddDate(0, 0, 1) // Excel's phantom 1900-02-29
	}
	t := base.AddDate(0, 0, days)
	if frac := f - float64(days); frac > 1e-9 {
		t = t.Add(time.Duration(frac*86400+0.5) * time.Second)
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("2006-01-02")
}
