package extract

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/dlpgate/dlpgate/extract/deflate"
)

// pdfDoc is a parsed PDF: every object found by scanning the file for
// "N G obj" (so a broken or missing xref table does not matter), plus the
// objects inside object streams.
type pdfDoc struct {
	w         *walker
	origin    string
	data      []byte
	objs      map[int]any
	gens      map[int]int // generation numbers (decryption keys use them)
	trailers  []pDict
	truncated bool
	fonts     map[any]*pdfFont
	noMap     bool              // a font had no usable text mapping
	images    map[*pStream]bool // image XObjects already read (pdfimage.go)
	content   []byte            // decoded content of the page last read
	fr        *deflate.Reader   // raw deflate reader, reused (inflate)
	br        *bytes.Reader     // fr's source, reused (pageContent)
	// Page contents (pdfahead.go): the owned buffer of the page last
	// read, buffers free for reuse, the parts list, the inflate worker.
	owned []byte
	free  [][]byte
	parts []contentPart
	ahead *contentAhead
	// The content lexer's buffers and the operand stack, reused by the
	// top-level run of every page.
	lexStr []byte
	lexArr []cTok
	ops    []cTok
	text   []byte     // page text before tidyLines, reused
	intern *lexIntern // boxed values of the file body's lexers (pdflex.go)
	// Definitions later ones replaced (incremental updates), in file
	// order; the streams the leftovers need not read, and every font of
	// the document (pdfleftovers.go).
	superseded []pdfDef
	used       map[*pStream]bool
	allFonts   pDict
	objStms    []objStm        // every object stream, in file order
	pageText   []Segment       // what the pages showed (leftovers do not repeat it)
	pageLines  map[string]bool // its lines, gathered when first needed
	order      []int           // the number of each definition scan found, in file order
}

// lexer is a file-body lexer at pos of b sharing the document's boxed
// names, keywords and small integers.
func (d *pdfDoc) lexer(b []byte, pos int) *pdfLexer {
	if d.intern == nil {
		d.intern = newLexIntern()
	}
	return &pdfLexer{b: b, pos: pos, in: d.intern}
}

// pdfNode extracts the text layer of a PDF, one segment per page.
func (w *walker) pdfNode(n node) {
	data, err := w.load(n.origin, n.body)
	if err != nil {
		w.problem(n.origin, Malformed, "body could not be read")
		return
	}
	if off := pdfHeader(data); off > 0 {
		data = data[off:]
	}
	base := containerBase(n, "pdf")
	d := &pdfDoc{w: w, origin: n.origin, data: data, objs: map[int]any{}, gens: map[int]int{}, fonts: map[any]*pdfFont{}, used: map[*pStream]bool{}}
	d.scan()
	if w.stop {
		return
	}
	defer d.stopAhead()
	if d.encrypted() && !d.decryptEmpty(n.origin) {
		return
	}
	d.expandObjectStreams()
	pages := d.pages()
	for _, p := range pages {
		d.markUsed(p.dict["Contents"]) // pages past the limit too: not "unused"
	}
	allPages := len(pages) <= w.lim.MaxEntries
	if !allPages {
		w.limit(n.origin, fmt.Sprintf("PDF has more than %d pages; only the first were inspected", w.lim.MaxEntries))
		pages = pages[:w.lim.MaxEntries]
	}
	textual := false
	first := len(w.res.Segments)
	for i, p := range pages {
		if w.expired() {
			return
		}
		origin := child(base, "pdf", "page"+strconv.Itoa(i+1))
		text := d.pageTextQueue(p, pages[i+1:])
		textual = textual || strings.TrimSpace(text) != ""
		w.emit(origin, text)
		if w.lim.OCR != nil {
			d.pdfImages(origin, p) // scans and screenshots: pdfimage.go
		}
	}
	d.pageText = w.res.Segments[first:len(w.res.Segments):len(w.res.Segments)]
	d.pdfExtras(n, base)                     // annotations, forms, outlines, metadata, attachments: pdfextras.go
	d.pdfAppearances(base, pages, allPages)  // annotation appearances, patterns, Type3 glyphs: pdfappear.go
	d.pdfLeftovers(n, base, pages, allPages) // superseded definitions, unused content streams: pdfleftovers.go
	if len(pages) > 0 && !textual && !d.truncated && w.lim.OCR == nil {
		// A scan (an ID card photographed into a PDF) has pages but no
		// text layer: nothing here was inspected.
		w.problem(n.origin, Unsupported, "PDF has no text layer (scanned or image-only pages)")
	}
	if d.truncated {
		w.problem(n.origin, Malformed, "PDF is truncated or damaged; text read before the damage was kept")
	}
	if len(pages) == 0 && !d.truncated {
		w.problem(n.origin, Malformed, "PDF has no readable pages")
	}
	if d.noMap {
		w.problem(n.origin, Unsupported, "PDF font without a text mapping (no ToUnicode); some text could not be read")
	}
}

