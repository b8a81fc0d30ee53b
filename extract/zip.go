package extract

import (
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/dlpgate/dlpgate/extract/deflate"
)

// zipNode handles any ZIP: an OOXML or ODF document, or a plain archive
// whose members are extracted recursively. The archive is read in place
// through its io.ReaderAt (a spilled upload is never loaded whole).
func (w *walker) zipNode(n node) {
	zr, err := zip.NewReader(n.body.r, n.body.size)
	if err == nil {
		// extract/deflate inflates Office parts faster than
		// compress/flate, and inflating is most of an XLSX's cost. The
		// pool is locked: members may be opened by prefetch goroutines
		// (officeprefetch.go).
		pool := &inflaterPool{w: w}
		zr.RegisterDecompressor(zip.Deflate, pool.get)
	}
	if err != nil {
		// A ZIP that lost its central directory (truncated upload) still
		// has its local headers: fall back to a forward scan.
		w.problem(n.origin, Malformed, "zip archive corrupt or truncated (no readable central directory); entries were recovered from local headers")
		w.zipRecover(n, containerBase(n, "zip"))
		return
	}
	w.zipMethods(zr)
	w.zipTrailer(n)
	if len(zr.File) > w.lim.MaxEntries {
		w.limit(n.origin, fmt.Sprintf("archive has more than %d entries; only the first were inspected", w.lim.MaxEntries))
		zr.File = zr.File[:w.lim.MaxEntries]
	}
	byName := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		byName[f.Name] = f
	}
	base := containerBase(n, "zip")
	if byName["[Content_Types].xml"] != nil || byName["mimetype"] != nil {
		defer w.ooxmlExtras(base, byName) // properties, defined names: officeextras.go
	}
	if w.opcNode(n, base, zr, byName) {
		return
	}
	switch {
	case byName["word/document.xml"] != nil:
		w.ooxml(n, base, zr, docxParts)
	case byName["xl/workbook.xml"] != nil:
		w.xlsx(n, base, zr, byName)
	case byName["ppt/presentation.xml"] != nil:
		w.ooxml(n, base, zr, pptxParts)
	case byName["mimetype"] != nil && byName["content.xml"] != nil:
		w.odf(n, base, byName)
	default:
		w.archive(n, base, zr)
	}
}

// zipTrailer reads what follows a ZIP's end-of-central-directory record
// (and its comment): ZIP readers ignore such bytes, so an attacker can append
// a list to a harmless archive. They are walked as a part of their own.
func (w *walker) zipTrailer(n node) {
	const eocdLen = 22
	tail := int64(eocdLen + 65535 + 64<<10) // the record, a maximal comment, and some slack
	start := max(0, n.body.size-tail)
	buf := make([]byte, n.body.size-start)
	if _, err := n.body.r.ReadAt(buf, start); err != nil && err != io.EOF {
		return
	}
	// The last end record whose comment fits before the end of the body is
	// the one ZIP readers use; everything after its comment is a trailer.
	for i := len(buf) - eocdLen; i >= 0; i-- {
		if buf[i] != 'P' || string(buf[i:i+4]) != "PK\x05\x06" {
			continue
		}
		end := int64(i) + eocdLen + (int64(buf[i+20]) | int64(buf[i+21])<<8)
		if start+end > n.body.size {
			continue
		}
		if trailer := n.body.size - (start + end); trailer > 0 {
			w.node(node{origin: child(containerBase(n, "zip"), "zip", "trailer"), name: "trailer",
				body: blob{r: io.NewSectionReader(n.body.r, start+end, trailer), size: trailer}, depth: n.depth + 1})
		}
		return
	}
}

// archive extracts every member of a plain ZIP.
func (w *walker) archive(n node, base string, zr *zip.Reader) {
	for _, f := range zr.File {
		if w.expired() {
			return
		}
		if f.FileInfo().IsDir() {
			continue
		}
		origin := child(base, "zip", sanitizeName(f.Name))
		data, ok := w.readEntry(origin, f)
		if !ok {
			continue
		}
		w.node(node{origin: origin, name: f.Name, body: memBlob(data), depth: n.depth + 1})
	}
}

