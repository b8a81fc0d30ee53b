package proxy

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// recordHello captures the bytes a TLS client sends first.
func recordHello(t *testing.T, serverName string) []byte {
	c1, c2 := net.Pipe()
	go func() {
		tls.Client(c1, &tls.Config{ServerName: serverName, InsecureSkipVerify: serverName == ""}).Handshake()
		c1.Close()
	}()
	c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64<<10)
	n, _ := c2.Read(buf)
	c2.Close()
	return buf[:n]
}

func TestClientHelloSNI(t *testing.T) {
	hello := recordHello(t, "oapi.dingtalk.com")
	for _, tc := range []struct {
		name     string
		in       []byte
		sni      string
		complete bool
	}{
		{"full hello", hello, "oapi.dingtalk.com", true},
		{"partial hello", hello[:len(hello)/2], "", false},
		{"header only", hello[:3], "", false},
		{"no sni", recordHello(t, ""), "", true},
		{"plain http", []byte("GET / HTTP/1.1\r\n"), "", true},
		{"ssh banner reply", []byte("SSH-2.0-OpenSSH_9.6\r\n"), "", true},
		{"empty", nil, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sni, complete := clientHelloSNI(tc.in)
			if sni != tc.sni || complete != tc.complete {
				t.Errorf("got %q %v, want %q %v", sni, complete, tc.sni, tc.complete)
			}
		})
	}
}

// A tunnel whose TLS names an intercepted host (CONNECT by IP, or fronted
// behind an unrelated name) is refused and audited; ordinary tunnels pass.
func TestFrontedTunnelRefused(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	pool := h.upCA.Pool()
	pool.AddCert(h.ca.Cert)
	for _, tc := range []struct {
		name, connect, sni string
		ok                 bool
	}{
		{"ordinary tunnel", "files.example.org:443", "files.example.org", true},
		{"fronted", "files.example.org:443", "oapi.dingtalk.com", false},
		// A CONNECT to an address is routed by its SNI: intercepted (see
		// TestConnectToAddressRoutedByFirstBytes).
		{"ip connect", "203.0.113.7:443", "im.dingtalk.com", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.up.requests())
			raw, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			raw.SetDeadline(time.Now().Add(10 * time.Second))
			raw.Write([]byte("CONNECT " + tc.connect + " HTTP/1.1\r\nHost: " + tc.connect + "\r\n\r\n"))
			buf := make([]byte, 1024)
			n, _ := raw.Read(buf)
			if !strings.Contains(string(buf[:n]), " 200 ") {
				t.Fatalf("CONNECT: %q", buf[:n])
			}
			conn := tls.Client(raw, &tls.Config{ServerName: tc.sni, RootCAs: pool})
			err = conn.Handshake()
			if tc.ok {
				if err != nil {
					t.Fatalf("handshake: %v", err)
				}
				req, _ := http.NewRequest("GET", "https://"+tc.sni+"/", nil)
				req.Write(conn)
				resp, err := http.ReadResponse(bufioReader(conn), req)
				if err != nil || resp.StatusCode != 200 || len(h.up.requests()) != before+1 {
					t.Errorf("tunnelled request: %v %v", resp, err)
				}
				return
			}
			if err == nil {
				t.Fatal("fronted handshake succeeded")
			}
			if len(h.up.requests()) != before {
				t.Error("upstream reached")
			}
		})
	}
	var rules []string
	for _, ev := range h.rec.events() {
		rules = append(rules, ev.Rule+"@"+ev.Host)
	}
	if strings.Join(rules, ",") != "scope:sni@oapi.dingtalk.com" {
		t.Errorf("audited %v", rules)
	}
}

func bufioReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }
