package main

import (
	"context"
	"fmt"
	"io"

	"github.com/dlpgate/dlpgate/deploy"
)

const serviceUsage = `usage:
  dlpgate service print systemd|systemd-user|launchd   write a service definition to stdout
  dlpgate service install [run flags...]               (Windows) register dlpgate with the service manager
  dlpgate service uninstall                            (Windows) stop and remove the service
  dlpgate service run [run flags...]                   (Windows) what the service manager starts
`

// cmdService prints the shipped service definitions, and on Windows
// installs, removes and runs dlpgate as a service.
func cmdService(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, serviceUsage)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, serviceUsage)
		return 0
	case "print":
		if len(args) != 2 {
			fmt.Fprint(stderr, serviceUsage)
			return 2
		}
		b, err := deploy.File(args[1])
		if err != nil {
			fmt.Fprintf(stderr, "dlpgate service print: %v\n", err)
			return 2
		}
		stdout.Write(b)
		return 0
	case "install":
		return serviceInstall(args[1:], stdout, stderr)
	case "uninstall":
		return serviceUninstall(stdout, stderr)
	case "run":
		return serviceRun(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "dlpgate service: unknown subcommand %q\n\n%s", args[0], serviceUsage)
	return 2
}
