package spill

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestMkdirPrivate(t *testing.T) {
	parent := t.TempDir()
	dir, err := MkdirPrivate(parent, "dlpgate-x-")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != parent || !strings.HasPrefix(filepath.Base(dir), "dlpgate-x-") {
		t.Fatalf("dir %q not a dlpgate-x-* child of %q", dir, parent)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v, want 0700", st.Mode().Perm())
	}
}

func TestMkdirPrivateBadParent(t *testing.T) {
	_, err := MkdirPrivate(filepath.Join(t.TempDir(), "missing", "deeper"), "x-")
	if err == nil || !strings.Contains(err.Error(), "create spill dir") {
		t.Fatalf("err = %v, want a create spill dir error", err)
	}
}

// The pool never hands out more than its size, whatever the concurrency,
// and every release makes room again.
func TestPoolBound(t *testing.T) {
	p := NewPool(100)
	var wg sync.WaitGroup
	var over atomic.Bool
	for range 8 {
		wg.Go(func() {
			for range 10000 {
				if p.Reserve(7) {
					if p.Used() > 100 {
						over.Store(true)
					}
					p.Release(7)
				}
			}
		})
	}
	wg.Wait()
	if over.Load() || p.Used() != 0 {
		t.Fatalf("over %v, used %d", over.Load(), p.Used())
	}
	if !p.Reserve(100) || p.Reserve(1) {
		t.Fatal("a full pool must refuse one byte more, an empty one take all")
	}
}
