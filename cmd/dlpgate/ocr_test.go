package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Without Tesseract dlpgate run still starts, and says once how to
// install it.
func TestRunWithoutTesseract(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no tesseract on it
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cmdRun(ctx, []string{"--listen", addr, "--data-dir", t.TempDir(), "--log-level", "warn"}, &stdout, &stderr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), "OCR unavailable") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// It is serving.
	if c, err := net.Dial("tcp", addr); err != nil {
		t.Errorf("not listening: %v", err)
	} else {
		c.Close()
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
	log := stderr.String()
	if n := strings.Count(log, "OCR unavailable"); n != 1 {
		t.Errorf("OCR notice %d times, want once:\n%s", n, log)
	}
	for _, want := range []string{"no OCR engine", "apt-get install tesseract-ocr tesseract-ocr-chi-tra tesseract-ocr-chi-sim"} {
		if !strings.Contains(log, want) {
			t.Errorf("notice lacks %q:\n%s", want, log)
		}
	}
}
