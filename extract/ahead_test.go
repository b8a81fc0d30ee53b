package extract

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// chunkedSrc returns its data a few bytes at a time, then err.
type chunkedSrc struct {
	data   []byte
	err    error
	closed bool
	panics bool
}

func (c *chunkedSrc) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		if c.panics {
			panic("decompressor bug")
		}
		return 0, c.err
	}
	n := copy(p[:min(len(p), 1000)], c.data)
	c.data = c.data[n:]
	return n, nil
}

func (c *chunkedSrc) Close() error { c.closed = true; return nil }

func TestReadAheadDeliversBytesThenError(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 3*aheadChunk/16+77)
	bad := errors.New("checksum")
	for _, want := range []error{io.EOF, bad} {
		src := &chunkedSrc{data: bytes.Clone(data), err: want}
		r := readAhead(src)
		got, err := io.ReadAll(r)
		if want == io.EOF && err != nil || want != io.EOF && !errors.Is(err, want) {
			t.Fatalf("error %v, want %v", err, want)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, want %d (equal: %v)", len(got), len(data), bytes.Equal(got, data[:min(len(got), len(data))]))
		}
		if err := r.Close(); err != nil || !src.closed {
			t.Fatalf("close: %v, src closed %v", err, src.closed)
		}
	}
}

func TestReadAheadPanicIsAReadError(t *testing.T) {
	src := &chunkedSrc{data: []byte(strings.Repeat("x", 5000)), panics: true}
	r := readAhead(src)
	got, err := io.ReadAll(r)
	if !errors.Is(err, errInflatePanic) {
		t.Fatalf("error %v, want errInflatePanic", err)
	}
	if len(got) > 5000 {
		t.Fatalf("read %d bytes", len(got))
	}
	r.Close()
}

// endless never ends: Close must still stop the goroutine.
type endless struct{ closed bool }

func (e *endless) Read(p []byte) (int, error) { return len(p), nil }
func (e *endless) Close() error               { e.closed = true; return nil }

func TestReadAheadCloseEarly(t *testing.T) {
	src := &endless{}
	r := readAhead(src)
	if _, err := r.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { r.Close(); r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the read-ahead goroutine")
	}
	if !src.closed {
		t.Fatal("source not closed")
	}
}

// A damaged member that is inflated ahead still reads as Malformed, with
// the rows before the damage kept (nothing unread passes silently).
func TestReadAheadCorruptMemberReported(t *testing.T) {
	var body []byte
	for _, c := range differentialCases(t) {
		if c.name == "xlsx-corrupt-member" {
			body = c.body()
		}
	}
	res := run(t, bodyInput(body), Limits{})
	found := false
	for _, p := range res.Problems {
		if p.Kind == Malformed && strings.HasSuffix(p.Origin, "xl/worksheets/sheet1.xml") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no Malformed problem for the damaged sheet: %+v", res.Problems)
	}
	if !strings.Contains(allText(res), "資產負債表") {
		t.Fatal("text before the damage was not kept")
	}
}
