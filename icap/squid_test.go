package icap

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCA is a throwaway CA for the Squid test: one for Squid's ssl-bump,
// one for the stand-in DingTalk server.
type testCA struct {
	cert    *x509.Certificate
	key     *rsa.PrivateKey
	certPEM []byte
	keyPEM  []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name, Organization: []string{"dlpgate test"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})}
}

func (ca *testCA) leaf(t *testing.T, host string) tls.Certificate {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host},
		DNSNames: []string{host}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// standIn stands in for oapi.dingtalk.com: it records every body it gets.
type standIn struct {
	mu   sync.Mutex
	sums []string
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	n, _ := io.Copy(h, r.Body)
	sum := hex.EncodeToString(h.Sum(nil))
	s.mu.Lock()
	s.sums = append(s.sums, sum)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","sha256":%q,"bytes":%d}`, sum, n)
}

func (s *standIn) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sums...)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestSquidSSLBumpICAP runs the real Squid in front of dlpgate's ICAP
// server: Squid bumps TLS to a stand-in oapi.dingtalk.com with its own CA
// and hands every request to dlpgate (reqmod_precache, bypass=off). A clean
// upload arrives byte-identical; an HKID list is blocked with dlpgate's
// answer and never reaches the stand-in; the event names the client address
// Squid passed in X-Client-IP (the client dials from 127.0.0.2, Squid talks
// ICAP from 127.0.0.1) and the user Squid authenticated (base64 in
// X-Authenticated-User).
func TestSquidSSLBumpICAP(t *testing.T) {
	squid, err := exec.LookPath("squid")
	if err != nil {
		t.Skip("SKIPPED LOUDLY: squid is not installed (Debian: apt-get install squid-openssl); the Squid ssl-bump + ICAP test did not run")
	}
	certgen := ""
	for _, p := range []string{"/usr/lib/squid/security_file_certgen", "/usr/lib64/squid/security_file_certgen", "/usr/libexec/squid/security_file_certgen"} {
		if _, err := os.Stat(p); err == nil {
			certgen = p
			break
		}
	}
	if certgen == "" {
		t.Skip("SKIPPED LOUDLY: squid is installed without security_file_certgen (need squid-openssl for ssl-bump)")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(certgen), "basic_fake_auth")); err != nil {
		t.Skip("SKIPPED LOUDLY: squid is installed without its basic_fake_auth helper")
	}
	if out, _ := exec.Command(squid, "-v").CombinedOutput(); !bytes.Contains(out, []byte("openssl")) && !bytes.Contains(out, []byte("ssl-crtd")) {
		t.Skip("SKIPPED LOUDLY: this squid is built without OpenSSL (need squid-openssl for ssl-bump)")
	}

	// A world-traversable work dir: Squid started as root runs as "proxy".
	dir, err := os.MkdirTemp("", "dlpgate-squid-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)

	bumpCA, upCA := newTestCA(t, "squid bump CA"), newTestCA(t, "stand-in DingTalk CA")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "bump.pem"), append(append([]byte{}, bumpCA.certPEM...), bumpCA.keyPEM...), 0o644))
	must(os.WriteFile(filepath.Join(dir, "upstream-ca.pem"), upCA.certPEM, 0o644))
	must(os.WriteFile(filepath.Join(dir, "hosts"), []byte("127.0.0.1 oapi.dingtalk.com\n"), 0o644))

	// The stand-in DingTalk server.
	si := &standIn{}
	sln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	hs := &http.Server{Handler: si, TLSConfig: &tls.Config{Certificates: []tls.Certificate{upCA.leaf(t, "oapi.dingtalk.com")}}}
	go hs.ServeTLS(sln, "", "")
	t.Cleanup(func() { hs.Close() })
	upPort := sln.Addr().(*net.TCPAddr).Port

	// dlpgate's ICAP server.
	s, rec := startServer(t, nil)

	// Squid.
	ssldb := filepath.Join(dir, "ssl_db")
	if out, err := exec.Command(certgen, "-c", "-s", ssldb, "-M", "4MB").CombinedOutput(); err != nil {
		t.Fatalf("security_file_certgen -c: %v\n%s", err, out)
	}
	runAs, uid, gid := "", -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("proxy")
		if err != nil {
			t.Skip("SKIPPED LOUDLY: running as root and there is no 'proxy' user for Squid to run as")
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		runAs = "cache_effective_user proxy\n"
	}
	port := freePort(t)
	conf := fmt.Sprintf(`# dlpgate test: Squid ssl-bump with dlpgate as the ICAP REQMOD service
http_port 127.0.0.1:%[1]d ssl-bump tls-cert=%[2]s/bump.pem generate-host-certificates=on dynamic_cert_mem_cache_size=4MB
sslcrtd_program %[3]s -s %[4]s -M 4MB
sslcrtd_children 2 startup=1 idle=1
acl step1 at_step SslBump1
ssl_bump peek step1
ssl_bump bump all
tls_outgoing_options cafile=%[2]s/upstream-ca.pem
auth_param basic program %[8]s
auth_param basic realm dlpgate-test
acl clients src 127.0.0.0/8
acl authed proxy_auth REQUIRED
acl SSL_ports port %[6]d
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
http_access deny !authed
http_access allow clients
http_access deny all
icap_enable on
icap_send_client_ip on
icap_send_client_username on
icap_client_username_encode on
icap_service dlpgate_req reqmod_precache icap://127.0.0.1:%[5]s/reqmod bypass=off
adaptation_access dlpgate_req allow all
hosts_file %[2]s/hosts
dns_nameservers 127.0.0.1
cache deny all
cache_mem 4 MB
pid_filename %[2]s/squid.pid
cache_log %[2]s/cache.log
access_log stdio:%[2]s/access.log
coredump_dir %[2]s
netdb_filename none
shutdown_lifetime 0 seconds
%[7]s`, port, dir, certgen, ssldb, strings.Split(s.Addr(), ":")[1], upPort, runAs, filepath.Join(filepath.Dir(certgen), "basic_fake_auth"))
	must(os.WriteFile(filepath.Join(dir, "squid.conf"), []byte(conf), 0o644))
	if uid >= 0 {
		// Squid's helpers and logs run as "proxy": hand it the work dir.
		filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, uid, gid) })
	}
	cmd := exec.Command(squid, "-N", "-f", filepath.Join(dir, "squid.conf"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	must(cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "cache.log"))
			t.Logf("squid output:\n%s\ncache.log:\n%s", out.String(), log)
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("squid did not start listening: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A client through Squid, trusting Squid's bump CA, dialling from 127.0.0.2.
	roots := x509.NewCertPool()
	roots.AddCert(bumpCA.cert)
	// Squid authenticates the user (basic_fake_auth accepts any password)
	// and passes the name to dlpgate base64-encoded.
	proxyURL, _ := url.Parse(fmt.Sprintf("http://alice.chan:pw@127.0.0.1:%d", port))
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
		Proxy: http.ProxyURL(proxyURL), DialContext: dialer.DialContext,
		TLSClientConfig: &tls.Config{RootCAs: roots},
	}}
	target := fmt.Sprintf("https://oapi.dingtalk.com:%d/robot/send?access_token=t0ken", upPort)

	clean := cleanBody(300 << 10)
	resp, err := client.Post(target, "text/plain", bytes.NewReader(clean))
	must(err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := sha256.Sum256(clean)
	var reply struct {
		SHA256 string `json:"sha256"`
		Bytes  int    `json:"bytes"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &reply) != nil || reply.SHA256 != hex.EncodeToString(want[:]) {
		t.Fatalf("clean upload through Squid: %d %q", resp.StatusCode, body)
	}

	// The same clean body with no length (HTTP chunked from the client).
	resp, err = client.Post(target, "text/plain", io.MultiReader(bytes.NewReader(clean[:1000]), bytes.NewReader(clean[1000:])))
	must(err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || json.Unmarshal(body, &reply) != nil || reply.SHA256 != hex.EncodeToString(want[:]) {
		t.Fatalf("chunked clean upload through Squid: %d %q", resp.StatusCode, body)
	}

	bad := append(badBody(), cleanBody(50<<10)...)
	resp, err = client.Post(target, "text/plain", bytes.NewReader(bad))
	must(err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var e struct {
		Errcode int    `json:"errcode"`
		Errmsg  string `json:"errmsg"`
	}
	if resp.StatusCode != 403 || json.Unmarshal(body, &e) != nil || e.Errcode != 403001 || !strings.Contains(e.Errmsg, "hkid-bulk") {
		t.Fatalf("HKID upload through Squid: %d %q", resp.StatusCode, body)
	}
	if n := len(si.seen()); n != 2 {
		t.Errorf("stand-in saw %d requests, want only the two clean ones", n)
	}
	evs := rec.events()
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.ClientIP != "127.0.0.2" || ev.User != "alice.chan" || ev.Action != "block" || ev.Host != "oapi.dingtalk.com" || ev.Path != "/robot/send" ||
		!strings.Contains(e.Errmsg, ev.ID) || strings.Contains(ev.Query, "t0ken") {
		t.Errorf("event: client %q user %q action %q host %q path %q query %q id %q", ev.ClientIP, ev.User, ev.Action, ev.Host, ev.Path, ev.Query, ev.ID)
	}
}
