package extract

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// A small reader of Compound Files (MS-CFB: the container of legacy .doc,
// .xls, .ppt and .msg). It is written here rather than taken from a
// library because every step must be bounded against a hostile file and
// report damage instead of failing: a chain that loops, a sector past the
// end, a declared size larger than the file, a directory with too many
// entries. The file is in memory already (oleNode loads it), so a stream is
// a copy of its sectors in chain order.
//
// Damage that still lets something be read is collected in cfbFile.damage
// (reported as Malformed with the text read so far still classified); only
// a header or directory that cannot be read at all is an error.

const (
	cfbFreeSect   = 0xFFFFFFFF
	cfbEndOfChain = 0xFFFFFFFE
	cfbMaxRegSect = 0xFFFFFFFA
	cfbNoStream   = 0xFFFFFFFF
	// cfbMaxEntries bounds the directory: real documents have tens of
	// entries, an Outlook message with attachments a few thousand.
	cfbMaxEntries = 1 << 16
)

// cfbEntry is one directory entry: a stream (typ 2), a storage (1) or the
// root (5). path is the names of its storages and itself joined by "/".
type cfbEntry struct {
	name               string
	path               string
	typ                byte
	left, right, child uint32
	start              uint32
	size               uint64
	parent             int // index of the storage holding it, -1 for the root
}

type cfbFile struct {
	data       []byte
	shift      uint // sector size is 1<<shift
	miniShift  uint
	miniCutoff uint64
	fat        []uint32
	minifat    []uint32
	ministream []byte
	entries    []cfbEntry
	damage     []string // what was wrong, for Malformed problems (no content)
	maxStream  int64    // largest stream read (MaxDecompressed)
	// What the reads took, for unread: of each sector the bytes from its
	// start (a stream's last sector is taken only up to its end), of each
	// mini sector likewise, and the sectors of the mini stream in order.
	taken     []uint16
	miniTaken []uint8
	miniSecs  []uint32
}

// errCFB is a compound file whose header or directory cannot be read.
var errCFB = errors.New("compound file header or directory does not parse")

// parseCFB reads the header, the FAT, the directory and the mini stream.
func parseCFB(data []byte, maxStream int64) (*cfbFile, error) {
	if len(data) < 512 || string(data[:8]) != "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" {
		return nil, fmt.Errorf("cfb header: %w", errCFB)
	}
	le := binary.LittleEndian
	f := &cfbFile{data: data, maxStream: maxStream}
	shift := uint(le.Uint16(data[30:]))
	mini := uint(le.Uint16(data[32:]))
	if shift != 9 && shift != 12 || mini != 6 {
		return nil, fmt.Errorf("cfb sector size 2^%d: %w", shift, errCFB)
	}
	f.shift, f.miniShift = shift, mini
	f.miniCutoff = uint64(le.Uint32(data[56:]))
	if f.miniCutoff != 4096 {
		f.damage = append(f.damage, "mini stream cutoff is not 4096")
		f.miniCutoff = 4096
	}
	nSectors := f.sectors()
	f.taken = make([]uint16, nSectors)
	// The DIFAT: 109 FAT sector numbers in the header, then a chain of
	// DIFAT sectors each ending with the next one's number.
	nFAT := int(le.Uint32(data[44:]))
	if nFAT > nSectors+1 {
		f.damage = append(f.damage, "more FAT sectors declared than the file holds")
		nFAT = nSectors + 1
	}
	difat := make([]uint32, 0, min(nFAT, 109))
	for i := 0; i < 109 && len(difat) < nFAT; i++ {
		difat = append(difat, le.Uint32(data[76+4*i:]))
	}
	per := (1 << shift) / 4
	seen := map[uint32]bool{}
	for s := le.Uint32(data[68:]); len(difat) < nFAT && s <= cfbMaxRegSect; {
		if seen[s] || int(s) >= nSectors {
			f.damage = append(f.damage, "DIFAT chain loops or leaves the file")
			break
		}
		seen[s] = true
		sec := f.sector(s)
		for i := 0; i < per-1 && len(difat) < nFAT && 4*i+4 <= len(sec); i++ {
			difat = append(difat, le.Uint32(sec[4*i:]))
		}
		if len(sec) < 4*per {
			f.damage = append(f.damage, "DIFAT sector cut short")
			break
		}
		s = le.Uint32(sec[4*(per-1):])
	}
	f.fat = make([]uint32, 0, len(difat)*per)
	for _, s := range difat {
		if s > cfbMaxRegSect {
			continue
		}
		sec := f.sector(s)
		if len(sec) < 1<<shift {
			f.damage = append(f.damage, "FAT sector missing or cut short")
		}
		f.take(s, len(sec))
		for i := 0; i+4 <= len(sec); i += 4 {
			f.fat = append(f.fat, le.Uint32(sec[i:]))
		}
	}
	// The directory: 128-byte entries along its chain.
	dir := f.chain(f.fat, le.Uint32(data[48:]), uint64(cfbMaxEntries)*128, false)
	if len(dir) < 128 {
		return nil, fmt.Errorf("cfb directory: %w", errCFB)
	}
	if len(dir) >= cfbMaxEntries*128 {
		f.damage = append(f.damage, "directory has too many entries; the rest were not read")
	}
	v3 := le.Uint16(data[26:]) == 3
	for i := 0; i+128 <= len(dir); i += 128 {
		e := cfbReadEntry(dir[i : i+128])
		if v3 {
			e.size &= 0xFFFFFFFF // version 3 files may leave junk in the high half
		}
		f.entries = append(f.entries, e)
	}
	if f.entries[0].typ != 5 {
		return nil, fmt.Errorf("cfb root entry: %w", errCFB)
	}
	f.paths()
	// The mini FAT and the mini stream (the root entry's stream) hold the
	// streams smaller than the cutoff.
	nMini := uint64(le.Uint32(data[64:]))
	f.minifat = bytesToU32(f.chain(f.fat, le.Uint32(data[60:]), nMini<<shift, false))
	root := f.entries[0]
	taken := f.taken
	f.taken = nil // the mini stream's sectors are taken by the streams in it
	f.ministream = f.chain(f.fat, root.start, root.size, true)
	f.taken = taken
	f.miniTaken = make([]uint8, (len(f.ministream)+(1<<mini)-1)>>mini)
	for s := root.start; len(f.miniSecs)<<shift < len(f.ministream) && int64(s) < int64(len(f.fat)); s = f.fat[s] {
		f.miniSecs = append(f.miniSecs, s)
	}
	return f, nil
}

