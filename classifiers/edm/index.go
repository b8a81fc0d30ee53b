// Package edm is Exact Data Match: it recognises the rows of one particular
// table (our customer database) in an upload, the way Microsoft Purview's
// and Symantec's EDM do, without holding the table itself.
//
// `dlpgate edm index` reads a CSV file and writes an index holding, for
// every selected cell, only a salted hash of its canonical form (canon.go)
// with the row and column it came from. The matcher hashes the candidate
// spans of an upload (words, digit groups, Han names, e-mail addresses)
// the same way, and counts a row when at least two of its fields are found
// near each other (within 512 bytes of one segment).
//
// # Threat model
//
// The index protects the table against being read: it holds no value, only
// 64-bit SipHash-2-4 values keyed by a random 256-bit salt stored in the
// index (the matcher needs it). It does not protect against someone who
// holds the index file and guesses values: with the salt anyone can hash a
// guess and look it up. Columns with little entropy fall to such a
// dictionary attack in seconds (an 8-digit Hong Kong mobile number has
// 10^8 values; HKID numbers about 10^9; common names fewer still), and a
// confirmed guess tells which other fields share its row. So: keep the index
// as confidential as the proxy's CA key (file mode 0600, only on the proxy
// hosts), rebuild it (new salt) when it may have leaked, and prefer columns
// that are identifying together rather than alone. What the index does
// achieve: a copied index file, backup or memory dump yields no customer
// record without guessing each one, and nothing from it can reach a log.
//
// # File format (little endian)
//
//	magic   8 bytes  "DLPEDM\x00\x01"
//	salt    32 bytes
//	name    u8 length + bytes (1..64)
//	columns u8 count (1..16), each u8 length + bytes (1..64)
//	shapes  u8 (shape bits of the values held), u8 reserved
//	rows    u32
//	skipped u32 (cells with no canonical form)
//	n       u32 entries
//	entries n x (u64 hash, u32 row<<4 | column), sorted by hash then ref
//	filter  u8 log2 of its bits (10..26), then the bitmap
//	sum     32 bytes SHA-256 of everything before
//
// The filter is a one-hash Bloom filter of the words and first Han
// characters that start a cell's tokens, under a cheap keyed hash: the
// matcher hashes a candidate with SipHash only when its first word could
// begin a value. It tells nothing a holder of the salt could not learn by
// looking guesses up in the entries.
//
// An index of 1 million rows and 4 columns is 48 MB on disk and about 52
// bytes a row in memory (12 bytes an entry plus the bucket table).
package edm

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

var magic = []byte("DLPEDM\x00\x01")

const (
	maxColumns = 16
	maxNameLen = 64
	// maxEntries bounds an index (and what Read allocates): 64 million
	// cells, 16 million rows of 4 columns.
	maxEntries = 1 << 26
	maxRows    = 1 << 28
)

// Index is a loaded EDM index. It is immutable and safe for concurrent use.
type Index struct {
	name    string
	columns []string
	rows    int
	skipped int
	shapes  uint8
	salt    [32]byte
	k0, k1  uint64
	hashes  []uint64 // sorted
	refs    []uint32 // row<<4 | column, parallel to hashes
	// buckets[b] is the first entry whose hash has top bits >= b.
	buckets []uint32
	bshift  uint
	filter  []uint64 // bitmap of start tokens (filterBit)
	fbits   uint
}

// filterBit is the filter position of a start token: FNV-1a keyed with k1.
func (x *Index) filterBit(tok []byte) uint64 {
	h := uint64(14695981039346656037) ^ x.k1
	for i := 0; i < len(tok); i++ {
		h ^= uint64(tok[i])
		h *= 1099511628211
	}
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	return h >> (64 - x.fbits)
}

func (x *Index) mayStart(tok []byte) bool {
	b := x.filterBit(tok)
	return x.filter[b>>6]&(1<<(b&63)) != 0
}

func (x *Index) addStart(tok []byte) {
	b := x.filterBit(tok)
	x.filter[b>>6] |= 1 << (b & 63)
}

// Name is the index's name; rules refer to it as "edm:NAME".
func (x *Index) Name() string { return x.name }

// Columns are the names of the indexed columns, in order.
func (x *Index) Columns() []string { return slices.Clone(x.columns) }

// Rows is the number of rows indexed.
func (x *Index) Rows() int { return x.rows }

