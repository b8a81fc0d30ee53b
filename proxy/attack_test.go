package proxy

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/coder/websocket"

	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/rules"
)

// rawConnect sends CONNECT target through the proxy on a raw socket and
// returns the connection and the status of the answer (the answer is read
// unbuffered, so whatever follows stays in the connection).
func (h *harness) rawConnect(t testing.TB, target string) (net.Conn, *http.Response) {
	t.Helper()
	raw, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	raw.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(raw, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target)
	resp, err := http.ReadResponse(bufio.NewReaderSize(&oneByteReader{raw}, 16), &http.Request{Method: http.MethodConnect})
	if err != nil {
		t.Fatalf("CONNECT %s: %v", target, err)
	}
	return raw, resp
}

func (h *harness) upstreamCount() int { return len(h.up.requests()) + len(h.plain.requests()) }

// postRaw writes one POST on c and reads the answer.
func postRaw(t testing.TB, c net.Conn, host, path, body string) *http.Response {
	t.Helper()
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", path, host, len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// Issue 12 (1): a CONNECT to a bare address is scoped by what the client
// really talks to: SNI, plain HTTP Host, or (nameless TLS) no_sni_action.
func TestConnectToAddressRoutedByFirstBytes(t *testing.T) {
	bad, _ := hkidText(5)
	t.Run("TLS with SNI of an inspected host is intercepted", func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		raw, resp := h.rawConnect(t, "203.0.113.7:443")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("CONNECT: %d", resp.StatusCode)
		}
		c := tls.Client(raw, &tls.Config{ServerName: "oapi.dingtalk.com", RootCAs: h.ca.Pool()})
		if err := c.Handshake(); err != nil {
			t.Fatalf("handshake with dlpgate's leaf: %v", err)
		}
		if r := postRaw(t, c, "oapi.dingtalk.com", "/robot/send", bad); r.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", r.StatusCode)
		}
		evs := h.rec.events()
		if h.upstreamCount() != 0 || len(evs) != 1 || evs[0].Rule != "hkid-bulk" || evs[0].Host != "oapi.dingtalk.com" {
			t.Errorf("upstream saw %d, events %+v", h.upstreamCount(), evs)
		}
	})
	t.Run("TLS without SNI is refused and audited", func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		raw, _ := h.rawConnect(t, "203.0.113.7:443")
		c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
		if err := c.Handshake(); err == nil {
			t.Fatal("nameless TLS to an address was tunnelled")
		}
		evs := h.rec.events()
		if h.upstreamCount() != 0 || len(evs) != 1 || evs[0].Rule != "scope:no-sni" || evs[0].Host != "203.0.113.7" || evs[0].Action != "block" {
			t.Errorf("upstream saw %d, events %+v", h.upstreamCount(), evs)
		}
	})
	t.Run("TLS without SNI, no_sni_action tunnel", func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: func(o *Options) { o.NoSNIAction = "tunnel" }})
		raw, _ := h.rawConnect(t, "203.0.113.7:443")
		c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
		if err := c.Handshake(); err != nil {
			t.Fatal(err)
		}
		if c.ConnectionState().PeerCertificates[0].CheckSignatureFrom(h.upCA.Cert) != nil {
			t.Error("not the upstream's own certificate: intercepted")
		}
		if r := postRaw(t, c, "files.example.org", "/x", "hello"); r.StatusCode != 200 || len(h.up.requests()) != 1 {
			t.Errorf("tunnelled request: %d, upstream saw %d", r.StatusCode, len(h.up.requests()))
		}
	})
	t.Run("TLS without SNI, no_sni_action intercept: Host decides", func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: func(o *Options) { o.NoSNIAction = "intercept" }})
		raw, _ := h.rawConnect(t, "203.0.113.7:443")
		c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
		if err := c.Handshake(); err != nil {
			t.Fatal(err)
		}
		if c.ConnectionState().PeerCertificates[0].CheckSignatureFrom(h.ca.Cert) != nil {
			t.Error("not dlpgate's leaf")
		}
		if r := postRaw(t, c, "oapi.dingtalk.com", "/robot/send", bad); r.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", r.StatusCode)
		}
		evs := h.rec.events()
		if h.upstreamCount() != 0 || len(evs) != 1 || evs[0].Rule != "hkid-bulk" || evs[0].Host != "oapi.dingtalk.com" {
			t.Errorf("upstream saw %d, events %+v", h.upstreamCount(), evs)
		}
	})
	t.Run("allowed address: nameless TLS tunnelled", func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: func(o *Options) { o.NoSNIAllow = []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")} }})
		raw, _ := h.rawConnect(t, "203.0.113.7:443")
		c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
		if err := c.Handshake(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("plain HTTP naming an inspected host is inspected", func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		raw, _ := h.rawConnect(t, "203.0.113.7:80")
		if r := postRaw(t, raw, "oapi.dingtalk.com", "/robot/send", bad); r.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", r.StatusCode)
		}
		evs := h.rec.events()
		if h.upstreamCount() != 0 || len(evs) != 1 || evs[0].Rule != "hkid-bulk" {
			t.Errorf("upstream saw %d, events %+v", h.upstreamCount(), evs)
		}
		// The same connection cannot then switch to another host.
		if r := postRaw(t, raw, "files.example.org", "/x", bad); r.StatusCode != http.StatusMisdirectedRequest || h.upstreamCount() != 0 {
			t.Errorf("host switch: %d, upstream %d", r.StatusCode, h.upstreamCount())
		}
	})
	t.Run("plain HTTP naming an unrelated host is tunnelled", func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		raw, _ := h.rawConnect(t, "203.0.113.7:80")
		if r := postRaw(t, raw, "files.example.org", "/x", "hello"); r.StatusCode != 200 || len(h.plain.requests()) != 1 {
			t.Errorf("status %d, plain upstream saw %d", r.StatusCode, len(h.plain.requests()))
		}
		if len(h.rec.events()) != 0 {
			t.Errorf("events %+v", h.rec.events())
		}
	})
	t.Run("plain HTTP to a blocked host answered 403", func(t *testing.T) {
		h := newHarness(t, harnessConfig{spec: blockPastebin})
		raw, _ := h.rawConnect(t, "203.0.113.7:80")
		if r := postRaw(t, raw, "pastebin.example", "/x", "hello"); r.StatusCode != http.StatusForbidden {
			t.Errorf("status %d", r.StatusCode)
		}
		evs := h.rec.events()
		if h.upstreamCount() != 0 || len(evs) != 1 || evs[0].Host != "pastebin.example" {
			t.Errorf("upstream saw %d, events %+v", h.upstreamCount(), evs)
		}
	})
	t.Run("server-first protocol tunnelled after the peek timeout", func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: func(o *Options) { o.PeekTimeout = 200 * time.Millisecond }})
		raw, _ := h.rawConnect(t, "203.0.113.7:80")
		// Say nothing first; then speak HTTP once the tunnel is up.
		time.Sleep(400 * time.Millisecond)
		if r := postRaw(t, raw, "files.example.org", "/x", "hello"); r.StatusCode != 200 || len(h.plain.requests()) != 1 {
			t.Errorf("status %d, plain upstream saw %d", r.StatusCode, len(h.plain.requests()))
		}
	})
}

