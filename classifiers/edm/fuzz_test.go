package edm

import (
	"context"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// FuzzParse: a damaged or hostile index file is an error, never a panic or
// a huge allocation; what parses can be matched against.
func FuzzParse(f *testing.F) {
	_, raw := buildIndex(f, customers(20, 8))
	f.Add(raw)
	f.Add(raw[:60])
	f.Add([]byte("DLPEDM\x00\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := Parse(b)
		if err != nil {
			return
		}
		NewSet(x).Classify(context.Background(), []extract.Segment{{Text: "Chan Tai Man 91234567 a@b.hk 陳大文"}})
	})
}

// FuzzMatch: any upload text is matched without panicking.
func FuzzMatch(f *testing.F) {
	rows := customers(50, 9)
	x, _ := buildIndex(f, rows)
	f.Add(rows[0][0] + "," + rows[0][1])
	f.Add("客戶\u200b陳大文 +852 9123 4567 x@y.z @@ ..@..")
	f.Fuzz(func(t *testing.T, s string) {
		fs := NewSet(x).Classify(context.Background(), []extract.Segment{{Text: s}})
		for _, fd := range fs {
			for _, sm := range fd.Samples {
				if sm.Offset < 0 || sm.Offset > len(s) {
					t.Fatalf("offset %d outside the text", sm.Offset)
				}
			}
		}
	})
}
