package deflate

import (
	"bytes"
	"io"
	"testing"

	kflate "github.com/klauspost/compress/flate"
	kgzip "github.com/klauspost/compress/gzip"
)

// BenchmarkInflate compares this decoder with klauspost's (what
// extract used before) on each test input, in MB/s of output:
//
//	go test ./extract/deflate -run '^$' -bench Inflate
func BenchmarkInflate(b *testing.B) {
	comp := compressors()["std5"]
	in := inputs()
	in["small"] = in["xml"][:3000] // a PDF content stream, a slide
	for _, name := range []string{"xml", "prose", "random", "letters", "small"} {
		data := in[name]
		c := comp(data)
		buf := make([]byte, 256<<10)
		b.Run(name+"/this", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			d := NewReader(nil)
			for range b.N {
				d.Reset(bytes.NewReader(c))
				if n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{d}, buf); err != nil || n != int64(len(data)) {
					b.Fatal(n, err)
				}
			}
		})
		b.Run(name+"/klauspost", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			fr := kflate.NewReader(nil)
			for range b.N {
				fr.(kflate.Resetter).Reset(bytes.NewReader(c), nil)
				if n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{fr}, buf); err != nil || n != int64(len(data)) {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// BenchmarkGzip: Gzip against klauspost's gzip reader (what extract
// used before) on the XML input, in MB/s of output:
//
//	go test ./extract/deflate -run '^$' -bench Gzip
func BenchmarkGzip(b *testing.B) {
	data := inputs()["xml"]
	c := gzipFile(data, "a.xml", "", nil, 6)
	buf := make([]byte, 256<<10)
	b.Run("this", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for range b.N {
			z, err := NewGzip(bytes.NewReader(c))
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{z}, buf); err != nil || n != int64(len(data)) {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("klauspost", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for range b.N {
			z, err := kgzip.NewReader(bytes.NewReader(c))
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{z}, buf); err != nil || n != int64(len(data)) {
				b.Fatal(n, err)
			}
		}
	})
}
