package icap

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

const robotURL = "https://oapi.dingtalk.com/robot/send"

func cleanBody(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "Meeting notes line %d: the team agreed on the Q3 roadmap.\n", i)
	}
	return b.Bytes()[:n]
}

func badBody() []byte { return []byte("Customer list\n" + testgen.HKIDList(6)) }

func TestOptions(t *testing.T) {
	s, _ := startServer(t, func(o *Options) { o.MaxConnections = 7; o.Preview = 4096 })
	c, br := dial(t, s)
	fmt.Fprintf(c, "OPTIONS icap://127.0.0.1/reqmod ICAP/1.0\r\nHost: 127.0.0.1\r\nEncapsulated: null-body=0\r\n\r\n")
	r := readResp(t, br)
	ver := s.opts.Engine().Policy.Version()
	for k, want := range map[string]string{
		"Methods": "REQMOD", "Allow": "204", "Preview": "4096", "Max-Connections": "7",
		"Options-Ttl": "3600", "Istag": `"dlpgate-` + ver + `"`, "Encapsulated": "null-body=0",
	} {
		if got := r.header.Get(k); got != want {
			t.Errorf("OPTIONS %s = %q, want %q", k, got, want)
		}
	}
	if r.code != 200 || len(r.header.Get("Istag")) > 34 {
		t.Errorf("OPTIONS code %d ISTag %q", r.code, r.header.Get("Istag"))
	}
	// Keep-alive: a second OPTIONS on the same connection.
	fmt.Fprintf(c, "OPTIONS icap://127.0.0.1/reqmod ICAP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
	if r := readResp(t, br); r.code != 200 {
		t.Errorf("second OPTIONS: %d", r.code)
	}
}

// TestPreviewSizes: previews of 0, 1 and 4096 bytes, bodies shorter than,
// equal to and longer than the preview; clean ones pass with 204, HKID
// lists are blocked with dlpgate's answer. 100 Continue comes exactly when
// the preview was not the whole body.
func TestPreviewSizes(t *testing.T) {
	s, rec := startServer(t, nil)
	c, br := dial(t, s) // one connection for all: keep-alive throughout
	for _, preview := range []int{0, 1, 4096} {
		for _, size := range []int{0, 1, 4096, 20000} {
			for _, bad := range []bool{false, true} {
				name := fmt.Sprintf("preview=%d size=%d bad=%v", preview, size, bad)
				body := cleanBody(size)
				if bad {
					if size == 0 || size == 1 {
						continue
					}
					body = append(badBody(), cleanBody(size)...)
				}
				m := icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(body)),
					body: body, preview: preview, chunk: 1000}
				before := len(rec.events())
				r, cont := roundTrip(t, c, br, m)
				wantCont := len(body) > preview
				if cont != wantCont {
					t.Errorf("%s: 100 Continue %v, want %v", name, cont, wantCont)
				}
				if !bad {
					if r.code != 204 {
						t.Errorf("%s: clean body answered %d, want 204", name, r.code)
					}
					continue
				}
				if r.code != 200 || !strings.HasPrefix(r.httpHdr, "HTTP/1.1 403 ") {
					t.Fatalf("%s: blocked body answered %d %q", name, r.code, r.httpHdr)
				}
				var e struct {
					Errcode int    `json:"errcode"`
					Errmsg  string `json:"errmsg"`
				}
				if err := json.Unmarshal(r.body, &e); err != nil || e.Errcode != 403001 || !strings.Contains(e.Errmsg, "hkid-bulk") {
					t.Errorf("%s: block answer %q (%v)", name, r.body, err)
				}
				evs := rec.events()
				if len(evs) != before+1 || evs[len(evs)-1].Action != "block" || !strings.Contains(e.Errmsg, evs[len(evs)-1].ID) {
					t.Errorf("%s: events %d->%d", name, before, len(evs))
				}
				if bytes.Contains(r.body, []byte(testgen.HKID(0))) {
					t.Errorf("%s: answer leaks an HKID", name)
				}
			}
		}
	}
}

