//go:build unix

// Package cputime reads the CPU time this process has used, for benchmarks
// that report it beside wall time: on a shared machine wall time counts
// the time a benchmark waited for a core, CPU time does not.
package cputime

import (
	"syscall"
	"time"
)

// Process is the user and system CPU time this process has used so far, or
// 0 where getrusage fails.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
