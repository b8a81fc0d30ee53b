package spill

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A reader waiting for bytes is woken by each growth and returns once
// enough are held, or the body ends (complete or failed), or its context
// ends.
func TestArrivalWaitFor(t *testing.T) {
	failed := errors.New("body failed while it arrived")
	a := NewArrival(10, failed)
	ctx := context.Background()
	if err := a.WaitFor(ctx, 10); err != nil {
		t.Fatalf("held bytes: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.WaitFor(ctx, 100) }()
	a.Add(50) // 60: not enough
	select {
	case err := <-done:
		t.Fatalf("returned with 60 of 100 bytes held: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	a.Held(100)
	if err := <-done; err != nil {
		t.Fatalf("after 100 bytes: %v", err)
	}

	// Complete: any amount is there.
	go func() { done <- a.WaitFor(ctx, 1<<40) }()
	a.End(nil)
	if err := <-done; err != nil {
		t.Fatalf("complete body: %v", err)
	}
	// Only the first end counts.
	a.End(errors.New("late"))
	if err := a.WaitFor(ctx, 1<<40); err != nil {
		t.Fatalf("a later failure changed a complete body: %v", err)
	}
}

func TestArrivalFailedAndCancelled(t *testing.T) {
	failed := errors.New("body failed while it arrived")
	a := NewArrival(0, failed)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.WaitFor(ctx, 5) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v, want context.Canceled", err)
	}
	go func() { done <- a.WaitFor(context.Background(), 5) }()
	secret := errors.New("read tcp 10.0.0.7: reset") // the writer's own error
	a.End(secret)
	if err := <-done; err != failed {
		t.Fatalf("failed body: %v, want the reader-facing error", err)
	}
	a.Add(100)
	if err := a.WaitFor(context.Background(), 5); err != failed {
		t.Fatalf("growth after the failure revived the body: %v", err)
	}
}
