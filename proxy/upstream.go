package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/elazarl/goproxy"
	"golang.org/x/net/http/httpproxy"
)

const dialTimeout = 30 * time.Second

// newTransport builds the upstream transport: certificates verified against
// the system roots (SSL_CERT_FILE honoured) plus the extra roots, parent
// proxy per upstreamProxyFunc.
func (s *Server) newTransport() (*http.Transport, error) {
	roots := s.opts.UpstreamRoots
	if roots == nil {
		var err error
		roots, err = x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
	} else {
		roots = roots.Clone()
	}
	for _, c := range s.opts.ExtraRootCAs {
		roots.AddCert(c)
	}
	return &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) {
			return s.proxyFor(r.URL)
		},
		DialContext:     s.dial,
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		// HTTP/1.1 upstream: goproxy speaks HTTP/1.1 to intercepted
		// clients, and large uploads stream better without h2 flow control.
		ForceAttemptHTTP2:     false,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 5 * time.Minute,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		DisableCompression:    true, // pass the server's encoding through
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        64 << 10,
	}, nil
}

func (s *Server) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if s.opts.DialContext != nil {
		return s.opts.DialContext(ctx, network, addr)
	}
	d := net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	if !slices.Contains(s.upstreamAddrs, strings.ToLower(addr)) {
		d.Control = s.dialControl // the parent proxy is always allowed
	}
	return d.DialContext(ctx, network, addr)
}

// upstreamProxyFunc returns the parent proxy for a target: the configured
// one, else HTTPS_PROXY/HTTP_PROXY/NO_PROXY as read when New ran. A parent
// that is this proxy itself (an endpoint install inherits the user's proxy
// variables) is ignored, or every request would loop.
func (s *Server) upstreamProxyFunc() func(*url.URL) (*url.URL, error) {
	var fixed func(*url.URL) (*url.URL, error)
	if s.opts.UpstreamProxy != nil {
		u := s.opts.UpstreamProxy
		fixed = func(*url.URL) (*url.URL, error) { return u, nil }
	} else {
		fixed = httpproxy.FromEnvironment().ProxyFunc()
	}
	var warnOnce sync.Once
	return func(target *url.URL) (*url.URL, error) {
		u, err := fixed(target)
		if err != nil || u == nil {
			return u, err
		}
		if s.isSelfAddr(u.Host, u.Scheme) {
			warnOnce.Do(func() {
				s.log.Warn("upstream proxy points at dlpgate itself; ignoring it", "proxy", u.Redacted())
			})
			return nil, nil
		}
		return u, nil
	}
}

// isSelfAddr reports whether hostport (default port from scheme) is one of
// this proxy's listeners.
func (s *Server) isSelfAddr(hostport, scheme string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return false
	}
	host = normalizeHost(host)
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && s.isSelfIP(ip, p)
}

func isLocalAddr(ip netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Unmap() == ip {
			return true
		}
	}
	return false
}

// isSelfRequest reports whether an absolute-form request names the proxy
// itself (a PAC or CA download through the proxy settings).
func (s *Server) isSelfRequest(r *http.Request) bool {
	if r.Method == http.MethodConnect || !r.URL.IsAbs() || r.URL.Scheme != "http" {
		return false
	}
	return s.isSelfAddr(r.URL.Host, r.URL.Scheme)
}

