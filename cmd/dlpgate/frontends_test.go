package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHTTP(t *testing.T, url string) *http.Response {
	t.Helper()
	for range 300 {
		resp, err := http.Get(url)
		if err == nil {
			return resp
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
	return nil
}

// icapBlockRoundTrip sends one REQMOD with an HKID list from X-Client-IP
// 10.9.8.7 and returns the ICAP status line.
func icapBlockRoundTrip(t *testing.T, addr string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	body := "Customer list\n" + testgen.HKIDList(5)
	hdr := fmt.Sprintf("POST https://oapi.dingtalk.com/robot/send HTTP/1.1\r\nHost: oapi.dingtalk.com\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n", len(body))
	fmt.Fprintf(c, "REQMOD icap://%s/reqmod ICAP/1.0\r\nHost: x\r\nAllow: 204\r\nX-Client-IP: 10.9.8.7\r\nEncapsulated: req-hdr=0, req-body=%d\r\n\r\n%s%x\r\n%s\r\n0\r\n\r\n",
		addr, len(hdr), hdr, len(body), body)
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}

// TestRunServesICAPAndAdmin: `dlpgate run` with [icap] and [admin] set
// serves ICAP beside the proxy, records ICAP blocks in the same audit log,
// and the admin listener reports readiness and the counts.
func TestRunServesICAPAndAdmin(t *testing.T) {
	dir := t.TempDir()
	proxyAddr, icapAddr, adminAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	cfg := writeFile(t, "c.toml", fmt.Sprintf("[icap]\nlisten = %q\n[admin]\nlisten = %q\n[audit]\ninstance_id = \"egress-a\"\n", icapAddr, adminAddr))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var stdout, stderr bytes.Buffer
	go func() {
		done <- cmdRun(ctx, []string{"--listen", proxyAddr, "--data-dir", dir, "--config", cfg, "--log-level", "warn"}, &stdout, &stderr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	}()
	resp := waitHTTP(t, "http://"+adminAddr+"/readyz")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "ca: ok") || !strings.Contains(string(b), "policy: ok") || !strings.Contains(string(b), "audit: ok") {
		t.Fatalf("/readyz %d %q", resp.StatusCode, b)
	}
	if line := icapBlockRoundTrip(t, icapAddr); !strings.HasPrefix(line, "ICAP/1.0 200") {
		t.Fatalf("ICAP answer %q", line)
	}
	resp, err := http.Get("http://" + adminAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`dlpgate_requests_total{decision="block",endpoint="dingtalk-robot",front_end="icap"} 1`,
		`dlpgate_rules_fired_total{rule="hkid-bulk"} 1`,
		`dlpgate_inspect_duration_seconds_count{front_end="icap"} 2`, // the places, then the body
		`dlpgate_audit_records_total 1`,
		`dlpgate_leaf_certs_issued_total 0`,
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	ev, err := os.ReadFile(filepath.Join(dir, "events.jsonl"))
	if err != nil || !bytes.Contains(ev, []byte(`"10.9.8.7"`)) || !bytes.Contains(ev, []byte(`"egress-a"`)) || !bytes.Contains(ev, []byte(`"icap"`)) {
		t.Errorf("audit log: %v %s", err, ev)
	}
	// Readiness follows the audit log: gone, not ready.
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	os.Rename(filepath.Join(dir, "events.jsonl"), filepath.Join(t.TempDir(), "moved"))
	if os.Geteuid() != 0 { // root ignores the permission bits
		resp, _ = http.Get("http://" + adminAddr + "/readyz")
		if resp.StatusCode != 503 {
			t.Errorf("/readyz with the audit log gone: %d", resp.StatusCode)
		}
		resp.Body.Close()
	}
}

// TestICAPCommandAlone: `dlpgate icap` serves ICAP without a proxy.
func TestICAPCommandAlone(t *testing.T) {
	dir := t.TempDir()
	icapAddr, adminAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var stdout, stderr bytes.Buffer
	go func() {
		done <- dispatch(ctx, []string{"icap", "--icap-listen", icapAddr, "--admin-listen", adminAddr, "--data-dir", dir, "--log-level", "warn"}, &stdout, &stderr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	}()
	resp := waitHTTP(t, "http://"+adminAddr+"/readyz")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(string(b), "ca:") {
		t.Errorf("/readyz of dlpgate icap: %d %q", resp.StatusCode, b)
	}
	if line := icapBlockRoundTrip(t, icapAddr); !strings.HasPrefix(line, "ICAP/1.0 200") {
		t.Errorf("ICAP answer %q", line)
	}
}

func TestServicePrint(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"service", "print", "systemd"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "ProtectSystem=strict") {
		t.Errorf("service print systemd: %d %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := dispatch(context.Background(), []string{"service", "print", "nope"}, &out, &errb); code != 2 {
		t.Errorf("unknown kind: exit %d", code)
	}
}
