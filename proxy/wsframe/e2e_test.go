package wsframe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/elazarl/goproxy"
)

// These tests run the real thing: a coder/websocket client talks through a
// goproxy proxy (whose RoundTripper wraps the 101 body, exactly as the
// dlpgate proxy does) to a coder/websocket server on loopback. goproxy's
// plain-HTTP path relays an upgraded connection with the same
// proxyWebsocket code as its MITM path.

type serverEvent struct {
	typ   websocket.MessageType
	data  []byte
	code  websocket.StatusCode // set on the final event
	final bool
}

type rig struct {
	wsURL      string
	proxyURL   *url.URL
	events     chan serverEvent
	mu         sync.Mutex
	negotiated []string // Extensions each wrapped connection saw
	conns      []*Conn
	clientTLS  *tls.Config // trusts the MITM CA
}

// newTestCA makes a throwaway ECDSA CA for goproxy's interception (never
// goproxy's built-in CA, whose key is public).
func newTestCA(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "wsframe test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

type rigConfig struct {
	// mitm runs wss:// through goproxy's CONNECT + TLS interception path
	// (the deployment path) instead of its plain-HTTP path.
	mitm       bool
	serverMode websocket.CompressionMode
	strip      bool
	opts       Options
	inspect    InspectFunc
}

func newRig(t *testing.T, cfg rigConfig) *rig {
	t.Helper()
	r := &rig{events: make(chan serverEvent, 100)}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		c, err := websocket.Accept(w, req, &websocket.AcceptOptions{CompressionMode: cfg.serverMode})
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(64 << 20)
		for {
			typ, data, err := c.Read(req.Context())
			if err != nil {
				r.events <- serverEvent{final: true, code: websocket.CloseStatus(err)}
				return
			}
			r.events <- serverEvent{typ: typ, data: data}
			// Echo, so the server-to-client direction carries data frames
			// (compressed when negotiated) through the wrapper too.
			if err := c.Write(req.Context(), typ, data); err != nil {
				r.events <- serverEvent{final: true, code: websocket.CloseStatus(err)}
				return
			}
		}
	}))
	proxy := goproxy.NewProxyHttpServer()
	proxy.Logger = log.New(io.Discard, "", 0)
	if cfg.mitm {
		srv.StartTLS()
		upstreamRoots := x509.NewCertPool()
		upstreamRoots.AddCert(srv.Certificate())
		proxy.Tr = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: upstreamRoots}}
		ca, caPool := newTestCA(t)
		r.clientTLS = &tls.Config{RootCAs: caPool}
		proxy.OnRequest().HandleConnectFunc(func(host string, _ *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
			return &goproxy.ConnectAction{Action: goproxy.ConnectMitm, TLSConfig: goproxy.TLSConfigFromCA(ca)}, host
		})
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	r.wsURL = "ws" + strings.TrimPrefix(srv.URL, "http")
	proxy.OnRequest().DoFunc(func(req *http.Request, pctx *goproxy.ProxyCtx) (*http.Request, *http.Response) {
		pctx.RoundTripper = goproxy.RoundTripperFunc(func(req *http.Request, _ *goproxy.ProxyCtx) (*http.Response, error) {
			if cfg.strip {
				StripCompression(req.Header)
			}
			resp, err := proxy.Tr.RoundTrip(req)
			if err != nil {
				return nil, err
			}
			// As the proxy will: the request context lives as long as
			// goproxy relays the upgraded connection.
			if !WrapResponse(req.Context(), resp, cfg.opts, cfg.inspect) {
				t.Errorf("upstream answer %d was not wrapped", resp.StatusCode)
				return resp, nil
			}
			wc := resp.Body.(*Conn)
			r.mu.Lock()
			r.negotiated = append(r.negotiated, wc.opts.Extensions)
			r.conns = append(r.conns, wc)
			r.mu.Unlock()
			return resp, nil
		})
		return req, nil
	})
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)
	u, err := url.Parse(ps.URL)
	if err != nil {
		t.Fatal(err)
	}
	r.proxyURL = u
	return r
}

