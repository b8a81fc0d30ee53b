package proxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// sniGuard is the upstream side of a blind tunnel. It reads the TLS
// ClientHello the client sends first and refuses the tunnel when the SNI
// names a host the policy intercepts or blocks: otherwise a client could
// CONNECT to an IP address or an unrelated name (domain fronting) and reach
// DingTalk uninspected. Everything else passes untouched; after the first
// message it gets out of the way (ReadFrom hands over to the TCP
// connection's splice path).
type sniGuard struct {
	net.Conn
	s    *Server
	info *connInfo
	req  *http.Request

	mu      sync.Mutex
	decided bool
	refused bool
	pending []byte
}

// maxHello bounds what is held while waiting for a complete ClientHello.
const maxHello = 64 << 10

var errTunnelRefused = errors.New("tunnel refused: TLS server name is in the inspection scope")

func (g *sniGuard) Write(p []byte) (int, error) {
	g.mu.Lock()
	if g.decided {
		g.mu.Unlock()
		return g.Conn.Write(p)
	}
	defer g.mu.Unlock()
	if g.refused {
		return 0, errTunnelRefused
	}
	g.pending = append(g.pending, p...)
	sni, complete := clientHelloSNI(g.pending)
	proto := "TLS"
	if len(g.pending) > 0 && g.pending[0] != 0x16 {
		// Plain HTTP in a tunnel (CONNECT name:80) names its host in Host.
		kind, host, done := peekHTTPHost(g.pending)
		complete, proto = done, "HTTP"
		if kind == peekHTTP {
			sni = host
		}
	}
	if !complete && len(g.pending) < maxHello {
		return len(p), nil // hold until the ClientHello (or header block) is whole
	}
	if sni != "" && g.inScope(sni, proto) {
		g.refused = true
		g.Conn.Close()
		return 0, errTunnelRefused
	}
	g.decided = true
	buf := g.pending
	g.pending = nil
	if _, err := g.Conn.Write(buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ReadFrom lets io.Copy feed the first bytes through Write, then use the
// underlying connection's own ReadFrom (splice on Linux) for the rest.
func (g *sniGuard) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	buf := make([]byte, 32<<10)
	for {
		g.mu.Lock()
		decided := g.decided
		g.mu.Unlock()
		if decided {
			break
		}
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := g.Write(buf[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if err == io.EOF {
			g.flush()
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	var n int64
	var err error
	if rf, ok := g.Conn.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(struct{ io.Writer }{g.Conn}, r)
	}
	return total + n, err
}

// flush forwards held bytes when the client ends before a full ClientHello.
func (g *sniGuard) flush() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.decided && !g.refused && len(g.pending) > 0 {
		g.decided = true
		g.Conn.Write(g.pending)
		g.pending = nil
	}
}

func (g *sniGuard) CloseWrite() error {
	g.flush()
	if hc, ok := g.Conn.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return errors.New("close write: not supported")
}

func (g *sniGuard) CloseRead() error {
	if hc, ok := g.Conn.(interface{ CloseRead() error }); ok {
		return hc.CloseRead()
	}
	return errors.New("close read: not supported")
}

// inScope reports whether sni is a host the policy intercepts or blocks,
// and audits the refused tunnel. g.mu is held.
func (g *sniGuard) inScope(sni, proto string) bool {
	sni = normalizeHost(sni)
	if sni == g.info.host {
		return false
	}
	eng := g.s.opts.Engine()
	endpoint, action := eng.Policy.Scope(sni)
	if action != scopeInspect && action != scopeBlock {
		return false
	}
	g.s.log.Warn("tunnel refused: the host its "+proto+" names is in the inspection scope (fronted CONNECT)",
		"connect", g.info.host, "sni", sni, "endpoint", endpoint, "client", g.info.client.String(), "user", g.info.user)
	info := *g.info
	info.host = sni
	ev := g.s.scopeEvent(&info, g.req, endpoint)
	ev.Rule = "scope:sni"
	ev.RuleReason = "CONNECT to " + g.info.host + " carried " + proto + " for " + sni
	g.s.record(context.Background(), ev)
	return true
}

// clientHelloSNI parses the server name from a TLS ClientHello at the start
// of b. complete is false while more bytes are needed; a stream that is not
// TLS is complete with no name.
func clientHelloSNI(b []byte) (sni string, complete bool) {
	if len(b) == 0 {
		return "", false
	}
	if b[0] != 0x16 { // not a TLS handshake record
		return "", true
	}
	if len(b) < 2 {
		return "", false
	}
	if b[1] != 0x03 {
		return "", true
	}
	var got string
	called := false
	conn := &helloConn{r: bytes.NewReader(b)}
	err := tls.Server(conn, &tls.Config{
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			got, called = h.ServerName, true
			return nil, errHelloRead
		},
	}).Handshake()
	if called {
		return got, true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "", false
	}
	return "", true // malformed: not ours to judge
}

var errHelloRead = errors.New("client hello read")

// helloConn feeds recorded bytes to a TLS server that only parses them.
type helloConn struct {
	r *bytes.Reader
	net.Conn
}

func (c *helloConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *helloConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *helloConn) Close() error                     { return nil }
func (c *helloConn) SetDeadline(time.Time) error      { return nil }
func (c *helloConn) SetReadDeadline(time.Time) error  { return nil }
func (c *helloConn) SetWriteDeadline(time.Time) error { return nil }
func (c *helloConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *helloConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
