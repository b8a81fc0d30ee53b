package extract

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Text a viewer draws outside the pages' content streams, read after
// pdfExtras for the pages the page reader read (the same page limit):
//
//   - annotation appearances: each stream of an annotation's /AP (/N,
//     /R and /D, each a stream or a dictionary of streams by appearance
//     state): stamps, free text, a form field's rendered value (Widget),
//     ink and shapes. Under <base>/pdf/pageN/annotK, K the annotation's
//     place in the page's /Annots (from 1). An appearance shared by many
//     annotations is read once, under the first.
//   - tiling patterns (/PatternType 1) and Type3 glyph procedures
//     (/CharProcs) the page's resources name, or those of the forms they
//     name, under <base>/pdf/pageN/patterns and <base>/pdf/pageN/glyphs;
//     those an appearance's own resources name, with the appearance.
//   - when the page tree was read to its end, the appearances of the
//     annotations no page lists (a widget only the form's /Fields name),
//     under <base>/pdf/annots.
//
// A stream is read with its own /Resources, else those it was found
// with (the page's), and with every font of the document when they name
// no fonts; the forms it runs (Do) are followed as on pages, each form
// once (d.used). Lines the pages showed, or an appearance before, are
// dropped, and so are those the annotation's (or its form field's) own
// strings hold (/Contents, /V ...: pdfExtras read them): a FreeText's
// appearance repeats its /Contents. A stream that may be content but
// does not decode is reported Unreadable.

// appearRead is pdfAppearances' state. seen holds the references walked
// (Annots arrays, annotations, appearance and state dictionaries) and
// the identity of the resource dictionaries whose patterns and fonts
// were walked, so that one shared by many costs its size once; fields
// are the strings of form field dictionaries (an annotation's Parent
// chain) by reference, gathered once; broken counts the streams
// reported Unreadable.
type appearRead struct {
	d      *pdfDoc
	seen   map[any]bool
	fields map[pRef]*knownText
	broken int
}

// appearDepth bounds patterns and glyphs found in the resources of
// patterns and glyphs (forms have run's own bound).
const appearDepth = 4

// pdfAppearances reads the annotation appearances, patterns and Type3
// glyphs of pages (above).
func (d *pdfDoc) pdfAppearances(base string, pages []pageInfo, allPages bool) {
	if d.w.stop || d.used == nil {
		return
	}
	r := &appearRead{d: d, seen: map[any]bool{}, fields: map[pRef]*knownText{}}
	for i, p := range pages {
		if r.spent() {
			return
		}
		page := child(base, "pdf", "page"+strconv.Itoa(i+1))
		// The page's resources first: an appearance may share them, and
		// what they name is the page's.
		var patterns, glyphs leftText
		r.pageResources(p.resources, &patterns, &glyphs, page, 0)
		r.emit(child(page, "pdf", "patterns"), patterns.sb.String(), nil)
		r.emit(child(page, "pdf", "glyphs"), glyphs.sb.String(), nil)
		r.annots(p, page)
	}
	if allPages {
		r.offPage(child(base, "pdf", "annots"))
	}
}

// pageResources reads the tiling patterns and Type3 glyphs of the
// resources res of a page, and of the forms they name (a form the page
// runs draws its patterns and glyphs), bounded.
func (r *appearRead) pageResources(res pDict, patterns, glyphs *leftText, page string, depth int) {
	if res == nil || depth > appearDepth || r.onceDict(res) {
		return
	}
	r.patterns(res, patterns, child(page, "pdf", "patterns"), 0)
	r.glyphs(res, glyphs, child(page, "pdf", "glyphs"), 0)
	xobjs := r.d.dict(res["XObject"])
	if xobjs == nil || r.onceDict(xobjs) {
		return
	}
	r.eachStream(xobjs, func(s *pStream) {
		if s.dict["Subtype"] == pName("Form") {
			r.pageResources(r.d.dict(s.dict["Resources"]), patterns, glyphs, page, depth+1)
		}
	})
}

// eachStream calls f on each stream the values of d resolve to, in key
// order, until the read's budget is spent; false when it stopped so.
func (r *appearRead) eachStream(d pDict, f func(*pStream)) bool {
	for _, name := range sortedKeys(d) {
		if r.spent() {
			return false
		}
		if s, ok := r.d.resolve(d[name]).(*pStream); ok {
			f(s)
		}
	}
	return true
}

