package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// watcher collects Watch callbacks.
type watcher struct {
	changes chan *Config
	errs    chan error
}

func startWatch(t *testing.T, path string) *watcher {
	t.Helper()
	w := &watcher{changes: make(chan *Config, 10), errs: make(chan error, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := Watch(ctx, path, func(c *Config) { w.changes <- c }, func(err error) { w.errs <- err }); err != nil {
		t.Fatal(err)
	}
	return w
}

// waitFor bounds how long a test waits for a callback so that a broken
// watcher fails instead of hanging; it is not a speed requirement.
const waitFor = 10 * time.Second

func (w *watcher) change(t *testing.T) *Config {
	t.Helper()
	select {
	case c := <-w.changes:
		return c
	case err := <-w.errs:
		t.Fatalf("onError instead of onChange: %v", err)
	case <-time.After(waitFor):
		t.Fatal("no onChange")
	}
	return nil
}

func (w *watcher) err(t *testing.T) error {
	t.Helper()
	select {
	case c := <-w.changes:
		t.Fatalf("onChange instead of onError: mode %q", c.Policy.Global.Mode)
	case err := <-w.errs:
		return err
	case <-time.After(waitFor):
		t.Fatal("no onError")
	}
	return nil
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestWatchFileChanges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dlpgate.toml")
	write(t, path, "[global]\nmode = \"enforce\"\n")
	w := startWatch(t, path)

	// A bad file is reported with its position and not applied.
	write(t, path, "[global]\nmode = \"enforce\"\nrulez = 1\n")
	err := w.err(t)
	if !strings.Contains(err.Error(), "dlpgate.toml:3:1: unknown key \"rulez\"") || !strings.Contains(err.Error(), "keeping the previous") {
		t.Errorf("error %v", err)
	}

	// A good file is applied.
	write(t, path, "[global]\nmode = \"monitor\"\n")
	if c := w.change(t); c.Policy.Global.Mode != "monitor" {
		t.Errorf("mode %q", c.Policy.Global.Mode)
	}

	// Editors replace the file by renaming a temporary one over it.
	tmp := filepath.Join(dir, ".dlpgate.toml.swp")
	write(t, tmp, "[global]\nmode = \"enforce\"\nfail_mode = \"open\"\n")
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if c := w.change(t); c.Policy.Global.FailMode != "open" {
		t.Errorf("fail_mode %q", c.Policy.Global.FailMode)
	}

	// Removing the file keeps the old configuration.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := w.err(t); !os.IsNotExist(errorsUnwrapAll(err)) {
		t.Errorf("error %v", err)
	}
}

func errorsUnwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestWatchStopsWithContext(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dlpgate.toml")
	write(t, path, "")
	changes := make(chan *Config, 1)
	ctx, cancel := context.WithCancel(context.Background())
	if err := Watch(ctx, path, func(c *Config) { changes <- c }, func(error) {}); err != nil {
		t.Fatal(err)
	}
	cancel()
	write(t, path, "[global]\nmode = \"monitor\"\n")
	select {
	case <-changes:
		t.Error("reloaded after ctx ended")
	case <-time.After(2 * debounce):
	}
}

func TestWatchMissingDirectory(t *testing.T) {
	err := Watch(context.Background(), filepath.Join(t.TempDir(), "nope", "dlpgate.toml"), func(*Config) {}, func(error) {})
	if err == nil {
		t.Fatal("no error for a missing directory")
	}
}