// TestIeofNoContinue: a preview that is the whole body ends "0; ieof": the
// server must answer at once, never with 100 Continue.
func TestIeofNoContinue(t *testing.T) {
	s, _ := startServer(t, nil)
	c, br := dial(t, s)
	body := []byte(`{"msgtype":"text","text":{"content":"hello"}}`)
	first, rest := icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "application/json", len(body)), body: body, preview: 4096}.encode()
	if rest != nil || !bytes.Contains(first, []byte("0; ieof\r\n\r\n")) {
		t.Fatalf("test message is not an ieof preview: %q", first)
	}
	c.Write(first)
	if r := readResp(t, br); r.code != 204 {
		t.Errorf("ieof preview answered %d, want 204", r.code)
	}
}

// TestNoAllow204Echoes: a client that did not offer Allow: 204 gets the
// request back byte for byte (header and body), even when split in odd chunks.
func TestNoAllow204Echoes(t *testing.T) {
	s, _ := startServer(t, nil)
	c, br := dial(t, s)
	for _, tt := range []struct {
		name    string
		preview int
		chunk   int
		size    int
	}{{"no preview one chunk", -1, 0, 5000}, {"no preview 7-byte chunks", -1, 7, 3001}, {"preview 1", 1, 333, 2000}, {"preview 0", 0, 4096, 9000}} {
		body := cleanBody(tt.size)
		hdr := httpPost(robotURL+"?x=1", "text/plain", len(body))
		r, _ := roundTrip(t, c, br, icapMsg{http: hdr, body: body, preview: tt.preview, chunk: tt.chunk})
		if r.code != 200 || r.httpHdr != hdr || !bytes.Equal(r.body, body) {
			t.Errorf("%s: echo %d hdr-equal=%v body-equal=%v (%d bytes)", tt.name, r.code, r.httpHdr == hdr, bytes.Equal(r.body, body), len(r.body))
		}
	}
	// A whole body in an ieof preview: the answer is to the preview, so 204
	// is allowed without Allow: 204 (RFC 3507 4.5).
	small := cleanBody(100)
	if r, cont := roundTrip(t, c, br, icapMsg{http: httpPost(robotURL, "text/plain", len(small)), body: small, preview: 4096}); r.code != 204 || cont {
		t.Errorf("ieof preview without Allow: 204: %d continue=%v", r.code, cont)
	}
	// A bodiless GET is echoed as req-hdr + null-body.
	get := "GET https://oapi.dingtalk.com/user/get?userid=1 HTTP/1.1\r\nHost: oapi.dingtalk.com\r\n\r\n"
	r, _ := roundTrip(t, c, br, icapMsg{http: get, noBody: true, preview: -1})
	if r.code != 200 || r.httpHdr != get || r.hasBody {
		t.Errorf("GET echo: %d %q body=%v", r.code, r.httpHdr, r.hasBody)
	}
}

// TestChunkExtensionsAndPipelining: several requests written at once (no
// preview, as a pipelining client does) are answered in order on one
// connection; chunk extensions other than ieof are ignored.
func TestChunkExtensionsAndPipelining(t *testing.T) {
	s, rec := startServer(t, nil)
	c, br := dial(t, s)
	clean, bad := cleanBody(10000), badBody()
	var all bytes.Buffer
	m1, _ := icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(clean)), body: clean, preview: -1, chunk: 4000}.encode()
	m1 = bytes.Replace(m1, []byte("fa0\r\n"), []byte("fa0;name=value\r\n"), 1)
	m2, _ := icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/csv", len(bad)), body: bad, preview: -1, chunk: 50}.encode()
	m3 := []byte("OPTIONS icap://127.0.0.1/reqmod ICAP/1.0\r\nHost: x\r\n\r\n")
	m4, _ := icapMsg{http: httpPost(robotURL, "text/plain", len(clean)), body: clean, preview: -1, chunk: 999}.encode()
	all.Write(m1)
	all.Write(m2)
	all.Write(m3)
	all.Write(m4)
	if _, err := c.Write(all.Bytes()); err != nil {
		t.Fatal(err)
	}
	if r := readResp(t, br); r.code != 204 {
		t.Errorf("pipelined 1 (clean, chunk extension): %d", r.code)
	}
	if r := readResp(t, br); r.code != 200 || !strings.HasPrefix(r.httpHdr, "HTTP/1.1 403") {
		t.Errorf("pipelined 2 (HKIDs): %d %q", r.code, r.httpHdr)
	}
	if r := readResp(t, br); r.code != 200 || r.header.Get("Methods") != "REQMOD" {
		t.Errorf("pipelined 3 (OPTIONS): %d", r.code)
	}
	if r := readResp(t, br); r.code != 200 || !bytes.Equal(r.body, clean) {
		t.Errorf("pipelined 4 (echo): %d, %d bytes", r.code, len(r.body))
	}
	if n := len(rec.events()); n != 1 {
		t.Errorf("%d events, want 1 (the block)", n)
	}
}

