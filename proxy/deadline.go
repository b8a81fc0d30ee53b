package proxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Deadlines against slow clients (slowloris). Headers: the connection
// watchdog (conn.go) closes a connection whose request headers are not
// complete HeaderTimeout after their first byte, answering 408 where the
// connection is plain HTTP. Bodies: bodyDeadline below requires the average
// rate MinBodyRate after a grace of HeaderTimeout, and the whole receipt
// within MaxRequestTime; a slower body is answered 408 and closed, and
// what was held of it is freed.

// errSlowClient says the client sent its request too slowly.
var errSlowClient = errors.New("client too slow: request not received in time")

// bodyDeadline wraps a request body. Before each read it sets the client
// connection's read deadline to the moment the next byte is due (start +
// grace + (n+1)/rate, capped by the request's end), so a client that stops
// sending is cut off without a goroutine per request.
type bodyDeadline struct {
	io.ReadCloser
	conn  net.Conn // nil: deadlines checked between reads only
	start time.Time
	grace time.Duration
	rate  int64     // bytes per second; <= 0: no rate check
	end   time.Time // zero: no lifetime limit
	n     int64
}

func (s *Server) guardBody(req *http.Request, info *connInfo, start time.Time) *bodyDeadline {
	b := &bodyDeadline{ReadCloser: req.Body, start: start, grace: s.opts.HeaderTimeout, rate: s.opts.MinBodyRate}
	if s.opts.MaxRequestTime > 0 {
		b.end = start.Add(s.opts.MaxRequestTime)
	}
	if info.conn != nil {
		b.conn = info.conn
	} else if tc := connFrom(req.Context()); tc != nil {
		b.conn = tc
	}
	return b
}

func (b *bodyDeadline) due() time.Time {
	var d time.Time
	if b.rate > 0 {
		d = b.start.Add(b.grace + time.Duration(float64(b.n+1)/float64(b.rate)*float64(time.Second)))
	}
	if !b.end.IsZero() && (d.IsZero() || b.end.Before(d)) {
		d = b.end
	}
	return d
}

func (b *bodyDeadline) Read(p []byte) (int, error) {
	due := b.due()
	if !due.IsZero() && !time.Now().Before(due) {
		return 0, errSlowClient
	}
	if b.conn != nil && !due.IsZero() {
		b.conn.SetReadDeadline(due)
	}
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err == nil {
		return n, nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return n, fmt.Errorf("%w (%d bytes in %s)", errSlowClient, b.n, time.Since(b.start).Round(time.Millisecond))
	}
	if err == io.EOF {
		b.done()
	}
	return n, err
}

// done clears the read deadline once the body is complete: the connection
// may carry the next request.
func (b *bodyDeadline) done() {
	if b.conn != nil {
		b.conn.SetReadDeadline(time.Time{})
	}
}

// slowResponse answers a client whose request came too slowly.
func (s *Server) slowResponse(req *http.Request, info *connInfo, err error) *http.Response {
	s.log.Warn("slow client: request not received in time; answered 408 and closed",
		"host", normalizeHost(req.URL.Host), "client", info.client.String(), "user", info.user, "err", err.Error())
	resp := s.errorResponse(req, http.StatusRequestTimeout, codeTimeout,
		"dlpgate: the request was sent too slowly and was not forwarded")
	s.closeAfter(resp, info)
	return resp
}

// timeoutAnswer is written on a plain client connection whose headers did
// not arrive in time.
const timeoutAnswer = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 50\r\n\r\ndlpgate: request headers were not received in time"
