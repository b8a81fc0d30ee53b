package inspect

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dlpgate/dlpgate/extract"
)

// Budget bounds the inspections running at once, across every Engine that
// shares it (a reload builds a new Engine with the same Budget): at most
// Concurrent of them, whose estimated working memory adds up to at most
// Memory bytes. Work beyond the budget waits in order of arrival instead
// of growing the heap; an inspection that waited longer than Wait is not
// run and is reported uninspectable (a Limit), so the policy's fail mode
// decides. Inputs under smallInput bytes are not counted: a chat message
// costs nothing worth queueing for.
type Budget struct {
	memory     int64
	concurrent int
	wait       time.Duration

	mu      sync.Mutex
	used    int64
	running int
	queue   []*waiter // FIFO
}

type waiter struct {
	weight int64
	ready  chan struct{} // closed once granted
}

// Defaults for NewBudget's zero arguments.
const (
	DefaultBudgetMemory = 64 << 20
	DefaultBudgetWait   = 2 * time.Minute
	smallInput          = 64 << 10
)

// errBudgetWait says an inspection waited longer than the budget allows.
var errBudgetWait = errors.New("inspection queue wait exceeded")

// NewBudget returns a budget of memory bytes and concurrent inspections;
// zero values take the defaults (64 MiB, 2 x GOMAXPROCS, 2 minutes).
func NewBudget(memory int64, concurrent int, wait time.Duration) *Budget {
	if memory <= 0 {
		memory = DefaultBudgetMemory
	}
	if concurrent <= 0 {
		concurrent = 2 * runtime.GOMAXPROCS(0)
	}
	if wait <= 0 {
		wait = DefaultBudgetWait
	}
	return &Budget{memory: memory, concurrent: concurrent, wait: wait}
}

// Memory is the budget's memory in bytes.
func (b *Budget) Memory() int64 { return b.memory }

// weight estimates the memory one inspection of in needs: extraction holds
// the decoded text (about the body's size for text, up to the total-text
// limit for a compressed container) and classification its hits. It is
// capped at the whole budget so any single input can run, alone.
func (b *Budget) weight(in extract.Input, lim extract.Limits) int64 {
	w := 2*in.Size + 1<<20
	// A compressed body read speculatively may still be held
	// decompressed (markup, multipart ...): it weighs as below.
	if in.Speculative && in.ContentEncoding == "" {
		// A JSON body read front to back as it arrives (overlap.go) holds
		// the window, two buffers of pieces and the batch being
		// classified, never the whole body: should it need that, the
		// reading ends and the fresh Inspect weighs it again.
		return min(w, 8*extract.StreamWindow+1<<20, b.memory)
	}
	var head [512]byte
	if in.Body != nil {
		n, _ := in.Body.ReadAt(head[:], 0)
		ct := strings.ToLower(in.ContentType)
		labelled := strings.Contains(ct, "charset=") && !strings.Contains(ct, "utf-8") || strings.Contains(ct, "form-urlencoded")
		if !labelled && in.ContentEncoding == "" && plainText(head[:n]) && in.Size > extract.StreamAbove {
			// Streamed window by window: a few windows in flight.
			return min(4*extract.StreamWindow+1<<20, b.memory)
		}
		if n >= 2 {
			// ZIP (Office, archives) and gzip expand: their text can
			// reach the total-text limit whatever the file's size.
			if (head[0] == 'P' && head[1] == 'K') || (head[0] == 0x1f && head[1] == 0x8b) {
				w = max(w, 2*totalText(lim))
			}
		}
	}
	return min(w, b.memory)
}

// acquire waits until weight fits (or ctx ends, or the wait limit passes)
// and returns the function that gives it back.
func (b *Budget) acquire(ctx context.Context, weight int64) (func(), error) {
	b.mu.Lock()
	if len(b.queue) == 0 && b.fits(weight) {
		b.take(weight)
		b.mu.Unlock()
		return func() { b.release(weight) }, nil
	}
	wt := &waiter{weight: weight, ready: make(chan struct{})}
	b.queue = append(b.queue, wt)
	b.mu.Unlock()

	timer := time.NewTimer(b.wait)
	defer timer.Stop()
	var err error
	select {
	case <-wt.ready:
		return func() { b.release(weight) }, nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timer.C:
		err = errBudgetWait
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-wt.ready:
		// Granted while we gave up: hand it on.
		b.releaseLocked(weight)
	default:
		for i, q := range b.queue {
			if q == wt {
				b.queue = append(b.queue[:i], b.queue[i+1:]...)
				break
			}
		}
		// A large waiter leaving may let smaller ones behind it start.
		b.grantLocked()
	}
	return nil, err
}

func (b *Budget) fits(weight int64) bool {
	return b.running < b.concurrent && b.used+weight <= b.memory
}

func (b *Budget) take(weight int64) {
	b.running++
	b.used += weight
}

func (b *Budget) release(weight int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.releaseLocked(weight)
}

func (b *Budget) releaseLocked(weight int64) {
	b.running--
	b.used -= weight
	b.grantLocked()
}

// grantLocked starts waiters from the head of the queue while they fit;
// the head is never overtaken, so a large input is not starved by a
// stream of small ones.
func (b *Budget) grantLocked() {
	for len(b.queue) > 0 && b.fits(b.queue[0].weight) {
		wt := b.queue[0]
		b.queue = b.queue[1:]
		b.take(wt.weight)
		close(wt.ready)
	}
}

// plainText is a cheap guess that a body starting with h is streamed as
// plain text (extract decides for itself; a wrong guess only misjudges the
// weight): printable UTF-8, not JSON or markup.
func plainText(h []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(h, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(t) == 0 || t[0] == '{' || t[0] == '[' || t[0] == '<' || bytes.IndexByte(t, 0) >= 0 {
		return false
	}
	for i := 0; i < utf8.UTFMax && len(t) > 0 && !utf8.Valid(t); i++ {
		t = t[:len(t)-1]
	}
	return utf8.Valid(t)
}

// tryAcquire takes weight only if it fits now, with nobody waiting: an
// inspection that may run early (overlap.go) never queues ahead of one
// that must run.
func (b *Budget) tryAcquire(weight int64) (func(), bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) > 0 || !b.fits(weight) {
		return nil, false
	}
	b.take(weight)
	return func() { b.release(weight) }, true
}

// contended reports whether an inspection is waiting for room.
func (b *Budget) contended() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue) > 0
}

// totalText is the total-text limit lim sets (MaxTotalBytes, or extract's
// default).
func totalText(lim extract.Limits) int64 {
	if lim.MaxTotalBytes > 0 {
		return lim.MaxTotalBytes
	}
	return extract.DefaultMaxTotalBytes
}
