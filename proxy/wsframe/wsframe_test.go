package wsframe

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testGrace = 2 * time.Second

// concat joins frames into one stream.
func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// writeChunked writes b to w in chunks of size n (0: all at once).
func writeChunked(t *testing.T, c *Conn, b []byte, n int) error {
	t.Helper()
	if n <= 0 {
		n = len(b)
	}
	for len(b) > 0 {
		k := min(n, len(b))
		if _, err := c.Write(b[:k]); err != nil {
			return err
		}
		b = b[k:]
	}
	return nil
}

// TestWritePassesOriginalBytes: allowed messages reach the upstream as the
// very frame bytes the client sent, whatever the chunking; control frames
// sent between fragments go first; the inspector sees whole messages.
func TestWritePassesOriginalBytes(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80 KB: 64-bit length form
	text1 := cframe(true, opText, false, []byte("hello 你好"))
	fragA := cframe(false, opText, false, []byte("part one, "))
	ping := cframe(true, opPing, false, []byte("p"))
	fragB := cframe(false, opContinuation, false, []byte("part two, "))
	fragC := cframe(true, opContinuation, false, []byte("end"))
	bin := cframe(true, opBinary, false, []byte{0, 1, 2, 0xff})
	large := cframe(true, opText, false, big)
	empty := cframe(true, opText, false, nil)
	pong := cframe(true, opPong, false, nil)

	in := concat(text1, fragA, ping, fragB, fragC, bin, large, empty, pong)
	// The ping overtakes the held fragments.
	want := concat(text1, ping, fragA, fragB, fragC, bin, large, empty, pong)
	wantMsgs := []Message{
		{Text: true, Data: []byte("hello 你好")},
		{Text: true, Data: []byte("part one, part two, end")},
		{Text: false, Data: []byte{0, 1, 2, 0xff}},
		{Text: true, Data: big},
		{Text: true, Data: []byte{}},
	}
	for _, chunk := range []int{0, 1, 2, 3, 7, 13, 100, 4096} {
		t.Run("chunk"+strconv.Itoa(chunk), func(t *testing.T) {
			up := newFakeUpstream()
			rec := &recorder{}
			c := wrap(context.Background(), up, Options{}, rec.inspect, testGrace)
			defer c.Close()
			if err := writeChunked(t, c, in, chunk); err != nil {
				t.Fatalf("write: %v", err)
			}
			if got := up.written(); !bytes.Equal(got, want) {
				t.Fatalf("upstream got %d bytes, want %d (identical frames)", len(got), len(want))
			}
			seen := rec.seen()
			if len(seen) != len(wantMsgs) {
				t.Fatalf("inspected %d messages, want %d", len(seen), len(wantMsgs))
			}
			for i, m := range wantMsgs {
				if seen[i].Text != m.Text || !bytes.Equal(seen[i].Data, m.Data) {
					t.Errorf("message %d: got text=%v %.40q, want text=%v %.40q", i, seen[i].Text, seen[i].Data, m.Text, m.Data)
				}
			}
		})
	}
}

// TestHoldThenForward: nothing of a data message goes upstream before its
// last fragment arrived and the inspector allowed it.
func TestHoldThenForward(t *testing.T) {
	up := newFakeUpstream()
	c := wrap(context.Background(), up, Options{}, func(context.Context, Message) Verdict { return Verdict{} }, testGrace)
	defer c.Close()
	fragA := cframe(false, opText, false, []byte("first half "))
	fragB := cframe(true, opContinuation, false, []byte("second half"))
	if _, err := c.Write(concat(fragA, fragB[:3])); err != nil {
		t.Fatal(err)
	}
	if got := up.written(); len(got) != 0 {
		t.Fatalf("%d bytes went upstream before the message was complete", len(got))
	}
	if _, err := c.Write(fragB[3:]); err != nil {
		t.Fatal(err)
	}
	if got := up.written(); !bytes.Equal(got, concat(fragA, fragB)) {
		t.Fatalf("upstream got % x", got)
	}
}