// Issue 12 (4): no open door. Loopback, link-local, unspecified, private
// and the proxy's own address are refused (literal or after DNS), for
// CONNECT and plain HTTP, with a 403 and an audit event.
func TestNoOpenDoor(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	_, selfPort, _ := net.SplitHostPort(h.addr)
	for _, target := range []string{
		"127.0.0.1:22", "[::1]:443", "169.254.169.254:80", "10.1.2.3:443", "192.168.1.1:443",
		"172.16.0.1:443", "100.64.0.1:443", "0.0.0.0:80", "[fe80::1]:443", "[fd00::1]:443",
		"[::ffff:127.0.0.1]:22", "[64:ff9b::7f00:1]:22", "255.255.255.255:80", "localhost:6379", "evil.loopback.test:443", "oapi.loopback.test:443", h.addr, "localhost:" + selfPort,
	} {
		before := len(h.rec.events())
		_, resp := h.rawConnect(t, target)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "403005") || !strings.Contains(string(body), "dlpgate does not connect there") {
			t.Errorf("CONNECT %s: %d %s", target, resp.StatusCode, body)
		}
		evs := h.rec.events()
		if len(evs) != before+1 || evs[len(evs)-1].Rule != "destination" || evs[len(evs)-1].Channel != "connect" {
			t.Errorf("CONNECT %s: events %+v", target, evs[before:])
		}
	}
	for _, u := range []string{
		"http://localhost/admin", "http://127.0.0.1:8500/v1/kv", "http://169.254.169.254/latest/meta-data/",
		"http://evil.loopback.test/x", "http://10.0.0.5/", "http://[::1]:9000/", "http://" + h.addr + "/metrics",
	} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		resp, err := h.client().Do(req)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.HasSuffix(u, "/metrics") {
			continue // a request to the proxy itself is served locally (PAC, CA), never proxied
		}
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "dlpgate does not connect there") {
			t.Errorf("GET %s: %d %s", u, resp.StatusCode, body)
		}
	}
	if h.upstreamCount() != 0 {
		t.Errorf("stand-ins reached %d times", h.upstreamCount())
	}
	for _, ev := range h.rec.events() {
		if ev.Rule != "destination" || ev.Action != "block" || !strings.Contains(ev.RuleReason, "destination") {
			t.Errorf("event %+v", ev)
		}
	}
}

