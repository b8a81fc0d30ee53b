package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/certs"
	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/identity"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/spill"
	"github.com/dlpgate/dlpgate/proxy"
	"github.com/dlpgate/dlpgate/rules"
)

const defaultListen = "127.0.0.1:8080"

// cmdRun starts the proxy and serves until ctx ends (SIGINT/SIGTERM).
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return serve(ctx, modeProxy, args, stdout, stderr)
}

// serve runs the proxy (modeProxy, with the ICAP server and the admin
// listener beside it when configured) or the ICAP server alone (modeICAP).
func serve(ctx context.Context, mode serveMode, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("dlpgate "+mode.String(), flag.ContinueOnError)
	cfgPath := fset.String("config", "", "config/policy file merged over the embedded default")
	listen := fset.String("listen", "", "listen address (default from config, "+defaultListen+")")
	dataDir := fset.String("data-dir", "", "where the CA and the audit log live (default "+defaultDataDir()+")")
	logLevel := fset.String("log-level", "info", "operational log level: debug, info, warn, error")
	logJSON := fset.Bool("log-json", false, "operational logs as JSON lines")
	icapListen := fset.String("icap-listen", "", "ICAP server address (default from [icap] listen; "+defaultICAPListen+" for dlpgate icap)")
	instance := fset.String("instance", "", "name of this instance in audit events (default [audit] instance_id, else the host name)")
	adminListen := fset.String("admin-listen", "", "admin listener address for /metrics, /healthz, /readyz (default from [admin] listen)")
	fset.Usage = func() {
		fmt.Fprintln(fset.Output(), mode.usage())
		fset.PrintDefaults()
	}
	if code, ok := parseFlags(fset, args, stdout, stderr); !ok {
		return code
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "dlpgate run: unexpected argument %q\n", fset.Arg(0))
		fset.Usage()
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "dlpgate run: --log-level: %v\n", err)
		return 2
	}
	hopts := &slog.HandlerOptions{Level: level}
	var logger *slog.Logger
	if *logJSON {
		logger = slog.New(slog.NewJSONHandler(stderr, hopts))
	} else {
		logger = slog.New(slog.NewTextHandler(stderr, hopts))
	}

	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		printErrors(stderr, err)
		return 2
	}
	for _, w := range cfg.Warnings {
		logger.Warn("config", "warning", w)
	}
	if *listen != "" {
		cfg.Proxy.Listen = *listen
	}
	if cfg.Proxy.Listen == "" {
		cfg.Proxy.Listen = defaultListen
	}
	applyFrontEndFlags(cfg, mode, *icapListen, *adminListen)
	if *instance != "" {
		cfg.Audit.InstanceID = *instance
	}
	allow, err := proxy.ParsePrefixes(cfg.Proxy.AllowClients)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate run: %v\n", err)
		return 2
	}
	allowPrivate, err := proxy.ParsePrefixes(cfg.Proxy.AllowPrivate)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate run: proxy.allow_private: %v\n", err)
		return 2
	}
	noSNIAllow, err := proxy.ParsePrefixes(cfg.Proxy.NoSNIAllow)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate run: proxy.no_sni_allow: %v\n", err)
		return 2
	}
	if err := proxy.CheckListen(cfg.Proxy.Listen, allow); err != nil {
		fmt.Fprintf(stderr, "dlpgate run: refusing to start: %v\n", err)
		return 2
	}
	dir := *dataDir
	if dir == "" {
		dir = defaultDataDir()
	}

	ca, created, err := certs.LoadOrCreate(dir, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate run: %v\n", err)
		return 1
	}
	// The windows of drip rules (what each user sent this past hour)
	// belong to the run, not to an engine: every engine gets the same
	// store, so a reload keeps the counts.
	windows := rules.NewWindows(0, 0)
	eng, err := buildRunEngine(cfg, windows)
	if err != nil {
		printErrors(stderr, err)
		return 2
	}
	// One inspection budget for the process: engines built by reloads
	// share it, so memory stays bounded across a reload too.
	budget := inspect.NewBudget(int64(cfg.Proxy.InspectMemory), cfg.Proxy.InspectConcurrency, time.Duration(cfg.Proxy.InspectWait))
	eng.Budget = budget
	setMemoryLimit(logger, cfg, budget)
	// The lead's hot reload (config.Watch) builds a new engine and stores
	// it here; requests in flight keep the one they loaded.
	var engine atomic.Pointer[inspect.Engine]
	engine.Store(eng)

	aopts := audit.OptionsFromConfig(cfg.Audit, dir)
	aopts.Logger = logger.With("component", "audit")
	aopts.Version = version
	aopts.Instance = instanceID(cfg.Audit.InstanceID)
	alog, err := audit.Open(aopts)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate run: %v\n", err)
		return 1
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := alog.Close(cctx); err != nil {
			logger.Error("close audit log", "err", err.Error())
		}
	}()

	obs := newObservability()
	// One pool bounds the bodies both front ends hold in memory.
	pool := spill.NewPool(heldTotal(cfg))
	opts := proxy.Options{
		MemoryPool:   pool,
		CA:           ca,
		Engine:       engine.Load,
		PACHosts:     func() []string { return pacHosts(engine.Load()) },
		MemoryBudget: int64(cfg.Proxy.MemoryBudget),
		MemoryTotal:  int64(cfg.Proxy.MemoryTotal),
		Recorder:     alog,
		AllowClients: allow,
		IdleTimeout:  time.Duration(cfg.Proxy.IdleTimeout),
		// Issue 12: deadlines, destination guard, nameless TLS.
		HeaderTimeout:  time.Duration(cfg.Proxy.HeaderTimeout),
		MinBodyRate:    orNone(int64(cfg.Proxy.MinBodyRate)),
		MaxRequestTime: time.Duration(orNone(int64(cfg.Proxy.MaxRequestTime))),
		AllowPrivate:   allowPrivate,
		NoSNIAction:    cfg.Proxy.NoSNIAction,
		NoSNIAllow:     noSNIAllow,
		Instance:       instanceID(cfg.Audit.InstanceID),
		Contact:        cfg.Proxy.Contact,
		Logger:         logger,
		Metrics:        obs.prom,
		PACProxies:     cfg.Proxy.PACProxies,
	}
	// Identity follows reloads too: the adapter reads the current
	// authenticator (nil: anonymous).
	var auth atomic.Pointer[identity.Authenticator]
	if a, err := newAuthenticator(cfg.Proxy.Auth); err != nil {
		fmt.Fprintf(stderr, "dlpgate run: %v\n", err)
		return 2
	} else if a != nil {
		auth.Store(a)
	}
	opts.Identify = func(h string, client netip.Addr) (string, []string, error) {
		a := auth.Load()
		if a == nil {
			return "", nil, nil
		}
		id, err := a.Identify(h, client)
		return id.User, id.Groups, err
	}
	if f := cfg.Proxy.UpstreamCAFile; f != "" {
		if opts.ExtraRootCAs, err = readCerts(f); err != nil {
			fmt.Fprintf(stderr, "dlpgate run: upstream_ca_file: %v\n", err)
			return 2
		}
	}
	if u := cfg.Proxy.UpstreamProxy; u != "" {
		if opts.UpstreamProxy, err = url.Parse(u); err != nil || opts.UpstreamProxy.Host == "" {
			fmt.Fprintf(stderr, "dlpgate run: upstream_proxy %q: want http://[user:pass@]host:port\n", u)
			return 2
		}
	}
	deps := frontEndDeps{cfg: cfg, engine: engine.Load, alog: alog, auditPath: aopts.Path, logger: logger, obs: obs, pool: pool, held: pool.Used}
	var srv *proxy.Server
	var ln net.Listener
	if mode == modeProxy {
		srv, err = proxy.New(opts)
		if err != nil {
			fmt.Fprintf(stderr, "dlpgate run: %v\n", err)
			return 1
		}
		ln, err = net.Listen("tcp", cfg.Proxy.Listen)
		if err != nil {
			srv.Close()
			fmt.Fprintf(stderr, "dlpgate run: %v\n", err)
			return 1
		}
		addr := ln.Addr().String()
		if created {
			printTrustHelp(stdout, dir, ca, addr)
		}
		logger.Info("dlpgate listening", "addr", addr, "data_dir", dir, "ca", certs.CertPath(dir),
			"audit", aopts.Path, "config", cfg.Source, "policy", eng.Policy.Version())
		deps.ca, deps.issuer = ca, srv.Issuer()
	}
	fe, err := startFrontEnds(deps)
	if err != nil {
		if srv != nil {
			srv.Close()
		}
		fmt.Fprintf(stderr, "dlpgate %s: %v\n", mode, err)
		return 1
	}
	defer fe.Close()
	if msg := ocrStatus(eng.Limits); msg != "" {
		logger.Warn("OCR unavailable", "reason", msg)
	}

	if *cfgPath == "" {
		// Nothing to reload: keep SIGHUP (sent by service managers and
		// admins out of habit) from terminating the proxy.
		signal.Ignore(syscall.SIGHUP)
		logger.Debug("no --config given: SIGHUP ignored, the embedded policy stays in force")
	} else {
		// Hot reload: a valid new file swaps the engine (policy, limits)
		// and the authenticator; requests in flight keep what they loaded.
		// Listener, audit and upstream settings take effect on restart.
		err := config.Watch(ctx, *cfgPath, func(nc *config.Config) {
			ne, err := buildRunEngine(nc, windows)
			if err != nil {
				logger.Error("config reload rejected, keeping the previous policy", "err", err.Error())
				obs.prom.Reloaded(false)
				return
			}
			ne.Budget = budget
			na, err := newAuthenticator(nc.Proxy.Auth)
			if err != nil {
				logger.Error("config reload rejected, keeping the previous policy", "err", err.Error())
				obs.prom.Reloaded(false)
				return
			}
			obs.prom.Reloaded(true)
			engine.Store(ne)
			auth.Store(na)
			logger.Info("config reloaded", "policy", ne.Policy.Version(), "note", "listen, audit and upstream settings apply on restart")
		}, func(err error) {
			logger.Error("config reload failed", "err", err.Error())
			obs.prom.Reloaded(false)
		})
		if err != nil {
			logger.Warn("config hot reload unavailable", "err", err.Error())
		}
	}

	errc := make(chan error, 1)
	if srv != nil {
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "dlpgate run: %v\n", err)
			return 1
		}
	case <-ctx.Done():
		logger.Info("shutting down")
		if srv == nil {
			break
		}
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			logger.Warn("shutdown", "err", err.Error())
		}
	}
	return 0
}

