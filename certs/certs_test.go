package certs

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestCASaveLoad(t *testing.T) {
	dir := t.TempDir()
	ca, created, err := LoadOrCreate(dir, time.Now())
	if err != nil || !created {
		t.Fatalf("LoadOrCreate: created=%v err=%v", created, err)
	}
	if _, ok := ca.Cert.PublicKey.(*ecdsa.PublicKey); !ok || !ca.Cert.IsCA {
		t.Fatalf("CA is not an ECDSA CA: %T IsCA=%v", ca.Cert.PublicKey, ca.Cert.IsCA)
	}
	if d := ca.Cert.NotAfter.Sub(ca.Cert.NotBefore); d < 9*365*24*time.Hour {
		t.Errorf("CA validity %v, want ~10 years", d)
	}
	st, err := os.Stat(KeyPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v, want 0600", st.Mode().Perm())
	}
	again, created, err := LoadOrCreate(dir, time.Now())
	if err != nil || created {
		t.Fatalf("second LoadOrCreate: created=%v err=%v", created, err)
	}
	if !again.Cert.Equal(ca.Cert) || again.Fingerprint() != ca.Fingerprint() {
		t.Error("reloaded CA differs")
	}
	if err := ca.Save(dir, false); err == nil {
		t.Error("Save without force overwrote an existing key")
	}
	if err := ca.Save(dir, true); err != nil {
		t.Errorf("Save with force: %v", err)
	}
}

func TestLoadRefusesLooseKeyMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	if _, _, err := LoadOrCreate(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(KeyPath(dir), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil {
		t.Fatal("Load accepted a world-readable CA key")
	}
	if _, err := Load(t.TempDir()); !errors.Is(err, ErrNoCA) {
		t.Errorf("Load of empty dir: %v, want ErrNoCA", err)
	}
}

func TestLeafVerifiesForHost(t *testing.T) {
	ca, err := New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	is := NewIssuer(ca, 8)
	for _, tc := range []struct{ name, host, verify string }{
		{"dns", "oapi.dingtalk.com", "oapi.dingtalk.com"},
		{"dns with port", "api.dingtalk.com:443", "api.dingtalk.com"},
		{"ipv4", "127.0.0.1", "127.0.0.1"},
		{"ipv6", "[::1]:443", "::1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := is.Certificate(tc.host)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := c.PrivateKey.(*ecdsa.PrivateKey); !ok {
				t.Errorf("leaf key %T, want ECDSA", c.PrivateKey)
			}
			if d := c.Leaf.NotAfter.Sub(c.Leaf.NotBefore); d > 8*24*time.Hour {
				t.Errorf("leaf validity %v, want short", d)
			}
			if _, err := c.Leaf.Verify(x509.VerifyOptions{DNSName: tc.verify, Roots: ca.Pool()}); err != nil {
				t.Errorf("verify: %v", err)
			}
			if _, err := c.Leaf.Verify(x509.VerifyOptions{DNSName: "evil.example", Roots: ca.Pool()}); err == nil {
				t.Error("leaf verified for another host")
			}
		})
	}
}

// TestConcurrentFirstRequestsIssueOnce: a burst of handshakes to one new host
// must sign one certificate, not one per connection.
func TestConcurrentFirstRequestsIssueOnce(t *testing.T) {
	ca, err := New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	is := NewIssuer(ca, 8)
	var wg sync.WaitGroup
	certs := make([]*tls.Certificate, 50)
	for i := range certs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := is.Certificate("oapi.dingtalk.com")
			if err != nil {
				t.Error(err)
			}
			certs[i] = c
		}()
	}
	wg.Wait()
	if n := is.Signed(); n != 1 {
		t.Errorf("signed %d certificates, want 1", n)
	}
	for _, c := range certs[1:] {
		if c != certs[0] {
			t.Fatal("callers got different certificates")
		}
	}
}

func TestLRUBoundAndRenewal(t *testing.T) {
	ca, err := New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	is := NewIssuer(ca, 2)
	for _, h := range []string{"a.example", "b.example", "c.example"} {
		if _, err := is.Certificate(h); err != nil {
			t.Fatal(err)
		}
	}
	if is.Len() != 2 {
		t.Errorf("cache holds %d, want 2", is.Len())
	}
	is.Certificate("c.example") // cached
	if is.Signed() != 3 {
		t.Errorf("signed %d, want 3", is.Signed())
	}
	is.Certificate("a.example") // evicted: signed again
	if is.Signed() != 4 {
		t.Errorf("signed %d after eviction, want 4", is.Signed())
	}
	// Close to expiry the cached leaf is renewed.
	is.now = func() time.Time { return time.Now().Add(leafValidity - time.Hour) }
	is.Certificate("a.example")
	if is.Signed() != 5 {
		t.Errorf("signed %d after expiry, want 5", is.Signed())
	}
}

func TestTLSConfigUsesSNI(t *testing.T) {
	ca, err := New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	is := NewIssuer(ca, 8)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", is.TLSConfig("fallback.example"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	for _, sni := range []string{"im.dingtalk.com", ""} {
		want := sni
		if want == "" {
			want = "fallback.example"
		}
		conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{ServerName: want, RootCAs: ca.Pool()})
		if sni == "" {
			// Dial by IP without SNI: the fallback host must be on the leaf.
			raw, err2 := net.Dial("tcp", ln.Addr().String())
			if err2 != nil {
				t.Fatal(err2)
			}
			tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
			if err2 := tc.Handshake(); err2 != nil {
				t.Fatal(err2)
			}
			if got := tc.ConnectionState().PeerCertificates[0].DNSNames; len(got) != 1 || got[0] != want {
				t.Errorf("no-SNI leaf names %v, want %s", got, want)
			}
			tc.Close()
		}
		if err != nil {
			t.Errorf("SNI %q: %v", sni, err)
			continue
		}
		conn.Close()
	}
}
