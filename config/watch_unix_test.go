//go:build unix

package config

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWatchSIGHUP(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dlpgate.toml")
	write(t, path, "[global]\nmode = \"monitor\"\n")
	w := startWatch(t, path)
	// Watch has registered for SIGHUP before returning, so this does not
	// terminate the test binary.
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if c := w.change(t); c.Policy.Global.Mode != "monitor" {
		t.Errorf("mode %q", c.Policy.Global.Mode)
	}
}