// roundTrip sends a request upstream. Failures become a 502 for the client
// (goproxy would drop an intercepted connection without an answer), and
// WebSocket upgrades to in-scope hosts get their messages inspected.
func (s *Server) roundTrip(req *http.Request, ctx *goproxy.ProxyCtx) (*http.Response, error) {
	info, _ := ctx.UserData.(*connInfo)
	ws := info != nil && info.action == scopeInspect && isWebSocket(req.Header)
	if ws {
		s.prepareWebSocket(req)
	}
	// The client waits for upstream's answer (bounded by the transport's
	// response header timeout), not idle: a held body (inspectRequest
	// marked it) or none. A body still streaming from the client is not
	// marked, so that a client stalling in it stays subject to the idle
	// timeout.
	working, _ := req.Context().Value(workingKey{}).(func())
	if working == nil && !hasBody(req) {
		working = s.clientConn(req, info).working()
	}
	if working != nil {
		defer working()
	}
	resp, err := s.tr.RoundTrip(req)
	if err != nil {
		u := *req.URL
		u.Path, u.RawPath = logPath(req), ""
		s.log.Warn("upstream request failed", "url", RedactURL(&u), "err", redactText(err.Error()))
		msg := "dlpgate: upstream server unreachable or its certificate is not trusted"
		return s.errorResponse(req, http.StatusBadGateway, codeUpstream, msg), nil
	}
	if ws && resp.StatusCode == http.StatusSwitchingProtocols {
		if rwc, ok := resp.Body.(io.ReadWriteCloser); ok {
			resp.Body = s.wrapWebSocket(req, resp, info, rwc)
		}
		if tc := connFrom(req.Context()); tc != nil {
			tc.touch()
		}
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		// Frames from now on, not requests: no header deadline.
		tc := connFrom(req.Context())
		if tc == nil && info != nil {
			tc = info.conn
		}
		if tc != nil {
			tc.tunnel()
		}
	}
	return resp, nil
}

func isWebSocket(h http.Header) bool {
	return headerHas(h, "Connection", "upgrade") && headerHas(h, "Upgrade", "websocket")
}

func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// connectDial opens a blind tunnel's upstream side, directly or through the
// parent proxy.
func (s *Server) connectDial(req *http.Request, network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(req.Context(), dialTimeout)
	defer cancel()
	pu, err := s.proxyFor(&url.URL{Scheme: "https", Host: addr})
	if err != nil {
		return nil, fmt.Errorf("upstream proxy for %s: %w", addr, err)
	}
	var c net.Conn
	if pu == nil {
		c, err = s.dial(ctx, network, addr)
	} else {
		c, err = s.dialViaProxy(ctx, pu, addr)
	}
	if err != nil {
		return nil, err
	}
	if info, ok := req.Context().Value(tunnelKey{}).(*connInfo); ok {
		return &sniGuard{Conn: c, s: s, info: info, req: req}, nil
	}
	return c, nil
}

// dialViaProxy opens a CONNECT tunnel to addr through the parent proxy pu.
func (s *Server) dialViaProxy(ctx context.Context, pu *url.URL, addr string) (net.Conn, error) {
	phost := pu.Host
	if pu.Port() == "" {
		if pu.Scheme == "https" {
			phost = net.JoinHostPort(pu.Hostname(), "443")
		} else {
			phost = net.JoinHostPort(pu.Hostname(), "80")
		}
	}
	c, err := s.dial(ctx, "tcp", phost)
	if err != nil {
		return nil, fmt.Errorf("dial upstream proxy %s: %w", phost, err)
	}
	if pu.Scheme == "https" {
		tc := tls.Client(c, &tls.Config{ServerName: pu.Hostname(), RootCAs: s.tr.TLSClientConfig.RootCAs, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, fmt.Errorf("upstream proxy %s: %w", phost, err)
		}
		c = tc
	}
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	connectReq := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: make(http.Header)}
	if pu.User != nil {
		pw, _ := pu.User.Password()
		connectReq.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(pu.User.Username()+":"+pw)))
	}
	if err := connectReq.Write(c); err != nil {
		c.Close()
		return nil, fmt.Errorf("upstream proxy %s: %w", phost, err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, connectReq)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("upstream proxy %s: %w", phost, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.Close()
		return nil, fmt.Errorf("upstream proxy %s refused CONNECT %s: %s", phost, addr, resp.Status)
	}
	c.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: c, r: br}, nil
	}
	return c, nil
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }
