package proxy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// trackingListener wraps accepted connections so that the server can close
// hijacked ones (tunnels, intercepted TLS, WebSockets) on shutdown and time
// them out when idle: goproxy sets no deadline on connections it hijacks.
type trackingListener struct {
	net.Listener
	s *Server
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, s: l.s, idle: l.s.opts.IdleTimeout, hdrTimeout: l.s.opts.HeaderTimeout}
	tc.touch()
	l.s.mu.Lock()
	if l.s.closed {
		l.s.mu.Unlock()
		c.Close()
		return nil, net.ErrClosed
	}
	l.s.conns[tc] = struct{}{}
	l.s.mu.Unlock()
	// A watchdog instead of read deadlines: net/http and goproxy set and
	// clear deadlines on these connections themselves, and a per-read
	// deadline would race with the server's background read.
	tc.timer = time.AfterFunc(tc.idle, tc.check)
	return tc, nil
}

type trackedConn struct {
	net.Conn
	s     *Server
	idle  time.Duration
	last  atomic.Int64 // unix nanoseconds of the last read or write
	timer *time.Timer
	once  sync.Once

	// Header deadline: phase says whether the connection is waiting for
	// request headers; hdrStart is when their first byte arrived (0: none
	// yet). hijacked: the connection left net/http (CONNECT), so the
	// watchdog cannot write an HTTP answer on it.
	hdrTimeout time.Duration
	phase      atomic.Int32
	hdrStart   atomic.Int64
	hijacked   atomic.Bool
	gen        atomic.Int64 // requests begun: a late awaitHeaders of an earlier one is ignored
	// busy counts the proxy's own work on a request whose body is in
	// (inspection, queueing for the inspection budget, waiting for
	// upstream's answer): the client is silent because it waits for us,
	// so the idle timeout must not close it without an answer.
	busy atomic.Int32
}

// Connection phases for the header deadline.
const (
	phaseHeaders int32 = iota // reading a request's headers (or the TLS handshake before them)
	phaseRequest              // a handler has the request: body deadlines apply
	phaseTunnel               // raw bytes (blind tunnel, WebSocket): idle timeout only
)

// beginRequest: the headers are in. The returned func says the request
// is answered and the next bytes are a new request's headers.
func (c *trackedConn) beginRequest() (answered func()) {
	gen := c.gen.Add(1)
	if c.phase.Load() != phaseTunnel {
		c.phase.Store(phaseRequest)
		c.hdrStart.Store(0)
	}
	return func() {
		if c.gen.Load() == gen {
			c.awaitHeaders()
		}
	}
}

// awaitHeaders: the next bytes are a new request's headers.
func (c *trackedConn) awaitHeaders() {
	c.hdrStart.Store(0)
	c.phase.CompareAndSwap(phaseRequest, phaseHeaders)
}

// expectHeaders: an intercepted CONNECT begins (also one re-dispatched
// after a peek): the TLS handshake and the first request's headers are timed.
func (c *trackedConn) expectHeaders() {
	c.hdrStart.Store(0)
	c.phase.Store(phaseHeaders)
}

// tunnel turns the header deadline off for good.
func (c *trackedConn) tunnel() { c.phase.Store(phaseTunnel) }

func (c *trackedConn) touch() { c.last.Store(time.Now().UnixNano()) }

// working marks the proxy busy on this connection's request until the
// returned func is called; idleness is counted from then. It is safe on a
// nil connection (untracked) and the func may be called more than once.
// Each step it covers has its own bound (budget wait, extraction limits,
// upstream's response header timeout).
func (c *trackedConn) working() (done func()) {
	if c == nil {
		return func() {}
	}
	c.busy.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			c.touch()
			c.busy.Add(-1)
		})
	}
}

func (c *trackedConn) check() {
	now := time.Now()
	if c.phase.Load() == phaseHeaders {
		if hs := c.hdrStart.Load(); hs != 0 && now.Sub(time.Unix(0, hs)) >= c.hdrTimeout {
			c.s.log.Warn("slow client: request headers not received in time; closed",
				"client", c.RemoteAddr().String(), "header_timeout", c.hdrTimeout)
			if !c.hijacked.Load() {
				c.Conn.SetWriteDeadline(now.Add(time.Second))
				c.Conn.Write([]byte(timeoutAnswer))
			}
			c.Close()
			return
		}
	}
	if c.busy.Load() > 0 {
		c.touch() // we owe the client an answer: not idle
	}
	idle := now.Sub(time.Unix(0, c.last.Load()))
	if idle >= c.idle {
		c.s.log.Debug("closing idle connection", "client", c.RemoteAddr().String(), "idle", idle.Round(time.Second))
		c.Close()
		return
	}
	next := c.idle - idle
	if c.phase.Load() == phaseHeaders {
		if hs := c.hdrStart.Load(); hs != 0 {
			next = min(next, c.hdrTimeout-now.Sub(time.Unix(0, hs)))
		}
	}
	c.timer.Reset(next)
}

func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.touch()
		if c.phase.Load() == phaseHeaders && c.hdrStart.CompareAndSwap(0, time.Now().UnixNano()) && c.timer != nil {
			c.timer.Reset(c.hdrTimeout)
		}
	}
	return n, err
}

func (c *trackedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		c.touch()
	}
	return n, err
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.timer != nil {
			c.timer.Stop()
		}
		c.s.mu.Lock()
		delete(c.s.conns, c)
		c.s.mu.Unlock()
	})
	return err
}

// CloseWrite and CloseRead let goproxy half-close tunnels as it does for
// plain TCP connections.
func (c *trackedConn) CloseWrite() error {
	if hc, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return errors.New("close write: not supported")
}

func (c *trackedConn) CloseRead() error {
	if hc, ok := c.Conn.(interface{ CloseRead() error }); ok {
		return hc.CloseRead()
	}
	return errors.New("close read: not supported")
}

type connKey struct{}

// clientConn returns the tracked client connection of req: the
// intercepted one, else the one net/http read it from (nil if untracked).
func (s *Server) clientConn(req *http.Request, info *connInfo) *trackedConn {
	if info != nil && info.conn != nil {
		return info.conn
	}
	return connFrom(req.Context())
}

// connFrom returns the tracked client connection a request arrived on, if any.
func connFrom(ctx context.Context) *trackedConn {
	c, _ := ctx.Value(connKey{}).(*trackedConn)
	return c
}
