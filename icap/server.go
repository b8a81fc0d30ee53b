// Package icap is dlpgate's ICAP server (RFC 3507): egress proxies that
// decrypt (Squid ssl-bump, ProxySG, F5) hand each outbound request to it
// with REQMOD, and it runs the same inspect pipeline as the forward proxy —
// the policy's scope catalogue deciding what is inspected — then answers
// 204 (or echoes the request) to let it go, or an HTTP 403 carrying
// dlpgate's block answer. It is a sibling of proxy, written on
// bufio/net/textproto, and shares the answers' shaping through package answer.
package icap

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dlpgate/dlpgate/answer"
	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/spill"
	"github.com/dlpgate/dlpgate/metrics"
)

// Recorder receives audit events; audit.Logger implements it.
type Recorder interface {
	Record(ctx context.Context, e *audit.Event) error
}

// Defaults for zero Options fields.
const (
	DefaultService        = "/reqmod"
	DefaultMaxConnections = 256
	DefaultOptionsTTL     = time.Hour
	DefaultMemoryBudget   = 8 << 20
	DefaultIdleTimeout    = 2 * time.Minute
)

// Options configure a Server. Engine is required.
type Options struct {
	// Engine returns the current inspection engine (called once per request).
	Engine func() *inspect.Engine
	// Recorder receives log and block events; nil records nothing.
	Recorder Recorder
	// AllowClients lists the ICAP clients (the proxies) allowed; empty
	// allows loopback only. The attribution headers are trusted from them.
	AllowClients []netip.Prefix
	// Service is the ICAP service path (default /reqmod).
	Service string
	// Preview is the preview size advertised in OPTIONS (default 0: the
	// encapsulated headers alone decide what is out of scope).
	Preview int
	// MaxConnections is advertised and enforced (default 256).
	MaxConnections int
	// OptionsTTL is advertised as Options-TTL (default 1 hour).
	OptionsTTL time.Duration
	// MemoryBudget is how much of one body is held in memory before it
	// spills to a private temp file (default 8 MiB).
	MemoryBudget int64
	// MemoryPool is where held bodies reserve their memory; share the
	// forward proxy's so both front ends stay within one total (default:
	// a pool of the ICAP server's own, 16 x MemoryBudget).
	MemoryPool *spill.Pool
	// TempDir holds the private spill directory (default os.TempDir()).
	TempDir string
	// IdleTimeout closes ICAP connections idle (or stalled) this long.
	IdleTimeout time.Duration
	// Instance names this server in audit events (observer.name).
	Instance string
	// Contact is shown on block pages.
	Contact string
	// Version goes into the Server header.
	Version string
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
	// Metrics counts decisions; nil counts nothing.
	Metrics metrics.Observer
}

// Server is a running ICAP server.
type Server struct {
	opts     Options
	log      *slog.Logger
	met      metrics.Observer
	spillDir string
	pool     *spill.Pool
	sem      chan struct{}

	// noOverlap inspects every body only once it is held whole (tests
	// and benchmarks compare); testHookOverlap, when set, hears for each
	// inspected body whether its overlapped reading was used ("on"),
	// why not ("fell back: ..."), or that none was begun ("off").
	noOverlap       bool
	testHookOverlap func(string)

	mu     sync.Mutex
	lns    []net.Listener
	conns  map[net.Conn]*connState
	closed bool
	wg     sync.WaitGroup
}

// New builds a Server with a private 0700 spill directory that Close removes.
func New(opts Options) (*Server, error) {
	if opts.Engine == nil {
		return nil, errors.New("icap: Options.Engine is required")
	}
	if opts.Service == "" {
		opts.Service = DefaultService
	}
	if !strings.HasPrefix(opts.Service, "/") {
		opts.Service = "/" + opts.Service
	}
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = DefaultMaxConnections
	}
	if opts.OptionsTTL <= 0 {
		opts.OptionsTTL = DefaultOptionsTTL
	}
	if opts.MemoryBudget <= 0 {
		opts.MemoryBudget = DefaultMemoryBudget
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.Preview < 0 {
		opts.Preview = 0
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Contact == "" {
		opts.Contact = answer.DefaultContact
	}
	spillDir, err := spill.MkdirPrivate(opts.TempDir, "dlpgate-icap-")
	if err != nil {
		return nil, fmt.Errorf("icap: %w", err)
	}
	pool := opts.MemoryPool
	if pool == nil {
		pool = spill.NewPool(16 * opts.MemoryBudget)
	}
	return &Server{
		opts: opts, log: opts.Logger.With("component", "icap"), met: metrics.Or(opts.Metrics),
		spillDir: spillDir, pool: pool, sem: make(chan struct{}, opts.MaxConnections),
		conns: make(map[net.Conn]*connState),
	}, nil
}

// CheckListen refuses a non-loopback ICAP listener without allowed clients:
// attribution headers would be taken from anyone.
func CheckListen(addr string, allow []netip.Prefix) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("icap listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return nil
	}
	if len(allow) == 0 {
		return fmt.Errorf("icap listen address %s is not loopback: set [icap] allow_clients to the proxies' addresses", addr)
	}
	return nil
}