func (r *rig) dial(t *testing.T, ctx context.Context, mode websocket.CompressionMode) *websocket.Conn {
	t.Helper()
	tr := &http.Transport{Proxy: http.ProxyURL(r.proxyURL), TLSClientConfig: r.clientTLS}
	t.Cleanup(tr.CloseIdleConnections)
	c, _, err := websocket.Dial(ctx, r.wsURL, &websocket.DialOptions{
		HTTPClient:           &http.Client{Transport: tr},
		CompressionMode:      mode,
		CompressionThreshold: 16,
	})
	if err != nil {
		t.Fatalf("dial through proxy: %v", err)
	}
	t.Cleanup(func() { c.CloseNow() })
	c.SetReadLimit(64 << 20)
	return c
}

// next returns the server's next event.
func (r *rig) next(t *testing.T) serverEvent {
	t.Helper()
	select {
	case ev := <-r.events:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("server saw nothing")
		return serverEvent{}
	}
}

type sendStep struct {
	text    string
	binary  bool
	frags   []string // sent as one fragmented message through Writer
	blocked bool     // the inspector must block this one
}

func (s sendStep) payload() string {
	if s.frags != nil {
		return strings.Join(s.frags, "")
	}
	return s.text
}

const marker = "HKID-MARKER"

func TestThroughGoproxy(t *testing.T) {
	repeat := strings.Repeat("DingTalk chat line, 你好, repeated for compression. ", 30)
	cases := []struct {
		name       string
		mitm       bool
		serverMode websocket.CompressionMode
		clientMode websocket.CompressionMode
		strip      bool
		wantExt    string
		steps      []sendStep
	}{
		{name: "clean text", steps: []sendStep{{text: `{"lwp":"/r/IDLSend/send","body":[{"content":{"textContent":{"text":"hello"}}}]}`}}},
		{name: "binary", steps: []sendStep{{text: "\x00\x01\xff binary", binary: true}}},
		{name: "blocked", steps: []sendStep{{text: "first ok"}, {text: "leak " + marker + " here", blocked: true}}},
		{name: "fragmented", steps: []sendStep{{frags: []string{"part one; ", "part two; ", "part three"}}, {frags: []string{"x ", marker, " y"}, blocked: true}}},
		{
			name: "context takeover", serverMode: websocket.CompressionContextTakeover, clientMode: websocket.CompressionContextTakeover,
			wantExt: "permessage-deflate",
			steps:   []sendStep{{text: repeat}, {text: repeat + " second"}, {frags: []string{repeat, " third"}}, {text: repeat + marker, blocked: true}},
		},
		{
			name: "no context takeover", serverMode: websocket.CompressionNoContextTakeover, clientMode: websocket.CompressionNoContextTakeover,
			wantExt: "permessage-deflate; client_no_context_takeover; server_no_context_takeover",
			steps:   []sendStep{{text: repeat}, {text: repeat + " second"}, {frags: []string{repeat, " third"}}, {text: repeat + marker, blocked: true}},
		},
		{
			name: "compression stripped", serverMode: websocket.CompressionContextTakeover, clientMode: websocket.CompressionContextTakeover,
			strip: true, wantExt: "",
			steps: []sendStep{{text: repeat}, {text: marker, blocked: true}},
		},
		{name: "mitm blocked", mitm: true, steps: []sendStep{{text: "first ok"}, {frags: []string{"a", "b"}}, {text: "leak " + marker, blocked: true}}},
		{
			name: "mitm context takeover", mitm: true, serverMode: websocket.CompressionContextTakeover, clientMode: websocket.CompressionContextTakeover,
			wantExt: "permessage-deflate",
			steps:   []sendStep{{text: repeat}, {text: repeat + " second"}, {text: repeat + marker, blocked: true}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			reason := "blocked by dlpgate: rule hkid-bulk, event 0123abcd"
			rec := &recorder{marker: []byte(marker), reason: reason}
			r := newRig(t, rigConfig{mitm: tc.mitm, serverMode: tc.serverMode, strip: tc.strip, inspect: rec.inspect})
			c := r.dial(t, ctx, tc.clientMode)

			blockedAt := -1
			for i, s := range tc.steps {
				typ := websocket.MessageText
				if s.binary {
					typ = websocket.MessageBinary
				}
				var err error
				if s.frags != nil {
					var w io.WriteCloser
					w, err = c.Writer(ctx, typ)
					for _, f := range s.frags {
						if err == nil {
							_, err = w.Write([]byte(f))
						}
					}
					if err == nil {
						err = w.Close()
					}
				} else {
					err = c.Write(ctx, typ, []byte(s.text))
				}
				if err != nil {
					t.Fatalf("step %d: client write: %v", i, err)
				}
				if s.blocked {
					blockedAt = i
					break
				}
				ev := r.next(t)
				if ev.final || ev.typ != typ || string(ev.data) != s.payload() {
					t.Fatalf("step %d: server got %+v, want the message unchanged", i, ev)
				}
				etyp, echo, err := c.Read(ctx)
				if err != nil || etyp != typ || string(echo) != s.payload() {
					t.Fatalf("step %d: client read echo: %v", i, err)
				}
			}
			r.mu.Lock()
			neg := r.negotiated
			r.mu.Unlock()
			if len(neg) != 1 || neg[0] != tc.wantExt {
				t.Fatalf("negotiated extensions %q, want %q", neg, tc.wantExt)
			}
			// With deflate negotiated the client really compressed.
			r.mu.Lock()
			wc := r.conns[0]
			r.mu.Unlock()
			wc.wmu.Lock()
			inflated := wc.w.inflated
			wc.wmu.Unlock()
			if (tc.wantExt != "") != (inflated > 0) {
				t.Fatalf("inflated %d messages with extensions %q", inflated, tc.wantExt)
			}
			seen := rec.seen()
			for i := range seen {
				if want := tc.steps[i].payload(); string(seen[i].Data) != want || seen[i].Text == tc.steps[i].binary {
					t.Fatalf("inspector message %d = %.50q text=%v, want %.50q", i, seen[i].Data, seen[i].Text, want)
				}
			}
			if blockedAt < 0 {
				if len(seen) != len(tc.steps) {
					t.Fatalf("inspector saw %d messages, want %d", len(seen), len(tc.steps))
				}
				if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
					t.Fatalf("normal close: %v", err)
				}
				if ev := r.next(t); !ev.final || ev.code != websocket.StatusNormalClosure {
					t.Fatalf("server end = %+v", ev)
				}
				return
			}
			// The client learns why; the server never saw the message.
			_, _, err := c.Read(ctx)
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || ce.Reason != reason {
				t.Fatalf("client read = %v, want close 1008 %q", err, reason)
			}
			if ev := r.next(t); !ev.final || ev.code != websocket.StatusPolicyViolation {
				t.Fatalf("server got %+v, want only a 1008 close", ev)
			}
			if seen := rec.seen(); len(seen) != blockedAt+1 {
				t.Fatalf("inspector saw %d messages, want %d", len(seen), blockedAt+1)
			}
		})
	}
}

// TestThroughGoproxyOversize: a message over MaxMessage closes the connection
// when OversizeBlock is set, and otherwise reaches the server unchecked and
// is reported.
func TestThroughGoproxyOversize(t *testing.T) {
	big := strings.Repeat("a", 5000)
	for _, block := range []bool{true, false} {
		name := map[bool]string{true: "block", false: "forward"}[block]
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var mu sync.Mutex
			var reported []Oversize
			opts := Options{MaxMessage: 1024, OversizeBlock: block, OnOversize: func(_ context.Context, o Oversize) {
				mu.Lock()
				reported = append(reported, o)
				mu.Unlock()
			}}
			rec := &recorder{}
			r := newRig(t, rigConfig{opts: opts, inspect: rec.inspect})
			c := r.dial(t, ctx, websocket.CompressionDisabled)
			if err := c.Write(ctx, websocket.MessageText, []byte(big)); err != nil {
				t.Fatal(err)
			}
			if block {
				_, _, err := c.Read(ctx)
				var ce websocket.CloseError
				if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || ce.Reason != "message too large" {
					t.Fatalf("client read = %v", err)
				}
				if ev := r.next(t); !ev.final {
					t.Fatalf("server got a message: %d bytes", len(ev.data))
				}
				return
			}
			if ev := r.next(t); ev.final || string(ev.data) != big {
				t.Fatalf("server event %+v", ev.final)
			}
			// The report follows the message's last frame on the proxy's
			// goroutine; the server may see the message first.
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				mu.Lock()
				n := len(reported)
				mu.Unlock()
				if n > 0 {
					break
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(reported) != 1 || reported[0].Size != int64(len(big)) {
				t.Fatalf("reported %+v", reported)
			}
			if len(rec.seen()) != 0 {
				t.Fatal("oversize message was inspected")
			}
		})
	}
}