// allow_private opens listed networks (an internal upstream, a lab); the
// proxy's own address stays refused.
func TestAllowPrivate(t *testing.T) {
	h := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.AllowPrivate = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	}})
	_, resp := h.rawConnect(t, "10.1.2.3:443")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("allowed private network refused: %d", resp.StatusCode)
	}
	if _, resp := h.rawConnect(t, "192.168.1.1:443"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("unlisted private network: %d", resp.StatusCode)
	}
	if _, resp := h.rawConnect(t, h.addr); resp.StatusCode != http.StatusForbidden {
		t.Errorf("own address with 127.0.0.1/32 allowed: %d", resp.StatusCode)
	}
}

// The direct dialler checks the address it really connects to (DNS
// rebinding), and the configured parent proxy is always allowed.
func TestDialRefusesLoopbackUnlessUpstream(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	h := newHarness(t, harnessConfig{opts: func(o *Options) { o.DialContext = nil }})
	if c, err := h.srv.dial(context.Background(), "tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("direct dial to loopback allowed")
	} else if !strings.Contains(err.Error(), "loopback") {
		t.Errorf("error %v", err)
	}
	h.srv.upstreamAddrs = []string{ln.Addr().String()}
	c, err := h.srv.dial(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("parent proxy on loopback refused: %v", err)
	}
	c.Close()
}

func blockPastebin(s *rules.Spec) {
	s.Endpoints = append([]rules.EndpointSpec{{Name: "paste", Hosts: []string{"pastebin.example"}, Action: "block"}}, s.Endpoints...)
}

// dripWriter writes b to w a few bytes at a time with a pause between
// writes, in the background; it stops at the first error.
func drip(w io.Writer, b []byte, chunk int, pause time.Duration) {
	go func() {
		for len(b) > 0 {
			n := min(chunk, len(b))
			if _, err := w.Write(b[:n]); err != nil {
				return
			}
			b = b[n:]
			time.Sleep(pause)
		}
	}()
}

func deadlineOpts(o *Options) {
	o.HeaderTimeout = 300 * time.Millisecond
	o.MinBodyRate = 2000
	o.MaxRequestTime = 3 * time.Second
}

// readUntilClosed reads c to its end (or error) and returns what came.
func readUntilClosed(c net.Conn, limit time.Duration) (string, time.Duration) {
	start := time.Now()
	c.SetReadDeadline(start.Add(limit))
	b, _ := io.ReadAll(c)
	return string(b), time.Since(start)
}

// Issue 12 (3): a client sending its headers byte by byte is answered 408
// and closed at header_timeout (plain proxy connection), or closed (inside
// an intercepted TLS connection); nothing reaches the stand-in.
func TestSlowHeaders(t *testing.T) {
	h := newHarness(t, harnessConfig{opts: deadlineOpts})
	bad, _ := hkidText(3)
	head := fmt.Sprintf("POST http://oapi.dingtalk.com/robot/send HTTP/1.1\r\nHost: oapi.dingtalk.com\r\nX-Pad: %s\r\nContent-Length: %d\r\n\r\n%s", strings.Repeat("a", 200), len(bad), bad)
	raw, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	drip(raw, []byte(head), 1, 50*time.Millisecond)
	got, took := readUntilClosed(raw, 10*time.Second)
	if !strings.HasPrefix(got, "HTTP/1.1 408 ") || took > 5*time.Second {
		t.Errorf("plain: after %s got %q", took, got)
	}

	c := h.tlsTunnel(t, "oapi.dingtalk.com")
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	drip(c, []byte(strings.Replace(head, "http://oapi.dingtalk.com", "", 1)), 1, 50*time.Millisecond)
	_, took = readUntilClosed(c, 10*time.Second)
	if took > 5*time.Second {
		t.Errorf("intercepted: connection still open after %s", took)
	}
	if h.upstreamCount() != 0 {
		t.Errorf("stand-in reached %d times", h.upstreamCount())
	}
}

