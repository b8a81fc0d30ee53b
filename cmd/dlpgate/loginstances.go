package main

import (
	"context"
	"fmt"
	"io"

	"github.com/dlpgate/dlpgate/audit"
)

// verifyInstances verifies the files of several instances chain by chain
// (each instance has its own chain) and exits with the worst result.
func verifyInstances(ctx context.Context, groups []audit.InstanceFiles, anchors []audit.Anchor, complete bool, stdout, stderr io.Writer) int {
	if len(anchors) > 0 {
		fmt.Fprintf(stderr, "dlpgate log verify: the files hold %d instances' chains and an anchor names one chain's seq: verify each instance's files with its own --anchor\n", len(groups))
		return 2
	}
	worst := 0
	for _, g := range groups {
		name := g.Instance
		if name == "" {
			name = "(unnamed)"
		}
		res, err := audit.Verify(ctx, g.Files, audit.VerifyOptions{Complete: complete})
		if err != nil {
			fmt.Fprintf(stderr, "dlpgate log verify: instance %s: %v\n", name, err)
			return 2
		}
		code := 0
		switch p := res.Problem; {
		case p != nil:
			fmt.Fprintf(stdout, "instance %s: FAIL: %s:%d: %s: %s\n", name, p.File, p.Line, p.Kind, p.Detail)
			code = 1
			if p.Kind == audit.ProblemTruncated {
				code = 3
			}
		case res.Records == 0:
			fmt.Fprintf(stdout, "instance %s: ok: 0 records in %d file(s)\n", name, len(g.Files))
		default:
			fmt.Fprintf(stdout, "instance %s: ok: %d records in %d file(s), chain intact from seq %d to %d (last %s)\n",
				name, res.Records, len(g.Files), res.FirstSeq, res.LastSeq, res.LastID)
		}
		// 1 (tampered) outranks 3 (crash-truncated) outranks 0.
		if code == 1 || (code == 3 && worst == 0) {
			worst = code
		}
	}
	return worst
}
