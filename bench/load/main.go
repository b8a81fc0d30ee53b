// Command load runs the real dlpgate binary under many concurrent clients
// on loopback: each client keeps one intercepted HTTPS connection and sends
// robot messages, mixed clean (must pass, 200) and sensitive (3 HKIDs, must
// be blocked, 403). It reports errors, p50/p99 latency, the proxy's peak
// RSS, and checks that every block has exactly one audit record.
//
//	go run ./bench/load [-clients 500] [-duration 60s] [-sensitive 4]
//
// It is not part of `go test ./...`.
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dlpgate/dlpgate/certs"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

func main() {
	clients := flag.Int("clients", 500, "concurrent clients (one keep-alive connection each)")
	duration := flag.Duration("duration", 60*time.Second, "how long to send")
	every := flag.Int("sensitive", 4, "one message in N carries 3 HKIDs (must be blocked)")
	bin := flag.String("bin", "", "dlpgate binary (default: go build ./cmd/dlpgate)")
	flag.Parse()
	if err := run(*clients, *duration, *every, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(clients int, duration time.Duration, every int, bin string) error {
	dir, err := os.MkdirTemp("", "dlpgate-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "dlpgate")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/dlpgate")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	// The DingTalk stand-in: TLS on loopback with its own CA.
	upCA, err := certs.New(time.Now())
	if err != nil {
		return err
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", certs.NewIssuer(upCA, 0).TLSConfig("127.0.0.1"))
	if err != nil {
		return err
	}
	var upSeen, upHKID atomic.Int64
	up := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		upSeen.Add(1)
		if bytes.Contains(b, []byte("Customer 2,")) {
			upHKID.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	})}
	go up.Serve(ln)
	defer up.Close()
	upCAFile := filepath.Join(dir, "up-ca.pem")
	if err := os.WriteFile(upCAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: upCA.Cert.Raw}), 0o600); err != nil {
		return err
	}
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	proxyAddr := pl.Addr().String()
	pl.Close()
	cfg := fmt.Sprintf(`[proxy]
listen = %q
upstream_ca_file = %q
allow_private = ["127.0.0.1/32"]

[[endpoints]]
name = "load"
hosts = ["127.0.0.1"]
action = "inspect"
`, proxyAddr, upCAFile)
	cfgFile := filepath.Join(dir, "load.toml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		return err
	}
	data := filepath.Join(dir, "data")
	var stderr bytes.Buffer
	proc := exec.Command(bin, "run", "--config", cfgFile, "--data-dir", data, "--log-level", "warn")
	proc.Stdout, proc.Stderr = io.Discard, &lockedWriter{w: &stderr}
	proc.Env = append(os.Environ(), "HTTPS_PROXY=", "HTTP_PROXY=", "https_proxy=", "http_proxy=")
	if err := proc.Start(); err != nil {
		return err
	}
	defer proc.Process.Kill()
	var caPEM []byte
	for i := 0; i < 300 && caPEM == nil; i++ {
		if resp, err := http.Get("http://" + proxyAddr + "/ca.pem"); err == nil {
			caPEM, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return fmt.Errorf("proxy did not start: %s", stderr.String())
	}

	// Peak RSS of the proxy process, sampled (VmHWM at the end as well).
	stopRSS := make(chan struct{})
	var peakRSS atomic.Int64
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopRSS:
				return
			case <-t.C:
				if v := procStatus(proc.Process.Pid, "VmRSS"); v > peakRSS.Load() {
					peakRSS.Store(v)
				}
			}
		}
	}()

	target := "https://" + ln.Addr().String() + "/robot/send?access_token=0123456789abcdef"
	proxyURL := &url.URL{Scheme: "http", Host: proxyAddr}
	type result struct {
		lat, latClean, latBlock []time.Duration
		ok, blocked, errs       int
		blockIDs                []string
		firstErr                error
	}
	results := make([]result, clients)
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			r := &results[c]
			tr := &http.Transport{Proxy: http.ProxyURL(proxyURL), TLSClientConfig: &tls.Config{RootCAs: roots},
				MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
			for i := 0; time.Now().Before(deadline); i++ {
				sensitive := (c+i)%every == 0
				text := fmt.Sprintf("Weekly update %d from client %d: the meeting moved to Thursday 3pm, room 12A.", i, c)
				if sensitive {
					text = testgen.HKIDList(3)
				}
				body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": text}})
				t0 := time.Now()
				resp, err := hc.Post(target, "application/json", bytes.NewReader(body))
				if err != nil {
					r.errs++
					if r.firstErr == nil {
						r.firstErr = err
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				took := time.Since(t0)
				r.lat = append(r.lat, took)
				if sensitive {
					r.latBlock = append(r.latBlock, took)
				} else {
					r.latClean = append(r.latClean, took)
				}
				switch {
				case !sensitive && resp.StatusCode == http.StatusOK:
					r.ok++
				case sensitive && resp.StatusCode == http.StatusForbidden && resp.Header.Get("X-Dlpgate-Event") != "":
					r.blocked++
					r.blockIDs = append(r.blockIDs, resp.Header.Get("X-Dlpgate-Event"))
				default:
					r.errs++
					if r.firstErr == nil {
						r.firstErr = fmt.Errorf("sensitive=%v: status %d", sensitive, resp.StatusCode)
					}
				}
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stopRSS)
	hwm := procStatus(proc.Process.Pid, "VmHWM")

	proc.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- proc.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		proc.Process.Kill()
		return errors.New("proxy did not stop within 30 s of SIGTERM")
	}

	var lat, latClean, latBlock []time.Duration
	var ok, blocked, errs int
	var ids []string
	var firstErr error
	for _, r := range results {
		lat = append(lat, r.lat...)
		latClean = append(latClean, r.latClean...)
		latBlock = append(latBlock, r.latBlock...)
		ok, blocked, errs = ok+r.ok, blocked+r.blocked, errs+r.errs
		ids = append(ids, r.blockIDs...)
		if firstErr == nil {
			firstErr = r.firstErr
		}
	}
	slices.Sort(lat)
	slices.Sort(latClean)
	slices.Sort(latBlock)
	counts, total, err := auditCounts(data)
	if err != nil {
		return err
	}
	missing, dup := 0, 0
	for _, id := range ids {
		switch counts[id] {
		case 0:
			missing++
		case 1:
		default:
			dup++
		}
	}
	fmt.Printf("clients %d, duration %s, requests %d (%.0f/s): clean passed %d, sensitive blocked %d, errors %d\n",
		clients, elapsed.Round(time.Second), len(lat)+errs, float64(len(lat))/elapsed.Seconds(), ok, blocked, errs)
	if firstErr != nil {
		fmt.Printf("first error: %v\n", firstErr)
	}
	fmt.Printf("latency all: p50 %s, p90 %s, p99 %s, max %s\n", pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 100))
	fmt.Printf("latency clean (forwarded): p50 %s, p99 %s; blocked (audited, fsynced): p50 %s, p99 %s\n",
		pct(latClean, 50), pct(latClean, 99), pct(latBlock, 50), pct(latBlock, 99))
	fmt.Printf("proxy peak RSS %.1f MiB (VmHWM %.1f MiB)\n", float64(peakRSS.Load())/1024, float64(hwm)/1024)
	fmt.Printf("audit: %d block records; block answers %d, without a record %d, with more than one %d; stand-in got %d requests, %d with HKIDs\n",
		total, blocked, missing, dup, upSeen.Load(), upHKID.Load())
	if errs != 0 || missing != 0 || dup != 0 || total != blocked || upHKID.Load() != 0 {
		return errors.New("FAILED")
	}
	return nil
}

// auditCounts counts the block records per event id in every audit file.
func auditCounts(dir string) (map[string]int, int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "events*.jsonl"))
	if err != nil || len(files) == 0 {
		return nil, 0, fmt.Errorf("no audit files in %s", dir)
	}
	counts := map[string]int{}
	total := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, 0, err
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var ev struct {
				Event struct {
					ID     string `json:"id"`
					Action string `json:"action"`
				} `json:"event"`
			}
			if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Event.Action != "block" {
				continue
			}
			counts[ev.Event.ID]++
			total++
		}
		fh.Close()
	}
	return counts, total, nil
}

// procStatus reads a kB field of /proc/PID/status.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := (len(ds) - 1) * p / 100
	return ds[i].Round(10 * time.Microsecond)
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
