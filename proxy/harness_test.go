package proxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/answer"
	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/certs"
	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// hkidCounter is a test-only classifier: distinct checksum-valid HKIDs,
// masked samples. It keeps these tests independent of the real classifiers'
// tuning (TestDefaultClassifiersBlock covers those).
type hkidCounter struct{}

var hkidRe = regexp.MustCompile(`\b([A-Z]{1,2})([0-9]{6})\(([0-9A])\)`)

func (hkidCounter) Classify(ctx context.Context, segs []extract.Segment) []classifiers.Finding {
	seen := map[string]bool{}
	var f classifiers.Finding
	for _, s := range segs {
		for _, m := range hkidRe.FindAllStringSubmatchIndex(s.Text, -1) {
			prefix, digits, check := s.Text[m[2]:m[3]], s.Text[m[4]:m[5]], s.Text[m[6]]
			if testgen.HKIDCheck(prefix, digits) != check {
				continue
			}
			id := prefix + digits
			if seen[id] {
				continue
			}
			seen[id] = true
			f.Samples = append(f.Samples, classifiers.Sample{Masked: prefix + digits[:2] + "****(" + string(check) + ")", Origin: s.Origin, Offset: m[0]})
		}
	}
	if len(seen) == 0 {
		return nil
	}
	f.Classifier, f.Count, f.Confidence, f.Signals = classifiers.HKID, len(seen), classifiers.High, []string{"check_digit"}
	return []classifiers.Finding{f}
}

// standIn is a local server standing in for DingTalk (or any host): it
// records what reached it and answers with the SHA-256 of the body it got.
type standIn struct {
	ln   net.Listener
	srv  *http.Server
	mu   sync.Mutex
	seen []seenReq
	// arrived counts requests whose headers reached the stand-in (before
	// their bodies are read).
	arrived atomic.Int64
}

type seenReq struct {
	Method, Host, Path, Query string
	Size                      int64
	SHA256                    string
	Header                    http.Header
	Trailer                   http.Header // what arrived after a chunked body
}

type upstreamReply struct {
	Errcode int    `json:"errcode"`
	Errmsg  string `json:"errmsg"`
	SHA256  string `json:"sha256"`
	Bytes   int64  `json:"bytes"`
}

func newStandIn(t testing.TB, tlsConf *tls.Config) *standIn {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &standIn{ln: ln}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// standInDelay is a request header that makes the stand-in wait that
// long (a time.Duration) after reading the body, before it answers.
const standInDelay = "X-Stand-In-Delay"

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	s.arrived.Add(1)
	delay, _ := time.ParseDuration(r.Header.Get(standInDelay))
	h := sha256.New()
	n, err := io.Copy(h, r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sum := hex.EncodeToString(h.Sum(nil))
	time.Sleep(delay)
	s.mu.Lock()
	s.seen = append(s.seen, seenReq{Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.RawQuery, Size: n, SHA256: sum, Header: r.Header.Clone(), Trailer: r.Trailer.Clone()})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(upstreamReply{Errcode: 0, Errmsg: "ok", SHA256: sum, Bytes: n})
}

func (s *standIn) requests() []seenReq {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenReq(nil), s.seen...)
}

// fileRecorder is a minimal audit recorder for tests: one line per event
// with every field, so leak checks see everything that would be logged.
type fileRecorder struct {
	mu   sync.Mutex
	path string
	fail atomic.Bool
	evs  []audit.Event
}

func (r *fileRecorder) Record(ctx context.Context, e *audit.Event) error {
	if r.fail.Load() {
		return fmt.Errorf("audit disk full (test)")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	f, err := os.OpenFile(r.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	r.evs = append(r.evs, *e)
	_, err = fmt.Fprintf(f, "%+v\n", *e)
	return err
}

func (r *fileRecorder) events() []audit.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]audit.Event(nil), r.evs...)
}

type harness struct {
	t         testing.TB
	ca, upCA  *certs.CA
	up        *standIn // TLS stand-in for every https host
	plain     *standIn // plain-HTTP stand-in for every host on port 80
	untrusted *standIn // TLS with a certificate from a CA nobody trusts
	rec       *fileRecorder
	srv       *Server
	addr      string
	spills    chan string
}

type harnessConfig struct {
	classifiers classifiers.Set
	limits      extract.Limits // e.g. an OCR reader
	spec        func(*rules.Spec)
	opts        func(*Options)
	budget      *inspect.Budget // inspection budget of the engine (nil: none)
}

