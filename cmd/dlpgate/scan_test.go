package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

type scanLine struct {
	Path     string `json:"path"`
	Verdict  string `json:"verdict"`
	Error    string `json:"error"`
	Findings []struct {
		Classifier string `json:"classifier"`
		Count      int    `json:"count"`
	} `json:"findings"`
	Decision struct {
		Rule string `json:"rule"`
	} `json:"decision"`
}

func runScan(t *testing.T, stdin string, args ...string) (int, []scanLine, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cmdScanWith(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	var lines []scanLine
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if l == "" {
			continue
		}
		var sl scanLine
		if err := json.Unmarshal([]byte(l), &sl); err != nil {
			t.Fatalf("scan printed a line that is not JSON: %v", err)
		}
		lines = append(lines, sl)
	}
	return code, lines, out.String() + errb.String()
}

func hkidCount(l scanLine) int {
	for _, f := range l.Findings {
		if f.Classifier == "hkid" {
			return f.Count
		}
	}
	return 0
}

func TestScanFilesDirsAndErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	list := write("export.csv", testgen.HKIDList(4))
	clean := write("note.txt", "Please review the slides before Friday. 請於星期五前審閱簡報。")
	missing := filepath.Join(dir, "nope.txt")

	code, lines, raw := runScan(t, "", list, clean, missing)
	if code != 1 {
		t.Errorf("exit %d, want 1 (one input could not be scanned)", code)
	}
	if len(lines) != 3 {
		t.Fatalf("want 3 lines in input order, got %d:\n%s", len(lines), raw)
	}
	if lines[0].Path != list || lines[0].Verdict != "block" || hkidCount(lines[0]) != 4 || lines[0].Decision.Rule != "hkid-bulk" {
		t.Errorf("customer list: %+v", lines[0])
	}
	if lines[1].Path != clean || lines[1].Verdict != "allow" || len(lines[1].Findings) != 0 {
		t.Errorf("clean note: %+v", lines[1])
	}
	// An input that cannot be read is decided by the fail mode (closed by
	// default), like a body the proxy cannot read.
	if lines[2].Path != missing || lines[2].Error == "" || lines[2].Verdict != "block" || lines[2].Decision.Rule != "fail-closed" {
		t.Errorf("missing file: %+v", lines[2])
	}
	for _, id := range []string{testgen.HKID(0), testgen.HKID(1), testgen.HKID(2), testgen.HKID(3)} {
		if strings.Contains(raw, id) {
			t.Fatalf("scan output holds a raw HKID")
		}
	}

	// A directory is walked; all inputs scanned -> exit 0.
	code, lines, raw = runScan(t, "", dir)
	if code != 0 || len(lines) != 2 {
		t.Fatalf("directory scan: exit %d, %d lines:\n%s", code, len(lines), raw)
	}
}

func TestScanStdinAndConfig(t *testing.T) {
	two := "Staff: " + testgen.HKID(7) + " and " + testgen.HKID(8)
	code, lines, raw := runScan(t, two, "-")
	if code != 0 || len(lines) != 1 || lines[0].Path != "-" || lines[0].Verdict != "log" || hkidCount(lines[0]) != 2 {
		t.Fatalf("stdin with 2 HKIDs: exit %d\n%s", code, raw)
	}

	// The same policy engine reads --config: raising the bulk threshold turns a block into a log.
	dir := t.TempDir()
	cfg := filepath.Join(dir, "policy.toml")
	policy := `
[[rules]]
name = "hkid-bulk"
description = "bulk HKIDs"
conditions = [{ classifier = "hkid", min_count = 10 }]
action = "block"
severity = "high"

[[rules]]
name = "hkid-any"
description = "any HKID"
conditions = [{ classifier = "hkid", min_count = 1 }]
action = "log"
severity = "medium"
`
	if err := os.WriteFile(cfg, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	list := testgen.HKIDList(4)
	code, lines, raw = runScan(t, list, "--config", cfg, "-")
	if code != 0 || len(lines) != 1 || lines[0].Verdict != "log" || lines[0].Decision.Rule != "hkid-any" {
		t.Fatalf("--config policy: exit %d\n%s", code, raw)
	}

	// A bad config is a usage error naming the file.
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[[rules]]\nnmae = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, raw = runScan(t, "", "--config", bad, "-")
	if code != 2 || !strings.Contains(raw, "bad.toml:2") {
		t.Fatalf("bad config: exit %d, output %q: want exit 2 naming bad.toml:2", code, raw)
	}
}

// Admin-defined [[patterns]] (regexp2, with lookaround) are part of the
// policy: a rule can name them, and scan applies them like the built-ins.
func TestScanCustomPattern(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "patterns.toml")
	policy := `
[[patterns]]
name = "staff_id"
description = "Staff numbers HK-nnnnnn"
regex = '(?<![A-Za-z0-9-])HK-[0-9]{6}(?![0-9])'
keywords = ["staff", "員工"]

[[rules]]
name = "staff-list"
description = "Lists of staff numbers"
conditions = [{ classifier = "staff_id", min_count = 2 }]
action = "block"
severity = "medium"
`
	if err := os.WriteFile(cfg, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	code, lines, raw := runScan(t, "員工編號 HK-123456, HK-222222; part no. XHK-333333", "--config", cfg, "-")
	if code != 0 || len(lines) != 1 || lines[0].Verdict != "block" || lines[0].Decision.Rule != "staff-list" {
		t.Fatalf("exit %d\n%s", code, raw)
	}
	if strings.Contains(raw, "123456") || strings.Contains(raw, "222222") {
		t.Fatalf("raw value in scan output: %s", raw)
	}
	// One number is below the threshold: allowed.
	code, lines, raw = runScan(t, "staff HK-123456", "--config", cfg, "-")
	if code != 0 || lines[0].Verdict != "allow" {
		t.Fatalf("one staff number: exit %d\n%s", code, raw)
	}

	// A broken regex is a configuration error at its line and column.
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[[patterns]]\nname = \"p\"\nregex = \"(?<=x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := cmdPolicy(context.Background(), []string{"check", bad}, &out, &errb); code != 1 || !strings.Contains(out.String()+errb.String(), "bad.toml:3:") {
		t.Fatalf("policy check: exit %d, %q", code, out.String()+errb.String())
	}
}

