// Command bench measures what dlpgate costs on loopback: a large HTTPS
// upload direct, through bare goproxy MITM (own CA, pass-through) and
// through dlpgate (held, inspected, allowed), and the latency added to a
// small robot message on a keep-alive connection.
//
//	go run ./bench [-size 50] [-runs 3] [-n 2000]
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elazarl/goproxy"

	"github.com/dlpgate/dlpgate/certs"
	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/proxy"
	"github.com/dlpgate/dlpgate/rules"
)

func main() {
	sizeMB := flag.Int("size", 50, "upload size in MB")
	runs := flag.Int("runs", 3, "runs per upload path (the median is reported)")
	n := flag.Int("n", 2000, "small messages per latency path")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*sizeMB, *runs, *n); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type paths struct {
	phases     map[*url.URL]*phaseLog // per dlpgate instance
	upstream   string                 // address of the TLS stand-in
	upRoots    *x509.CertPool
	ourCA      *certs.CA
	goproxyURL *url.URL
	dlpURL     *url.URL // default classifiers
	dlpNoneURL *url.URL // no classifiers: the proxy's own cost
	dlpMemURL  *url.URL // default classifiers, body held in memory (no spill)
}

func run(sizeMB, runs, n int) error {
	p, cleanup, err := setup()
	if err != nil {
		return err
	}
	defer cleanup()
	body := textBody(sizeMB << 20)
	for _, pl := range p.phases {
		pl.size = int64(len(body))
		pl.on.Store(true)
	}
	fmt.Printf("dlpgate bench: %d MB upload x %d runs (median), %d small messages; GOMAXPROCS=%d, %s\n",
		sizeMB, runs, n, runtime.GOMAXPROCS(0), time.Now().UTC().Format(time.RFC3339))

	type row struct {
		name string
		via  *url.URL
	}
	rows := []row{
		{"direct", nil},
		{"goproxy MITM pass-through", p.goproxyURL},
		{"dlpgate (inspect, no classifiers)", p.dlpNoneURL},
		{"dlpgate (inspect, default classifiers)", p.dlpURL},
		{"dlpgate (default classifiers, 64 MiB budget)", p.dlpMemURL},
	}
	// Round-robin over the paths, run by run, so that load from other
	// processes on the machine spreads over all of them alike.
	clients := make([]*http.Client, len(rows))
	times := make([][]time.Duration, len(rows))
	for i, r := range rows {
		clients[i] = p.client(r.via)
		if _, err := upload(clients[i], body[:1<<20]); err != nil { // warm up: TLS, leaf
			return fmt.Errorf("%s: %w", r.name, err)
		}
	}
	for run := 0; run < runs; run++ {
		for i, r := range rows {
			d, err := upload(clients[i], body)
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			times[i] = append(times[i], d)
		}
	}
	med := map[string]time.Duration{}
	for i, r := range rows {
		clients[i].CloseIdleConnections()
		ts := slices.Clone(times[i])
		slices.Sort(ts)
		med[r.name] = ts[len(ts)/2]
		fmt.Printf("  upload %-46s median %7.3fs  (min %.3fs)  %6.0f MB/s\n", r.name, ts[len(ts)/2].Seconds(), ts[0].Seconds(),
			float64(sizeMB)/ts[len(ts)/2].Seconds())
	}
	// Where the time goes inside dlpgate: holding the body (receipt),
	// inspecting it, and the rest (forwarding upstream and the response),
	// from the proxy's decision log.
	for i, r := range rows {
		pl := p.phases[r.via]
		if pl == nil {
			continue
		}
		pl.on.Store(false)
		hold, insp := pl.get()
		if len(hold) != len(times[i]) {
			continue
		}
		var rest []time.Duration
		for k := range hold {
			rest = append(rest, times[i][k]-hold[k]-insp[k])
		}
		fmt.Printf("  phases %-46s hold %6.1fms  inspect %6.1fms  forward+response %6.1fms (medians)\n", r.name,
			ms(median(hold)), ms(median(insp)), ms(median(rest)))
	}
	gp := med["goproxy MITM pass-through"]
	for _, name := range []string{"dlpgate (inspect, no classifiers)", "dlpgate (inspect, default classifiers)", "dlpgate (default classifiers, 64 MiB budget)"} {
		fmt.Printf("  throughput %s / goproxy = %.2fx (target >= 0.8x)\n", name, gp.Seconds()/med[name].Seconds())
	}

	msg, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": "Build 1234 passed; deploy at 15:00 HKT"}})
	lat := map[string][]time.Duration{}
	for _, r := range []row{{"direct", nil}, {"dlpgate", p.dlpURL}} {
		c := p.client(r.via)
		ds, err := latency(c, msg, n)
		if err != nil {
			return fmt.Errorf("latency %s: %w", r.name, err)
		}
		c.CloseIdleConnections()
		lat[r.name] = ds
		fmt.Printf("  small message %-8s p50 %7.3fms  p99 %7.3fms\n", r.name, ms(pct(ds, 50)), ms(pct(ds, 99)))
	}
	fmt.Printf("  added latency: p50 %+.3fms  p99 %+.3fms (target p50 <= 1ms)\n",
		ms(pct(lat["dlpgate"], 50)-pct(lat["direct"], 50)), ms(pct(lat["dlpgate"], 99)-pct(lat["direct"], 99)))
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

// setup starts the TLS stand-in, bare goproxy and two dlpgate instances.
func setup() (*paths, func(), error) {
	var closers []func()
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	fail := func(err error) (*paths, func(), error) { cleanup(); return nil, nil, err }

	upCA, err := certs.New(time.Now())
	if err != nil {
		return fail(err)
	}
	ourCA, err := certs.New(time.Now())
	if err != nil {
		return fail(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", certs.NewIssuer(upCA, 0).TLSConfig("oapi.dingtalk.com"))
	if err != nil {
		return fail(err)
	}
	up := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	})}
	go up.Serve(ln)
	closers = append(closers, func() { up.Close() })
	p := &paths{upstream: ln.Addr().String(), upRoots: upCA.Pool(), ourCA: ourCA, phases: map[*url.URL]*phaseLog{}}
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, p.upstream)
	}

	// Bare goproxy: our CA (never GoproxyCa), a leaf cache, verified upstream.
	gp := goproxy.NewProxyHttpServer()
	gp.Logger = nopLogger{}
	gp.Tr = &http.Transport{DialContext: dial, TLSClientConfig: &tls.Config{RootCAs: p.upRoots}, Proxy: nil,
		WriteBufferSize: 64 << 10, ReadBufferSize: 64 << 10}
	gp.CertStore = &certStore{m: map[string]*tls.Certificate{}}
	caTLS := ourCA.TLSCertificate()
	mitm := &goproxy.ConnectAction{Action: goproxy.ConnectMitm, TLSConfig: goproxy.TLSConfigFromCA(&caTLS)}
	gp.OnRequest().HandleConnectFunc(func(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		return mitm, host
	})
	gpURL, stop, err := serve(gp)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, stop)
	p.goproxyURL = gpURL

	cfg, err := config.Default()
	if err != nil {
		return fail(err)
	}
	pol, err := rules.Compile(cfg.Policy)
	if err != nil {
		return fail(err)
	}
	lim := extract.Limits{
		MaxTotalBytes: int64(cfg.Extract.MaxTotalBytes), MaxDepth: cfg.Extract.MaxDepth, MaxEntries: cfg.Extract.MaxEntries,
		MaxRatio: cfg.Extract.MaxRatio, MaxDecompressed: int64(cfg.Extract.MaxDecompressed), TimeBudget: int64(time.Duration(cfg.Extract.TimeBudget)),
	}
	for _, v := range []struct {
		set    classifiers.Set
		budget int64
		dst    **url.URL
	}{
		{classifiers.NewDefault(), int64(cfg.Proxy.MemoryBudget), &p.dlpURL},
		{noClassifiers{}, int64(cfg.Proxy.MemoryBudget), &p.dlpNoneURL},
		{classifiers.NewDefault(), 64 << 20, &p.dlpMemURL},
	} {
		eng := &inspect.Engine{Policy: pol, Classifiers: v.set, Limits: lim}
		pl := &phaseLog{}
		srv, err := proxy.New(proxy.Options{
			CA: ourCA, Engine: func() *inspect.Engine { return eng },
			MemoryBudget: v.budget, DialContext: dial,
			UpstreamRoots: p.upRoots, UpstreamProxy: nil,
			Logger: slog.New(pl),
		})
		if err != nil {
			return fail(err)
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fail(err)
		}
		go srv.Serve(l)
		closers = append(closers, func() { srv.Close() })
		*v.dst = &url.URL{Scheme: "http", Host: l.Addr().String()}
		p.phases[*v.dst] = pl
	}
	return p, cleanup, nil
}

