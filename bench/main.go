// Command bench measures dlpgate process against process on loopback: bare
// goproxy (MITM pass-through, our CA), mitmproxy's mitmdump with a small
// addon that reads the body and runs an HKID regex (what a user would
// script instead), when it is installed, and the dlpgate binary, each a
// separate process in front of the same TLS sink. Runs are interleaved
// (proxy after proxy, run after run) so load from elsewhere on the machine
// falls on all of them alike; it prints medians, min-max and ratios.
//
//	bench/run.sh [-runs 3] [-n 500] [-compare before=/path/to/older/dlpgate]
//
// The sink is a CONNECT proxy that terminates TLS itself: every proxy is
// configured with it as its upstream proxy, so no name is resolved and no
// byte leaves the machine.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elazarl/goproxy"

	"github.com/dlpgate/dlpgate/certs"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "goproxy" {
		if err := goproxyMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench goproxy:", err)
			os.Exit(1)
		}
		return
	}
	runs := flag.Int("runs", 3, "runs of each measurement per proxy (the median is reported)")
	n := flag.Int("n", 500, "small messages per run at concurrency 1 (x4 at concurrency 64)")
	dlp := flag.String("dlpgate", "", "dlpgate binary to measure (default: build ./cmd/dlpgate)")
	compare := flag.String("compare", "", "other dlpgate binaries measured alongside, as label=path[,label=path] (e.g. builds of older commits)")
	noMitm := flag.Bool("no-mitmdump", false, "leave mitmdump out even when installed")
	rssN := flag.Int("rss-n", 100, "concurrent uploads in the peak-RSS measurement")
	rssMB := flag.Int("rss-mb", 20, "size in MiB of each upload in the peak-RSS measurement")
	only := flag.String("only", "", "run only the measurements whose name contains this")
	bigXLSX := flag.Int("big-xlsx-mb", 0, "also measure peak RSS for one XLSX upload of this many MiB (0: off)")
	keep := flag.Bool("keep", false, "keep the work directory (proxy logs, configs) and print its path")
	flag.Parse()
	if err := run(*runs, *n, *dlp, *compare, !*noMitm, *rssN, *rssMB, *only, *bigXLSX, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// proxyProc is one proxy under test.
type proxyProc struct {
	name   string
	addr   string
	roots  *x509.CertPool // to trust its MITM certificates
	cmd    *exec.Cmd
	noRSS  bool // leave out of the concurrent-upload measurement
	client *http.Client
}

func run(runs, n int, dlpBin, compareBin string, withMitm bool, rssN, rssMB int, only string, bigXLSX int, keep bool) error {
	dir, err := os.MkdirTemp("", "dlpgate-bench-")
	if err != nil {
		return err
	}
	if keep {
		defer fmt.Println("work directory kept:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	sinkAddr, sinkCA, stopSink, err := startSink(dir)
	if err != nil {
		return err
	}
	defer stopSink()

	if dlpBin == "" {
		dlpBin = filepath.Join(dir, "dlpgate")
		build := exec.Command("go", "build", "-o", dlpBin, "./cmd/dlpgate")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build dlpgate: %w", err)
		}
	}
	var procs []*proxyProc
	defer func() {
		for _, p := range procs {
			if p.cmd != nil && p.cmd.Process != nil {
				p.cmd.Process.Kill()
				p.cmd.Wait()
			}
		}
	}()
	gp, err := startGoproxy(dir, sinkAddr, sinkCA)
	if err != nil {
		return err
	}
	procs = append(procs, gp)
	if withMitm {
		if path, err := exec.LookPath("mitmdump"); err == nil {
			m, err := startMitmdump(dir, path, sinkAddr, sinkCA)
			if err != nil {
				return err
			}
			procs = append(procs, m)
		} else {
			fmt.Println("mitmdump not installed: left out")
		}
	}
	d, err := startDlpgate(dir, "dlpgate", dlpBin, sinkAddr, sinkCA)
	if err != nil {
		return err
	}
	procs = append(procs, d)
	// -compare "label=path,label=path": older builds measured alongside.
	for _, c := range strings.Split(compareBin, ",") {
		if c == "" {
			continue
		}
		label, path, ok := strings.Cut(c, "=")
		if !ok {
			label, path = "compare", c
		}
		p, err := startDlpgate(dir, "dlpgate ("+label+")", path, sinkAddr, sinkCA)
		if err != nil {
			return err
		}
		procs = append(procs, p)
	}
	for _, p := range procs {
		p.client = newClient(p, 64)
	}

	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("dlpgate process bench: %d runs (interleaved), GOMAXPROCS=%d, %s, load %s\n",
		runs, runtime.GOMAXPROCS(0), time.Now().UTC().Format(time.RFC3339), strings.Join(strings.Fields(string(load))[:3], " "))
	text := textBody(50 << 20)
	xlsx := xlsxBody(20 << 20)
	docx := docxBody(20 << 20)
	textGz := gzipped(text)
	// An API export of records: one JSON document, read front to back as
	// it arrives whether sized, chunked or gzip-encoded.
	robot := jsonBody(50 << 20)
	robotGz := gzipped(robot)
	jsonRSS := jsonBody(rssMB << 20)
	fmt.Printf("inputs: text %.1f MB (gzip %.1f MB), JSON %.1f MB (gzip %.1f MB), xlsx %.1f MB, docx %.1f MB\n",
		mb(len(text)), mb(len(textGz)), mb(len(robot)), mb(len(robotGz)), mb(len(xlsx)), mb(len(docx)))
	msg, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": "Build 1234 passed; deploy at 15:00 HKT"}})

	// Warm up every path (TLS, leaf certificates, mitmproxy's start).
	for _, p := range procs {
		if _, err := post(p.client, uploadURL, "text/plain", text[:1<<20]); err != nil {
			return fmt.Errorf("%s: warm-up: %w", p.name, err)
		}
	}
	type metric struct {
		name, unit string
		lowBetter  bool
		measure    func(p *proxyProc, run int) (float64, error)
	}
	metrics := []metric{
		{"50 MiB text upload", "s", true, func(p *proxyProc, _ int) (float64, error) {
			d, err := post(p.client, uploadURL, "text/plain", text)
			return d.Seconds(), err
		}},
		{"50 MiB text upload, chunked", "s", true, func(p *proxyProc, _ int) (float64, error) {
			d, err := postChunked(p.client, uploadURL, "text/plain", text)
			return d.Seconds(), err
		}},
		{"50 MiB text upload, Content-Encoding gzip", "s", true, func(p *proxyProc, _ int) (float64, error) {
			d, err := postEncoded(p.client, uploadURL, "text/plain", "gzip", textGz)
			return d.Seconds(), err
		}},
		{"50 MiB JSON records", "s", true, func(p *proxyProc, _ int) (float64, error) {
			d, err := post(p.client, robotURL, "application/json", robot)
			return d.Seconds(), err
		}},
		{"50 MiB JSON records, chunked", "s", true, func(p *proxyProc, _ int) (float64, error) {
			d, err := postChunked(p.client, robotURL, "application/json", robot)
			return d.Seconds(), err
		}},
		{"50 MiB JSON records, Content-Encoding gzip", "s", true, func(p *proxyProc, _ int) (float64, error) {
			d, err := postEncoded(p.client, robotURL, "application/json", "gzip", robotGz)
			return d.Seconds(), err
		}},
		{"20 MB XLSX upload", "s", true, func(p *proxyProc, _ int) (float64, error) {
			d, err := post(p.client, uploadURL, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx)
			return d.Seconds(), err
		}},
		{"20 MB DOCX upload", "s", true, func(p *proxyProc, _ int) (float64, error) {
			d, err := post(p.client, uploadURL, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx)
			return d.Seconds(), err
		}},
		{"small message p50, c=1", "ms", true, func(p *proxyProc, _ int) (float64, error) {
			ds := make([]time.Duration, 0, n)
			for range n {
				d, err := post(p.client, robotURL, "application/json", msg)
				if err != nil {
					return 0, err
				}
				ds = append(ds, d)
			}
			return ms(median(ds)), nil
		}},
		{"small messages/s, c=64", "req/s", false, func(p *proxyProc, _ int) (float64, error) {
			var next atomic.Int64
			var firstErr atomic.Value
			total := int64(4 * n)
			start := time.Now()
			var wg sync.WaitGroup
			for range 64 {
				wg.Go(func() {
					for next.Add(1) <= total {
						if _, err := post(p.client, robotURL, "application/json", msg); err != nil {
							firstErr.CompareAndSwap(nil, err)
							return
						}
					}
				})
			}
			wg.Wait()
			if err, _ := firstErr.Load().(error); err != nil {
				return 0, err
			}
			return float64(total) / time.Since(start).Seconds(), nil
		}},
		{"first CONNECT+TLS+request to a new host", "ms", true, func(p *proxyProc, run int) (float64, error) {
			var ds []time.Duration
			for i := range 10 {
				c := newClient(p, 1)
				host := fmt.Sprintf("h%d-%d-%d.dingtalk.com", os.Getpid(), run, i)
				d, err := post(c, "https://"+host+"/robot/send?access_token=bench", "application/json", msg)
				c.CloseIdleConnections()
				if err != nil {
					return 0, err
				}
				ds = append(ds, d)
			}
			return ms(median(ds)), nil
		}},
		{fmt.Sprintf("peak RSS, %d x %d MiB concurrent", rssN, rssMB), "MiB", true, func(p *proxyProc, _ int) (float64, error) {
			if p.noRSS {
				return -1, nil
			}
			return peakRSS(p, "text/plain", text[:rssMB<<20], rssN, false)
		}},
		{fmt.Sprintf("peak RSS, %d x %d MiB JSON concurrent", rssN, rssMB), "MiB", true, func(p *proxyProc, _ int) (float64, error) {
			if p.noRSS {
				return -1, nil
			}
			// Exports of records: read front to back as they arrive.
			return peakRSS(p, "application/json", jsonRSS, rssN, false)
		}},
	}
	if bigXLSX > 0 {
		big := xlsxBody(bigXLSX << 20)
		fmt.Printf("big xlsx: %.1f MB\n", mb(len(big)))
		metrics = slices.Insert(metrics, len(metrics)-1, metric{fmt.Sprintf("peak RSS, one %d MiB XLSX", bigXLSX), "MiB", true, func(p *proxyProc, _ int) (float64, error) {
			if p.noRSS {
				return -1, nil
			}
			// Its text passes the total-text limit, so dlpgate's
			// default fail mode blocks it: memory is what is measured.
			return peakRSS(p, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", big, 1, true)
		}})
	}
	metrics = slices.DeleteFunc(metrics, func(m metric) bool { return !strings.Contains(m.name, only) })
	results := make([][][]float64, len(metrics)) // metric, proxy, run
	for i := range results {
		results[i] = make([][]float64, len(procs))
	}
	for r := range runs {
		for mi, m := range metrics {
			for pi, p := range procs {
				v, err := m.measure(p, r)
				if err != nil {
					return fmt.Errorf("%s via %s: %w", m.name, p.name, err)
				}
				if v >= 0 {
					results[mi][pi] = append(results[mi][pi], v)
				}
			}
		}
	}
	// The table: median (min-max) per proxy, and dlpgate against goproxy.
	fmt.Printf("\n| %-40s |", "measurement")
	for _, p := range procs {
		fmt.Printf(" %-26s |", p.name)
	}
	fmt.Printf(" dlpgate / goproxy |\n|%s|", strings.Repeat("-", 42))
	for range procs {
		fmt.Printf("%s|", strings.Repeat("-", 28))
	}
	fmt.Printf("%s|\n", strings.Repeat("-", 20))
	dlpIdx := slices.IndexFunc(procs, func(p *proxyProc) bool { return p.name == "dlpgate" })
	for mi, m := range metrics {
		fmt.Printf("| %-40s |", m.name+" ("+m.unit+")")
		for pi := range procs {
			vs := results[mi][pi]
			if len(vs) == 0 {
				fmt.Printf(" %-26s |", "not run")
				continue
			}
			s := slices.Clone(vs)
			slices.Sort(s)
			fmt.Printf(" %-26s |", fmt.Sprintf("%s (%s–%s)", num(s[len(s)/2]), num(s[0]), num(s[len(s)-1])))
		}
		g, d := medianOf(results[mi][0]), medianOf(results[mi][dlpIdx])
		ratio := "-"
		if g > 0 && d > 0 {
			// Throughput ratio: >1 means dlpgate is the faster.
			if m.lowBetter {
				ratio = fmt.Sprintf("%.2fx", g/d)
			} else {
				ratio = fmt.Sprintf("%.2fx", d/g)
			}
			if m.unit == "MiB" {
				ratio = fmt.Sprintf("%.1fx the memory", d/g)
			}
		}
		fmt.Printf(" %-18s |\n", ratio)
	}
	fmt.Println("\nratio: goproxy time / dlpgate time (>1: dlpgate faster); for RSS, dlpgate / goproxy.")
	return nil
}

const (
	uploadURL = "https://oapi.dingtalk.com/file/upload/single?access_token=bench"
	robotURL  = "https://oapi.dingtalk.com/robot/send?access_token=bench"
)

func num(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func mb(n int) float64 { return float64(n) / 1e6 }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianOf(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[len(s)/2]
}

// peakRSS resets the process's high-water mark (Linux clear_refs 5), sends
// n uploads of body at once and returns the new peak in MiB; blockOK
// accepts a 403 answer.
func peakRSS(p *proxyProc, contentType string, body []byte, n int, blockOK bool) (float64, error) {
	pid := p.cmd.Process.Pid
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		return 0, fmt.Errorf("reset peak RSS: %w", err)
	}
	c := newClient(p, n)
	defer c.CloseIdleConnections()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := post(c, uploadURL, contentType, body)
			if blockOK && err != nil && err.Error() == "status 403" {
				err = nil
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return 0, err
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// newClient talks to oapi.dingtalk.com through p, trusting p's CA.
func newClient(p *proxyProc, conns int) *http.Client {
	u := &url.URL{Scheme: "http", Host: p.addr}
	tr := &http.Transport{
		Proxy:               http.ProxyURL(u),
		TLSClientConfig:     &tls.Config{RootCAs: p.roots},
		MaxIdleConnsPerHost: conns, MaxConnsPerHost: 0,
		WriteBufferSize: 64 << 10, ReadBufferSize: 64 << 10,
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Minute}
}

// post sends body and times it until the whole response is read; any status
// but 200 is an error (the bench sends only allowed content).
func post(c *http.Client, url, contentType string, body []byte) (time.Duration, error) {
	return postEncoded(c, url, contentType, "", body)
}

// postChunked is post without a Content-Length (Transfer-Encoding:
// chunked), as a client streaming its upload sends it.
func postChunked(c *http.Client, url, contentType string, body []byte) (time.Duration, error) {
	return postWith(c, url, contentType, "", io.MultiReader(bytes.NewReader(body)))
}

// postEncoded is post with a Content-Encoding (none when encoding is "").
func postEncoded(c *http.Client, url, contentType, encoding string, body []byte) (time.Duration, error) {
	return postWith(c, url, contentType, encoding, bytes.NewReader(body))
}

// postWith posts body (its length known to net/http only for a
// bytes.Reader).
func postWith(c *http.Client, url, contentType, encoding string, body io.Reader) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	start := time.Now()
	resp, err := c.Do(req)
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

// startSink runs the TLS sink in this process: an HTTP proxy that answers
// CONNECT itself and terminates TLS with a leaf for any name, signed by its
// own CA (written to sink-ca.pem), reading and discarding every body.
func startSink(dir string) (addr, caFile string, stop func(), err error) {
	ca, err := certs.New(time.Now())
	if err != nil {
		return "", "", nil, err
	}
	caDir := filepath.Join(dir, "sink")
	if err := ca.Save(caDir, true); err != nil {
		return "", "", nil, err
	}
	tlsCfg := certs.NewIssuer(ca, 0).TLSConfig("oapi.dingtalk.com")
	conns := make(chan net.Conn)
	inner := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	})}
	go inner.Serve(&chanListener{c: conns, done: make(chan struct{})})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	outer := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
			conn.Close()
			return
		}
		var c net.Conn = conn
		if brw.Reader.Buffered() > 0 {
			c = &prefixConn{Conn: conn, r: io.MultiReader(brw.Reader, conn)}
		}
		conns <- tls.Server(c, tlsCfg)
	})}
	go outer.Serve(ln)
	return ln.Addr().String(), certs.CertPath(caDir), func() { outer.Close(); inner.Close() }, nil
}

type prefixConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// chanListener hands the sink's TLS connections to its HTTP server.
type chanListener struct {
	c    chan net.Conn
	done chan struct{}
	once sync.Once
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.c:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}
func (l *chanListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *chanListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitFor waits until addr accepts connections and every file exists.
func waitFor(name, addr string, cmd *exec.Cmd, files ...string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if cmd.ProcessState != nil {
			return fmt.Errorf("%s exited", name)
		}
		ok := true
		for _, f := range files {
			if _, err := os.Stat(f); err != nil {
				ok = false
			}
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil && ok {
			c.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not start on %s", name, addr)
}

func poolOf(files ...string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for _, f := range files {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no certificate", f)
		}
	}
	return pool, nil
}

func logFile(dir, name string) *os.File {
	f, err := os.Create(filepath.Join(dir, strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(name)+".log"))
	if err != nil {
		return nil
	}
	return f
}

func startDlpgate(dir, name, bin, sinkAddr, sinkCA string) (*proxyProc, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, strings.NewReplacer(" ", "", "(", "", ")", "").Replace(name)+"-data")
	cfg := filepath.Join(data + ".toml")
	conf := fmt.Sprintf("[proxy]\nlisten = %q\nupstream_proxy = %q\nupstream_ca_file = %q\n", addr, "http://"+sinkAddr, sinkCA)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "run", "--config", cfg, "--data-dir", data)
	cmd.Stdout, cmd.Stderr = logFile(dir, name), logFile(dir, name+"-err")
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go cmd.Wait()
	p := &proxyProc{name: name, addr: addr, cmd: cmd}
	if err := waitFor(name, addr, cmd, certs.CertPath(data)); err != nil {
		return p, err
	}
	if p.roots, err = poolOf(certs.CertPath(data)); err != nil {
		return p, err
	}
	return p, nil
}

