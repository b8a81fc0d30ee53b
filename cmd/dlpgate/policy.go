package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/rules"
)

const policyUsage = `usage:
  dlpgate policy check FILE            validate FILE merged over the embedded default
  dlpgate policy show [--config FILE]  print the effective configuration as TOML
`

// cmdPolicy validates and prints configurations: check exits 1 with one
// "file:line:col: message" line per problem, show prints the merged result.
func cmdPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, policyUsage)
		return 2
	}
	switch args[0] {
	case "check":
		return policyCheck(args[1:], stdout, stderr)
	case "show":
		return policyShow(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, policyUsage)
		return 0
	}
	fmt.Fprintf(stderr, "dlpgate policy: unknown subcommand %q\n%s", args[0], policyUsage)
	return 2
}

func policyCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dlpgate policy check", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), policyUsage) }
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, policyUsage)
		return 2
	}
	cfg, err := config.Load(fs.Arg(0))
	if err != nil {
		printErrors(stderr, err)
		return 1
	}
	pol, err := rules.Compile(cfg.Policy)
	if err != nil { // Load compiled it already; kept for safety.
		printErrors(stderr, err)
		return 1
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stderr, w)
	}
	for _, w := range pol.Warnings(time.Now()) {
		fmt.Fprintf(stderr, "%s: warning: %s\n", fs.Arg(0), w)
	}
	sp := cfg.Policy
	fmt.Fprintf(stdout, "ok: %d rules, %d endpoints, %d exceptions (policy version %s)\n",
		len(sp.Rules), len(sp.Endpoints), len(sp.Exceptions), pol.Version())
	return 0
}

func policyShow(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dlpgate policy show", flag.ContinueOnError)
	path := fs.String("config", "", "configuration `FILE` merged over the embedded default")
	fs.Usage = func() { fmt.Fprint(fs.Output(), policyUsage); fs.PrintDefaults() }
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, policyUsage)
		return 2
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		printErrors(stderr, err)
		return 1
	}
	pol, err := rules.Compile(cfg.Policy)
	if err != nil {
		printErrors(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "# effective dlpgate configuration: %s\n# policy version %s\n\n",
		strings.Join(cfg.Source, " + "), pol.Version())
	if err := cfg.WriteTOML(stdout); err != nil {
		fmt.Fprintf(stderr, "dlpgate policy show: %v\n", err)
		return 1
	}
	return 0
}

// printErrors writes one line per joined error.
func printErrors(w io.Writer, err error) {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var ce *config.Error
		if errors.As(e, &ce) {
			fmt.Fprintln(w, ce.Error())
			continue
		}
		fmt.Fprintf(w, "dlpgate policy: %v\n", e)
	}
}
