//go:build !amd64 || purego

package classifiers

// digitFoldBlocks is digitFoldBlocksGo (no assembly for this platform, or
// the purego tag).
func digitFoldBlocks(s string, dm []uint64) uint64 { return digitFoldBlocksGo(s, dm) }