func startGoproxy(dir, sinkAddr, sinkCA string) (*proxyProc, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	caDir := filepath.Join(dir, "goproxy")
	cmd := exec.Command(self, "goproxy", "-listen", addr, "-upstream", sinkAddr, "-upstream-ca", sinkCA, "-ca-dir", caDir)
	cmd.Stdout, cmd.Stderr = logFile(dir, "goproxy"), logFile(dir, "goproxy-err")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go cmd.Wait()
	p := &proxyProc{name: "goproxy", addr: addr, cmd: cmd}
	if err := waitFor("goproxy", addr, cmd, certs.CertPath(caDir)); err != nil {
		return p, err
	}
	p.roots, err = poolOf(certs.CertPath(caDir))
	return p, err
}

// mitmAddon is what a user would script instead of dlpgate: read the body,
// look for an HKID, block on a match.
const mitmAddon = `import re
from mitmproxy import http

HKID = re.compile(rb"(?<![A-Za-z0-9])[A-Z]{1,2}[0-9]{6}\(?[0-9A]\)?")

class DLP:
    def request(self, flow: http.HTTPFlow) -> None:
        body = flow.request.get_content() or b""
        if HKID.search(body):
            flow.response = http.Response.make(403, b"blocked")

addons = [DLP()]
`