// take records that n bytes from the start of sector s were read.
func (f *cfbFile) take(s uint32, n int) {
	if int64(s) < int64(len(f.taken)) {
		f.taken[s] = max(f.taken[s], uint16(n))
	}
}

// unread returns a copy of the file with every byte that was read zeroed:
// the header, the FAT, the directory, the mini FAT and the streams read
// so far. What is left is what damage hid from the chains (the sectors
// of a stream past a loop, of entries a cut directory lost) and slack,
// for the best-effort read of a damaged file, which then does not read
// the streams' text a second time.
func (f *cfbFile) unread() []byte {
	out := bytes.Clone(f.data)
	clear(out[:min(512, len(out))])
	for s, n := range f.taken {
		off := (s + 1) << f.shift
		clear(out[min(off, len(out)):min(off+int(n), len(out))])
	}
	for m, n := range f.miniTaken {
		off := m << f.miniShift
		k := off >> f.shift
		if n == 0 || k >= len(f.miniSecs) {
			continue
		}
		at := (int(f.miniSecs[k])+1)<<f.shift + off&(1<<f.shift-1)
		clear(out[min(at, len(out)):min(at+int(n), len(out))])
	}
	return out
}

// sectors is how many sectors the file holds (the last may be cut short).
func (f *cfbFile) sectors() int {
	return (len(f.data) - 1 + (1 << f.shift) - 512) >> f.shift
}

// sector returns sector s, cut short at the end of the file (nil past it).
func (f *cfbFile) sector(s uint32) []byte {
	off := (uint64(s) + 1) << f.shift
	if off >= uint64(len(f.data)) {
		return nil
	}
	end := min(off+1<<f.shift, uint64(len(f.data)))
	return f.data[off:end]
}

// chain reads up to size bytes along a chain of sectors starting at start,
// in the FAT (mini false) or in the mini FAT and mini stream. A loop, a
// sector out of range or a chain shorter than size is recorded as damage
// when exact (the size is the stream's declared size) and ends the read.
func (f *cfbFile) chain(table []uint32, start uint32, size uint64, exact bool) []byte {
	return f.readChain(table, start, size, exact, false)
}

