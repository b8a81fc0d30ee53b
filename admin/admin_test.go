package admin

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestReadyzAndMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "dlpgate_test_total", Help: "test"})
	reg.MustRegister(c)
	c.Add(3)
	auditErr := error(nil)
	srv := httptest.NewServer(Handler(reg, []Check{
		{Name: "policy", Fn: func() error { return nil }},
		{Name: "audit", Fn: func() error { return auditErr }},
	}))
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/readyz"); code != 200 || body != "policy: ok\naudit: ok\n" {
		t.Errorf("/readyz ready: %d %q", code, body)
	}
	auditErr = errors.New("audit log not writable: read-only file system")
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "audit: not ready: audit log not writable") {
		t.Errorf("/readyz not ready: %d %q", code, body)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "dlpgate_test_total 3") {
		t.Errorf("/metrics: %d %q", code, body)
	}
	if code, _ := get("/nope"); code != 404 {
		t.Errorf("/nope: %d", code)
	}
}
