package config

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// debounce is how long Watch waits after the last change to the file
// before reloading: editors write, rename and chmod in bursts.
const debounce = 200 * time.Millisecond

// Watch reloads path on SIGHUP and when the file changes on disk, until ctx
// ends. Each reload is validated first: a good file is passed to onChange,
// a bad one (with every file:line:col error) to onError, and the caller
// keeps using the configuration it had. The directory is watched rather
// than the file so that editors' write-to-temp-and-rename and Kubernetes'
// ConfigMap symlink swaps are seen; a change that leaves the bytes as they
// were is ignored, SIGHUP always reloads.
//
// Watch registers for SIGHUP before it returns, so a SIGHUP sent after
// Watch returned never falls through to the default action (exit).
func Watch(ctx context.Context, path string, onChange func(*Config), onError func(error)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch config %s: %w", path, err)
	}
	dir, base := filepath.Split(filepath.Clean(path))
	if dir == "" {
		dir = "."
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return fmt.Errorf("watch config %s: %w", path, err)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	last, _ := os.ReadFile(path)

	reload := func(always bool) {
		b, err := os.ReadFile(path)
		if err != nil {
			onError(fmt.Errorf("reload config: %w (keeping the previous configuration)", err))
			return
		}
		if !always && bytes.Equal(b, last) {
			return
		}
		cfg, err := LoadText(path, string(b))
		if err != nil {
			onError(fmt.Errorf("reload config %s (keeping the previous configuration):\n%w", path, err))
			return
		}
		last = b
		onChange(cfg)
	}

	go func() {
		defer w.Close()
		defer signal.Stop(hup)
		timer := time.NewTimer(debounce)
		timer.Stop()
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if ctx.Err() != nil {
					return
				}
				reload(true)
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				name := filepath.Base(ev.Name)
				if name == base || strings.HasPrefix(name, "..") { // "..data": ConfigMap swap
					timer.Reset(debounce)
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				onError(fmt.Errorf("watch config %s: %w", path, err))
			case <-timer.C:
				if ctx.Err() != nil { // select picks at random among ready cases
					return
				}
				reload(false)
			}
		}
	}()
	return nil
}
