package icap

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/internal/spill"
)

func newSpool(t *testing.T, budget int64, pool *spill.Pool) *spool {
	s := &spool{budget: budget, dir: t.TempDir(), pool: pool}
	t.Cleanup(s.release)
	return s
}

// writeAll writes b in pieces of n bytes and reads it back.
func writeAll(t *testing.T, s *spool, b []byte, n int) {
	t.Helper()
	for len(b) > 0 {
		k := min(n, len(b))
		if _, err := s.Write(b[:k]); err != nil {
			t.Fatal(err)
		}
		b = b[k:]
	}
}

func readBack(t *testing.T, s *spool) []byte {
	t.Helper()
	got := make([]byte, s.size)
	if n, _ := s.ReadAt(got, 0); int64(n) != s.size {
		t.Fatalf("read back %d of %d", n, s.size)
	}
	return got
}

// The spool holds a body in memory only within its reservation from the
// shared pool, never grows past it, spills once it would, and gives the
// reservation back — for declared, unknown and lying sizes.
func TestSpoolMemoryAccounting(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	for _, tc := range []struct {
		name     string
		declared int64
		body     []byte
		pool     int64
		spilled  bool
		firstOut bool // in the file from the first byte
	}{
		{"declared, fits", int64(len(body)), body, 1 << 20, false, false},
		{"declared over the budget", int64(len(body)) * 4, bytes.Repeat(body, 4), 1 << 20, true, true},
		{"declared, no room in the pool", int64(len(body)), body, 1 << 10, true, true},
		{"unknown, fits", -1, body, 1 << 20, false, false},
		{"unknown, past the budget", -1, bytes.Repeat(body, 3), 1 << 20, true, false},
		{"lying: more than declared", 1000, body, 1 << 20, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := spill.NewPool(tc.pool)
			s := newSpool(t, 128<<10, pool)
			s.expect(tc.declared)
			if pool.Used() > pool.Max() || cap(s.mem) > int(s.reserved) || s.reserved > s.budget {
				t.Fatalf("reserved %d (pool %d of %d), cap %d", s.reserved, pool.Used(), pool.Max(), cap(s.mem))
			}
			if _, err := s.Write(tc.body[:1]); err != nil {
				t.Fatal(err)
			}
			if s.spilled() != tc.firstOut {
				t.Fatalf("after one byte spilled %v, want %v", s.spilled(), tc.firstOut)
			}
			writeAll(t, s, tc.body[1:], 1000)
			if s.spilled() != tc.spilled {
				t.Fatalf("spilled %v, want %v", s.spilled(), tc.spilled)
			}
			if int64(cap(s.mem)) > s.reserved || pool.Used() != s.reserved || s.spilled() && s.reserved != 0 {
				t.Fatalf("cap %d, reserved %d, pool %d", cap(s.mem), s.reserved, pool.Used())
			}
			if !bytes.Equal(readBack(t, s), tc.body) {
				t.Fatal("read back differs")
			}
			s.release()
			if pool.Used() != 0 {
				t.Fatalf("pool %d after release", pool.Used())
			}
		})
	}
}

// Concurrent ICAP bodies share one small pool: every answer is right, the
// pool is never overdrawn, and it is empty once they are done.
func TestICAPMemoryPoolShared(t *testing.T) {
	pool := spill.NewPool(1 << 20)
	s, _ := startServer(t, func(o *Options) { o.MemoryPool = pool; o.MemoryBudget = 512 << 10 })
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	stop, sampled := make(chan struct{}), make(chan struct{})
	var peak int64
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			default:
			}
			peak = max(peak, pool.Used())
			time.Sleep(100 * time.Microsecond)
		}
	}()
	for i := range 8 {
		wg.Go(func() {
			c, br := dial(t, s)
			for j := range 3 {
				body := cleanBody(300<<10 + i*1000 + j)
				want := 204
				if j == 1 {
					body = append(badBody(), body...)
					want = 200
				}
				r, _ := roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(body)), body: body, preview: 0, chunk: 16 << 10})
				if r.code != want {
					errs <- fmt.Errorf("client %d body %d: %d, want %d", i, j, r.code, want)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := 0; i < 100 && pool.Used() != 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if pool.Used() != 0 || peak > pool.Max() {
		t.Fatalf("pool %d after, peak %d of %d", pool.Used(), peak, pool.Max())
	}
}
