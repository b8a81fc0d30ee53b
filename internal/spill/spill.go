// Package spill makes the private directories in which the front ends
// (proxy, icap) keep request bodies that do not fit their memory budget,
// and holds the Pool that bounds the memory of the bodies they keep and
// the Arrival that lets an inspection read a body while it is received.
// Held bodies are sensitive: the directory is 0700 and its owner removes it
// on close.
package spill

import (
	"fmt"
	"os"
)

// MkdirPrivate creates a new directory named prefix* under parent (the
// system temporary directory when parent is empty) readable by the owner
// only.
func MkdirPrivate(parent, prefix string) (string, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	dir, err := os.MkdirTemp(parent, prefix)
	if err != nil {
		return "", fmt.Errorf("create spill dir: %w", err)
	}
	// MkdirTemp already asks for 0700, but the umask could only narrow it;
	// make the mode explicit in case parent carries default ACLs.
	if err := os.Chmod(dir, 0o700); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("chmod spill dir: %w", err)
	}
	return dir, nil
}
