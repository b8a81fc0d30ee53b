package extract

// Frozen references of the Office readers as they were before the
// sheet/shared-string/DrawingML fast paths (office.go, officefast.go):
// the equivalence tests and FuzzOfficeEquivalence compare the new readers
// with these. Do not edit them to make a test pass.

import (
	"bytes"
	"io"
)

// refDrawingMLTextTo is drawingMLText streaming a large part through ps (nil:
// never); the text returned is what was not streamed.
func (w *walker) refDrawingMLTextTo(r io.Reader, ps *partStream) (string, error) {
	sc := w.scanner(r)
	defer w.release(sc)
	var tok xmlTok
	var sb textBuf
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
		}
	}
	for {
		if w.tick() {
			return sb.done(), errStop
		}
		sc.next(&tok)
		switch tok.kind {
		case xmlNone:
			return sb.done(), scanErr(sc)
		case xmlStart, xmlSelfClose:
			switch string(tok.local) {
			case "t", "delText", "instrText", "delInstrText":
				inText++
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
			return sb.done(), nil // emit reports the limit
		}
	}
}

// refSharedStrings reads xl/sharedStrings.xml: one string per <si>, rich-text
// runs joined, phonetic guides (<rPh>) skipped.
func (w *walker) refSharedStrings(r io.Reader) ([]string, error) {
	sc := w.scanner(r)
	defer w.release(sc)
	var tok xmlTok
	var out []string
	var sb, ph []byte
	inSI, inT, inPh := false, false, 0
	w.sstPhonetic = w.sstPhonetic[:0]
	var total int64
	for {
		if w.tick() {
			return out, errStop
		}
		sc.next(&tok)
		switch tok.kind {
		case xmlNone:
			if inSI {
				out = append(out, string(sb))
			}
			return out, scanErr(sc)
		case xmlStart:
			switch string(tok.local) {
			case "si":
				inSI = true
				sb = sb[:0]
			case "t":
				inT = true
			case "rPh":
				inPh++
			}
		case xmlSelfClose:
			if string(tok.local) == "si" {
				out = append(out, "")
			}
		case xmlEnd:
			switch string(tok.local) {
			case "si":
				inSI = false
				if len(ph) > 0 {
					w.sstPhonetic = append(append(w.sstPhonetic, ph...), '\n')
					ph = ph[:0]
				}
				out = append(out, string(sb))
				total += int64(len(sb))
				if total > w.lim.MaxTotalBytes {
					w.limit("", "shared strings exceed the total extracted text limit; later strings were not read")
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
				sb = append(sb, tok.text...)
			} else if inSI && inT {
				ph = append(ph, tok.text...) // a phonetic guide: read apart (officeextras.go)
			}
		}
	}
}

// refSheetTextTo is sheetText streaming a large sheet through ps (nil: never);
// the text returned is what was not streamed.
func (w *walker) refSheetTextTo(r io.Reader, shared []string, dates []bool, ps *partStream) (string, error) {
	sc := w.scanner(r)
	defer w.release(sc)
	var tok xmlTok
	var sb textBuf
	var (
		inCell, inV, inIS, inT bool
		tail                   bool // after sheetData: validations, headers (officeextras.go)
		inF                    bool
		formula                []byte
		cellType               string
		style                  int
		col, lastCol           int
		val                    []byte
	)
	endCell := func() {
		if !inCell {
			return
		}
		inCell = false
		// Numbers and inline text are written as they are, shared strings
		// looked up: no string is made per cell.
		var text []byte
		var str string
		switch cellType {
		case "s":
			i, ok := atoiBytes(bytes.TrimSpace(val))
			if !ok || i >= len(shared) {
				return
			}
			str = shared[i]
			if i < len(w.sstUsed) {
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
				str, text = excelDate(string(val)), nil
			}
		}
		if len(text) == 0 && str == "" {
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
			sb.WriteString(tabs[:min(gap, len(tabs))])
		}
		sb.Write(text)
		sb.WriteString(str)
		lastCol = col
	}
	for {
		if w.tick() {
			return sb.done(), errStop
		}
		sc.next(&tok)
		switch tok.kind {
		case xmlNone:
			return sb.done(), scanErr(sc)
		case xmlStart, xmlSelfClose:
			switch string(tok.local) {
			case "row":
				if lastCol > 0 {
					sb.WriteByte('\n') // previous row was not closed
				}
				lastCol = 0
			case "c":
				inCell, cellType, col, style = true, "", lastCol+1, 0
				val, formula = val[:0], formula[:0]
				vs, vt, vr, okS, okT, okR := tok.rawAttrs3("s", "t", "r")
				if okS {
					style, _ = atoiBytes(vs)
				}
				if okT {
					cellType = cellTypeName(vt)
				}
				if okR {
					if c := columnIndex(string(vr)); c > 0 {
						col = c
					}
				}
				if tok.kind == xmlSelfClose {
					inCell = false
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
					sb.WriteByte('\n')
					w.flush(ps, &sb)
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
					sb.WriteString(t)
					sb.WriteByte('\n')
				}
			}
		}
		if int64(sb.Len()) > w.room()+int64(psCarry(ps)) {
			return sb.done(), nil
		}
	}
}