func newHarness(t testing.TB, hc harnessConfig) *harness {
	// Environment proxies of the machine running the tests must not apply.
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		if tt, ok := t.(*testing.T); ok {
			tt.Setenv(k, "")
		}
	}
	h := &harness{t: t, spills: make(chan string, 16)}
	var err error
	if h.ca, err = certs.New(time.Now()); err != nil {
		t.Fatal(err)
	}
	if h.upCA, err = certs.New(time.Now()); err != nil {
		t.Fatal(err)
	}
	badCA, err := certs.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h.up = newStandIn(t, certs.NewIssuer(h.upCA, 0).TLSConfig("oapi.dingtalk.com"))
	h.plain = newStandIn(t, nil)
	h.untrusted = newStandIn(t, certs.NewIssuer(badCA, 0).TLSConfig("untrusted.dingtalk.com"))

	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	spec := cfg.Policy
	if hc.spec != nil {
		hc.spec(&spec)
	}
	pol, err := rules.Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	set := hc.classifiers
	if set == nil {
		set = hkidCounter{}
	}
	eng := &inspect.Engine{Policy: pol, Classifiers: set, Limits: hc.limits, Budget: hc.budget}
	h.rec = &fileRecorder{path: filepath.Join(t.TempDir(), "events.log")}
	opts := Options{
		CA:            h.ca,
		Engine:        func() *inspect.Engine { return eng },
		Recorder:      h.rec,
		DialContext:   h.dial,
		UpstreamRoots: x509.NewCertPool(),
		ExtraRootCAs:  []*x509.Certificate{h.upCA.Cert},
		TempDir:       t.TempDir(),
		IdleTimeout:   30 * time.Second,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		PACHosts:      func() []string { return []string{"oapi.dingtalk.com", "*.dingtalk.com"} },
		LookupNetIP:   harnessLookup,
	}
	if testing.Verbose() {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if hc.opts != nil {
		hc.opts(&opts)
	}
	h.srv, err = New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.srv.testHookSpill = func(p string) {
		select {
		case h.spills <- p:
		default:
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	go h.srv.Serve(ln)
	t.Cleanup(func() { h.srv.Close() })
	for h.srv.Addr() == "" { // Serve registers the listener asynchronously
		time.Sleep(time.Millisecond)
	}
	return h
}

// harnessLookup resolves every name to a public documentation address (the
// harness dial sends it to a stand-in anyway), except names under
// loopback.test, which resolve to 127.0.0.1 as a hostile DNS answer would.
func harnessLookup(_ context.Context, host string) ([]netip.Addr, error) {
	if host == "loopback.test" || strings.HasSuffix(host, ".loopback.test") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return []netip.Addr{netip.MustParseAddr("198.51.100.10")}, nil
}

// dial points every upstream name at the local stand-ins.
func (h *harness) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	target := h.up.ln.Addr().String()
	switch {
	case host == "untrusted.dingtalk.com":
		target = h.untrusted.ln.Addr().String()
	case port == "80":
		target = h.plain.ln.Addr().String()
	}
	var d net.Dialer
	return d.DialContext(ctx, network, target)
}

// status sends req through the proxy with h.client(), reads and closes the
// response body, and returns the status code.
func (h *harness) status(t testing.TB, req *http.Request) int {
	t.Helper()
	resp, err := h.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// tlsTunnel opens a raw CONNECT tunnel to host:443 through the proxy and
// starts TLS in it, trusting dlpgate's CA: for tests that write requests
// byte by byte (pipelining, mismatched Host headers).
func (h *harness) tlsTunnel(t testing.TB, host string) *tls.Conn {
	t.Helper()
	raw, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	raw.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(raw, "CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\n\r\n", host, host)
	// Unbuffered read of the CONNECT answer: a bufio.Reader could swallow
	// the first bytes of the TLS handshake that follows.
	resp, err := http.ReadResponse(bufio.NewReaderSize(&oneByteReader{raw}, 16), &http.Request{Method: http.MethodConnect})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT %s: %v %v", host, resp, err)
	}
	return tls.Client(raw, &tls.Config{ServerName: host, RootCAs: h.ca.Pool()})
}

// oneByteReader reads one byte per call so a bufio.Reader over it never
// reads past what it was asked for.
type oneByteReader struct{ r io.Reader }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

func (h *harness) proxyURL() *url.URL { return &url.URL{Scheme: "http", Host: h.addr} }

// client trusts dlpgate's CA and the stand-ins' CA (for tunnelled hosts).
func (h *harness) client() *http.Client {
	pool := h.ca.Pool()
	pool.AddCert(h.upCA.Cert)
	tr := &http.Transport{
		Proxy:               http.ProxyURL(h.proxyURL()),
		TLSClientConfig:     &tls.Config{RootCAs: pool},
		MaxIdleConnsPerHost: 100,
	}
	h.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

const robotURL = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func robotJSON(text string) []byte {
	b, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": text}})
	return b
}

func multipartBody(t testing.TB, field, name string, content []byte) (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// dingErr reads either DingTalk error shape: oapi's errcode/errmsg or
// api.dingtalk.com's code/message/requestid (mapped back to the number).
type dingErr struct {
	Errcode   int    `json:"errcode"`
	Errmsg    string `json:"errmsg"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"requestid"`
}

func readDingErr(t testing.TB, resp *http.Response) dingErr {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(`\u003e`)) || bytes.Contains(b, []byte(`\u0026`)) {
		t.Errorf("errmsg is HTML-escaped for an API client: %q", b)
	}
	var e dingErr
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("response is not DingTalk-shaped JSON: %v: %q", err, b)
	}
	if e.Code != "" {
		e.Errcode, e.Errmsg = answer.NumericCode(e.Code), e.Message
	}
	return e
}

func readReply(t testing.TB, resp *http.Response) upstreamReply {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var r upstreamReply
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("status %d, body %q: %v", resp.StatusCode, b, err)
	}
	return r
}

// hkidText returns a customer list with n distinct valid HKIDs and the IDs.
func hkidText(n int) (string, []string) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = testgen.HKID(i)
	}
	return testgen.HKIDList(n), ids
}

var _ = strings.Contains