// offPage reads the appearances of the annotations no page read lists
// (a widget only the form's /Fields name: a viewer shows none of them),
// in object-number order, under origin.
func (r *appearRead) offPage(origin string) {
	nums := make([]int, 0, len(r.d.objs))
	for num, o := range r.d.objs {
		if dict, ok := o.(pDict); ok && dict["AP"] != nil {
			nums = append(nums, num)
		}
	}
	slices.Sort(nums)
	var out leftText
	for _, num := range nums {
		if r.spent() {
			break
		}
		a := r.d.objs[num].(pDict)
		if r.once(pRef{num, r.d.gens[num]}) || r.once(a["AP"]) {
			continue
		}
		ap := r.d.dict(a["AP"])
		var one leftText
		for _, k := range []string{"N", "R", "D"} {
			r.appearance(ap[k], nil, &one, origin)
		}
		out.add(r.notKnown(one.sb.String(), r.known(a)))
	}
	r.emit(origin, out.sb.String(), nil)
}

// spent reports whether the time budget or the total-text limit ran out.
func (r *appearRead) spent() bool {
	return r.d.w.tick() || r.d.w.room() <= 1
}

// once reports whether v, a reference, was walked before, and records it;
// a direct value is never seen before (the object holding it is walked
// once).
func (r *appearRead) once(v any) bool {
	ref, ok := v.(pRef)
	return ok && seenBefore(r.seen, any(ref))
}

// onceDict is once for a dictionary, direct or not, by its identity.
func (r *appearRead) onceDict(m pDict) bool {
	if m == nil {
		return true
	}
	return seenBefore(r.seen, any(reflect.ValueOf(m).Pointer()))
}

// annots reads the appearances of the annotations of page p.
func (r *appearRead) annots(p pageInfo, page string) {
	if r.once(p.dict["Annots"]) {
		return
	}
	annots, _ := r.d.resolve(p.dict["Annots"]).(pArray)
	for k, a := range annots {
		if r.spent() {
			return
		}
		if r.once(a) {
			continue
		}
		if dict := r.d.dict(a); dict != nil {
			r.annotation(dict, child(page, "pdf", "annot"+strconv.Itoa(k+1)), p.resources)
		}
	}
}

// annotation reads the appearance streams of annotation a, pageRes being
// the resources they fall back to.
func (r *appearRead) annotation(a pDict, origin string, pageRes pDict) {
	if r.once(a["AP"]) {
		return
	}
	ap := r.d.dict(a["AP"])
	if ap == nil {
		return
	}
	var out leftText
	for _, k := range []string{"N", "R", "D"} {
		r.appearance(ap[k], pageRes, &out, origin)
	}
	if out.sb.Len() > 0 {
		r.emit(origin, out.sb.String(), r.known(a))
	}
}

// appearance reads an appearance entry: a stream, or a dictionary of
// streams by appearance state (in name order). A state that is not a
// stream (a nested dictionary) is not followed.
func (r *appearRead) appearance(v any, res pDict, out *leftText, origin string) {
	if r.once(v) {
		return
	}
	switch a := r.d.resolve(v).(type) {
	case *pStream:
		r.stream(a, res, out, origin, "annotation appearance", 0)
	case pDict:
		for _, state := range sortedKeys(a) {
			if r.spent() {
				return
			}
			if s, ok := r.d.resolve(a[state]).(*pStream); ok {
				r.stream(s, res, out, origin, "annotation appearance", 0)
			}
		}
	}
}

// stream reads s, a stream a viewer draws (what names it), when it is
// content not read yet: with its own resources, else res, and the
// patterns and glyphs its own resources name.
func (r *appearRead) stream(s *pStream, res pDict, out *leftText, origin, what string, depth int) {
	d := r.d
	if d.used[s] || depth > appearDepth || !d.mayBeContent(s) {
		return
	}
	d.used[s] = true
	content := d.decodeStream(s)
	if len(content) == 0 {
		if len(s.raw) > 0 {
			r.unreadable(origin, what)
		}
		return
	}
	own := d.dict(s.dict["Resources"])
	if own != nil {
		res = own
	}
	// The forms it runs are marked used: each read once.
	t := &textRun{d: d, forms: d.used, undecodable: func() { r.unreadable(origin, "form XObject") }}
	t.run(content, d.withFonts(res), 0)
	out.add(tidyLinesBytes(t.out))
	if own != nil {
		r.patterns(own, out, origin, depth+1)
		r.glyphs(own, out, origin, depth+1)
	}
}

// maxUnreadable bounds the streams reported Unreadable at their own
// origin (100 000 annotations each with a broken appearance); the others
// are reported once, at the document.
const maxUnreadable = 64

// unreadable reports a stream (what it is) that may hold text but does
// not decode, found at origin.
func (r *appearRead) unreadable(origin, what string) {
	r.broken++
	if r.broken > maxUnreadable {
		r.d.w.problem(r.d.origin, Unreadable, "more PDF appearance, pattern or glyph streams could not be decoded; not inspected")
		return
	}
	r.d.w.problem(origin, Unreadable, "PDF "+what+" stream could not be decoded; not inspected")
}

