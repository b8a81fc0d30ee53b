//go:build unix

package ocr

import (
	"os/exec"
	"syscall"
)

// killGroup makes cancelling cmd kill its whole process group, so a helper
// process the engine started cannot keep the pipes (and the request) open.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