// TestAttribution: the client address and user the proxy passes name the
// event, in Squid's plain and base64 forms and ProxySG's WinNT form.
func TestAttribution(t *testing.T) {
	s, rec := startServer(t, nil)
	c, br := dial(t, s)
	bad := badBody()
	for _, tt := range []struct {
		headers    []string
		ip, user   string
		wantGroups []string
	}{
		{[]string{"X-Client-IP: 10.20.30.40", "X-Authenticated-User: alice"}, "10.20.30.40", "alice", nil},
		{[]string{"X-Client-IP: 10.20.30.41", "X-Authenticated-User: " + base64.StdEncoding.EncodeToString([]byte("bob@corp.hk"))}, "10.20.30.41", "bob@corp.hk", nil},
		{[]string{"X-Client-IP: 2001:db8::7", "X-Authenticated-User: " + base64.StdEncoding.EncodeToString([]byte("WinNT://CORP/carol")),
			"X-Authenticated-Groups: " + base64.StdEncoding.EncodeToString([]byte("WinNT://CORP/finance"))}, "2001:db8::7", `CORP\carol`, []string{`CORP\finance`}},
		{[]string{"X-Client-Username: test"}, "127.0.0.1", "test", nil}, // "test" is valid base64 of junk: kept as is
	} {
		h := append([]string{"Allow: 204"}, tt.headers...)
		r, _ := roundTrip(t, c, br, icapMsg{headers: h, http: httpPost(robotURL, "text/plain", len(bad)), body: bad, preview: 0})
		if r.code != 200 {
			t.Fatalf("%v: %d", tt.headers, r.code)
		}
		evs := rec.events()
		ev := evs[len(evs)-1]
		if ev.ClientIP != tt.ip || ev.User != tt.user || fmt.Sprint(ev.Groups) != fmt.Sprint(tt.wantGroups) || ev.Channel != "icap" || ev.Instance != "test-icap" {
			t.Errorf("%v: event ip=%q user=%q groups=%v channel=%q", tt.headers, ev.ClientIP, ev.User, ev.Groups, ev.Channel)
		}
	}
}

// TestScopeDecides: a host the catalogue does not inspect is passed on its
// headers alone (204 right after a zero preview, no 100 Continue), HKIDs or
// not; a path blocked by scope is refused the same way.
func TestScopeDecides(t *testing.T) {
	s, rec := startServer(t, nil)
	c, br := dial(t, s)
	bad := badBody()
	r, cont := roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: httpPost("https://www.example.com/upload", "text/plain", len(bad)), body: bad, preview: 0})
	if r.code != 204 || cont {
		t.Errorf("out-of-scope host: %d continue=%v", r.code, cont)
	}
	if len(rec.events()) != 0 {
		t.Errorf("out-of-scope host recorded events")
	}
	// The same body to DingTalk's new API: blocked in its own error shape.
	r, cont = roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: httpPost("https://api.dingtalk.com/v1.0/robot/oToMessages/batchSend", "application/json", len(bad)), body: bad, preview: 0})
	var e struct{ Code, Message, Requestid string }
	if r.code != 200 || !cont || json.Unmarshal(r.body, &e) != nil || e.Code != "Forbidden.Dlpgate.PolicyBlocked" || e.Requestid == "" {
		t.Errorf("api.dingtalk.com block: %d continue=%v %q", r.code, cont, r.body)
	}
}

