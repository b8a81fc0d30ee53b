package proxy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/inspect"
)

// BenchmarkRobotMessage: one small JSON robot message through dlpgate on a
// keep-alive intercepted connection (held, inspected, forwarded).
func BenchmarkRobotMessage(b *testing.B) {
	h := newHarness(b, harnessConfig{})
	c := h.client()
	msg := robotJSON("Build 1234 passed; deploy at 15:00 HKT")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := c.Post(robotURL, "application/json", bytes.NewReader(msg))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkUpload: a 4 MB text upload (held in memory) and a 16 MB one
// (spilled to a file) through dlpgate, with the default classifiers.
func BenchmarkUpload(b *testing.B) {
	for _, size := range []int{4 << 20, 16 << 20, 50 << 20} {
		b.Run(byteSize(size), func(b *testing.B) {
			// The real classifiers: the test one is a slow regexp.
			h := newHarness(b, harnessConfig{classifiers: classifiers.NewDefault()})
			c := h.client()
			const line = "plain quarterly planning notes without identifiers\n"
			body := []byte(strings.Repeat(line, size/len(line)+1)[:size])
			b.SetBytes(int64(size))
			b.ResetTimer()
			for b.Loop() {
				resp, err := c.Post("https://sh-dualstack.trans.dingtalk.com/put", "text/plain", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}

// BenchmarkConcurrentUploads sends 100 text uploads of 20 MiB at once
// through dlpgate with the default classifiers and the default inspection
// budget: the in-process twin of bench's peak-RSS measurement. Run it with
// -memprofile to see that no site allocates a full body per request:
//
//	go test ./proxy -run XXX -bench ConcurrentUploads -benchtime 1x -memprofile mem.out
//	go tool pprof -sample_index=alloc_space -top proxy.test mem.out
func BenchmarkConcurrentUploads(b *testing.B) {
	const n, size = 100, 20 << 20
	h := newHarness(b, harnessConfig{classifiers: classifiers.NewDefault(), budget: inspect.NewBudget(0, 0, 0)})
	c := h.client()
	const line = "plain quarterly planning notes without identifiers\n"
	body := []byte(strings.Repeat(line, size/len(line)+1)[:size])
	b.SetBytes(int64(n * size))
	for b.Loop() {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				resp, err := c.Post("https://sh-dualstack.trans.dingtalk.com/put", "text/plain", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
}

func byteSize(n int) string { return fmt.Sprintf("%dMB", n>>20) }
