package proxy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
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

func byteSize(n int) string { return fmt.Sprintf("%dMB", n>>20) }
