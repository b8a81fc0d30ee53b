package extract

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"net/url"
	"path"
	"strings"
)

// OOXML read the way Office reads it: the main document is the target of
// the package's officeDocument relationship, every other part is found by
// following relationships from it, and a part's kind is its content type
// in [Content_Types].xml, never its name. A worksheet at xl/sheets/x.xml
// or a document at word/body.xml is read like the usual names.

// opcPart is one part reached through the relationships.
type opcPart struct {
	name  string // zip member name
	ctype string // content type, lower case
	f     *zip.File
}

// opcPackage is what the relationship walk found.
type opcPackage struct {
	main    opcPart
	parts   []opcPart         // in the order reached (breadth first)
	targets map[string]string // part name + "#" + relationship id -> target part
}

// maxOPCParts bounds the relationship walk.
const maxOPCParts = 5000

// opcNode reads an OOXML package by its relationships. It returns false
// when the package has no content types or no officeDocument relationship
// (the caller falls back to the usual part names).
func (w *walker) opcNode(n node, base string, zr *zip.Reader, byName map[string]*zip.File) bool {
	lower := make(map[string]*zip.File, len(byName))
	for name, f := range byName {
		lower[strings.ToLower(name)] = f
	}
	ctf := lower["[content_types].xml"]
	rootRels := lower["_rels/.rels"]
	if ctf == nil || rootRels == nil {
		return false
	}
	read := func(f *zip.File) []byte {
		if f == nil || f.UncompressedSize64 > 16<<20 {
			return nil
		}
		data, _ := w.readEntry(child(base, "zip", f.Name), f)
		return data
	}
	defaults, overrides := parseContentTypes(read(ctf))
	ctypeOf := func(name string) string {
		if ct := overrides[strings.ToLower(name)]; ct != "" {
			return ct
		}
		return defaults[strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))]
	}
	pkg := opcPackage{targets: map[string]string{}}
	for _, rel := range parseRels(read(rootRels), "") {
		if strings.HasSuffix(rel.typ, "/officedocument") {
			if f := lower[strings.ToLower(rel.target)]; f != nil {
				pkg.main = opcPart{name: f.Name, ctype: ctypeOf(f.Name), f: f}
				break
			}
		}
	}
	if pkg.main.f == nil || !isMainPart(pkg.main.ctype) {
		return false
	}
	// Breadth-first over the relationships of every reached part.
	seen := map[string]bool{strings.ToLower(pkg.main.name): true}
	queue := []opcPart{pkg.main}
	for len(queue) > 0 && len(pkg.parts) < maxOPCParts {
		if w.expired() {
			return true
		}
		p := queue[0]
		queue = queue[1:]
		pkg.parts = append(pkg.parts, p)
		relsName := path.Join(path.Dir(p.name), "_rels", path.Base(p.name)+".rels")
		for _, rel := range parseRels(read(lower[strings.ToLower(relsName)]), path.Dir(p.name)) {
			f := lower[strings.ToLower(rel.target)]
			if f == nil {
				continue
			}
			pkg.targets[p.name+"#"+rel.id] = f.Name
			if seen[strings.ToLower(f.Name)] {
				continue
			}
			seen[strings.ToLower(f.Name)] = true
			queue = append(queue, opcPart{name: f.Name, ctype: ctypeOf(f.Name), f: f})
		}
	}
	w.readOPC(n, base, zr, pkg)
	return true
}

func isMainPart(ct string) bool {
	return strings.HasSuffix(ct, ".main+xml") &&
		(strings.Contains(ct, "wordprocessingml") || strings.Contains(ct, "spreadsheetml") || strings.Contains(ct, "presentationml") ||
			strings.Contains(ct, "ms-word") || strings.Contains(ct, "ms-excel") || strings.Contains(ct, "ms-powerpoint"))
}

// opcSkip names content types that hold no document text.
var opcSkip = []string{
	"relationships", "theme", "settings+xml", "fonttable", "websettings", "numbering", "properties+xml",
	"presprops", "viewprops", "tablestyles", "slidelayout", "slidemaster", "notesmaster", "handoutmaster",
	"printersettings", "calcchain", "commentauthors", "stylesweffects", "styleswitheffects", "chartstyle",
	"chartcolorstyle", "diagramlayout", "diagramstyle", "diagramcolors", "fontdata", "obfuscatedfont",
	"customxmlproperties", "volatiledependencies", "vmldrawing", "wordprocessingml.styles+xml",
	"presentationml.presentation.main+xml", "slideshow.main+xml", "presentation.macroenabled.main+xml",
	"spreadsheetml.styles+xml", "sharedstrings+xml", "people+xml", "person+xml", "x-font", "tableparts", "table+xml",
}

// opcAllText names parts whose text is not in w:t/a:t runs: chart caches
// (c:v), PowerPoint and threaded comments (p:text, text), custom XML data
// bound to content controls. All their character data is read.
func opcAllText(ct string) bool {
	return strings.Contains(ct, "drawingml.chart") || strings.Contains(ct, "presentationml.comments") ||
		strings.Contains(ct, "threadedcomment") || ct == "application/xml" || ct == "text/xml" ||
		strings.Contains(ct, "customxml")
}

