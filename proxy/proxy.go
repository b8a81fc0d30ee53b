// Package proxy is dlpgate's forward proxy: goproxy wired so that DingTalk
// hosts are intercepted with dlpgate's own CA and every outbound body is held,
// inspected and only then forwarded (or blocked), while every other host is
// tunnelled byte for byte. It also serves /proxy.pac and /ca.pem to direct
// requests.
package proxy

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/elazarl/goproxy"

	"github.com/dlpgate/dlpgate/answer"
	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/certs"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/spill"
	"github.com/dlpgate/dlpgate/metrics"
)

// Recorder receives audit events; audit.Logger implements it. Record must
// return only once the event is durable enough to answer the client.
type Recorder interface {
	Record(ctx context.Context, e *audit.Event) error
}

// IdentifyFunc names the user behind a proxy request from its
// Proxy-Authorization header value ("" when absent) and client address. An
// error means the client must authenticate: the proxy answers 407.
type IdentifyFunc func(proxyAuth string, client netip.Addr) (user string, groups []string, err error)

// Defaults for zero Options fields.
const (
	DefaultMemoryBudget = 8 << 20
	DefaultIdleTimeout  = 2 * time.Minute

	DefaultHeaderTimeout  = 20 * time.Second
	DefaultMinBodyRate    = 4 << 10
	DefaultMaxRequestTime = 30 * time.Minute
	DefaultPeekTimeout    = 5 * time.Second
)

// Options configure a Server. CA and Engine are required.
type Options struct {
	// CA signs the leaves presented to intercepted clients.
	CA *certs.CA
	// Engine returns the current inspection engine; it is called once per
	// request (and WebSocket), so a hot reload swaps it for new requests
	// while requests in flight keep the engine they started with. Its
	// policy also gives the scope of hosts, max_inspect_bytes, fail_mode
	// and the oversize action.
	Engine func() *inspect.Engine
	// PACHosts returns the host globs /proxy.pac routes through the proxy
	// (the inspect and block endpoints); nil routes everything.
	PACHosts func() []string
	// MemoryBudget is how much of one body is held in memory before it is
	// spilled to a private temp file (default 8 MiB).
	MemoryBudget int64
	// MemoryTotal bounds the memory held by all bodies together; a body
	// that does not fit is spilled even if it is under MemoryBudget
	// (default 16 x MemoryBudget).
	MemoryTotal int64
	// MemoryPool, when set, is where held bodies reserve their memory
	// instead of a pool of MemoryTotal of the proxy's own: share one with
	// the ICAP front end so both stay within one total.
	MemoryPool *spill.Pool
	// TempDir is where the private spill directory is created (default os.TempDir()).
	TempDir string
	// Recorder receives log and block events; nil records nothing.
	Recorder Recorder
	// Identify authenticates and names users; nil: anonymous, no 407.
	Identify IdentifyFunc
	// AllowClients lists the client networks allowed to use the proxy; empty
	// allows loopback clients only.
	AllowClients []netip.Prefix
	// DialContext dials upstream (servers and upstream proxies); nil uses
	// net.Dialer. Tests point DingTalk names at local stand-ins with it.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// UpstreamRoots replaces the system roots for verifying upstream servers
	// (nil: system roots, which honour SSL_CERT_FILE/SSL_CERT_DIR).
	UpstreamRoots *x509.CertPool
	// ExtraRootCAs are trusted for upstream servers in addition to UpstreamRoots.
	ExtraRootCAs []*x509.Certificate
	// UpstreamProxy chains to a parent proxy; nil uses HTTPS_PROXY,
	// HTTP_PROXY and NO_PROXY from the environment. A parent that is this
	// proxy itself is ignored.
	UpstreamProxy *url.URL
	// IdleTimeout closes tunnels and intercepted connections idle this long
	// (default 2 minutes). A connection whose request body is in and not
	// yet answered (inspection, its queue, upstream's response headers) is
	// not idle: the client waits for the proxy.
	IdleTimeout time.Duration
	// HeaderTimeout bounds a request's headers from their first byte
	// (default 20 s); MinBodyRate (bytes/s, default 4 KiB/s; negative:
	// none) is the slowest average body accepted after that grace;
	// MaxRequestTime bounds the receipt of one request (default 30 min;
	// negative: none). A slow client is answered 408 and closed.
	HeaderTimeout  time.Duration
	MinBodyRate    int64
	MaxRequestTime time.Duration
	// AllowPrivate lists destination networks allowed although private (or
	// loopback, link-local) addresses are refused by default. The upstream
	// proxy is always allowed; dlpgate's own listeners never.
	AllowPrivate []netip.Prefix
	// LookupNetIP resolves destination names for the address check (nil:
	// net.DefaultResolver). Tests map names with it.
	LookupNetIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// NoSNIAction is what a CONNECT to a bare address carrying TLS without a
	// server name gets: "refuse" (default), "intercept" or "tunnel";
	// NoSNIAllow lists addresses whose nameless TLS is tunnelled anyway.
	NoSNIAction string
	NoSNIAllow  []netip.Prefix
	// PeekTimeout is how long a CONNECT to a bare address waits for the
	// client's first bytes before tunnelling (default 5 s: server-first
	// protocols such as SSH or SMTP send nothing until the server speaks).
	PeekTimeout time.Duration
	// Instance names this proxy in audit events (observer.name).
	Instance string
	// Contact is shown on block pages ("whom to contact").
	Contact string
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
	// PACProxies are the proxies (host:port) /proxy.pac names in failover
	// order; empty: the address the client reached.
	PACProxies []string
	// Metrics counts decisions, inspected bytes and held bodies; nil counts nothing.
	Metrics metrics.Observer
}

