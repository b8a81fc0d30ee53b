package proxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// (a) A clean robot message reaches DingTalk byte for byte, through our CA.
func TestCleanRobotMessageForwardedByteIdentical(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	body := robotJSON("Meeting moved to 3pm, room 12/F 會議室")
	resp, err := h.client().Post(robotURL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if resp.TLS == nil || resp.TLS.PeerCertificates[0].CheckSignatureFrom(h.ca.Cert) != nil {
		t.Error("in-scope host not intercepted with dlpgate's CA")
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if r := readReply(t, resp); r.SHA256 != sha(body) || r.Bytes != int64(len(body)) {
		t.Errorf("upstream got %d bytes %s, sent %d %s", r.Bytes, r.SHA256, len(body), sha(body))
	}
	seen := h.up.requests()
	if len(seen) != 1 || seen[0].Host != "oapi.dingtalk.com" || !strings.Contains(seen[0].Query, "access_token=0123") {
		t.Errorf("upstream saw %+v", seen)
	}
	if n := len(h.rec.events()); n != 0 {
		t.Errorf("%d audit events for a clean message, want 0", n)
	}
}

// (b) A multipart upload of a file with 3 HKIDs is blocked: JSON error,
// nothing upstream, an audit event with masked evidence only.
func TestMultipartHKIDUploadBlocked(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	text, ids := hkidText(3)
	ct, body := multipartBody(t, "media", "customers.csv", []byte(text))
	resp, err := h.client().Post("https://oapi.dingtalk.com/media/upload?access_token=sekrit-token-value&type=file", ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", resp.StatusCode)
	}
	evID := resp.Header.Get("X-Dlpgate-Event")
	e := readDingErr(t, resp)
	if e.Errcode != codePolicy || !strings.Contains(e.Errmsg, "hkid-bulk") || !strings.Contains(e.Errmsg, evID) || evID == "" {
		t.Errorf("error %+v (event %q)", e, evID)
	}
	for _, id := range ids {
		if strings.Contains(e.Errmsg, id) {
			t.Errorf("errmsg leaks %s", id)
		}
	}
	if n := len(h.up.requests()); n != 0 {
		t.Errorf("upstream saw %d requests, want 0", n)
	}
	evs := h.rec.events()
	if len(evs) != 1 {
		t.Fatalf("%d audit events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.ID != evID || ev.Action != "block" || ev.Rule != "hkid-bulk" || ev.BodySHA256 != sha(body) ||
		ev.BodyBytes != int64(len(body)) || ev.Host != "oapi.dingtalk.com" || ev.Path != "/media/upload" ||
		ev.ClientIP != "127.0.0.1" || ev.Channel != "http" {
		t.Errorf("event %+v", ev)
	}
	if len(ev.FileNames) != 1 || ev.FileNames[0] != "customers.csv" {
		t.Errorf("file names %v", ev.FileNames)
	}
	if ev.Query != "access_token=REDACTED&type=file" {
		t.Errorf("query %q", ev.Query)
	}
}

// (c) Hosts outside the catalogue are tunnelled: the client sees the real
// server's certificate, and dlpgate never decrypts.
func TestNonScopeHostTunnelled(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	text, _ := hkidText(5)
	resp, err := h.client().Post("https://files.example.org/upload", "text/csv", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	leaf := resp.TLS.PeerCertificates[0]
	if leaf.CheckSignatureFrom(h.upCA.Cert) != nil || leaf.CheckSignatureFrom(h.ca.Cert) == nil {
		t.Errorf("tunnelled host presented %v issued by %v, want the server's own certificate", leaf.DNSNames, leaf.Issuer)
	}
	if resp.StatusCode != http.StatusOK || len(h.up.requests()) != 1 {
		t.Errorf("status %d, upstream saw %d", resp.StatusCode, len(h.up.requests()))
	}
	if h.srv.Issuer().Signed() != 0 {
		t.Errorf("signed %d leaves for a tunnelled host", h.srv.Issuer().Signed())
	}
}

// (d) 100 concurrent uploads, clean and bad mixed, each decided on its own.
func TestConcurrentUploads(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	c := h.client()
	bad, _ := hkidText(4)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			content := fmt.Sprintf("report %d: all fine\n%s", i, strings.Repeat("x", i*100))
			if i%3 == 0 {
				content = fmt.Sprintf("report %d\n%s", i, bad)
			}
			ct, body := multipartBody(t, "file", fmt.Sprintf("r%d.txt", i), []byte(content))
			resp, err := c.Post("https://oapi.dingtalk.com/file/upload/single?access_token=t", ct, bytes.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			want := http.StatusOK
			if i%3 == 0 {
				want = http.StatusForbidden
			}
			if resp.StatusCode != want {
				errs <- fmt.Errorf("upload %d: status %d, want %d", i, resp.StatusCode, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(h.up.requests()); n != 66 {
		t.Errorf("upstream saw %d uploads, want 66 clean ones", n)
	}
	if n := len(h.rec.events()); n != 34 {
		t.Errorf("%d audit events, want 34 blocks", n)
	}
	if s := h.srv.Issuer().Signed(); s != 1 {
		t.Errorf("signed %d leaves for one host, want 1", s)
	}
}

// (e) Chunked bodies are held whole and forwarded with a length.
func TestChunkedBody(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	for _, tc := range []struct {
		name   string
		body   string
		status int
	}{
		{"clean", "hello from a chunked sender\n", http.StatusOK},
		{"bad", testgen.HKIDList(3), http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			go func() {
				for i := 0; i < len(tc.body); i += 7 {
					pw.Write([]byte(tc.body[i:min(i+7, len(tc.body))]))
				}
				pw.Close()
			}()
			req, _ := http.NewRequest(http.MethodPut, "https://sh-dualstack.trans.dingtalk.com/upload/abc", pr)
			req.Header.Set("Content-Type", "text/plain")
			if got := h.status(t, req); got != tc.status {
				t.Fatalf("status %d, want %d", got, tc.status)
			}
		})
	}
	seen := h.up.requests()
	if len(seen) != 1 || seen[0].SHA256 != sha([]byte("hello from a chunked sender\n")) {
		t.Fatalf("upstream saw %+v", seen)
	}
	if te := seen[0].Header.Get("Transfer-Encoding"); te != "" {
		t.Errorf("forwarded with Transfer-Encoding %q", te)
	}
}

// (f) Expect: 100-continue: the client is told to send, then judged.
func TestExpectContinue(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	c := h.client()
	c.Transport.(*http.Transport).ExpectContinueTimeout = 30 * time.Second
	bad, _ := hkidText(3)
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"clean", `{"msgtype":"text","text":{"content":"hi"}}`, http.StatusOK},
		{"bad", string(robotJSON(bad)), http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got100 := false
			trace := &httptrace.ClientTrace{Got100Continue: func() { got100 = true }}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
				http.MethodPost, robotURL, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Expect", "100-continue")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if !got100 || resp.StatusCode != tc.status {
				t.Errorf("got 100-continue %v, status %d, want %d", got100, resp.StatusCode, tc.status)
			}
		})
	}
	if n := len(h.up.requests()); n != 1 {
		t.Errorf("upstream saw %d, want 1", n)
	}
}

// (g) One keep-alive TLS connection carries clean, bad, clean (pipelined).
func TestKeepAliveCleanBadClean(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	conn := h.tlsTunnel(t, "oapi.dingtalk.com")
	bad, _ := hkidText(3)
	bodies := []string{string(robotJSON("first clean")), string(robotJSON(bad)), string(robotJSON("third clean"))}
	var out bytes.Buffer
	for _, b := range bodies {
		fmt.Fprintf(&out, "POST /robot/send?access_token=abc HTTP/1.1\r\nHost: oapi.dingtalk.com\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
	}
	if _, err := conn.Write(out.Bytes()); err != nil {
		t.Fatal(err)
	}
	tr := bufio.NewReader(conn)
	for i, want := range []int{200, 403, 200} {
		resp, err := http.ReadResponse(tr, &http.Request{Method: http.MethodPost})
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || resp.Close {
			t.Errorf("response %d: status %d close %v, want %d keep-alive", i, resp.StatusCode, resp.Close, want)
		}
	}
	seen := h.up.requests()
	if len(seen) != 2 || seen[0].SHA256 != sha([]byte(bodies[0])) || seen[1].SHA256 != sha([]byte(bodies[2])) {
		t.Errorf("upstream saw %+v", seen)
	}
}

// (h) A body larger than the memory budget is spilled to a private file,
// still inspected, and the file is gone afterwards.
func TestLargeUploadSpilled(t *testing.T) {
	h := newHarness(t, harnessConfig{opts: func(o *Options) { o.MemoryBudget = 64 << 10 }})
	bad, _ := hkidText(3)
	big := strings.Repeat("quarterly filler line without identifiers\n", 10000) // ~420 KB
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"clean", big, http.StatusOK},
		{"bad", big + bad, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			existed := make(chan bool, 1)
			h.srv.testHookSpill = func(p string) {
				st, err := os.Stat(p)
				existed <- err == nil && st.Mode().Perm() == 0o600
			}
			req, _ := http.NewRequest(http.MethodPut, "https://zjk-dualstack.trans.dingtalk.com/put/1", strings.NewReader(tc.body))
			if got := h.status(t, req); got != tc.status {
				t.Errorf("status %d, want %d", got, tc.status)
			}
			select {
			case ok := <-existed:
				if !ok {
					t.Error("spill file missing or not 0600 while held")
				}
			default:
				t.Fatal("body was not spilled")
			}
			st, err := os.Stat(h.srv.spillDir)
			if err != nil || st.Mode().Perm() != 0o700 {
				t.Errorf("spill dir %v %v, want 0700", st, err)
			}
			waitEmpty(t, h.srv.spillDir)
		})
	}
	if seen := h.up.requests(); len(seen) != 1 || seen[0].SHA256 != sha([]byte(big)) {
		t.Errorf("upstream saw %d requests", len(seen))
	}
}

// waitEmpty waits for the spill dir to empty: cleanup runs when goproxy
// finishes the request, just after the client has its answer.
func waitEmpty(t *testing.T, dir string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		ents, err := os.ReadDir(dir)
		if err == nil && len(ents) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	ents, _ := os.ReadDir(dir)
	t.Errorf("spill files left behind: %d", len(ents))
}

// (i) The audit log holds neither raw HKIDs nor token values.
func TestAuditHasNoSecrets(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	text, ids := hkidText(6)
	const token = "f00dfacecafebeef0123456789abcdef0123456789abcdef0123456789abcdef"
	const headerToken = "hdr-token-7c1e5b2a9d"
	req, _ := http.NewRequest(http.MethodPost, "https://api.dingtalk.com/v1.0/robot/groupMessages/send?access_token="+token+"&timestamp=1700000000000&sign=c2lnbmF0dXJl&client_secret=shh",
		bytes.NewReader([]byte(`{"msgKey":"sampleText","msgParam":`+string(mustJSON(string(robotJSON(text))))+`}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-acs-dingtalk-access-token", headerToken)
	resp, err := h.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readDingErr(t, resp)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d", resp.StatusCode)
	}
	log, err := os.ReadFile(h.rec.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range append(ids, token, headerToken, "1700000000000", "c2lnbmF0dXJl", "shh") {
		if bytes.Contains(log, []byte(secret)) {
			t.Errorf("audit log contains %q", secret)
		}
	}
	if !bytes.Contains(log, []byte("****")) {
		t.Error("audit log has no masked sample")
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// (j) Plain HTTP to an in-scope host (the DingTalk SDK without
// Protocol=https) is inspected too.
func TestPlainHTTPInspected(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	bad, _ := hkidText(3)
	for _, tc := range []struct {
		name, url, body string
		status          int
		upstream        int
	}{
		{"clean in scope", "http://api.dingtalk.com/v1.0/robot/groupMessages/send", `{"msgParam":"{\"content\":\"hello\"}"}`, 200, 1},
		{"bad in scope", "http://api.dingtalk.com/v1.0/robot/groupMessages/send", string(robotJSON(bad)), 403, 1},
		{"out of scope passes", "http://intranet.example.net/upload", bad, 200, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, tc.url, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			if got := h.status(t, req); got != tc.status {
				t.Errorf("status %d, want %d", got, tc.status)
			}
			if n := len(h.plain.requests()); n != tc.upstream {
				t.Errorf("upstream saw %d, want %d", n, tc.upstream)
			}
		})
	}
}

// (k) Upstream certificates are verified: an untrusted one is a 502.
func TestUntrustedUpstreamFails(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	resp, err := h.client().Post("https://untrusted.dingtalk.com/send", "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	e := readDingErr(t, resp)
	if resp.StatusCode != http.StatusBadGateway || e.Errcode != codeUpstream {
		t.Errorf("status %d %+v, want 502", resp.StatusCode, e)
	}
	if n := len(h.untrusted.requests()); n != 0 {
		t.Errorf("untrusted upstream got %d requests", n)
	}
}

// (l) Not an open proxy.
func TestNotAnOpenProxy(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		allow []string
		ok    bool
	}{
		{"127.0.0.1:8080", nil, true},
		{"[::1]:8080", nil, true},
		{"localhost:8080", nil, true},
		{"0.0.0.0:8080", nil, false},
		{"10.1.2.3:8080", nil, false},
		{"0.0.0.0:8080", []string{"10.0.0.0/8"}, true},
	} {
		allow, err := ParsePrefixes(tc.allow)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckListen(tc.addr, allow); (err == nil) != tc.ok {
			t.Errorf("CheckListen(%s, %v) = %v, want ok=%v", tc.addr, tc.allow, err, tc.ok)
		}
	}

	t.Run("serve refuses non-loopback without allow-list", func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		ln, err := net.Listen("tcp", "0.0.0.0:0")
		if err != nil {
			t.Skip(err)
		}
		defer ln.Close()
		if err := h.srv.Serve(ln); err == nil || !strings.Contains(err.Error(), "allow_clients") {
			t.Errorf("Serve on %s: %v", ln.Addr(), err)
		}
	})

	t.Run("client outside allow-list", func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: func(o *Options) {
			o.AllowClients = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
		}})
		resp, err := h.client().Post(robotURL, "application/json", strings.NewReader(`{}`))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("request from 127.0.0.1 allowed: %d", resp.StatusCode)
		}
		c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(h.proxyURL())}}
		resp, err = c.Get("http://api.dingtalk.com/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", resp.StatusCode)
		}
		if len(h.up.requests())+len(h.plain.requests()) != 0 {
			t.Error("upstream reached")
		}
	})
}

// (m) Proxy authentication: 407 without credentials; the user is in the
// audit event of an intercepted request.
func TestProxyAuth(t *testing.T) {
	h := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.Identify = func(auth string, client netip.Addr) (string, []string, error) {
			if auth == "Basic "+basic("alice", "s3cret") {
				return "alice", []string{"finance"}, nil
			}
			return "", nil, fmt.Errorf("bad or missing credentials")
		}
	}})
	pool := h.ca.Pool()
	for _, tc := range []struct {
		name string
		user *url.Userinfo
	}{{"no credentials", nil}, {"wrong password", url.UserPassword("alice", "nope")}} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			auth := ""
			if tc.user != nil {
				pw, _ := tc.user.Password()
				auth = "Proxy-Authorization: Basic " + basic(tc.user.Username(), pw) + "\r\n"
			}
			fmt.Fprintf(raw, "CONNECT oapi.dingtalk.com:443 HTTP/1.1\r\nHost: oapi.dingtalk.com:443\r\n%s\r\n", auth)
			resp, err := http.ReadResponse(bufio.NewReader(raw), &http.Request{Method: http.MethodConnect})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusProxyAuthRequired || !strings.HasPrefix(resp.Header.Get("Proxy-Authenticate"), "Basic") {
				t.Errorf("status %d, Proxy-Authenticate %q", resp.StatusCode, resp.Header.Get("Proxy-Authenticate"))
			}
		})
	}
	pu := h.proxyURL()
	pu.User = url.UserPassword("alice", "s3cret")
	c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: pool}}}
	bad, _ := hkidText(3)
	resp, err := c.Post(robotURL, "application/json", bytes.NewReader(robotJSON(bad)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d", resp.StatusCode)
	}
	evs := h.rec.events()
	if len(evs) != 1 || evs[0].User != "alice" {
		t.Errorf("events %+v, want user alice", evs)
	}
}

func basic(u, p string) string {
	r := &http.Request{Header: http.Header{}}
	r.SetBasicAuth(u, p)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// (n) curl through the proxy: a blocked upload answers 403 JSON.
func TestCurlBlockedUpload(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	h := newHarness(t, harnessConfig{})
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, h.ca.CertPEM, 0o644)
	text, _ := hkidText(3)
	file := filepath.Join(dir, "staff.csv")
	os.WriteFile(file, []byte(text), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, curl, "-sS", "--noproxy", "", "--proxy", "http://"+h.addr, "--cacert", caFile,
		"-F", "media=@"+file, "-w", "\n%{http_code}", "https://oapi.dingtalk.com/media/upload?access_token=x&type=file")
	cmd.Env = append(os.Environ(), "HTTPS_PROXY=", "https_proxy=", "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v: %s", err, out)
	}
	body, code, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	var e dingErr
	if code != "403" || json.Unmarshal([]byte(body), &e) != nil || e.Errcode != codePolicy {
		t.Errorf("curl got %s %q", code, body)
	}
	if len(h.up.requests()) != 0 {
		t.Error("upstream reached")
	}
}

// The real classifiers block the same upload (the other tests use a test
// classifier so that they do not depend on classifier tuning).
func TestDefaultClassifiersBlock(t *testing.T) {
	set := classifiers.NewDefault()
	text, _ := hkidText(3)
	ct, body := multipartBody(t, "media", "customers.csv", []byte(text))
	h := newHarness(t, harnessConfig{classifiers: set})
	resp, err := h.client().Post("https://oapi.dingtalk.com/media/upload?access_token=x&type=file", ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	e := readDingErr(t, resp)
	if resp.StatusCode != http.StatusForbidden || e.Errcode != codePolicy {
		t.Errorf("status %d %+v, want 403 block", resp.StatusCode, e)
	}
	if len(h.up.requests()) != 0 {
		t.Error("upstream reached")
	}
}

// Audit failure: fail_mode closed blocks with a clear message, open forwards.
func TestAuditUnavailable(t *testing.T) {
	for _, tc := range []struct {
		mode     string
		status   int
		upstream int
	}{{"closed", 403, 0}, {"open", 200, 1}} {
		t.Run(tc.mode, func(t *testing.T) {
			h := newHarness(t, harnessConfig{spec: func(s *rules.Spec) {
				s.Global.FailMode = tc.mode
				// hkid-single logs (does not block) 1-2 HKIDs.
			}})
			h.rec.fail.Store(true)
			one, _ := hkidText(1)
			resp, err := h.client().Post(robotURL, "application/json", bytes.NewReader(robotJSON(one)))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			if tc.mode == "closed" && !strings.Contains(string(b), "audit log is unavailable") {
				t.Errorf("message %q", b)
			}
			if n := len(h.up.requests()); n != tc.upstream {
				t.Errorf("upstream saw %d, want %d", n, tc.upstream)
			}
		})
	}
}

// Bodies over max_inspect_bytes: blocked before reading (Content-Length),
// or once the limit is crossed (chunked); the connection is closed.
func TestOversizeBlocked(t *testing.T) {
	h := newHarness(t, harnessConfig{spec: func(s *rules.Spec) { s.Global.MaxInspectBytes = 100 << 10 }})
	big := strings.Repeat("a", 300<<10)
	for _, tc := range []struct {
		name    string
		chunked bool
	}{{"content-length", false}, {"chunked", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(big)
			if tc.chunked {
				body = io.MultiReader(strings.NewReader(big)) // hides the length
			}
			req, _ := http.NewRequest(http.MethodPut, "https://sh-dualstack.trans.dingtalk.com/put/2", body)
			resp, err := h.client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			e := readDingErr(t, resp)
			if resp.StatusCode != http.StatusForbidden || e.Errcode != codeOversize || !resp.Close {
				t.Errorf("status %d %+v close=%v", resp.StatusCode, e, resp.Close)
			}
		})
	}
	if len(h.up.requests()) != 0 {
		t.Error("upstream reached")
	}
	evs := h.rec.events()
	if len(evs) != 2 || evs[0].Rule != rules.RuleOversize || evs[0].BodyBytes != int64(len(big)) {
		t.Errorf("events %+v", evs)
	}
}

// Browsers get an HTML block page naming the rule, the event and a contact.
func TestBlockPageForBrowsers(t *testing.T) {
	h := newHarness(t, harnessConfig{opts: func(o *Options) { o.Contact = "it-security@example.hk" }})
	text, ids := hkidText(3)
	req, _ := http.NewRequest(http.MethodPost, "https://im.dingtalk.com/upload", strings.NewReader(text))
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	req.Header.Set("Content-Type", "text/plain")
	resp, err := h.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	ev := resp.Header.Get("X-Dlpgate-Event")
	if resp.StatusCode != 403 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page, "hkid-bulk") || !strings.Contains(page, ev) || !strings.Contains(page, "it-security@example.hk") ||
		!strings.Contains(page, "3 or more distinct HKID numbers") {
		t.Errorf("block page %d %q", resp.StatusCode, page)
	}
	for _, id := range ids {
		if strings.Contains(page, id) {
			t.Errorf("block page shows %s", id)
		}
	}
}

// Direct requests get the PAC file and the CA certificate; nothing else.
func TestPACAndCA(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + h.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, pac := get("/proxy.pac")
	if code != 200 || !strings.Contains(pac, `shExpMatch(host, "*.dingtalk.com")`) || !strings.Contains(pac, "PROXY "+h.addr) || !strings.Contains(pac, `return "DIRECT"`) {
		t.Errorf("PAC %d %q", code, pac)
	}
	code, pem := get("/ca.pem")
	if code != 200 || pem != string(h.ca.CertPEM) {
		t.Errorf("CA %d %q", code, pem)
	}
	if code, _ := get("/other"); code != 404 {
		t.Errorf("/other: %d", code)
	}
	// Through the proxy settings (absolute URL to ourselves): served, not looped.
	resp, err := h.client().Get("http://" + h.addr + "/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != string(h.ca.CertPEM) {
		t.Errorf("self request via proxy: %d %q", resp.StatusCode, b)
	}
}

// An upstream proxy setting that points at dlpgate itself is ignored.
func TestSelfUpstreamProxyIgnored(t *testing.T) {
	var h *harness
	h = newHarness(t, harnessConfig{opts: func(o *Options) {
		o.UpstreamProxy = &url.URL{Scheme: "http", Host: "placeholder"}
	}})
	h.srv.opts.UpstreamProxy.Host = h.addr
	u, err := h.srv.proxyFor(&url.URL{Scheme: "https", Host: "oapi.dingtalk.com"})
	if err != nil || u != nil {
		t.Errorf("proxyFor = %v, %v; want nil (self)", u, err)
	}
	h.srv.opts.UpstreamProxy.Host = "127.0.0.1:1"
	if u, _ := h.srv.proxyFor(&url.URL{Scheme: "https", Host: "oapi.dingtalk.com"}); u == nil {
		t.Error("a real parent proxy was dropped")
	}
}

// Tunnels through a parent proxy use CONNECT with its credentials.
func TestUpstreamProxyChaining(t *testing.T) {
	var got sync.Map
	parent := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store("auth", r.Header.Get("Proxy-Authorization"))
		got.Store("target", r.Host)
		http.Error(w, "no", http.StatusForbidden)
	})}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go parent.Serve(ln)
	defer parent.Close()
	h := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.UpstreamProxy = &url.URL{Scheme: "http", Host: "parent.corp:3128", User: url.UserPassword("svc", "pw")}
		o.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, ln.Addr().String())
		}
	}})
	resp, err := h.client().Get("https://www.example.org/")
	if err == nil {
		resp.Body.Close()
	}
	if v, _ := got.Load("target"); v != "www.example.org:443" {
		t.Errorf("parent saw CONNECT %v", v)
	}
	if v, _ := got.Load("auth"); v != "Basic "+basic("svc", "pw") {
		t.Errorf("parent saw auth %v", v)
	}
}

func TestRedactQuery(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"robot", "access_token=abc&timestamp=1&sign=xyz", "access_token=REDACTED&timestamp=REDACTED&sign=REDACTED"},
		{"keeps plain keys", "type=file&agent_id=12", "type=file&agent_id=12"},
		{"token-like keys", "refresh_token=a&ClientSecret=b&user_password=c&x=1", "refresh_token=REDACTED&ClientSecret=REDACTED&user_password=REDACTED&x=1"},
		{"escaped key", "access%5Ftoken=abc", "access%5Ftoken=REDACTED"},
		{"no value", "flag&sign", "flag&sign"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RedactQuery(tc.in); got != tc.want {
				t.Errorf("RedactQuery(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := redactText(`Post "https://oapi.dingtalk.com/robot/send?access_token=abc&x=1": EOF`); strings.Contains(got, "abc") {
		t.Errorf("redactText left the token: %s", got)
	}
}

var _ = x509.NewCertPool

type panicky struct{}

func (panicky) Classify(context.Context, []extract.Segment) []classifiers.Finding {
	panic("classifier bug")
}

// A panic while inspecting fails that request only; the proxy keeps serving
// and nothing goes upstream.
func TestPanicFailsRequestOnly(t *testing.T) {
	h := newHarness(t, harnessConfig{classifiers: panicky{}})
	for i := 0; i < 2; i++ {
		resp, err := h.client().Post(robotURL, "application/json", strings.NewReader(`{"text":{"content":"x"}}`))
		if err != nil {
			t.Fatal(err)
		}
		e := readDingErr(t, resp)
		if resp.StatusCode != http.StatusServiceUnavailable || e.Errcode != codeInspectFailed {
			t.Errorf("attempt %d: %d %+v", i, resp.StatusCode, e)
		}
	}
	if len(h.up.requests()) != 0 {
		t.Error("upstream reached")
	}
	waitEmpty(t, h.srv.spillDir)
}

// (i) with the real audit log: the JSON lines written for a blocked robot
// message hold the event but neither raw HKIDs nor token values.
func TestRealAuditLogHasNoSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	alog, err := audit.Open(audit.Options{Path: path, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer alog.Close(context.Background())
	h := newHarness(t, harnessConfig{opts: func(o *Options) { o.Recorder = alog }})
	text, ids := hkidText(4)
	const token = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
	req, _ := http.NewRequest(http.MethodPost, "https://oapi.dingtalk.com/robot/send?access_token="+token+"&timestamp=1700000000123&sign=abcSIGNdef",
		bytes.NewReader(robotJSON(text)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Acs-Dingtalk-Access-Token", "hdrSECRETvalue")
	resp, err := h.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	evID := resp.Header.Get("X-Dlpgate-Event")
	if resp.StatusCode != http.StatusForbidden || evID == "" {
		t.Fatalf("status %d", resp.StatusCode)
	}
	log, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(log, []byte(evID)) || !bytes.Contains(log, []byte("hkid-bulk")) {
		t.Errorf("event %s not in the audit log:\n%s", evID, log)
	}
	for _, secret := range append(ids, token, "1700000000123", "abcSIGNdef", "hdrSECRETvalue") {
		if bytes.Contains(log, []byte(secret)) {
			t.Errorf("audit log contains %q", secret)
		}
	}
}

// Endpoint actions: a blocked host is refused at CONNECT (and for plain
// HTTP), a path-scoped block or tunnel applies inside an inspected host.
func TestScopeActions(t *testing.T) {
	h := newHarness(t, harnessConfig{spec: func(s *rules.Spec) {
		s.Endpoints = append([]rules.EndpointSpec{
			{Name: "banned", Hosts: []string{"banned.example.net"}, Action: "block"},
			{Name: "health", Hosts: []string{"oapi.dingtalk.com"}, Paths: []string{"/health/*"}, Action: "tunnel"},
			{Name: "no-drive", Hosts: []string{"api.dingtalk.com"}, Paths: []string{"/v1.0/drive/*"}, Action: "block"},
		}, s.Endpoints...)
	}})
	bad, _ := hkidText(3)
	for _, tc := range []struct {
		name, url string
		status    int
		reached   bool
	}{
		{"blocked host over CONNECT", "https://banned.example.net/x", 0, false},
		{"blocked host over plain HTTP", "http://banned.example.net/x", 403, false},
		{"path-scoped tunnel forwards uninspected", "https://oapi.dingtalk.com/health/ping", 200, true},
		{"path-scoped block", "https://api.dingtalk.com/v1.0/drive/files", 403, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.up.requests()) + len(h.plain.requests())
			resp, err := h.client().Post(tc.url, "text/plain", strings.NewReader(bad))
			if tc.status == 0 {
				if err == nil || !strings.Contains(err.Error(), "Forbidden") {
					t.Errorf("CONNECT to a blocked host: %v", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
				}
			}
			after := len(h.up.requests()) + len(h.plain.requests())
			if (after > before) != tc.reached {
				t.Errorf("upstream reached: %v, want %v", after > before, tc.reached)
			}
		})
	}
	var rulesSeen []string
	for _, ev := range h.rec.events() {
		rulesSeen = append(rulesSeen, ev.Rule)
	}
	if strings.Join(rulesSeen, ",") != "scope:banned,scope:banned,scope:no-drive" {
		t.Errorf("audited rules %v", rulesSeen)
	}
}

// A client that does not trust dlpgate's CA (or pins) fails the handshake,
// and the failure is logged at warning level for the admin.
func TestPinnedClientHandshakeFailureLogged(t *testing.T) {
	var logs syncBuffer
	h := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}})
	c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(h.proxyURL()), TLSClientConfig: &tls.Config{RootCAs: h.upCA.Pool()}}}
	if _, err := c.Get("https://im.dingtalk.com/"); err == nil {
		t.Fatal("client without dlpgate's CA accepted the interception")
	}
	for i := 0; i < 100 && !strings.Contains(logs.String(), "TLS interception failed"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "TLS interception failed") || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("handshake failure not logged: %q", logs.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A client that disconnects in the middle of a body leaves nothing behind
// and does not disturb the proxy.
func TestClientDisconnectMidBody(t *testing.T) {
	h := newHarness(t, harnessConfig{opts: func(o *Options) { o.MemoryBudget = 16 << 10 }})
	for _, size := range []int{1000, 100 << 10} { // in memory, spilled
		raw, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(raw, "CONNECT oapi.dingtalk.com:443 HTTP/1.1\r\nHost: oapi.dingtalk.com:443\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(raw), nil); err != nil || resp.StatusCode != 200 {
			t.Fatal(resp, err)
		}
		conn := tls.Client(raw, &tls.Config{ServerName: "oapi.dingtalk.com", RootCAs: h.ca.Pool()})
		fmt.Fprintf(conn, "POST /robot/send HTTP/1.1\r\nHost: oapi.dingtalk.com\r\nContent-Length: %d\r\n\r\n%s", size, strings.Repeat("x", size/2))
		time.Sleep(50 * time.Millisecond)
		conn.Close()
	}
	waitEmpty(t, h.srv.spillDir)
	for i := 0; i < 100 && h.srv.inMem.Used() != 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := h.srv.inMem.Used(); n != 0 {
		t.Errorf("%d bytes still accounted in memory", n)
	}
	resp, err := h.client().Post(robotURL, "application/json", bytes.NewReader(robotJSON("still alive")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(h.up.requests()) != 1 {
		t.Errorf("after disconnects: status %d, upstream saw %d", resp.StatusCode, len(h.up.requests()))
	}
}

// Bodies under the per-body budget still spill when all held bodies
// together would exceed MemoryTotal; the accounting returns to zero.
func TestMemoryTotalSpills(t *testing.T) {
	h := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.MemoryBudget = 1 << 20
		o.MemoryTotal = 32 << 10
	}})
	for _, tc := range []struct {
		name    string
		size    int
		chunked bool
		spilled bool
	}{
		{"small fits", 8 << 10, false, false},
		{"over total", 64 << 10, false, true},
		{"chunked over total", 64 << 10, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spilled := make(chan string, 1)
			h.srv.testHookSpill = func(p string) { spilled <- p }
			var body io.Reader = strings.NewReader(strings.Repeat("y", tc.size))
			if tc.chunked {
				body = io.MultiReader(body)
			}
			resp, err := h.client().Post("https://api.dingtalk.com/v1.0/robot/oToMessages/batchSend", "text/plain", body)
			if err != nil {
				t.Fatal(err)
			}
			r := readReply(t, resp)
			if r.Bytes != int64(tc.size) {
				t.Errorf("upstream got %d bytes", r.Bytes)
			}
			select {
			case <-spilled:
				if !tc.spilled {
					t.Error("spilled a body that fits")
				}
			default:
				if tc.spilled {
					t.Error("not spilled")
				}
			}
			for i := 0; i < 100 && h.srv.inMem.Used() != 0; i++ {
				time.Sleep(10 * time.Millisecond)
			}
			if n := h.srv.inMem.Used(); n != 0 {
				t.Errorf("%d bytes still accounted", n)
			}
		})
	}
}

// A request inside an intercepted tunnel that names another host (which the
// scope would tunnel) is refused, not forwarded uninspected.
func TestHostMismatchInsideTunnelRefused(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	conn := h.tlsTunnel(t, "oapi.dingtalk.com")
	bad, _ := hkidText(3)
	fmt.Fprintf(conn, "POST /upload HTTP/1.1\r\nHost: exfil.example.org\r\nContent-Length: %d\r\n\r\n%s", len(bad), bad)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("status %d, want 421", resp.StatusCode)
	}
	if len(h.up.requests()) != 0 {
		t.Error("request forwarded")
	}
}

// oversize_action = log: a body over max_inspect_bytes goes upstream whole
// and byte-identical (uninspected), and the decision is audited.
func TestOversizeLoggedAndForwarded(t *testing.T) {
	h := newHarness(t, harnessConfig{spec: func(s *rules.Spec) {
		s.Global.MaxInspectBytes = 64 << 10
		s.Global.OversizeAction = "log"
	}})
	big := []byte(strings.Repeat("z", 200<<10))
	for _, tc := range []struct {
		name    string
		chunked bool
	}{{"content-length", false}, {"chunked", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(big)
			if tc.chunked {
				body = io.MultiReader(body)
			}
			resp, err := h.client().Post("https://sh-dualstack.trans.dingtalk.com/put/3", "application/octet-stream", body)
			if err != nil {
				t.Fatal(err)
			}
			if r := readReply(t, resp); r.SHA256 != sha(big) {
				t.Errorf("upstream got %d bytes, not the body", r.Bytes)
			}
		})
	}
	evs := h.rec.events()
	if len(evs) != 2 || evs[0].Action != "log" || evs[0].Rule != rules.RuleOversize {
		t.Errorf("events %+v", evs)
	}
}

// A raw PUT labelled as a form (what `curl --data-binary` sends for any
// file) is still read: a customer list in it is blocked and nothing goes
// upstream.
func TestFormLabelledRawUploadInspected(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	text, _ := hkidText(4)
	req, _ := http.NewRequest(http.MethodPut, "https://sh-dualstack.trans.dingtalk.com/upload/abc", strings.NewReader(text))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := h.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if e := readDingErr(t, resp); resp.StatusCode != http.StatusForbidden || e.Errcode != 403001 {
		t.Fatalf("status %d, %+v: want 403 403001", resp.StatusCode, e)
	}
	if n := len(h.up.requests()); n != 0 {
		t.Fatalf("upstream saw %d requests", n)
	}
}

// Data can leave in the URL: an in-scope request whose query holds a
// customer list is blocked even without a body, and no event or log line
// shows the query values in clear.
func TestQueryInspected(t *testing.T) {
	var logs syncBuffer
	h := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}})
	text, ids := hkidText(4)
	q := url.Values{"access_token": {"0123456789abcdef"}, "type": {"file"}, "content": {text}}
	resp, err := h.client().Get("https://oapi.dingtalk.com/chat/get?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if e := readDingErr(t, resp); resp.StatusCode != http.StatusForbidden || e.Errcode != 403001 {
		t.Fatalf("GET with HKIDs in the query: status %d %+v, want 403 403001", resp.StatusCode, e)
	}
	if n := len(h.up.requests()); n != 0 {
		t.Fatalf("upstream saw %d requests", n)
	}

	// One HKID in the query of a POST with a clean body: logged, forwarded,
	// the query masked in the event.
	q = url.Values{"access_token": {"0123456789abcdef"}, "note": {"HKID " + ids[0]}}
	resp, err = h.client().Post("https://oapi.dingtalk.com/robot/send?"+q.Encode(), "application/json", bytes.NewReader(robotJSON("hello")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST with one HKID in the query: status %d, want 200 (log)", resp.StatusCode)
	}

	// A harmless query passes without an event.
	before := len(h.rec.events())
	resp, err = h.client().Get("https://oapi.dingtalk.com/media/downloadFile?type=file&access_token=abc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(h.rec.events()) != before {
		t.Fatalf("harmless query: status %d, %d new events", resp.StatusCode, len(h.rec.events())-before)
	}

	evs := h.rec.events()
	if len(evs) < 2 {
		t.Fatalf("%d events, want the block and the log", len(evs))
	}
	raw, _ := os.ReadFile(h.rec.path)
	all := string(raw) + logs.String()
	for _, id := range ids {
		bare := strings.NewReplacer("(", "", ")", "").Replace(id)
		if strings.Contains(all, id) || strings.Contains(all, bare) || strings.Contains(all, url.QueryEscape(id)) {
			t.Fatalf("a raw HKID from the query reached the audit log or slog")
		}
	}
	if strings.Contains(all, "0123456789abcdef") {
		t.Fatal("access_token reached the audit log or slog")
	}
	if !strings.Contains(evs[0].Query, "content=REDACTED") || evs[0].Channel != "http-query" {
		t.Errorf("block event query %q channel %q", evs[0].Query, evs[0].Channel)
	}
}
