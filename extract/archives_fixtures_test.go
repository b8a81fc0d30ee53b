package extract

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
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

// buildRAR4 writes a RAR 4 archive of stored files (testgen.RAR4).
func buildRAR4(files ...rarFile) []byte {
	var fs []testgen.RARFile
	for _, f := range files {
		fs = append(fs, testgen.RARFile{Name: f.name, Body: f.body, Encrypted: f.encrypted})
	}
	return testgen.RAR4(fs...)
}
