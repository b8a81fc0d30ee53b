// Package wsframe inspects the client-to-server half of a WebSocket
// connection that the proxy relays after a "101 Switching Protocols" answer.
//
// goproxy relays an upgraded connection through the upstream response body
// (an io.ReadWriteCloser since Go 1.12): it copies client bytes in with Write
// and server bytes out with Read. Wrap puts itself in that place. On the
// Write side it parses RFC 6455 frames from arbitrary chunks, reassembles
// fragmented messages, unmasks and (with permessage-deflate) inflates them,
// and holds every data message until the inspector has seen it whole: not a
// byte of a data message reaches the server before the verdict. Allowed
// messages go upstream as their original frame bytes, so the server's view of
// masking and compression state is untouched. A blocked message is dropped;
// the server gets a close frame (1008) and the client a close frame with the
// reason, injected into the Read stream between two server frames, and both
// directions end.
//
// The server-to-client direction is passed through unchanged; only its frame
// boundaries are tracked.
package wsframe

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Message is one complete client-to-server WebSocket data message,
// reassembled from its fragments, unmasked and decompressed.
type Message struct {
	// Text is true for text messages (opcode 1), false for binary (opcode 2).
	Text bool
	// Data is the message payload. It is only valid during the InspectFunc
	// call: copy it to keep it.
	Data []byte
}

// Verdict is the inspector's answer for one message.
type Verdict struct {
	Block bool
	// Reason goes into the close frame sent to the client (at most 123
	// bytes are kept). Keep it short and free of sensitive content, e.g.
	// "blocked by dlpgate: rule hkid-bulk, event 0123abcd".
	Reason string
}

// InspectFunc judges one message. It runs on the client-to-server copy
// goroutine; the client's next message waits until it returns, so it must
// honour ctx. A panic in it blocks the message (fail closed).
type InspectFunc func(ctx context.Context, m Message) Verdict

// Oversize describes a message that was too large to inspect and was
// forwarded unchecked (Options.OversizeBlock false).
type Oversize struct {
	Text bool
	// Size is the message's payload size as far as it is known: wire bytes
	// for messages too large to hold, decompressed bytes (at least
	// MaxMessage+1) for compressed ones that inflated past the limit.
	Size int64
}

// DefaultMaxMessage applies when Options.MaxMessage is zero or negative.
const DefaultMaxMessage = 4 << 20

// maxMaxMessage caps Options.MaxMessage (1 GiB).
const maxMaxMessage = 1 << 30

// Options configures Wrap. The zero value works: 4 MiB limit, oversize
// messages forwarded unchecked, no compression negotiated.
type Options struct {
	// MaxMessage is the largest message (payload bytes, before and after
	// decompression) held for inspection; at most 1 GiB. A connection holds
	// at most about 3.5 x MaxMessage while a message is pending.
	MaxMessage int64
	// OversizeBlock closes the connection (1008, "message too large") on a
	// message over MaxMessage; otherwise such a message is forwarded
	// unchecked and reported through OnOversize.
	OversizeBlock bool
	// Extensions is the 101 response's Sec-WebSocket-Extensions value; it
	// says whether permessage-deflate (and context takeover) is in use.
	Extensions string
	// OnOversize, when set, is called for each message forwarded unchecked
	// because it was too large. It runs on the client-to-server goroutine.
	OnOversize func(ctx context.Context, o Oversize)
	// Logger receives protocol errors and closes; nil discards.
	Logger *slog.Logger
}

// ErrClosed is returned by Write and Read once the connection was closed by
// this package (blocked message, protocol error, context done) or by Close.
// It wraps net.ErrClosed so relays such as goproxy treat it as a normal end.
var ErrClosed = fmt.Errorf("wsframe: connection closed by the inspector: %w", net.ErrClosed)

// graceTimeout bounds how long a closing connection waits for the server to
// finish a partial frame, and for the client-bound close frame to be read,
// before the upstream connection is torn down.
const graceTimeout = 5 * time.Second

// Wrap returns body (the upstream side of an upgraded connection, i.e. the
// 101 response's Body) wrapped so that client-to-server messages written to
// it are inspected before they go upstream. Read returns the server's bytes
// unchanged, plus a close frame when this package ends the connection. Close
// closes body. Read and Write may be called from two goroutines; Write from
// one goroutine at a time, Read from one goroutine at a time. When ctx is done
// the connection is closed (1001 to both sides).
func Wrap(ctx context.Context, body io.ReadWriteCloser, opts Options, inspect InspectFunc) io.ReadWriteCloser {
	return wrap(ctx, body, opts, inspect, graceTimeout)
}