// openEntry opens a member for streaming, checking encryption and the
// declared sizes first; the reader it returns enforces the size and ratio
// limits on the actual bytes.
func (w *walker) openEntry(origin string, f *zip.File) (io.ReadCloser, bool) {
	if f.Flags&1 != 0 {
		w.problem(origin, Encrypted, "zip entry is password-protected")
		return nil, false
	}
	if f.Method != zip.Store && f.Method != zip.Deflate && !zipMethodOK(f.Method) {
		if f.Method == 99 {
			w.problem(origin, Encrypted, "zip entry is AES-encrypted")
		} else {
			w.problem(origin, Unreadable, fmt.Sprintf("zip compression method %d not supported", f.Method))
		}
		return nil, false
	}
	max := w.entryMax(f)
	if f.UncompressedSize64 > uint64(max) {
		w.limit(origin, w.entryWhy(f)+" (declared size); only the first part was inspected")
	}
	rc, err := openDeclared(f)
	if err != nil {
		w.problem(origin, Malformed, "zip entry could not be opened")
		return nil, false
	}
	if f.Method != zip.Store && (f.UncompressedSize64 >= aheadMin || f.CompressedSize64 >= aheadMin/4) {
		rc = readAhead(rc) // inflate on the other core (ahead.go)
	}
	return &limitedEntry{rc: rc, left: max, w: w, origin: origin, f: f}, true
}

// openDeclared opens f for reading through declaredReader.
func openDeclared(f *zip.File) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return &declaredReader{rc: rc, left: f.UncompressedSize64}, nil
}

// declaredReader asks a member's reader for no more than its declared
// size, then for one byte: archive/zip fails the read that takes a member
// past its declared size (ErrFormat) and drops that read's bytes, so a
// member that holds more than it declares keeps exactly its declared
// bytes, however the caller's reads are sized (a serial read and a
// prefetched one keep the same text).
type declaredReader struct {
	rc   io.ReadCloser
	left uint64
}

func (d *declaredReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if d.left == 0 {
		p = p[:1]
	} else if uint64(len(p)) > d.left {
		p = p[:d.left]
	}
	n, err := d.rc.Read(p)
	d.left -= min(d.left, uint64(n))
	return n, err
}

func (d *declaredReader) Close() error { return d.rc.Close() }

func (w *walker) entryMax(f *zip.File) int64 {
	max := w.lim.MaxDecompressed
	byRatio := int64(f.CompressedSize64) * int64(w.lim.MaxRatio)
	if byRatio < ratioFloor {
		byRatio = ratioFloor
	}
	if byRatio < max {
		max = byRatio
	}
	return max
}

func (w *walker) entryWhy(f *zip.File) string {
	byRatio := int64(f.CompressedSize64) * int64(w.lim.MaxRatio)
	if byRatio < w.lim.MaxDecompressed && byRatio >= ratioFloor || byRatio < ratioFloor && ratioFloor < w.lim.MaxDecompressed {
		return fmt.Sprintf("compression ratio over %d:1 (possible zip bomb)", w.lim.MaxRatio)
	}
	return fmt.Sprintf("decompressed size over %d bytes", w.lim.MaxDecompressed)
}

// limitedEntry stops a member at its limit and reports it once; a checksum
// or inflate error becomes a Malformed problem. Either way the caller keeps
// what was read. The limit's wording (entryWhy of f) is made only when the
// limit is reached: formatting it for every member of a presentation was
// a string per slide.
type limitedEntry struct {
	rc     io.ReadCloser
	left   int64
	w      *walker
	origin string
	f      *zip.File
	done   bool
}

func (l *limitedEntry) Read(p []byte) (int, error) {
	if l.done {
		return 0, io.EOF
	}
	if l.w.tick() {
		return 0, errStop
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.rc.Read(p)
	if int64(n) > l.left {
		n = int(l.left)
		l.done = true
		l.w.limit(l.origin, l.w.entryWhy(l.f)+"; only the first part was inspected")
		return n, io.EOF
	}
	l.left -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		l.done = true
		l.w.problem(l.origin, Malformed, "zip entry corrupt (bad data or checksum); text read before the damage was kept")
		return n, io.EOF
	}
	return n, err
}

