package deflate

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	kflate "github.com/klauspost/compress/flate"
)

// inputs are the uncompressed texts of the tests: empty, tiny, prose,
// XML, random bytes, long runs, short-distance repeats, and sizes past
// the window and the output chunk (the buffer slides).
func inputs() map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	rnd := func(n int, alphabet string) []byte {
		b := make([]byte, n)
		for i := range b {
			if alphabet == "" {
				b[i] = byte(r.Uint32())
			} else {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		return b
	}
	var xml bytes.Buffer
	for i := 0; xml.Len() < 3<<20; i++ {
		fmt.Fprintf(&xml, `<w:p w:rsidR="00A1B2C3"><w:r><w:t xml:space="preserve">row %d 陳大文 %x</w:t></w:r></w:p>`, i, r.Uint64())
	}
	return map[string][]byte{
		"empty":      {},
		"one":        {'a'},
		"prose":      []byte(strings.Repeat("The quarterly revenue of the group rose 12% to HK$3.2bn. ", 2000)),
		"xml":        xml.Bytes(),
		"random":     rnd(700<<10, ""),
		"letters":    rnd(500<<10, "abcdefgh \n"),
		"run":        bytes.Repeat([]byte{'x'}, 1<<20),
		"period2":    bytes.Repeat([]byte("ab"), 300<<10),
		"period7":    bytes.Repeat([]byte("abcdefg"), 100<<10),
		"period9":    bytes.Repeat([]byte("abcdefghi"), 100<<10),
		"window-far": append(append(rnd(32<<10, ""), rnd(5000, "xy")...), rnd(32<<10, "")...),
	}
}

// compressors write raw deflate in every way the tests meet: each
// compress/flate level (stored, Huffman-only, fixed and dynamic blocks)
// and klauspost's levels.
func compressors() map[string]func([]byte) []byte {
	m := map[string]func([]byte) []byte{}
	for _, lv := range []int{flate.NoCompression, flate.HuffmanOnly, flate.BestSpeed, 2, 5, flate.DefaultCompression, flate.BestCompression} {
		m[fmt.Sprintf("std%d", lv)] = func(b []byte) []byte {
			var buf bytes.Buffer
			zw, _ := flate.NewWriter(&buf, lv)
			zw.Write(b)
			zw.Close()
			return buf.Bytes()
		}
	}
	for _, lv := range []int{kflate.NoCompression, kflate.HuffmanOnly, 1, 3, 6, 9} {
		m[fmt.Sprintf("klauspost%d", lv)] = func(b []byte) []byte {
			var buf bytes.Buffer
			zw, _ := kflate.NewWriter(&buf, lv)
			zw.Write(b)
			zw.Close()
			return buf.Bytes()
		}
	}
	// A flush in the middle: an empty stored block, then more blocks.
	m["flushed"] = func(b []byte) []byte {
		var buf bytes.Buffer
		zw, _ := flate.NewWriter(&buf, 6)
		zw.Write(b[:len(b)/2])
		zw.Flush()
		zw.Write(b[len(b)/2:])
		zw.Close()
		return buf.Bytes()
	}
	return m
}

// readAll inflates c with this package, through src (wrapping the
// compressed bytes) and reads of n bytes.
func readAll(c []byte, wrap func(io.Reader) io.Reader, n int) ([]byte, error) {
	d := NewReader(wrap(bytes.NewReader(c)))
	var out bytes.Buffer
	buf := make([]byte, n)
	for {
		k, err := d.Read(buf)
		out.Write(buf[:k])
		if err == io.EOF {
			return out.Bytes(), d.Close()
		}
		if err != nil {
			return out.Bytes(), err
		}
	}
}

func stdInflate(c []byte) ([]byte, error) {
	return io.ReadAll(flate.NewReader(bytes.NewReader(c)))
}

func TestRoundTrip(t *testing.T) {
	wraps := map[string]func(io.Reader) io.Reader{
		"plain":   func(r io.Reader) io.Reader { return r },
		"onebyte": iotest.OneByteReader,
		"half":    iotest.HalfReader,
		"dataerr": iotest.DataErrReader,
	}
	for in, data := range inputs() {
		for cn, comp := range compressors() {
			c := comp(data)
			for wn, wrap := range wraps {
				for _, n := range []int{1 << 20, 4096, 1} {
					if n == 1 && len(data) > 64<<10 && wn != "plain" {
						continue
					}
					got, err := readAll(c, wrap, n)
					if err != nil {
						t.Fatalf("%s/%s/%s/%d: %v", in, cn, wn, n, err)
					}
					if !bytes.Equal(got, data) {
						t.Fatalf("%s/%s/%s/%d: output differs (%d bytes, want %d)", in, cn, wn, n, len(got), len(data))
					}
				}
			}
		}
	}
}

// TestTruncated: every cut of a stream is io.ErrUnexpectedEOF, as
// compress/flate reports it, and what was read before is the data's
// start.
func TestTruncated(t *testing.T) {
	data := inputs()["prose"][:20000]
	for cn, comp := range compressors() {
		c := comp(data)
		step := max(1, len(c)/300)
		for cut := 0; cut < len(c); cut += step {
			got, err := readAll(c[:cut], func(r io.Reader) io.Reader { return r }, 4096)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%s cut at %d of %d: err %v, want unexpected EOF", cn, cut, len(c), err)
			}
			if !bytes.HasPrefix(data, got) {
				t.Fatalf("%s cut at %d: output is not a prefix of the data", cn, cut)
			}
		}
	}
}