// newAuthenticator builds the identity hook's authenticator, or nil when
// no authentication or address map is configured.
func newAuthenticator(a config.Auth) (*identity.Authenticator, error) {
	if a.HtpasswdFile == "" && len(a.Users) == 0 && !a.Required {
		return nil, nil
	}
	return identity.New(a)
}

// pacHosts lists the host globs of the endpoints the proxy must see
// (inspect and block); tunnelled ones go DIRECT.
func pacHosts(eng *inspect.Engine) []string {
	var hosts []string
	seen := map[string]bool{}
	for _, e := range eng.Policy.Spec().Endpoints {
		if e.Action == "tunnel" {
			continue
		}
		for _, h := range e.Hosts {
			if !seen[h] {
				seen[h] = true
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}

// readCerts reads every CERTIFICATE block of a PEM file.
func readCerts(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificates", path)
	}
	return out, nil
}

// defaultDataDir is $XDG_DATA_HOME/dlpgate or ~/.local/share/dlpgate on
// Unix; on macOS and Windows the user config dir.
func defaultDataDir() string {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		if d, err := os.UserConfigDir(); err == nil {
			return filepath.Join(d, "dlpgate")
		}
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "dlpgate")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "dlpgate")
	}
	return "dlpgate-data"
}

// instanceID names this proxy in audit events (observer.name): the
// configured id, else the host name, so that events from several egress
// boxes can be told apart in the SIEM.
func instanceID(configured string) string {
	if configured != "" {
		return configured
	}
	if h, err := os.Hostname(); err == nil {
		return h
	}
	return "dlpgate"
}

