package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// TestPrefetchMatchesSerial: a presentation read with its small parts
// inflated ahead (GOMAXPROCS 2) gives the segments and problems of the
// part-by-part reading (GOMAXPROCS 1, no prefetch), for damaged members,
// members larger than they declare, stored and encrypted ones, a big part
// between small ones, and every limit that cuts members.
func TestPrefetchMatchesSerial(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	vocab := testgen.PseudoWords(r, 400)
	slide := func(words int) []byte {
		var b strings.Builder
		b.WriteString(`<p:sld xmlns:a="a" xmlns:p="p"><p:cSld><p:spTree>`)
		for range words / 10 {
			b.WriteString(`<p:sp><p:txBody><a:p><a:r><a:t>`)
			for range 10 {
				b.WriteString(vocab[r.IntN(len(vocab))] + " ")
			}
			b.WriteString(`</a:t></a:r></a:p></p:txBody></p:sp>`)
		}
		b.WriteString(`</p:spTree></p:cSld></p:sld>`)
		return []byte(b.String())
	}
	entries := []zipEntry{
		{name: "[Content_Types].xml", body: []byte(contentTypes)},
		{name: "ppt/presentation.xml", body: []byte(`<p:presentation xmlns:p="p"/>`)},
	}
	for s := 1; s <= 300; s++ {
		e := zipEntry{name: fmt.Sprintf("ppt/slides/slide%d.xml", s), body: slide(20 + r.IntN(400))}
		switch s % 50 {
		case 7:
			e.store = true
		case 13:
			e.flags = 1 // encrypted
		case 21:
			e.body = slide(150000) // over aheadMin: read by the walker
		}
		entries = append(entries, e)
		if s%9 == 0 {
			entries = append(entries, zipEntry{name: fmt.Sprintf("ppt/notesSlides/notesSlide%d.xml", s), body: slide(30)})
		}
	}
	body := buildZip(t, entries...)
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	// Damage: flipped deflate data, and declared sizes below the truth
	// (central directory and local header).
	for i, f := range zr.File {
		off, _ := f.DataOffset()
		switch {
		case i%37 == 5 && f.CompressedSize64 > 40:
			for k := off + int64(f.CompressedSize64)/2; k < off+int64(f.CompressedSize64)/2+8; k++ {
				body[k] ^= 0x55
			}
		case i%41 == 3:
			setDeclaredSize(t, body, f.Name, f.UncompressedSize64/2)
		}
	}
	limits := []Limits{
		{},
		{MaxDecompressed: 3000},
		{MaxRatio: 2},
		{MaxTotalBytes: 50000},
		{MaxTotalBytes: 1 << 20},
	}
	run := func(procs int, lim Limits) *Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, err := Extract(context.Background(), Input{Body: bytes.NewReader(body), Size: int64(len(body))}, lim)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, lim := range limits {
		want := run(1, lim)
		for range 3 {
			got := run(2, lim)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("limits %+v: prefetched reading differs: %d segments, %d problems; serial %d, %d\nprefetched problems %v\nserial problems %v",
					lim, len(got.Segments), len(got.Problems), len(want.Segments), len(want.Problems), got.Problems, want.Problems)
			}
		}
		if lim == (Limits{}) && (len(want.Problems) == 0 || len(want.Segments) < 250) {
			t.Fatalf("fixture too tame: %d segments, problems %v", len(want.Segments), want.Problems)
		}
	}
}

// setDeclaredSize rewrites the uncompressed size of member name in both
// its local header and its central directory record.
func setDeclaredSize(t *testing.T, body []byte, name string, size uint64) {
	t.Helper()
	n := 0
	for _, sig := range []struct {
		magic string
		at    int // offset of the size field
		name  int // offset of the name
	}{{"PK\x03\x04", 22, 30}, {"PK\x01\x02", 24, 46}} {
		for i := 0; ; {
			k := bytes.Index(body[i:], []byte(sig.magic))
			if k < 0 {
				break
			}
			i += k
			if i+sig.name+len(name) <= len(body) && string(body[i+sig.name:i+sig.name+len(name)]) == name {
				binary.LittleEndian.PutUint32(body[i+sig.at:], uint32(size))
				n++
			}
			i += 4
		}
	}
	if n != 2 {
		t.Fatalf("%s: %d size fields rewritten", name, n)
	}
}
