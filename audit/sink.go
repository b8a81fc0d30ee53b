package audit

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dlpgate/dlpgate/config"
)

// Sink formats.
const (
	FormatRFC5424 = "rfc5424" // RFC 5424 syslog, message = the JSON record
	FormatCEF     = "cef"     // RFC 5424 syslog, message = ArcSight CEF line
)

// syslogFacility is local0: SIEMs route dlpgate by facility and app-name.
const syslogFacility = 16

// sdID is the structured-data element carrying the chain anchor. 32473 is
// the private enterprise number reserved for documentation (RFC 5612).
const sdID = "dlpgate@32473"

const (
	dialTimeout  = 5 * time.Second
	writeTimeout = 5 * time.Second
	maxBackoff   = 30 * time.Second
	maxDatagram  = 65000
)

type queued struct {
	ev   Event
	line []byte // the file record, newline included
}

// sink ships events to one syslog destination. Its queue is bounded and
// enqueue never blocks: a sink that is down loses events (counted) rather
// than stall the proxy. The file log stays complete either way.
type sink struct {
	cfg      config.Sink
	network  string // resolved: udp, tcp, unix, unixgram
	hostname string
	version  string
	log      *slog.Logger

	q      chan queued
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	sent, dropped, failures, reported atomic.Uint64
	connected                         atomic.Bool
}

func startSinks(opts Options) ([]*sink, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "-"
	}
	host = sanitizeHeader(host, 255)
	var sinks []*sink
	for i, c := range opts.Sinks {
		if c.Name == "" {
			c.Name = fmt.Sprintf("syslog[%d]", i)
		}
		switch c.Format {
		case "", "json", FormatRFC5424:
			c.Format = FormatRFC5424
		case FormatCEF:
		default:
			return nil, fmt.Errorf("audit: sink %s: unknown format %q (want rfc5424 or cef)", c.Name, c.Format)
		}
		switch c.Network {
		case "udp", "tcp", "unix", "unixgram", "udp4", "udp6", "tcp4", "tcp6":
		default:
			return nil, fmt.Errorf("audit: sink %s: unknown network %q (want udp, tcp or unix)", c.Name, c.Network)
		}
		if c.Address == "" {
			return nil, fmt.Errorf("audit: sink %s: no address", c.Name)
		}
		ctx, cancel := context.WithCancel(context.Background())
		sinks = append(sinks, &sink{cfg: c, network: c.Network, hostname: host, version: opts.Version, log: opts.Logger,
			q: make(chan queued, opts.QueueSize), ctx: ctx, cancel: cancel, done: make(chan struct{})})
	}
	// Start only once every sink is valid, so that an error leaks no goroutine.
	for _, s := range sinks {
		go s.run()
	}
	return sinks, nil
}

func (s *sink) enqueue(item queued) {
	select {
	case s.q <- item:
	default:
		s.dropped.Add(1)
	}
}

func (s *sink) stats() SinkStats {
	return SinkStats{Name: s.cfg.Name, Queued: len(s.q), Sent: s.sent.Load(), Dropped: s.dropped.Load(),
		Failures: s.failures.Load(), Connected: s.connected.Load()}
}

func (s *sink) reportDrops(log *slog.Logger) {
	d := s.dropped.Load()
	if prev := s.reported.Swap(d); d > prev {
		log.Warn("audit sink dropped events (queue full or sink unreachable); the file log has them",
			"sink", s.cfg.Name, "address", s.cfg.Address, "dropped", d-prev, "dropped_total", d)
	}
}

