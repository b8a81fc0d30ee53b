package classifiers

import (
	"testing"

	"github.com/dlpgate/dlpgate/internal/cputime"
)

// loopCPU runs f in b's loop and reports the process's CPU time per
// operation, and bytes per CPU second when b.SetBytes was called before.
//
// Why: the development machine is shared, so wall-clock ns/op and MB/s
// count the time this benchmark waited for a core; CPU time does not. It
// includes the garbage collector's work, which is part of the cost.
func loopCPU(b *testing.B, bytes int, f func()) {
	start := cputime.Process()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	used := cputime.Process() - start
	if n == 0 || used <= 0 {
		return
	}
	b.ReportMetric(float64(used.Microseconds())/1000/float64(n), "cpu-ms/op")
	if bytes > 0 {
		b.ReportMetric(float64(bytes)*float64(n)/used.Seconds()/1e6, "cpu-MB/s")
	}
}