// pdfFragment reads the content streams found in a piece of a PDF without
// its catalog: fonts are resolved when their objects are in the piece too.
func (w *walker) pdfFragment(n node, data []byte) {
	d := &pdfDoc{w: w, origin: n.origin, data: data, objs: map[int]any{}, fonts: map[any]*pdfFont{}}
	d.scan()
	d.expandObjectStreams()
	base := containerBase(n, "pdf")
	nums := make([]int, 0, len(d.objs))
	for num := range d.objs {
		nums = append(nums, num)
	}
	slices.Sort(nums)
	for _, num := range nums {
		if w.expired() {
			return
		}
		s, ok := d.objs[num].(*pStream)
		if !ok || s.dict["Type"] != nil || s.dict["Subtype"] != nil {
			continue // images, fonts, object streams...
		}
		content := d.decodeStream(s)
		if !bytes.Contains(content, []byte("BT")) || !bytes.Contains(content, []byte("ET")) {
			continue
		}
		t := &textRun{d: d}
		t.run(content, d.fragmentResources(), 0)
		w.emit(child(base, "pdf", "obj"+strconv.Itoa(num)), tidyLinesBytes(t.out))
	}
}

// fragmentResources gathers every font dictionary in the fragment under
// its resource names, so content streams can find what is there. Objects
// are visited in object-number order and a name keeps the first font
// found for it, so that the same bytes always read the same.
func (d *pdfDoc) fragmentResources() pDict {
	nums := make([]int, 0, len(d.objs))
	for num, o := range d.objs {
		if _, ok := o.(pDict); ok {
			nums = append(nums, num)
		}
	}
	slices.Sort(nums)
	fonts := pDict{}
	add := func(f pDict) {
		for k, v := range f {
			if _, ok := fonts[k]; !ok {
				fonts[k] = v
			}
		}
	}
	for _, num := range nums {
		dict := d.objs[num].(pDict)
		if r := d.dict(dict["Resources"]); r != nil {
			add(d.dict(r["Font"]))
		}
		add(d.dict(dict["Font"]))
	}
	return pDict{"Font": fonts}
}