// Entries is the number of cells indexed.
func (x *Index) Entries() int { return len(x.hashes) }

// Skipped is the number of cells that had no canonical form.
func (x *Index) Skipped() int { return x.skipped }

// MemoryBytes is what the loaded index holds in memory.
func (x *Index) MemoryBytes() int {
	return len(x.hashes)*8 + len(x.refs)*4 + len(x.buckets)*4 + len(x.filter)*8
}

func keys(salt [32]byte) (uint64, uint64) {
	k := sha256.Sum256(append([]byte("dlpgate edm v1 key\x00"), salt[:]...))
	return binary.LittleEndian.Uint64(k[:8]), binary.LittleEndian.Uint64(k[8:16])
}

func (x *Index) hash(canon []byte) uint64 { return sipHash24(x.k0, x.k1, canon) }

// lookup returns the entries [lo, hi) whose hash is h.
func (x *Index) lookup(h uint64) (lo, hi int) {
	b := h >> x.bshift
	lo, hi = int(x.buckets[b]), int(x.buckets[b+1])
	for lo < hi && x.hashes[lo] < h {
		lo++
	}
	e := lo
	for e < hi && x.hashes[e] == h {
		e++
	}
	return lo, e
}

func (x *Index) buildBuckets() {
	bitsN := uint(1)
	for 2<<bitsN < len(x.hashes) && bitsN < 24 { // about two entries a bucket
		bitsN++
	}
	x.bshift = 64 - bitsN
	x.buckets = make([]uint32, 1<<bitsN+1)
	j := 0
	for b := range 1 << bitsN {
		for j < len(x.hashes) && x.hashes[j]>>x.bshift < uint64(b) {
			j++
		}
		x.buckets[b] = uint32(j)
	}
	x.buckets[1<<bitsN] = uint32(len(x.hashes))
}

// Builder makes an index from rows of cells.
type Builder struct {
	x       Index
	entries []entry
	starts  map[string]struct{} // first words and Han characters, for the filter
}

type entry struct {
	hash uint64
	ref  uint32
}

// NewBuilder starts an index called name over columns, with a fresh salt.
func NewBuilder(name string, columns []string) (*Builder, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	if len(columns) == 0 || len(columns) > maxColumns {
		return nil, fmt.Errorf("edm: %d columns (want 1 to %d)", len(columns), maxColumns)
	}
	for _, c := range columns {
		if c == "" || len(c) > maxNameLen {
			return nil, fmt.Errorf("edm: bad column name %q", c)
		}
	}
	b := &Builder{x: Index{name: name, columns: slices.Clone(columns)}, starts: map[string]struct{}{}}
	if _, err := rand.Read(b.x.salt[:]); err != nil {
		return nil, fmt.Errorf("edm: salt: %w", err)
	}
	b.x.k0, b.x.k1 = keys(b.x.salt)
	return b, nil
}

// validName: a short name of letters, digits, '-' and '_' (it is written in
// rules as "edm:NAME").
func validName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return fmt.Errorf("edm: index name must be 1 to %d characters", maxNameLen)
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("edm: index name %q: use letters, digits, '-' and '_'", name)
		}
	}
	return nil
}

// Add indexes one row; cells are in column order (missing cells are empty).
func (b *Builder) Add(cells []string) error {
	if b.x.rows >= maxRows {
		return fmt.Errorf("edm: more than %d rows", maxRows)
	}
	row := uint32(b.x.rows)
	b.x.rows++
	seen := map[uint64]bool{}
	for c := range b.x.columns {
		if c >= len(cells) {
			break
		}
		canon, shape := canonical(cells[c])
		if shape == 0 {
			if strings.TrimSpace(cells[c]) != "" {
				b.x.skipped++
			}
			continue
		}
		if len(b.entries) >= maxEntries {
			return fmt.Errorf("edm: more than %d cells", maxEntries)
		}
		h := b.x.hash([]byte(canon))
		if seen[h] {
			continue // the same value twice in one row counts once
		}
		seen[h] = true
		b.x.shapes |= shape
		b.entries = append(b.entries, entry{hash: h, ref: row<<4 | uint32(c)})
		b.starts[startOf(canon, shape)] = struct{}{}
	}
	return nil
}

// Rows is the number of rows added so far; Skipped the unmatchable cells.
func (b *Builder) Rows() int    { return b.x.rows }
func (b *Builder) Skipped() int { return b.x.skipped }