// TestBlock: a blocked message never goes upstream; the server gets a masked
// 1008 close, the client a 1008 close with the reason, injected after the
// server frame in flight, and then EOF both ways.
func TestBlock(t *testing.T) {
	up := newFakeUpstream()
	rec := &recorder{marker: []byte("SECRET"), reason: "blocked by dlpgate: rule hkid-bulk, event 0123abcd"}
	c := wrap(context.Background(), up, Options{}, rec.inspect, testGrace)
	defer c.Close()
	s1 := sframe(opText, []byte("server frame one, long enough to split"))
	s2 := sframe(opText, []byte("server frame two, must not reach the client"))
	// Half of s1 already reached the client when the block happens.
	up.serverSend(s1[:10])
	first := make([]byte, 10)
	if _, err := io.ReadFull(c, first); err != nil {
		t.Fatal(err)
	}
	read := readAll(c)
	ok := cframe(true, opText, false, []byte("fine"))
	bad := cframe(true, opText, false, []byte("xx SECRET xx"))
	after := cframe(true, opText, false, []byte("after"))
	done := make(chan error, 1)
	go func() {
		_, err := c.Write(concat(ok, bad, after))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	up.serverSend(concat(s1[10:], s2))

	select {
	case err := <-done:
		if err != ErrClosed {
			t.Fatalf("Write error = %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Write did not return")
	}
	gotClient := append(first, waitBytes(t, read)...)
	wantPrefix := s1
	if !bytes.HasPrefix(gotClient, wantPrefix) {
		t.Fatalf("client stream does not start with the whole server frame: % x", gotClient)
	}
	frames := parseFrames(t, gotClient[len(s1):])
	if len(frames) != 1 {
		t.Fatalf("client got %d frames after the server frame, want exactly the close", len(frames))
	}
	code, reason := frames[0].closeCode()
	if code != ClosePolicyViolation || reason != rec.reason || frames[0].h.masked {
		t.Fatalf("client close = %d %q masked=%v", code, reason, frames[0].h.masked)
	}

	upFrames := parseFrames(t, up.written())
	if len(upFrames) != 2 || !bytes.Equal(upFrames[0].payload, []byte("fine")) {
		t.Fatalf("upstream frames = %+v", upFrames)
	}
	code, reason = upFrames[1].closeCode()
	if code != ClosePolicyViolation || reason != "" || !upFrames[1].h.masked {
		t.Fatalf("server close = %d %q masked=%v", code, reason, upFrames[1].h.masked)
	}
	if _, err := c.Write(after); err != ErrClosed {
		t.Fatalf("Write after block = %v", err)
	}
}

// TestProtocolErrors: malformed client frames close with 1002 and nothing of
// the bad frame goes upstream.
func TestProtocolErrors(t *testing.T) {
	unmasked := sframe(opText, []byte("hi"))
	rsv2 := cframe(true, opText, false, []byte("hi"))
	rsv2[0] |= 0x20
	longLen := []byte{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4}
	cases := []struct {
		name string
		ext  string
		in   []byte
	}{
		{"unmasked frame", "", unmasked},
		{"reserved opcode 3", "", cframe(true, 3, false, []byte("x"))},
		{"reserved opcode 11", "", cframe(true, 11, false, nil)},
		{"rsv1 without extension", "", cframe(true, opText, true, []byte("x"))},
		{"rsv2", "permessage-deflate", rsv2},
		{"control frame too long", "", cframe(true, opPing, false, make([]byte, 126))},
		{"fragmented ping", "", cframe(false, opPing, false, nil)},
		{"continuation without message", "", cframe(true, opContinuation, false, []byte("x"))},
		{"text inside fragmented message", "", concat(cframe(false, opText, false, []byte("a")), cframe(true, opText, false, []byte("b")))},
		{"rsv1 on continuation", "permessage-deflate", concat(cframe(false, opText, true, nil), cframe(true, opContinuation, true, nil))},
		{"64-bit length with top bit", "", longLen},
		{"close with 1-byte payload", "", cframe(true, opClose, false, []byte{3})},
		{"corrupt deflate data", "permessage-deflate", cframe(true, opText, true, []byte{0xff, 0xff, 0xff, 0xff, 0xff})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := newFakeUpstream()
			rec := &recorder{}
			c := wrap(context.Background(), up, Options{Extensions: tc.ext}, rec.inspect, testGrace)
			defer c.Close()
			read := readAll(c)
			if _, err := c.Write(tc.in); err != ErrClosed {
				t.Fatalf("Write = %v, want ErrClosed", err)
			}
			frames := parseFrames(t, waitBytes(t, read))
			if len(frames) != 1 {
				t.Fatalf("client got %d frames, want 1 close", len(frames))
			}
			if code, reason := frames[0].closeCode(); code != CloseProtocolError || !strings.HasPrefix(reason, "protocol error") {
				t.Fatalf("client close = %d %q", code, reason)
			}
			upFrames := parseFrames(t, up.written())
			if len(upFrames) != 1 {
				t.Fatalf("upstream got %d frames, want only the close", len(upFrames))
			}
			if code, _ := upFrames[0].closeCode(); code != CloseProtocolError {
				t.Fatalf("server close code = %d", code)
			}
			if n := len(rec.seen()); n != 0 {
				t.Fatalf("inspector saw %d messages", n)
			}
		})
	}
}

// TestOversize: messages over MaxMessage are blocked or forwarded unchecked
// and reported, for plain frames, many small fragments, and compressed data
// that inflates past the limit.
func TestOversize(t *testing.T) {
	const limit = 1000
	bigPlain := bytes.Repeat([]byte("a"), 3000)
	var frags [][]byte
	frags = append(frags, cframe(false, opText, false, bytes.Repeat([]byte("b"), 600)))
	frags = append(frags, cframe(true, opContinuation, false, bytes.Repeat([]byte("b"), 600)))
	bomb := deflateMessages(t, false, bytes.Repeat([]byte("z"), 50000))[0]
	bombTakeover := deflateMessages(t, true, bytes.Repeat([]byte("z"), 50000))[0]
	cases := []struct {
		name     string
		ext      string
		in       []byte
		block    bool
		wantSize int64
	}{
		{"plain block", "", cframe(true, opText, false, bigPlain), true, 0},
		{"plain forward", "", cframe(true, opText, false, bigPlain), false, 3000},
		{"fragments block", "", concat(frags...), true, 0},
		{"fragments forward", "", concat(frags...), false, 1200},
		{"inflates past limit, block", "permessage-deflate; client_no_context_takeover", cframe(true, opText, true, bomb), true, 0},
		{"inflates past limit, forward", "permessage-deflate; client_no_context_takeover", cframe(true, opText, true, bomb), false, limit + 1},
		{"inflates past limit, takeover forward", "permessage-deflate", cframe(true, opText, true, bombTakeover), false, limit + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := newFakeUpstream()
			rec := &recorder{}
			var reported []Oversize
			opts := Options{MaxMessage: limit, OversizeBlock: tc.block, Extensions: tc.ext,
				OnOversize: func(_ context.Context, o Oversize) { reported = append(reported, o) }}
			c := wrap(context.Background(), up, opts, rec.inspect, testGrace)
			defer c.Close()
			read := readAll(c)
			next := cframe(true, opText, false, []byte("next"))
			_, err := c.Write(concat(tc.in, next))
			if tc.block {
				if err != ErrClosed {
					t.Fatalf("Write = %v, want ErrClosed", err)
				}
				frames := parseFrames(t, waitBytes(t, read))
				if code, reason := frames[0].closeCode(); code != ClosePolicyViolation || reason != "message too large" {
					t.Fatalf("client close = %d %q", code, reason)
				}
				if upFrames := parseFrames(t, up.written()); len(upFrames) != 1 || upFrames[0].h.opcode != opClose {
					t.Fatalf("upstream got %d frames, want only the close", len(upFrames))
				}
				return
			}
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got, want := up.written(), concat(tc.in, next); !bytes.Equal(got, want) {
				t.Fatalf("upstream got %d bytes, want the original %d", len(got), len(want))
			}
			if len(reported) != 1 || reported[0].Size != tc.wantSize || !reported[0].Text {
				t.Fatalf("reported %+v, want one of size %d", reported, tc.wantSize)
			}
			if seen := rec.seen(); len(seen) != 1 || string(seen[0].Data) != "next" {
				t.Fatalf("inspector saw %d messages, want only the next one", len(seen))
			}
		})
	}
}

