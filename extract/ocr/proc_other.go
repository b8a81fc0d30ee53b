//go:build !unix

package ocr

import "os/exec"

// killGroup: elsewhere cancelling kills the process itself (exec's default).
func killGroup(cmd *exec.Cmd) {}
