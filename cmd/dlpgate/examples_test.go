package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/certs"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// TestExamplesAsDocumented: each file in examples/ gets the verdict and
// rule that examples/README.md and the README promise.
func TestExamplesAsDocumented(t *testing.T) {
	want := map[string][2]string{
		"customers.csv":           {"block", "hkid-bulk"},
		"medical-certificate.txt": {"block", "medical-record"},
		"balance-sheet.csv":       {"block", "financial-statement"},
		"memo.txt":                {"allow", ""},
	}
	dir := filepath.Join("..", "..", "examples")
	var args []string
	for name := range want {
		args = append(args, filepath.Join(dir, name))
	}
	var out, errb bytes.Buffer
	if code := cmdScanWith(context.Background(), args, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("scan exit %d: %s", code, errb.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r struct {
			Path     string `json:"path"`
			Verdict  string `json:"verdict"`
			Decision struct {
				Rule string `json:"rule"`
			} `json:"decision"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		w := want[filepath.Base(r.Path)]
		if r.Verdict != w[0] || r.Decision.Rule != w[1] {
			t.Errorf("%s: %s by %q, documented %s by %q", r.Path, r.Verdict, r.Decision.Rule, w[0], w[1])
		}
	}
}

// TestExampleHKIDsAreValid: the example files' HKIDs carry valid check
// digits (so they exercise the classifier) and are the banner's.
func TestExampleHKIDsAreValid(t *testing.T) {
	re := regexp.MustCompile(`\b([A-Z]{1,2})(\d{6})\(([0-9A])\)`)
	texts := map[string]string{"banner": bannerBlockedMessage}
	for _, name := range []string{"customers.csv", "medical-certificate.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		texts[name] = string(b)
	}
	for name, text := range texts {
		ms := re.FindAllStringSubmatch(text, -1)
		if len(ms) == 0 {
			t.Errorf("%s: no HKID", name)
		}
		for _, m := range ms {
			if testgen.HKIDCheck(m[1], m[2]) != m[3][0] {
				t.Errorf("%s: HKID %s%s has a wrong check digit", name, m[1], m[2])
			}
		}
	}
	if !strings.Contains(texts["customers.csv"], strings.Split(bannerBlockedMessage, "Man ")[1][:10]) {
		t.Error("the banner's HKIDs are not the first rows of examples/customers.csv")
	}
}

// TestBannerNamesRealPaths: every trust and try-it line of the first-run
// banner names the certificate file that exists in the data directory.
func TestBannerNamesRealPaths(t *testing.T) {
	dir := t.TempDir()
	ca, _, err := certs.LoadOrCreate(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	printTrustHelp(&b, dir, ca, "127.0.0.1:8080")
	cert := certs.CertPath(dir)
	if _, err := os.Stat(cert); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"  Debian/Ubuntu:", "  RHEL/Fedora:", "  macOS:", "  Windows (admin):", "  Chrome/Chromium on Linux"} {
		found := false
		for _, l := range strings.Split(b.String(), "\n") {
			if strings.HasPrefix(l, prefix) {
				found = true
				if !strings.Contains(l, cert) {
					t.Errorf("%q does not name %s", l, cert)
				}
			}
		}
		if !found {
			t.Errorf("banner has no %q line", prefix)
		}
	}
	if n := strings.Count(b.String(), "--cacert "+cert); n != 2 {
		t.Errorf("banner shows %d curl requests with the real CA path, want 2 (clean and blocked)", n)
	}
}

// TestBannerBlockedExampleIsBlocked: the request the first-run banner
// shows as blocked is blocked by the embedded default policy, and the
// banner names the real certificate path on every line that needs it.
func TestBannerBlockedExampleIsBlocked(t *testing.T) {
	cfg, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := buildEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(bannerBlockedMessage)
	res, err := eng.Inspect(context.Background(), rules.Request{Host: "oapi.dingtalk.com", Method: "POST", Path: "/robot/send", Endpoint: "dingtalk-robot"},
		extract.Input{ContentType: "application/json", Body: bytes.NewReader(body), Size: int64(len(body)), Origin: "body"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision.Action != rules.Block || res.Decision.Rule != "hkid-bulk" {
		t.Errorf("banner's blocked example: %s by %q", res.Decision.Action, res.Decision.Rule)
	}
}