// TestCompressed: permessage-deflate messages are inspected decompressed,
// with and without context takeover, fragmented or not, and forwarded as the
// original compressed frames.
func TestCompressed(t *testing.T) {
	msgs := [][]byte{
		[]byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 20)),
		[]byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 21) + "again"),
		bytes.Repeat([]byte("x"), 40000), // pushes the window past 32 KiB
		[]byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 3) + "xxxxxxxxxxxxxxxxxxxxxxxxxx"),
	}
	cases := []struct {
		name     string
		ext      string
		takeover bool
		fragment bool
	}{
		{"takeover", "permessage-deflate", true, false},
		{"takeover fragmented", "permessage-deflate; server_no_context_takeover", true, true},
		{"no takeover", "permessage-deflate; client_no_context_takeover", false, false},
		{"no takeover fragmented", "permessage-deflate;client_no_context_takeover;server_no_context_takeover", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			comp := deflateMessages(t, tc.takeover, msgs...)
			var in []byte
			for _, m := range comp {
				if tc.fragment && len(m) > 4 {
					h := len(m) / 2
					in = append(in, cframe(false, opText, true, m[:h])...)
					in = append(in, cframe(true, opContinuation, false, m[h:])...)
				} else {
					in = append(in, cframe(true, opText, true, m)...)
				}
			}
			// An uncompressed message in between must not disturb the window.
			in = append(in, cframe(true, opText, false, []byte("plain"))...)
			more := deflateMessages(t, tc.takeover, append(msgs, []byte("The quick brown fox, last"))...)
			in = append(in, cframe(true, opText, true, more[len(more)-1])...)

			up := newFakeUpstream()
			rec := &recorder{}
			c := wrap(context.Background(), up, Options{Extensions: tc.ext}, rec.inspect, testGrace)
			defer c.Close()
			if err := writeChunked(t, c, in, 1000); err != nil {
				t.Fatal(err)
			}
			want := append(append(append([][]byte{}, msgs...), []byte("plain")), []byte("The quick brown fox, last"))
			seen := rec.seen()
			if len(seen) != len(want) {
				t.Fatalf("inspected %d messages, want %d", len(seen), len(want))
			}
			for i := range want {
				if !bytes.Equal(seen[i].Data, want[i]) {
					t.Errorf("message %d: got %.60q want %.60q", i, seen[i].Data, want[i])
				}
			}
			if !bytes.Equal(up.written(), in) {
				t.Fatal("upstream bytes differ from the client's frames")
			}
		})
	}
}