// WriteTo writes the index.
func (b *Builder) WriteTo(w io.Writer) (int64, error) {
	slices.SortFunc(b.entries, func(p, q entry) int {
		switch {
		case p.hash < q.hash:
			return -1
		case p.hash > q.hash:
			return 1
		}
		return int(p.ref) - int(q.ref)
	})
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(w, h)}
	var hdr bytes.Buffer
	hdr.Write(magic)
	hdr.Write(b.x.salt[:])
	hdr.WriteByte(byte(len(b.x.name)))
	hdr.WriteString(b.x.name)
	hdr.WriteByte(byte(len(b.x.columns)))
	for _, c := range b.x.columns {
		hdr.WriteByte(byte(len(c)))
		hdr.WriteString(c)
	}
	hdr.WriteByte(b.x.shapes)
	hdr.WriteByte(0)
	var u [12]byte
	binary.LittleEndian.PutUint32(u[0:], uint32(b.x.rows))
	binary.LittleEndian.PutUint32(u[4:], uint32(b.x.skipped))
	binary.LittleEndian.PutUint32(u[8:], uint32(len(b.entries)))
	hdr.Write(u[:])
	if _, err := cw.Write(hdr.Bytes()); err != nil {
		return cw.n, fmt.Errorf("edm: write index: %w", err)
	}
	buf := make([]byte, 0, 12*4096)
	for i, e := range b.entries {
		buf = binary.LittleEndian.AppendUint64(buf, e.hash)
		buf = binary.LittleEndian.AppendUint32(buf, e.ref)
		if len(buf) == cap(buf) || i == len(b.entries)-1 {
			if _, err := cw.Write(buf); err != nil {
				return cw.n, fmt.Errorf("edm: write index: %w", err)
			}
			buf = buf[:0]
		}
	}
	fb := uint(10)
	for 1<<fb < 8*len(b.starts) && fb < 26 {
		fb++
	}
	b.x.fbits = fb
	b.x.filter = make([]uint64, 1<<fb/64)
	for t := range b.starts {
		b.x.addStart([]byte(t))
	}
	fbuf := make([]byte, 1, 1+8*len(b.x.filter))
	fbuf[0] = byte(fb)
	for _, w := range b.x.filter {
		fbuf = binary.LittleEndian.AppendUint64(fbuf, w)
	}
	if _, err := cw.Write(fbuf); err != nil {
		return cw.n, fmt.Errorf("edm: write index: %w", err)
	}
	if _, err := w.Write(h.Sum(nil)); err != nil {
		return cw.n, fmt.Errorf("edm: write index: %w", err)
	}
	return cw.n + sha256.Size, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ErrFormat is wrapped by every error about a malformed index.
var ErrFormat = errors.New("not a valid dlpgate EDM index")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// header is the part of an index before the entries.
type header struct {
	salt          [32]byte
	name          string
	columns       []string
	shapes        uint8
	rows, skipped int
	entries       int
	size          int // header bytes
}

func parseHeader(b []byte) (*header, error) {
	if len(b) < len(magic) || !bytes.Equal(b[:len(magic)], magic) {
		return nil, formatErr("bad magic (want an index written by `dlpgate edm index`)")
	}
	p := len(magic)
	need := func(n int) error {
		if p+n > len(b) {
			return formatErr("truncated header")
		}
		return nil
	}
	if err := need(32 + 1); err != nil {
		return nil, err
	}
	var h header
	copy(h.salt[:], b[p:p+32])
	p += 32
	str := func() (string, error) {
		if err := need(1); err != nil {
			return "", err
		}
		n := int(b[p])
		p++
		if n == 0 || n > maxNameLen {
			return "", formatErr("bad name length %d", n)
		}
		if err := need(n); err != nil {
			return "", err
		}
		s := string(b[p : p+n])
		p += n
		return s, nil
	}
	var err error
	if h.name, err = str(); err != nil {
		return nil, err
	}
	if validName(h.name) != nil {
		return nil, formatErr("bad index name")
	}
	if err := need(1); err != nil {
		return nil, err
	}
	nc := int(b[p])
	p++
	if nc == 0 || nc > maxColumns {
		return nil, formatErr("bad column count %d", nc)
	}
	for range nc {
		c, err := str()
		if err != nil {
			return nil, err
		}
		h.columns = append(h.columns, c)
	}
	if err := need(2 + 12); err != nil {
		return nil, err
	}
	h.shapes = b[p]
	p += 2
	h.rows = int(binary.LittleEndian.Uint32(b[p:]))
	h.skipped = int(binary.LittleEndian.Uint32(b[p+4:]))
	h.entries = int(binary.LittleEndian.Uint32(b[p+8:]))
	p += 12
	if h.rows > maxRows || h.entries > maxEntries || h.entries > h.rows*nc {
		return nil, formatErr("implausible counts (%d rows, %d entries)", h.rows, h.entries)
	}
	h.size = p
	return &h, nil
}

