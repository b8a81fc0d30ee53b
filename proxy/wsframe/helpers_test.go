package wsframe

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/flate"
)

// fakeUpstream stands in for the 101 response body: what the wrapper writes
// is recorded, what the "server" sends is fed through a pipe.
type fakeUpstream struct {
	mu     sync.Mutex
	got    bytes.Buffer
	pr     *io.PipeReader
	pw     *io.PipeWriter
	closed chan struct{}
	once   sync.Once
}

func newFakeUpstream() *fakeUpstream {
	pr, pw := io.Pipe()
	return &fakeUpstream{pr: pr, pw: pw, closed: make(chan struct{})}
}

func (f *fakeUpstream) Read(p []byte) (int, error) { return f.pr.Read(p) }

func (f *fakeUpstream) Write(p []byte) (int, error) {
	select {
	case <-f.closed:
		return 0, io.ErrClosedPipe
	default:
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got.Write(p)
}

func (f *fakeUpstream) Close() error {
	f.once.Do(func() {
		close(f.closed)
		f.pr.CloseWithError(io.EOF)
	})
	return nil
}

func (f *fakeUpstream) written() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return bytes.Clone(f.got.Bytes())
}

// serverSend feeds server-to-client bytes without blocking the test.
func (f *fakeUpstream) serverSend(b []byte) {
	go func() { _, _ = f.pw.Write(b) }()
}

var testMask = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// cframe builds a masked client frame.
func cframe(fin bool, op byte, rsv1 bool, payload []byte) []byte {
	b := appendHeader(nil, fin, op, len(payload), true, testMask)
	if rsv1 {
		b[0] |= 0x40
	}
	start := len(b)
	b = append(b, payload...)
	maskBytes(testMask, 0, b[start:])
	return b
}

// sframe builds an unmasked server frame.
func sframe(op byte, payload []byte) []byte {
	return append(appendHeader(nil, true, op, len(payload), false, [4]byte{}), payload...)
}

// deflateMessages compresses msgs the way a permessage-deflate sender does:
// one sync flush per message, tail stripped; with takeover one compressor
// (and so one window) for all messages.
func deflateMessages(t testing.TB, takeover bool, msgs ...[]byte) [][]byte {
	t.Helper()
	var out [][]byte
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if !takeover {
			fw.Reset(&buf)
		}
		buf.Reset()
		if _, err := fw.Write(m); err != nil {
			t.Fatal(err)
		}
		if err := fw.Flush(); err != nil {
			t.Fatal(err)
		}
		b := bytes.TrimSuffix(buf.Bytes(), deflateTail)
		out = append(out, bytes.Clone(b))
	}
	return out
}

// recorder is an InspectFunc that records messages and blocks those holding
// marker.
type recorder struct {
	mu     sync.Mutex
	msgs   []Message
	marker []byte
	reason string
}

func (r *recorder) inspect(_ context.Context, m Message) Verdict {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, Message{Text: m.Text, Data: bytes.Clone(m.Data)})
	if len(r.marker) > 0 && bytes.Contains(m.Data, r.marker) {
		return Verdict{Block: true, Reason: r.reason}
	}
	return Verdict{}
}

func (r *recorder) seen() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.msgs...)
}

// readAll drains the client-bound side in the background.
func readAll(rw io.Reader) <-chan []byte {
	ch := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(rw)
		ch <- b
	}()
	return ch
}

func waitBytes(t *testing.T, ch <-chan []byte) []byte {
	t.Helper()
	select {
	case b := <-ch:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("read side did not end")
		return nil
	}
}

// parseFrames splits a byte stream into frames, unmasking payloads. It fails
// the test on a truncated stream.
func parseFrames(t *testing.T, b []byte) []parsedFrame {
	t.Helper()
	var out []parsedFrame
	for len(b) > 0 {
		need := headerNeed(b)
		if len(b) < 2 || len(b) < need {
			t.Fatalf("truncated frame header: % x", b)
		}
		h := parseHeader(b[:need])
		b = b[need:]
		if uint64(len(b)) < h.length {
			t.Fatalf("truncated frame payload: want %d have %d", h.length, len(b))
		}
		p := bytes.Clone(b[:h.length])
		b = b[h.length:]
		if h.masked {
			maskBytes(h.mask, 0, p)
		}
		out = append(out, parsedFrame{h: h, payload: p})
	}
	return out
}

type parsedFrame struct {
	h       frameHeader
	payload []byte
}

func (f parsedFrame) closeCode() (uint16, string) {
	if f.h.opcode != opClose || len(f.payload) < 2 {
		return 0, ""
	}
	return binary.BigEndian.Uint16(f.payload), string(f.payload[2:])
}
