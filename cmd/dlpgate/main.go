// Command dlpgate is a data-loss-prevention forward proxy for DingTalk:
// it intercepts HTTPS to DingTalk, inspects uploads and messages, and
// blocks or logs what the acceptable-use policy forbids.
//
// `dlpgate help` lists the subcommands; `dlpgate COMMAND --help` shows a
// command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// version is the product version, reported in CEF headers and by
// `dlpgate version` next to the commit and Go version of the build.
const version = "0.1.0"

// command runs one subcommand and returns the process exit code.
type command func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// subcommand is one entry of the command table: its name, the one line
// `dlpgate help` prints for it, and what runs it.
type subcommand struct {
	name    string
	summary string
	run     command
}

// commands is the command table, in the order `dlpgate help` lists it.
func commands() []subcommand {
	return []subcommand{
		{"run", "start the proxy (the default when no command is given)", cmdRun},
		{"scan", "check files offline with the same pipeline as the proxy (JSON lines)", cmdScan},
		{"ca", "export or create the interception CA (ca export | ca init)", cmdCA},
		{"policy", "validate or print the effective policy (policy check FILE | policy show)", cmdPolicy},
		{"edm", "build or describe an Exact Data Match index (edm index | edm info)", cmdEDM},
		{"log", "verify the audit hash chain or report on it (log verify | log report)", cmdLog},
		{"icap", "serve ICAP (RFC 3507) REQMOD for Squid and other egress proxies, without the proxy", cmdICAP},
		{"service", "print the systemd/launchd service files; Windows: service install | uninstall", cmdService},
		{"version", "print the version, commit and Go version", cmdVersion},
		{"help", "list the commands, or show one command's flags (help COMMAND)", nil},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return cmdRun(ctx, args, stdout, stderr)
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			if c, ok := lookup(args[1]); ok && c.run != nil {
				return c.run(ctx, []string{"--help"}, stdout, stderr)
			}
			fmt.Fprintf(stderr, "dlpgate help: unknown command %q\n\n", args[1])
			writeUsage(stderr)
			return 2
		}
		writeUsage(stdout)
		return 0
	case "--version", "-version", "-v":
		return cmdVersion(ctx, args[1:], stdout, stderr)
	}
	if strings.HasPrefix(args[0], "-") {
		return cmdRun(ctx, args, stdout, stderr)
	}
	c, ok := lookup(args[0])
	if !ok || c.run == nil {
		fmt.Fprintf(stderr, "dlpgate: unknown command %q\n\n", args[0])
		writeUsage(stderr)
		return 2
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func lookup(name string) (subcommand, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return subcommand{}, false
}

// writeUsage prints the command list, one line per command.
func writeUsage(w io.Writer) {
	fmt.Fprint(w, "dlpgate: a data-loss-prevention proxy for DingTalk\n\nusage: dlpgate [COMMAND] [FLAGS] [ARGS]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\n'dlpgate COMMAND --help' shows a command's flags. Without a command, dlpgate runs the proxy.\n")
}

// parseFlags parses a command's flags. --help prints the command's usage
// on stdout (exit 0); a bad flag prints one error line and the usage on
// stderr (exit 2). ok is false when the command must return code.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	return flagResult(fs, fs.Parse(args), stdout, stderr)
}

// flagResult reports a parse error of fs as parseFlags does.
func flagResult(fs *flag.FlagSet, err error, stdout, stderr io.Writer) (code int, ok bool) {
	if err == nil {
		fs.SetOutput(stderr)
		return 0, true
	}
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return 0, false
	}
	fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
	fs.SetOutput(stderr)
	fs.Usage()
	return 2, false
}

// cmdVersion prints the product version, the VCS commit the binary was
// built from and the Go version.
func cmdVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dlpgate version", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), "usage: dlpgate version") }
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	fmt.Fprintln(stdout, versionLine())
	return 0
}

// versionLine is "dlpgate 0.1.0 (commit abc123, 2026-12-01T20:00:00Z) go1.26.8".
func versionLine() string {
	commit, when, goVersion, dirty := "unknown", "", "unknown", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
				if len(commit) > 12 {
					commit = commit[:12]
				}
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if dirty {
		commit += "-dirty"
	}
	if when != "" {
		commit += ", " + when
	}
	return fmt.Sprintf("dlpgate %s (commit %s) %s", version, commit, goVersion)
}