// WrapResponse wraps resp.Body (see Wrap) when resp is a successful
// WebSocket upgrade: status 101, "Upgrade: websocket" and a writable body.
// It fills opts.Extensions from the response and reports whether it wrapped.
// Call it in the proxy's RoundTripper on every upstream response.
func WrapResponse(ctx context.Context, resp *http.Response, opts Options, inspect InspectFunc) bool {
	if resp == nil || resp.StatusCode != http.StatusSwitchingProtocols ||
		!strings.EqualFold(strings.TrimSpace(resp.Header.Get("Upgrade")), "websocket") {
		return false
	}
	body, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		return false
	}
	opts.Extensions = strings.Join(resp.Header.Values(extensionHeader), ", ")
	resp.Body = Wrap(ctx, body, opts, inspect)
	return true
}

func wrap(ctx context.Context, body io.ReadWriteCloser, opts Options, inspect InspectFunc, grace time.Duration) *Conn {
	if opts.MaxMessage <= 0 {
		opts.MaxMessage = DefaultMaxMessage
	}
	// Holding more than this in memory is never sensible, and the limit
	// arithmetic must not overflow.
	opts.MaxMessage = min(opts.MaxMessage, maxMaxMessage)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if inspect == nil {
		inspect = func(context.Context, Message) Verdict { return Verdict{} }
	}
	c := &Conn{
		ctx:          ctx,
		body:         body,
		opts:         opts,
		inspect:      inspect,
		log:          log,
		grace:        grace,
		termCh:       make(chan struct{}),
		finished:     make(chan struct{}),
		serverClosed: make(chan struct{}),
		closed:       make(chan struct{}),
		chunks:       make(chan []byte),
		ack:          make(chan struct{}, 1),
	}
	c.w.inf.params = parseExtensions(opts.Extensions)
	c.stopCtx = context.AfterFunc(ctx, c.onContextDone)
	return c
}

// Conn is the wrapped connection Wrap returns (exported for documentation;
// use it as an io.ReadWriteCloser).
type Conn struct {
	ctx     context.Context
	body    io.ReadWriteCloser
	opts    Options
	inspect InspectFunc
	log     *slog.Logger
	grace   time.Duration
	stopCtx func() bool

	// wmu serialises writes to body (client frames and our close frame)
	// and guards w.
	wmu sync.Mutex
	w   writeState

	mu         sync.Mutex
	term       *termination // set once, under mu
	graceTimer *time.Timer
	stream     *streamInflate // live oversize inflater, for Close to abort

	termCh     chan struct{} // closed when term is set
	finished   chan struct{} // closed when the read side is done or on Close
	finishOnce sync.Once
	// serverClosed is closed once the close frame went upstream (or Close
	// ran): Read holds its EOF until then, because the relay closes the
	// upstream as soon as Read ends.
	serverClosed     chan struct{}
	serverClosedOnce sync.Once
	closed           chan struct{} // closed by Close
	closeOnce        sync.Once
	bodyOnce         sync.Once
	bodyErr          error

	// read side: only the Read goroutine touches these, except chunks, ack
	// and readErr which the pump goroutine hands over.
	r       readState
	chunks  chan []byte
	ack     chan struct{}
	readErr error
}

type termination struct {
	code   uint16
	reason string
}

// terminate records the first reason to end the connection; later calls are
// no-ops. The Write side sends the server's close frame, the Read side the
// client's.
func (c *Conn) terminate(code uint16, reason string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.term != nil {
		return false
	}
	c.term = &termination{code: code, reason: reason}
	close(c.termCh)
	// If the server never finishes its current frame, or nobody reads the
	// injected close frame, tear the upstream down anyway.
	c.graceTimer = time.AfterFunc(c.grace, c.closeBody)
	return true
}

func (c *Conn) termination() *termination {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.term
}

func (c *Conn) onContextDone() {
	if !c.terminate(CloseGoingAway, "proxy shutting down") {
		return
	}
	c.log.Debug("websocket closed: context done", "err", c.ctx.Err())
	// Tell the server too, unless a Write is in progress: that Write sends
	// it when it returns.
	if c.wmu.TryLock() {
		c.sendServerClose()
		c.wmu.Unlock()
	}
}

// sendServerClose writes the masked close frame upstream once; wmu held.
func (c *Conn) sendServerClose() {
	if c.w.serverCloseSent {
		return
	}
	c.w.serverCloseSent = true
	t := c.termination()
	// No reason toward the server: it does not need our rule names.
	if _, err := c.body.Write(closeFrame(t.code, "", true)); err != nil {
		c.log.Debug("websocket: send close upstream", "err", err)
	}
	c.markServerClosed()
}

func (c *Conn) markServerClosed() { c.serverClosedOnce.Do(func() { close(c.serverClosed) }) }

func (c *Conn) closeBody() {
	c.bodyOnce.Do(func() { c.bodyErr = c.body.Close() })
	c.mu.Lock()
	s := c.stream
	c.mu.Unlock()
	if s != nil {
		s.abort()
	}
}

