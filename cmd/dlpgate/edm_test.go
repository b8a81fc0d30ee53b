package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// edmCustomers writes a generated customer CSV (never real people).
func edmCustomers(t *testing.T, dir string, n int) (string, [][]string) {
	t.Helper()
	surnames := []string{"Chan", "Wong", "Lee", "Cheung", "Lau", "Ho", "Ng", "Leung"}
	given := []string{"Tai Man", "Siu Ming", "Ka Yan", "Wing Sze", "Chi Keung", "Mei Ling"}
	var b strings.Builder
	b.WriteString("\ufeffCustomer No,Name,Mobile,Email,HKID,Address\n")
	var rows [][]string
	for i := range n {
		r := []string{
			fmt.Sprintf("C%05d", i),
			fmt.Sprintf("%s %s %c%c", surnames[i%8], given[(i/8)%6], 'A'+byte(i%26), 'A'+byte((i/26)%26)),
			fmt.Sprintf("6%07d", i*7+3),
			fmt.Sprintf("member%d@mail.example.hk", i),
			testgen.HKID(i),
			fmt.Sprintf("Flat %d, %d/F, Example Building, Kowloon", i%20, i%30),
		}
		rows = append(rows, r)
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,\"%s\"\n", r[0], r[1], r[2], r[3], r[4], r[5])
	}
	p := filepath.Join(dir, "crm-export.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, rows
}

// End to end: index a generated CSV with the CLI, name the index in a
// config file, and scan uploads with it: rows of the table are blocked,
// unrelated people allowed.
func TestEDMIndexAndScan(t *testing.T) {
	dir := t.TempDir()
	csvPath, rows := edmCustomers(t, dir, 500)
	idx := filepath.Join(dir, "customers.edm")
	var out, errb bytes.Buffer
	code := cmdEDM(context.Background(), []string{"index", "--name", "customers", "--columns", "name,mobile,email,hkid", "--out", idx, csvPath}, &out, &errb)
	if code != 0 {
		t.Fatalf("edm index: %d %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "500 rows") {
		t.Errorf("edm index said %q", out.String())
	}
	raw, err := os.ReadFile(idx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[:50] {
		for _, v := range r[1:5] {
			if bytes.Contains(bytes.ToLower(raw), []byte(strings.ToLower(v))) {
				t.Fatalf("index file holds a value")
			}
		}
	}
	if st, _ := os.Stat(idx); st.Mode().Perm() != 0o600 {
		t.Errorf("index mode %v, want 0600", st.Mode().Perm())
	}
	cfg := filepath.Join(dir, "dlpgate.toml")
	os.WriteFile(cfg, []byte(`
[[edm]]
name = "customers"
file = "customers.edm"

[[rules]]
name = "customer-rows"
description = "Rows of our customer database"
conditions = [{ classifier = "edm:customers", min_count = 5 }]
action = "block"
severity = "high"
`), 0o600)
	// Twelve customers in a chat-style list: name and mobile, other order.
	var leak strings.Builder
	leak.WriteString("Hi team, callbacks for today:\n")
	for _, i := range []int{1, 7, 33, 45, 78, 120, 121, 199, 250, 333, 404, 499} {
		fmt.Fprintf(&leak, "- %s (tel %s-%s), %s\n", strings.ToUpper(rows[i][1]), rows[i][2][:4], rows[i][2][4:], rows[i][3])
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	leakPath := write("callbacks.txt", leak.String())
	var other strings.Builder
	for i := range 30 {
		fmt.Fprintf(&other, "Ho Siu Ming %c, 9%07d, friend%d@other.example\n", 'A'+byte(i), i, i)
	}
	otherPath := write("other.txt", other.String())

	code, lines, msg := runScan(t, "", "--config", cfg, leakPath, otherPath)
	if len(lines) != 2 {
		t.Fatalf("scan: code %d, %d lines: %s", code, len(lines), msg)
	}
	byPath := map[string]scanLine{}
	for _, l := range lines {
		byPath[l.Path] = l
	}
	l := byPath[leakPath]
	if l.Verdict != "block" || l.Decision.Rule != "customer-rows" {
		t.Fatalf("leak: verdict %s rule %q: %s", l.Verdict, l.Decision.Rule, msg)
	}
	found := false
	for _, f := range l.Findings {
		if f.Classifier == "edm:customers" {
			found = true
			if f.Count != 12 {
				t.Errorf("edm rows %d, want 12", f.Count)
			}
		}
	}
	if !found {
		t.Fatalf("no edm finding: %s", msg)
	}
	for _, r := range rows {
		if strings.Contains(msg, r[2]) || strings.Contains(strings.ToLower(msg), strings.ToLower(r[1])) {
			t.Fatalf("scan output holds a value: %s", msg)
		}
	}
	if o := byPath[otherPath]; o.Verdict != "allow" {
		t.Errorf("unrelated people: %s (%s)", o.Verdict, msg)
	}
}

// A config naming a missing or foreign index fails with file:line.
func TestEDMConfigErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "junk.edm"), []byte("not an index"), 0o600)
	cfg := filepath.Join(dir, "bad.toml")
	os.WriteFile(cfg, []byte(`[[edm]]
name = "customers"
file = "missing.edm"

[[edm]]
name = "junk"
file = "junk.edm"

[[rules]]
name = "r"
conditions = [{ classifier = "edm:nobody", min_count = 1 }]
action = "block"
`), 0o600)
	var out, errb bytes.Buffer
	code := cmdScanWith(context.Background(), []string{"--config", cfg, cfg}, strings.NewReader(""), &out, &errb)
	msg := errb.String()
	for _, want := range []string{"bad.toml:3:", "missing.edm", "bad.toml:7:", "not a valid dlpgate EDM index", "bad.toml:11:", `unknown EDM index "nobody"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("code %d, errors %q lack %q", code, msg, want)
		}
	}
}