// Serve accepts ICAP connections on l until Close.
func (s *Server) Serve(l net.Listener) error {
	if err := CheckListen(l.Addr().String(), s.opts.AllowClients); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return net.ErrClosed
	}
	s.lns = append(s.lns, l)
	s.mu.Unlock()
	for {
		c, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return net.ErrClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			return err
		}
		st, ok := s.track(c)
		if !ok {
			c.Close()
			return net.ErrClosed
		}
		go s.serveConn(c, st)
	}
}

// connState says whether a connection is between requests (idle), where
// Shutdown may close it without cutting a request short.
type connState struct{ busy atomic.Bool }

func (s *Server) track(c net.Conn) (*connState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false
	}
	st := &connState{}
	s.conns[c] = st
	s.wg.Add(1)
	return st, true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// Addr is the first listener's address ("" before Serve).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lns) == 0 {
		return ""
	}
	return s.lns[0].Addr().String()
}

// Close stops listening and closes every connection.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	lns := s.lns
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, l := range lns {
		l.Close()
	}
	for _, c := range conns {
		c.Close()
	}
	s.wg.Wait()
	return os.RemoveAll(s.spillDir)
}

// Shutdown stops listening, closes the idle keep-alive connections, waits
// (up to ctx) for the others to finish the request they are on, then
// closes everything.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	lns := s.lns
	var idle []net.Conn
	for c, st := range s.conns {
		if !st.busy.Load() {
			idle = append(idle, c)
		}
	}
	s.mu.Unlock()
	for _, l := range lns {
		l.Close()
	}
	for _, c := range idle {
		c.Close()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return s.Close()
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
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

// deadlineConn pushes the read deadline forward on every read, so a body
// may take as long as it needs while a stalled peer is cut off.
type deadlineConn struct {
	net.Conn
	idle time.Duration
}

func (d deadlineConn) Read(p []byte) (int, error) {
	d.Conn.SetReadDeadline(time.Now().Add(d.idle))
	return d.Conn.Read(p)
}

func (d deadlineConn) Write(p []byte) (int, error) {
	d.Conn.SetWriteDeadline(time.Now().Add(d.idle))
	return d.Conn.Write(p)
}

func (s *Server) serveConn(c net.Conn, st *connState) {
	defer s.untrack(c)
	defer c.Close()
	peer := netip.Addr{}
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		peer = ap.Addr().Unmap()
	}
	dc := deadlineConn{Conn: c, idle: s.opts.IdleTimeout}
	bw := bufio.NewWriterSize(dc, 32<<10)
	if !s.clientAllowed(peer) {
		s.log.Warn("ICAP client not allowed", "client", peer.String())
		s.writeStatus(bw, 403, true)
		return
	}
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	default:
		s.log.Warn("ICAP connection refused: Max-Connections reached", "max", s.opts.MaxConnections, "client", peer.String())
		s.writeStatus(bw, 503, true)
		return
	}
	br := bufio.NewReaderSize(dc, 32<<10)
	for {
		st.busy.Store(false)
		if s.isClosed() {
			return
		}
		if _, err := br.Peek(1); err != nil {
			return // closed or idle too long between requests
		}
		st.busy.Store(true)
		keep := s.serveOne(br, bw, peer)
		if err := bw.Flush(); err != nil || !keep {
			return
		}
	}
}

// serveOne reads and answers one ICAP request; false closes the connection.
func (s *Server) serveOne(br *bufio.Reader, bw *bufio.Writer, peer netip.Addr) (keep bool) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic while serving an ICAP request; answered 500", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			s.writeStatus(bw, 500, true)
			keep = false
		}
	}()
	req, err := readRequest(br)
	if err != nil {
		var ne net.Error
		switch se, ok := isStatus(err); {
		case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		case ok:
			s.log.Info("bad ICAP request", "client", peer.String(), "status", se.code, "err", se.msg)
			s.writeStatus(bw, se.code, true)
		case errors.As(err, &ne) && ne.Timeout():
			// Idle between requests: just close.
		default:
			s.log.Debug("ICAP read failed", "client", peer.String(), "err", err.Error())
		}
		return false
	}
	if req.URI.Path != s.opts.Service {
		s.writeStatus(bw, 404, true) // its body (if any) was not read: out of sync
		return false
	}
	switch req.Method {
	case "OPTIONS":
		s.writeOptions(bw)
		return !req.wantsClose()
	case "REQMOD":
		keep, err := s.reqmod(br, bw, req, peer)
		if err != nil {
			if se, ok := isStatus(err); ok {
				s.log.Info("bad ICAP request", "client", peer.String(), "status", se.code, "err", se.msg)
				s.writeStatus(bw, se.code, true)
			} else {
				s.log.Info("ICAP request failed", "client", peer.String(), "err", err.Error())
			}
			return false
		}
		return keep && !req.wantsClose()
	case "RESPMOD":
		s.writeStatus(bw, 405, true)
		return false
	default:
		s.writeStatus(bw, 501, true)
		return false
	}
}

