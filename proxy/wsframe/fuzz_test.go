package wsframe

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// FuzzFrames feeds arbitrary bytes, in arbitrary chunks, into the
// client-to-server parser: it must never panic, must end every connection it
// closes, and must keep its buffers within the limits MaxMessage implies.
func FuzzFrames(f *testing.F) {
	comp := deflateMessages(f, true, []byte(strings.Repeat("chat line ", 50)), []byte(strings.Repeat("chat line ", 60)+"BLOCK"))
	compNT := deflateMessages(f, false, []byte(strings.Repeat("abc", 2000)))
	seeds := [][]byte{
		cframe(true, opText, false, []byte("hello")),
		concat(cframe(false, opText, false, []byte("a")), cframe(true, opPing, false, []byte("p")), cframe(true, opContinuation, false, []byte("b"))),
		cframe(true, opBinary, false, bytes.Repeat([]byte{0, 0xff}, 3000)),
		cframe(true, opText, false, []byte("please BLOCK this")),
		concat(cframe(true, opText, true, comp[0]), cframe(true, opText, true, comp[1])),
		cframe(true, opText, true, compNT[0]),
		cframe(true, opClose, false, []byte{0x03, 0xe8}),
		sframe(opText, []byte("unmasked")),
		{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4},
		{0x01, 0xfe, 0xff, 0xff, 1, 2, 3, 4},
		cframe(true, opText, true, []byte{0xff, 0xfe, 0x00}),
	}
	for i, s := range seeds {
		f.Add(s, uint8(i*7), uint8(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk, mode uint8) {
		const limit = 4096
		ext := []string{"", "permessage-deflate", "permessage-deflate; client_no_context_takeover"}[mode%3]
		up := newFakeUpstream()
		inspect := func(_ context.Context, m Message) Verdict {
			return Verdict{Block: bytes.Contains(m.Data, []byte("BLOCK")), Reason: "blocked"}
		}
		opts := Options{MaxMessage: limit, OversizeBlock: mode&4 != 0, Extensions: ext}
		c := wrap(context.Background(), up, opts, inspect, 50*time.Millisecond)
		read := readAll(c)
		n := int(chunk)%97 + 1
		for len(data) > 0 {
			k := min(n, len(data))
			_, err := c.Write(data[:k])
			data = data[k:]
			c.wmu.Lock()
			w := &c.w
			if len(w.held) > limit+limit/4+4096+maxHeaderLen || len(w.payload) > limit ||
				len(w.out) > limit || len(w.ctrl) > maxHeaderLen+maxControlPayload {
				t.Fatalf("buffers past bounds: held %d payload %d out %d ctrl %d", len(w.held), len(w.payload), len(w.out), len(w.ctrl))
			}
			c.wmu.Unlock()
			if err != nil {
				break
			}
		}
		_ = c.Close()
		select {
		case <-read:
		case <-time.After(5 * time.Second):
			t.Fatal("read side did not end after Close")
		}
	})
}

// discardUpstream swallows writes and blocks reads until closed.
type discardUpstream struct{ done chan struct{} }

func (d *discardUpstream) Read([]byte) (int, error)    { <-d.done; return 0, io.EOF }
func (d *discardUpstream) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardUpstream) Close() error                { close(d.done); return nil }

// BenchmarkWrite measures the client-to-server path on 1 MiB text messages
// written in 32 KiB chunks (io.Copy's buffer, as goproxy relays them): frame
// parsing, unmasking, holding, an inspector doing one bytes.Contains, and
// forwarding.
func BenchmarkWrite(b *testing.B) {
	line := "客戶資料 customer record 12345, 香港 Hong Kong office; "
	msg := []byte(strings.Repeat(line, (1<<20)/len(line)+1)[:1<<20])
	comp := deflateMessages(b, false, msg)[0]
	cases := []struct {
		name  string
		ext   string
		frame []byte
	}{
		{"text1MiB", "", cframe(true, opText, false, msg)},
		{"text1MiB-deflate", "permessage-deflate; client_no_context_takeover", cframe(true, opText, true, comp)},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			up := &discardUpstream{done: make(chan struct{})}
			needle := []byte("NOT-PRESENT-MARKER")
			c := wrap(context.Background(), up, Options{Extensions: bc.ext}, func(_ context.Context, m Message) Verdict {
				return Verdict{Block: bytes.Contains(m.Data, needle)}
			}, graceTimeout)
			defer c.Close()
			// Throughput in decompressed message bytes, so both cases compare.
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				for off := 0; off < len(bc.frame); off += 32 << 10 {
					if _, err := c.Write(bc.frame[off:min(off+32<<10, len(bc.frame))]); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
