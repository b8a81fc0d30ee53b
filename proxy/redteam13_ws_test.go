package proxy

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Item 5: a chat message through the DingTalk web WebSocket, framed the
// way a hand-written client can: split into one-byte continuation frames
// with pings between them, or compressed with permessage-deflate whether
// or not the server agreed to it. The server must not receive the list;
// the proxy blocks (one event) or closes the connection as a protocol
// error before forwarding anything of the message.

// wsClientFrame is a masked client frame.
func wsClientFrame(fin bool, op byte, rsv1 bool, payload []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	if rsv1 {
		b0 |= 0x40
	}
	var out []byte
	out = append(out, b0)
	switch n := len(payload); {
	case n < 126:
		out = append(out, 0x80|byte(n))
	case n < 1<<16:
		out = append(out, 0x80|126, byte(n>>8), byte(n))
	default:
		out = append(out, 0x80|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	out = append(out, key[:]...)
	for i, c := range payload {
		out = append(out, c^key[i%4])
	}
	return out
}

func wsDeflate(b []byte) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(b)
	fw.Flush()
	out := buf.Bytes()
	return bytes.TrimSuffix(out, []byte{0, 0, 0xff, 0xff}) // RFC 7692 7.2.1
}

func TestRedTeamWebSocketFraming(t *testing.T) {
	text, ids := hkidText(3)
	js, _ := json.Marshal(text)
	msg := []byte(`{"lwp":"/r/IDLSend/send","body":[{"content":{"textContent":{"text":` + string(js) + `}}}]}`)
	ping := wsClientFrame(true, 0x9, false, []byte("p"))
	var oneByte []byte
	for i, c := range msg {
		op := byte(0x0)
		if i == 0 {
			op = 0x1
		}
		oneByte = append(oneByte, wsClientFrame(i == len(msg)-1, op, false, []byte{c})...)
		if i%5 == 0 {
			oneByte = append(oneByte, ping...)
		}
	}
	half := len(msg) / 2
	comp := wsDeflate(msg)
	cases := []struct {
		name, ext string
		frames    []byte
		block     bool // read and blocked (else refused as a protocol error)
	}{
		{"one-byte frames with pings between", "", oneByte, true},
		{"two continuation frames", "", append(wsClientFrame(false, 0x1, false, msg[:half]), wsClientFrame(true, 0x0, false, msg[half:])...), true},
		{"deflate frame, extension offered", "permessage-deflate; client_no_context_takeover", wsClientFrame(true, 0x1, true, comp), false},
		{"deflate frame, never offered", "", wsClientFrame(true, 0x1, true, comp), false},
		{"deflate split over continuations", "permessage-deflate", append(wsClientFrame(false, 0x1, true, comp[:len(comp)/2]), wsClientFrame(true, 0x0, false, comp[len(comp)/2:])...), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, harnessConfig{})
			got := make(chan string, 100)
			h.up.srv.Handler = wsEcho(got)
			conn := h.tlsTunnel(t, "webalfa-cm3.dingtalk.com")
			req := "GET /long HTTP/1.1\r\nHost: webalfa-cm3.dingtalk.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			if c.ext != "" {
				req += "Sec-WebSocket-Extensions: " + c.ext + "\r\n"
			}
			io.WriteString(conn, req+"\r\n")
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
				t.Fatalf("upgrade: %v %v", resp, err)
			}
			ext := resp.Header.Get("Sec-WebSocket-Extensions")
			conn.Write(c.frames)
			// Read until the proxy closes (or a quiet second passes).
			conn.SetReadDeadline(time.Now().Add(3 * time.Second))
			io.Copy(io.Discard, br)
			conn.Close()
			time.Sleep(100 * time.Millisecond)
			close(got)
			for m := range got {
				for _, id := range ids {
					if strings.Contains(m, id) {
						t.Fatalf("server received the list (extension answer %q)", ext)
					}
				}
			}
			evs := h.rec.events()
			if c.block && (len(evs) != 1 || evs[0].Action != "block") || !c.block && len(evs) > 1 {
				t.Fatalf("events %+v", evs)
			}
			if !c.block && ext != "" {
				t.Fatalf("compression negotiated through the proxy: %q", ext)
			}
			t.Logf("extension answer %q, %d events", ext, len(evs))
		})
	}
}