// A keep-alive connection may stay quiet between requests (idle timeout,
// not header timeout), inside an intercepted tunnel too.
func TestQuietKeepAliveNotCut(t *testing.T) {
	h := newHarness(t, harnessConfig{opts: deadlineOpts})
	c := h.tlsTunnel(t, "oapi.dingtalk.com")
	br := bufio.NewReader(c)
	for i := 0; i < 2; i++ {
		fmt.Fprintf(c, "POST /robot/send HTTP/1.1\r\nHost: oapi.dingtalk.com\r\nContent-Length: 5\r\n\r\nhello")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
		time.Sleep(700 * time.Millisecond) // > 2 x header_timeout
	}
}

// A body slower than min_body_rate, one that stalls, and one that outlives
// max_request_time are answered 408 and closed; nothing is forwarded and
// what was held is freed.
func TestSlowBody(t *testing.T) {
	bad, _ := hkidText(3)
	body := []byte(bad + strings.Repeat("x", 4000))
	for _, tc := range []struct {
		name  string
		chunk int
		pause time.Duration
		opts  func(*Options)
	}{
		{"below min rate", 20, 50 * time.Millisecond, deadlineOpts}, // 400 B/s < 2000
		{"stalls", 100, 10 * time.Second, deadlineOpts},             // first chunk, then nothing
		{"outlives max_request_time", 300, 50 * time.Millisecond, func(o *Options) { // 6 kB/s: rate ok
			deadlineOpts(o)
			o.MaxRequestTime = 400 * time.Millisecond
		}},
	} {
		for _, mitm := range []bool{false, true} {
			name := tc.name + map[bool]string{false: " plain", true: " intercepted"}[mitm]
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, harnessConfig{opts: tc.opts})
				var c net.Conn
				target := "http://oapi.dingtalk.com/robot/send"
				if mitm {
					c, target = h.tlsTunnel(t, "oapi.dingtalk.com"), "/robot/send"
				} else {
					raw, err := net.Dial("tcp", h.addr)
					if err != nil {
						t.Fatal(err)
					}
					defer raw.Close()
					c = raw
				}
				fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: oapi.dingtalk.com\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n", target, len(body))
				drip(c, body, tc.chunk, tc.pause)
				start := time.Now()
				c.SetReadDeadline(start.Add(10 * time.Second))
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					t.Fatalf("no answer: %v", err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusRequestTimeout || !resp.Close {
					t.Errorf("status %d close %v, want 408 and close", resp.StatusCode, resp.Close)
				}
				if took := time.Since(start); took > 5*time.Second {
					t.Errorf("answered after %s", took)
				}
				if h.upstreamCount() != 0 {
					t.Errorf("stand-in reached")
				}
				for i := 0; i < 100 && h.srv.inMem.Used() != 0; i++ {
					time.Sleep(10 * time.Millisecond)
				}
				if n := h.srv.inMem.Used(); n != 0 {
					t.Errorf("%d bytes still held", n)
				}
			})
		}
	}
}

// Issue 12 (5) and 11 (4): the URL path, credential-named query values
// and non-standard headers are read like bodies; a place that produced a
// finding is masked in the event (A12****(3)).
func TestPlacesInspectedAndMasked(t *testing.T) {
	three, ids := hkidText(3)
	one := ids[0] // e.g. A123456(3)
	masked := one[:3] + "****" + one[7:]
	t.Run("one HKID in the path: logged, forwarded, path masked", func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		u := "https://sh-dualstack.trans.dingtalk.com/v1.0/storage/spaces/1/files/" + one + ".txt?OSSAccessKeyId=AKIDsecret1&Signature=SIGsecret2&security-token=TOKsecret3"
		req, _ := http.NewRequest(http.MethodPut, u, strings.NewReader("hello"))
		if st := h.status(t, req); st != http.StatusOK || len(h.up.requests()) != 1 {
			t.Fatalf("status %d, upstream %d", st, len(h.up.requests()))
		}
		evs := h.rec.events()
		if len(evs) != 1 || evs[0].Rule != "hkid-single" || evs[0].Path != "/v1.0/storage/spaces/1/files/"+masked+".txt" {
			t.Fatalf("events %+v", evs)
		}
		if strings.Contains(evs[0].Query, "secret") {
			t.Errorf("query %q", evs[0].Query)
		}
	})
	for _, tc := range []struct {
		name  string
		build func() *http.Request
	}{
		{"three HKIDs in the path", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPut, "https://api.dingtalk.com/v1.0/storage/"+url.PathEscape(three), strings.NewReader("hello"))
			return req
		}},
		{"HKIDs in a credential-named query value", func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, "https://oapi.dingtalk.com/sns/getuserinfo?code="+url.QueryEscape(three), nil)
			return req
		}},
		{"HKIDs in a custom header", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, robotURL, strings.NewReader(string(robotJSON("hi"))))
			req.Header.Set("X-Customer-Notes", strings.ReplaceAll(three, "\n", "; "))
			return req
		}},
		{"HKIDs in a cookie", func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, "https://im.dingtalk.com/", nil)
			req.Header.Set("Cookie", "list="+url.QueryEscape(three))
			return req
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessConfig{})
			if st := h.status(t, tc.build()); st != http.StatusForbidden {
				t.Errorf("status %d, want 403", st)
			}
			evs := h.rec.events()
			if h.upstreamCount() != 0 || len(evs) != 1 || evs[0].Rule != "hkid-bulk" {
				t.Fatalf("upstream %d, events %+v", h.upstreamCount(), evs)
			}
			line := fmt.Sprintf("%+v", evs[0])
			for _, id := range ids {
				if strings.Contains(line, id) || strings.Contains(line, id[:7]) {
					t.Errorf("raw HKID in the event: %s", line)
				}
			}
		})
	}
}

