package proxy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/dlpgate/dlpgate/internal/spill"
)

// A held body reads back exactly, in memory or spilled, at any offset;
// Bytes hands out the memory of an in-memory body only; release removes
// the spill file.
func TestHeldBody(t *testing.T) {
	for _, tc := range []struct {
		name     string
		size     int
		declared bool
		spilled  bool
	}{
		{"in memory, known length", 1000, true, false},
		{"in memory, chunked", 1000, false, false},
		{"spilled, known length", 5000, true, true},
		{"spilled, chunked", 5000, false, true},
		{"empty", 0, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{spillDir: t.TempDir(), inMem: spill.NewPool(1 << 20)}
			body := []byte(strings.Repeat("0123456789", tc.size/10))
			declared := int64(-1)
			if tc.declared {
				declared = int64(len(body))
			}
			var spillName string
			s.testHookSpill = func(p string) { spillName = p }
			h, err := s.holdBody(io.MultiReader(bytes.NewReader(body)), declared, 4096, 1<<20, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer h.release()
			if (h.file != nil) != tc.spilled {
				t.Fatalf("spilled = %v, want %v", h.file != nil, tc.spilled)
			}
			if b := h.Bytes(); tc.spilled && b != nil {
				t.Error("Bytes of a spilled body is not nil")
			} else if !tc.spilled && !bytes.Equal(b, body) {
				t.Error("Bytes differs from the body")
			}
			for _, off := range []int{0, 1, len(body) / 2, max(0, len(body)-1), len(body), len(body) + 5} {
				p := make([]byte, 64)
				n, err := h.ReadAt(p, int64(off))
				want := body[min(off, len(body)):min(off+64, len(body))]
				if !bytes.Equal(p[:n], want) {
					t.Errorf("ReadAt(%d) = %q, want %q", off, p[:n], want)
				}
				if n < len(p) && !errors.Is(err, io.EOF) {
					t.Errorf("ReadAt(%d) short read with err %v, want io.EOF", off, err)
				}
			}
			got, err := io.ReadAll(h.reader())
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("reader: %d bytes, err %v; want %d bytes", len(got), err, len(body))
			}
			h.release()
			if spillName != "" {
				if _, err := os.Stat(spillName); !os.IsNotExist(err) {
					t.Errorf("spill file still there after release: %v", err)
				}
			}
			if s.inMem.Used() != 0 {
				t.Errorf("memory accounting %d after release, want 0", s.inMem.Used())
			}
		})
	}
}

// readUpTo stops at n bytes, keeps every byte before it, never holds more
// capacity than n and passes read errors on.
func TestReadUpTo(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 10000)
	for _, c := range []struct {
		size int
		n    int64
	}{{0, 10}, {5, 10}, {10, 10}, {11, 10}, {len(data), 1 << 20}, {len(data), 70000}} {
		got, err := readUpTo(iotest.HalfReader(bytes.NewReader(data[:c.size])), c.n)
		want := data[:min(int64(c.size), c.n)]
		if err != nil || !bytes.Equal(got, want) || int64(cap(got)) > c.n {
			t.Errorf("size %d, n %d: %d bytes (cap %d), err %v", c.size, c.n, len(got), cap(got), err)
		}
	}
	if _, err := readUpTo(iotest.TimeoutReader(bytes.NewReader(data)), 1<<20); err == nil {
		t.Error("read error was not returned")
	}
}
