package extract

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"fmt"
	"math/rand/v2"
	"testing"
)

func zlibOf(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func rawDeflateOf(b []byte) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(b)
	fw.Close()
	return buf.Bytes()
}

// A zlib or raw deflate body with no Content-Encoding (as an
// application/octet-stream upload or a text/plain body declaring a
// single-byte charset) is inflated and its text read; arbitrary binary
// data is not mistaken for either.
func TestBareZlibAndDeflate(t *testing.T) {
	csv := []byte("name,hkid\nChan Tai Man," + hkid("A", "123456") + "\nLee Siu Ming," + hkid("C", "234567") + "\n")
	long := bytes.Repeat(csv, 40)
	// Truncation is tested on text that does not compress to nothing.
	var varied bytes.Buffer
	varied.Write(csv)
	rr := rand.New(rand.NewPCG(3, 4))
	for varied.Len() < 200<<10 {
		fmt.Fprintf(&varied, "row %d,%x\n", rr.IntN(1e9), rr.Uint64())
	}
	zl := zlibOf(long)
	for name, tc := range map[string]struct {
		in Input
		w  want
	}{
		"zlib octet-stream":             {Input{ContentType: "application/octet-stream"}, want{texts: []string{hkid("A", "123456"), hkid("C", "234567")}, clean: true}},
		"zlib text/plain latin1":        {Input{ContentType: "text/plain; charset=iso-8859-1"}, want{texts: []string{hkid("C", "234567")}, clean: true}},
		"raw deflate":                   {Input{Name: "blob.bin"}, want{texts: []string{hkid("A", "123456")}, clean: true}},
		"zlib truncated keeps the text": {Input{}, want{texts: []string{hkid("A", "123456")}, problems: []ProblemKind{Malformed}}},
	} {
		t.Run(name, func(t *testing.T) {
			b := zl
			switch name {
			case "raw deflate":
				b = rawDeflateOf(long)
			case "zlib truncated keeps the text":
				v := zlibOf(varied.Bytes())
				b = v[:len(v)*2/3]
			}
			in := tc.in
			in.Body, in.Size = bytes.NewReader(b), int64(len(b))
			check(t, run(t, in, Limits{}), tc.w)
		})
	}
	// A zlib stream inside a zip member and a multipart part is found the
	// same way (the walker recurses); a zlib of a zip is opened.
	zipped := zlibOf(buildZip(t, zipEntry{name: "c.csv", body: csv}))
	check(t, run(t, bodyInput(zipped), Limits{}), want{texts: []string{hkid("C", "234567")}})

	// Random bytes, with and without a valid zlib header, stay unreadable.
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		b := make([]byte, 512+r.IntN(4096)) // short random runs may pass for text
		for j := range b {
			b[j] = byte(r.UintN(256))
		}
		if i%2 == 0 {
			b[0], b[1] = 0x78, 0x9c
		}
		res := run(t, bodyInput(b), Limits{})
		for _, s := range res.Segments {
			if s.Origin == "zlib:data" || s.Origin == "deflate:data" {
				t.Fatalf("random body %d read as a compressed stream", i)
			}
		}
		found := false
		for _, p := range res.Problems {
			found = found || p.Kind == Unreadable
		}
		if !found {
			t.Fatalf("random body %d: no unreadable problem: %+v", i, res.Problems)
		}
	}
}
