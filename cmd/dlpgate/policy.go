package main

import (
	"context"
	"fmt"
	"io"
)

// PLACEHOLDER until the policy command lands.
func cmdPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "dlpgate policy: not implemented yet")
	return 2
}
