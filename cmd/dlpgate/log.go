package main

import (
	"context"
	"fmt"
	"io"
)

// PLACEHOLDER until the log command lands.
func cmdLog(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "dlpgate log: not implemented yet")
	return 2
}
