//go:build amd64 && !purego

#include "textflag.h"

// func digitFoldBlocksSSE2(p *byte, blocks int, dm *uint64) uint64
//
// For each 64-byte block at p: the digit mask (bit j set when byte j is
// '0'-'9') to *dm, and, over all blocks, whether a byte is in 0xCC-0xE1.
// Both are range tests done with one signed comparison: adding 0x50 maps
// '0'-'9' (0x30-0x39) to 0x80-0x89, the sixteen lowest signed bytes up
// to -119, so a digit is a byte below -118 (0x8A); adding 0xB4 maps
// 0xCC-0xE1 to 0x80-0x95, below -106 (0x96). PCMPGTB sets a byte to 0xFF
// where the bound is greater, PMOVMSKB gathers the sixteen high bits.
TEXT ·digitFoldBlocksSSE2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ dm+16(FP), DI

	MOVQ $0x5050505050505050, AX
	MOVQ AX, X13
	PUNPCKLQDQ X13, X13 // +0x50: digits to 0x80-0x89
	MOVQ $0x8A8A8A8A8A8A8A8A, AX
	MOVQ AX, X14
	PUNPCKLQDQ X14, X14 // digit bound -118
	MOVQ $0xB4B4B4B4B4B4B4B4, AX
	MOVQ AX, X12
	PUNPCKLQDQ X12, X12 // +0xB4: 0xCC-0xE1 to 0x80-0x95
	MOVQ $0x9696969696969696, AX
	MOVQ AX, X11
	PUNPCKLQDQ X11, X11 // fold lead bound -106
	PXOR X10, X10       // fold leads seen, OR of all blocks

loop:
	TESTQ CX, CX
	JZ   done

	// The sixteen bytes at off(SI): their digit bits to dst, their fold
	// leads into X10.
#define LANE(off, dst) \
	MOVOU off(SI), X0 \
	MOVO  X0, X1 \
	PADDB X13, X1 \
	MOVO  X14, X2 \
	PCMPGTB X1, X2 \
	PMOVMSKB X2, dst \
	PADDB X12, X0 \
	MOVO  X11, X3 \
	PCMPGTB X0, X3 \
	POR   X3, X10

	LANE(0, R8)
	LANE(16, R9)
	SHLQ $16, R9
	ORQ  R9, R8
	LANE(32, R9)
	SHLQ $32, R9
	ORQ  R9, R8
	LANE(48, R9)
	SHLQ $48, R9
	ORQ  R9, R8

	MOVQ R8, 0(DI)
	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JMP  loop

done:
	PMOVMSKB X10, AX
	MOVQ AX, ret+24(FP)
	RET
