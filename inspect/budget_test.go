package inspect_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/rules"
)

// gatedBody is a text body whose reads after the first (the budget's
// format peek) wait for gate: an inspection that holds a slot for as long
// as the test wants. entered is signalled when extraction starts reading.
type gatedBody struct {
	data    []byte
	calls   atomic.Int32
	once    sync.Once
	entered chan struct{}
	gate    chan struct{}
}

func newGated(size int) *gatedBody {
	return &gatedBody{data: bytes.Repeat([]byte("quarterly lunch menu\n"), size/21+1)[:size], entered: make(chan struct{}), gate: make(chan struct{})}
}

func (g *gatedBody) ReadAt(p []byte, off int64) (int, error) {
	if g.calls.Add(1) > 1 {
		g.once.Do(func() { close(g.entered) })
		<-g.gate
	}
	return bytes.NewReader(g.data).ReadAt(p, off)
}

func gatedInput(g *gatedBody) extract.Input {
	return extract.Input{ContentType: "text/plain", Body: g, Size: int64(len(g.data)), Origin: "body"}
}

// A request that waits for an inspection slot longer than the budget
// allows is not read: it is uninspectable and the default fail mode
// (closed) blocks it.
func TestBudgetWaitFollowsFailMode(t *testing.T) {
	eng := defaultEngine(t)
	eng.Budget = inspect.NewBudget(64<<20, 1, 50*time.Millisecond)
	first := newGated(256 << 10)
	done := make(chan error, 1)
	go func() {
		_, err := eng.Inspect(context.Background(), rules.Request{Method: "POST"}, gatedInput(first))
		done <- err
	}()
	<-first.entered // the only slot is taken
	r, err := eng.Inspect(context.Background(), rules.Request{Method: "POST"}, input(bytes.Repeat([]byte("hello world\n"), 10000), "text/plain"))
	if err != nil {
		t.Fatal(err)
	}
	f := findingOf(r, classifiers.Uninspectable)
	if f == nil || !strings.Contains(strings.Join(f.Signals, "|"), "inspection queue") {
		t.Fatalf("want an uninspectable finding about the queue, got %+v", r.Findings)
	}
	if r.Decision.Action != rules.Block {
		t.Fatalf("queue timeout: action %s, want block (fail_mode closed)", r.Decision.Action)
	}
	close(first.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The slot is free again: the same request is now inspected.
	r, err = eng.Inspect(context.Background(), rules.Request{Method: "POST"}, input(bytes.Repeat([]byte("hello world\n"), 10000), "text/plain"))
	if err != nil || r.Decision.Action != rules.Allow {
		t.Fatalf("after release: %v, %+v", err, r)
	}
}

// Work beyond the budget queues: with room for one inspection of this size
// at a time, concurrent requests run one after another and all succeed.
func TestBudgetQueues(t *testing.T) {
	eng := defaultEngine(t)
	eng.Budget = inspect.NewBudget(4<<20, 8, time.Minute)
	bodies := make([]*gatedBody, 4)
	var wg sync.WaitGroup
	errs := make(chan error, len(bodies))
	for i := range bodies {
		bodies[i] = newGated(1 << 20) // weight 2 x 1 MiB + 1 MiB: one fits in 4 MiB
		wg.Go(func() {
			r, err := eng.Inspect(context.Background(), rules.Request{Method: "POST"}, gatedInput(bodies[i]))
			if err == nil && r.Decision.Action != rules.Allow {
				t.Errorf("body %d: %s", i, r.Decision.Action)
			}
			errs <- err
		})
	}
	// Exactly one inspection starts reading; the others wait.
	started := func() int {
		n := 0
		for _, b := range bodies {
			select {
			case <-b.entered:
				n++
			default:
			}
		}
		return n
	}
	for started() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if n := started(); n != 1 {
		t.Fatalf("%d inspections running, budget allows 1", n)
	}
	for _, b := range bodies {
		close(b.gate)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A cancelled request stops waiting with an error, not a decision.
func TestBudgetWaitCancelled(t *testing.T) {
	eng := defaultEngine(t)
	eng.Budget = inspect.NewBudget(64<<20, 1, time.Minute)
	first := newGated(256 << 10)
	go eng.Inspect(context.Background(), rules.Request{}, gatedInput(first))
	<-first.entered
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := eng.Inspect(ctx, rules.Request{}, input(bytes.Repeat([]byte("x y\n"), 50000), "text/plain")); err == nil {
		t.Fatal("cancelled while queued: want an error")
	}
	close(first.gate)
}
