package proxy

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// TestReloadUnderLoad changes the policy file while clients keep sending
// through the real proxy: no request fails, a bad file keeps the running
// policy, and the new policy applies to requests started after the reload.
func TestReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dlpgate.toml")
	policy := func(minCount int) string {
		return `
[[rules]]
name = "hkid-block"
description = "HKIDs"
conditions = [{ classifier = "hkid", min_count = ` + strconv.Itoa(minCount) + ` }]
action = "block"
severity = "high"
`
	}
	// Before: 3+ HKIDs block, so a message with one HKID is forwarded.
	if err := os.WriteFile(path, []byte(policy(3)), 0o600); err != nil {
		t.Fatal(err)
	}
	engineFor := func(cfg *config.Config) *inspect.Engine {
		pol, err := rules.Compile(cfg.Policy)
		if err != nil {
			t.Fatal(err)
		}
		return &inspect.Engine{Policy: pol, Classifiers: hkidCounter{}}
	}
	first, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var current atomic.Pointer[inspect.Engine]
	current.Store(engineFor(first))
	h := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.Engine = current.Load
	}})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reloaded := make(chan string, 4)
	rejected := make(chan error, 4)
	if err := config.Watch(ctx, path, func(c *config.Config) {
		current.Store(engineFor(c))
		reloaded <- c.Policy.Rules[0].Name
	}, func(err error) { rejected <- err }); err != nil {
		t.Fatal(err)
	}

	body := robotJSON("Please call the client, HKID " + testgen.HKID(42))
	client := h.client()
	var (
		mu       sync.Mutex
		failures []string
		swapped  atomic.Int64 // unix nanos when the new engine was in place
		lateOK   atomic.Int64 // requests started after the swap that still passed
		lateSeen atomic.Int64
		total    atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				started := time.Now().UnixNano()
				resp, err := client.Post(robotURL, "application/json", bytes.NewReader(body))
				total.Add(1)
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					continue
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusForbidden {
					mu.Lock()
					failures = append(failures, resp.Status)
					mu.Unlock()
				}
				if s := swapped.Load(); s != 0 && started > s {
					lateSeen.Add(1)
					if resp.StatusCode == http.StatusOK {
						lateOK.Add(1)
					}
				}
			}
		}()
	}

	time.Sleep(200 * time.Millisecond)
	// A broken file is rejected; the running policy stays.
	if err := os.WriteFile(path, []byte("[[rules]]\nnmae = \"oops\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-rejected:
		if err == nil {
			t.Fatal("nil error for a bad file")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("bad file: no error reported")
	}
	time.Sleep(200 * time.Millisecond)
	// A valid file applies: now a single HKID blocks.
	if err := os.WriteFile(path, []byte(policy(1)), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reloaded:
		swapped.Store(time.Now().UnixNano())
	case <-time.After(10 * time.Second):
		t.Fatal("valid file: no reload")
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()

	if len(failures) > 0 {
		t.Fatalf("%d of %d requests failed during reloads, first: %s", len(failures), total.Load(), failures[0])
	}
	if lateSeen.Load() == 0 {
		t.Fatal("no request was started after the reload")
	}
	if n := lateOK.Load(); n != 0 {
		t.Errorf("%d of %d requests started after the reload were forwarded under the old policy", n, lateSeen.Load())
	}
	if up := len(h.up.requests()); up == 0 {
		t.Error("no request was forwarded before the reload")
	}
	t.Logf("%d requests, %d after the reload", total.Load(), lateSeen.Load())
}