func (s *Server) istag() string {
	v := "none"
	if e := s.opts.Engine(); e != nil && e.Policy != nil {
		v = e.Policy.Version()
	}
	return `"dlpgate-` + v + `"`
}

func (s *Server) writeHead(bw *bufio.Writer, code int, closing bool) {
	fmt.Fprintf(bw, "ICAP/1.0 %d %s\r\n", code, icapStatusText(code))
	bw.WriteString("ISTag: " + s.istag() + "\r\n")
	bw.WriteString("Date: " + time.Now().UTC().Format(http.TimeFormat) + "\r\n")
	bw.WriteString("Server: dlpgate/" + s.opts.Version + "\r\n")
	if closing {
		bw.WriteString("Connection: close\r\n")
	}
}

// writeStatus answers with a bare status (errors, 204).
func (s *Server) writeStatus(bw *bufio.Writer, code int, closing bool) {
	s.writeHead(bw, code, closing)
	bw.WriteString("Encapsulated: null-body=0\r\n\r\n")
	bw.Flush()
}

func (s *Server) writeOptions(bw *bufio.Writer) {
	s.writeHead(bw, 200, false)
	bw.WriteString("Methods: REQMOD\r\n")
	bw.WriteString("Service: dlpgate DLP " + s.opts.Version + "\r\n")
	bw.WriteString("Allow: 204\r\n")
	bw.WriteString("Preview: " + strconv.Itoa(s.opts.Preview) + "\r\n")
	bw.WriteString("Transfer-Preview: *\r\n")
	bw.WriteString("Max-Connections: " + strconv.Itoa(s.opts.MaxConnections) + "\r\n")
	bw.WriteString("Options-TTL: " + strconv.Itoa(int(s.opts.OptionsTTL/time.Second)) + "\r\n")
	bw.WriteString("X-Include: X-Client-IP, X-Authenticated-User, X-Authenticated-Groups\r\n")
	bw.WriteString("Encapsulated: null-body=0\r\n\r\n")
}

// writeResponse answers 200 with an encapsulated HTTP response (a block).
func (s *Server) writeResponse(bw *bufio.Writer, resp *http.Response) error {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	var hdr strings.Builder
	fmt.Fprintf(&hdr, "HTTP/1.1 %03d %s\r\n", resp.StatusCode, http.StatusText(resp.StatusCode))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.Header.Set("Connection", "close")
	resp.Header.Write(&hdr)
	hdr.WriteString("\r\n")
	s.writeHead(bw, 200, false)
	if len(body) == 0 {
		fmt.Fprintf(bw, "Encapsulated: res-hdr=0, null-body=%d\r\n\r\n", hdr.Len())
		bw.WriteString(hdr.String())
		return nil
	}
	fmt.Fprintf(bw, "Encapsulated: res-hdr=0, res-body=%d\r\n\r\n", hdr.Len())
	bw.WriteString(hdr.String())
	fmt.Fprintf(bw, "%x\r\n", len(body))
	bw.Write(body)
	bw.WriteString("\r\n0\r\n\r\n")
	return nil
}

// writeEcho answers 200 with the request as it came (client without
// Allow: 204): its header bytes verbatim and the held body re-chunked.
func (s *Server) writeEcho(bw *bufio.Writer, req *request, body *spool) error {
	s.writeHead(bw, 200, false)
	if !req.HasBody {
		fmt.Fprintf(bw, "Encapsulated: req-hdr=0, null-body=%d\r\n\r\n", len(req.HTTPHeader))
		bw.Write(req.HTTPHeader)
		return nil
	}
	fmt.Fprintf(bw, "Encapsulated: req-hdr=0, req-body=%d\r\n\r\n", len(req.HTTPHeader))
	bw.Write(req.HTTPHeader)
	buf := make([]byte, 32<<10)
	var off int64
	for off < body.size {
		n, err := body.ReadAt(buf, off)
		if n > 0 {
			fmt.Fprintf(bw, "%x\r\n", n)
			bw.Write(buf[:n])
			bw.WriteString("\r\n")
			off += int64(n)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("echo body: %w", err)
		}
		if n == 0 && err != nil {
			break
		}
	}
	bw.WriteString("0\r\n\r\n")
	return nil
}