// Server is a running dlpgate proxy. It is an http.Handler; Serve runs it
// on a listener with connection tracking and idle timeouts.
type Server struct {
	opts     Options
	log      *slog.Logger
	issuer   *certs.Issuer
	gp       *goproxy.ProxyHttpServer
	tr       *http.Transport
	spillDir string
	proxyFor func(*url.URL) (*url.URL, error)
	// upstreamAddrs are the parent proxies' host:port, always dialled.
	upstreamAddrs []string
	inMem         *spill.Pool // bytes of bodies held in memory
	spillBuf      sync.Pool   // *[]byte of spillBuffer bytes (hold.go)

	mu        sync.Mutex
	listeners []net.Listener
	selfAddrs []netip.AddrPort
	srv       *http.Server
	conns     map[*trackedConn]struct{}
	closed    bool

	// testHookSpill is called with the spill file's name while it exists.
	testHookSpill func(path string)
	// noOverlap inspects every body only once it is held whole (tests
	// compare it with the overlapped reading).
	noOverlap bool
	// testHookOverlap is told "begun" when an overlapped inspection
	// starts and then "on", "off" or "fell back: why" for each held body.
	testHookOverlap func(state string)
}

// New builds a Server. It creates a private 0700 spill directory that Close removes.
func New(opts Options) (*Server, error) {
	if opts.CA == nil {
		return nil, errors.New("proxy: Options.CA is required")
	}
	if opts.Engine == nil {
		return nil, errors.New("proxy: Options.Engine is required")
	}
	if opts.MemoryBudget <= 0 {
		opts.MemoryBudget = DefaultMemoryBudget
	}
	if opts.MemoryTotal <= 0 {
		opts.MemoryTotal = 16 * opts.MemoryBudget
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.HeaderTimeout <= 0 {
		opts.HeaderTimeout = DefaultHeaderTimeout
	}
	if opts.MinBodyRate == 0 {
		opts.MinBodyRate = DefaultMinBodyRate
	}
	if opts.MaxRequestTime == 0 {
		opts.MaxRequestTime = DefaultMaxRequestTime
	}
	if opts.PeekTimeout <= 0 {
		opts.PeekTimeout = DefaultPeekTimeout
	}
	switch opts.NoSNIAction {
	case "":
		opts.NoSNIAction = "refuse"
	case "refuse", "intercept", "tunnel":
	default:
		return nil, fmt.Errorf("proxy: bad NoSNIAction %q (want refuse, intercept or tunnel)", opts.NoSNIAction)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Contact == "" {
		opts.Contact = answer.DefaultContact
	}
	spillDir, err := spill.MkdirPrivate(opts.TempDir, "dlpgate-spill-")
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	s := &Server{
		opts:     opts,
		log:      opts.Logger,
		issuer:   certs.NewIssuer(opts.CA, 0),
		spillDir: spillDir,
		conns:    make(map[*trackedConn]struct{}),
		inMem:    opts.MemoryPool,
	}
	if s.inMem == nil {
		s.inMem = spill.NewPool(opts.MemoryTotal)
	}
	s.proxyFor = s.upstreamProxyFunc()
	s.upstreamAddrs = upstreamProxyAddrs(opts.UpstreamProxy)
	s.tr, err = s.newTransport()
	if err != nil {
		os.Remove(spillDir)
		return nil, err
	}
	s.gp = s.newGoproxy()
	return s, nil
}

// Issuer exposes the leaf issuer (for metrics and tests).
func (s *Server) Issuer() *certs.Issuer { return s.issuer }

// Serve accepts connections on l until Close or Shutdown. It refuses a
// non-loopback listener when no client networks are allowed.
func (s *Server) Serve(l net.Listener) error {
	if err := CheckListen(l.Addr().String(), s.opts.AllowClients); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return http.ErrServerClosed
	}
	if ap, err := netip.ParseAddrPort(l.Addr().String()); err == nil {
		s.selfAddrs = append(s.selfAddrs, ap)
	}
	s.listeners = append(s.listeners, l)
	if s.srv == nil {
		s.srv = &http.Server{
			Handler: s,
			// The connection watchdog answers 408 at HeaderTimeout; this
			// is net/http's own backstop.
			ReadHeaderTimeout: s.opts.HeaderTimeout + 5*time.Second,
			IdleTimeout:       s.opts.IdleTimeout,
			ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
			ConnContext: func(ctx context.Context, c net.Conn) context.Context {
				return context.WithValue(ctx, connKey{}, c)
			},
		}
	}
	srv := s.srv
	s.mu.Unlock()
	return srv.Serve(&trackingListener{Listener: l, s: s})
}

// Addr returns the first listener's address ("" before Serve).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.listeners) == 0 {
		return ""
	}
	return s.listeners[0].Addr().String()
}