// scan finds every "N G obj" in file order; a later definition (an
// incremental update) replaces an earlier one, which is kept in
// d.superseded (read by pdfLeftovers). Stream bodies are skipped so
// binary data cannot fake object headers.
func (d *pdfDoc) scan() {
	b := d.data
	pos := 0
	for pos < len(b) {
		if d.w.tick() {
			return
		}
		i := bytes.Index(b[pos:], []byte("obj"))
		if i < 0 {
			break
		}
		at := pos + i
		num, gen, ok := objHeader(b, at)
		end := at + 3
		if !ok || end < len(b) && !isPDFSpace(b[end]) && !isPDFDelim(b[end]) {
			pos = at + 3
			continue
		}
		l := d.lexer(b, end)
		tok := l.next()
		v := l.value(tok, true, 0)
		after := l.pos
		l2 := d.lexer(b, after)
		if kw, ok := l2.next().(pKeyword); ok && kw == "stream" {
			dict, _ := v.(pDict)
			raw, next, complete := streamBody(b, l2.pos, dict)
			if !complete {
				d.truncated = true
			}
			st := &pStream{dict: dict, raw: raw}
			if dict["Type"] == pName("ObjStm") {
				d.objStms = append(d.objStms, objStm{num, st, len(d.order)}) // expandObjectStreams
			}
			v = st
			after = next
		} else if kw == "" && l2.pos >= len(b) {
			d.truncated = true
		}
		if old, ok := d.objs[num]; ok {
			d.superseded = append(d.superseded, pdfDef{num: num, gen: d.gens[num], v: old})
		}
		d.objs[num] = v
		d.order = append(d.order, num)
		if d.gens != nil {
			d.gens[num] = gen
		}
		pos = after
	}
	// Trailers: classic "trailer << >>" dictionaries, and cross-reference
	// streams (which hold the same keys).
	// Only the last few trailers matter (incremental updates append); a
	// file stuffed with "trailer" keywords must not cost quadratic time.
	var at []int
	for pos := 0; ; {
		i := bytes.Index(b[pos:], []byte("trailer"))
		if i < 0 {
			break
		}
		at = append(at, pos+i+len("trailer"))
		pos += i + len("trailer")
	}
	if len(at) > 16 {
		at = at[len(at)-16:]
	}
	for _, p := range at {
		if d.w.tick() {
			return
		}
		l := d.lexer(b, p)
		if t, ok := l.value(l.next(), true, 0).(pDict); ok {
			d.trailers = append(d.trailers, t)
		}
	}
	for _, o := range d.objs {
		if s, ok := o.(*pStream); ok && s.dict["Type"] == pName("XRef") {
			d.trailers = append(d.trailers, s.dict)
		}
	}
	tail := b
	if len(tail) > 2048 {
		tail = tail[len(tail)-2048:]
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		d.truncated = true
	}
}

// objHeader checks that "obj" at i is preceded by "num gen ".
func objHeader(b []byte, i int) (int, int, bool) {
	j := i
	skip := func() {
		for j > 0 && isPDFSpace(b[j-1]) {
			j--
		}
	}
	digits := func() (int, bool) {
		e := j
		for j > 0 && b[j-1] >= '0' && b[j-1] <= '9' && e-j < 10 {
			j--
		}
		if j == e {
			return 0, false
		}
		v, err := strconv.Atoi(string(b[j:e]))
		return v, err == nil
	}
	skip()
	if j == i {
		return 0, 0, false
	}
	gen, ok := digits()
	if !ok {
		return 0, 0, false
	}
	e := j
	skip()
	if j == e {
		return 0, 0, false
	}
	num, ok := digits()
	if !ok {
		return 0, 0, false
	}
	if j > 0 && !isPDFSpace(b[j-1]) && !isPDFDelim(b[j-1]) {
		return 0, 0, false
	}
	return num, gen, true
}

// streamBody returns the stream bytes starting after the "stream" keyword.
func streamBody(b []byte, pos int, dict pDict) ([]byte, int, bool) {
	if pos < len(b) && b[pos] == '\r' {
		pos++
	}
	if pos < len(b) && b[pos] == '\n' {
		pos++
	}
	if n, ok := dict["Length"].(float64); ok && n >= 0 && pos+int(n) <= len(b) {
		end := pos + int(n)
		l := &pdfLexer{b: b, pos: end}
		l.skipSpace()
		if bytes.HasPrefix(b[l.pos:], []byte("endstream")) {
			return b[pos:end], l.pos + len("endstream"), true
		}
	}
	i := bytes.Index(b[pos:], []byte("endstream"))
	if i < 0 {
		return b[pos:], len(b), false
	}
	end := pos + i
	if end > pos && b[end-1] == '\n' {
		end--
	}
	if end > pos && b[end-1] == '\r' {
		end--
	}
	return b[pos:end], pos + i + len("endstream"), true
}

func (d *pdfDoc) encrypted() bool {
	for _, t := range d.trailers {
		if _, ok := t["Encrypt"]; ok && t["Encrypt"] != nil {
			return true
		}
	}
	return false
}

