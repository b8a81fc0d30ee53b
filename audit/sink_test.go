package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/config"
)

// rfc5424 matches the header dlpgate writes and captures PRI, timestamp,
// hostname, procid, msgid, the structured data params and the message.
var rfc5424 = regexp.MustCompile(`^<(\d{1,3})>1 (\S+) (\S+) dlpgate (\d+) (\S+) \[dlpgate@32473 seq="(\d+)" id="([0-9a-f]{32})" hash="([0-9a-f]{64})"\] (.*)$`)

type syslogMsg struct {
	pri       int
	timestamp time.Time
	msgid     string
	seq       uint64
	id, hash  string
	msg       string
}

func parseSyslog(t *testing.T, raw string) syslogMsg {
	t.Helper()
	m := rfc5424.FindStringSubmatch(raw)
	if m == nil {
		t.Fatalf("not an RFC 5424 message: %q", raw)
	}
	pri, _ := strconv.Atoi(m[1])
	ts, err := time.Parse(time.RFC3339Nano, m[2])
	if err != nil {
		t.Fatalf("timestamp %q: %v", m[2], err)
	}
	seq, _ := strconv.ParseUint(m[6], 10, 64)
	return syslogMsg{pri: pri, timestamp: ts, msgid: m[5], seq: seq, id: m[7], hash: m[8], msg: m[9]}
}

// readOctetCounted reads one RFC 6587 octet-counted frame.
func readOctetCounted(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	n, err := r.ReadString(' ')
	if err != nil {
		t.Fatalf("frame length: %v", err)
	}
	size, err := strconv.Atoi(strings.TrimSuffix(n, " "))
	if err != nil {
		t.Fatalf("frame length %q: %v", n, err)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatalf("frame body: %v", err)
	}
	return string(buf)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSyslogUDPJSON(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	l, _, _ := openTest(t, func(o *Options) {
		o.Sinks = []config.Sink{{Name: "siem", Network: "udp", Address: pc.LocalAddr().String(), Format: "rfc5424"}}
	})
	e := sampleEvent(0)
	record(t, l, e)

	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65536)
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no datagram: %v", err)
	}
	m := parseSyslog(t, string(buf[:n]))
	if m.pri != 16*8+4 || m.msgid != "block" || m.seq != e.Seq || m.id != e.ID || m.hash != e.Hash || !m.timestamp.Equal(e.Time) {
		t.Errorf("header %+v does not match the event (seq %d id %s)", m, e.Seq, e.ID)
	}
	var got Event
	if err := json.Unmarshal([]byte(m.msg), &got); err != nil {
		t.Fatalf("message is not the JSON record: %v", err)
	}
	if got.Hash != e.Hash || got.User != "alice" || got.Findings[0].Samples[0].Masked != "A12****(3)" {
		t.Errorf("message event = %+v", got)
	}
	// The sender counts after its write returns, which may be after we read.
	waitFor(t, func() bool { return l.Stats().Sinks[0].Sent == 1 })
	if st := l.Stats().Sinks[0]; st.Dropped != 0 || st.Name != "siem" {
		t.Errorf("stats %+v", st)
	}
}

