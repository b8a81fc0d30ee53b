package spill

import (
	"os"
	"path/filepath"
	"strings"
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
