package extract

import (
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/bodgit/sevenzip"
	"github.com/klauspost/compress/zstd"
	"github.com/nwaples/rardecode/v2"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// xz, lzma, 7z and RAR: opened like ZIP and gzip, with the same depth,
// entry, size and ratio limits. An archive that cannot be opened (unknown
// method, damaged) is reported, never passed as media: encrypted parts are
// Encrypted, damage is Malformed, a method no library here decodes is
// Unreadable.

// maxDict bounds the dictionary an xz/lzma/RAR stream may ask for (the
// decoder allocates it up front): 64 MiB is what `xz -9` uses.
const maxDict = 64 << 20

// archiveNode dispatches the formats of this file.
func (w *walker) archiveNode(n node, kind format) {
	switch kind {
	case kindXz, kindLzma:
		w.xzNode(n, kind)
	case kind7z:
		w.sevenZipNode(n)
	case kindRar:
		w.rarNode(n)
	}
}

// lzmaAlone recognises a classic .lzma header: the properties byte
// xz-utils or 7-Zip write (lc=3 lp=0 pb=2 is 0x5d), a dictionary of at
// least 4 KiB and an unknown or plausible size.
func lzmaAlone(h []byte, size int64) bool {
	if len(h) < 13 || h[0] >= 9*5*5 {
		return false
	}
	// Only the properties xz-utils and 7-Zip write by default: random
	// binaries rarely start with them, text never (NUL bytes follow).
	if h[0] != 0x5d && h[0] != 0x6d {
		return false
	}
	if binary.LittleEndian.Uint32(h[1:5]) < 1<<12 {
		return false
	}
	n := binary.LittleEndian.Uint64(h[5:13])
	return n == 1<<64-1 || n < 1<<40
}

// xzDictOK checks, before the decoder allocates anything, that no block
// of the xz file asks for a dictionary over maxDict: it walks every stream
// from its footer and index to each block header. A file whose index does
// not parse is refused too (every complete xz file has one).
func xzDictOK(b []byte) bool {
	end := len(b)
	for end > 0 {
		for end >= 4 && string(b[end-4:end]) == "\x00\x00\x00\x00" { // stream padding
			end -= 4
		}
		if end < 24 || string(b[end-2:end]) != "YZ" {
			return false
		}
		indexSize := (int(binary.LittleEndian.Uint32(b[end-8:])) + 1) * 4
		footer := end - 12
		index := footer - indexSize
		if index < 12 || b[index] != 0 {
			return false
		}
		pos := index + 1
		varint := func() (uint64, bool) {
			var v uint64
			for i := 0; i < 9 && pos < footer; i++ {
				c := b[pos]
				pos++
				v |= uint64(c&0x7f) << (7 * i)
				if c < 0x80 {
					return v, true
				}
			}
			return 0, false
		}
		count, ok := varint()
		if !ok || count > uint64(indexSize) {
			return false
		}
		var sizes []int
		total := 0
		for i := uint64(0); i < count; i++ {
			unpadded, ok1 := varint()
			_, ok2 := varint()
			if !ok1 || !ok2 || unpadded > uint64(len(b)) {
				return false
			}
			sz := (int(unpadded) + 3) &^ 3
			sizes = append(sizes, sz)
			total += sz
		}
		start := index - total - 12 // the stream header
		if start < 0 || string(b[start:start+6]) != "\xfd7zXZ\x00" {
			return false
		}
		at := start + 12
		for _, sz := range sizes {
			if !xzBlockDictOK(b[at:min(at+sz, len(b))]) {
				return false
			}
			at += sz
		}
		end = start
	}
	return true
}

// xzBlockDictOK reads one block header's filter flags and checks the
// LZMA2 dictionary size against maxDict.
func xzBlockDictOK(b []byte) bool {
	if len(b) < 2 || b[0] == 0 {
		return false
	}
	hsize := (int(b[0]) + 1) * 4
	if hsize > len(b) {
		return false
	}
	flags := b[1]
	pos := 2
	varint := func() (uint64, bool) {
		var v uint64
		for i := 0; i < 9 && pos < hsize; i++ {
			c := b[pos]
			pos++
			v |= uint64(c&0x7f) << (7 * i)
			if c < 0x80 {
				return v, true
			}
		}
		return 0, false
	}
	if flags&0x40 != 0 {
		varint()
	}
	if flags&0x80 != 0 {
		varint()
	}
	for f := 0; f <= int(flags&3); f++ {
		id, ok1 := varint()
		psize, ok2 := varint()
		if !ok1 || !ok2 || psize > uint64(hsize) {
			return false
		}
		if id == 0x21 {
			if psize != 1 || pos >= hsize {
				return false
			}
			d := b[pos] & 0x3f
			return d <= 40 && uint64(2|d&1)<<(d/2+11) <= maxDict
		}
		pos += int(psize)
	}
	return true
}

// xzNode decompresses an .xz or .lzma file and reads what it holds.
func (w *walker) xzNode(n node, kind format) {
	data, err := w.load(n.origin, n.body)
	if err != nil {
		w.problem(n.origin, Malformed, "body could not be read")
		return
	}
	scheme := "xz"
	var r io.Reader
	if kind == kindXz {
		if !xzDictOK(data) {
			w.problem(n.origin, Malformed, "xz file truncated, damaged or asking for a dictionary over 64 MiB; not decompressed")
			return
		}
		xr, err := xz.ReaderConfig{DictCap: 1 << 20}.NewReader(bytes.NewReader(data))
		if err != nil {
			w.problem(n.origin, Malformed, "xz: bad header or unsupported filter")
			return
		}
		r = xr
	} else {
		scheme = "lzma"
		lr, err := lzma.ReaderConfig{DictCap: maxDict}.NewReader(bytes.NewReader(data))
		if err != nil {
			// The header test in sniff is loose: not an lzma stream
			// after all, so read it as any other binary.
			w.binaryNode(n, data, "binary content of unknown format (not an lzma stream)")
			return
		}
		r = lr
	}
	origin := child(containerBase(n, scheme), scheme, "data")
	out, why, err := w.readBounded(safeReader{r}, int64(len(data)))
	switch {
	case errors.Is(err, errStop):
		return
	case errors.Is(err, errTooBig):
		w.limit(origin, why+"; only the first part was inspected")
	case err != nil:
		w.problem(origin, Malformed, scheme+" stream corrupt or truncated; text read before the damage was kept")
	}
	w.node(node{origin: origin, name: "data", body: memBlob(out), depth: n.depth + 1})
}

// memberBudget shares the ratio limit of one archive between its members
// (7z and RAR do not give every member its own compressed size).
type memberBudget struct {
	left int64
	why  string
}

func (w *walker) newBudget(size int64) *memberBudget {
	max := w.lim.MaxDecompressed
	why := fmt.Sprintf("decompressed size over %d bytes", max)
	byRatio := size * int64(w.lim.MaxRatio)
	if byRatio < ratioFloor {
		byRatio = ratioFloor
	}
	if byRatio < max {
		max = byRatio
		why = fmt.Sprintf("compression ratio over %d:1 (possible decompression bomb)", w.lim.MaxRatio)
	}
	return &memberBudget{left: max, why: why}
}

// readMember reads one member within the budget; ok is false when the
// extraction must stop. A read error is reported by the caller (err).
func (w *walker) readMember(origin string, r io.Reader, b *memberBudget) (data []byte, err error, ok bool) {
	var buf bytes.Buffer
	chunk := make([]byte, 32<<10)
	for {
		if w.expired() {
			return nil, nil, false
		}
		k, rerr := r.Read(chunk)
		if int64(k) > b.left {
			buf.Write(chunk[:b.left])
			b.left = 0
			w.limit(origin, b.why+"; only the first part was inspected")
			return buf.Bytes(), nil, true
		}
		buf.Write(chunk[:k])
		b.left -= int64(k)
		if errors.Is(rerr, io.EOF) {
			return buf.Bytes(), nil, true
		}
		if rerr != nil {
			return buf.Bytes(), rerr, true
		}
	}
}

// sevenZipNode reads a 7z archive with github.com/bodgit/sevenzip (the
// only pure-Go 7z reader: LZMA, LZMA2, PPMd, BCJ, deflate, bzip2, zstd...,
// and it tells an encrypted folder from a damaged one).
func (w *walker) sevenZipNode(n node) {
	var zr *sevenzip.Reader
	err := noPanic(func() (e error) { zr, e = sevenzip.NewReader(n.body.r, n.body.size); return })
	if err != nil {
		var re *sevenzip.ReadError
		if errors.As(err, &re) && re.Encrypted {
			w.problem(n.origin, Encrypted, "7z archive is password-protected (encrypted headers)")
		} else {
			w.problem(n.origin, Malformed, "7z archive corrupt, truncated or using an unknown method; not inspected")
		}
		return
	}
	files := zr.File
	if len(files) > w.lim.MaxEntries {
		w.limit(n.origin, fmt.Sprintf("archive has more than %d entries; only the first were inspected", w.lim.MaxEntries))
		files = files[:w.lim.MaxEntries]
	}
	base := containerBase(n, "7z")
	budget := w.newBudget(n.body.size)
	for _, f := range files {
		if w.expired() || budget.left <= 0 {
			return
		}
		if f.FileInfo().IsDir() {
			continue
		}
		origin := child(base, "7z", sanitizeName(f.Name))
		var rc io.ReadCloser
		err := noPanic(func() (e error) { rc, e = f.Open(); return })
		if err != nil {
			w.sevenZipErr(origin, err)
			continue
		}
		data, rerr, ok := w.readMember(origin, safeReader{rc}, budget)
		noPanic(rc.Close)
		if !ok {
			return
		}
		if rerr != nil {
			w.sevenZipErr(origin, rerr)
			if len(data) == 0 {
				continue
			}
		}
		w.node(node{origin: origin, name: f.Name, body: memBlob(data), depth: n.depth + 1})
	}
}

func (w *walker) sevenZipErr(origin string, err error) {
	var re *sevenzip.ReadError
	if errors.As(err, &re) && re.Encrypted {
		w.problem(origin, Encrypted, "7z entry is password-protected")
		return
	}
	w.problem(origin, Malformed, "7z entry corrupt or using an unknown method; text read before the damage was kept")
}

// rarNode reads a RAR (1.5-4.x and 5) archive with
// github.com/nwaples/rardecode/v2 (read-only; no free RAR writer or other
// Go reader exists). Multi-volume archives are read as far as this volume
// goes.
func (w *walker) rarNode(n node) {
	var rr *rardecode.Reader
	err := noPanic(func() (e error) {
		rr, e = rardecode.NewReader(io.NewSectionReader(n.body.r, 0, n.body.size), rardecode.MaxDictionarySize(maxDict))
		return
	})
	if err != nil {
		w.rarErr(n.origin, err)
		return
	}
	base := containerBase(n, "rar")
	budget := w.newBudget(n.body.size)
	for count := 0; ; count++ {
		if w.expired() || budget.left <= 0 {
			return
		}
		var h *rardecode.FileHeader
		err := noPanic(func() (e error) { h, e = rr.Next(); return })
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			w.rarErr(n.origin, err)
			return
		}
		if count >= w.lim.MaxEntries {
			w.limit(n.origin, fmt.Sprintf("archive has more than %d entries; only the first were inspected", w.lim.MaxEntries))
			return
		}
		if h.IsDir {
			continue
		}
		origin := child(base, "rar", sanitizeName(h.Name))
		if h.Encrypted {
			w.problem(origin, Encrypted, "rar entry is password-protected")
			continue
		}
		data, rerr, ok := w.readMember(origin, safeReader{rr}, budget)
		if !ok {
			return
		}
		if rerr != nil {
			w.rarErr(origin, rerr)
		}
		w.node(node{origin: origin, name: h.Name, body: memBlob(data), depth: n.depth + 1})
		if rerr != nil {
			return // the stream is out of step after an error
		}
	}
}

