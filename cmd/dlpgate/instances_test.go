package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/certs"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

// syslogCollector stands in for the SIEM: one UDP listener both instances ship to.
type syslogCollector struct {
	pc   net.PacketConn
	mu   sync.Mutex
	msgs []string
}

func newCollector(t *testing.T) *syslogCollector {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &syslogCollector{pc: pc}
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, string(buf[:n]))
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() { pc.Close() })
	return c
}

func (c *syslogCollector) waitFor(t *testing.T, subs ...string) {
	t.Helper()
	for range 250 {
		c.mu.Lock()
		all := strings.Join(c.msgs, "\n")
		c.mu.Unlock()
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(all, s)
		}
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("collector never got %q", subs)
}

type instance struct {
	addr, dir string
	cancel    context.CancelFunc
	done      chan int
	stderr    *bytes.Buffer
}

func (in *instance) stop(t *testing.T) {
	t.Helper()
	if in.cancel == nil {
		return
	}
	in.cancel()
	if code := <-in.done; code != 0 {
		t.Errorf("instance %s exit %d: %s", in.addr, code, in.stderr)
	}
	in.cancel = nil
}

// postVia sends an upload the way a browser follows "PROXY a; PROXY b":
// the first proxy that accepts the connection carries it.
func postVia(t *testing.T, proxies []string, roots *x509.CertPool, target, body string) (*http.Response, string) {
	t.Helper()
	for _, p := range proxies {
		pu, _ := url.Parse("http://" + p)
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: roots}}}
		resp, err := c.Post(target, "text/plain", strings.NewReader(body))
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				continue // that proxy is down: fail over
			}
			t.Fatalf("via %s: %v", p, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b) + " via " + p
	}
	t.Fatalf("no proxy of %v answered", proxies)
	return nil, ""
}

// TestTwoInstancesPACFailover: two instances share one CA and one policy
// file, each with its own data dir (its own hash chain), both shipping to
// one syslog collector. /proxy.pac on either names both; when the first
// goes down uploads fail over to the second, still inspected. `log verify`
// checks both chains from the files given together, `log report` sums them.
func TestTwoInstancesPACFailover(t *testing.T) {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, "")
	}
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","bytes":%d}`, n)
	}))
	defer up.Close()
	upCA := writeFile(t, "up.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw})))
	col := newCollector(t)

	// One CA for both: created once, copied to the second data dir.
	dirA, dirB := t.TempDir(), t.TempDir()
	ca, _, err := certs.LoadOrCreate(dirA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []func(string) string{certs.CertPath, certs.KeyPath} {
		b, err := os.ReadFile(p(dirA))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p(dirB), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	a, b := &instance{addr: freeAddr(t), dir: dirA}, &instance{addr: freeAddr(t), dir: dirB}
	policy := writeFile(t, "dlpgate.toml", fmt.Sprintf(`[proxy]
upstream_ca_file = %q
pac_proxies = [%q, %q]
allow_private = ["127.0.0.1/32"]   # the stand-in DingTalk is on loopback
[admin]
listen = ""
[[audit.syslog]]
name = "siem"
network = "udp"
address = %q
format = "rfc5424"
[[endpoints]]
name = "test"
hosts = ["127.0.0.1"]
action = "inspect"
`, upCA, a.addr, b.addr, col.pc.LocalAddr().String()))
	for _, in := range []*instance{a, b} {
		ctx, cancel := context.WithCancel(context.Background())
		in.cancel, in.done, in.stderr = cancel, make(chan int, 1), &bytes.Buffer{}
		name := "egress-a"
		if in == b {
			name = "egress-b"
		}
		go func() {
			in.done <- cmdRun(ctx, []string{"--listen", in.addr, "--data-dir", in.dir, "--config", policy, "--instance", name, "--log-level", "warn"}, io.Discard, in.stderr)
		}()
		defer in.stop(t)
	}
	wantPAC := fmt.Sprintf(`if (shExpMatch(host, "127.0.0.1")) return "PROXY %s; PROXY %s";`, a.addr, b.addr)
	for _, in := range []*instance{a, b} {
		resp := waitHTTP(t, "http://"+in.addr+"/proxy.pac")
		pac, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(pac), wantPAC) {
			t.Errorf("PAC of %s does not name both instances in order: %s", in.addr, pac)
		}
	}
	roots := ca.Pool()
	proxies := []string{a.addr, b.addr}
	target := up.URL + "/robot/send"
	bad := "Customer list\n" + testgen.HKIDList(5)

	resp, body := postVia(t, proxies, roots, target, bad)
	if resp.StatusCode != 403 || !strings.Contains(body, "via "+a.addr) {
		t.Fatalf("HKID upload with both up: %d %s", resp.StatusCode, body)
	}
	if resp, body := postVia(t, proxies, roots, target, "meeting at 3pm"); resp.StatusCode != 200 {
		t.Fatalf("clean upload with both up: %d %s", resp.StatusCode, body)
	}
	a.stop(t)
	resp, body = postVia(t, proxies, roots, target, bad)
	if resp.StatusCode != 403 || !strings.Contains(body, "via "+b.addr) {
		t.Fatalf("HKID upload after failover: %d %s", resp.StatusCode, body)
	}
	if resp, body := postVia(t, proxies, roots, target, "meeting at 4pm"); resp.StatusCode != 200 || !strings.Contains(body, "via "+b.addr) {
		t.Fatalf("clean upload after failover: %d %s", resp.StatusCode, body)
	}
	col.waitFor(t, `"name":"egress-a"`, `"name":"egress-b"`, "hkid-bulk")
	b.stop(t)

	files := []string{filepath.Join(dirA, "events.jsonl"), filepath.Join(dirB, "events.jsonl")}
	var out, errb bytes.Buffer
	if code := cmdLog(context.Background(), append([]string{"verify"}, files...), &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "instance egress-a: ok: 1 records") || !strings.Contains(out.String(), "instance egress-b: ok: 1 records") {
		t.Errorf("log verify over both: exit %d\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := cmdLog(context.Background(), append([]string{"report", "--tz", "UTC"}, files...), &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "2 events") || !strings.Contains(out.String(), "hkid-bulk") {
		t.Errorf("log report over both: exit %d\n%s%s", code, out.String(), errb.String())
	}
	// A record edited in one instance's file fails that chain only.
	raw, _ := os.ReadFile(files[0])
	tampered := writeFile(t, "a.jsonl", strings.Replace(string(raw), `"POST"`, `"GET"`, 1))
	out.Reset()
	if code := cmdLog(context.Background(), []string{"verify", tampered, files[1]}, &out, &errb); code != 1 ||
		!strings.Contains(out.String(), "instance egress-a: FAIL") || !strings.Contains(out.String(), "instance egress-b: ok") {
		t.Errorf("log verify with egress-a tampered: exit %d\n%s", code, out.String())
	}
}
