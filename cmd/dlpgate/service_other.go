//go:build !windows

package main

import (
	"context"
	"fmt"
	"io"
)

const serviceElsewhere = `dlpgate service %s is for Windows. Here, install a service definition:
  systemd (egress box):  dlpgate service print systemd > /etc/systemd/system/dlpgate.service
  systemd (laptop user): dlpgate service print systemd-user > ~/.config/systemd/user/dlpgate.service
  macOS launchd agent:   dlpgate service print launchd > ~/Library/LaunchAgents/hk.dlpgate.agent.plist
`

func serviceInstall(_ []string, _, stderr io.Writer) int {
	fmt.Fprintf(stderr, serviceElsewhere, "install")
	return 2
}

func serviceUninstall(_, stderr io.Writer) int {
	fmt.Fprintf(stderr, serviceElsewhere, "uninstall")
	return 2
}

// serviceRun outside Windows is plain `dlpgate run`.
func serviceRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return cmdRun(ctx, args, stdout, stderr)
}