func TestSyslogTCPCEF(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	l, _, _ := openTest(t, func(o *Options) {
		o.Version = "1.2.3"
		o.Sinks = []config.Sink{{Name: "arcsight", Network: "tcp", Address: ln.Addr().String(), Format: "cef"}}
	})
	var events []*Event
	for i := 0; i < 3; i++ {
		e := sampleEvent(i)
		if i == 1 {
			e.Action, e.Severity = ActionLog, "low"
			e.RuleReason = "pipe | and = sign\nnewline"
		}
		record(t, l, e)
		events = append(events, e)
	}
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(conn)
	for i, e := range events {
		m := parseSyslog(t, readOctetCounted(t, r))
		if m.seq != e.Seq || m.hash != e.Hash {
			t.Errorf("frame %d: seq %d hash %s, want %d %s", i, m.seq, m.hash, e.Seq, e.Hash)
		}
		hdr, ext := splitCEF(t, m.msg)
		wantSev := "8"
		if i == 1 {
			wantSev = "3"
		}
		if hdr[0] != "CEF:0" || hdr[1] != "dlpgate" || hdr[3] != "1.2.3" || hdr[4] != e.Rule || hdr[6] != wantSev {
			t.Errorf("frame %d: CEF header %q", i, hdr)
		}
		if ext["act"] != e.Action || ext["suser"] != e.User || ext["externalId"] != e.ID || ext["cs6"] != e.Hash ||
			ext["cn1"] != strconv.FormatUint(e.Seq, 10) || ext["dhost"] != "oapi.dingtalk.com" ||
			!strings.Contains(ext["cs3"], "A12****(3)") || ext["rt"] != strconv.FormatInt(e.Time.UnixMilli(), 10) {
			t.Errorf("frame %d: CEF extension %v", i, ext)
		}
		if i == 1 && (hdr[5] != "pipe | and = sign newline" || ext["msg"] != "pipe | and = sign\nnewline") {
			t.Errorf("escaping round trip: name %q msg %q", hdr[5], ext["msg"])
		}
	}
}

// splitCEF parses a CEF line: 7 pipe-separated header fields (with \| and
// \\ escapes) and key=value extensions (with \= \\ \n escapes).
func splitCEF(t *testing.T, s string) ([]string, map[string]string) {
	t.Helper()
	var hdr []string
	var cur strings.Builder
	i := 0
	for ; i < len(s) && len(hdr) < 7; i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '|':
			hdr = append(hdr, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if len(hdr) != 7 {
		t.Fatalf("CEF header: %q", s)
	}
	ext := map[string]string{}
	keyRe := regexp.MustCompile(`^[A-Za-z0-9]+=`)
	rest := s[i:]
	var key string
	cur.Reset()
	for j := 0; j < len(rest); j++ {
		c := rest[j]
		if c == '\\' && j+1 < len(rest) {
			j++
			switch rest[j] {
			case 'n':
				cur.WriteByte('\n')
			case 'r':
				cur.WriteByte('\r')
			default:
				cur.WriteByte(rest[j])
			}
			continue
		}
		if key == "" {
			if m := keyRe.FindString(rest[j:]); m != "" {
				key = strings.TrimSuffix(m, "=")
				j += len(m) - 1
				continue
			}
		}
		if c == ' ' {
			if m := keyRe.FindString(rest[j+1:]); m != "" {
				ext[key] = cur.String()
				cur.Reset()
				key = strings.TrimSuffix(m, "=")
				j += len(m)
				continue
			}
		}
		cur.WriteByte(c)
	}
	ext[key] = cur.String()
	return hdr, ext
}

func TestCEFEscaping(t *testing.T) {
	for _, c := range []struct{ name, in, header, value string }{
		{"plain", "hkid-bulk", "hkid-bulk", "hkid-bulk"},
		{"pipe", "a|b", `a\|b`, "a|b"},
		{"backslash", `a\b`, `a\\b`, `a\\b`},
		{"equals", "k=v", "k=v", `k\=v`},
		{"newline", "a\nb\r\nc", "a b  c", `a\nb\nc`},
		{"chinese", "身份證號碼", "身份證號碼", "身份證號碼"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := cefHeader(c.in); got != c.header {
				t.Errorf("header %q, want %q", got, c.header)
			}
			if got := cefValue(c.in); got != c.value {
				t.Errorf("value %q, want %q", got, c.value)
			}
		})
	}
}

func TestSyslogUnixDatagram(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log.sock")
	pc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Skipf("unix datagram sockets unavailable: %v", err)
	}
	defer pc.Close()
	l, _, _ := openTest(t, func(o *Options) {
		o.Sinks = []config.Sink{{Name: "local", Network: "unix", Address: sock}}
	})
	e := sampleEvent(0)
	record(t, l, e)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65536)
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	if m := parseSyslog(t, string(buf[:n])); m.hash != e.Hash {
		t.Errorf("hash %s, want %s", m.hash, e.Hash)
	}
}

