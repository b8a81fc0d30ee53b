package audit

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkGroupCommit records block events (each durable before Record
// returns) from 1, 16 and 256 concurrent writers into a real file and
// reports block records/s and the p50/p99 latency of one Record call.
//
//	go test ./audit -run '^$' -bench GroupCommit -benchtime 2000x
func BenchmarkGroupCommit(b *testing.B) {
	for _, writers := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			l, err := Open(Options{Path: filepath.Join(b.TempDir(), "events.jsonl"),
				Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close(context.Background())
			var next atomic.Int64
			lats := make([][]time.Duration, writers)
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						e := sampleEvent(w)
						t0 := time.Now()
						if err := l.Record(context.Background(), e); err != nil {
							b.Error(err)
							return
						}
						lats[w] = append(lats[w], time.Since(t0))
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			all := slices.Concat(lats...)
			slices.Sort(all)
			if len(all) == 0 {
				return
			}
			b.ReportMetric(float64(len(all))/elapsed.Seconds(), "records/s")
			b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(all[(len(all)-1)*99/100].Microseconds()), "p99-µs")
		})
	}
}
