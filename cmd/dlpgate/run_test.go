package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/certs"
)

func TestRunRefusesOpenProxy(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"flag", []string{"--listen", "0.0.0.0:0"}},
		{"config", []string{"--config", writeFile(t, "c.toml", "[proxy]\nlisten = \"0.0.0.0:0\"\n")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append(tc.args, "--data-dir", t.TempDir())
			if code := cmdRun(context.Background(), args, &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), "allow_clients") {
				t.Errorf("message %q does not say how to fix it", stderr.String())
			}
		})
	}
}

func writeFile(t *testing.T, name, text string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunServes starts the real command: first start creates the CA and
// prints how to trust it, the proxy serves /ca.pem and intercepts with that
// CA, and cancelling the context stops it cleanly.
func TestRunServes(t *testing.T) {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, "")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	// The intercepted "upstream" is a closed loopback port: no DNS, no
	// traffic leaving the machine, and a fast refusal.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := "https://" + closed.Addr().String()
	closed.Close()
	// The stand-in upstream is on loopback, which dlpgate refuses by default.
	cfg := writeFile(t, "c.toml", "[proxy]\nallow_private = [\"127.0.0.1/32\"]\n[[endpoints]]\nname = \"test\"\nhosts = [\"127.0.0.1\"]\naction = \"inspect\"\n")
	go func() {
		done <- cmdRun(ctx, []string{"--listen", addr, "--data-dir", dir, "--config", cfg, "--log-level", "warn"}, &stdout, &stderr)
	}()

	var pem []byte
	for i := 0; i < 200; i++ {
		resp, err := http.Get("http://" + addr + "/ca.pem")
		if err == nil {
			pem, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	ca, err := certs.Load(dir)
	if err != nil {
		t.Fatalf("CA not created: %v (stderr %s)", err, stderr.String())
	}
	if string(pem) != string(ca.CertPEM) {
		t.Errorf("/ca.pem served %q", pem)
	}
	// An intercepted host presents a leaf from that CA (the upstream is
	// unreachable here, so the answer is a 502, not a hang).
	c := &http.Client{Timeout: 40 * time.Second, Transport: &http.Transport{
		Proxy:           http.ProxyURL(&url.URL{Scheme: "http", Host: addr}),
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool()},
	}}
	resp, err := c.Post(target+"/robot/send", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatalf("through dlpgate: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502 for an unreachable upstream", resp.StatusCode)
	}
	// Hot reload: the host becomes blocked without a restart.
	if err := os.WriteFile(cfg, []byte("[proxy]\nallow_private = [\"127.0.0.1/32\"]\n[[endpoints]]\nname = \"test\"\nhosts = [\"127.0.0.1\"]\naction = \"block\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	blocked := false
	for i := 0; i < 100 && !blocked; i++ {
		time.Sleep(50 * time.Millisecond)
		c.CloseIdleConnections()
		_, err := c.Get(target + "/")
		blocked = err != nil && strings.Contains(err.Error(), "Forbidden")
	}
	if !blocked {
		t.Error("reloaded policy (host blocked) not applied")
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
	out := stdout.String()
	for _, want := range []string{certs.CertPath(dir), "update-ca-certificates", "security add-trusted-cert", "certutil", "curl --proxy http://" + addr} {
		if !strings.Contains(out, want) {
			t.Errorf("first-start help lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "events.jsonl")); err != nil {
		t.Errorf("audit log not opened in the data dir: %v", err)
	}
}

func TestCAInitExport(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (int, string, string) {
		var o, e bytes.Buffer
		code := cmdCA(context.Background(), append(args, "--data-dir", dir), &o, &e)
		return code, o.String(), e.String()
	}
	if code, _, errOut := run("export"); code != 1 || !strings.Contains(errOut, "ca init") {
		t.Errorf("export without CA: %d %q", code, errOut)
	}
	if code, out, _ := run("init"); code != 0 || !strings.Contains(out, certs.CertPath(dir)) {
		t.Fatalf("init: %d %q", code, out)
	}
	code, pem1, _ := run("export")
	if code != 0 || !strings.HasPrefix(pem1, "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("export: %d %q", code, pem1)
	}
	if code, _, errOut := run("init"); code != 1 || !strings.Contains(errOut, "--force") {
		t.Errorf("second init: %d %q", code, errOut)
	}
	if code, _, _ := run("init", "--force"); code != 0 {
		t.Errorf("init --force: %d", code)
	}
	if _, pem2, _ := run("export"); pem2 == pem1 {
		t.Error("--force kept the old CA")
	}
	if code, _, _ := run("bogus"); code != 2 {
		t.Errorf("unknown subcommand: %d", code)
	}
}