// Several Content-Encoding lines are one list, decoded in order.
func TestContentEncodingLinesCombined(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	text, _ := hkidText(3)
	body := brotliEnc(gz([]byte(text))) // gzip applied first, then br (no magic to sniff)
	req, _ := http.NewRequest(http.MethodPost, "https://oapi.dingtalk.com/media/upload", bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Add("Content-Encoding", "gzip")
	req.Header.Add("Content-Encoding", "br")
	st := h.status(t, req)
	evs := h.rec.events()
	if st != http.StatusForbidden || h.upstreamCount() != 0 || len(evs) != 1 || evs[0].Rule != "hkid-bulk" {
		t.Errorf("status %d, upstream %d, events %+v", st, h.upstreamCount(), evs)
	}
}

func brotliEnc(b []byte) []byte {
	var out bytes.Buffer
	w := brotli.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// File names in events are masked once they hold a finding.
func TestFileNameMaskedInEvent(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	text, ids := hkidText(3)
	ct, body := multipartBody(t, "media", ids[0]+" customers.csv", []byte(text))
	req, _ := http.NewRequest(http.MethodPost, "https://oapi.dingtalk.com/media/upload?type=file", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	if st := h.status(t, req); st != http.StatusForbidden {
		t.Fatalf("status %d", st)
	}
	evs := h.rec.events()
	want := ids[0][:3] + "****" + ids[0][7:] + " customers.csv"
	if len(evs) != 1 || len(evs[0].FileNames) != 1 || evs[0].FileNames[0] != want {
		t.Fatalf("events %+v, want file name %q", evs, want)
	}
}

// Issue 12 (5, 6): after every block case, no file dlpgate wrote (the
// audit log and its rotated files, the syslog/CEF copies, the operational
// log standing in for stderr) holds a raw identifier or a secret.
func TestNoRawValueInAnyLog(t *testing.T) {
	dir := t.TempDir()
	// The SIEM: one UDP listener for both sinks, appending to a file.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	siem, err := os.Create(filepath.Join(dir, "siem.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer siem.Close()
	var siemMu sync.Mutex
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			siemMu.Lock()
			siem.Write(append(buf[:n:n], '\n'))
			siemMu.Unlock()
		}
	}()
	alog, err := audit.Open(audit.Options{
		Path: filepath.Join(dir, "events.jsonl"), RotateSize: 4 << 10, Logger: slog.New(slog.DiscardHandler),
		Sinks: []config.Sink{
			{Name: "json", Network: "udp", Address: pc.LocalAddr().String(), Format: "rfc5424"},
			{Name: "cef", Network: "udp", Address: pc.LocalAddr().String(), Format: "cef"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	h := newHarness(t, harnessConfig{spec: blockPastebin, opts: func(o *Options) {
		o.Recorder = alog
		o.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.HeaderTimeout, o.MinBodyRate = 300*time.Millisecond, 2000
	}})
	three, ids := hkidText(3)
	secrets := []string{"TOKsecret0a1b2c3d", "SIGNsecret4e5f", "1700000000999", "SESSsecret77", "AKIDsecret88",
		"OSSSIGsecret99", "STSsecret1010", "HDRSIGsecret1111", "ACSTOKsecret1212", "CODEsecret1313"}
	q := "access_token=" + secrets[0] + "&sign=" + secrets[1] + "&timestamp=" + secrets[2]
	c := h.client()
	do := func(method, u string, hdr map[string]string, body []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, u, bytes.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			return // refused CONNECTs end the request with an error
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s: %d, want 403", method, logPath(req), resp.StatusCode)
		}
	}
	ct, mp := multipartBody(t, "media", ids[1]+" 陳大文 客戶.csv", []byte(three))
	do("POST", robotURL+"&"+q, map[string]string{"Content-Type": "application/json", "X-Acs-Dingtalk-Access-Token": secrets[8]}, robotJSON(three))
	do("POST", "https://oapi.dingtalk.com/robot/sendBySession?session="+secrets[3], map[string]string{"Content-Type": "application/json"}, robotJSON(three))
	do("POST", "https://oapi.dingtalk.com/media/upload?type=file&"+q, map[string]string{"Content-Type": ct}, mp)
	do("PUT", "https://sh-dualstack.trans.dingtalk.com/v1.0/storage/spaces/1/files/"+ids[0]+".csv?OSSAccessKeyId="+secrets[4]+"&Signature="+secrets[5]+"&security-token="+secrets[6],
		map[string]string{"X-Oss-Signature": secrets[7], "Content-Type": "text/csv"}, []byte(three))
	do("PUT", "https://api.dingtalk.com/v1.0/storage/"+url.PathEscape(three)+"?"+q, nil, []byte("x"))
	do("GET", "https://oapi.dingtalk.com/sns/getuserinfo?code="+url.QueryEscape(three)+"&key="+secrets[9], nil, nil)
	do("POST", robotURL, map[string]string{"X-Customer-Notes": strings.ReplaceAll(three, "\n", "; ")}, robotJSON("hi"))
	// Data in JSON member names: the origin of their findings names the
	// member, and a name next to a diagnosis must not reach a log.
	keyed, _ := json.Marshal(map[string]string{"黃志明 抑鬱症 " + ids[0]: "x", "黃志明 抑鬱症 " + ids[1]: "y", "黃志明 抑鬱症 " + ids[2]: "z"})
	do("POST", robotURL, map[string]string{"Content-Type": "application/json"}, keyed)
	// Data in archive member names: a member that cannot be read is a
	// problem naming it, one that can a finding's origin.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, body := range map[string]string{
		"黃志明 抑鬱症 " + ids[2] + ".pdf": "%PDF-1.4\n1 0 obj << /Length 999 >> stream\nBT (cut",
		"陳大文 抑鬱症 " + ids[0] + ".csv": three,
		// ASCII, and holding the ": " that separates a problem's origin
		// from its reason.
		"notes: Chan Tai Man depression.pdf": "%PDF-1.4\n1 0 obj << /Length 999 >> stream\nBT (cut",
	} {
		fw, _ := zw.Create(name)
		io.WriteString(fw, body)
	}
	zw.Close()
	ct, zmp := multipartBody(t, "media", "scan.zip", zb.Bytes())
	do("POST", "https://oapi.dingtalk.com/media/upload?type=file", map[string]string{"Content-Type": ct}, zmp)
	do("POST", "http://oapi.dingtalk.com/robot/send?"+q, map[string]string{"Content-Type": "text/plain"}, []byte(three))
	do("GET", "http://127.0.0.1:6379/"+ids[2], nil, nil)
	do("GET", "http://pastebin.example/"+ids[2]+"?"+q, nil, nil)
	// Raw-socket cases: address CONNECT routed by SNI, nameless TLS, slow body.
	raw, _ := h.rawConnect(t, "203.0.113.7:443")
	tc := tls.Client(raw, &tls.Config{ServerName: "oapi.dingtalk.com", RootCAs: h.ca.Pool()})
	if r := postRaw(t, tc, "oapi.dingtalk.com", "/v1.0/robot/"+ids[0]+"?"+q, three); r.StatusCode != 403 {
		t.Errorf("SNI-routed: %d", r.StatusCode)
	}
	raw, _ = h.rawConnect(t, "203.0.113.7:443")
	tls.Client(raw, &tls.Config{InsecureSkipVerify: true}).Handshake()
	slow := h.tlsTunnel(t, "oapi.dingtalk.com")
	fmt.Fprintf(slow, "POST /robot/send?%s HTTP/1.1\r\nHost: oapi.dingtalk.com\r\nContent-Length: %d\r\n\r\n", q, len(three)+1000)
	drip(slow, []byte(three), 10, 50*time.Millisecond)
	if resp, err := http.ReadResponse(bufio.NewReader(slow), nil); err != nil || resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("slow body: %v %v", resp, err)
	}
	if h.upstreamCount() != 0 {
		t.Errorf("stand-ins reached %d times", h.upstreamCount())
	}
	h.srv.Close()
	if err := alog.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // last datagrams
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	rotated := 0
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(filepath.Base(f), "events-") {
			rotated++
		}
		all.Write(b)
	}
	text := all.String()
	if rotated == 0 || !strings.Contains(text, "CEF:") || !strings.Contains(text, "hkid-bulk") || !strings.Contains(text, "scope:no-sni") {
		t.Fatalf("the run did not write what it should: %d rotated files among %v; cef/hkid-bulk/no-sni present: %v %v %v",
			rotated, files, strings.Contains(text, "CEF:"), strings.Contains(text, "hkid-bulk"), strings.Contains(text, "scope:no-sni"))
	}
	for _, id := range ids {
		for _, form := range []string{id, id[:7], url.QueryEscape(id), url.PathEscape(id)} {
			if strings.Contains(text, form) {
				t.Errorf("raw identifier %q (as %q) in a log", id[:3]+"…", form)
			}
		}
	}
	for _, sec := range secrets {
		if strings.Contains(text, sec) {
			t.Errorf("secret %q in a log", sec)
		}
	}
	if strings.Contains(text, "抑鬱症") {
		t.Error("a JSON member name holding a name and a diagnosis is in a log")
	}
	if strings.Contains(text, "depression") || strings.Contains(text, "Tai Man") {
		t.Error("an ASCII archive member name holding a name and a diagnosis is in a log")
	}
	if !strings.Contains(text, ids[1][:3]+"****"+ids[1][7:]+" 陳大文 客戶.csv") {
		t.Error("the masked file name is not in the events")
	}
}

// Issue 12 (6): DingTalk's session and OSS pre-signed URL parameters are
// secrets, in query strings and headers.
func TestRedactionKeys(t *testing.T) {
	got := RedactQuery("session=S1&OSSAccessKeyId=A2&Signature=S3&security-token=T4&x-oss-signature=X5&Expires=1700000000&type=file")
	want := "session=REDACTED&OSSAccessKeyId=REDACTED&Signature=REDACTED&security-token=REDACTED&x-oss-signature=REDACTED&Expires=1700000000&type=file"
	if got != want {
		t.Errorf("RedactQuery = %q\nwant %q", got, want)
	}
	for _, h := range []string{"X-Oss-Signature", "X-Oss-Security-Token", "Session", "X-Acs-Dingtalk-Access-Token", "Authorization"} {
		if !secretHeader(h) {
			t.Errorf("header %s not secret", h)
		}
	}
	if secretHeader("Content-Type") {
		t.Error("Content-Type secret")
	}
	msg := redactText(`Put "https://x.trans.dingtalk.com/f?OSSAccessKeyId=A2&Signature=S3&session=S1": EOF`)
	if strings.Contains(msg, "A2") || strings.Contains(msg, "S3") || strings.Contains(msg, "S1") {
		t.Errorf("redactText = %q", msg)
	}
}

// A CONNECT to an unrelated name whose plain HTTP names an inspected host
// is refused and audited (the TLS case: TestFrontedTunnelRefused).
func TestFrontedPlainHTTPTunnelRefused(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	raw, resp := h.rawConnect(t, "files.example.org:80")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT: %d", resp.StatusCode)
	}
	bad, _ := hkidText(3)
	fmt.Fprintf(raw, "POST /robot/send HTTP/1.1\r\nHost: oapi.dingtalk.com\r\nContent-Length: %d\r\n\r\n%s", len(bad), bad)
	if _, err := http.ReadResponse(bufio.NewReader(raw), nil); err == nil {
		t.Error("fronted plain HTTP got an answer")
	}
	evs := h.rec.events()
	if h.upstreamCount() != 0 || len(evs) != 1 || evs[0].Rule != "scope:sni" || evs[0].Host != "oapi.dingtalk.com" || !strings.Contains(evs[0].RuleReason, "carried HTTP") {
		t.Errorf("upstream %d, events %+v", h.upstreamCount(), evs)
	}
	// The same tunnel with its own Host passes.
	raw, _ = h.rawConnect(t, "files.example.org:80")
	if r := postRaw(t, raw, "files.example.org", "/x", "hello"); r.StatusCode != 200 {
		t.Errorf("ordinary plain tunnel: %d", r.StatusCode)
	}
}