func (l *limitedEntry) Close() error { return l.rc.Close() }

// readEntry reads one member into memory within the limits.
func (w *walker) readEntry(origin string, f *zip.File) ([]byte, bool) {
	rc, ok := w.openEntry(origin, f)
	if !ok {
		return nil, false
	}
	defer rc.Close()
	data, _, err := w.readBounded(rc, 0)
	if errors.Is(err, errStop) {
		return nil, false
	}
	return data, true
}

// partOrder sorts names like slide10.xml after slide9.xml. Each name's
// key (directory and stem, number) is made once, not per comparison: a
// presentation of a few thousand slides made a string per comparison.
func partOrder(names []string) {
	type key struct {
		name, stem string
		num        int
	}
	keys := make([]key, len(names))
	for i, s := range names {
		b := strings.TrimSuffix(path.Base(s), path.Ext(s))
		j := len(b)
		for j > 0 && b[j-1] >= '0' && b[j-1] <= '9' {
			j--
		}
		v, _ := strconv.Atoi(b[j:])
		keys[i] = key{name: s, stem: path.Dir(s) + "/" + b[:j], num: v}
	}
	sort.SliceStable(keys, func(a, b int) bool {
		if keys[a].stem != keys[b].stem {
			return keys[a].stem < keys[b].stem
		}
		return keys[a].num < keys[b].num
	})
	for i := range keys {
		names[i] = keys[i].name
	}
}

// recovered is one member read by zipRecover.
type recovered struct {
	name, origin string
	data         []byte
}

// ooxmlPlumbing names package parts that hold no document text.
var ooxmlPlumbing = regexp.MustCompile(`(^\[Content_Types\]\.xml$|\.rels$|^docProps/|/theme/|/styles\.xml$|/settings\.xml$|/fontTable\.xml$|/webSettings\.xml$|/numbering\.xml$|^xl/workbook\.xml$|/calcChain\.xml$|/media/|^meta\.xml$|^manifest\.rdf$|^META-INF/|^mimetype$|/presProps\.xml$|/viewProps\.xml$|/tableStyles\.xml$|/slideLayouts/|/slideMasters/|/printerSettings/)`)

