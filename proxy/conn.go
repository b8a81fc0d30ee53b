package proxy

import (
	"context"
	"errors"
	"net"
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
	tc := &trackedConn{Conn: c, s: l.s, idle: l.s.opts.IdleTimeout}
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
}

func (c *trackedConn) touch() { c.last.Store(time.Now().UnixNano()) }

func (c *trackedConn) check() {
	idle := time.Since(time.Unix(0, c.last.Load()))
	if idle >= c.idle {
		c.s.log.Debug("closing idle connection", "client", c.RemoteAddr().String(), "idle", idle.Round(time.Second))
		c.Close()
		return
	}
	c.timer.Reset(c.idle - idle)
}

func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.touch()
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

// connFrom returns the tracked client connection a request arrived on, if any.
func connFrom(ctx context.Context) *trackedConn {
	c, _ := ctx.Value(connKey{}).(*trackedConn)
	return c
}