// TestCorrupt: streams the format forbids fail as corrupt, as
// compress/flate fails them.
func TestCorrupt(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"reserved block type", []byte{0x07}},
		{"stored length check", []byte{0x01, 0x05, 0x00, 0x00, 0x00}},
		{"distance before start", []byte{0x63, 0x00, 0x42, 0x00, 0x00}}, // fixed: length 3, dist far
		{"all ones", bytes.Repeat([]byte{0xff}, 64)},
	} {
		_, stdErr := stdInflate(c.b)
		_, err := readAll(c.b, func(r io.Reader) io.Reader { return r }, 4096)
		if err == nil || stdErr == nil {
			t.Errorf("%s: err %v, compress/flate %v; want both errors", c.name, err, stdErr)
			continue
		}
		var ce CorruptInputError
		var sce flate.CorruptInputError
		if errors.As(stdErr, &sce) != errors.As(err, &ce) {
			t.Errorf("%s: err %v, compress/flate %v: not the same kind", c.name, err, stdErr)
		}
	}
}

// TestReset: a Reader reset onto another stream reads it as a new one.
func TestReset(t *testing.T) {
	in := inputs()
	comp := compressors()
	d := NewReader(bytes.NewReader(comp["std9"](in["xml"])))
	if _, err := io.Copy(io.Discard, d); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"std1", "std-2", "std0", "klauspost6"} {
		d.Reset(bytes.NewReader(comp[name](in["prose"])))
		got, err := io.ReadAll(d)
		if err != nil || !bytes.Equal(got, in["prose"]) {
			t.Fatalf("%s after reset: %v, equal %v", name, err, bytes.Equal(got, in["prose"]))
		}
	}
	// Reset after an error clears it.
	d.Reset(bytes.NewReader([]byte{0x07}))
	if _, err := io.ReadAll(d); err == nil {
		t.Fatal("corrupt stream read without error")
	}
	d.Reset(bytes.NewReader(comp["std5"](in["one"])))
	if got, err := io.ReadAll(d); err != nil || string(got) != "a" {
		t.Fatalf("after error and reset: %q, %v", got, err)
	}
}

// TestSourceError: an error from the source is returned, wrapped.
func TestSourceError(t *testing.T) {
	c := compressors()["std5"](inputs()["random"])
	boom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader(c[:len(c)/2]), iotest.ErrReader(boom))
	_, err := io.ReadAll(NewReader(r))
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want the source's", err)
	}
}

// checkAgainstStd inflates b with both decoders: compress/flate is the
// reference. What it accepts must inflate to the same bytes; what it
// refuses must be refused, as the same kind of error; before an error
// both outputs agree.
func checkAgainstStd(t *testing.T, b []byte) {
	t.Helper()
	want, stdErr := stdInflate(b)
	got, err := readAll(b, func(r io.Reader) io.Reader { return r }, 8192)
	if stdErr == nil {
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("compress/flate reads %d bytes; this decoder: %d bytes, %v (equal %v)", len(want), len(got), err, bytes.Equal(got, want))
		}
		return
	}
	if err == nil {
		t.Fatalf("compress/flate refuses (%v) what this decoder reads (%d bytes)", stdErr, len(got))
	}
	n := min(len(got), len(want))
	if !bytes.Equal(got[:n], want[:n]) {
		t.Fatalf("outputs before the error differ (%v / %v)", err, stdErr)
	}
	if errors.Is(stdErr, io.ErrUnexpectedEOF) != errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error kinds differ: %v, compress/flate %v", err, stdErr)
	}
}

func TestDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	data := inputs()["xml"][:200000]
	for cn, comp := range compressors() {
		c := comp(data)
		for range 200 {
			m := bytes.Clone(c)
			for range 1 + r.IntN(3) {
				m[r.IntN(len(m))] ^= byte(1 << r.IntN(8))
			}
			t.Run(cn, func(t *testing.T) { checkAgainstStd(t, m) })
		}
	}
	for range 2000 {
		b := make([]byte, r.IntN(200))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		checkAgainstStd(t, b)
	}
}

func FuzzDifferential(f *testing.F) {
	for _, comp := range compressors() {
		f.Add(comp([]byte("Chan Tai Man A123456(3) depression")), false)
		f.Add([]byte("The quarterly revenue rose; the quarterly revenue fell"), true)
	}
	files, _ := filepath.Glob("testdata/zlib/*.deflate")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b[:min(len(b), 4096)], false) // zlib's block headers
		}
	}
	f.Add([]byte{0x07}, false)
	f.Add([]byte{0x01, 0x05, 0x00, 0xfa, 0xff, 'h', 'e', 'l', 'l', 'o'}, false)
	f.Fuzz(func(t *testing.T, b []byte, compress bool) {
		if compress {
			// Arbitrary text, compressed, then its last byte flipped:
			// the decoder meets valid streams, not only random ones.
			var buf bytes.Buffer
			zw, _ := flate.NewWriter(&buf, len(b)%10)
			zw.Write(b)
			zw.Close()
			b = buf.Bytes()
			checkAgainstStd(t, b)
			b[len(b)/2] ^= 0x10
		}
		checkAgainstStd(t, b)
	})
}

// TestZlibStreams: streams from zlib itself (testdata/zlib/README) read as
// compress/flate reads them, whole and cut.
func TestZlibStreams(t *testing.T) {
	files, err := filepath.Glob("testdata/zlib/*.deflate")
	if err != nil || len(files) < 9 {
		t.Fatalf("zlib streams: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := stdInflate(b)
		if err != nil || len(want) < 50000 {
			t.Fatalf("%s: compress/flate: %v, %d bytes", f, err, len(want))
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			checkAgainstStd(t, b)
			for cut := 1; cut < len(b); cut += len(b)/50 + 1 {
				checkAgainstStd(t, b[:cut])
			}
		})
	}
}
