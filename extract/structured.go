package extract

import (
	"archive/tar"
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
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// multipart walks every part of a multipart body; each part is a node of
// its own, labelled "multipart:<field>/<filename>".
func (w *walker) multipart(n node, boundary string) {
	mr := multipart.NewReader(io.NewSectionReader(n.body.r, 0, n.body.size), boundary)
	count := 0
	for {
		if w.expired() {
			return
		}
		// NextRawPart: quoted-printable is handled below with the other
		// transfer encodings, uniformly.
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			w.problem(n.origin, Malformed, "multipart body corrupt or truncated")
			return
		}
		count++
		if count > w.lim.MaxEntries {
			w.limit(n.origin, "too many multipart parts; the rest were not inspected")
			return
		}
		field := sanitizeName(p.FormName())
		if field == "" {
			field = "part" + strconv.Itoa(count)
		}
		label := field
		if fn := p.FileName(); fn != "" {
			label += "/" + sanitizeName(fn)
		}
		var origin string
		if n.origin == "" {
			origin = "multipart:" + label
		} else {
			origin = n.origin + ">multipart:" + label
		}
		var r io.Reader = p
		switch strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding"))) {
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, newlineStripper{p})
		case "quoted-printable":
			r = quotedprintable.NewReader(p)
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
		w.node(node{origin: origin, name: p.FileName(), ctype: p.Header.Get("Content-Type"), body: memBlob(data), depth: n.depth + 1})
	}
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

// form reads application/x-www-form-urlencoded: each value is a node
// (values are often JSON, e.g. DingTalk's msgParam).
func (w *walker) form(n node, data []byte) {
	vals, err := url.ParseQuery(string(data))
	if err != nil && len(vals) == 0 {
		w.problem(n.origin, Malformed, "form body does not parse")
		return
	}
	// ParseQuery's map loses order: walk the body to keep it.
	count := 0
	for _, pair := range strings.Split(string(data), "&") {
		if w.expired() {
			return
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || strings.TrimSpace(val) == "" {
			continue
		}
		count++
		if count > w.lim.MaxEntries {
			w.limit(n.origin, "too many form fields; the rest were not inspected")
			return
		}
		var origin string
		if n.origin == "" {
			origin = "form:" + sanitizeName(key)
		} else {
			origin = n.origin + ">form:" + sanitizeName(key)
		}
		w.node(node{origin: origin, body: memBlob([]byte(val)), depth: n.depth + 1})
	}
}

// jsonNode walks a JSON document, emitting every string value labelled with
// its path. A string value that is itself a JSON document is decoded and
// walked too. It returns false when text is not JSON.
func (w *walker) jsonNode(n node, text string) bool {
	if !json.Valid([]byte(text)) {
		return w.jsonLines(n, text)
	}
	var prefix string
	switch {
	case n.origin == "":
		prefix = "json:"
	case strings.Contains(n.origin, "json:"):
		prefix = n.origin + ">" // a JSON document inside a JSON string
	default:
		prefix = n.origin + ">json:"
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	w.jsonValue(dec, prefix, "$", "", n.depth)
	return true
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

// jsonLines walks JSON Lines (one document per line, as log exports and
// message dumps are written): every non-empty line must be JSON, else the
// body is not JSON Lines and is read as text. Origins read "jsonl:3:$.a".
func (w *walker) jsonLines(n node, text string) bool {
	lines := strings.Split(text, "\n")
	docs := 0
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if l[0] != '{' && l[0] != '[' || !json.Valid([]byte(l)) {
			return false
		}
		docs++
	}
	if docs < 2 {
		return false
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if w.expired() {
			return true
		}
		prefix := "jsonl:" + strconv.Itoa(i+1) + ":"
		if n.origin != "" {
			prefix = n.origin + ">" + prefix
		}
		dec := json.NewDecoder(strings.NewReader(l))
		dec.UseNumber()
		w.jsonValue(dec, prefix, "$", "", n.depth)
	}
	return true
}

// key is the member name the value sits under (an array's own name for its
// elements): numbers are emitted as "key: 123" because a bare number means
// nothing to a classifier, while {"Total assets": 1204330} does.
func (w *walker) jsonValue(dec *json.Decoder, prefix, path, key string, depth int) {
	if w.tick() {
		panic(errStop)
	}
	tok, err := dec.Token()
	if err != nil {
		return
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return
				}
				k, _ := kt.(string)
				w.jsonValue(dec, prefix, path+jsonKey(k), k, depth)
			}
			_, _ = dec.Token()
		case '[':
			for i := 0; dec.More(); i++ {
				w.jsonValue(dec, prefix, path+"["+strconv.Itoa(i)+"]", key, depth)
			}
			_, _ = dec.Token()
		}
	case json.Number:
		if key != "" {
			w.emit(prefix+path, key+": "+t.String())
		}
	case string:
		origin := prefix + path
		s := strings.TrimSpace(t)
		if (strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") || strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]")) && json.Valid([]byte(s)) {
			if depth+1 > w.lim.MaxDepth {
				w.limit(origin, "nested JSON deeper than the nesting limit not inspected")
				w.emit(origin, t)
				return
			}
			inner := json.NewDecoder(strings.NewReader(s))
			inner.UseNumber()
			w.jsonValue(inner, origin+">", "$", "", depth+1)
			return
		}
		if w.base64Doc(origin, s, depth) {
			return
		}
		w.emit(origin, t)
	}
}

// base64Doc handles a long base64 string that decodes to a document (an
// attachment embedded in a JSON message): it is extracted as a file.
func (w *walker) base64Doc(origin, s string, depth int) bool {
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
	clean := strings.NewReplacer("\r", "", "\n", "").Replace(s)
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
	case kindImage, kindAudioVideo, kindExecutable, kindOtherArchive:
		w.problem(origin+">base64", Unsupported, k.reason())
		return true
	}
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
	var hdr strings.Builder
	for _, k := range []string{"From", "To", "Cc", "Subject"} {
		if v := msg.Header.Get(k); v != "" {
			if d, err := dec.DecodeHeader(v); err == nil {
				v = d
			}
			hdr.WriteString(k + ": " + v + "\n")
		}
	}
	w.emit(child(base, "mail", "headers"), hdr.String())
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