// TestBrowserGetsBlockPage: a browser's upload is answered with the HTML page.
func TestBrowserGetsBlockPage(t *testing.T) {
	s, _ := startServer(t, nil)
	c, br := dial(t, s)
	bad := badBody()
	hdr := strings.Replace(httpPost("https://im.dingtalk.com/upload", "text/plain", len(bad)), "\r\n\r\n", "\r\nAccept: text/html,*/*\r\n\r\n", 1)
	r, _ := roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: hdr, body: bad, preview: 0})
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(r.httpHdr)), nil)
	if err != nil || resp.StatusCode != 403 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!bytes.Contains(r.body, []byte("Upload blocked by dlpgate")) || resp.Header.Get("X-Dlpgate-Event") == "" {
		t.Errorf("browser answer %q %q (%v)", r.httpHdr, r.body, err)
	}
}

// TestErrorsMapToICAPStatus: protocol errors get their ICAP codes and close.
func TestErrorsMapToICAPStatus(t *testing.T) {
	s, _ := startServer(t, nil)
	for _, tt := range []struct {
		name, msg string
		code      int
	}{
		{"version", "OPTIONS icap://127.0.0.1/reqmod ICAP/2.0\r\n\r\n", 505},
		{"method", "FROB icap://127.0.0.1/reqmod ICAP/1.0\r\nEncapsulated: null-body=0\r\n\r\n", 501},
		{"respmod", "RESPMOD icap://127.0.0.1/reqmod ICAP/1.0\r\nEncapsulated: null-body=0\r\n\r\n", 405},
		{"service", "OPTIONS icap://127.0.0.1/nope ICAP/1.0\r\n\r\n", 404},
		{"no encapsulated", "REQMOD icap://127.0.0.1/reqmod ICAP/1.0\r\n\r\n", 400},
		{"bad encapsulated", "REQMOD icap://127.0.0.1/reqmod ICAP/1.0\r\nEncapsulated: req-body=0, req-hdr=5\r\n\r\n", 400},
		{"not http", "REQMOD icap://127.0.0.1/reqmod ICAP/1.0\r\nEncapsulated: req-hdr=0, null-body=6\r\n\r\nhi\r\n\r\n", 400},
		{"bad chunk", "REQMOD icap://127.0.0.1/reqmod ICAP/1.0\r\nEncapsulated: req-hdr=0, req-body=45\r\n\r\nPOST http://oapi.dingtalk.com/ HTTP/1.1\r\n\r\nzz\r\n", 400},
		{"preview overrun", "REQMOD icap://127.0.0.1/reqmod ICAP/1.0\r\nPreview: 1\r\nEncapsulated: req-hdr=0, req-body=45\r\n\r\nPOST http://oapi.dingtalk.com/ HTTP/1.1\r\n\r\n2\r\nab\r\n0\r\n\r\n", 400},
		{"bad request line", "hello\r\n\r\n", 400},
	} {
		c, br := dial(t, s)
		c.Write([]byte(tt.msg))
		r := readResp(t, br)
		if r.code != tt.code || r.header.Get("Connection") != "close" {
			t.Errorf("%s: %d (Connection %q), want %d and close", tt.name, r.code, r.header.Get("Connection"), tt.code)
		}
	}
}

// TestAuditDownFailsClosed: with fail_mode closed, an event that cannot be
// recorded blocks the upload with the audit-down answer.
func TestAuditDownFailsClosed(t *testing.T) {
	s, rec := startServer(t, nil)
	rec.err = fmt.Errorf("disk full")
	c, br := dial(t, s)
	bad := badBody()
	r, _ := roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(bad)), body: bad, preview: -1})
	if r.code != 200 || !bytes.Contains(r.body, []byte("403003")) {
		t.Errorf("audit down: %d %q", r.code, r.body)
	}
}

