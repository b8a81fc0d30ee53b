package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Origins. Every segment and problem names where it was read, as a path:
//
//	body                                    a plain request body
//	json:$.text.content                     a JSON string value
//	json:$.msgParam>$.content               JSON inside a JSON string
//	jsonl:3:$.text                          line 3 of a JSON Lines body
//	json:$.file.content>base64/word/...     a base64 document in JSON
//	form:note                               a form field
//	multipart:media/report.xlsx/xl/worksheets/sheet1.xml
//	zip:a.zip/b.docx/word/document.xml      archive members, "/"-joined
//	gzip:x.gz/note.txt, pdf:page1, mail:msg.eml/headers
//
// The scheme prefix ("zip:", "pdf:" ...) is used only at the root of an
// unlabelled input (Input.Origin "" or "body"); an input labelled by its
// caller (scan passes the file name) prefixes the label instead, e.g.
// "report.docx/word/document.xml". ">" marks a document found inside a
// value (JSON in a string, a form field, a multipart part below a label).

// Defaults used when a Limits field is zero.
const (
	DefaultMaxTotalBytes   = 64 << 20
	DefaultMaxDepth        = 8
	DefaultMaxEntries      = 10000
	DefaultMaxRatio        = 200
	DefaultMaxDecompressed = 512 << 20
	DefaultTimeBudget      = int64(20 * time.Second)
	DefaultOCRBudget       = int64(15 * time.Second)
)

// ratioFloor is the output size below which the compression ratio limit is
// not applied: small, highly repetitive files (a CSV of zeros, an XML part of
// empty cells) legitimately compress beyond any bomb-ratio, and a few MiB of
// output cannot hurt.
const ratioFloor = 4 << 20

// sniffLen is how many leading bytes format detection looks at.
const sniffLen = 8192

// withDefaults returns lim with every zero field replaced by its default.
func (lim Limits) withDefaults() Limits {
	if lim.MaxTotalBytes <= 0 {
		lim.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = DefaultMaxDepth
	}
	if lim.MaxEntries <= 0 {
		lim.MaxEntries = DefaultMaxEntries
	}
	if lim.MaxRatio <= 0 {
		lim.MaxRatio = DefaultMaxRatio
	}
	if lim.MaxDecompressed <= 0 {
		lim.MaxDecompressed = DefaultMaxDecompressed
	}
	if lim.TimeBudget <= 0 {
		lim.TimeBudget = DefaultTimeBudget
	}
	return lim
}

// errStop unwinds a handler once extraction must end (time budget, total
// text limit or cancellation); the reason is already recorded.
var errStop = errors.New("extraction stopped")

// walker holds the state of one Extract call. It is not shared between calls.
type walker struct {
	ctx    context.Context // with the time budget applied
	parent context.Context // caller's context: its end is an error, not a Problem
	lim    Limits
	res    Result
	stop   bool // no further work: time, cancellation or a stopping limit
	full   bool // total-text limit reached: no further text
	// readErr is set when the input body itself could not be read.
	readErr error
	seen    map[string]bool // limit problems already reported, by kind+origin
	steps   int
	// docStart is TextBytes when the current office document began.
	docStart int64
	// sstUsed marks the shared strings of the workbook being read that a
	// cell refers to (officeextras.go reads the others).
	sstUsed []bool
	// sstPhonetic holds the phonetic guides of those shared strings.
	sstPhonetic []byte
	// repanic makes guard re-raise panics (fuzz tests want to see them).
	repanic bool
	// stream receives large plain text in windows (Input.Stream; stream.go).
	stream func(seg Segment, offset int64)
	// batch receives the segments of a large JSON document read front to
	// back (Input.Batch); speculative skips checking it whole first, and
	// specFailed says such a reading found what it assumed untrue
	// (Input.Speculative; jsonstream.go).
	batch       func(segs []Segment)
	speculative bool
	specFailed  bool
	// sizeUnknown: the body is read to its end (Input.SizeUnknown);
	// unknownRead says streamText read it so, all of it.
	sizeUnknown, unknownRead bool
	// encodedUnknown: the body is of unknown size and has one
	// Content-Encoding layer, decompressed to its end (Input.SizeUnknown);
	// decompressed counts the bytes its readings took from the layer (the
	// most of any one reading).
	encodedUnknown bool
	decompressed   int64
	// inflaters are closed ZIP member readers kept for reuse (zip.go).
	inflaters []*pooledInflater
	// scanBuf is a spare XML scanner buffer (xmlscan.go): each part of a
	// presentation would otherwise allocate its own 64 KiB.
	scanBuf []byte
	// ocrCtx bounds all OCR of this call (Limits.OCRBudget); image.go.
	ocrCtx  context.Context
	ocrStop context.CancelFunc
}