func startMitmdump(dir, bin, sinkAddr, sinkCA string) (*proxyProc, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(dir, "mitm")
	addon := filepath.Join(dir, "hkid_addon.py")
	if err := os.WriteFile(addon, []byte(mitmAddon), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-q", "--listen-host", host, "--listen-port", port,
		"--mode", "upstream:http://"+sinkAddr, "--set", "confdir="+conf,
		"--set", "ssl_verify_upstream_trusted_ca="+sinkCA, "-s", addon)
	cmd.Stdout, cmd.Stderr = logFile(dir, "mitmdump"), logFile(dir, "mitmdump-err")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go cmd.Wait()
	// Whole bodies in Python memory: 100 concurrent 20 MiB uploads would
	// need gigabytes on a shared machine, so it sits that one out.
	p := &proxyProc{name: "mitmdump", addr: addr, cmd: cmd, noRSS: true}
	caFile := filepath.Join(conf, "mitmproxy-ca-cert.pem")
	if err := waitFor("mitmdump", addr, cmd, caFile); err != nil {
		return p, err
	}
	p.roots, err = poolOf(caFile)
	return p, err
}

// goproxyMain is the bare goproxy process: MITM everything with its own CA
// (a leaf cache, as any real deployment has) and pass the requests on,
// through the sink as upstream proxy, verifying the sink's certificates.
func goproxyMain(args []string) error {
	fs := flag.NewFlagSet("goproxy", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address")
	upstream := fs.String("upstream", "", "upstream proxy address")
	upCA := fs.String("upstream-ca", "", "PEM file of the upstream CA")
	caDir := fs.String("ca-dir", "", "where to write the MITM CA")
	if err := fs.Parse(args); err != nil {
		return err
	}
	roots, err := poolOf(*upCA)
	if err != nil {
		return err
	}
	ca, err := certs.New(time.Now())
	if err != nil {
		return err
	}
	gp := goproxy.NewProxyHttpServer()
	gp.Logger = nopLogger{}
	gp.Tr = &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: *upstream}),
		TLSClientConfig: &tls.Config{RootCAs: roots}, MaxIdleConnsPerHost: 256,
		WriteBufferSize: 64 << 10, ReadBufferSize: 64 << 10}
	gp.CertStore = &certStore{m: map[string]*tls.Certificate{}}
	caTLS := ca.TLSCertificate()
	mitm := &goproxy.ConnectAction{Action: goproxy.ConnectMitm, TLSConfig: goproxy.TLSConfigFromCA(&caTLS)}
	gp.OnRequest().HandleConnectFunc(func(host string, _ *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		return mitm, host
	})
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	// The CA appears only once the listener is up: the driver waits for both.
	if err := ca.Save(*caDir, true); err != nil {
		return err
	}
	return (&http.Server{Handler: gp}).Serve(ln)
}

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

