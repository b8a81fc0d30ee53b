package extract

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// multipart walks every part of a multipart body; each part is a node of
// its own, labelled "multipart:<field>/<filename>". Parts are located in
// place (a spilled upload is read through its io.ReaderAt, never copied):
// a ZIP part is opened where it lies. Bodies that do not frame their parts
// with CRLF fall back to mime/multipart, which copies each part. A large
// body still arriving is read as it arrives (multipartstream.go).
func (w *walker) multipart(n node, boundary string) {
	if w.speculative && n.depth == 0 {
		w.multipartStream(n, boundary)
		return
	}
	spans, closed, ok := w.partSpans(n.body, boundary)
	if !ok {
		w.multipartCopy(n, boundary)
		return
	}
	// Bytes before the first delimiter and after the last are ignored by
	// multipart readers, but they are in the upload: read them too.
	pre, post := spanOutside(n.body, spans, closed, boundary)
	defer w.outsideParts(n, pre, post)
	for i, sp := range spans {
		if w.expired() {
			return
		}
		if i >= w.lim.MaxEntries {
			w.limit(n.origin, "too many multipart parts; the rest were not inspected")
			return
		}
		w.partInPlace(n, i+1, sp)
	}
	if !closed {
		w.problem(n.origin, Malformed, "multipart body truncated (no closing boundary); the parts read were kept")
	}
}

// span is one part's bytes (headers and body) inside the multipart body.
type span struct{ start, end int64 }

// spanOutside returns the preamble (before the first delimiter line) and,
// for a closed body, the epilogue (after the close delimiter's line).
func spanOutside(b blob, spans []span, closed bool, boundary string) (pre, post span) {
	if len(spans) == 0 {
		return
	}
	delim := []byte("--" + boundary)
	// The first delimiter line is the last "--boundary" before the first
	// part (its padding is at most 256 bytes and holds none).
	first := spans[0].start
	n := min(first, int64(len(delim)+2+256+2))
	buf := make([]byte, n)
	k, _ := b.r.ReadAt(buf, first-n)
	if j := bytes.LastIndex(buf[:k], delim); j >= 0 {
		at := first - n + int64(j)
		if at >= 2 {
			pre = span{0, at - 2} // the CRLF before it belongs to the delimiter
		}
	}
	if closed {
		post = epilogue(b, spans[len(spans)-1].end+2+int64(len(delim))+2) // past "\r\n--boundary--"
	}
	return pre, post
}

// epilogue is what follows the line of a close delimiter whose "--"
// ends before offset after (transport padding allowed before the line end).
func epilogue(b blob, after int64) span {
	line := make([]byte, 256)
	k, _ := b.r.ReadAt(line, after)
	switch e := bytes.IndexByte(line[:k], '\n'); {
	case e >= 0:
		return span{after + int64(e) + 1, b.size}
	case after < b.size:
		return span{after, b.size}
	}
	return span{}
}

// outsideParts reads a multipart body's preamble and epilogue when they
// hold more than white space.
func (w *walker) outsideParts(n node, pre, post span) {
	for _, sp := range []struct {
		name string
		span
	}{{"preamble", pre}, {"epilogue", post}} {
		if sp.end <= sp.start || w.stop {
			continue
		}
		r := io.NewSectionReader(n.body.r, sp.start, sp.end-sp.start)
		head := w.head(blob{r: r, size: r.Size()}, sniffLen)
		if len(bytes.TrimSpace(head)) == 0 && r.Size() <= int64(len(head)) {
			continue
		}
		w.node(node{origin: multipartOrigin(n, sp.name), name: sp.name, body: blob{r: r, size: r.Size()}, depth: n.depth + 1})
	}
}

