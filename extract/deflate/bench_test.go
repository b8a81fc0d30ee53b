package deflate

import (
	"bytes"
	"io"
	"testing"

	kflate "github.com/klauspost/compress/flate"
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