func (w *walker) rarErr(origin string, err error) {
	switch {
	case errors.Is(err, rardecode.ErrArchiveEncrypted), errors.Is(err, rardecode.ErrArchivedFileEncrypted), errors.Is(err, rardecode.ErrBadPassword):
		w.problem(origin, Encrypted, "rar archive is password-protected")
	case errors.Is(err, rardecode.ErrDictionaryTooLarge):
		w.limit(origin, "rar dictionary larger than 64 MiB; not decompressed")
	case errors.Is(err, rardecode.ErrUnknownVersion), errors.Is(err, rardecode.ErrUnknownDecoder), errors.Is(err, rardecode.ErrUnsupportedDecoder), errors.Is(err, rardecode.ErrUnknownEncryptMethod):
		w.problem(origin, Unreadable, "rar version or method not supported; not inspected")
	case errors.Is(err, rardecode.ErrMultiVolume):
		w.problem(origin, Malformed, "rar archive continues in another volume; only this volume was inspected")
	default:
		w.problem(origin, Malformed, "rar archive corrupt or truncated; text read before the damage was kept")
	}
}

// ZIP methods beyond store and deflate: bzip2 (12), lzma (14), zstd (93)
// and xz (95), registered on each zip.Reader (never globally).
func (w *walker) zipMethods(zr *zip.Reader) {
	zr.RegisterDecompressor(12, func(r io.Reader) io.ReadCloser { return io.NopCloser(bzip2.NewReader(r)) })
	zr.RegisterDecompressor(14, zipLZMA)
	zr.RegisterDecompressor(93, func(r io.Reader) io.ReadCloser {
		zd, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(w.lim.MaxDecompressed)))
		if err != nil {
			return errCloser{err}
		}
		return zd.IOReadCloser()
	})
	zr.RegisterDecompressor(95, func(r io.Reader) io.ReadCloser {
		// The dictionary check needs the whole member: read it within
		// the size limit first (members are read into memory anyway).
		data, err := io.ReadAll(io.LimitReader(r, w.lim.MaxDecompressed))
		if err != nil || !xzDictOK(data) {
			return errCloser{errors.New("xz member damaged or dictionary over 64 MiB")}
		}
		r = bytes.NewReader(data)
		xr, err := xz.ReaderConfig{DictCap: 1 << 20}.NewReader(r)
		if err != nil {
			return errCloser{err}
		}
		return io.NopCloser(safeReader{xr})
	})
}

