package extract

import (
	"encoding/base64"
	"encoding/hex"
	"html"
	"mime"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"unicode/utf8"
)

// Text hidden inside text: base64 runs in any text body (not only a whole
// JSON value), HTML character references (&#65; &#x41; &amp;) in text
// that is not HTML, percent-encoding (%41%31), JSON object keys,
// multipart field and file names.
// Each is read in addition to the text as written, below its own origin.

// b64Min is the shortest base64 run decoded inside text: 24 characters
// are 18 bytes, enough for an identifier with a name; shorter runs are
// mostly ordinary words and tokens.
const b64Min = 24

// textExtras reads the base64 runs and HTML character references in text
// found at origin (a text body, a JSON string value); entities is false
// for HTML, whose reader decodes them already.
func (w *walker) textExtras(origin, text string, depth int, entities bool) {
	if len(text) < 4 || w.full {
		return
	}
	if entities && strings.IndexByte(text, '&') >= 0 && strings.IndexByte(text, ';') >= 0 {
		if u := html.UnescapeString(text); u != text {
			w.emit(origin+">entities", u)
		}
	}
	if strings.IndexByte(text, '%') >= 0 {
		if u, ok := percentDecoded(text); ok {
			w.emit(origin+">percent", u)
		}
	}
	if len(text) >= b64Min {
		w.base64Runs(origin, text, depth)
	}
}

// percentMin is how many %XX escapes make text worth reading decoded: two
// are enough to hide a check digit's brackets ("A123456%283%29"); one is
// a "50%" or a URL with a space in it, read as written.
const percentMin = 2

// percentDecoded returns text with its %XX escapes undone (up to three
// times over, for text encoded twice: "%2541" is "%41" is "A"), when it
// holds at least percentMin of them and decodes to valid UTF-8: text sent
// URL-encoded ("A%31%32%33%34%35%36%283%29", encodeURIComponent of a list)
// reads as the text it encodes. '+' is a space when the text has no other
// space (a form-encoded value).
func percentDecoded(text string) (string, bool) {
	out := text
	for range 3 {
		n := 0
		for i := 0; i+2 < len(out) && n < percentMin; i++ {
			if out[i] == '%' && isHexDigit(out[i+1]) && isHexDigit(out[i+2]) {
				n++
				i += 2
			}
		}
		if n < percentMin {
			break
		}
		b := make([]byte, 0, len(out))
		for i := 0; i < len(out); i++ {
			if out[i] == '%' && i+2 < len(out) && isHexDigit(out[i+1]) && isHexDigit(out[i+2]) {
				b = append(b, unhex(out[i+1])<<4|unhex(out[i+2]))
				i += 2
				continue
			}
			b = append(b, out[i])
		}
		if !utf8.Valid(b) {
			break
		}
		out = string(b)
	}
	if out == text {
		return "", false
	}
	if strings.IndexByte(out, '+') >= 0 && strings.IndexByte(out, ' ') < 0 {
		out = strings.ReplaceAll(out, "+", " ")
	}
	return out, true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// b64End returns the end of the alphabet run at i, and of the run with
// its padding.
func b64End(text string, i int) (int, int) {
	k := i
	for k < len(text) && b64Table[text[k]] {
		k++
	}
	e := k
	for e < len(text) && text[e] == '=' && e-k < 2 {
		e++
	}
	return k, e
}

// b64Table marks the base64 alphabets (standard and URL-safe).
var b64Table = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") {
		t[c] = true
	}
	return t
}()

// base64Runs finds runs of base64 alphabet at least b64Min long (lines of
// a wrapped block joined), decodes the valid ones and reads what they
// hold: a document as a file, readable text as text. Noise (tokens,
// hashes, binary) is left as the text already emitted.
func (w *walker) base64Runs(origin, text string, depth int) {
	found := 0
	for i := 0; i < len(text); {
		if !b64Table[text[i]] {
			i++
			continue
		}
		k, e := b64End(text, i)
		if e-i < b64Min {
			i = e // too short to decode, or to start a wrapped block
			continue
		}
		if w.tick() {
			return
		}
		// A run, possibly wrapped over lines of 40+ characters.
		run := text[i:e]
		var parts []string
		for e == k && e-i >= 40 {
			nl := e
			if nl < len(text) && text[nl] == '\r' {
				nl++
			}
			if nl >= len(text) || text[nl] != '\n' || nl+1 >= len(text) || !b64Table[text[nl+1]] {
				break
			}
			if parts == nil {
				parts = []string{run}
			}
			i = nl + 1
			k, e = b64End(text, i)
			parts = append(parts, text[i:e])
		}
		if parts != nil {
			run = strings.Join(parts, "")
		}
		i = e
		if w.hexRun(origin, run) {
			continue
		}
		if len(run) < b64Min || !b64Mixed(run) {
			continue
		}
		found++
		if found > 1000 {
			return
		}
		if w.base64Doc(origin, run, depth) {
			continue
		}
		b, ok := decodeB64(run)
		if !ok || !utf8.Valid(b) || isBinary(b) || !mostlyPrintable(b) {
			continue
		}
		w.emit(origin+">base64", string(b))
	}
}