// setMemoryLimit gives the Go runtime a soft memory limit that matches what
// dlpgate holds by design (the inspection budget, bodies held in memory,
// and a fixed allowance for connections and tables), unless GOMEMLIMIT is
// set: without it the collector lets the heap grow to twice the live data,
// and a hundred concurrent uploads doubled the resident memory.
func setMemoryLimit(logger *slog.Logger, cfg *config.Config, budget *inspect.Budget) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := budget.Memory() + heldTotal(cfg) + 32<<20
	debug.SetMemoryLimit(limit)
	logger.Debug("memory limit", "bytes", limit, "note", "set GOMEMLIMIT to override")
}

// heldTotal is how much memory the bodies held by the front ends may take
// together ([proxy] memory_total, default 16 x memory_budget).
func heldTotal(cfg *config.Config) int64 {
	if held := int64(cfg.Proxy.MemoryTotal); held > 0 {
		return held
	}
	per := int64(cfg.Proxy.MemoryBudget)
	if per <= 0 {
		per = proxy.DefaultMemoryBudget
	}
	return 16 * per
}

// orNone maps a configured 0 ("no limit") to the proxy's negative "none"
// (its 0 means "default").
func orNone(v int64) int64 {
	if v == 0 {
		return -1
	}
	return v
}