func opcSkipped(ct string) bool {
	for _, s := range opcSkip {
		if strings.Contains(ct, s) {
			return true
		}
	}
	return false
}

// readOPC emits the text of every reached part: worksheets as tables
// (with shared strings, date styles and tab names from the workbook), XML
// parts as WordprocessingML/DrawingML text, embedded files as nodes.
func (w *walker) readOPC(n node, base string, zr *zip.Reader, pkg opcPackage) {
	w.docStart = w.res.TextBytes
	var shared sstTable
	var dates []bool
	sheetNames := map[string]string{}
	for _, p := range pkg.parts {
		switch {
		case strings.Contains(p.ctype, "sharedstrings+xml") && shared.ends == nil:
			origin := child(base, "zip", p.name)
			if rc, ok := w.openEntry(origin, p.f); ok {
				var err error
				shared, err = w.sharedStrings(rc)
				rc.Close()
				if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errStop) {
					w.problem(origin, Malformed, "shared strings do not parse; strings before the damage were kept")
				}
			}
		case strings.Contains(p.ctype, "spreadsheetml.styles+xml") && dates == nil:
			dates = w.dateStylesFile(base, p.f)
		case strings.Contains(p.ctype, "spreadsheetml") && strings.HasSuffix(p.ctype, ".main+xml") ||
			strings.Contains(p.ctype, "ms-excel") && strings.HasSuffix(p.ctype, ".main+xml"):
			w.workbookSheets(base, p, pkg.targets, sheetNames)
		}
	}
	// Worksheets, slides and others in name order within their kind
	// (slide10 after slide9), the main part first.
	var sheets, texts, files []opcPart
	for _, p := range pkg.parts {
		switch {
		case strings.Contains(p.ctype, "worksheet+xml"):
			sheets = append(sheets, p)
		case strings.HasPrefix(p.ctype, "image/"), opcSkipped(p.ctype) && p.name != pkg.main.name:
		case p.name == pkg.main.name && (strings.Contains(p.ctype, "spreadsheetml") || strings.Contains(p.ctype, "ms-excel") || strings.Contains(p.ctype, "presentation")):
			// workbook.xml / presentation.xml hold names only (read above).
		case strings.HasSuffix(p.ctype, "+xml") || strings.HasSuffix(p.ctype, "/xml"):
			texts = append(texts, p)
		default:
			files = append(files, p) // embedded objects, packages, binaries
		}
	}
	sortParts(sheets)
	sortParts(texts)
	w.sstUsed = make([]bool, shared.len())
	for _, p := range sheets {
		if w.expired() {
			return
		}
		origin := child(base, "zip", p.name)
		rc, ok := w.openEntry(origin, p.f)
		if !ok {
			continue
		}
		text, err := w.sheetText(rc, shared, dates)
		rc.Close()
		if sn := sheetNames[p.name]; sn != "" && text != "" {
			text = sn + "\n" + text
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errStop) {
			w.problem(origin, Malformed, "worksheet XML does not parse; rows before the damage were kept")
		}
		w.emit(origin, text)
	}
	w.unusedSharedStrings(base, shared) // officeextras.go
	for _, p := range texts {
		if w.expired() {
			return
		}
		origin := child(base, "zip", p.name)
		rc, ok := w.openEntry(origin, p.f)
		if !ok {
			continue
		}
		var text string
		var err error
		if opcAllText(p.ctype) {
			text = xmlText(rc, w.tick)
		} else {
			text, err = w.drawingMLText(rc)
		}
		rc.Close()
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errStop) {
			w.problem(origin, Malformed, "document XML part does not parse; text before the damage was kept")
		}
		w.emit(origin, text)
	}
	read := map[string]bool{}
	for _, p := range pkg.parts {
		read[p.name] = true
	}
	for _, p := range files {
		if w.expired() {
			return
		}
		origin := child(base, "zip", p.name)
		data, ok := w.readEntry(origin, p.f)
		if ok {
			w.node(node{origin: origin, name: p.name, body: memBlob(data), depth: n.depth + 1})
		}
	}
	// Parts no relationship reaches are not shown by Office, but they are
	// in the upload: read any that is not package plumbing or a picture.
	for _, f := range zr.File {
		if w.expired() {
			return
		}
		if read[f.Name] || f.FileInfo().IsDir() || ooxmlPlumbing.MatchString(f.Name) || strings.Contains(f.Name, "/_rels/") {
			continue
		}
		origin := child(base, "zip", sanitizeName(f.Name))
		data, ok := w.readEntry(origin, f)
		if !ok {
			continue
		}
		if _, real := mediaCheck(w.head(memBlob(data), mediaHead), int64(len(data))); real {
			continue // an unused picture
		}
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")) {
			text, _ := w.drawingMLText(bytes.NewReader(data))
			if strings.TrimSpace(text) == "" {
				text = xmlText(bytes.NewReader(data), w.tick)
			}
			w.emit(origin, text)
			continue
		}
		w.node(node{origin: origin, name: f.Name, body: memBlob(data), depth: n.depth + 1})
	}
	w.imageOnly(n, base, zr)
}

