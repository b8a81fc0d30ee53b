package extract

import (
	"bytes"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Text a PDF holds in objects its pages no longer use, read after the
// pages and pdfExtras. A viewer never shows it, but anyone with the file
// (or Acrobat's revision view) recovers it:
//
//   - superseded definitions: an incremental update appends a new
//     "N G obj" (or a new object stream) for each object it changes, and
//     scan and expandObjectStreams keep the definition it replaces (a
//     page "redacted" and saved incrementally still holds its old content
//     stream). A superseded definition that is the same
//     value as the current one is skipped; any other is read: its text
//     strings the current definition does not hold, an old content stream
//     or Form XObject with the resources of a page that names it, an old
//     page dictionary's content streams with that page's resources, old
//     XMP metadata, and old embedded files (each read as a member of its
//     own). Under <base>/pdf/superseded.
//   - unused content streams: a current stream whose operators show text
//     (BT ... Tj/TJ/'/" ... ET) that no page or Form XObject the page
//     reader ran uses, nor an annotation appearance, a pattern, a soft
//     mask or a Type3 glyph (pdfAppearances, pdfappear.go, read those a
//     page names; markShown marks them all). Under <base>/pdf/unused.
//     Not read when the page tree has more pages than MaxEntries (the
//     limit is reported).
//
// Content streams are read with the fonts of the resources found for
// them, else with every font of the document. Each stream is read once
// (d.used holds those the pages and pdfAppearances ran and those read
// here), each distinct text once, without the lines the pages (and the
// appearances) showed: an edited page's old stream yields what the edit
// removed. Images, fonts, ICC profiles, functions, XMP, object and
// cross-reference streams and embedded files are not content; a stream
// that may be content but does not decode is reported Unreadable.

// pdfDef is an object definition a later one (an incremental update's)
// replaced: its number, generation (for decryption) and value.
type pdfDef struct {
	num, gen int
	v        any
}

// leftText gathers the text of one leftover origin, each distinct piece
// (a stream's text, a string) once.
type leftText struct {
	sb   strings.Builder
	seen map[string]bool
}

func (lt *leftText) add(s string) {
	s = strings.TrimSpace(s)
	if s == "" || lt.seen[s] {
		return
	}
	if lt.seen == nil {
		lt.seen = map[string]bool{}
	}
	lt.seen[s] = true
	lt.sb.WriteString(s)
	lt.sb.WriteByte('\n')
}

// pdfLeftovers reads the superseded definitions and the unused content
// streams (above). pages are the pages the page reader read; allPages is
// false when the page tree was not walked to its end (more pages than
// MaxEntries, a limit reported): what the pages use is not known then,
// and no stream is read as unused.
func (d *pdfDoc) pdfLeftovers(n node, base string, pages []pageInfo, allPages bool) {
	if d.w.stop || d.used == nil {
		return
	}
	d.markShown()
	d.readSuperseded(n, base, pages)
	if allPages {
		d.readUnused(base)
	}
}

// markUsed records the content streams of a page's Contents as used.
func (d *pdfDoc) markUsed(contents any) {
	switch c := d.resolve(contents).(type) {
	case *pStream:
		d.used[c] = true
	case pArray:
		for _, x := range c {
			if s, ok := d.resolve(x).(*pStream); ok {
				d.used[s] = true
			}
		}
	}
}

// markShown records as used the streams a viewer shows other than
// through the pages' content: annotation appearances, patterns and soft
// masks named by any resources, Type3 glyph procedures, and the forms
// they run.
func (d *pdfDoc) markShown() {
	m := &shownMarks{d: d, res: map[pRef]uint8{}, seen: map[*pStream]bool{}, refs: map[pRef]bool{}}
	for _, o := range d.objs {
		if d.w.tick() {
			return
		}
		dict := d.dict(o)
		if dict == nil {
			continue
		}
		m.annotation(dict)
		if annots, ok := d.resolve(dict["Annots"]).(pArray); ok && !m.once(dict["Annots"]) {
			for _, a := range annots {
				if _, isRef := a.(pRef); !isRef { // a reference is an object of its own
					m.annotation(d.dict(a))
				}
			}
		}
		if !m.once(dict["CharProcs"]) {
			for _, v := range d.dict(dict["CharProcs"]) {
				m.tree(v, 0)
			}
		}
		m.resources(dict["Resources"], false, 0)
	}
}

// shownMarks is markShown's walk: res are the resource dictionaries
// (by reference) already walked, for their patterns (walkPatterns) or
// their patterns and forms (walkForms), so that one shared by many
// objects costs its size once; seen the streams walked (not d.used: an
// appearance pdfAppearances read is used, and the forms its resources
// name are still to mark); refs the Annots arrays, appearance and state
// dictionaries and CharProcs walked by reference (100 000 annotations
// sharing one dictionary of states walk it once).
type shownMarks struct {
	d    *pdfDoc
	res  map[pRef]uint8
	seen map[*pStream]bool
	refs map[pRef]bool
}

// once reports whether v, a reference, was walked before, and records it.
func (m *shownMarks) once(v any) bool {
	r, ok := v.(pRef)
	return ok && seenBefore(m.refs, r)
}

// seenBefore reports whether k is in seen, and adds it.
func seenBefore[K comparable](seen map[K]bool, k K) bool {
	if seen[k] {
		return true
	}
	seen[k] = true
	return false
}

const (
	walkPatterns uint8 = 1 << iota
	walkForms
)

// annotation marks the appearance streams of an annotation dictionary.
func (m *shownMarks) annotation(a pDict) {
	if ap := m.d.dict(a["AP"]); ap != nil && !m.once(a["AP"]) {
		for _, k := range []string{"N", "R", "D"} {
			m.appearance(ap[k])
		}
	}
}

// appearance marks an appearance entry: a stream, or a dictionary of
// streams by appearance state.
func (m *shownMarks) appearance(v any) {
	if m.once(v) {
		return
	}
	switch a := m.d.resolve(v).(type) {
	case *pStream:
		m.tree(a, 0)
	case pDict:
		for _, s := range a {
			m.tree(s, 0)
		}
	}
}

// tree marks the stream v and the forms and patterns its resources name,
// transitively (bounded).
func (m *shownMarks) tree(v any, depth int) {
	s, ok := m.d.resolve(v).(*pStream)
	if !ok || m.seen[s] || depth > 8 {
		return
	}
	m.seen[s] = true
	m.d.used[s] = true
	m.resources(s.dict["Resources"], true, depth+1)
}

// resources marks the patterns and soft-mask groups of a resource
// dictionary and, with forms, its forms.
func (m *shownMarks) resources(v any, forms bool, depth int) {
	if r, ok := v.(pRef); ok {
		walk := walkPatterns
		if forms {
			walk = walkForms
		}
		if m.res[r]&walk != 0 {
			return
		}
		m.res[r] |= walk | walkPatterns
	}
	res := m.d.dict(v)
	if res == nil {
		return
	}
	for _, x := range m.d.dict(res["Pattern"]) {
		m.tree(x, depth)
	}
	for _, gs := range m.d.dict(res["ExtGState"]) {
		m.tree(m.d.dict(m.d.dict(gs)["SMask"])["G"], depth) // a soft mask's transparency group
	}
	if forms {
		for _, x := range m.d.dict(res["XObject"]) {
			m.tree(x, depth)
		}
	}
}

// supersededRead is readSuperseded's state: the text gathered, the
// resources found for content streams by object number, and what the
// current definitions hold (their strings, their XMP text's lines), by
// object number, each gathered once.
type supersededRead struct {
	d          *pdfDoc
	n          node
	base       string
	origin     string
	out        leftText
	res        map[int]pDict
	curStrings map[int]map[string]bool
	curXMP     map[int]map[string]bool
	embedded   int
}

// readSuperseded reads the superseded definitions, in file order.
func (d *pdfDoc) readSuperseded(n node, base string, pages []pageInfo) {
	if len(d.superseded) == 0 {
		return
	}
	r := &supersededRead{
		d: d, n: n, base: base, origin: child(base, "pdf", "superseded"),
		res: d.contentResources(pages), curStrings: map[int]map[string]bool{}, curXMP: map[int]map[string]bool{},
	}
	for _, def := range d.superseded {
		if d.w.tick() || int64(r.out.sb.Len()) > d.w.room() {
			break
		}
		cur := d.objs[def.num]
		if def.v == nil || reflect.DeepEqual(def.v, cur) {
			continue // the update rewrote it unchanged
		}
		r.read(def, cur)
	}
	d.w.emit(r.origin, strings.TrimSuffix(r.out.sb.String(), "\n"))
}

// read reads one superseded definition, cur being the current one.
func (r *supersededRead) read(def pdfDef, cur any) {
	d := r.d
	have, ok := r.curStrings[def.num]
	if !ok {
		have = d.stringSet(cur)
		r.curStrings[def.num] = have
	}
	d.newStrings(&r.out, def.v, have)
	switch o := def.v.(type) {
	case *pStream:
		t, _ := d.resolve(o.dict["Type"]).(pName)
		sub, _ := d.resolve(o.dict["Subtype"]).(pName)
		switch {
		case t == "EmbeddedFile":
			r.embedded++
			name := "superseded/embedded" + strconv.Itoa(r.embedded)
			d.embeddedFile(r.n, child(r.base, "pdf", name), name, o)
		case t == "Metadata" || sub == "XML":
			r.out.add(linesNotIn(d.xmpText(o), r.currentXMP(def.num, cur)))
		default:
			res := d.dict(o.dict["Resources"])
			if res == nil {
				res = r.res[def.num]
			}
			d.leftStream(o, res, &r.out, r.origin)
		}
	case pDict:
		if o["Type"] == pName("Page") {
			d.leftContents(o["Contents"], d.pageResources(o), &r.out, r.origin)
		}
	}
}

// currentXMP is the set of lines of the XMP text of cur, the current
// definition of num: an old XMP packet yields what the update changed
// (most of it, a title or an author, is the same).
func (r *supersededRead) currentXMP(num int, cur any) map[string]bool {
	if set, ok := r.curXMP[num]; ok {
		return set
	}
	set := map[string]bool{}
	if s, ok := cur.(*pStream); ok {
		for l := range strings.SplitSeq(r.d.xmpText(s), "\n") {
			set[strings.TrimSpace(l)] = true
		}
	}
	r.curXMP[num] = set
	return set
}

// xmpText is the text of an XML metadata stream.
func (d *pdfDoc) xmpText(s *pStream) string {
	data := d.decodeStream(s)
	if len(data) == 0 {
		return ""
	}
	return xmlText(bytes.NewReader(data), d.w.tick)
}

// linesNotIn is text without the lines in set.
func linesNotIn(text string, set map[string]bool) string {
	var sb strings.Builder
	for l := range strings.SplitSeq(text, "\n") {
		if t := strings.TrimSpace(l); t != "" && !set[t] {
			sb.WriteString(l)
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// contentResources maps the object numbers of content streams to the
// resources of a page (current or superseded) that names them.
func (d *pdfDoc) contentResources(pages []pageInfo) map[int]pDict {
	out := map[int]pDict{}
	add := func(contents any, res pDict) {
		if res == nil {
			return
		}
		refs, _ := contents.(pArray)
		if r, ok := contents.(pRef); ok {
			refs = pArray{r}
		}
		for _, x := range refs {
			if r, ok := x.(pRef); ok && out[r.num] == nil {
				out[r.num] = res
			}
		}
	}
	for _, p := range pages {
		add(p.dict["Contents"], p.resources)
	}
	for _, def := range d.superseded {
		if p, ok := def.v.(pDict); ok && p["Type"] == pName("Page") {
			add(p["Contents"], d.pageResources(p))
		}
	}
	return out
}

// pageResources are the resources of a page dictionary, its own or
// inherited through its Parent chain (bounded).
func (d *pdfDoc) pageResources(p pDict) pDict {
	for range 16 {
		if p == nil {
			return nil
		}
		if r := d.dict(p["Resources"]); r != nil {
			return r
		}
		p = d.dict(p["Parent"])
	}
	return nil
}

// newStrings adds the text strings of old (a superseded definition) that
// the current definition, whose strings are have, does not hold.
func (d *pdfDoc) newStrings(out *leftText, old any, have map[string]bool) {
	var was strings.Builder
	d.pdfStrings(&was, objDict(old), "", 0)
	for l := range strings.SplitSeq(was.String(), "\n") {
		if !have[l] {
			out.add(l)
		}
	}
}

// stringSet is the set of the text strings of v (a stream: its
// dictionary's), computed once per object number: an object redefined
// many times must not cost its size at each definition.
func (d *pdfDoc) stringSet(v any) map[string]bool {
	var sb strings.Builder
	d.pdfStrings(&sb, objDict(v), "", 0)
	have := map[string]bool{}
	for l := range strings.SplitSeq(sb.String(), "\n") {
		have[l] = true
	}
	return have
}

// objDict is a stream's dictionary, or any other value as it is.
func objDict(v any) any {
	if s, ok := v.(*pStream); ok {
		return s.dict
	}
	return v
}

// readUnused reads the current content streams nothing uses, in
// object-number order.
func (d *pdfDoc) readUnused(base string) {
	origin := child(base, "pdf", "unused")
	nums := make([]int, 0, len(d.objs))
	for num, o := range d.objs {
		if s, ok := o.(*pStream); ok && !d.used[s] {
			nums = append(nums, num)
		}
	}
	slices.Sort(nums)
	var out leftText
	for _, num := range nums {
		if d.w.tick() || int64(out.sb.Len()) > d.w.room() {
			break
		}
		s := d.objs[num].(*pStream)
		d.leftStream(s, d.dict(s.dict["Resources"]), &out, origin)
	}
	d.w.emit(origin, strings.TrimSuffix(out.sb.String(), "\n"))
}

// leftContents reads the content streams of Contents not read yet.
func (d *pdfDoc) leftContents(contents any, res pDict, out *leftText, origin string) {
	switch c := d.resolve(contents).(type) {
	case *pStream:
		d.leftStream(c, res, out, origin)
	case pArray:
		for _, x := range c {
			if s, ok := d.resolve(x).(*pStream); ok {
				d.leftStream(s, res, out, origin)
			}
		}
	}
}

// leftStream reads s, when it is content not read yet, with the fonts of
// res (nil: every font of the document).
func (d *pdfDoc) leftStream(s *pStream, res pDict, out *leftText, origin string) {
	if d.used[s] || !d.mayBeContent(s) {
		return
	}
	d.used[s] = true
	content := d.decodeStream(s)
	if len(content) == 0 {
		if len(s.raw) > 0 {
			d.w.problem(origin, Unreadable, "PDF stream that may hold text could not be decoded; not inspected")
		}
		return
	}
	if !d.showsText(content) {
		return
	}
	res = d.withFonts(res)
	// Forms it runs are marked used: read once, here.
	t := &textRun{d: d, forms: d.used}
	t.run(content, res, 0)
	out.add(d.notOnPages(tidyLinesBytes(t.out)))
}

// notOnPages is text without the lines the pages showed: an old content
// stream an update edited holds the page's text but for what the edit
// changed, and only that is new.
func (d *pdfDoc) notOnPages(text string) string {
	if d.pageLines == nil {
		d.pageLines = map[string]bool{}
		for _, s := range d.pageText {
			for l := range strings.SplitSeq(s.Text, "\n") {
				d.pageLines[strings.TrimSpace(l)] = true
			}
		}
	}
	return linesNotIn(text, d.pageLines)
}

// withFonts is res, or a copy of it with every font of the document
// when it names no fonts (nil: the document's fonts alone).
func (d *pdfDoc) withFonts(res pDict) pDict {
	switch {
	case res == nil:
		return d.documentFonts()
	case d.dict(res["Font"]) != nil:
		return res
	}
	out := make(pDict, len(res)+1)
	for k, v := range res {
		out[k] = v
	}
	out["Font"] = d.documentFonts()["Font"]
	return out
}

// documentFonts is every font of the document under its resource names
// (fragmentResources), gathered once.
func (d *pdfDoc) documentFonts() pDict {
	if d.allFonts == nil {
		d.allFonts = d.fragmentResources()
	}
	return d.allFonts
}

// pdfNotContent are the dictionary keys and values of streams that never
// hold page-content operators.
var (
	pdfNotContentTypes = map[pName]bool{
		"ObjStm": true, "XRef": true, "EmbeddedFile": true, "Metadata": true, "CMap": true,
	}
	pdfNotContentSubtypes = map[pName]bool{
		"Image": true, "XML": true, "Type1C": true, "CIDFontType0C": true, "OpenType": true, "PS": true,
	}
	pdfNotContentKeys = []string{
		"Length1", "Length2", "Length3", // font programs
		"FunctionType", "ShadingType", // functions, shadings
		"BitsPerComponent", "Width", // images (thumbnails, masks)
		"N", // ICC profiles
	}
	pdfImageFilters = map[pName]bool{
		"DCTDecode": true, "DCT": true, "JPXDecode": true, "CCITTFaxDecode": true, "CCF": true, "JBIG2Decode": true,
	}
)

// mayBeContent reports whether s may be a content stream: it is not an
// image, font, ICC profile, function, XMP, object, cross-reference or
// embedded-file stream, by its dictionary and filters.
func (d *pdfDoc) mayBeContent(s *pStream) bool {
	t, _ := d.resolve(s.dict["Type"]).(pName)
	sub, _ := d.resolve(s.dict["Subtype"]).(pName)
	if pdfNotContentTypes[t] || pdfNotContentSubtypes[sub] {
		return false
	}
	for _, k := range pdfNotContentKeys {
		if _, ok := s.dict[k]; ok {
			return false
		}
	}
	names, _ := d.filters(s)
	for _, f := range names {
		if pdfImageFilters[f] {
			return false
		}
	}
	return true
}

// showsText reports whether content has a text object showing text: a
// BT ... ET with Tj, TJ, ' or ".
func (d *pdfDoc) showsText(content []byte) bool {
	l := &cLexer{b: content}
	var tok cTok
	inText := false
	for {
		if d.w.tick() {
			return false
		}
		l.next(&tok)
		switch tok.kind {
		case cNone:
			return false
		case cKw:
			switch string(l.rawOf(&tok)) {
			case "BT":
				inText = true
			case "ET":
				inText = false
			case "Tj", "TJ", "'", "\"":
				if inText {
					return true
				}
			}
		}
		l.reset()
	}
}
