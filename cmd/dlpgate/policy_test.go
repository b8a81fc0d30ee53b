package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/config"
)

func runPolicy(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cmdPolicy(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func writePolicyFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPolicyCheck(t *testing.T) {
	bad := writePolicyFile(t, "dlpgate.toml", `[global]
mode = "enforce"

[[rules]]
name = "hkid-list"
action = "block"
conditions = [{ classifier = "hkid", min_count = 3 }]
  rulez = 1

[[exceptions]]
name = "x"
rules = ["hkid-lists"]
expires = "2026-02-30"
reason = "r"
`)
	good := writePolicyFile(t, "good.toml", `[global]
mode = "monitor"

[[exceptions]]
name = "payroll"
rules = ["hkid-bulk"]
groups = ["hr"]
expires = "2099-12-31"
reason = "monthly payroll"
`)
	expired := writePolicyFile(t, "expired.toml", `[[exceptions]]
name = "old"
users = ["bob"]
expires = "2020-01-01"
reason = "finished project"
`)
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   []string // lines, exact
		contains string   // stderr substring
	}{
		{name: "bad file", args: []string{"check", bad}, code: 1, stderr: []string{
			bad + `:8:3: unknown key "rulez"`,
			bad + `:12:10: unknown rule "hkid-lists"`,
			bad + `:13:11: bad date "2026-02-30" (want YYYY-MM-DD or RFC 3339 like 2026-12-31T18:00:00+08:00)`,
		}},
		{name: "good file", args: []string{"check", good}, code: 0, stdout: []string{"ok: 12 rules, 8 endpoints, 1 exceptions (policy version "}},
		{name: "expired exception warns", args: []string{"check", expired}, code: 0,
			stdout: []string{"ok: 12 rules, 8 endpoints, 1 exceptions"},
			stderr: []string{expired + `: warning: exceptions[0] "old" expired on 2020-01-01 and is ignored`}},
		{name: "missing file", args: []string{"check", filepath.Join(t.TempDir(), "none.toml")}, code: 1, contains: "no such file"},
		{name: "check without file", args: []string{"check"}, code: 2, contains: "usage:"},
		{name: "no subcommand", args: nil, code: 2, contains: "usage:"},
		{name: "unknown subcommand", args: []string{"lint"}, code: 2, contains: `unknown subcommand "lint"`},
		{name: "show bad config", args: []string{"show", "--config", bad}, code: 1, contains: bad + ":8:3: unknown key"},
		{name: "show bad flag", args: []string{"show", "--cfg", good}, code: 2, contains: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runPolicy(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			for _, want := range tt.stdout {
				if !strings.HasPrefix(stdout, want) {
					t.Errorf("stdout %q, want prefix %q", stdout, want)
				}
			}
			if tt.stderr != nil {
				got := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
				if strings.Join(got, "\n") != strings.Join(tt.stderr, "\n") {
					t.Errorf("stderr:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.stderr, "\n"))
				}
			}
			if tt.contains != "" && !strings.Contains(stderr, tt.contains) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.contains)
			}
		})
	}
}

func TestPolicyShow(t *testing.T) {
	file := writePolicyFile(t, "f.toml", "[global]\nmode = \"monitor\"\n[[rules]]\nname = \"only\"\naction = \"log\"\nconditions = [{ classifier = \"hkid\" }]\n")
	for _, args := range [][]string{{"show"}, {"show", "--config", file}} {
		code, stdout, stderr := runPolicy(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		// What show prints is a configuration that loads to the same thing.
		shown, err := config.LoadText("shown.toml", stdout)
		if err != nil {
			t.Fatalf("%v: output does not load: %v\n%s", args, err, stdout)
		}
		var want *config.Config
		if len(args) == 1 {
			want, err = config.Default()
		} else {
			want, err = config.Load(file)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(shown.Policy.Rules) != len(want.Policy.Rules) || shown.Policy.Global != want.Policy.Global {
			t.Errorf("%v: shown policy differs", args)
		}
		if !strings.Contains(stdout, "# policy version ") {
			t.Errorf("%v: no policy version in output", args)
		}
	}
}

// policy check warns, naming the file and line, when the file's [[rules]]
// replaces the default's; policy show marks where each entry came from.
func TestPolicyCheckWarnsOnReplacedList(t *testing.T) {
	p := writeFile(t, "one.toml", "[[rules]]\nname = \"only\"\naction = \"block\"\n[[rules.conditions]]\nclassifier = \"hkid\"\nmin_count = 1\n")
	var out, errb bytes.Buffer
	if code := cmdPolicy(context.Background(), []string{"check", p}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), p+":1:1: warning: [[rules]] replaces the embedded default's list") {
		t.Errorf("no replacement warning: %q", errb.String())
	}
	out.Reset()
	if code := cmdPolicy(context.Background(), []string{"show", "--config", p}, &out, &errb); code != 0 {
		t.Fatalf("show exit %d", code)
	}
	if !strings.Contains(out.String(), "# from: "+p+"\n[[rules]]") || !strings.Contains(out.String(), "# from: embedded default\n[[endpoints]]") {
		t.Errorf("show does not mark sources:\n%s", out.String())
	}
}