// TestContextDone: cancelling the context closes both sides with 1001.
func TestContextDone(t *testing.T) {
	up := newFakeUpstream()
	ctx, cancel := context.WithCancel(context.Background())
	c := wrap(ctx, up, Options{}, nil, testGrace)
	defer c.Close()
	read := readAll(c)
	cancel()
	frames := parseFrames(t, waitBytes(t, read))
	if code, _ := frames[0].closeCode(); len(frames) != 1 || code != CloseGoingAway {
		t.Fatalf("client frames %+v", frames)
	}
	if _, err := c.Write(cframe(true, opText, false, []byte("late"))); err != ErrClosed {
		t.Fatalf("Write after cancel = %v", err)
	}
	upFrames := parseFrames(t, up.written())
	if code, _ := upFrames[0].closeCode(); len(upFrames) != 1 || code != CloseGoingAway {
		t.Fatalf("upstream frames %+v", upFrames)
	}
}

// TestInspectorPanicBlocks: a panicking inspector fails closed.
func TestInspectorPanicBlocks(t *testing.T) {
	up := newFakeUpstream()
	c := wrap(context.Background(), up, Options{}, func(context.Context, Message) Verdict { panic("boom") }, testGrace)
	defer c.Close()
	read := readAll(c)
	if _, err := c.Write(cframe(true, opText, false, []byte("m"))); err != ErrClosed {
		t.Fatalf("Write = %v", err)
	}
	frames := parseFrames(t, waitBytes(t, read))
	if code, _ := frames[0].closeCode(); code != ClosePolicyViolation {
		t.Fatalf("close code %d", code)
	}
}