// Close stops listening and closes every connection, tunnels included.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	srv := s.srv
	s.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.Close()
	}
	s.closeConns()
	s.tr.CloseIdleConnections()
	os.RemoveAll(s.spillDir)
	return err
}

// Shutdown stops listening, waits for requests in progress to finish (up to
// ctx), then closes the hijacked tunnels and intercepted connections.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	srv := s.srv
	s.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.Shutdown(ctx)
	}
	s.closeConns()
	s.tr.CloseIdleConnections()
	os.RemoveAll(s.spillDir)
	return err
}

func (s *Server) closeConns() {
	s.mu.Lock()
	conns := make([]*trackedConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// CheckListen refuses a listen address that is not loopback when no client
// networks are allowed: dlpgate must never become an open proxy.
func CheckListen(addr string, allow []netip.Prefix) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err == nil && ip.IsLoopback() {
		return nil
	}
	if len(allow) == 0 {
		return fmt.Errorf("listen address %s is not loopback: set [proxy] allow_clients to the client networks allowed to use the proxy (e.g. [\"10.0.0.0/8\"]), or listen on 127.0.0.1", addr)
	}
	return nil
}

// ParsePrefixes reads CIDRs (or single addresses) for AllowClients.
func ParsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, err2 := netip.ParseAddr(s)
			if err2 != nil {
				return nil, fmt.Errorf("allow_clients %q: %w", s, err)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (s *Server) clientAllowed(a netip.Addr) bool {
	a = a.Unmap()
	if len(s.opts.AllowClients) == 0 {
		return a.IsLoopback()
	}
	for _, p := range s.opts.AllowClients {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