// resolve follows references (bounded, so cycles end).
func (d *pdfDoc) resolve(v any) any {
	for i := 0; i < 16; i++ {
		r, ok := v.(pRef)
		if !ok {
			return v
		}
		v = d.objs[r.num]
	}
	return nil
}

func (d *pdfDoc) dict(v any) pDict {
	switch t := d.resolve(v).(type) {
	case pDict:
		return t
	case *pStream:
		return t.dict
	}
	return nil
}

// objStm is an object stream found by scan: its object number, and the
// index of its definition in d.order.
type objStm struct {
	num int
	s   *pStream
	at  int
}

// stmExpansion is what expandObjectStreams knows as it goes: the index
// in d.order of each object's last direct definition, and the objects
// an object stream defined.
type stmExpansion struct {
	direct  map[int]int
	fromStm map[int]bool
}

// expandObjectStreams adds the objects compressed inside /Type /ObjStm
// streams (PDF 1.5+). The definition latest in the file wins, as the
// last update's cross-reference section would say: object streams are
// read from the last, and a direct definition wins over an object
// stream's when it comes after the stream. A definition that loses is
// kept as superseded (pdfleftovers.go), as are all those of an object
// stream an update redefined.
func (d *pdfDoc) expandObjectStreams() {
	if len(d.objStms) == 0 {
		return
	}
	x := &stmExpansion{direct: make(map[int]int, len(d.order)), fromStm: map[int]bool{}}
	for i, num := range d.order {
		x.direct[num] = i
	}
	for i := len(d.objStms) - 1; i >= 0; i-- {
		if d.w.expired() {
			return
		}
		o := d.objStms[i]
		cur, _ := d.objs[o.num].(*pStream)
		d.expandObjectStream(o, cur == o.s, x)
	}
}

// expandObjectStream reads the objects of one object stream (current:
// the stream is its number's current definition) and places each.
func (d *pdfDoc) expandObjectStream(o objStm, current bool, x *stmExpansion) {
	s := o.s
	data := d.decodeStream(s)
	n, _ := s.dict["N"].(float64)
	first, _ := s.dict["First"].(float64)
	if n <= 0 || first < 0 || int(first) > len(data) || n > 1e6 {
		return
	}
	l := d.lexer(data[:int(first)], 0)
	type entry struct{ num, off int }
	var entries []entry
	for i := 0; i < int(n); i++ {
		num, ok1 := l.next().(float64)
		off, ok2 := l.next().(float64)
		if !ok1 || !ok2 {
			break
		}
		entries = append(entries, entry{int(num), int(off)})
	}
	for _, e := range entries {
		at := int(first) + e.off
		if at < 0 || at >= len(data) {
			continue
		}
		ol := d.lexer(data, at)
		d.placeStm(e.num, ol.value(ol.next(), true, 0), o.at, current, x)
	}
}

// placeStm records v, the definition of num in the object stream at
// index at of d.order. It is superseded when its stream is, or a later
// definition exists (a later object stream's, or a direct one after the
// stream); else it is current, and an earlier direct definition it
// replaces is superseded.
func (d *pdfDoc) placeStm(num int, v any, at int, current bool, x *stmExpansion) {
	direct, isDirect := x.direct[num]
	switch {
	case !current || x.fromStm[num] || isDirect && direct > at:
		d.superseded = append(d.superseded, pdfDef{num: num, v: v})
		return
	case isDirect:
		if _, isStm := d.objs[num].(*pStream); isStm && direct == at {
			return // an object stream claiming its own number
		}
		d.superseded = append(d.superseded, pdfDef{num: num, gen: d.gens[num], v: d.objs[num]})
	}
	d.objs[num] = v
	x.fromStm[num] = true
}

