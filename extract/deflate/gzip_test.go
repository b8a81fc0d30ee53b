package deflate

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// gzipFile is data as one gzip member with the given header fields.
func gzipFile(data []byte, name, comment string, extra []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level)
	zw.Name, zw.Comment, zw.Extra = name, comment, extra
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

// withHeaderCRC sets FHCRC on a member written by compress/gzip with no
// name, comment or extra field (a 10-byte header).
func withHeaderCRC(m []byte) []byte {
	h := bytes.Clone(m[:10])
	h[3] |= 2
	var c [2]byte
	binary.LittleEndian.PutUint16(c[:], uint16(crc32.ChecksumIEEE(h)))
	return append(append(h, c[:]...), m[10:]...)
}

// checkGzipAgainstStd reads b with Gzip and with compress/gzip: the same
// bytes, and an error from one only with an error from the other.
func checkGzipAgainstStd(t *testing.T, b []byte) {
	t.Helper()
	var want []byte
	zr, stdErr := gzip.NewReader(bytes.NewReader(b))
	if stdErr == nil {
		want, stdErr = io.ReadAll(zr)
	}
	var got []byte
	z, err := NewGzip(bytes.NewReader(b))
	if err == nil {
		got, err = io.ReadAll(z)
	}
	if (err == nil) != (stdErr == nil) {
		t.Fatalf("err %v, compress/gzip %v", err, stdErr)
	}
	n := min(len(got), len(want))
	if stdErr == nil && len(got) != len(want) || !bytes.Equal(got[:n], want[:n]) {
		t.Fatalf("read %d bytes, compress/gzip %d (err %v / %v)", len(got), len(want), err, stdErr)
	}
}

func TestGzipDifferential(t *testing.T) {
	in := inputs()
	text := in["xml"][:300000]
	one := gzipFile(text, "report.csv", "", nil, 6)
	files := map[string][]byte{
		"plain":     one,
		"named":     gzipFile(in["prose"], "résumé 2026.txt", "a comment", []byte{1, 2, 3, 4}, 9),
		"stored":    gzipFile(in["random"][:100000], "", "", nil, 0),
		"empty":     gzipFile(nil, "", "", nil, 6),
		"members":   append(append(bytes.Clone(one), gzipFile(in["prose"], "b", "", nil, 1)...), gzipFile(nil, "", "", nil, 6)...),
		"hcrc":      withHeaderCRC(gzipFile(in["letters"], "", "", nil, 5)),
		"longname":  gzipFile([]byte("x"), strings.Repeat("n", 511), "", nil, 6),
		"trailing0": append(bytes.Clone(one), 0, 0, 0, 0),
		"garbage":   append(bytes.Clone(one), "not gzip"...),
	}
	for name, b := range files {
		t.Run(name, func(t *testing.T) { checkGzipAgainstStd(t, b) })
	}
	z, err := NewGzip(bytes.NewReader(files["named"]))
	if err != nil {
		t.Fatal(err)
	}
	if z.Name != "résumé 2026.txt" {
		t.Fatalf("name %q", z.Name)
	}
	r := rand.New(rand.NewPCG(3, 4))
	m := files["members"]
	for range 300 {
		checkGzipAgainstStd(t, m[:r.IntN(len(m)+1)])
		c := bytes.Clone(m)
		c[r.IntN(len(c))] ^= byte(1 + r.IntN(255))
		checkGzipAgainstStd(t, c)
	}
	// A bad trailer is ErrChecksum.
	c := bytes.Clone(one)
	c[len(c)-5] ^= 1
	z, _ = NewGzip(bytes.NewReader(c))
	if _, err := io.ReadAll(z); !errors.Is(err, ErrChecksum) {
		t.Fatalf("bad CRC: %v", err)
	}
}

func FuzzGzipDifferential(f *testing.F) {
	f.Add(gzipFile([]byte("Chan Tai Man A123456(3)"), "a.txt", "c", []byte{9}, 6))
	f.Add(withHeaderCRC(gzipFile([]byte("abc"), "", "", nil, 1)))
	f.Add(append(gzipFile([]byte("a"), "", "", nil, 6), gzipFile([]byte("b"), "", "", nil, 0)...))
	f.Fuzz(func(t *testing.T, b []byte) { checkGzipAgainstStd(t, b) })
}