// zipMethodOK lists the methods zipMethods adds.
func zipMethodOK(m uint16) bool { return m == 12 || m == 14 || m == 93 || m == 95 }

// zipLZMA reads ZIP method 14: a 2-byte version, a 2-byte properties size
// (5), the LZMA properties, then raw LZMA data (APPNOTE 5.8.8). The classic
// 13-byte header is rebuilt with an unknown size so the lzma package reads
// it (ZIP writers set the end-of-stream marker).
func zipLZMA(r io.Reader) io.ReadCloser {
	var h [9]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return errCloser{fmt.Errorf("zip lzma header: %w", err)}
	}
	if binary.LittleEndian.Uint16(h[2:]) != 5 {
		return errCloser{errors.New("zip lzma: bad properties size")}
	}
	hdr := make([]byte, 13)
	copy(hdr, h[4:9])
	for i := 5; i < 13; i++ {
		hdr[i] = 0xff
	}
	lr, err := lzma.ReaderConfig{DictCap: maxDict}.NewReader(io.MultiReader(bytes.NewReader(hdr), r))
	if err != nil {
		return errCloser{err}
	}
	return io.NopCloser(safeReader{lr})
}

type errCloser struct{ err error }

func (e errCloser) Read([]byte) (int, error) { return 0, e.err }
func (e errCloser) Close() error             { return nil }

// errLibraryPanic: a third-party decoder panicked on hostile input. It is
// reported as damage of that part, like any decoding error, so one bug in
// a library never loses the rest of the request (guard would drop the
// whole container).
var errLibraryPanic = errors.New("decoder failed on malformed input")

// noPanic runs a library call, turning a panic into errLibraryPanic.
func noPanic(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if r == errStop { //nolint:errorlint // sentinel identity
				panic(r)
			}
			err = errLibraryPanic
		}
	}()
	return fn()
}

// safeReader is a library's reader whose panics become errLibraryPanic.
type safeReader struct{ r io.Reader }

func (s safeReader) Read(p []byte) (n int, err error) {
	err = noPanic(func() (e error) { n, e = s.r.Read(p); return })
	if err == errLibraryPanic { //nolint:errorlint // sentinel identity
		n = 0
	}
	return n, err
}
