package main

import (
	"context"
	"fmt"
	"io"
)

// PLACEHOLDER until the scan command lands.
func cmdScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "dlpgate scan: not implemented yet")
	return 2
}