// rawClient does the upgrade through the proxy by hand, so tests can send
// frames no well-behaved library would.
func rawClient(t *testing.T, r *rig) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", r.proxyURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	u := strings.Replace(r.wsURL, "ws://", "http://", 1)
	req := "GET " + u + " HTTP/1.1\r\nHost: " + strings.TrimPrefix(u, "http://") +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade status %d", resp.StatusCode)
	}
	return conn, br
}

// readFrame reads one server frame from br.
func readFrame(t *testing.T, br *bufio.Reader) parsedFrame {
	t.Helper()
	hdr := make([]byte, 2, maxHeaderLen)
	if _, err := io.ReadFull(br, hdr); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	need := headerNeed(hdr)
	hdr = hdr[:need]
	if _, err := io.ReadFull(br, hdr[2:]); err != nil {
		t.Fatal(err)
	}
	h := parseHeader(hdr)
	p := make([]byte, h.length)
	if _, err := io.ReadFull(br, p); err != nil {
		t.Fatal(err)
	}
	return parsedFrame{h: h, payload: p}
}

// TestRawFramesThroughGoproxy: a ping between fragments is answered at once
// and the message still arrives whole; malformed frames close with 1002.
func TestRawFramesThroughGoproxy(t *testing.T) {
	t.Run("interleaved ping", func(t *testing.T) {
		rec := &recorder{}
		r := newRig(t, rigConfig{inspect: rec.inspect})
		conn, br := rawClient(t, r)
		if _, err := conn.Write(concat(
			cframe(false, opText, false, []byte("frag one, ")),
			cframe(true, opPing, false, []byte("are you there")),
		)); err != nil {
			t.Fatal(err)
		}
		// The server answers the ping while the message is still held.
		f := readFrame(t, br)
		if f.h.opcode != opPong || string(f.payload) != "are you there" {
			t.Fatalf("got opcode %d %q, want the pong", f.h.opcode, f.payload)
		}
		if _, err := conn.Write(cframe(true, opContinuation, false, []byte("frag two"))); err != nil {
			t.Fatal(err)
		}
		if ev := r.next(t); ev.final || string(ev.data) != "frag one, frag two" {
			t.Fatalf("server got %+v", ev)
		}
	})
	malformed := []struct {
		name string
		in   []byte
	}{
		{"unmasked", sframe(opText, []byte("hi"))},
		{"bad opcode", cframe(true, 5, false, []byte("hi"))},
		{"rsv1 without extension", cframe(true, opText, true, []byte("hi"))},
		{"oversize control", cframe(true, opPing, false, make([]byte, 200))},
	}
	for _, tc := range malformed {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			r := newRig(t, rigConfig{inspect: rec.inspect})
			conn, br := rawClient(t, r)
			if _, err := conn.Write(tc.in); err != nil {
				t.Fatal(err)
			}
			f := readFrame(t, br)
			if code, reason := f.closeCode(); code != CloseProtocolError || !strings.HasPrefix(reason, "protocol error") {
				t.Fatalf("client got opcode %d code %d %q", f.h.opcode, code, reason)
			}
			if ev := r.next(t); !ev.final || ev.code != websocket.StatusProtocolError {
				t.Fatalf("server got %+v, want a 1002 close", ev)
			}
		})
	}
}

// TestFirstFrameWithUpgrade: a frame sent in the same write as the upgrade
// request (goproxy replays it from its parser buffer) is still inspected.
func TestFirstFrameWithUpgrade(t *testing.T) {
	rec := &recorder{}
	r := newRig(t, rigConfig{inspect: rec.inspect})
	conn, err := net.Dial("tcp", r.proxyURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	u := strings.Replace(r.wsURL, "ws://", "http://", 1)
	req := "GET " + u + " HTTP/1.1\r\nHost: " + strings.TrimPrefix(u, "http://") +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	if _, err := conn.Write(append([]byte(req), cframe(true, opText, false, []byte("eager"))...)); err != nil {
		t.Fatal(err)
	}
	if ev := r.next(t); ev.final || string(ev.data) != "eager" {
		t.Fatalf("server got %+v", ev)
	}
	if seen := rec.seen(); len(seen) != 1 || !bytes.Equal(seen[0].Data, []byte("eager")) {
		t.Fatalf("inspector saw %d messages", len(seen))
	}
}