// run drains the queue until it is closed (Close) or ctx is cancelled
// (Close's deadline passed), reconnecting with exponential backoff.
func (s *sink) run() {
	defer close(s.done)
	var conn net.Conn
	stopCloser := func() bool { return false }
	drop := func() {
		if conn != nil {
			stopCloser()
			conn.Close()
			conn = nil
		}
		s.connected.Store(false)
	}
	defer drop()
	backoff := 100 * time.Millisecond
	for item := range s.q {
		msg := s.message(item)
		if s.datagram() && len(msg) > maxDatagram {
			s.dropped.Add(1)
			s.log.Warn("audit sink: event too large for a datagram, dropped", "sink", s.cfg.Name, "bytes", len(msg), "seq", item.ev.Seq)
			continue
		}
		for {
			if s.ctx.Err() != nil {
				s.dropped.Add(1 + uint64(len(s.q)))
				for range s.q {
				}
				return
			}
			if conn == nil {
				c, err := s.dial()
				if err != nil {
					s.failures.Add(1)
					if s.failures.Load() == 1 || backoff >= maxBackoff {
						s.log.Warn("audit sink unreachable, retrying", "sink", s.cfg.Name, "address", s.cfg.Address, "err", err)
					}
					s.sleep(backoff)
					backoff = min(backoff*2, maxBackoff)
					continue
				}
				conn = c
				s.connected.Store(true)
				// Close's deadline interrupts a blocked write.
				stopCloser = context.AfterFunc(s.ctx, func() { c.Close() })
			}
			conn.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := conn.Write(s.frame(msg)); err != nil {
				s.failures.Add(1)
				drop()
				s.sleep(backoff)
				backoff = min(backoff*2, maxBackoff)
				continue
			}
			s.sent.Add(1)
			backoff = 100 * time.Millisecond
			break
		}
	}
}

func (s *sink) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.ctx.Done():
	}
}

func (s *sink) datagram() bool {
	return strings.HasPrefix(s.network, "udp") || s.network == "unixgram"
}

func (s *sink) dial() (net.Conn, error) {
	ctx, cancel := context.WithTimeout(s.ctx, dialTimeout)
	defer cancel()
	var d net.Dialer
	if s.cfg.Network == "unix" {
		// Local syslog daemons listen on datagram sockets (/dev/log); try
		// that first, then stream, as log/syslog does.
		if c, err := d.DialContext(ctx, "unixgram", s.cfg.Address); err == nil {
			s.network = "unixgram"
			return c, nil
		}
		c, err := d.DialContext(ctx, "unix", s.cfg.Address)
		if err == nil {
			s.network = "unix"
		}
		return c, err
	}
	return d.DialContext(ctx, s.cfg.Network, s.cfg.Address)
}

// frame applies RFC 6587 octet counting on stream transports.
func (s *sink) frame(msg []byte) []byte {
	if s.datagram() {
		return msg
	}
	out := make([]byte, 0, len(msg)+8)
	out = strconv.AppendInt(out, int64(len(msg)), 10)
	out = append(out, ' ')
	return append(out, msg...)
}

// message builds the RFC 5424 syslog message for one record.
func (s *sink) message(item queued) []byte {
	var body []byte
	if s.cfg.Format == FormatCEF {
		body = []byte(FormatCEFLine(&item.ev, s.version))
	} else {
		body = item.line[:len(item.line)-1] // without the newline
	}
	return appendSyslog(nil, &item.ev, s.hostname, body)
}

// appendSyslog writes <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG.
// The structured data carries seq, id and hash so that the SIEM holds an
// anchor for the chain that a local attacker cannot rewrite.
func appendSyslog(b []byte, e *Event, hostname string, msg []byte) []byte {
	pri := syslogFacility*8 + syslogSeverity(e)
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(pri), 10)
	b = append(b, ">1 "...)
	b = append(b, e.Time.UTC().Format("2006-01-02T15:04:05.000000Z07:00")...)
	b = append(b, ' ')
	b = append(b, hostname...)
	b = append(b, " dlpgate "...)
	b = strconv.AppendInt(b, int64(os.Getpid()), 10)
	b = append(b, ' ')
	msgid := sanitizeHeader(e.Action, 32)
	if msgid == "" {
		msgid = "-"
	}
	b = append(b, msgid...)
	b = append(b, " ["+sdID+" seq=\""...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `" id="`...)
	b = append(b, sdEscape(e.ID)...)
	b = append(b, `" hash="`...)
	b = append(b, sdEscape(e.Hash)...)
	b = append(b, `"] `...)
	return append(b, msg...)
}

// syslogSeverity: block is a warning, would-block and log are notices.
func syslogSeverity(e *Event) int {
	switch e.Action {
	case ActionBlock:
		return 4
	case ActionLog, ActionWouldBlock:
		return 5
	}
	return 6
}

// sanitizeHeader keeps PRINTUSASCII (33..126) as RFC 5424 header fields require.
func sanitizeHeader(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < max; i++ {
		if c := s[i]; c >= 33 && c <= 126 {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func sdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, `]`, `\]`).Replace(s)
}
