package spill

import (
	"context"
	"sync"
)

// Arrival is how much of a body is held while it is still being received,
// for an inspection that reads it meanwhile (inspect.Arriving): the front
// end that writes the body reports its growth and its end, readers wait
// for the bytes they need. The zero value is not usable; use NewArrival.
type Arrival struct {
	failed error // what readers get when the body failed

	mu  sync.Mutex
	n   int64
	end bool  // the body is complete
	err error // the body failed
	ch  chan struct{}
}

// NewArrival tracks a body of which n bytes are held already. failed is
// the error readers get when the body fails while it arrives (the
// writer's own error stays with the writer: it may name a peer or a path).
func NewArrival(n int64, failed error) *Arrival {
	return &Arrival{n: n, failed: failed, ch: make(chan struct{})}
}

// Add records n more bytes held and wakes the waiters.
func (a *Arrival) Add(n int64) { a.update(func() { a.n += n }) }

// Held records that the first n bytes are held and wakes the waiters.
func (a *Arrival) Held(n int64) { a.update(func() { a.n = n }) }

// End records the end of the body: complete when err is nil, else failed.
// Only the first end counts.
func (a *Arrival) End(err error) {
	a.update(func() {
		if err != nil {
			a.err = a.failed
			return
		}
		a.end = true
	})
}

// update applies f under the lock unless the body already ended, and
// wakes the waiters.
func (a *Arrival) update(f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.end || a.err != nil {
		return
	}
	f()
	close(a.ch)
	a.ch = make(chan struct{})
}

// WaitFor blocks until the first n bytes are held or the whole body is
// (nil), the body failed (the failed error of NewArrival) or ctx ended
// (ctx's error).
func (a *Arrival) WaitFor(ctx context.Context, n int64) error {
	for {
		a.mu.Lock()
		got, end, err, ch := a.n, a.end, a.err, a.ch
		a.mu.Unlock()
		switch {
		case err != nil:
			return err
		case end || got >= n:
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