func serve(h http.Handler) (*url.URL, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	s := &http.Server{Handler: h}
	go s.Serve(l)
	return &url.URL{Scheme: "http", Host: l.Addr().String()}, func() { s.Close() }, nil
}

// client talks to oapi.dingtalk.com directly (dialled to the stand-in) or
// through the proxy at via, trusting the stand-in's CA and ours.
func (p *paths) client(via *url.URL) *http.Client {
	roots := p.upRoots.Clone()
	roots.AddCert(p.ourCA.Cert)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, WriteBufferSize: 64 << 10, ReadBufferSize: 64 << 10}
	if via == nil {
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, p.upstream)
		}
	} else {
		tr.Proxy = http.ProxyURL(via)
	}
	return &http.Client{Transport: tr, Timeout: 5 * time.Minute}
}

func upload(c *http.Client, body []byte) (time.Duration, error) {
	return timedPost(c, "https://oapi.dingtalk.com/file/upload/single?access_token=bench", "text/plain", body)
}

func latency(c *http.Client, msg []byte, n int) ([]time.Duration, error) {
	// Warm up: connection, TLS, leaf certificate.
	for i := 0; i < 20; i++ {
		if _, err := post(c, msg); err != nil {
			return nil, err
		}
	}
	ds := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		d, err := post(c, msg)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, nil
}