func (f *cfbFile) readChain(table []uint32, start uint32, size uint64, exact, mini bool) []byte {
	secSize := uint64(1) << f.shift
	if mini {
		secSize = 1 << f.miniShift
	}
	if size > uint64(f.maxStream) {
		if exact {
			f.damage = append(f.damage, "stream declared larger than the decompressed-size limit")
		}
		size = uint64(f.maxStream)
	}
	if size > uint64(len(f.data)) {
		if exact {
			f.damage = append(f.damage, "stream declared larger than the file")
		}
		size = uint64(len(f.data))
	}
	out := make([]byte, 0, min(size, uint64(len(table))*secSize))
	visited := make([]bool, len(table))
	s := start
	for uint64(len(out)) < size {
		if s == cfbEndOfChain || s == cfbFreeSect {
			if exact {
				f.damage = append(f.damage, "stream chain ends before its declared size")
			}
			break
		}
		if int64(s) >= int64(len(table)) {
			f.damage = append(f.damage, "stream chain points outside the allocation table")
			break
		}
		if visited[s] {
			f.damage = append(f.damage, "stream chain loops")
			break
		}
		visited[s] = true
		var sec []byte
		if mini {
			off := uint64(s) << f.miniShift
			if off < uint64(len(f.ministream)) {
				sec = f.ministream[off:min(off+secSize, uint64(len(f.ministream)))]
			}
		} else {
			sec = f.sector(s)
		}
		if uint64(len(sec)) < secSize && uint64(len(out))+uint64(len(sec)) < size {
			f.damage = append(f.damage, "stream cut short: the file ends inside it")
			out = append(out, sec...)
			if !mini {
				f.take(s, len(sec))
			} else if int64(s) < int64(len(f.miniTaken)) {
				f.miniTaken[s] = max(f.miniTaken[s], uint8(len(sec)))
			}
			break
		}
		part := sec[:min(uint64(len(sec)), size-uint64(len(out)))]
		out = append(out, part...)
		if mini {
			if int64(s) < int64(len(f.miniTaken)) {
				f.miniTaken[s] = max(f.miniTaken[s], uint8(len(part)))
			}
		} else {
			f.take(s, len(part))
		}
		s = table[s]
	}
	return out
}

// stream returns the bytes of entry i (a stream), by the mini FAT when it
// is smaller than the cutoff.
func (f *cfbFile) stream(i int) []byte {
	e := f.entries[i]
	if e.size < f.miniCutoff {
		return f.readChain(f.minifat, e.start, e.size, true, true)
	}
	return f.readChain(f.fat, e.start, e.size, true, false)
}

// find returns the index of the stream or storage at path ("Workbook",
// "ObjectPool/_1234/Package"), -1 when there is none. Names compare
// case-insensitively, as MS-CFB says.
func (f *cfbFile) find(path string) int {
	for i, e := range f.entries {
		if e.typ != 0 && i > 0 && equalFoldASCII(e.path, path) {
			return i
		}
	}
	return -1
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func cfbReadEntry(b []byte) cfbEntry {
	le := binary.LittleEndian
	n := int(le.Uint16(b[64:]))
	if n > 64 {
		n = 64
	}
	u := make([]uint16, 0, 32)
	for i := 0; i+1 < n; i += 2 {
		c := le.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return cfbEntry{
		name:   string(utf16.Decode(u)),
		typ:    b[66],
		left:   le.Uint32(b[68:]),
		right:  le.Uint32(b[72:]),
		child:  le.Uint32(b[76:]),
		start:  le.Uint32(b[116:]),
		size:   le.Uint64(b[120:]),
		parent: -1,
	}
}

// paths walks the directory tree from the root (each storage's children
// are a binary tree through left/right, its first node is child) and sets
// every reachable entry's path; an entry reached twice (a cycle) or never
// keeps its bare name and, when reached twice, is recorded as damage.
func (f *cfbFile) paths() {
	reached := make([]bool, len(f.entries))
	reached[0] = true
	type item struct {
		idx    uint32
		parent int
	}
	stack := []item{{f.entries[0].child, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.idx == cfbNoStream {
			continue
		}
		if int64(it.idx) >= int64(len(f.entries)) || reached[it.idx] {
			f.damage = append(f.damage, "directory tree loops or points outside the directory")
			continue
		}
		reached[it.idx] = true
		e := &f.entries[it.idx]
		e.parent = it.parent
		e.path = cfbPathName(e.name)
		if it.parent > 0 {
			e.path = f.entries[it.parent].path + "/" + e.path
		}
		stack = append(stack, item{e.left, it.parent}, item{e.right, it.parent})
		if e.typ == 1 {
			stack = append(stack, item{e.child, int(it.idx)})
		}
	}
	for i := range f.entries {
		if !reached[i] {
			f.entries[i].typ = 0 // unreachable: free or orphaned
		}
	}
}

// cfbPathName is a name as it appears in origins: without the control
// characters that start \x05SummaryInformation and \x01CompObj, and
// without "/" (the path separator).
func cfbPathName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x20:
			return -1
		case r == '/':
			return '_'
		}
		return r
	}, name)
}

func bytesToU32(b []byte) []uint32 {
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}
