package main

import (
	"context"
	"fmt"
	"io"
)

// PLACEHOLDER until the run command lands.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "dlpgate run: not implemented yet")
	return 2
}