// decodeStream applies the stream's filters within the decompression limits.
func (d *pdfDoc) decodeStream(s *pStream) []byte {
	data := s.raw
	names, parms := d.filters(s)
	for i, f := range names {
		p := d.filterParms(parms, i)
		switch f {
		case "FlateDecode", "Fl":
			data = d.inflate(data)
			if pred, _ := p["Predictor"].(float64); pred >= 10 {
				cols, _ := p["Columns"].(float64)
				data = pngUnpredict(data, int(cols))
			}
		case "ASCIIHexDecode", "AHx":
			l := &pdfLexer{b: append(append([]byte{'<'}, data...), '>')}
			data = l.hexString()
		case "ASCII85Decode", "A85":
			data = decodeA85(data)
		case "LZWDecode", "LZW":
			early := 1
			if e, ok := p["EarlyChange"].(float64); ok {
				early = int(e)
			}
			data = lzwDecode(data, early, d.w.lim.MaxDecompressed)
			if pred, _ := p["Predictor"].(float64); pred >= 10 {
				cols, _ := p["Columns"].(float64)
				data = pngUnpredict(data, int(cols))
			}
		case "RunLengthDecode", "RL":
			data = runLength(data, d.w.lim.MaxDecompressed)
		default:
			// Image codecs (DCT, JPX, CCITT, JBIG2) and LZW never hold
			// the text operators we read.
			return nil
		}
	}
	return data
}

// filters are the names of the stream's filters, in order, and its
// DecodeParms (resolved) for filterParms.
func (d *pdfDoc) filters(s *pStream) ([]pName, any) {
	var names []pName
	switch f := d.resolve(s.dict["Filter"]).(type) {
	case pName:
		names = []pName{f}
	case pArray:
		for _, x := range f {
			if n, ok := d.resolve(x).(pName); ok {
				names = append(names, n)
			}
		}
	}
	return names, d.resolve(s.dict["DecodeParms"])
}

// filterParms are the decode parameters of the i-th filter.
func (d *pdfDoc) filterParms(parms any, i int) pDict {
	switch pp := parms.(type) {
	case pDict:
		return pp
	case pArray:
		if i < len(pp) {
			return d.dict(pp[i])
		}
	}
	return nil
}

// inflate undoes FlateDecode (zlib, or raw deflate when the zlib header
// is missing). The raw deflate reader (extract/deflate) is reset per stream
// rather than allocated. The zlib wrapper is stripped here instead of read by a
// zlib reader: the bytes are the same (a zlib reader hands over what it
// inflated before it checks the Adler-32, and a bad or missing checksum
// never dropped text), without checksumming every content stream.
func (d *pdfDoc) inflate(b []byte) []byte {
	br := bytes.NewReader(b[zlibHeaderLen(b):])
	r := resetInflater(&d.fr, br)
	out, why, err := d.w.readBounded(r, int64(len(b)))
	if errors.Is(err, errTooBig) {
		d.w.limit(d.origin, "PDF stream: "+why+"; only the first part was inspected")
	}
	// A corrupt or truncated stream keeps what inflated before the damage.
	return out
}

// resetInflater points *fr at r, reusing the reader (a new one the first
// time).
func resetInflater(fr **deflate.Reader, r io.Reader) *deflate.Reader {
	if *fr == nil {
		*fr = deflate.NewReader(r)
	} else {
		(*fr).Reset(r)
	}
	return *fr
}

// zlibHeaderLen is the length of the zlib header b starts with as
// klauspost's zlib reader accepts it (2 bytes, 6 with a preset-dictionary
// id, only that of the empty dictionary), 0 when it would refuse it and
// the stream is read as raw deflate.
func zlibHeaderLen(b []byte) int {
	if len(b) < 2 || b[0]&0x0f != 8 || b[0]>>4 > 7 || (uint(b[0])<<8|uint(b[1]))%31 != 0 {
		return 0
	}
	if b[1]&0x20 == 0 {
		return 2
	}
	if len(b) < 6 || binary.BigEndian.Uint32(b[2:6]) != 1 { // adler32 of no bytes
		return 0
	}
	return 6
}

