//go:build windows

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

const serviceName = "dlpgate"

// serviceDataDir is where the service keeps its CA, audit log and log:
// %ProgramData%\dlpgate, not the LocalSystem profile.
func serviceDataDir() string {
	if d := os.Getenv("ProgramData"); d != "" {
		return filepath.Join(d, "dlpgate")
	}
	return `C:\ProgramData\dlpgate`
}

func serviceInstall(args []string, stdout, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate service install: %v\n", err)
		return 1
	}
	if !slices.ContainsFunc(args, func(a string) bool { return a == "--data-dir" || strings.HasPrefix(a, "--data-dir=") }) {
		args = append(args, "--data-dir", serviceDataDir())
	}
	m, err := mgr.Connect()
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate service install: connect to the service manager (run as Administrator): %v\n", err)
		return 1
	}
	defer m.Disconnect()
	if s, err := m.OpenService(serviceName); err == nil {
		s.Close()
		fmt.Fprintf(stderr, "dlpgate service install: service %q already exists (dlpgate service uninstall first)\n", serviceName)
		return 1
	}
	s, err := m.CreateService(serviceName, exe, mgr.Config{
		DisplayName: "dlpgate DLP proxy",
		Description: "Data-loss-prevention proxy for DingTalk: inspects uploads and blocks what the policy forbids.",
		StartType:   mgr.StartAutomatic,
	}, append([]string{"service", "run"}, args...)...)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate service install: %v\n", err)
		return 1
	}
	defer s.Close()
	// Restart after a crash: a DLP proxy that stays down stops all uploads
	// (fail closed) or, with PAC fallback, lets them pass uninspected.
	_ = s.SetRecoveryActions([]mgr.RecoveryAction{
		{Type: mgr.ServiceRestart, Delay: 5 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
	}, 24*60*60)
	if err := s.Start(); err != nil {
		fmt.Fprintf(stderr, "dlpgate service install: installed, but start failed: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "dlpgate service installed and started (%s %s)\n", exe, strings.Join(append([]string{"service", "run"}, args...), " "))
	return 0
}

func serviceUninstall(stdout, stderr io.Writer) int {
	m, err := mgr.Connect()
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate service uninstall: connect to the service manager (run as Administrator): %v\n", err)
		return 1
	}
	defer m.Disconnect()
	s, err := m.OpenService(serviceName)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate service uninstall: service %q is not installed\n", serviceName)
		return 1
	}
	defer s.Close()
	if st, err := s.Control(svc.Stop); err == nil {
		for i := 0; i < 50 && st.State != svc.Stopped; i++ {
			time.Sleep(200 * time.Millisecond)
			if st, err = s.Query(); err != nil {
				break
			}
		}
	}
	if err := s.Delete(); err != nil {
		fmt.Fprintf(stderr, "dlpgate service uninstall: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "dlpgate service removed")
	return 0
}

// serviceRun is what the service manager starts; run by hand it is plain
// `dlpgate run`.
func serviceRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	isService, err := svc.IsWindowsService()
	if err != nil || !isService {
		return cmdRun(ctx, args, stdout, stderr)
	}
	dir := serviceDataDir()
	for i, a := range args {
		if a == "--data-dir" && i+1 < len(args) {
			dir = args[i+1]
		}
	}
	os.MkdirAll(dir, 0o700)
	logf, err := os.OpenFile(filepath.Join(dir, "dlpgate.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		logf = nil
	}
	var logw io.Writer = io.Discard
	if logf != nil {
		defer logf.Close()
		logw = logf
	}
	h := &winService{args: args, log: logw}
	if err := svc.Run(serviceName, h); err != nil {
		fmt.Fprintf(logw, "dlpgate service: %v\n", err)
		return 1
	}
	return h.code
}

type winService struct {
	args []string
	log  io.Writer
	code int
}

func (w *winService) Execute(_ []string, r <-chan svc.ChangeRequest, changes chan<- svc.Status) (bool, uint32) {
	changes <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- cmdRun(ctx, w.args, w.log, w.log) }()
	changes <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case c := <-r:
			switch c.Cmd {
			case svc.Interrogate:
				changes <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				changes <- svc.Status{State: svc.StopPending}
				cancel()
				w.code = <-done
				return false, uint32(w.code)
			}
		case w.code = <-done:
			if w.code != 0 {
				return true, uint32(w.code)
			}
			return false, 0
		}
	}
}
