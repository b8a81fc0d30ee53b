package proxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
)

// slowSet is a classifier that takes d per body (and finds nothing): an
// inspection that outlasts the idle timeout. URLs and headers are quick.
type slowSet struct{ d time.Duration }

func (s slowSet) Classify(ctx context.Context, segs []extract.Segment) []classifiers.Finding {
	if !slices.ContainsFunc(segs, func(s extract.Segment) bool { return strings.HasPrefix(s.Origin, "body") }) {
		return nil
	}
	select {
	case <-time.After(s.d):
	case <-ctx.Done():
	}
	return nil
}

// While the proxy inspects a held body, queues it for the inspection
// budget or waits for upstream, the client is silent because it waits for
// the proxy: the idle timeout must not close its connection without an
// answer (the client saw a bare EOF). The header timeout is as short: its
// timer stood in for the idle one until the headers were in. Budget of one inspection, a slow
// classifier and a queue wait, each longer than the idle timeout: every
// client gets a status, the first an allow, the queued ones the fail
// mode's answer with an audit event each.
func TestBusyNotIdle(t *testing.T) {
	const idle = 300 * time.Millisecond
	for _, scheme := range []string{"https", "http"} {
		t.Run(scheme, func(t *testing.T) {
			h := newHarness(t, harnessConfig{
				classifiers: slowSet{4 * idle},
				budget:      inspect.NewBudget(0, 1, 3*idle),
				opts:        func(o *Options) { o.IdleTimeout, o.HeaderTimeout = idle, idle },
			})
			c := h.client()
			body := []byte(strings.Repeat("plain quarterly planning notes without identifiers\n", 5000)) // 250 KiB: budgeted
			const n = 4
			var mu sync.Mutex
			statuses := map[int]int{}
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					resp, err := c.Post(scheme+"://sh-dualstack.trans.dingtalk.com/put", "text/plain", bytes.NewReader(body))
					if err != nil {
						t.Errorf("upload %d: no answer: %v", i, err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mu.Lock()
					statuses[resp.StatusCode]++
					mu.Unlock()
				})
			}
			wg.Wait()
			if statuses[http.StatusOK] == 0 || statuses[http.StatusOK] == n {
				t.Errorf("statuses %v: want the first inspected and allowed, the queued ones refused", statuses)
			}
			refused := n - statuses[http.StatusOK]
			blocked := 0
			for _, ev := range h.rec.events() {
				if ev.Action == "block" {
					blocked++
				}
			}
			if blocked != refused {
				t.Errorf("%d block events for %d refusals (statuses %v)", blocked, refused, statuses)
			}
		})
	}
}

// An upstream slower to answer than the idle timeout: the client gets
// upstream's answer, not an EOF, for an inspected upload and for a
// request without a body.
func TestSlowUpstreamNotIdle(t *testing.T) {
	const idle = 300 * time.Millisecond
	for _, scheme := range []string{"https", "http"} {
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			t.Run(scheme+" "+method, func(t *testing.T) {
				h := newHarness(t, harnessConfig{opts: func(o *Options) { o.IdleTimeout, o.HeaderTimeout = idle, idle }})
				var body io.Reader
				if method == http.MethodPost {
					body = strings.NewReader("build notes")
				}
				req, err := http.NewRequest(method, scheme+"://sh-dualstack.trans.dingtalk.com/put", body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set(standInDelay, fmt.Sprint(4*idle))
				if st := h.status(t, req); st != http.StatusOK {
					t.Errorf("status %d, want upstream's 200", st)
				}
			})
		}
	}
}