// TestMaxConnections: past the advertised limit a connection gets 503.
func TestMaxConnections(t *testing.T) {
	s, _ := startServer(t, func(o *Options) { o.MaxConnections = 1 })
	c1, br1 := dial(t, s)
	fmt.Fprintf(c1, "OPTIONS icap://127.0.0.1/reqmod ICAP/1.0\r\n\r\n")
	if r := readResp(t, br1); r.code != 200 {
		t.Fatalf("first connection: %d", r.code)
	}
	c2, br2 := dial(t, s)
	fmt.Fprintf(c2, "OPTIONS icap://127.0.0.1/reqmod ICAP/1.0\r\n\r\n")
	if r := readResp(t, br2); r.code != 503 {
		t.Errorf("second connection over Max-Connections: %d", r.code)
	}
}

// TestOversize: past max_inspect_bytes the oversize action decides (block
// by default) and, for a client that takes 204, the rest is not held.
func TestOversize(t *testing.T) {
	eng := defaultEngine(t)
	spec := eng.Policy.Spec()
	spec.Global.MaxInspectBytes = 64 << 10
	pol, err := rules.Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	eng.Policy = pol
	s, rec := startServer(t, func(o *Options) { o.Engine = func() *inspect.Engine { return eng }; o.MemoryBudget = 1 << 10 })
	c, br := dial(t, s)
	body := cleanBody(1 << 20)
	r, _ := roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(body)), body: body, preview: 0, chunk: 8 << 10})
	if r.code != 200 || !bytes.Contains(r.body, []byte("403002")) {
		t.Fatalf("oversize: %d %q", r.code, r.body)
	}
	evs := rec.events()
	if len(evs) != 1 || evs[0].BodyBytes != int64(len(body)) || evs[0].BodySHA256 != "" {
		t.Errorf("oversize event: %+v", evs)
	}
	// Keep-alive still in sync after a body that was counted, not kept.
	if r, _ := roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", 5), body: []byte("hello"), preview: 0}); r.code != 204 {
		t.Errorf("next request: %d", r.code)
	}
}

// TestISTagFollowsReload: a reload (a new engine) changes the ISTag, so
// proxies that cache OPTIONS see the policy changed.
func TestISTagFollowsReload(t *testing.T) {
	eng := defaultEngine(t)
	var cur atomicEngine
	cur.set(eng)
	s, _ := startServer(t, func(o *Options) { o.Engine = cur.get })
	c, br := dial(t, s)
	fmt.Fprintf(c, "OPTIONS icap://127.0.0.1/reqmod ICAP/1.0\r\n\r\n")
	before := readResp(t, br).header.Get("Istag")
	spec := eng.Policy.Spec()
	spec.Global.Mode = "monitor"
	pol, err := rules.Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	cur.set(&inspect.Engine{Policy: pol, Classifiers: eng.Classifiers})
	fmt.Fprintf(c, "OPTIONS icap://127.0.0.1/reqmod ICAP/1.0\r\n\r\n")
	after := readResp(t, br).header.Get("Istag")
	if before == after || !strings.Contains(after, pol.Version()) {
		t.Errorf("ISTag %s -> %s after a reload to %s", before, after, pol.Version())
	}
}