// TestServerCloseEndsRead: when the server ends the connection, Read returns
// its bytes then EOF, and the wrapper injects nothing.
func TestServerCloseEndsRead(t *testing.T) {
	up := newFakeUpstream()
	c := wrap(context.Background(), up, Options{}, nil, testGrace)
	defer c.Close()
	read := readAll(c)
	sc := closeFrame(1000, "bye", false)
	go func() {
		_, _ = up.pw.Write(sc)
		up.pw.Close()
	}()
	if got := waitBytes(t, read); !bytes.Equal(got, sc) {
		t.Fatalf("client got % x", got)
	}
}

// TestGraceClosesStuckServerFrame: if the server stops mid-frame while the
// connection is closing, the upstream is torn down after the grace period
// instead of hanging.
func TestGraceClosesStuckServerFrame(t *testing.T) {
	up := newFakeUpstream()
	rec := &recorder{marker: []byte("S")}
	c := wrap(context.Background(), up, Options{}, rec.inspect, 100*time.Millisecond)
	defer c.Close()
	s1 := sframe(opBinary, make([]byte, 50))
	up.serverSend(s1[:5])
	first := make([]byte, 5)
	if _, err := io.ReadFull(c, first); err != nil {
		t.Fatal(err)
	}
	read := readAll(c)
	var closed atomic.Bool
	go func() {
		<-up.closed
		closed.Store(true)
	}()
	if _, err := c.Write(cframe(true, opText, false, []byte("S"))); err != ErrClosed {
		t.Fatalf("Write = %v", err)
	}
	if got := waitBytes(t, read); len(got) != 0 {
		t.Fatalf("client got % x, want only the partial frame (no close mid-frame)", got)
	}
	if !closed.Load() {
		time.Sleep(50 * time.Millisecond)
		if !closed.Load() {
			t.Fatal("upstream not closed after the grace period")
		}
	}
}

func TestStripCompression(t *testing.T) {
	cases := []struct {
		name string
		in   []string
		want string
	}{
		{"none", nil, ""},
		{"deflate only", []string{"permessage-deflate; client_max_window_bits"}, ""},
		{"deflate and other", []string{"permessage-deflate; client_no_context_takeover, x-foo; a=1"}, "x-foo; a=1"},
		{"two headers", []string{"x-webkit-deflate-frame", "Permessage-Deflate, bar"}, "bar"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tc.in {
				h.Add("Sec-WebSocket-Extensions", v)
			}
			StripCompression(h)
			if got := strings.Join(h.Values("Sec-WebSocket-Extensions"), ","); got != tc.want {
				t.Fatalf("got %q want %q", got, tc.want)
			}
		})
	}
}

func TestParseExtensions(t *testing.T) {
	cases := []struct {
		in   string
		want deflateParams
	}{
		{"", deflateParams{}},
		{"x-foo", deflateParams{}},
		{"permessage-deflate", deflateParams{enabled: true, takeover: true}},
		{"permessage-deflate; server_no_context_takeover", deflateParams{enabled: true, takeover: true}},
		{"permessage-deflate; client_no_context_takeover", deflateParams{enabled: true}},
		{"permessage-deflate;client_max_window_bits=10; Client_No_Context_Takeover", deflateParams{enabled: true}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := parseExtensions(tc.in); got != tc.want {
				t.Fatalf("got %+v want %+v", got, tc.want)
			}
		})
	}
}

func TestMaskBytes(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for n := 0; n < 150; n += 7 {
		for pos := 0; pos < 4; pos++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(i * 31)
			}
			want := bytes.Clone(b)
			for i := range want {
				want[i] ^= key[(pos+i)%4]
			}
			next := maskBytes(key, pos, b)
			if !bytes.Equal(b, want) || next != (pos+n)%4 {
				t.Fatalf("n=%d pos=%d wrong", n, pos)
			}
		}
	}
}

func TestTruncateReason(t *testing.T) {
	long := strings.Repeat("封", 60) // 180 bytes
	got := truncateReason(long)
	if len(got) > 123 || !strings.HasPrefix(long, got) || len(got) != 123 {
		t.Fatalf("truncated to %d bytes", len(got))
	}
	if got := truncateReason("short"); got != "short" {
		t.Fatal(got)
	}
}