// TestScanDocumentedShape checks every field the README documents as the
// public interface, on a clean input, a blocked one, an unreadable part and
// an input that could not be read at all: every line has the same keys, with
// problems and findings as arrays (never omitted) and a verdict and decision
// also next to an error.
func TestScanDocumentedShape(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, body []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	clean := write("memo.txt", []byte("Lunch at noon on Friday."))
	list := write("list.csv", []byte(testgen.HKIDList(5)))
	missing := filepath.Join(dir, "absent.txt")
	var out, errb bytes.Buffer
	cmdScanWith(context.Background(), []string{clean, list, missing}, strings.NewReader(""), &out, &errb)
	rows := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(rows) != 3 {
		t.Fatalf("want 3 lines, got %d:\n%s", len(rows), out.String())
	}
	always := []string{"path", "verdict", "findings", "decision", "problems", "bytes", "segments"}
	for i, row := range rows {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(row), &m); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		for _, k := range always {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d lacks %q: %s", i, k, row)
			}
		}
		for _, k := range []string{"findings", "problems"} {
			if !strings.HasPrefix(string(m[k]), "[") {
				t.Errorf("line %d: %s is %s, want an array", i, k, m[k])
			}
		}
		var v string
		if err := json.Unmarshal(m["verdict"], &v); err != nil || (v != "allow" && v != "log" && v != "block") {
			t.Errorf("line %d: verdict %s", i, m["verdict"])
		}
		var d map[string]json.RawMessage
		if err := json.Unmarshal(m["decision"], &d); err != nil {
			t.Errorf("line %d: decision %s", i, m["decision"])
		}
		keys := []string{"action", "policy_version"}
		if v != "allow" {
			keys = append(keys, "rule", "reason")
		}
		for _, k := range keys {
			if _, ok := d[k]; !ok {
				t.Errorf("line %d: decision lacks %q: %s", i, k, m["decision"])
			}
		}
		_, hasErr := m["error"]
		if hasErr != (i == 2) {
			t.Errorf("line %d: error present=%v", i, hasErr)
		}
	}
	var blocked struct {
		Findings []struct {
			Classifier string   `json:"classifier"`
			Count      int      `json:"count"`
			Confidence string   `json:"confidence"`
			Signals    []string `json:"signals"`
			Samples    []struct {
				Masked string `json:"masked"`
				Origin string `json:"origin"`
			} `json:"samples"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(rows[1]), &blocked); err != nil {
		t.Fatal(err)
	}
	if len(blocked.Findings) == 0 || blocked.Findings[0].Classifier == "" || blocked.Findings[0].Count == 0 ||
		blocked.Findings[0].Confidence == "" || len(blocked.Findings[0].Signals) == 0 ||
		len(blocked.Findings[0].Samples) == 0 || blocked.Findings[0].Samples[0].Masked == "" || blocked.Findings[0].Samples[0].Origin == "" {
		t.Errorf("finding lacks documented fields: %s", rows[1])
	}
}

// Member names inside a scanned archive are masked in its report as the
// audit log masks them (a member name may be a name and a diagnosis);
// --show-origins prints them as they are. The file's own name stays.
func TestScanMasksMemberNames(t *testing.T) {
	dir := t.TempDir()
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, body := range map[string]string{
		"陳大文 抑鬱症 名單.csv":                     "name,hkid\n" + testgen.HKIDList(3),
		"notes: Chan Tai Man depression.pdf": "%PDF-1.4\n1 0 obj << /Length 999 >> stream\nBT (cut",
	} {
		fw, _ := zw.Create(name)
		io.WriteString(fw, body)
	}
	zw.Close()
	p := filepath.Join(dir, "scan.zip")
	if err := os.WriteFile(p, zb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	_, lines, out := runScan(t, "", p)
	if len(lines) != 1 || lines[0].Verdict != "block" {
		t.Fatalf("scan: %s", out)
	}
	for _, leak := range []string{"抑鬱症", "depression", "Tai Man"} {
		if strings.Contains(out, leak) {
			t.Errorf("%q in the report: %s", leak, out)
		}
	}
	if !strings.Contains(out, "scan.zip") {
		t.Errorf("the file's own name is not in its report: %s", out)
	}
	if _, _, raw := runScan(t, "", "--show-origins", p); !strings.Contains(raw, "抑鬱症") || !strings.Contains(raw, "depression") {
		t.Errorf("--show-origins: member names not shown: %s", raw)
	}
}