// TestClientNotAllowed: only the configured proxies may use the service.
func TestClientNotAllowed(t *testing.T) {
	s, _ := startServer(t, func(o *Options) { o.AllowClients = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	c, br := dial(t, s)
	fmt.Fprintf(c, "OPTIONS icap://127.0.0.1/reqmod ICAP/1.0\r\n\r\n")
	if r := readResp(t, br); r.code != 403 {
		t.Errorf("client outside allow_clients: %d", r.code)
	}
}

type atomicEngine struct {
	p atomic.Pointer[inspect.Engine]
}

func (a *atomicEngine) set(e *inspect.Engine) { a.p.Store(e) }
func (a *atomicEngine) get() *inspect.Engine  { return a.p.Load() }

// TestPlacesInspectedAndMasked: data in the path, the query, a header and
// a multipart file name is read like a body, and no event carries it raw.
func TestPlacesInspectedAndMasked(t *testing.T) {
	s, rec := startServer(t, nil)
	c, br := dial(t, s)
	id0, id1, id2 := testgen.HKID(0), testgen.HKID(1), testgen.HKID(2)
	// Three HKIDs in the query of a bodiless GET: blocked on the headers.
	get := fmt.Sprintf("GET https://oapi.dingtalk.com/user/search?q=%s&r=%s&s=%s&access_token=t0k HTTP/1.1\r\nHost: oapi.dingtalk.com\r\n\r\n",
		url.QueryEscape(id0), url.QueryEscape(id1), url.QueryEscape(id2))
	r, _ := roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: get, noBody: true, preview: -1})
	if r.code != 200 || !strings.HasPrefix(r.httpHdr, "HTTP/1.1 403") {
		t.Fatalf("HKIDs in the query: %d %q", r.code, r.httpHdr)
	}
	// One HKID in the path and the file name, a list in the body.
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	fw, _ := w.CreateFormFile("file", id1+".csv")
	fw.Write(badBody())
	w.Close()
	post := fmt.Sprintf("POST https://api.dingtalk.com/v1.0/storage/spaces/1/files/%s.txt HTTP/1.1\r\nHost: api.dingtalk.com\r\nContent-Type: %s\r\nX-Note: %s\r\nContent-Length: %d\r\n\r\n",
		url.PathEscape(id0), w.FormDataContentType(), id2, mp.Len())
	r, _ = roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: post, body: mp.Bytes(), preview: 0})
	if r.code != 200 || !strings.HasPrefix(r.httpHdr, "HTTP/1.1 403") {
		t.Fatalf("HKIDs in path, name, header and body: %d %q", r.code, r.httpHdr)
	}
	evs := rec.events()
	if len(evs) < 2 || evs[0].Channel != "icap-query" {
		t.Fatalf("events: %d, first channel %q", len(evs), evs[0].Channel)
	}
	for _, ev := range evs {
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{id0, id1, id2, id0[:7], id1[:7], id2[:7], id0[1:7], id1[1:7], id2[1:7], "t0k"} {
			if bytes.Contains(b, []byte(id)) || bytes.Contains(b, []byte(url.QueryEscape(id))) {
				t.Errorf("event %s carries %q raw: %s", ev.Channel, id[:3]+"…", b)
			}
		}
	}
	last := evs[len(evs)-1]
	if !strings.Contains(last.Path, "****") || len(last.FileNames) != 1 || !strings.Contains(last.FileNames[0], "****") {
		t.Errorf("path %q file names %q not masked", last.Path, last.FileNames)
	}
}

// TestShutdownClosesIdleConnections: a proxy's idle keep-alive connection
// does not hold up shutdown; a request in flight is finished first.
func TestShutdownClosesIdleConnections(t *testing.T) {
	s, _ := startServer(t, nil)
	idle, ibr := dial(t, s)
	fmt.Fprintf(idle, "OPTIONS icap://127.0.0.1/reqmod ICAP/1.0\r\n\r\n")
	readResp(t, ibr)
	busy, bbr := dial(t, s)
	body := cleanBody(2000)
	first, rest := icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(body)), body: body, preview: 0}.encode()
	busy.Write(first)
	if r := readResp(t, bbr); r.code != 100 {
		t.Fatalf("want 100 Continue, got %d", r.code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(ctx) }()
	if _, err := ibr.ReadByte(); err == nil {
		t.Error("idle connection still open after Shutdown")
	}
	busy.Write(rest) // the request in flight still gets its answer
	if r := readResp(t, bbr); r.code != 204 {
		t.Errorf("in-flight request during Shutdown: %d", r.code)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v (waited for an idle connection?)", err)
	}
}