// partSpans finds the delimiters "--boundary" (at the start or after CRLF)
// by scanning the body once. ok is false when there are none.
func (w *walker) partSpans(b blob, boundary string) (spans []span, closed, ok bool) {
	delim := []byte("\r\n--" + boundary)
	var marks []int64 // offsets where a delimiter line starts (at "--")
	const chunk = partChunk
	buf := make([]byte, chunk+len(delim))
	head := make([]byte, len(delim)-2)
	if k, _ := b.r.ReadAt(head, 0); k == len(head) && bytes.Equal(head, delim[2:]) {
		marks = append(marks, 0)
	}
	for off := int64(0); off < b.size; off += chunk {
		if w.tick() {
			return nil, false, false
		}
		k, err := b.r.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, false, false
		}
		data := buf[:k]
		for i := 0; ; {
			j := bytes.Index(data[i:], delim)
			if j < 0 {
				break
			}
			at := off + int64(i+j)
			// Overlapping windows see a delimiter twice.
			if at < off+chunk && (len(marks) == 0 || marks[len(marks)-1] < at+2) {
				marks = append(marks, at+2)
			}
			i += j + len(delim)
		}
		if len(marks) > w.lim.MaxEntries+1 {
			break
		}
	}
	// A delimiter is "--boundary" followed by "--" or by optional
	// whitespace and a line end; "--boundaryX" inside content is not one.
	valid := marks[:0]
	tail := make([]byte, delimTail)
	for _, m := range marks {
		switch delimAt(b, m, len(delim)-2, tail) {
		case delimLine:
			valid = append(valid, m)
		case delimBareLF:
			return nil, false, false // bare-LF framing: mime/multipart copes
		}
	}
	marks = valid
	if len(marks) == 0 {
		return nil, false, false
	}
	for i, m := range marks {
		start, isClose := partStart(b, m, len(delim)-2)
		if isClose {
			return spans, true, true
		}
		end := b.size
		if i+1 < len(marks) {
			end = marks[i+1] - 2 // the CRLF before the next delimiter
		}
		if end < start {
			end = start
		}
		spans = append(spans, span{start, end})
	}
	return spans, false, true
}

// partInPlace reads one part's headers and hands its body on, in place
// unless a transfer encoding must be undone.
func (w *walker) partInPlace(n node, idx int, sp span) {
	hdr, hlen, why := partHeader(n.body, sp.start, min(sp.end-sp.start, partHeaderMax))
	if why != "" {
		w.problem(n.origin, Malformed, why)
		return
	}
	body := io.NewSectionReader(n.body.r, sp.start+int64(hlen), sp.end-sp.start-int64(hlen))
	w.partNode(n, idx, hdr, body, blob{r: body, size: body.Size()})
}

// partChunk is how much of a multipart body is scanned for delimiters at
// a time.
const partChunk = 256 << 10

// partHeaderMax is how much of a part its headers may take.
const partHeaderMax = 64 << 10

// partHeader reads the headers of the part at start from its first n
// bytes: them, their length with the blank line that ends them, and why
// the part is not inspected ("" when it is).
func partHeader(b blob, start, n int64) (textproto.MIMEHeader, int, string) {
	hb := make([]byte, n)
	k, _ := b.r.ReadAt(hb, start)
	hb = hb[:k]
	var hlen int
	switch {
	case bytes.HasPrefix(hb, []byte("\r\n")):
		hlen = 2 // no headers
	default:
		e := bytes.Index(hb, []byte("\r\n\r\n"))
		if e < 0 {
			return nil, 0, "multipart part headers do not end; part not inspected"
		}
		hlen = e + 4
	}
	hdr, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(hb[:hlen]))).ReadMIMEHeader()
	if err != nil && hlen > 2 {
		return nil, 0, "multipart part headers do not parse; part not inspected"
	}
	return hdr, hlen, ""
}

// Kinds of "--boundary" found after a CRLF (delimAt).
const (
	delimNot    = iota // "--boundaryX": content, not a delimiter
	delimLine          // a delimiter line (or the close delimiter)
	delimBareLF        // ended by a bare line feed
)

// delimTail is how many bytes after "--boundary" delimAt looks at.
const delimTail = 128

// delimAt tells what the "--boundary" (dl bytes) at m in b is: a
// delimiter is followed by "--" or by optional white space and a line
// end (or the body's end); tail is scratch of delimTail bytes.
func delimAt(b blob, m int64, dl int, tail []byte) int {
	k, _ := b.r.ReadAt(tail, m+int64(dl))
	t := tail[:k]
	if bytes.HasPrefix(t, []byte("--")) {
		return delimLine
	}
	t = bytes.TrimLeft(t, " \t")
	switch {
	case bytes.HasPrefix(t, []byte("\r\n")), len(t) == 0 && k < len(tail):
		return delimLine
	case bytes.HasPrefix(t, []byte("\n")):
		return delimBareLF
	}
	return delimNot
}

// partStart is where the part after the delimiter whose "--boundary" (dl
// bytes) is at m begins: after the delimiter line (transport padding
// allowed before its CRLF). isClose reports a close delimiter instead.
func partStart(b blob, m int64, dl int) (start int64, isClose bool) {
	after := m + int64(dl)
	var line [2]byte
	if k, _ := b.r.ReadAt(line[:], after); k == 2 && line[0] == '-' && line[1] == '-' {
		return 0, true
	}
	nl := make([]byte, 256)
	k, _ := b.r.ReadAt(nl, after)
	if e := bytes.IndexByte(nl[:k], '\n'); e >= 0 {
		return after + int64(e) + 1, false
	}
	return after + int64(k), false
}

