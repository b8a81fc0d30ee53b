package audit

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

// hkidCheck is the HKID check character (generated test data only).
func hkidCheck(prefix, digits string) string {
	return string(testgen.HKIDCheck(prefix, digits))
}

// maskedHKID returns a masked sample like A12****(3) for a generated HKID;
// the clear number never leaves this function.
func maskedHKID(prefix, digits string) string {
	full := prefix + digits
	return full[:3] + strings.Repeat("*", len(full)-3) + "(" + hkidCheck(prefix, digits) + ")"
}

// fakeClock is a settable clock for rotation by age and for report days.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func sampleEvent(i int) *Event {
	users := []string{"alice", "bob", "carol"}
	return &Event{
		Action:     ActionBlock,
		Rule:       "hkid-bulk",
		RuleReason: "3 distinct HKIDs >= 3",
		Severity:   "high",
		User:       users[i%len(users)],
		ClientIP:   "10.1.2.3",
		Host:       "oapi.dingtalk.com",
		Method:     "POST",
		Path:       "/robot/send",
		Query:      "access_token=REDACTED",
		Endpoint:   "dingtalk-robot",
		Channel:    "http",
		Findings: []classifiers.Finding{{
			Classifier: classifiers.HKID, Count: 3, Confidence: classifiers.High,
			Samples: []classifiers.Sample{{Masked: maskedHKID("A", "123456"), Origin: "body", Offset: 10}},
			Signals: []string{"check_digit"},
		}},
		BodyBytes:     1234,
		BodySHA256:    strings.Repeat("ab", 32),
		FileNames:     []string{"staff.xlsx"},
		PolicyVersion: "sha256:0123abcd",
		Explain:       []string{"hkid-bulk: 3 distinct HKIDs >= 3"},
	}
}

// openTest opens a logger in a temp dir with a fake clock and a quiet slog.
func openTest(t *testing.T, mod func(*Options)) (*Logger, Options, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	opts := Options{
		Path:     filepath.Join(t.TempDir(), "events.jsonl"),
		Instance: "gw-test",
		Now:      clk.Now,
		Logger:   slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	}
	if mod != nil {
		mod(&opts)
	}
	l, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		l.Close(ctx)
	})
	return l, opts, clk
}

func record(t *testing.T, l *Logger, e *Event) {
	t.Helper()
	if err := l.Record(context.Background(), e); err != nil {
		t.Fatalf("Record: %v", err)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(string(b), "\n")
}

// syncBuffer is a goroutine-safe log sink for asserting slog output.
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
