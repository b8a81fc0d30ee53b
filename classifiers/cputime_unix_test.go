//go:build unix

package classifiers

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) this process has used so far,
// or 0 where getrusage fails.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