// multipartCopy is the mime/multipart path for bodies partSpans cannot frame.
func (w *walker) multipartCopy(n node, boundary string) {
	// mime/multipart skips the preamble and epilogue; a body with no
	// delimiter at all has nothing it would read. All are in the upload.
	pre, post, found := w.lfOutside(n.body, boundary)
	if !found {
		w.problem(n.origin, Malformed, "multipart body has no delimiter for its boundary; read as one piece")
		w.node(node{origin: multipartOrigin(n, "unframed"), name: "unframed", body: n.body, depth: n.depth + 1})
		return
	}
	defer w.outsideParts(n, pre, post)
	mr := multipart.NewReader(io.NewSectionReader(n.body.r, 0, n.body.size), boundary)
	for count := 1; ; count++ {
		if w.expired() {
			return
		}
		// NextRawPart: transfer encodings are undone in partNode, uniformly.
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			w.problem(n.origin, Malformed, "multipart body corrupt or truncated")
			return
		}
		if count > w.lim.MaxEntries {
			w.limit(n.origin, "too many multipart parts; the rest were not inspected")
			return
		}
		w.partNode(n, count, p.Header, p, blob{})
	}
}

// lfOutside finds, for a body multipartCopy reads, the preamble (before
// the first delimiter line: "--boundary" at the start or after a line feed,
// then "--", or white space and a line end) and the epilogue (after the
// line of the first close delimiter). found is false when there is no
// delimiter.
func (w *walker) lfOutside(b blob, boundary string) (pre, post span, found bool) {
	delim := []byte("--" + boundary)
	const chunk = 256 << 10
	buf := make([]byte, 1+chunk+len(delim)+130)
	first, closeAt := int64(-1), int64(-1)
scan:
	for off := int64(0); off < b.size; off += chunk {
		if w.tick() {
			break
		}
		base := max(off-1, 0)
		k, err := b.r.ReadAt(buf, base)
		if err != nil && !errors.Is(err, io.EOF) {
			break
		}
		data := buf[:k]
		for i := int(off - base); i < len(data); {
			j := bytes.Index(data[i:], delim)
			if j < 0 {
				break
			}
			p := i + j
			at := base + int64(p)
			if at >= off+chunk {
				break // the next window owns it
			}
			i = p + 1
			if p > 0 && data[p-1] != '\n' {
				continue
			}
			t := data[p+len(delim):]
			isClose := bytes.HasPrefix(t, []byte("--"))
			if !isClose {
				t = bytes.TrimLeft(t, " \t")
				if !bytes.HasPrefix(t, []byte("\n")) && !bytes.HasPrefix(t, []byte("\r\n")) && !(len(t) == 0 && base+int64(len(data)) == b.size) {
					continue // "--boundaryX" inside content
				}
			}
			if first < 0 {
				first = at
			}
			if isClose {
				closeAt = at
				break scan
			}
		}
	}
	if first < 0 {
		return pre, post, false
	}
	if first > 0 {
		end := first - 1 // the line feed before the delimiter belongs to it
		if end > 0 {
			var cr [1]byte
			if _, err := b.r.ReadAt(cr[:], end-1); err == nil && cr[0] == '\r' {
				end--
			}
		}
		pre = span{0, end}
	}
	if closeAt >= 0 {
		post = epilogue(b, closeAt+int64(len(delim))+2)
	}
	return pre, post, true
}

// partNode labels a part from its headers and extracts its body: raw is
// read (and transfer-decoded) into memory unless inPlace can serve it.
// multipartOrigin is the origin of the piece label of the multipart body
// n: "multipart:label", after n's own origin when it is nested.
func multipartOrigin(n node, label string) string {
	if n.origin != "" {
		return n.origin + ">multipart:" + label
	}
	return "multipart:" + label
}

func (w *walker) partNode(n node, idx int, hdr textproto.MIMEHeader, raw io.Reader, inPlace blob) {
	origin, filename, ctype := w.partLabel(n, idx, hdr)
	var r io.Reader
	switch partTransfer(hdr) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, newlineStripper{raw})
	case "quoted-printable":
		r = quotedprintable.NewReader(raw)
	default:
		if inPlace.r != nil {
			w.node(node{origin: origin, name: filename, ctype: ctype, body: inPlace, depth: n.depth + 1})
			return
		}
		r = raw
	}
	data, why, err := w.readBounded(r, 0)
	switch {
	case errors.Is(err, errStop):
		return
	case errors.Is(err, errTooBig):
		w.limit(origin, why+"; only the first part was inspected")
	case err != nil:
		w.problem(origin, Malformed, "multipart part corrupt or truncated")
	}
	w.node(node{origin: origin, name: filename, ctype: ctype, body: memBlob(data), depth: n.depth + 1})
}