// FuzzPeekHTTPHost: any first bytes of a tunnel are judged without panic,
// and a complete request with a Host is recognised.
func FuzzPeekHTTPHost(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: oapi.dingtalk.com\r\n\r\n",
		"POST /x HTTP/1.0\n\n",
		"\x16\x03\x01\x00\x05hello",
		"SSH-2.0-OpenSSH_9.6\r\n",
		"GET ",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		kind, host, done := peekHTTPHost(b)
		if kind != peekHTTP && host != "" {
			t.Fatalf("host %q for a non-HTTP stream", host)
		}
		if done && kind == peekHTTP && host != normalizeHost(host) {
			t.Fatalf("host %q not normalised", host)
		}
		clientHelloSNI(b)
	})
}

// eagerConn sends CONNECT and the first TLS bytes in one write (as eager
// clients do) and skips the CONNECT answer before TLS reads.
type eagerConn struct {
	net.Conn
	pre     []byte
	skipped bool
	status  string
}

func (c *eagerConn) Write(p []byte) (int, error) {
	if c.pre != nil {
		b := append(c.pre, p...)
		c.pre = nil
		if _, err := c.Conn.Write(b); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (c *eagerConn) Read(p []byte) (int, error) {
	if !c.skipped {
		var head []byte
		one := make([]byte, 1)
		for !bytes.HasSuffix(head, []byte("\r\n\r\n")) {
			if _, err := c.Conn.Read(one); err != nil {
				return 0, err
			}
			head = append(head, one[0])
		}
		c.skipped, c.status = true, string(head)
	}
	return c.Conn.Read(p)
}

// A ClientHello sent in the same write as the CONNECT is not lost: the
// address CONNECT is still routed by its SNI.
func TestEagerClientHelloRouted(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	raw, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(20 * time.Second))
	ec := &eagerConn{Conn: raw, pre: []byte("CONNECT 203.0.113.7:443 HTTP/1.1\r\nHost: 203.0.113.7:443\r\n\r\n")}
	c := tls.Client(ec, &tls.Config{ServerName: "oapi.dingtalk.com", RootCAs: h.ca.Pool()})
	if err := c.Handshake(); err != nil {
		t.Fatalf("handshake: %v (CONNECT answer %q)", err, ec.status)
	}
	bad, _ := hkidText(3)
	if r := postRaw(t, c, "oapi.dingtalk.com", "/robot/send", bad); r.StatusCode != http.StatusForbidden {
		t.Errorf("status %d", r.StatusCode)
	}
	if evs := h.rec.events(); h.upstreamCount() != 0 || len(evs) != 1 || evs[0].Rule != "hkid-bulk" {
		t.Errorf("upstream %d, events %+v", h.upstreamCount(), evs)
	}
}

// A WebSocket through an intercepted connection carries frames, not
// requests: a chat quieter and longer than header_timeout is not cut.
func TestWebSocketOutlivesHeaderTimeout(t *testing.T) {
	h := newHarness(t, harnessConfig{opts: deadlineOpts})
	got := make(chan string, 10)
	h.up.srv.Handler = wsEcho(got)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(h.proxyURL()), TLSClientConfig: &tls.Config{RootCAs: h.ca.Pool()}}}
	c, _, err := websocket.Dial(ctx, "wss://webalfa-cm3.dingtalk.com/long", &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	for i := 0; i < 4; i++ {
		msg := fmt.Sprintf(`{"lwp":"/r/IDLSend/send","body":[{"content":{"textContent":{"text":"line %d"}}}]}`, i)
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if _, b, err := c.Read(ctx); err != nil || string(b) != msg {
			t.Fatalf("message %d: echo %q %v", i, b, err)
		}
		time.Sleep(250 * time.Millisecond) // 1 s in all, > 3 x header_timeout
	}
}

