//go:build amd64 && !purego

package classifiers

import "unsafe"

// digitFoldBlocks is digitFoldBlocksGo in SSE2 (digitmask_amd64.s), which
// every amd64 processor has: sixteen bytes are compared at once, where the
// SWAR code takes eight with several operations each.
func digitFoldBlocks(s string, dm []uint64) uint64 {
	blocks := len(s) / 64
	if blocks == 0 {
		return 0
	}
	_ = dm[blocks-1]
	return digitFoldBlocksSSE2(unsafe.StringData(s), blocks, unsafe.SliceData(dm))
}

// digitFoldBlocksSSE2 writes the digit masks of the blocks 64-byte blocks
// at p to dm[0:blocks] and returns non-zero when a byte of them is in
// 0xCC-0xE1.
//
//go:noescape
func digitFoldBlocksSSE2(p *byte, blocks int, dm *uint64) uint64