// hexMin is the shortest hex run decoded inside text: 20 bytes of text.
// Hashes and ids are hex too, but they decode to binary and are left alone.
const hexMin = 40

// hexRun reads a run of hex digits (a subset of the base64 alphabet, so
// base64Runs finds it) as the text it encodes, when it decodes to readable
// text; it reports whether the run was hex.
func (w *walker) hexRun(origin, run string) bool {
	if len(run) < hexMin || len(run)%2 != 0 {
		return false
	}
	for i := 0; i < len(run); i++ {
		if c := run[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	b, err := hex.DecodeString(run)
	if err != nil || !utf8.Valid(b) || isBinary(b) || !mostlyPrintable(b) {
		return true
	}
	w.emit(origin+">hex", string(b))
	return true
}

// b64Mixed: real base64 mixes cases and digits; a long word, a hex hash
// or a path component does not.
func b64Mixed(s string) bool {
	var up, low, dig bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			up = true
		case c >= 'a' && c <= 'z':
			low = true
		case c >= '0' && c <= '9':
			dig = true
		}
	}
	return up && low || up && dig || low && dig && strings.ContainsAny(s, "+/=")
}

// stripCRLF returns s without its CR and LF bytes (a wrapped base64 run),
// s itself when it has none: most runs are one line, and building a
// strings.Replacer for each cost more than decoding a robot's token.
func stripCRLF(s string) string {
	if strings.IndexByte(s, '\n') < 0 && strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
}

func decodeB64(s string) ([]byte, bool) {
	s = stripCRLF(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.Strict().DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// mostlyPrintable: at least 90% of the runes are printable or spacing.
func mostlyPrintable(b []byte) bool {
	n, good := 0, 0
	for _, r := range string(b) {
		n++
		if r >= 0x20 && r != 0x7f && r != utf8.RuneError || r == '\n' || r == '\r' || r == '\t' {
			good++
		}
	}
	return n > 0 && good*10 >= n*9
}

// jsonKeyData reports whether a JSON member name looks like data rather
// than schema: anything beyond an identifier's characters, or a run of
// four digits ({"A123456(3)": ...}, {"陳大文": ...}, {"91234567": ...}).
func jsonKeyData(k string) bool {
	digits := 0
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits >= 4 {
				return true
			}
			continue
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '-', c == '.', c == '$', c == '@':
		default:
			return true
		}
		digits = 0
	}
	return false
}

// partNames emits what a multipart part's headers say about it: the form
// field name, the file name (also from Content-Type's name parameter, as
// mail attachments give it) and every other header of the part.
func (w *walker) partNames(origin string, hdr textproto.MIMEHeader, field, filename, ctype string) {
	var sb strings.Builder
	for _, v := range []string{field, filename} {
		if strings.TrimSpace(v) != "" {
			sb.WriteString(v)
			sb.WriteByte('\n')
		}
	}
	if _, params, err := mime.ParseMediaType(ctype); err == nil && params["name"] != "" && params["name"] != filename {
		sb.WriteString(params["name"])
		sb.WriteByte('\n')
	}
	// Every other header of the part (a description, an e-mail part's
	// own Subject, X- headers), encoded words decoded, in a stable order.
	dec := new(mime.WordDecoder)
	keys := make([]string, 0, len(hdr))
	for k := range hdr {
		switch k {
		case "Content-Type", "Content-Disposition", "Content-Transfer-Encoding", "Content-Length", "Mime-Version":
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range hdr[k] {
			if d, err := dec.DecodeHeader(v); err == nil {
				v = d
			}
			sb.WriteString(k + ": " + v + "\n")
		}
	}
	w.emit(origin+"#names", sb.String())
}

// mailHeaders renders every header of a message, encoded words decoded,
// in a stable order (the well-known ones first).
func mailHeaders(h mail.Header, dec *mime.WordDecoder) string {
	first := []string{"From", "To", "Cc", "Bcc", "Reply-To", "Subject"}
	keys := make([]string, 0, len(h))
	for k := range h {
		if !slices.Contains(first, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var sb strings.Builder
	for _, k := range append(first, keys...) {
		for _, v := range h[k] {
			if d, err := dec.DecodeHeader(v); err == nil {
				v = d
			}
			sb.WriteString(k + ": " + v + "\n")
		}
	}
	return sb.String()
}