// Everyday API and browser headers (tokens, a JWT cookie, base64 values)
// read as places produce no event and no block under the real classifiers.
func TestEverydayHeadersPass(t *testing.T) {
	h := newHarness(t, harnessConfig{classifiers: classifiers.NewDefault()})
	req, _ := http.NewRequest(http.MethodPost, "https://api.dingtalk.com/v1.0/robot/groupMessages/send?timestamp=1700000000123&sign=dGVzdHNpZ25hdHVyZQ%3D%3D", bytes.NewReader(robotJSON("lunch at 1?")))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Acs-Dingtalk-Access-Token", "5a3f0e1c9b2d4e6f8a7b6c5d4e3f2a1b")
	req.Header.Set("Cookie", "session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c; lang=zh_HK; _ga=GA1.2.1234567890.1700000000")
	req.Header.Set("Referer", "https://im.dingtalk.com/?spm=a2q1j.24441644.0.0&lwfrom=2024")
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	req.Header.Set("X-Request-Id", "0f8b6f2c-3b8e-4c1e-9d6a-2f0e4b7a9c11")
	req.Header.Set("X-Client-Data", "CIa2yQEIo7bJAQipncoBCKijygE=")
	if st := h.status(t, req); st != http.StatusOK {
		t.Errorf("status %d, events %+v", st, h.rec.events())
	}
	if evs := h.rec.events(); len(evs) != 0 {
		t.Errorf("events %+v", evs)
	}
}
