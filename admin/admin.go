// Package admin is dlpgate's admin listener: /metrics in Prometheus format
// from the Registry it is given, /healthz (the process is up) and /readyz
// (every readiness check passes: CA loaded, policy compiled, audit
// writable). It serves no proxy traffic and is meant for loopback or a
// management network.
package admin

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one readiness condition; Fn returns nil when ready.
type Check struct {
	Name string
	Fn   func() error
}

// Handler serves /metrics, /healthz and /readyz.
func Handler(reg *prometheus.Registry, checks []Check) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		ready := true
		for _, c := range checks {
			if err := c.Fn(); err != nil {
				ready = false
				fmt.Fprintf(&b, "%s: not ready: %v\n", c.Name, err)
			} else {
				fmt.Fprintf(&b, "%s: ok\n", c.Name)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprint(w, b.String())
	})
	return mux
}