func sortParts(ps []opcPart) {
	names := make([]string, len(ps))
	by := make(map[string]opcPart, len(ps))
	for i, p := range ps {
		names[i] = p.name
		by[p.name] = p
	}
	partOrder(names)
	for i, nm := range names {
		ps[i] = by[nm]
	}
}

// workbookSheets maps worksheet parts to their tab names (workbook.xml
// <sheet name r:id>, through the workbook's relationships).
func (w *walker) workbookSheets(base string, wb opcPart, targets map[string]string, out map[string]string) {
	if wb.f.UncompressedSize64 > 16<<20 {
		return
	}
	data, ok := w.readEntry(child(base, "zip", wb.name), wb.f)
	if !ok {
		return
	}
	sc := newXMLScanner(bytes.NewReader(data))
	var tok xmlTok
	for sc.next(&tok); tok.kind != xmlNone; sc.next(&tok) {
		if (tok.kind == xmlStart || tok.kind == xmlSelfClose) && string(tok.local) == "sheet" {
			name, _ := tok.attr("name")
			id, _ := tok.attr("id")
			if t := targets[wb.name+"#"+id]; t != "" && name != "" {
				out[t] = name
			}
		}
	}
}

// parseContentTypes reads [Content_Types].xml: Default by extension and
// Override by part name (both lower-cased, part names without the "/").
func parseContentTypes(b []byte) (defaults, overrides map[string]string) {
	defaults, overrides = map[string]string{}, map[string]string{}
	sc := newXMLScanner(bytes.NewReader(b))
	var tok xmlTok
	for sc.next(&tok); tok.kind != xmlNone; sc.next(&tok) {
		if tok.kind != xmlStart && tok.kind != xmlSelfClose {
			continue
		}
		ct, _ := tok.attr("ContentType")
		ct = strings.ToLower(strings.TrimSpace(ct))
		switch string(tok.local) {
		case "Default":
			ext, _ := tok.attr("Extension")
			defaults[strings.ToLower(ext)] = ct
		case "Override":
			pn, _ := tok.attr("PartName")
			overrides[strings.ToLower(strings.TrimPrefix(pn, "/"))] = ct
		}
	}
	return defaults, overrides
}

type opcRel struct{ id, typ, target string }

// externalTargets emits the external targets of a relationships part:
// the addresses of hyperlinks and linked files, which Office shows only on
// hover but the upload carries ("https://x/?hkid=A123456(3)"), raw and,
// when it differs, percent-decoded.
func (w *walker) externalTargets(base string, f *zip.File) {
	if f.UncompressedSize64 > 16<<20 {
		return // a relationships part that size is not one; the limit is reported by the reads that need it
	}
	origin := child(base, "zip", sanitizeName(f.Name))
	data, ok := w.readEntry(origin, f)
	if !ok {
		return
	}
	var sb strings.Builder
	sc := newXMLScanner(bytes.NewReader(data))
	var tok xmlTok
	for sc.next(&tok); tok.kind != xmlNone; sc.next(&tok) {
		if (tok.kind != xmlStart && tok.kind != xmlSelfClose) || string(tok.local) != "Relationship" {
			continue
		}
		if mode, _ := tok.attr("TargetMode"); !strings.EqualFold(mode, "External") {
			continue
		}
		target, _ := tok.attr("Target")
		if target == "" {
			continue
		}
		sb.WriteString(target)
		sb.WriteByte('\n')
		if u, err := url.QueryUnescape(target); err == nil && u != target {
			sb.WriteString(u)
			sb.WriteByte('\n')
		}
	}
	w.emit(origin, sb.String())
}

// parseRels reads a .rels part; targets are resolved against dir (the
// source part's folder) to zip member names. External targets are dropped.
func parseRels(b []byte, dir string) []opcRel {
	var out []opcRel
	sc := newXMLScanner(bytes.NewReader(b))
	var tok xmlTok
	for sc.next(&tok); tok.kind != xmlNone; sc.next(&tok) {
		if (tok.kind != xmlStart && tok.kind != xmlSelfClose) || string(tok.local) != "Relationship" {
			continue
		}
		if mode, _ := tok.attr("TargetMode"); strings.EqualFold(mode, "External") {
			continue
		}
		id, _ := tok.attr("Id")
		typ, _ := tok.attr("Type")
		target, _ := tok.attr("Target")
		if i := strings.IndexAny(target, "#?"); i >= 0 {
			target = target[:i]
		}
		if u, err := url.PathUnescape(target); err == nil {
			target = u
		}
		if target == "" {
			continue
		}
		if strings.HasPrefix(target, "/") {
			target = path.Clean(target)[1:]
		} else {
			target = path.Clean(path.Join("/"+dir, target))[1:]
		}
		out = append(out, opcRel{id: id, typ: strings.ToLower(typ), target: target})
	}
	return out
}