// patterns reads the tiling patterns of the resources res (shading
// patterns draw no text).
func (r *appearRead) patterns(res pDict, out *leftText, origin string, depth int) {
	pats := r.d.dict(res["Pattern"])
	if pats == nil || r.onceDict(pats) {
		return
	}
	r.eachStream(pats, func(s *pStream) {
		if r.d.resolve(s.dict["PatternType"]) == 1.0 {
			r.stream(s, res, out, origin, "tiling pattern", depth)
		}
	})
}

// glyphs reads the glyph procedures of the Type3 fonts of the resources
// res, each with its font's resources, else res.
func (r *appearRead) glyphs(res pDict, out *leftText, origin string, depth int) {
	fonts := r.d.dict(res["Font"])
	if fonts == nil || r.onceDict(fonts) {
		return
	}
	for _, name := range sortedKeys(fonts) {
		f := r.d.dict(fonts[name])
		if f == nil || f["Subtype"] != pName("Type3") {
			continue
		}
		procs := r.d.dict(f["CharProcs"])
		if procs == nil || r.onceDict(procs) {
			continue
		}
		fres := r.d.dict(f["Resources"])
		if fres == nil {
			fres = res
		}
		if !r.eachStream(procs, func(s *pStream) { r.stream(s, fres, out, origin, "Type3 glyph", depth) }) {
			return
		}
	}
}

// emit emits text at origin without the lines the pages showed (or an
// appearance before) and those known holds, and records its lines as
// shown.
func (r *appearRead) emit(origin, text string, known []*knownText) {
	text = r.notKnown(r.d.notOnPages(text), known)
	for l := range strings.SplitSeq(text, "\n") {
		r.d.pageLines[strings.TrimSpace(l)] = true
	}
	r.d.w.emit(origin, strings.TrimSuffix(text, "\n"))
}

// notKnown is text without the lines known holds.
func (r *appearRead) notKnown(text string, known []*knownText) string {
	var sb strings.Builder
	for l := range strings.SplitSeq(text, "\n") {
		if t := strings.TrimSpace(l); t != "" && !knownLine(known, t) {
			sb.WriteString(l)
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// knownText is the text strings of a dictionary: the set of their lines
// and of the strings whole, white space runs as one space, and their
// first knownJoined bytes joined by newlines (a line of an appearance
// wraps a long /Contents).
type knownText struct {
	lines  map[string]bool
	joined string
}

const knownJoined = 4 << 10

// knownTextKeys are the keys of an annotation or form field whose
// strings its appearance may show.
var knownTextKeys = []string{"Contents", "RC", "V", "DV", "Opt", "T", "TU", "TM", "MK"}

// known is the text strings of annotation a and of its form field
// chain (Parent, bounded).
func (r *appearRead) known(a pDict) []*knownText {
	out := []*knownText{r.dictText(a)}
	p := a["Parent"]
	for range 8 {
		ref, isRef := p.(pRef)
		dict := r.d.dict(p)
		if dict == nil {
			break
		}
		if !isRef {
			out = append(out, r.dictText(dict))
		} else {
			if r.fields[ref] == nil {
				r.fields[ref] = r.dictText(dict)
			}
			out = append(out, r.fields[ref])
		}
		p = dict["Parent"]
	}
	return out
}

// dictText is the knownText of the knownTextKeys of dict.
func (r *appearRead) dictText(dict pDict) *knownText {
	var sb strings.Builder
	for _, k := range knownTextKeys {
		r.d.pdfStrings(&sb, r.d.resolve(dict[k]), k, 0)
	}
	kt := &knownText{lines: map[string]bool{}}
	var joined strings.Builder
	for s := range strings.SplitSeq(sb.String(), "\n") {
		whole := strings.Join(strings.Fields(s), " ")
		if whole == "" {
			continue
		}
		kt.lines[whole] = true
		for l := range strings.FieldsFuncSeq(s, func(c rune) bool { return c == '\r' }) {
			kt.lines[strings.Join(strings.Fields(l), " ")] = true
		}
		if joined.Len() < knownJoined {
			joined.WriteString(whole)
			joined.WriteByte('\n')
		}
	}
	kt.joined = joined.String()
	return kt
}

// knownLine reports whether line (trimmed) is one of known's strings or
// lines, or part of one.
func knownLine(known []*knownText, line string) bool {
	if len(known) == 0 {
		return false
	}
	n := strings.Join(strings.Fields(line), " ")
	for _, k := range known {
		if k.lines[n] || strings.Contains(k.joined, n) {
			return true
		}
	}
	return false
}

// sortedKeys are the keys of m in order.
func sortedKeys(m pDict) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