// lzwDecode reads PDF LZW (MSB-first codes of 9 to 12 bits, 256 = clear,
// 257 = end; with EarlyChange the width grows one code early). A corrupt
// stream yields what decoded before the damage.
func lzwDecode(b []byte, early int, max int64) []byte {
	if early != 0 {
		early = 1
	}
	var out []byte
	dict := make([][]byte, 258, 4096)
	for i := 0; i < 256; i++ {
		dict[i] = []byte{byte(i)}
	}
	width := 9
	var bits uint64
	nbits, pos := 0, 0
	var prev []byte
	for int64(len(out)) < max {
		for nbits < width && pos < len(b) {
			bits = bits<<8 | uint64(b[pos])
			pos++
			nbits += 8
		}
		if nbits < width {
			return out
		}
		code := int(bits>>(nbits-width)) & (1<<width - 1)
		nbits -= width
		switch code {
		case 256:
			dict, width, prev = dict[:258], 9, nil
			continue
		case 257:
			return out
		}
		var entry []byte
		switch {
		case code < len(dict):
			entry = dict[code]
		case code == len(dict) && prev != nil:
			entry = append(append(make([]byte, 0, len(prev)+1), prev...), prev[0])
		default:
			return out
		}
		out = append(out, entry...)
		if prev != nil && len(dict) < 4096 {
			dict = append(dict, append(append(make([]byte, 0, len(prev)+1), prev...), entry[0]))
		}
		prev = entry
		if len(dict)+early >= 1<<width && width < 12 {
			width++
		}
	}
	return out
}