// Parse reads an index from its bytes, verifying everything: the checksum,
// the header, that the entries are sorted and refer to existing rows and
// columns. A damaged or foreign file is an error wrapping ErrFormat.
func Parse(b []byte) (*Index, error) {
	h, err := parseHeader(b)
	if err != nil {
		return nil, err
	}
	fpos := h.size + 12*h.entries
	if len(b) < fpos+1+sha256.Size {
		return nil, formatErr("truncated (%d bytes)", len(b))
	}
	fb := uint(b[fpos])
	if fb < 10 || fb > 26 {
		return nil, formatErr("bad filter size")
	}
	want := fpos + 1 + (1<<fb)/8 + sha256.Size
	if len(b) != want {
		return nil, formatErr("size %d bytes, header says %d", len(b), want)
	}
	sum := sha256.Sum256(b[:want-sha256.Size])
	if !bytes.Equal(sum[:], b[want-sha256.Size:]) {
		return nil, formatErr("checksum mismatch (damaged or altered)")
	}
	x := &Index{name: h.name, columns: h.columns, rows: h.rows, skipped: h.skipped, shapes: h.shapes, salt: h.salt}
	x.k0, x.k1 = keys(h.salt)
	x.hashes = make([]uint64, h.entries)
	x.refs = make([]uint32, h.entries)
	e := b[h.size:]
	for i := range h.entries {
		hv := binary.LittleEndian.Uint64(e[12*i:])
		ref := binary.LittleEndian.Uint32(e[12*i+8:])
		if int(ref>>4) >= h.rows || int(ref&15) >= len(h.columns) {
			return nil, formatErr("entry %d refers to a row or column that does not exist", i)
		}
		if i > 0 && (hv < x.hashes[i-1] || hv == x.hashes[i-1] && ref <= x.refs[i-1]) {
			return nil, formatErr("entries not sorted at %d", i)
		}
		x.hashes[i], x.refs[i] = hv, ref
	}
	x.fbits = fb
	x.filter = make([]uint64, (1<<fb)/64)
	for i := range x.filter {
		x.filter[i] = binary.LittleEndian.Uint64(b[fpos+1+8*i:])
	}
	x.buildBuckets()
	return x, nil
}

// Load reads and verifies the index file at path.
func Load(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("edm: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("edm: %w", err)
	}
	if limit := int64(4096 + 12*maxEntries + 1 + 1<<26/8 + sha256.Size); st.Size() > limit {
		return nil, fmt.Errorf("edm: %s: %w: %d bytes is larger than any index", path, ErrFormat, st.Size())
	}
	b := make([]byte, st.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("edm: read %s: %w", path, err)
	}
	x, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("edm: %s: %w", path, err)
	}
	return x, nil
}

// LoadAs is Load naming the index as the policy does ([[edm]] name),
// whatever name it was built with.
func LoadAs(path, name string) (*Index, error) {
	x, err := Load(path)
	if err != nil {
		return nil, err
	}
	x.name = name
	return x, nil
}

// Info is what the header of an index says, read without loading it.
type Info struct {
	Name          string
	Columns       []string
	Rows, Entries int
	Skipped       int
}

// ReadInfo reads only the header of the index at path (configuration
// validation uses it to report a missing or foreign file where the config
// names it).
func ReadInfo(path string) (*Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("edm: %w", err)
	}
	defer f.Close()
	b := make([]byte, 4096)
	n, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("edm: read %s: %w", path, err)
	}
	h, err := parseHeader(b[:n])
	if err != nil {
		return nil, fmt.Errorf("edm: %s: %w", path, err)
	}
	return &Info{Name: h.name, Columns: h.columns, Rows: h.rows, Entries: h.entries, Skipped: h.skipped}, nil
}
