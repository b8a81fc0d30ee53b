package extract

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text a PDF holds outside its pages' content streams, which a reader
// shows in panes and dialogs rather than on the page:
//
//   - every text string of every object: annotation notes (/Contents,
//     /RC), form field values and options (/V, /DV, /Opt), outline
//     (bookmark) titles, the document information dictionary with any
//     custom keys, link targets, file specification names. Strings that
//     do not decode to mostly printable text (file IDs, encryption
//     values, binary blobs) and dates are skipped;
//   - XML metadata streams (XMP), as text;
//   - embedded files (/Type /EmbeddedFile: attachments, FileAttachment
//     annotations, portfolios), each read as a member of its own in any
//     format. One whose filter is not supported is reported unreadable.
//
// Objects are visited in object-number order, once each. What a viewer
// draws outside the pages' content streams (annotation and form-field
// appearances, tiling patterns, Type3 glyphs) is read by pdfAppearances
// (pdfappear.go), without the lines these strings already hold; what
// objects the pages no longer use hold (superseded definitions of
// incremental updates, unused content streams) by pdfLeftovers
// (pdfleftovers.go).

// pdfSkipKeys name strings that are not text: IDs, encryption values,
// dates, byte strings of signatures.
var pdfSkipKeys = map[string]bool{
	"ID": true, "O": true, "U": true, "OE": true, "UE": true, "Perms": true,
	"CreationDate": true, "ModDate": true, "M": true, "Cert": true,
}

// pdfExtras reads what the pages do not show (above).
func (d *pdfDoc) pdfExtras(n node, base string) {
	w := d.w
	nums := make([]int, 0, len(d.objs))
	for k := range d.objs {
		nums = append(nums, k)
	}
	sort.Ints(nums)
	var sb strings.Builder
	embedded := 0
	for _, num := range nums {
		if w.tick() {
			break
		}
		switch o := d.objs[num].(type) {
		case *pStream:
			t, _ := d.resolve(o.dict["Type"]).(pName)
			sub, _ := d.resolve(o.dict["Subtype"]).(pName)
			switch {
			case t == "EmbeddedFile":
				embedded++
				name := "embedded" + strconv.Itoa(embedded)
				if !d.embeddedFile(n, child(base, "pdf", name), name, o) {
					continue
				}
			case t == "Metadata" || sub == "XML":
				if data := d.decodeStream(o); len(data) > 0 {
					w.emit(child(base, "pdf", "metadata"+strconv.Itoa(num)), xmlText(strings.NewReader(string(data)), w.tick))
				}
			}
			d.pdfStrings(&sb, o.dict, "", 0)
		default:
			d.pdfStrings(&sb, o, "", 0)
		}
		if int64(sb.Len()) > w.room() {
			break
		}
	}
	if sb.Len() > 0 {
		w.emit(child(base, "pdf", "objects"), sb.String())
	}
}

// embeddedFile reads an embedded file stream as a member of its own and
// reports whether it could be decoded (else it is reported unreadable).
func (d *pdfDoc) embeddedFile(n node, origin, name string, o *pStream) bool {
	data := d.decodeStream(o)
	if data == nil && len(o.raw) > 0 {
		d.w.problem(origin, Unreadable, "PDF embedded file with an unsupported filter: not inspected")
		return false
	}
	d.w.node(node{origin: origin, name: name, body: memBlob(data), depth: n.depth + 1})
	return true
}

// pdfStrings appends the text strings in v (not following references:
// every object is visited on its own), one per line.
func (d *pdfDoc) pdfStrings(sb *strings.Builder, v any, key string, depth int) {
	if depth > 32 {
		return
	}
	switch t := v.(type) {
	case pStr:
		if pdfSkipKeys[key] {
			return
		}
		if s, ok := pdfTextString(t); ok {
			sb.WriteString(s)
			sb.WriteByte('\n')
		}
	case pArray:
		for _, x := range t {
			d.pdfStrings(sb, x, key, depth+1)
		}
	case pDict:
		if typ, _ := t["Type"].(pName); typ == "Sig" {
			return // signature bytes
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			d.pdfStrings(sb, t[k], k, depth+1)
		}
	}
}

// pdfTextString decodes a PDF text string (UTF-16BE or UTF-8 with a byte
// order mark, else UTF-8 or a legacy charset as detected, as readers do)
// and reports whether it reads as text.
func pdfTextString(b pStr) (string, bool) {
	var s string
	switch {
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		s = utf16BEString(b[2:])
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		s = strings.ToValidUTF8(string(b[3:]), "")
	default:
		t, ok := decodeText(b, "")
		if !ok {
			return "", false
		}
		s = t
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	good, all := 0, 0
	for _, r := range s {
		all++
		if r != utf8.RuneError && (unicode.IsPrint(r) || unicode.IsSpace(r)) {
			good++
		}
	}
	return s, good*10 >= all*9
}
