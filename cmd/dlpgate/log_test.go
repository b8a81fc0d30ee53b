package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/audit"
)

// writeLog records n events, one per hour from 2026-11-20 09:00 UTC, and
// returns the log path and the events (with their IDs and hashes).
func writeLog(t *testing.T, n int) (string, []*audit.Event) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.jsonl")
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	l, err := audit.Open(audit.Options{Path: path, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var evs []*audit.Event
	for i := 0; i < n; i++ {
		e := &audit.Event{Action: audit.ActionBlock, Rule: "hkid-bulk", User: []string{"alice", "bob"}[i%2], Host: "oapi.dingtalk.com"}
		if err := l.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
		now = now.Add(time.Hour * 12)
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return path, evs
}

func runLog(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cmdLog(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestLogVerifyCommand(t *testing.T) {
	path, evs := writeLog(t, 4)
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	write := func(s string) string {
		p := filepath.Join(t.TempDir(), "events.jsonl")
		os.WriteFile(p, []byte(s), 0o600)
		return p
	}
	last := evs[3]
	for _, c := range []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"intact file", []string{"verify", path}, 0,
			"ok: 4 records, chain intact from " + evs[0].ID + " to " + last.ID},
		{"intact directory", []string{"verify", filepath.Dir(path)}, 0, "ok: 4 records"},
		{"glob", []string{"verify", filepath.Join(filepath.Dir(path), "*.jsonl")}, 0, "ok: 4 records"},
		{"anchor matches", []string{"verify", "--anchor", "4:" + last.Hash, path}, 0, "ok: 4 records"},
		{"flag after file", []string{"verify", path, "--anchor", "4:" + last.Hash}, 0, "ok: 4 records"},
		{"edited", []string{"verify", write(strings.Replace(string(data), `"name":"bob"`, `"name":"eve"`, 1))}, 1,
			":2: edited record"},
		{"line deleted", []string{"verify", write(lines[0] + lines[2] + lines[3])}, 1, ":2: missing records: seq 2 missing"},
		{"crash", []string{"verify", write(string(data[:len(data)-20]))}, 3, ":4: truncated last record (crash)"},
		{"tail cut, anchor", []string{"verify", "--anchor", "4:" + last.Hash, write(lines[0] + lines[1])}, 1, "anchor mismatch"},
		{"bad anchor", []string{"verify", "--anchor", "nope", path}, 2, ""},
		{"no files", []string{"verify"}, 2, ""},
		{"missing file", []string{"verify", "/nonexistent/events.jsonl"}, 2, ""},
		{"unknown subcommand", []string{"frobnicate"}, 2, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runLog(c.args...)
			if code != c.wantCode || !strings.Contains(out, c.wantOut) {
				t.Fatalf("exit %d, want %d; stdout %q (want %q); stderr %q", code, c.wantCode, out, c.wantOut, errOut)
			}
			if c.wantCode == 1 && !regexp.MustCompile(`^FAIL: \S+\.jsonl:\d+: `).MatchString(out) {
				t.Errorf("failure is not reported as file:line: %q", out)
			}
		})
	}
}

func TestLogReportCommand(t *testing.T) {
	path, _ := writeLog(t, 6) // 20th 09:00, 21:00; 21st 09:00, 21:00; 22nd 09:00, 21:00
	htmlPath := filepath.Join(t.TempDir(), "report.html")
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"all", []string{"report", "--tz", "UTC", path}, []string{"6 events (6 block)", "alice 3 3", "bob 3 3", "2026-11-21 2 2"}},
		{"since and until are inclusive days", []string{"report", "--tz", "UTC", "--since", "2026-11-21", "--until", "2026-11-21", path},
			[]string{"2 events (2 block)", "alice 1 1", "bob 1 1"}},
		{"RFC 3339 bounds", []string{"report", "--tz", "UTC", "--since", "2026-11-20T21:00:00Z", "--until", "2026-11-21T09:00:00Z", path},
			[]string{"1 events (1 block)"}},
		{"Hong Kong days", []string{"report", "--tz", "Asia/Hong_Kong", path}, []string{"2026-11-21 2 2", "2026-11-22 2 2", "2026-11-20 1 1", "2026-11-23 1 1"}},
		{"html", []string{"report", "--tz", "UTC", path, "--html", htmlPath}, []string{"6 events"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runLog(c.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			norm := regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
			for _, w := range c.want {
				if !strings.Contains(norm, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if b, err := os.ReadFile(htmlPath); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("html report: %v", err)
	}
	if code, _, _ := runLog("report", "--since", "yesterday", path); code != 2 {
		t.Errorf("bad date accepted")
	}
}
