package proxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"github.com/elazarl/goproxy"

	"github.com/dlpgate/dlpgate/rules"
)

// A CONNECT to a bare address (CONNECT 203.0.113.7:443) says nothing about
// the host the client talks to: scope by name would tunnel it blind. Such a
// CONNECT is hijacked instead, answered 200, and the client's first bytes
// decide (peekRoute):
//   - a TLS ClientHello is routed by its server name (SNI): an in-scope name
//     is intercepted as if the client had sent CONNECT name:port;
//   - a ClientHello without SNI gets Options.NoSNIAction (refuse by default,
//     audited) unless the address is in NoSNIAllow;
//   - plain HTTP is parsed and its Host header decides;
//   - anything else (or nothing within PeekTimeout: server-first protocols)
//     is tunnelled, logged.

// redispatchKey marks a CONNECT that peekRoute re-submits to goproxy.
type redispatchKey struct{}

type redispatch struct {
	intercept bool // nameless TLS intercepted (no_sni_action = intercept)
}

// peek kinds.
const (
	peekOther = iota
	peekTLS
	peekHTTP
)

func isAddressHost(h string) bool {
	_, err := netip.ParseAddr(h)
	return err == nil
}

// peekFirst reads the client's first message (up to maxHello) within the
// peek timeout: kind, the name it carries (SNI or Host) and the bytes read.
func (s *Server) peekFirst(c net.Conn) (kind int, name string, buf []byte) {
	c.SetReadDeadline(time.Now().Add(s.opts.PeekTimeout))
	defer c.SetReadDeadline(time.Time{})
	tmp := make([]byte, 4096)
	for len(buf) < maxHello {
		n, err := c.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if len(buf) > 0 {
			if buf[0] == 0x16 {
				sni, complete := clientHelloSNI(buf)
				if complete {
					if len(buf) > 1 && buf[1] == 0x03 {
						return peekTLS, sni, buf
					}
					return peekOther, "", buf
				}
			} else if k, host, done := peekHTTPHost(buf); done {
				return k, host, buf
			}
		}
		if err != nil {
			break
		}
	}
	return peekOther, "", buf
}

// peekHTTPHost recognises an HTTP/1 request at the start of b and returns
// its Host once the header block is complete.
func peekHTTPHost(b []byte) (kind int, host string, done bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		if len(b) > 16 {
			return peekOther, "", true
		}
		return peekOther, "", false
	}
	for _, c := range b[:sp] {
		if c < 'A' || c > 'Z' {
			return peekOther, "", true
		}
	}
	if !bytes.Contains(b, []byte("\r\n\r\n")) && !bytes.Contains(b, []byte("\n\n")) {
		return peekHTTP, "", false
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		return peekOther, "", true
	}
	return peekHTTP, normalizeHost(req.Host), true
}

// peekRoute is the ConnectHijack handler of a CONNECT to a bare address.
func (s *Server) peekRoute(r *http.Request, client net.Conn, ctx *goproxy.ProxyCtx) {
	info, _ := ctx.UserData.(*connInfo)
	if info == nil {
		client.Close()
		return
	}
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		client.Close()
		return
	}
	kind, name, buf := s.peekFirst(client)
	_, port, err := net.SplitHostPort(r.URL.Host)
	if err != nil {
		port = "443"
	}
	eng := s.opts.Engine()
	switch kind {
	case peekTLS:
		if name == "" {
			s.routeNoSNI(r, client, info, buf)
			return
		}
		endpoint, action := eng.Policy.Scope(name)
		switch action {
		case scopeInspect:
			s.log.Debug("CONNECT to an address routed by its TLS server name", "connect", info.host, "sni", name, "client", info.client.String())
			s.redispatch(r, client, buf, net.JoinHostPort(name, port), redispatch{})
			return
		case scopeBlock:
			s.refusePeeked(r, client, info, name, endpoint, "scope:"+endpoint, "CONNECT to "+info.host+" carried TLS for "+name+", a blocked host", nil)
			return
		}
	case peekHTTP:
		if name != "" && name != info.host {
			endpoint, action := eng.Policy.Scope(name)
			switch action {
			case scopeInspect:
				s.log.Debug("CONNECT to an address routed by its HTTP Host", "connect", info.host, "host", name, "client", info.client.String())
				s.redispatch(r, client, buf, net.JoinHostPort(name, port), redispatch{})
				return
			case scopeBlock:
				// Plain HTTP: the client can read an answer.
				resp := s.errorResponse(r, http.StatusForbidden, codeHostBlocked, "")
				s.refusePeeked(r, client, info, name, endpoint, "scope:"+endpoint, "CONNECT to "+info.host+" carried HTTP for "+name+", a blocked host", resp)
				return
			}
		}
	}
	s.tunnelPeeked(r, client, info, buf)
}

