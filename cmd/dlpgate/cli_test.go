package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestHelpListsEveryCommand: --help, -h and help print the command table on
// stdout and exit 0, with a line for every subcommand.
func TestHelpListsEveryCommand(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "help", "-help"} {
		var out, errb bytes.Buffer
		if code := dispatch(context.Background(), []string{arg}, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d, want 0 (stderr %q)", arg, code, errb.String())
		}
		if errb.Len() != 0 {
			t.Errorf("%s: wrote to stderr: %q", arg, errb.String())
		}
		for _, c := range commands() {
			if !regexp.MustCompile(`(?m)^  ` + c.name + ` +\S`).MatchString(out.String()) {
				t.Errorf("%s: no line for %q in\n%s", arg, c.name, out.String())
			}
		}
	}
}

// TestCommandHelp: every command answers --help with its usage on stdout,
// exit 0.
func TestCommandHelp(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--help"}, {"scan", "--help"}, {"scan", "-h"}, {"ca", "--help"}, {"ca", "export", "--help"},
		{"ca", "init", "-h"}, {"policy", "--help"}, {"policy", "check", "--help"}, {"policy", "show", "--help"},
		{"log", "--help"}, {"log", "verify", "--help"}, {"log", "report", "-h"}, {"version", "--help"},
		{"help", "scan"}, {"help", "run"}, {"edm", "--help"}, {"icap", "--help"}, {"service", "--help"},
	} {
		var out, errb bytes.Buffer
		code := dispatch(context.Background(), args, &out, &errb)
		if code != 0 || !strings.Contains(out.String(), "usage") || errb.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want usage on stdout, exit 0", args, code, out.String(), errb.String())
		}
	}
}

// TestUnknownCommandsAndFlags: a one-line error plus the usage on stderr,
// exit 2.
func TestUnknownCommandsAndFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `dlpgate: unknown command "frobnicate"`},
		{[]string{"--bogus"}, "dlpgate run: flag provided but not defined: -bogus"},
		{[]string{"scan", "--bogus", "x"}, "dlpgate scan: flag provided but not defined: -bogus"},
		{[]string{"help", "frobnicate"}, `dlpgate help: unknown command "frobnicate"`},
		{[]string{"ca", "frobnicate"}, `dlpgate ca: unknown subcommand "frobnicate"`},
		{[]string{"log", "verify", "--bogus"}, "dlpgate log verify: flag provided but not defined: -bogus"},
	} {
		var out, errb bytes.Buffer
		code := dispatch(context.Background(), tc.args, &out, &errb)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		first, _, _ := strings.Cut(errb.String(), "\n")
		if !strings.HasPrefix(first, tc.want) {
			t.Errorf("%v: first stderr line %q, want %q", tc.args, first, tc.want)
		}
		if !strings.Contains(errb.String(), "usage") {
			t.Errorf("%v: no usage after the error: %q", tc.args, errb.String())
		}
		if out.Len() != 0 {
			t.Errorf("%v: wrote to stdout: %q", tc.args, out.String())
		}
	}
}

// TestVersion: --version and version print the product version and the Go
// version of the build.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version", "-version"} {
		var out, errb bytes.Buffer
		if code := dispatch(context.Background(), []string{arg}, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d (%s)", arg, code, errb.String())
		}
		if !regexp.MustCompile(`^dlpgate ` + regexp.QuoteMeta(version) + ` \(commit [^)]+\) go1\.\d+`).MatchString(out.String()) {
			t.Errorf("%s: %q", arg, out.String())
		}
	}
}
