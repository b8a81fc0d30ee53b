// Command dlpgate is a data-loss-prevention forward proxy for DingTalk:
// it intercepts HTTPS to DingTalk, inspects uploads and messages, and
// blocks or logs what the acceptable-use policy forbids.
//
//	dlpgate [run] [--config FILE] [--listen ADDR] [--data-dir DIR]
//	dlpgate scan [--config FILE] PATH...
//	dlpgate ca export|init [--data-dir DIR] [--force]
//	dlpgate policy check FILE | show [--config FILE]
//	dlpgate log verify FILE... | report [--since DATE] [--until DATE] [--html OUT] FILE...
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is reported in CEF headers and `dlpgate version`.
const version = "0.1.0"

// command runs one subcommand and returns the process exit code.
type command func(ctx context.Context, args []string, stdout, stderr io.Writer) int

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	commands := map[string]command{
		"run":    cmdRun,
		"scan":   cmdScan,
		"ca":     cmdCA,
		"policy": cmdPolicy,
		"log":    cmdLog,
	}
	addAdminCommands(commands) // icap, service (icapcmd.go)
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-') {
		return cmdRun(ctx, args, stdout, stderr)
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "--version":
		fmt.Fprintf(stdout, "dlpgate %s\n", version)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dlpgate: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	return cmd(ctx, args[1:], stdout, stderr)
}

const usage = `usage:
  dlpgate [run] [--config FILE] [--listen ADDR] [--data-dir DIR]   start the proxy (default)
  dlpgate scan [--config FILE] PATH...                             check files offline (- for stdin)
  dlpgate ca export [--data-dir DIR]                               print the CA certificate (PEM)
  dlpgate ca init [--data-dir DIR] [--force]                       create the CA
  dlpgate policy check FILE                                        validate a config/policy file
  dlpgate policy show [--config FILE]                              print the effective policy
  dlpgate log verify FILE...                                       verify the audit hash chain
  dlpgate log report [--since DATE] [--until DATE] [--html OUT] FILE...
`
