package main

import (
	"context"
	"fmt"
	"io"
)

// PLACEHOLDER until the ca command lands.
func cmdCA(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "dlpgate ca: not implemented yet")
	return 2
}