func post(c *http.Client, msg []byte) (time.Duration, error) {
	return timedPost(c, "https://oapi.dingtalk.com/robot/send?access_token=bench", "application/json", msg)
}

// timedPost sends body and times it until the whole response is read; any
// status but 200 is an error (the bench sends only allowed content).
func timedPost(c *http.Client, url, contentType string, body []byte) (time.Duration, error) {
	start := time.Now()
	resp, err := c.Post(url, contentType, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	return time.Since(start), nil
}

// textBody is clean English/Chinese prose: allowed, but every byte is read
// by the extractor and classifiers.
func textBody(size int) []byte {
	const para = "Quarterly planning notes: the team will migrate the build farm next sprint, " +
		"review on-call rotations and update the onboarding guide. 下季度計劃：更新入職指南，檢討值班安排。\n"
	var b strings.Builder
	b.Grow(size + len(para))
	for b.Len() < size {
		b.WriteString(para)
	}
	return []byte(b.String()[:size])
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// phaseLog is a slog.Handler that keeps the hold and inspect durations of
// the proxy's decision records for bodies of the upload size. It is
// enabled only during the upload runs, so the small-message latency runs
// pay nothing for logging.
type phaseLog struct {
	on   atomic.Bool
	size int64
	mu   sync.Mutex
	hold []time.Duration
	insp []time.Duration
}

func (p *phaseLog) Enabled(context.Context, slog.Level) bool { return p.on.Load() }
func (p *phaseLog) WithAttrs([]slog.Attr) slog.Handler       { return p }
func (p *phaseLog) WithGroup(string) slog.Handler            { return p }

func (p *phaseLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "decision" {
		return nil
	}
	var bytes int64
	var hold, insp time.Duration
	found := 0
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "bytes":
			bytes = a.Value.Int64()
		case "hold":
			hold, found = a.Value.Duration(), found+1
		case "inspect":
			insp, found = a.Value.Duration(), found+1
		}
		return true
	})
	if bytes != p.size || found != 2 {
		return nil
	}
	p.mu.Lock()
	p.hold, p.insp = append(p.hold, hold), append(p.insp, insp)
	p.mu.Unlock()
	return nil
}

func (p *phaseLog) get() (hold, insp []time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.hold), slices.Clone(p.insp)
}

type noClassifiers struct{}

func (noClassifiers) Classify(context.Context, []extract.Segment) []classifiers.Finding { return nil }

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

type certStore struct {
	mu sync.Mutex
	m  map[string]*tls.Certificate
}

func (s *certStore) Fetch(host string, gen func() (*tls.Certificate, error)) (*tls.Certificate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.m[host]; ok {
		return c, nil
	}
	c, err := gen()
	if err == nil {
		s.m[host] = c
	}
	return c, err
}