// TestOversizeKeepsWindow: with context takeover, a compressed message too
// large to hold is forwarded unchecked but still inflated on the side, so
// the next message, which refers back into it, is inspected correctly.
func TestOversizeKeepsWindow(t *testing.T) {
	noise := noiseBytes(6000)
	// The second message repeats the end of the first: its deflate data is
	// mostly a back-reference into the previous message.
	second := append(bytes.Clone(noise[3000:]), []byte(" SECRET")...)
	comp := deflateMessages(t, true, noise, second)
	if len(comp[0]) <= 4096 || len(comp[1]) > 500 {
		t.Fatalf("test data: compressed sizes %d, %d", len(comp[0]), len(comp[1]))
	}
	for _, chunk := range []int{0, 1000} {
		t.Run("chunk"+strconv.Itoa(chunk), func(t *testing.T) {
			up := newFakeUpstream()
			rec := &recorder{marker: []byte("SECRET"), reason: "r"}
			var reported []Oversize
			opts := Options{MaxMessage: 4096, Extensions: "permessage-deflate",
				OnOversize: func(_ context.Context, o Oversize) { reported = append(reported, o) }}
			c := wrap(context.Background(), up, opts, rec.inspect, testGrace)
			defer c.Close()
			read := readAll(c)
			first := cframe(false, opText, true, comp[0][:100])
			rest := cframe(true, opContinuation, false, comp[0][100:])
			err := writeChunked(t, c, concat(first, rest, cframe(true, opText, true, comp[1])), chunk)
			if err != ErrClosed {
				t.Fatalf("Write = %v, want ErrClosed (second message blocked)", err)
			}
			waitBytes(t, read)
			if len(reported) != 1 || reported[0].Size != int64(len(comp[0])) {
				t.Fatalf("reported %+v", reported)
			}
			seen := rec.seen()
			if len(seen) != 1 || !bytes.Equal(seen[0].Data, second) {
				t.Fatalf("inspector saw %d messages; the second must decompress against the first", len(seen))
			}
			upFrames := parseFrames(t, up.written())
			if len(upFrames) != 3 || upFrames[2].h.opcode != opClose {
				t.Fatalf("upstream got %d frames, want the 2 oversize frames and the close", len(upFrames))
			}
		})
	}
}

func TestWrapResponse(t *testing.T) {
	rwc := newFakeUpstream()
	cases := []struct {
		name   string
		status int
		header http.Header
		body   io.ReadCloser
		want   bool
	}{
		{"upgrade", 101, http.Header{"Upgrade": {"WebSocket"}, "Sec-Websocket-Extensions": {"permessage-deflate"}}, rwc, true},
		{"not 101", 200, http.Header{"Upgrade": {"websocket"}}, rwc, false},
		{"other upgrade", 101, http.Header{"Upgrade": {"h2c"}}, rwc, false},
		{"read-only body", 101, http.Header{"Upgrade": {"websocket"}}, io.NopCloser(strings.NewReader("")), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: tc.header, Body: tc.body}
			if got := WrapResponse(context.Background(), resp, Options{}, nil); got != tc.want {
				t.Fatalf("WrapResponse = %v", got)
			}
			c, wrapped := resp.Body.(*Conn)
			if wrapped != tc.want {
				t.Fatalf("body wrapped = %v", wrapped)
			}
			if wrapped {
				defer c.Close()
				if !c.w.inf.params.enabled {
					t.Fatal("Extensions not taken from the response")
				}
			}
		})
	}
}

// TestCloseReleasesGoroutines: Close ends the read pump and a live oversize
// inflater, so a relay that closes the body leaks nothing.
func TestCloseReleasesGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	up := newFakeUpstream()
	c := wrap(context.Background(), up, Options{MaxMessage: 100, Extensions: "permessage-deflate"}, nil, testGrace)
	read := readAll(c)
	comp := deflateMessages(t, true, noiseBytes(1000))[0]
	// Half of an oversize compressed message: the side inflater is running.
	if _, err := c.Write(cframe(false, opText, true, comp)); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	waitBytes(t, read)
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines before, %d after Close", before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// noiseBytes returns n incompressible (pseudo-random, reproducible) bytes.
func noiseBytes(n int) []byte {
	b := make([]byte, n)
	seed := uint32(1)
	for i := range b {
		seed = seed*1664525 + 1013904223
		b[i] = byte(seed >> 24)
	}
	return b
}