func extractAll(ctx context.Context, in Input, lim Limits) (*Result, error) {
	return extractOpts(ctx, in, lim, false)
}

func extractOpts(ctx context.Context, in Input, lim Limits, repanic bool) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("extract %s: %w", in.Origin, err)
	}
	if in.Body == nil {
		return nil, fmt.Errorf("extract %s: no body", in.Origin)
	}
	lim = lim.withDefaults()
	bctx, cancel := context.WithTimeout(ctx, time.Duration(lim.TimeBudget))
	defer cancel()
	w := &walker{ctx: bctx, parent: ctx, lim: lim, seen: map[string]bool{}, repanic: repanic, stream: in.Stream, batch: in.Batch, speculative: in.Speculative}
	defer w.endOCR()
	// A budget that is already spent (tiny TimeBudget) is reported before any
	// work, so the result is deterministic.
	if w.expired() {
		return &w.res, nil
	}
	body := blob{r: in.Body, size: in.Size}
	if in.SizeUnknown {
		enc := strings.TrimSpace(in.ContentEncoding)
		switch {
		case in.Stream == nil || enc != "" && (!in.Speculative || in.Batch == nil || !DecompressesAsItGoes(enc)):
			return nil, fmt.Errorf("extract %s: a body of unknown size is read only as streamed text, JSON, a form or multipart: %w", in.Origin, ErrSpeculation)
		case enc != "":
			// Decompressed front to back to its end; whether the
			// compressed size would have cut it (MaxRatio) is checked
			// once that size is known (encodedUnknownFits).
			w.encodedUnknown = true
			body.size = unknownSize
		default:
			// As large as streamText reads without a limit: a body that
			// turns out larger is one a sized Extract cuts with a limit.
			w.sizeUnknown = true
			body.size = textCap(lim)
		}
	}
	// A body held in memory (the proxy's) is read in place, not copied:
	// extract never writes into its input (every fixture in TestFormats and
	// TestRequestShapes checks that).
	if m, ok := in.Body.(interface{ Bytes() []byte }); ok {
		if b := m.Bytes(); b != nil && int64(len(b)) == in.Size {
			body.data = b
		}
	}
	// "body" is the default label of a request body: paths below it read
	// "multipart:media/report.xlsx/..." and "json:$.text.content", as the
	// rest of dlpgate documents them; a bare text body is still "body".
	root := in.Origin
	if root == "body" {
		root = ""
	}
	if enc := strings.TrimSpace(in.ContentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		data, ok, streamed := w.decodeContentEncoding(in.Origin, enc, body, node{origin: root, name: in.Name, ctype: in.ContentType})
		if w.encodedUnknown && !w.encodedUnknownFits(in.Body) {
			w.specFailed = true
		}
		if streamed || w.specFailed {
			return w.result(ctx, in)
		}
		// Decompressed into memory (or not decompressed): nothing is
		// left to arrive, so the rest is read as an Extract that is not
		// speculative reads it.
		w.speculative = false
		if data != nil {
			body = memBlob(data)
		}
		if !ok {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("extract %s: %w", in.Origin, err)
			}
			if w.readErr != nil {
				return nil, fmt.Errorf("extract %s: %w", in.Origin, w.readErr)
			}
			if w.stop {
				return &w.res, nil
			}
			// The body is not what its Content-Encoding says (the problem
			// is recorded): inspect the bytes as they are rather than let
			// a false header hide them.
		}
	}
	if w.sizeUnknown && w.unknownStructured(node{origin: root, name: in.Name, ctype: in.ContentType, body: body}) {
		return w.result(ctx, in)
	}
	w.node(node{origin: root, name: in.Name, ctype: in.ContentType, body: body})
	if w.sizeUnknown && !w.unknownRead {
		w.specFailed = true // read another way, or not to its end
	}
	return w.result(ctx, in)
}

// result is what Extract returns once the walk is over.
func (w *walker) result(ctx context.Context, in Input) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("extract %s: %w", in.Origin, err)
	}
	if w.readErr != nil {
		return nil, fmt.Errorf("extract %s: %w", in.Origin, w.readErr)
	}
	if w.specFailed {
		return nil, fmt.Errorf("extract %s: %w", in.Origin, ErrSpeculation)
	}
	return &w.res, nil
}

// node is one thing to extract: the whole input, a multipart part, an
// archive member, a decompressed stream.
type node struct {
	origin string // path so far; "" for an unlabelled root
	name   string // file name hint (never trusted for the format)
	ctype  string // declared Content-Type, may be empty
	body   blob
	depth  int
}