// routeNoSNI applies no_sni_action to nameless TLS sent to a bare address.
func (s *Server) routeNoSNI(r *http.Request, client net.Conn, info *connInfo, buf []byte) {
	ip, _ := netip.ParseAddr(info.host)
	for _, p := range s.opts.NoSNIAllow {
		if p.Contains(ip.Unmap()) {
			s.tunnelPeeked(r, client, info, buf)
			return
		}
	}
	switch s.opts.NoSNIAction {
	case "tunnel":
		s.log.Info("TLS without a server name to an address: tunnelled (no_sni_action = tunnel)", "connect", info.host, "client", info.client.String(), "user", info.user)
		s.tunnelPeeked(r, client, info, buf)
	case "intercept":
		s.redispatch(r, client, buf, r.URL.Host, redispatch{intercept: true})
	default:
		s.refusePeeked(r, client, info, info.host, "", "scope:no-sni",
			"CONNECT to the address "+info.host+" carried TLS without a server name (no_sni_action = refuse)", nil)
	}
}

// refusePeeked audits and closes a peeked CONNECT; resp (plain HTTP only)
// is written to the client first, naming the event.
func (s *Server) refusePeeked(r *http.Request, client net.Conn, info *connInfo, host, endpoint, rule, reason string, resp *http.Response) {
	defer client.Close()
	in := *info
	in.host = host
	rq := rules.Request{Host: host, Endpoint: endpoint, Time: time.Now()}
	dec := rules.Decision{Action: rules.Block, Rule: rule, Reason: reason}
	ev := s.newEvent(&in, r, rq, dec, "connect")
	maskUninspected(ev, r)
	s.log.Warn("tunnel refused after reading the client's first bytes", "connect", info.host, "host", host, "rule", rule,
		"client", info.client.String(), "user", info.user, "event", ev.ID)
	s.logDecision(ev, 0)
	s.record(r.Context(), ev)
	if resp != nil {
		resp = s.errorResponse(r, http.StatusForbidden, codeHostBlocked,
			fmt.Sprintf("blocked by dlpgate: host %s is blocked by policy; event %s", host, ev.ID))
		resp.Close = true
		resp.Write(client)
	}
}

// tunnelPeeked relays a peeked CONNECT to the address the client named.
func (s *Server) tunnelPeeked(r *http.Request, client net.Conn, info *connInfo, buf []byte) {
	s.log.Debug("tunnel", "host", r.URL.Host, "client", info.client.String(), "user", info.user)
	up, err := s.connectDial(r, "tcp", r.URL.Host)
	if err != nil {
		s.log.Info("tunnel dial failed", "host", r.URL.Host, "err", redactText(err.Error()))
		client.Close()
		return
	}
	if len(buf) > 0 {
		if _, err := up.Write(buf); err != nil {
			up.Close()
			client.Close()
			return
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	relay := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		if hc, ok := dst.(interface{ CloseWrite() error }); ok {
			hc.CloseWrite()
		} else {
			dst.Close()
		}
	}
	go relay(up, client)
	go relay(client, up)
	go func() {
		wg.Wait()
		up.Close()
		client.Close()
	}()
}

// redispatch hands the connection back to goproxy as a CONNECT to target,
// with the peeked bytes replayed and goproxy's "200" swallowed (the client
// already has one).
func (s *Server) redispatch(r *http.Request, client net.Conn, buf []byte, target string, mode redispatch) {
	req := &http.Request{
		Method: http.MethodConnect, URL: &url.URL{Host: target}, Host: target,
		Header: r.Header.Clone(), RemoteAddr: r.RemoteAddr,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
	req = req.WithContext(context.WithValue(r.Context(), redispatchKey{}, mode))
	w := &hijackWriter{conn: &replayConn{Conn: client, prefix: buf, dropWrite: true}, header: make(http.Header)}
	s.gp.ServeHTTP(w, req)
}

// replayConn replays prefix before reading the connection, and drops the
// first write (goproxy's CONNECT answer) when dropWrite is set.
type replayConn struct {
	net.Conn
	mu        sync.Mutex
	prefix    []byte
	dropWrite bool
}

func (c *replayConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

func (c *replayConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.dropWrite {
		c.dropWrite = false
		c.mu.Unlock()
		return len(p), nil
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *replayConn) CloseWrite() error {
	if hc, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return errors.New("close write: not supported")
}

func (c *replayConn) CloseRead() error {
	if hc, ok := c.Conn.(interface{ CloseRead() error }); ok {
		return hc.CloseRead()
	}
	return errors.New("close read: not supported")
}

// replayHijacker hands goproxy a CONNECT's connection with the bytes the
// client sent right behind the CONNECT (an eager ClientHello) replayed by
// the connection itself: goproxy's ConnectHijack path (the peek) would
// otherwise never see them.
type replayHijacker struct {
	http.ResponseWriter
	hj http.Hijacker
}

func (w replayHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := w.hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	if n := rw.Reader.Buffered(); n > 0 {
		b, _ := rw.Reader.Peek(n)
		c = &replayConn{Conn: c, prefix: append([]byte(nil), b...)}
	}
	return c, bufio.NewReadWriter(bufio.NewReader(eofReader{}), rw.Writer), nil
}

// hijackWriter is the http.ResponseWriter of a re-dispatched CONNECT: it
// only hands over the connection.
type hijackWriter struct {
	conn   net.Conn
	header http.Header
	done   bool
}

func (w *hijackWriter) Header() http.Header         { return w.header }
func (w *hijackWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *hijackWriter) WriteHeader(int)             {}
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.done {
		return nil, nil, errors.New("already hijacked")
	}
	w.done = true
	return w.conn, bufio.NewReadWriter(bufio.NewReader(eofReader{}), bufio.NewWriter(w.conn)), nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
