package cputime

import (
	"runtime"
	"testing"
)

// Spinning uses CPU time, and the reading grows with it.
func TestProcessGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no getrusage here")
	}
	before := Process()
	x := 0
	for i := 0; Process()-before < 20e6 && i < 1e9; i++ {
		x += i
	}
	if after := Process(); after <= before {
		t.Fatalf("CPU time %v then %v after spinning (%d)", before, after, x)
	}
}
