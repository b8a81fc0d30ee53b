package testgen

import (
	"math/rand/v2"
	"strings"
)

// Base64AndProse is about n bytes of base64-like lines (no five digits in
// a row: random base64 would otherwise hold HKID-shaped strings) with one
// line in four of EN/繁 planning prose: exports, logs and encoded
// attachments pasted as text. It is the text of bench's 50 MiB upload and
// of the classifiers' per-core benchmark of it.
func Base64AndProse(r *rand.Rand, n int) string {
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	const para = "Quarterly planning notes: the team will migrate the build farm next sprint, " +
		"review on-call rotations and update the onboarding guide. 下季度計劃：更新入職指南，檢討值班安排。\n"
	var sb strings.Builder
	sb.Grow(n + len(para))
	line := make([]byte, 76)
	for sb.Len() < n {
		if r.IntN(4) == 0 {
			sb.WriteString(para)
			continue
		}
		digits := 0
		for i := range line {
			c := b64[r.IntN(len(b64))]
			if c >= '0' && c <= '9' {
				if digits++; digits >= 5 {
					c, digits = 'q', 0
				}
			} else {
				digits = 0
			}
			line[i] = c
		}
		sb.Write(line)
		sb.WriteByte('\n')
	}
	return sb.String()
}