func TestSyslogUnixStream(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix stream sockets unavailable: %v", err)
	}
	defer ln.Close()
	l, _, _ := openTest(t, func(o *Options) {
		// "unix" tries a datagram socket first (/dev/log), then stream.
		o.Sinks = []config.Sink{{Name: "local", Network: "unix", Address: sock, Format: "cef"}}
	})
	e := sampleEvent(0)
	record(t, l, e)
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	m := parseSyslog(t, readOctetCounted(t, bufio.NewReader(c)))
	if m.hash != e.Hash || !strings.HasPrefix(m.msg, "CEF:0|dlpgate|dlpgate|") {
		t.Errorf("got %+v", m)
	}
}

func TestSinkDownDropsAndNeverBlocks(t *testing.T) {
	// A port with nothing listening: every dial fails.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	var logbuf syncBuffer
	l, opts, _ := openTest(t, func(o *Options) {
		o.QueueSize = 4
		o.Logger = slog.New(slog.NewTextHandler(&logbuf, nil))
		o.Sinks = []config.Sink{{Name: "down", Network: "tcp", Address: addr}}
	})
	const n = 50
	for i := 0; i < n; i++ {
		record(t, l, sampleEvent(i)) // would hang here if enqueue blocked
	}
	st := l.Stats()
	if st.Records != n {
		t.Fatalf("file log has %d records, want %d", st.Records, n)
	}
	// At most QueueSize queued plus one in the sender's hands.
	if d := st.Sinks[0].Dropped; d < n-5 {
		t.Errorf("dropped = %d, want >= %d", d, n-5)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := l.Stats().Sinks[0]; st.Dropped != n || st.Sent != 0 || st.Failures == 0 {
		t.Errorf("after Close: %+v, want all %d dropped", st, n)
	}
	if out := logbuf.String(); !strings.Contains(out, "audit sink dropped events") || !strings.Contains(out, "dropped_total=50") {
		t.Errorf("no drop warning logged: %q", out)
	}
	// The file log is complete regardless.
	if res, _ := Verify(context.Background(), []string{opts.Path}, VerifyOptions{}); res.Problem != nil || res.Records != n {
		t.Errorf("file log: %+v", res)
	}
}

func TestSinkReconnects(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	l, _, _ := openTest(t, func(o *Options) {
		o.Sinks = []config.Sink{{Name: "flaky", Network: "tcp", Address: ln.Addr().String()}}
	})
	record(t, l, sampleEvent(0))
	c1, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c1.SetReadDeadline(time.Now().Add(5 * time.Second))
	parseSyslog(t, readOctetCounted(t, bufio.NewReader(c1)))
	c1.Close() // the SIEM restarts

	// Writes to a peer-closed socket may succeed once before failing, so keep
	// recording until the sender reconnects and a record arrives.
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	deadline := time.After(10 * time.Second)
	for i := 1; ; i++ {
		record(t, l, sampleEvent(i))
		select {
		case c2 := <-accepted:
			defer c2.Close()
			c2.SetReadDeadline(time.Now().Add(5 * time.Second))
			m := parseSyslog(t, readOctetCounted(t, bufio.NewReader(c2)))
			if m.seq < 2 {
				t.Errorf("after reconnect got seq %d", m.seq)
			}
			return
		case <-deadline:
			t.Fatal("sink did not reconnect")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestSinkConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		sink config.Sink
		want string
	}{
		{"format", config.Sink{Network: "udp", Address: "127.0.0.1:514", Format: "xml"}, "unknown format"},
		{"network", config.Sink{Network: "sctp", Address: "127.0.0.1:514"}, "unknown network"},
		{"address", config.Sink{Network: "udp"}, "no address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(Options{Path: filepath.Join(t.TempDir(), "e.jsonl"), Sinks: []config.Sink{c.sink}})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}