// partLabel emits what part idx's headers say about it (partNames) and
// returns its origin, its file name and its Content-Type.
func (w *walker) partLabel(n node, idx int, hdr textproto.MIMEHeader) (origin, filename, ctype string) {
	var field string
	if _, params, err := mime.ParseMediaType(hdr.Get("Content-Disposition")); err == nil {
		field, filename = params["name"], params["filename"]
	}
	if filename != "" {
		filename = path.Base(strings.ReplaceAll(filename, `\`, "/"))
	}
	label := sanitizeName(field)
	if label == "" {
		label = "part" + strconv.Itoa(idx)
	}
	if filename != "" {
		label += "/" + sanitizeName(filename)
	}
	origin = multipartOrigin(n, label)
	ctype = hdr.Get("Content-Type")
	w.partNames(origin, hdr, field, filename, ctype)
	return origin, filename, ctype
}

// partTransfer is a part's Content-Transfer-Encoding, lower case.
func partTransfer(hdr textproto.MIMEHeader) string {
	return strings.ToLower(strings.TrimSpace(hdr.Get("Content-Transfer-Encoding")))
}

// newlineStripper drops CR/LF so base64 bodies wrapped at 76 columns decode.
type newlineStripper struct{ r io.Reader }

func (s newlineStripper) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// unescapeDeep URL-decodes a form key or value, again while the result
// still holds %XX escapes (a value encoded twice or three times reads as
// written once), at most four times. A piece that does not unescape is
// read as written.
func unescapeDeep(s string) string {
	for range 4 {
		u, err := url.QueryUnescape(s)
		if err != nil || u == s {
			return s
		}
		s = u
		if !strings.Contains(s, "%") {
			return s
		}
	}
	return s
}

// form reads application/x-www-form-urlencoded: each value is a node
// (values are often JSON, e.g. DingTalk's msgParam).
func (w *walker) form(n node, data []byte) {
	// A body labelled as a form that has no key=value pair is not a form
	// (curl --data-binary labels any file so): read it as text rather than
	// finding no values in it.
	if !bytes.Contains(data, []byte("=")) {
		w.textNode(n, "text/plain", "", data)
		return
	}
	// Walk the pairs in order. Nothing is skipped: a value or key that does
	// not unescape is read as written, and keys are read too (data can hide
	// in them as well as in values).
	var f formKeys
	for _, pair := range strings.Split(string(data), "&") {
		if !w.formPair(n, &f, pair) {
			return
		}
	}
	w.emitFormKeys(n, &f)
}

// formKeys is what a form reading gathers across its pairs.
type formKeys struct {
	keys  strings.Builder
	count int // values read
}

// formPair reads one key=value pair of the form n; false means the reading
// ends here (time, or too many fields), its keys unread.
func (w *walker) formPair(n node, f *formKeys, pair string) bool {
	if w.expired() {
		return false
	}
	k, v, _ := strings.Cut(pair, "=")
	key, val := unescapeDeep(k), unescapeDeep(v)
	if strings.TrimSpace(key) != "" {
		f.keys.WriteString(key)
		f.keys.WriteByte('\n')
	}
	if strings.TrimSpace(val) == "" {
		return true
	}
	f.count++
	if f.count > w.lim.MaxEntries {
		w.limit(n.origin, "too many form fields; the rest were not inspected")
		return false
	}
	var origin string
	if n.origin == "" {
		origin = "form:" + sanitizeName(key)
	} else {
		origin = n.origin + ">form:" + sanitizeName(key)
	}
	w.node(node{origin: origin, body: memBlob([]byte(val)), depth: n.depth + 1})
	return true
}

// emitFormKeys emits the keys of a form read to its end.
func (w *walker) emitFormKeys(n node, f *formKeys) {
	if f.keys.Len() > 0 {
		origin := "form-keys"
		if n.origin != "" {
			origin = n.origin + ">form-keys"
		}
		w.emit(origin, f.keys.String())
	}
}

// unescapeJSONText decodes \uXXXX (and surrogate pairs) and the simple
// backslash escapes in text that is JSON-like but not parseable.
func unescapeJSONText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			sb.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; c {
		case 'u':
			if i+6 <= len(s) {
				if v, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
					r := rune(v)
					i += 5
					if utf16.IsSurrogate(r) && i+7 <= len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
						if v2, err := strconv.ParseUint(s[i+3:i+7], 16, 16); err == nil {
							r = utf16.DecodeRune(r, rune(v2))
							i += 6
						}
					}
					sb.WriteRune(r)
					continue
				}
			}
			sb.WriteByte(s[i])
		case 'n':
			sb.WriteByte('\n')
			i++
		case 't':
			sb.WriteByte('\t')
			i++
		case '"', '\\', '/':
			sb.WriteByte(c)
			i++
		default:
			sb.WriteByte(s[i])
		}
	}
	return sb.String()
}

// base64Doc handles a long base64 string that decodes to a document (an
// attachment embedded in a JSON message): it is extracted as a file.
func (w *walker) base64Doc(origin, s string, depth int) bool {
	if len(s) < 64 {
		return false // the test below, made before searching every short string
	}
	if i := strings.Index(s, ";base64,"); strings.HasPrefix(s, "data:") && i > 0 && i < 100 {
		s = s[i+len(";base64,"):]
	}
	if len(s) < 64 || strings.ContainsAny(s[:64], " .,:;") {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || c == '_' || c == '-' || c == '\r' || c == '\n') {
			return false
		}
	}
	clean := stripCRLF(s)
	var b []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err = enc.DecodeString(clean); err == nil {
			break
		}
	}
	if err != nil {
		return false
	}
	switch k := sniff(b, int64(len(b))); k {
	case kindText:
		// Tokens and signatures decode to binary noise and are emitted
		// as they are; base64 that decodes to readable text (a way to
		// slip a list past a filter) is read decoded.
		if !utf8.Valid(b) || isBinary(b) {
			return false
		}
	}
	// Everything else is a file: w.node checks that media really is media.
	w.node(node{origin: origin + ">base64", body: memBlob(b), depth: depth + 1})
	return true
}

// jsonKey renders one path step: .name for plain keys, ["..."] otherwise.
func jsonKey(k string) string {
	plain := k != ""
	for _, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return "." + k
	}
	b, _ := json.Marshal(sanitizeName(k))
	return "[" + string(b) + "]"
}

// tarNode extracts every regular file of a tar archive (tar.gz arrives here
// after the gzip layer).
func (w *walker) tarNode(n node) {
	tr := tar.NewReader(io.NewSectionReader(n.body.r, 0, n.body.size))
	base := containerBase(n, "tar")
	for count := 0; ; {
		if w.expired() {
			return
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			w.problem(n.origin, Malformed, "tar archive corrupt or truncated")
			return
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			continue
		}
		count++
		if count > w.lim.MaxEntries {
			w.limit(n.origin, "archive has more than the entries limit; only the first were inspected")
			return
		}
		origin := child(base, "tar", sanitizeName(h.Name))
		if h.Size > w.lim.MaxDecompressed {
			w.limit(origin, "tar member larger than the decompressed size limit; only the first part was inspected")
		}
		data, _, err := w.readBounded(io.LimitReader(tr, w.lim.MaxDecompressed), 0)
		if errors.Is(err, errStop) {
			return
		}
		if err != nil {
			w.problem(origin, Malformed, "tar member truncated; text read before the damage was kept")
		}
		w.node(node{origin: origin, name: h.Name, body: memBlob(data), depth: n.depth + 1})
	}
}

// mailNode reads an e-mail message (.eml): headers that carry text, then
// the body as a MIME node (multipart messages walk every attachment).
func (w *walker) mailNode(n node) {
	data, err := w.load(n.origin, n.body)
	if err != nil {
		w.problem(n.origin, Malformed, "body could not be read")
		return
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		w.problem(n.origin, Malformed, "e-mail message headers do not parse")
		return
	}
	base := containerBase(n, "mail")
	dec := new(mime.WordDecoder)
	dec.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		e := lookupCharset(charset)
		if e == nil {
			return nil, fmt.Errorf("charset %q not supported", sanitizeToken(charset))
		}
		return e.NewDecoder().Reader(input), nil
	}
	w.emit(child(base, "mail", "headers"), mailHeaders(msg.Header, dec))
	body, _ := io.ReadAll(msg.Body)
	var r io.Reader = bytes.NewReader(body)
	switch strings.ToLower(strings.TrimSpace(msg.Header.Get("Content-Transfer-Encoding"))) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, newlineStripper{r})
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	decoded, _, err := w.readBounded(r, 0)
	if errors.Is(err, errStop) {
		return
	}
	w.node(node{origin: child(base, "mail", "body"), ctype: msg.Header.Get("Content-Type"), body: memBlob(decoded), depth: n.depth + 1})
}