// zipRecover reads a ZIP without its central directory (a truncated upload,
// or the first chunk of a chunked upload) by walking the local file headers.
func (w *walker) zipRecover(n node, base string) {
	data, err := w.load(n.origin, n.body)
	if err != nil {
		return
	}
	var items []recovered
	le16 := func(b []byte) int { return int(b[0]) | int(b[1])<<8 }
	le32 := func(b []byte) int64 { return int64(b[0]) | int64(b[1])<<8 | int64(b[2])<<16 | int64(b[3])<<24 }
	for pos, count := 0, 0; pos < len(data); {
		if w.expired() {
			return
		}
		i := bytes.Index(data[pos:], []byte("PK\x03\x04"))
		if i < 0 || pos+i+30 > len(data) {
			break
		}
		at := pos + i
		h := data[at:]
		flags, method := le16(h[6:]), le16(h[8:])
		csize := le32(h[18:])
		nlen, xlen := le16(h[26:]), le16(h[28:])
		start := at + 30 + nlen + xlen
		if start > len(data) {
			break
		}
		name := string(h[30 : 30+nlen])
		pos = at + 4
		if strings.HasSuffix(name, "/") || name == "" {
			continue
		}
		count++
		if count > w.lim.MaxEntries {
			w.limit(n.origin, fmt.Sprintf("archive has more than %d entries; only the first were inspected", w.lim.MaxEntries))
			break
		}
		origin := child(base, "zip", sanitizeName(name))
		if flags&1 != 0 {
			w.problem(origin, Encrypted, "zip entry is password-protected")
			continue
		}
		known := flags&8 == 0 && csize > 0
		end := len(data)
		if known && int64(start)+csize <= int64(len(data)) {
			end = start + int(csize)
		}
		var r io.Reader
		switch method {
		case 0:
			if !known {
				continue // stored with a data descriptor: length unknowable
			}
			r = bytes.NewReader(data[start:end])
		case 8:
			r = flate.NewReader(bytes.NewReader(data[start:end]))
		case 12:
			r = bzip2.NewReader(bytes.NewReader(data[start:end]))
		case 14:
			r = zipLZMA(bytes.NewReader(data[start:end]))
		default:
			w.problem(origin, Unreadable, fmt.Sprintf("zip compression method %d not supported", method))
			continue
		}
		out, why, err := w.readBounded(r, int64(end-start))
		switch {
		case errors.Is(err, errStop):
			return
		case errors.Is(err, errTooBig):
			w.limit(origin, why+"; only the first part was inspected")
		}
		if known {
			pos = end
		}
		items = append(items, recovered{name: name, origin: origin, data: out})
	}
	var shared sstTable
	for _, it := range items {
		if it.name == "xl/sharedStrings.xml" {
			shared, _ = w.sharedStrings(bytes.NewReader(it.data))
		}
	}
	for _, it := range items {
		if w.expired() {
			return
		}
		var text string
		switch {
		case it.name == "xl/sharedStrings.xml", ooxmlPlumbing.MatchString(it.name):
			continue
		case strings.HasPrefix(it.name, "xl/worksheets/") && strings.HasSuffix(it.name, ".xml"):
			text, _ = w.sheetText(bytes.NewReader(it.data), shared, nil)
		case matchAny(docxParts, it.name) || matchAny(pptxParts, it.name):
			text, _ = w.drawingMLText(bytes.NewReader(it.data))
		case it.name == "content.xml" || it.name == "styles.xml":
			text, _ = w.odfText(bytes.NewReader(it.data), it.name == "styles.xml")
		default:
			w.node(node{origin: it.origin, name: it.name, body: memBlob(it.data), depth: n.depth + 1})
			continue
		}
		w.emit(it.origin, text)
	}
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// inflater returns a deflate reader for a ZIP member, reusing one the
// walker has closed before: a presentation has hundreds of small parts,
// and a fresh reader for each (its input and output buffers) cost more
// than inflating them. The reader is extract/deflate's: inflating is
// most of a large part's cost, and it inflates an Office part about 1.4
// times as fast as klauspost's (BenchmarkInflateBound). It reads its
// input in 64 KiB reads of its own.
func (w *walker) inflater(r io.Reader) io.ReadCloser { return w.inflaterLocked(r, nil) }

// inflaterPool is the walker's inflater pool for one ZIP, safe for the
// goroutines that inflate its members ahead. Only one ZIP's members are
// ever inflated concurrently (prefetching ends before any nested node is
// read), so its lock covers every use of w.inflaters meanwhile.
type inflaterPool struct {
	mu sync.Mutex
	w  *walker
}

func (p *inflaterPool) get(r io.Reader) io.ReadCloser {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.w.inflaterLocked(r, p)
}

// inflaterLocked is inflater; the reader's Close gives it back under
// pool's lock (nil: none needed).
func (w *walker) inflaterLocked(r io.Reader, pool *inflaterPool) io.ReadCloser {
	if n := len(w.inflaters); n > 0 {
		p := w.inflaters[n-1]
		w.inflaters = w.inflaters[:n-1]
		p.fr.Reset(r)
		p.closed, p.pool = false, pool
		return p
	}
	return &pooledInflater{w: w, pool: pool, fr: deflate.NewReader(r)}
}

type pooledInflater struct {
	fr     *deflate.Reader
	w      *walker
	pool   *inflaterPool // locked while giving the reader back; nil: no lock
	closed bool
}

func (p *pooledInflater) Read(b []byte) (int, error) { return p.fr.Read(b) }

func (p *pooledInflater) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	err := p.fr.Close()
	p.fr.Reset(nil) // drop the source
	if pool := p.pool; pool != nil {
		pool.mu.Lock()
		defer pool.mu.Unlock()
	}
	p.w.inflaters = append(p.w.inflaters, p)
	return err
}
