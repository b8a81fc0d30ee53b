package extract

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// fixtureCSV is the text of the committed archives in testdata/archives
// (fake customers; HKIDs from internal/testgen, check digits valid).
const fixtureCSV = "Name,HKID,Phone\nCustomer 0,A104729(1),90000000\nCustomer 1,B112648(8),90000001\nCustomer 2,C120567(4),90000002\n"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "archives", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func xzBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lzmaBytes writes a classic .lzma file (13-byte header); eos adds the
// end-of-stream marker and leaves the size unknown, as ZIP wants.
func lzmaBytes(t testing.TB, b []byte, eos bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	cfg := lzma.WriterConfig{EOSMarker: eos, Size: int64(len(b))}
	if eos {
		cfg.Size = -1
	}
	w, err := cfg.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawZip writes one entry whose compressed bytes are given (any method).
func rawZip(t testing.TB, name string, method uint16, plain, packed []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: method, CRC32: crc32.ChecksumIEEE(plain),
		CompressedSize64: uint64(len(packed)), UncompressedSize64: uint64(len(plain))})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(packed)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipLZMABytes is ZIP method 14 data: version 9.20, properties size 5, the
// properties, then the raw stream (the classic header's size dropped).
func zipLZMABytes(t testing.TB, b []byte) []byte {
	l := lzmaBytes(t, b, true)
	return append([]byte{9, 20, 5, 0}, append(l[:5:5], l[13:]...)...)
}

type rarFile struct {
	name      string
	body      []byte
	encrypted bool
}

// buildRAR4 writes a RAR 4.x archive of stored (method 0x30) files by hand,
// following the RAR 4 technote: marker block, archive header, one file
// header per file (header CRC = low 16 bits of CRC-32), end block. There is
// no free RAR writer; stored files need none.
func buildRAR4(files ...rarFile) []byte {
	var b bytes.Buffer
	b.WriteString("Rar!\x1a\x07\x00")
	block := func(typ byte, flags uint16, rest []byte) {
		h := make([]byte, 7, 7+len(rest))
		h[2] = typ
		binary.LittleEndian.PutUint16(h[3:], flags)
		binary.LittleEndian.PutUint16(h[5:], uint16(7+len(rest)))
		h = append(h, rest...)
		binary.LittleEndian.PutUint16(h[0:], uint16(crc32.ChecksumIEEE(h[2:])))
		b.Write(h)
	}
	block(0x73, 0, make([]byte, 6))
	for _, f := range files {
		var r bytes.Buffer
		le := func(v any) { binary.Write(&r, binary.LittleEndian, v) }
		le(uint32(len(f.body)))          // packed size
		le(uint32(len(f.body)))          // unpacked size
		le(byte(3))                      // host OS: Unix
		le(crc32.ChecksumIEEE(f.body))   // file CRC
		le(uint32(0x5a210000))           // DOS time
		le(byte(20))                     // version needed
		le(byte(0x30))                   // method: store
		le(uint16(len(f.name)))          // name size
		le(uint32(0o100644 << 16 >> 16)) // attributes
		r.WriteString(f.name)
		flags := uint16(0x8000) // LONG_BLOCK: data follows
		if f.encrypted {
			flags |= 0x04
		}
		block(0x74, flags, r.Bytes())
		b.Write(f.body)
	}
	block(0x7b, 0x4000, nil)
	return b.Bytes()
}