// blob is bytes readable at random offsets; data is set when they are
// already in memory (so they are never copied twice).
type blob struct {
	r    io.ReaderAt
	size int64
	data []byte
	// seq, when set, is a body of unknown size read front to back
	// (seqsource.go): r and data are nil and size is -1. Only the
	// front-to-back JSON and form readings are given one.
	seq *seqBody
}

func memBlob(b []byte) blob { return blob{r: bytesReaderAt(b), size: int64(len(b)), data: b} }

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// head returns up to n leading bytes.
func (w *walker) head(b blob, n int) []byte {
	if b.data != nil {
		if len(b.data) > n {
			return b.data[:n]
		}
		return b.data
	}
	if int64(n) > b.size {
		n = int(b.size)
	}
	if n <= 0 {
		return nil
	}
	buf := make([]byte, n)
	k, _ := b.r.ReadAt(buf, 0)
	return buf[:k]
}

// load returns the whole blob in memory, bounded by MaxDecompressed; a
// larger blob is cut there and the Limit reported.
func (w *walker) load(origin string, b blob) ([]byte, error) {
	if b.data != nil {
		return b.data, nil
	}
	n := b.size
	if n > w.lim.MaxDecompressed {
		w.limit(origin, "input larger than the decompressed-size limit; only the first part was inspected")
		n = w.lim.MaxDecompressed
	}
	if n < 0 {
		n = 0
	}
	buf := make([]byte, n)
	k, err := b.r.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		// Only the caller's body can fail to read (everything nested is
		// in memory): that is an error of the call, not a Problem.
		err = fmt.Errorf("read %s: %w", leaf(origin), err)
		if w.readErr == nil {
			w.readErr = err
		}
		w.stop = true
		return buf[:k], err
	}
	return buf[:k], nil
}

// leaf is the origin to label text with when the path is still empty.
func leaf(origin string) string {
	if origin == "" {
		return "body"
	}
	return origin
}

// child returns the origin of a member called name inside a container at
// parent: "zip:word/document.xml" at the root, "parent/word/document.xml"
// below it.
//
// A name's ": " is written ":%20": origins go into "kind: origin: reason"
// problem lines, which logs mask by cutting them at ": " (places), and a
// member named "notes: Chan Tai Man depression.pdf" would otherwise have
// its tail read as dlpgate's reason and kept.
func child(parent, scheme, name string) string {
	name = escapeSeparator(name)
	if parent == "" {
		return scheme + ":" + name
	}
	return parent + "/" + name
}

// escapeSeparator writes a name's ": " as ":%20" (child).
func escapeSeparator(name string) string {
	if strings.Contains(name, ": ") {
		return strings.ReplaceAll(name, ": ", ":%20")
	}
	return name
}

