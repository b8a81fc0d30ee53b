package proxy

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, c *http.Client, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// The onboarding page is served at the proxy's own address and at
// http://dlpgate.local/ through the proxy (never forwarded), and every CA
// download is the proxy's CA in its platform's form.
func TestOnboardingPageAndDownloads(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	direct := &http.Client{Timeout: 10 * time.Second}
	via := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(h.proxyURL())}}
	for _, tc := range []struct {
		name string
		c    *http.Client
		base string
	}{{"direct", direct, "http://" + h.addr}, {"magic host", via, "http://" + OnboardingHost}} {
		t.Run(tc.name, func(t *testing.T) {
			resp, page := get(t, tc.c, tc.base+"/")
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			for _, want := range []string{
				"Data-loss prevention for DingTalk", "oapi.dingtalk.com", "*.dingtalk.com",
				fingerprintColons(h.ca.Cert.Raw), "http://" + h.addr + "/proxy.pac",
				`href="/ca.pem"`, `href="/ca.crt"`, `href="/dlpgate.mobileconfig"`,
				"certutil -d sql:$HOME/.pki/nssdb", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "keytool -importcert",
				"update-ca-certificates", "update-ca-trust", "Group Policy", "SSL_CERT_FILE",
			} {
				if !strings.Contains(string(page), want) {
					t.Errorf("page lacks %q", want)
				}
			}

			_, p := get(t, tc.c, tc.base+"/ca.pem")
			blk, _ := pem.Decode(p)
			if blk == nil || !bytes.Equal(blk.Bytes, h.ca.Cert.Raw) {
				t.Error("ca.pem is not the proxy's CA")
			}
			resp, der := get(t, tc.c, tc.base+"/ca.crt")
			if c, err := x509.ParseCertificate(der); err != nil || !c.Equal(h.ca.Cert) || !c.IsCA {
				t.Errorf("ca.crt: %v", err)
			}
			if !strings.Contains(resp.Header.Get("Content-Disposition"), "dlpgate-ca.crt") {
				t.Errorf("ca.crt disposition %q", resp.Header.Get("Content-Disposition"))
			}
			resp, mc := get(t, tc.c, tc.base+"/dlpgate.mobileconfig")
			if resp.Header.Get("Content-Type") != "application/x-apple-aspen-config" {
				t.Errorf("mobileconfig type %q", resp.Header.Get("Content-Type"))
			}
			var plist struct {
				Data []string `xml:"dict>array>dict>data"`
			}
			if err := xml.Unmarshal(mc, &plist); err != nil || len(plist.Data) != 1 {
				t.Fatalf("mobileconfig: %v %v", err, plist)
			}
			if raw, err := base64.StdEncoding.DecodeString(plist.Data[0]); err != nil || !bytes.Equal(raw, h.ca.Cert.Raw) {
				t.Error("mobileconfig payload is not the proxy's CA")
			}
			if !bytes.Contains(mc, []byte("<string>com.apple.security.root</string>")) {
				t.Error("mobileconfig lacks the root certificate payload type")
			}
		})
	}
	if n := len(h.plain.requests()) + len(h.up.requests()); n != 0 {
		t.Errorf("the magic host was forwarded upstream (%d requests)", n)
	}
	if again := mobileconfig(h.ca.Cert.Raw); !bytes.Equal(again, mobileconfig(h.ca.Cert.Raw)) {
		t.Error("mobileconfig is not stable for one CA")
	}
}

// TestOnboardingPageInChromium opens http://dlpgate.local/ in headless
// Chromium through the proxy and checks the rendered page: its text (DOM)
// and a screenshot showing the header and the download buttons.
func TestOnboardingPageInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("DLPGATE_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("chromium not found but DLPGATE_REQUIRE_CHROMIUM=1: %v", err)
		}
		t.Skip("chromium not installed (apt-get install chromium); set DLPGATE_REQUIRE_CHROMIUM=1 to make this a failure")
	}
	h := newHarness(t, harnessConfig{})
	dir := t.TempDir()
	run := func(extra ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
			"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--hide-scrollbars", "--user-data-dir=" + filepath.Join(dir, "profile"),
			"--proxy-server=http://" + h.addr, "--window-size=1200,1400"}, extra...)
		args = append(args, "http://"+OnboardingHost+"/")
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium: %v\n%s", err, errb.String())
		}
		return out.Bytes()
	}
	dom := string(run("--dump-dom"))
	for _, want := range []string{"Download the dlpgate CA certificate", "dlpgate.mobileconfig", "oapi.dingtalk.com", fingerprintColons(h.ca.Cert.Raw)} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	shot := filepath.Join(dir, "onboard.png")
	run("--screenshot=" + shot)
	if p := os.Getenv("DLPGATE_KEEP_SCREENSHOT"); p != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(p, b, 0o644)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	near := func(want color.RGBA) func(color.RGBA) bool {
		return func(c color.RGBA) bool {
			d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
			return d(c.R, want.R) < 12 && d(c.G, want.G) < 12 && d(c.B, want.B) < 12
		}
	}
	header := countColor(img, image.Rect(0, 0, b.Dx(), 60), near(color.RGBA{0x1f, 0x4e, 0x79, 255}))
	if header < b.Dx()*30 {
		t.Errorf("header band not drawn: %d blue pixels", header)
	}
	if green := countColor(img, b, near(color.RGBA{0x2e, 0x7d, 0x32, 255})); green < 2000 {
		t.Errorf("download button not drawn: %d green pixels", green)
	}
	// Chromium's own background requests go through the proxy too; the
	// magic host must not be among what reached the stand-ins.
	for _, r := range append(h.plain.requests(), h.up.requests()...) {
		if normalizeHost(r.Host) == OnboardingHost {
			t.Errorf("the magic host was forwarded upstream: %+v", r)
		}
	}
}

func countColor(img image.Image, r image.Rectangle, match func(color.RGBA) bool) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if match(color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)) {
				n++
			}
		}
	}
	return n
}
