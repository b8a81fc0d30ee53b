package deflate

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"unicode/utf8"
)

// Gzip reads a gzip file (RFC 1952) with the Reader: every member, one
// after another, each checked against its trailer's CRC-32 and size, as
// compress/gzip reads them (TestGzipDifferential). Its errors are
// ErrHeader, ErrChecksum, io.ErrUnexpectedEOF for a cut file and the
// Reader's CorruptInputError.
type Gzip struct {
	d    *Reader
	crc  uint32
	size uint32
	err  error
	// Name is the first member's file name (FNAME, Latin-1 read as
	// UTF-8), empty when it has none.
	Name string
}

var (
	ErrHeader   = errors.New("gzip: invalid header")
	ErrChecksum = errors.New("gzip: invalid checksum")
)

// NewGzip reads the first member's header from src.
func NewGzip(src io.Reader) (*Gzip, error) {
	z := &Gzip{d: NewReader(src)}
	name, err := z.header()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	z.Name = name
	return z, nil
}

// header reads a member's header, leaving the Reader at its deflate
// stream; io.EOF when the input ends before its first byte.
func (z *Gzip) header() (string, error) {
	var h [10]byte
	if err := z.d.readRaw(h[:]); err != nil {
		return "", err
	}
	if h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 {
		return "", ErrHeader
	}
	flg := h[3]
	digest := crc32.ChecksumIEEE(h[:])
	read := func(p []byte) error {
		if err := z.d.readRaw(p); err != nil {
			return io.ErrUnexpectedEOF
		}
		digest = crc32.Update(digest, crc32.IEEETable, p)
		return nil
	}
	if flg&4 != 0 { // FEXTRA
		var n [2]byte
		if err := read(n[:]); err != nil {
			return "", err
		}
		if err := read(make([]byte, binary.LittleEndian.Uint16(n[:]))); err != nil {
			return "", err
		}
	}
	// FNAME and FCOMMENT: zero-terminated, under 512 bytes as
	// compress/gzip has them.
	var name string
	for _, f := range []byte{8, 16} {
		if flg&f == 0 {
			continue
		}
		var s []byte
		for b := [1]byte{}; ; {
			if err := read(b[:]); err != nil {
				return "", err
			}
			if b[0] == 0 {
				break
			}
			if s = append(s, b[0]); len(s) > 511 {
				return "", ErrHeader
			}
		}
		if f == 8 {
			name = latin1(s)
		}
	}
	if flg&2 != 0 { // FHCRC
		var c [2]byte
		want := uint16(digest)
		if err := read(c[:]); err != nil {
			return "", err
		}
		if binary.LittleEndian.Uint16(c[:]) != want {
			return "", ErrHeader
		}
	}
	z.d.nextStream()
	z.crc, z.size = 0, 0
	return name, nil
}

// latin1 is s (ISO 8859-1) as UTF-8.
func latin1(s []byte) string {
	b := make([]byte, 0, len(s))
	for _, c := range s {
		b = utf8.AppendRune(b, rune(c))
	}
	return string(b)
}

// Read implements io.Reader.
func (z *Gzip) Read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	for {
		n, err := z.d.Read(p)
		z.crc = crc32.Update(z.crc, crc32.IEEETable, p[:n])
		z.size += uint32(n)
		if err != io.EOF {
			z.err = err
			return n, err
		}
		var t [8]byte
		if err := z.d.readRaw(t[:]); err != nil {
			z.err = io.ErrUnexpectedEOF
			return n, z.err
		}
		if binary.LittleEndian.Uint32(t[:4]) != z.crc || binary.LittleEndian.Uint32(t[4:]) != z.size {
			z.err = ErrChecksum
			return n, z.err
		}
		if _, err := z.header(); err != nil {
			z.err = err
			return n, err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Close ends the read (the source is not closed).
func (z *Gzip) Close() error {
	if z.err == nil || z.err == io.EOF {
		return nil
	}
	return z.err
}