// containerBase is the origin a root container's members hang from: an
// unnamed root body uses the bare scheme, a named one its base name.
func containerBase(n node, scheme string) string {
	if n.origin != "" {
		return n.origin
	}
	if n.name != "" {
		return scheme + ":" + path.Base(strings.ReplaceAll(n.name, `\`, "/"))
	}
	return ""
}

// emit records text read at origin, applying the total-text limit.
func (w *walker) emit(origin, text string) {
	// After the time budget ran out the text already read is still kept;
	// only the total-text limit refuses more.
	if w.full || strings.TrimSpace(text) == "" {
		return
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	w.emitValid(origin, text)
}

// emitValid is emit for text known to be valid UTF-8.
func (w *walker) emitValid(origin, text string) {
	if w.full || strings.TrimSpace(text) == "" {
		return
	}
	room := w.lim.MaxTotalBytes - w.res.TextBytes
	if int64(len(text)) > room {
		cut := int(room)
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
		w.limitStop(origin, "total extracted text limit reached; text after this point was not inspected")
	}
	if text == "" {
		return
	}
	w.res.Segments = append(w.res.Segments, Segment{Origin: leaf(origin), Text: text})
	w.res.TextBytes += int64(len(text))
}

func (w *walker) problem(origin string, kind ProblemKind, reason string) {
	key := string(kind) + "\x00" + origin + "\x00" + reason
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	w.res.Problems = append(w.res.Problems, Problem{Origin: leaf(origin), Kind: kind, Reason: reason})
}

func (w *walker) limit(origin, reason string) { w.problem(origin, Limit, reason) }

// limitStop reports a limit that ends the whole extraction.
func (w *walker) limitStop(origin, reason string) {
	w.limit(origin, reason)
	w.stop, w.full = true, true
}

// expired reports whether extraction must stop now (time budget spent,
// caller cancelled, or a stopping limit hit). It records the time budget
// problem the first time it notices.
func (w *walker) expired() bool {
	if w.stop {
		return true
	}
	if err := w.ctx.Err(); err != nil {
		w.stop = true
		if w.parent.Err() == nil {
			w.res.TimedOut = true
			w.limit("", "time budget exceeded; the rest of the input was not inspected")
		}
		return true
	}
	return false
}

// tick is a cheap expired() for hot loops: it looks at the clock every
// few hundred calls.
func (w *walker) tick() bool {
	w.steps++
	if w.steps&255 != 0 {
		return w.stop
	}
	return w.expired()
}

// guard runs a format handler, turning a panic into a Malformed problem so
// that one hostile file never takes the proxy down.
func (w *walker) guard(origin, format string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			if r == errStop { //nolint:errorlint // sentinel identity
				return
			}
			if w.repanic {
				panic(r)
			}
			w.problem(origin, Malformed, "internal error while parsing "+format+"; part not inspected")
		}
	}()
	fn()
}

// node detects the format of n by its content and hands it to the right
// handler.
func (w *walker) node(n node) {
	if w.expired() {
		return
	}
	if n.depth > w.lim.MaxDepth {
		w.limit(n.origin, fmt.Sprintf("nesting deeper than %d levels not inspected", w.lim.MaxDepth))
		return
	}
	if n.body.size == 0 {
		return
	}
	head := w.head(n.body, sniffLen)
	mt, params := mediaType(n.ctype)
	if w.sizeUnknown && n.depth == 0 && !StreamsText(n.ctype, head, n.body.size) {
		if w.speculative && w.stream != nil && w.batch != nil && StreamsMultipart(n.ctype, head, unknownSize) {
			// Multipart read part by part as it arrives finds the
			// body's end as it goes (multipartstream.go).
			n.body.size = unknownSize
			w.guard(n.origin, "multipart", func() { w.multipart(n, params["boundary"]) })
			w.unknownRead = !w.specFailed
			return
		}
		// Not streamed text (StreamsText): every other reading needs
		// the body's size.
		w.specFailed = true
		return
	}

	if strings.HasPrefix(mt, "multipart/") && params["boundary"] != "" && looksMultipart(head, params["boundary"]) {
		w.guard(n.origin, "multipart", func() { w.multipart(n, params["boundary"]) })
		return
	}
	kind := sniff(head, n.body.size)
	switch kind {
	case kindZip:
		w.guard(n.origin, "zip", func() { w.zipNode(n) })
		return
	case kindPDF:
		w.guard(n.origin, "pdf", func() { w.pdfNode(n) })
		return
	case kindGzip, kindZstd, kindBzip2:
		w.guard(n.origin, "compressed stream", func() { w.compressedNode(n, kind) })
		return
	case kindOLE:
		w.guard(n.origin, "ole", func() { w.oleNode(n) })
		return
	case kindRTF:
		w.guard(n.origin, "rtf", func() { w.rtfNode(n) })
		return
	case kindTar:
		w.guard(n.origin, "tar", func() { w.tarNode(n) })
		return
	case kindMail:
		w.guard(n.origin, "mail", func() { w.mailNode(n) })
		return
	case kindXz, kindLzma, kind7z, kindRar:
		w.guard(n.origin, "archive", func() { w.archiveNode(n, kind) })
		return
	case kindOtherArchive:
		w.problem(n.origin, Unreadable, kind.reason())
		return
	case kindImage, kindAudioVideo:
		var real bool
		w.guard(n.origin, "media", func() { real = w.mediaNode(n, kind) })
		if real || w.stop {
			return
		}
		// Not the media its first bytes claim: read it as text below.
	}
	if isBinary(head) {
		// A bare zlib or raw deflate stream (inflate.go).
		var done bool
		w.guard(n.origin, "deflate", func() { done = w.inflateNode(n, head) })
		if done || w.stop {
			return
		}
	}
	if w.streamsJSON(n, mt, params["charset"], head) || w.streamsForm(n, mt, head) {
		return
	}
	if w.streamable(n, mt, params["charset"], head) {
		w.guard(n.origin, "text", func() { w.streamText(n) })
		return
	}
	// Text of some kind, or an unknown binary. More than a few times the
	// total-text limit can never be emitted (UTF-16 doubles, markup
	// inflates): do not read it.
	body := n.body
	if textCap := textCap(w.lim); body.data == nil && body.size > textCap {
		w.limit(n.origin, "text body larger than the total extracted text limit allows; only the first part was inspected")
		body.size = textCap
	}
	data, err := w.load(n.origin, body)
	if err != nil {
		w.problem(n.origin, Malformed, "body could not be read")
		return
	}
	w.guard(n.origin, "text", func() { w.textNode(n, mt, params["charset"], data) })
}

// fragment reads a piece cut out of a ZIP or PDF (a middle chunk of a
// chunked upload): ZIP members whose local headers it holds, PDF content
// streams it holds whole. It reports whether anything was read.
func (w *walker) fragment(n node, data []byte) bool {
	before := w.res.TextBytes
	switch {
	case bytes.Contains(data, []byte("PK\x03\x04")):
		w.guard(n.origin, "zip fragment", func() { w.zipRecover(n, containerBase(n, "zip")) })
	case bytes.Contains(data, []byte("endstream")) && bytes.Contains(data, []byte(" obj")):
		w.guard(n.origin, "pdf fragment", func() { w.pdfFragment(n, data) })
	default:
		return false
	}
	if w.res.TextBytes == before {
		return false
	}
	w.problem(n.origin, Malformed, "fragment of a ZIP or PDF (e.g. one chunk of an upload): only the complete parts it holds were read")
	return true
}

// textNode decodes the charset and picks the text flavour (form, JSON,
// HTML, XML, plain).
func (w *walker) textNode(n node, mt, charset string, data []byte) {
	if mt == "application/x-www-form-urlencoded" && !isBinary(data) {
		w.form(n, data)
		return
	}
	// A body the walker read into its own buffer (a spilled upload) becomes
	// its text without a copy: nothing writes to that buffer again.
	str := copyString
	if n.body.data == nil {
		str = aliasString
	}
	text, ok := decodeTextAs(data, charset, str)
	if !ok {
		if w.fragment(n, data) {
			return
		}
		w.binaryNode(n, data, "binary content of unknown format")
		return
	}
	trimmed := strings.TrimLeft(text, " \t\r\n\ufeff")
	switch {
	case (strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[")) && w.jsonNode(n, trimmed):
		return
	case looksBrokenJSON(trimmed):
		// JSON that does not parse (a truncated chunk, trailing bytes): read
		// it as text, but with \uXXXX escapes decoded so Chinese is not
		// hidden.
		w.problem(n.origin, Malformed, "JSON body does not parse (truncated?); read as text")
		u := unescapeJSONText(text)
		w.emit(n.origin, u)
		w.textExtras(leaf(n.origin), u, n.depth, true)
	case looksHTML(trimmed, mt):
		// Charset from <meta> wins over detection when nothing was declared.
		if charset == "" && !hasBOM(data) {
			if cs := metaCharset(data); cs != "" {
				if t, ok := decodeText(data, cs); ok {
					text = t
				}
			}
		}
		w.emit(n.origin, tidyLines(htmlText(text, w.tick)))
		w.textExtras(leaf(n.origin), text, n.depth, false)
	case looksXML(trimmed):
		w.emit(n.origin, xmlRecordsText(strings.NewReader(text), w.tick))
		w.textExtras(leaf(n.origin), text, n.depth, false)
	default:
		// decodeText returns valid UTF-8: no second validation pass.
		w.emitValid(n.origin, text)
		w.textExtras(leaf(n.origin), text, n.depth, true)
	}
}

// mediaType returns the lower-case media type of a Content-Type and its
// parameters (nil when it does not parse: a sloppy header still names its
// media type).
func mediaType(ctype string) (mt string, params map[string]string) {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil && ctype != "" {
		mt = strings.TrimSpace(strings.SplitN(ctype, ";", 2)[0])
	}
	return strings.ToLower(mt), params
}

// looksBrokenJSON reports whether text that did not parse as JSON was
// meant to be: an object with a member ({"k": ...) or an array of objects
// or strings ([{... or ["...) — what a JSON body cut short or followed by
// stray bytes looks like. Its escapes must be decoded: json.dumps and most
// encoders write Chinese as \uXXXX. Log lines such as "[INFO] ..." are
// not arrays of objects or strings.
func looksBrokenJSON(trimmed string) bool {
	switch {
	case strings.HasPrefix(trimmed, "{"):
		return strings.Contains(trimmed, `":`)
	case strings.HasPrefix(trimmed, "["):
		k := skipJSONSpace(trimmed, 1)
		return k < len(trimmed) && (trimmed[k] == '{' || trimmed[k] == '"')
	}
	return false
}

// blobReader reads b from its start: in place when it is in memory, through
// its ReaderAt otherwise (never loading it whole).
func blobReader(b blob) io.Reader {
	if b.data != nil {
		return bytes.NewReader(b.data)
	}
	return io.NewSectionReader(b.r, 0, b.size)
}
