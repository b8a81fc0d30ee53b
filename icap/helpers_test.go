package icap

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/rules"
)

type memRecorder struct {
	mu  sync.Mutex
	evs []*audit.Event
	err error
}

func (m *memRecorder) Record(_ context.Context, e *audit.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.evs = append(m.evs, e)
	return nil
}

func (m *memRecorder) events() []*audit.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*audit.Event(nil), m.evs...)
}

func defaultEngine(t testing.TB) *inspect.Engine {
	t.Helper()
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := rules.Compile(cfg.Policy)
	if err != nil {
		t.Fatal(err)
	}
	return &inspect.Engine{Policy: pol, Classifiers: classifiers.NewDefault()}
}

// startServer runs an ICAP server on loopback with the default policy.
func startServer(t testing.TB, mod func(*Options)) (*Server, *memRecorder) {
	t.Helper()
	eng := defaultEngine(t)
	rec := &memRecorder{}
	opts := Options{Engine: func() *inspect.Engine { return eng }, Recorder: rec, Instance: "test-icap",
		TempDir: t.TempDir(), Version: "test"}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	for s.Addr() == "" {
		time.Sleep(time.Millisecond)
	}
	return s, rec
}

// icapMsg builds one REQMOD. preview < 0 sends no Preview header and the
// whole body; otherwise the first preview bytes go in the preview (with
// ieof when that is all) and rest holds the remainder for after 100 Continue.
type icapMsg struct {
	service string
	headers []string // "Name: value"
	http    string   // encapsulated HTTP request header, CRLF-terminated
	body    []byte
	noBody  bool
	preview int
	chunk   int // chunk size for the body (0: one chunk)
}

func (m icapMsg) encode() (first, rest []byte) {
	var b bytes.Buffer
	svc := m.service
	if svc == "" {
		svc = "/reqmod"
	}
	fmt.Fprintf(&b, "REQMOD icap://127.0.0.1:1344%s ICAP/1.0\r\nHost: 127.0.0.1\r\n", svc)
	for _, h := range m.headers {
		b.WriteString(h + "\r\n")
	}
	if m.preview >= 0 && !m.noBody {
		fmt.Fprintf(&b, "Preview: %d\r\n", m.preview)
	}
	if m.noBody {
		fmt.Fprintf(&b, "Encapsulated: req-hdr=0, null-body=%d\r\n\r\n%s", len(m.http), m.http)
		return b.Bytes(), nil
	}
	fmt.Fprintf(&b, "Encapsulated: req-hdr=0, req-body=%d\r\n\r\n%s", len(m.http), m.http)
	if m.preview < 0 {
		writeChunks(&b, m.body, m.chunk, "")
		return b.Bytes(), nil
	}
	p := min(m.preview, len(m.body))
	if p == len(m.body) {
		writeChunks(&b, m.body, m.chunk, "; ieof")
		return b.Bytes(), nil
	}
	writeChunks(&b, m.body[:p], m.chunk, "")
	var r bytes.Buffer
	writeChunks(&r, m.body[p:], m.chunk, "")
	return b.Bytes(), r.Bytes()
}

// encoder is an ICAP message to send: its first part and what follows 100 Continue.
type encoder interface{ encode() (first, rest []byte) }

func writeChunks(b *bytes.Buffer, data []byte, size int, lastExt string) {
	if size <= 0 {
		size = len(data)
	}
	for len(data) > 0 {
		n := min(size, len(data))
		fmt.Fprintf(b, "%x\r\n", n)
		b.Write(data[:n])
		b.WriteString("\r\n")
		data = data[n:]
	}
	b.WriteString("0" + lastExt + "\r\n\r\n")
}

// icapResp is one parsed ICAP response.
type icapResp struct {
	code    int
	header  textproto.MIMEHeader
	httpHdr string // encapsulated HTTP header (req or res)
	body    []byte
	hasBody bool
}

func readResp(t testing.TB, br *bufio.Reader) *icapResp {
	t.Helper()
	tp := textproto.NewReader(br)
	line, err := tp.ReadLine()
	if err != nil {
		t.Fatalf("read ICAP status: %v", err)
	}
	f := strings.SplitN(line, " ", 3)
	if len(f) < 2 || f[0] != "ICAP/1.0" {
		t.Fatalf("bad status line %q", line)
	}
	r := &icapResp{}
	r.code, _ = strconv.Atoi(f[1])
	if r.code == 100 {
		if _, err := tp.ReadMIMEHeader(); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r.header, err = tp.ReadMIMEHeader(); err != nil {
		t.Fatal(err)
	}
	secs, err := parseEncapsulated(r.header.Get("Encapsulated"))
	if err != nil {
		t.Fatalf("Encapsulated %q: %v", r.header.Get("Encapsulated"), err)
	}
	if len(secs) == 2 {
		h := make([]byte, secs[1].offset)
		if _, err := io.ReadFull(br, h); err != nil {
			t.Fatal(err)
		}
		r.httpHdr = string(h)
		if strings.HasSuffix(secs[1].name, "-body") && secs[1].name != "null-body" {
			var body bytes.Buffer
			if _, _, err := (chunkReader{br: br}).copyChunks(&body, -1); err != nil {
				t.Fatal(err)
			}
			r.body, r.hasBody = body.Bytes(), true
		}
	}
	return r
}

// exchange sends m on c (answering 100 Continue with the rest) and returns
// the final response; sawContinue says whether a 100 came.
func roundTrip(t testing.TB, c net.Conn, br *bufio.Reader, m encoder) (resp *icapResp, sawContinue bool) {
	t.Helper()
	first, rest := m.encode()
	if _, err := c.Write(first); err != nil {
		t.Fatal(err)
	}
	r := readResp(t, br)
	if r.code == 100 {
		if rest == nil {
			t.Fatalf("100 Continue after a complete (ieof) preview")
		}
		if _, err := c.Write(rest); err != nil {
			t.Fatal(err)
		}
		return readResp(t, br), true
	}
	return r, false
}

func dial(t testing.TB, s *Server) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c, bufio.NewReader(c)
}

func httpPost(url, contentType string, n int) string {
	host := strings.SplitN(strings.TrimPrefix(url, "https://"), "/", 2)[0]
	return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", url, host, contentType, n)
}