func pngUnpredict(b []byte, cols int) []byte {
	if cols <= 0 || cols > 1<<16 {
		return b // nonsense parameters: leave the bytes as they are
	}
	row := cols + 1
	var out []byte
	prev := make([]byte, cols)
	for i := 0; i+row <= len(b); i += row {
		typ, cur := b[i], append([]byte(nil), b[i+1:i+row]...)
		for j := range cur {
			var left, up, ul byte
			if j > 0 {
				left, ul = cur[j-1], prev[j-1]
			}
			up = prev[j]
			switch typ {
			case 1:
				cur[j] += left
			case 2:
				cur[j] += up
			case 3:
				cur[j] += byte((int(left) + int(up)) / 2)
			case 4:
				p := int(left) + int(up) - int(ul)
				pa, pb, pc := abs(p-int(left)), abs(p-int(up)), abs(p-int(ul))
				switch {
				case pa <= pb && pa <= pc:
					cur[j] += left
				case pb <= pc:
					cur[j] += up
				default:
					cur[j] += ul
				}
			}
		}
		out = append(out, cur...)
		prev = cur
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func decodeA85(b []byte) []byte {
	var out []byte
	var tuple uint32
	n := 0
	for _, c := range b {
		switch {
		case c == '~':
			goto done
		case c == 'z' && n == 0:
			out = append(out, 0, 0, 0, 0)
		case c >= '!' && c <= 'u':
			tuple = tuple*85 + uint32(c-'!')
			n++
			if n == 5 {
				out = append(out, byte(tuple>>24), byte(tuple>>16), byte(tuple>>8), byte(tuple))
				tuple, n = 0, 0
			}
		}
	}
done:
	if n > 1 {
		for i := n; i < 5; i++ {
			tuple = tuple*85 + 84
		}
		out = append(out, []byte{byte(tuple >> 24), byte(tuple >> 16), byte(tuple >> 8), byte(tuple)}[:n-1]...)
	}
	return out
}

func runLength(b []byte, max int64) []byte {
	var out []byte
	for i := 0; i < len(b) && int64(len(out)) < max; {
		l := int(b[i])
		i++
		switch {
		case l < 128:
			end := min(i+l+1, len(b))
			out = append(out, b[i:end]...)
			i = end
		case l > 128:
			if i < len(b) {
				out = append(out, bytes.Repeat(b[i:i+1], 257-l)...)
			}
			i++
		default:
			return out
		}
	}
	return out
}

// pageInfo is a page with its inherited resources.
type pageInfo struct {
	dict      pDict
	resources pDict
}

// pages walks the page tree from the catalog; when the tree is missing or
// broken, it falls back to every /Type /Page object in file order.
func (d *pdfDoc) pages() []pageInfo {
	var out []pageInfo
	seen := map[any]bool{}
	var walk func(v any, res pDict, depth int)
	walk = func(v any, res pDict, depth int) {
		if depth > 64 || len(out) > d.w.lim.MaxEntries {
			return
		}
		if r, ok := v.(pRef); ok {
			if seen[r] {
				return
			}
			seen[r] = true
		}
		n := d.dict(v)
		if n == nil {
			return
		}
		if r := d.dict(n["Resources"]); r != nil {
			res = r
		}
		switch n["Type"] {
		case pName("Pages"):
			kids, _ := d.resolve(n["Kids"]).(pArray)
			for _, k := range kids {
				walk(k, res, depth+1)
			}
		default:
			if _, ok := n["Kids"]; ok {
				kids, _ := d.resolve(n["Kids"]).(pArray)
				for _, k := range kids {
					walk(k, res, depth+1)
				}
				return
			}
			out = append(out, pageInfo{dict: n, resources: res})
		}
	}
	for i := len(d.trailers) - 1; i >= 0 && len(out) == 0; i-- {
		if cat := d.dict(d.trailers[i]["Root"]); cat != nil {
			walk(cat["Pages"], nil, 0)
		}
	}
	if len(out) == 0 {
		for _, o := range d.objs {
			if cat, ok := o.(pDict); ok && cat["Type"] == pName("Catalog") {
				walk(cat["Pages"], nil, 0)
				if len(out) > 0 {
					break
				}
			}
		}
	}
	if len(out) == 0 {
		// Broken tree: every page object, in object-number order.
		nums := make([]int, 0, len(d.objs))
		for num := range d.objs {
			nums = append(nums, num)
		}
		slices.Sort(nums)
		for _, num := range nums {
			if p, ok := d.objs[num].(pDict); ok && p["Type"] == pName("Page") {
				out = append(out, pageInfo{dict: p, resources: d.dict(p["Resources"])})
			}
		}
	}
	return out
}

// pageTextQueue runs the content streams of one page, queueing the
// inflate of the pages ahead (the ones that follow p, read next in order;
// none: nothing is queued).
func (d *pdfDoc) pageTextQueue(p pageInfo, ahead []pageInfo) string {
	content := d.pageContent(p, ahead)
	d.content = content // inline images are read from it (pdfimage.go)
	t := &textRun{d: d, out: d.text[:0]}
	t.run(content, p.resources, 0)
	if d.used != nil { // the forms the page ran are no leftovers
		for s := range t.forms {
			d.used[s] = true
		}
	}
	d.text = t.out
	return tidyLinesBytes(t.out)
}

// tidyLines trims trailing spaces and collapses blank-line runs. One pass
// into one buffer (it was Split, TrimRight per line and Join: a slice of
// lines and a copy per page).
func tidyLines(s string) string {
	out := make([]byte, 0, len(s))
	blank := 0
	first := true
	for {
		i := strings.IndexByte(s, '\n')
		l := s
		if i >= 0 {
			l = s[:i]
		}
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
		} else {
			blank = 0
		}
		if blank <= 1 {
			if !first {
				out = append(out, '\n')
			}
			first = false
			out = append(out, l...)
		}
		if i < 0 {
			break
		}
		s = s[i+1:]
	}
	return strings.TrimSpace(aliasString(out)) // out is not written again
}

// tidyLinesBytes is tidyLines(string(b)) done in place in b (the result
// is never longer than what it is read from), so that the page text is
// copied once, into the string returned. b is overwritten.
func tidyLinesBytes(b []byte) string {
	w := 0
	blank := 0
	first := true
	for r := 0; ; {
		i := bytes.IndexByte(b[r:], '\n')
		end := len(b)
		if i >= 0 {
			end = r + i
		}
		e := end
		for e > r && (b[e-1] == ' ' || b[e-1] == '\t') {
			e--
		}
		if e == r {
			blank++
		} else {
			blank = 0
		}
		if blank <= 1 {
			if !first {
				b[w] = '\n'
				w++
			}
			first = false
			w += copy(b[w:], b[r:e])
		}
		if i < 0 {
			break
		}
		r = end + 1
	}
	return string(bytes.TrimSpace(b[:w]))
}
