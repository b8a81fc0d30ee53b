package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/dlpgate/dlpgate/admin"
	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/certs"
	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/icap"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/spill"
	"github.com/dlpgate/dlpgate/metrics"
	"github.com/dlpgate/dlpgate/proxy"
)

const defaultICAPListen = "127.0.0.1:1344"

// observability is the metrics registry of one process and its observer.
type observability struct {
	reg  *prometheus.Registry
	prom *metrics.Prom
}

func newObservability() *observability {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &observability{reg: reg, prom: metrics.NewProm(reg)}
}

// frontEndDeps is what the ICAP server and the admin listener need from run.
type frontEndDeps struct {
	cfg       *config.Config
	engine    func() *inspect.Engine
	alog      *audit.Logger
	auditPath string
	ca        *certs.CA
	issuer    *certs.Issuer // nil in `dlpgate icap`
	held      func() int64  // bytes of bodies held in memory
	pool      *spill.Pool   // where both front ends hold bodies
	logger    *slog.Logger
	obs       *observability
}

// frontEnds are the listeners beside the proxy: ICAP and admin.
type frontEnds struct {
	icap   *icap.Server
	admin  *http.Server
	logger *slog.Logger
}

// startFrontEnds starts the ICAP server (when [icap] listen is set) and
// the admin listener (when [admin] listen is set).
func startFrontEnds(d frontEndDeps) (*frontEnds, error) {
	fe := &frontEnds{logger: d.logger}
	src := metrics.Sources{
		Audit: d.alog.Stats,
	}
	if d.issuer != nil {
		src.CertsIssued, src.CertsCached = d.issuer.Signed, d.issuer.Len
	}
	if d.held != nil {
		src.HeldInMemory = d.held
	}
	metrics.RegisterSources(d.obs.reg, src)

	if l := d.cfg.ICAP.Listen; l != "" {
		allow, err := proxy.ParsePrefixes(d.cfg.ICAP.AllowClients)
		if err != nil {
			return nil, fmt.Errorf("icap: %w", err)
		}
		srv, err := icap.New(icap.Options{
			Engine: d.engine, Recorder: d.alog, AllowClients: allow,
			Service: d.cfg.ICAP.Service, Preview: d.cfg.ICAP.Preview, MaxConnections: d.cfg.ICAP.MaxConnections,
			MemoryBudget: int64(d.cfg.Proxy.MemoryBudget), MemoryPool: d.pool, IdleTimeout: time.Duration(d.cfg.Proxy.IdleTimeout),
			Instance: instanceID(d.cfg.Audit.InstanceID), Contact: d.cfg.Proxy.Contact, Version: version,
			Logger: d.logger, Metrics: d.obs.prom,
		})
		if err != nil {
			return nil, err
		}
		if err := icap.CheckListen(l, allow); err != nil {
			srv.Close()
			return nil, err
		}
		ln, err := net.Listen("tcp", l)
		if err != nil {
			srv.Close()
			return nil, fmt.Errorf("icap: %w", err)
		}
		fe.icap = srv
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, net.ErrClosed) {
				d.logger.Error("icap server stopped", "err", err.Error())
			}
		}()
		d.logger.Info("ICAP server listening", "addr", ln.Addr().String(), "service", "icap://"+ln.Addr().String()+orDefault(d.cfg.ICAP.Service, icap.DefaultService))
	}

	if l := d.cfg.Admin.Listen; l != "" {
		var checks []admin.Check
		if d.ca != nil { // the proxy's CA; `dlpgate icap` signs nothing
			checks = append(checks, admin.Check{Name: "ca", Fn: func() error {
				if d.ca.Cert == nil {
					return errors.New("no CA loaded")
				}
				if time.Now().After(d.ca.Cert.NotAfter) {
					return fmt.Errorf("CA expired %s", d.ca.Cert.NotAfter.Format(time.DateOnly))
				}
				return nil
			}})
		}
		checks = append(checks, []admin.Check{
			{Name: "policy", Fn: func() error {
				if e := d.engine(); e == nil || e.Policy == nil {
					return errors.New("no policy compiled")
				}
				return nil
			}},
			{Name: "audit", Fn: func() error { return appendable(d.auditPath) }},
		}...)
		ln, err := net.Listen("tcp", l)
		if err != nil {
			// Metrics must not keep the proxy from starting.
			d.logger.Warn("admin listener unavailable; /metrics, /healthz and /readyz are off", "addr", l, "err", err.Error())
		} else {
			fe.admin = &http.Server{Handler: admin.Handler(d.obs.reg, checks), ReadHeaderTimeout: 10 * time.Second}
			go fe.admin.Serve(ln)
			d.logger.Info("admin listening", "addr", ln.Addr().String(), "endpoints", "/metrics /healthz /readyz")
		}
	}
	return fe, nil
}

// appendable reports whether the audit file can be appended to now.
func appendable(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("audit log not writable: %w", err)
	}
	return f.Close()
}

// Close stops the ICAP server (letting requests finish briefly) and the admin listener.
func (fe *frontEnds) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if fe.icap != nil {
		fe.icap.Shutdown(ctx)
	}
	if fe.admin != nil {
		fe.admin.Shutdown(ctx)
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
