package extract

import (
	"archive/zip"
	"regexp"
	"slices"
	"strings"
)

// unusedSharedStrings emits the phonetic guides of the shared strings and
// the strings no worksheet cell referred to, and forgets both.
func (w *walker) unusedSharedStrings(base string, shared sstTable) {
	used := w.sstUsed
	w.sstUsed = nil
	var sb strings.Builder
	sb.Write(w.sstPhonetic)
	w.sstPhonetic = w.sstPhonetic[:0]
	for i := range shared.len() {
		if s := shared.at(i); i < len(used) && !used[i] && len(s) > 0 {
			sb.Write(s)
			sb.WriteByte('\n')
		}
	}
	if sb.Len() > 0 {
		w.emit(child(base, "zip", "xl/sharedStrings.xml"), sb.String())
	}
}

// altText writes the alternative text of a drawing's cNvPr or docPr.
// fieldInstr writes a simple field's code (w:fldSimple w:instr="...").
func fieldInstr(sb *textBuf, tok *xmlTok) {
	if v, ok := tok.attr("instr"); ok && strings.TrimSpace(v) != "" {
		sb.WriteString(strings.TrimSpace(v))
		sb.WriteByte(' ')
	}
}

func altText(sb *textBuf, tok *xmlTok) {
	for _, name := range []string{"descr", "title"} {
		if v, ok := tok.attr(name); ok && strings.TrimSpace(v) != "" {
			sb.WriteString(strings.TrimSpace(v))
			sb.WriteByte('\n')
		}
	}
}

// Office text outside the document body that the body readers (office.go,
// ooxmlrels.go) do not reach:
//
//   - document properties (docProps/core.xml: title, subject, keywords,
//     comments; app.xml: company, manager; custom.xml: custom
//     properties; ODF meta.xml), shown in File > Info;
//   - a workbook's defined names (xl/workbook.xml: a name can hold a
//     constant string or list);
//   - what follows a worksheet's cells (data-validation lists,
//     conditional-format formulas, page headers and footers): see
//     sheetTailText;
//   - shared strings no cell refers to (a crafted workbook can carry any
//     text there), the phonetic guides of shared strings, and the formula
//     of a cell that has no cached value (office.go);
//   - alternative text (descr, title) of pictures and shapes in DOCX,
//     PPTX and XLSX drawings;
//   - field codes ({ QUOTE "..." }, { HYPERLINK "..." }, merge fields):
//     w:instrText runs (office.go) and w:fldSimple's instr attribute;
//   - the external targets of relationships (hyperlink addresses, linked
//     files): externalTargets, ooxmlrels.go;
//   - members filed as pictures that are not pictures (word/media/,
//     Pictures/), worksheet comments, and an OpenDocument's embedded
//     objects, link targets, notes and any other member: office.go
//     (mediaNonPictures, odfOthers).

// ooxmlExtras reads the properties and workbook parts of a package, and
// the external targets of its relationships.
func (w *walker) ooxmlExtras(base string, byName map[string]*zip.File) {
	for _, name := range []string{"docProps/core.xml", "docProps/app.xml", "docProps/custom.xml", "xl/workbook.xml", "meta.xml"} {
		f := byName[name]
		if f == nil || w.expired() {
			continue
		}
		origin := child(base, "zip", name)
		rc, ok := w.openEntry(origin, f)
		if !ok {
			continue
		}
		text := xmlText(rc, w.tick)
		rc.Close()
		w.emit(origin, text)
	}
	// The external targets of every relationships part (ooxmlrels.go).
	var rels []string
	for name, f := range byName {
		if strings.HasSuffix(name, ".rels") && !f.FileInfo().IsDir() {
			rels = append(rels, name)
		}
	}
	slices.Sort(rels)
	for _, name := range rels {
		if w.expired() {
			return
		}
		w.externalTargets(base, byName[name])
	}
}

// headerFooterCode matches the formatting codes of an Excel header or
// footer: &L &C &R sections, &"font,style", &12 sizes, &P page fields.
var headerFooterCode = regexp.MustCompile(`&(?:"[^"]*"|[0-9]+|[LCRPNDTFAZBIUSXYEKGHOlcr&])`)

// sheetTailText is the text of character data after a worksheet's cells,
// one item a line: header and footer codes become spaces ("&LA123456(3)"
// is section L holding "A123456(3)").
func sheetTailText(b []byte) string {
	s := string(b)
	if strings.IndexByte(s, '&') >= 0 {
		s = headerFooterCode.ReplaceAllString(s, " ")
	}
	return strings.TrimSpace(s)
}