func (c *Conn) finish() { c.finishOnce.Do(func() { close(c.finished) }) }

// Close closes the upstream body and releases both directions.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.stopCtx()
		close(c.closed)
		c.finish()
		c.markServerClosed()
		c.mu.Lock()
		if c.graceTimer != nil {
			c.graceTimer.Stop()
		}
		c.mu.Unlock()
		c.closeBody()
	})
	if c.bodyErr != nil {
		return fmt.Errorf("close websocket upstream: %w", c.bodyErr)
	}
	return nil
}

// Write takes client-to-server bytes in any chunking. It returns once the
// bytes are forwarded, held for a pending message, or (when this call ends a
// message) the message was inspected. After the connection was closed by a
// verdict, a protocol error or ctx, Write waits until the client-bound close
// frame was handed to the Read caller (so the relay does not tear the client
// connection down before it is sent), then returns ErrClosed.
func (c *Conn) Write(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, ErrClosed
	default:
	}
	c.wmu.Lock()
	n, err := 0, error(nil)
	if c.termination() == nil {
		n, err = c.feed(p)
	}
	if c.termination() != nil {
		c.sendServerClose()
		c.wmu.Unlock()
		c.awaitFinish()
		return n, ErrClosed
	}
	c.wmu.Unlock()
	if err != nil {
		return n, err
	}
	return len(p), nil
}

func (c *Conn) awaitServerClosed() {
	t := time.NewTimer(c.grace)
	defer t.Stop()
	select {
	case <-c.serverClosed:
	case <-t.C:
	}
}

func (c *Conn) awaitFinish() {
	t := time.NewTimer(2 * c.grace)
	defer t.Stop()
	select {
	case <-c.finished:
	case <-t.C:
	}
}

// readState is the Read side's progress.
type readState struct {
	pumping  bool
	cur      []byte // unread part of the chunk the pump handed over
	holding  bool   // a chunk is held and must be acknowledged
	tracker  frameTracker
	inject   []byte // client-bound close frame, once due
	injected bool   // inject fully returned
	eof      bool
	eofErr   error
}

// pump reads the upstream in its own goroutine so Read can deliver an
// injected close frame without waiting for the server to send something.
func (c *Conn) pump() {
	buf := make([]byte, 32<<10)
	for {
		n, err := c.body.Read(buf)
		if n > 0 {
			select {
			case c.chunks <- buf[:n]:
			case <-c.closed:
				return
			}
			// Wait until Read is done with buf before reusing it.
			select {
			case <-c.ack:
			case <-c.closed:
				return
			}
		}
		if err != nil {
			c.readErr = err
			close(c.chunks)
			return
		}
	}
}

// Read returns server-to-client bytes. When the connection is being closed
// it finishes the server frame in flight, returns the close frame for the
// client, then io.EOF.
func (c *Conn) Read(p []byte) (int, error) {
	r := &c.r
	if len(p) == 0 {
		return 0, nil
	}
	if !r.pumping {
		r.pumping = true
		go c.pump()
	}
	for {
		if r.eof {
			c.finish()
			return 0, r.eofErr
		}
		if r.inject != nil {
			if r.injected {
				// The relay came back for more, so it wrote the close
				// frame to the client: both directions may end once the
				// server has its close frame too.
				c.awaitServerClosed()
				r.eof, r.eofErr = true, io.EOF
				continue
			}
			n := copy(p, r.inject)
			r.inject = r.inject[n:]
			if len(r.inject) == 0 {
				r.injected = true
			}
			return n, nil
		}
		t := c.termination()
		if t != nil && r.tracker.atBoundary() {
			r.inject = closeFrame(t.code, t.reason, false)
			c.release()
			continue
		}
		if len(r.cur) == 0 {
			c.release()
			var termCh <-chan struct{}
			if t == nil {
				termCh = c.termCh
			}
			select {
			case b, ok := <-c.chunks:
				if !ok {
					r.eof, r.eofErr = true, c.readErr
					if t != nil || r.eofErr == nil {
						r.eofErr = io.EOF
					}
					continue
				}
				r.cur, r.holding = b, true
			case <-termCh:
				continue
			case <-c.closed:
				r.eof, r.eofErr = true, ErrClosed
				continue
			}
		}
		n := len(r.cur)
		if n > len(p) {
			n = len(p)
		}
		// Once closing, stop at the end of the current server frame.
		n = r.tracker.advance(r.cur[:n], t != nil)
		copy(p, r.cur[:n])
		r.cur = r.cur[n:]
		return n, nil
	}
}

// release hands the current chunk back to the pump (dropping what is left of
// it, which only happens once the connection is closing).
func (c *Conn) release() {
	r := &c.r
	r.cur = nil
	if r.holding {
		r.holding = false
		c.ack <- struct{}{}
	}
}