// textBody is base64-like text in lines (what the issue measured: exports,
// logs, encoded attachments pasted as text) mixed with EN/繁 prose; allowed,
// but every byte is read by the extractor and classifiers.
// gzipped is b compressed as a client would send it (default level).
func gzipped(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

func textBody(size int) []byte {
	return []byte(testgen.Base64AndProse(rand.New(rand.NewPCG(1, 2)), size)[:size])
}

// jsonBody is an API export of about size bytes: an array of records of
// names, numbers and a sentence of words each (no base64 runs: those make
// a JSON string one that must be read whole).
func jsonBody(size int) []byte {
	r := rand.New(rand.NewPCG(5, 6))
	vocab := testgen.PseudoWords(r, 3000)
	var b bytes.Buffer
	b.WriteString(`{"records":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"item":"%s %s","qty":%d,"price":%d.%02d,"note":"`, i, vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))], r.IntN(500), r.IntN(10000), r.IntN(100))
		for k := 8 + r.IntN(16); k > 0; k-- {
			b.WriteString(vocab[r.IntN(len(vocab))])
			b.WriteByte(' ')
		}
		b.WriteString(`"}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// xlsxBody is a workbook of about size bytes: shared strings (item names)
// and numeric cells, as an inventory export looks.
func xlsxBody(size int) []byte {
	r := rand.New(rand.NewPCG(3, 4))
	vocab := testgen.PseudoWords(r, 3000)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`)
	add("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Items" sheetId="1"/></sheets></workbook>`)
	const nStrings = 200000
	var sst strings.Builder
	sst.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for range nStrings {
		fmt.Fprintf(&sst, `<si><t>%s %s %s</t></si>`, vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))])
	}
	sst.WriteString(`</sst>`)
	add("xl/sharedStrings.xml", sst.String())
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for row := 1; buf.Len() < size; row++ {
		fmt.Fprintf(bw, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d"><v>%d</v></c><c r="C%d"><v>%d.%02d</v></c><c r="D%d" t="s"><v>%d</v></c><c r="E%d" t="inlineStr"><is><t>%s</t></is></c></row>`,
			row, row, r.IntN(nStrings), row, r.IntN(100000), row, r.IntN(10000), r.IntN(100), row, r.IntN(nStrings), row, vocab[r.IntN(len(vocab))])
		if row%2000 == 0 {
			bw.Flush()
			zw.Flush()
		}
	}
	bw.WriteString(`</sheetData></worksheet>`)
	bw.Flush()
	zw.Close()
	return buf.Bytes()
}

// docxBody is a document of about size bytes of paragraphs and runs.
func docxBody(size int) []byte {
	r := rand.New(rand.NewPCG(5, 6))
	vocab := testgen.PseudoWords(r, 20000)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	w, _ = zw.Create("word/document.xml")
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for p := 1; buf.Len() < size; p++ {
		bw.WriteString(`<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr>`)
		for range 3 {
			bw.WriteString(`<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">`)
			for range 12 {
				bw.WriteString(vocab[r.IntN(len(vocab))])
				bw.WriteByte(' ')
			}
			bw.WriteString(`</w:t></w:r>`)
		}
		bw.WriteString(`</w:p>`)
		if p%2000 == 0 {
			bw.Flush()
			zw.Flush()
		}
	}
	bw.WriteString(`</w:body></w:document>`)
	bw.Flush()
	zw.Close()
	return buf.Bytes()
}
