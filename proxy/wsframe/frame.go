package wsframe

import (
	"crypto/rand"
	"encoding/binary"
	"unicode/utf8"
)

// RFC 6455 opcodes.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// Close status codes this package sends (RFC 6455 section 7.4.1).
const (
	CloseGoingAway       = 1001
	CloseProtocolError   = 1002
	ClosePolicyViolation = 1008
)

// maxControlPayload is the RFC 6455 limit for control frame payloads; a close
// frame's reason therefore holds at most 123 bytes after the 2-byte code.
const maxControlPayload = 125

// maxHeaderLen is 2 fixed bytes + 8 extended length bytes + 4 mask bytes.
const maxHeaderLen = 14

// frameHeader is a parsed RFC 6455 frame header.
type frameHeader struct {
	fin              bool
	rsv1, rsv2, rsv3 bool
	opcode           byte
	masked           bool
	length           uint64
	mask             [4]byte
}

func isControl(op byte) bool { return op&0x8 != 0 }

// headerNeed returns how many header bytes the frame whose first n bytes are
// in b needs in total. It is only meaningful once len(b) >= 2; before that the
// answer is 2.
func headerNeed(b []byte) int {
	if len(b) < 2 {
		return 2
	}
	need := 2
	switch b[1] & 0x7f {
	case 126:
		need += 2
	case 127:
		need += 8
	}
	if b[1]&0x80 != 0 {
		need += 4
	}
	return need
}

// parseHeader decodes a complete header (len(b) == headerNeed(b)).
func parseHeader(b []byte) frameHeader {
	h := frameHeader{
		fin:    b[0]&0x80 != 0,
		rsv1:   b[0]&0x40 != 0,
		rsv2:   b[0]&0x20 != 0,
		rsv3:   b[0]&0x10 != 0,
		opcode: b[0] & 0x0f,
		masked: b[1]&0x80 != 0,
	}
	i := 2
	switch l := b[1] & 0x7f; l {
	case 126:
		h.length = uint64(binary.BigEndian.Uint16(b[2:4]))
		i = 4
	case 127:
		h.length = binary.BigEndian.Uint64(b[2:10])
		i = 10
	default:
		h.length = uint64(l)
	}
	if h.masked {
		copy(h.mask[:], b[i:i+4])
	}
	return h
}

// appendHeader encodes a frame header; mask is applied only when masked.
func appendHeader(dst []byte, fin bool, opcode byte, length int, masked bool, mask [4]byte) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	var mbit byte
	if masked {
		mbit = 0x80
	}
	switch {
	case length <= 125:
		dst = append(dst, b0, mbit|byte(length))
	case length <= 0xffff:
		dst = append(dst, b0, mbit|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(length))
	default:
		dst = append(dst, b0, mbit|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(length))
	}
	if masked {
		dst = append(dst, mask[:]...)
	}
	return dst
}

// closeFrame builds a close frame with status code and reason. Client frames
// (toward the server) must be masked, server frames (toward the client) must
// not be (RFC 6455 section 5.1).
func closeFrame(code uint16, reason string, masked bool) []byte {
	reason = truncateReason(reason)
	payload := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(reason)), code)
	payload = append(payload, reason...)
	var key [4]byte
	if masked {
		// The key only has to be unpredictable to the page's script (RFC 6455
		// section 10.3); crypto/rand never fails on supported platforms.
		_, _ = rand.Read(key[:])
	}
	frame := appendHeader(make([]byte, 0, maxHeaderLen+len(payload)), true, opClose, len(payload), masked, key)
	start := len(frame)
	frame = append(frame, payload...)
	if masked {
		maskBytes(key, 0, frame[start:])
	}
	return frame
}

// truncateReason keeps a close reason within the 123 bytes a close frame
// allows, cutting at a rune boundary so the client sees valid UTF-8.
func truncateReason(s string) string {
	const max = maxControlPayload - 2
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // replaces invalid bytes with U+FFFD
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// maskBytes XORs b with the masking key starting at key offset pos and
// returns the offset for the next byte. Masking and unmasking are the same
// operation. Eight bytes at a time because this sits on the hot path of every
// client frame.
func maskBytes(key [4]byte, pos int, b []byte) int {
	pos &= 3
	// Align to the key so the 8-byte word below starts at key[0].
	for pos != 0 && len(b) > 0 {
		b[0] ^= key[pos]
		b = b[1:]
		pos = (pos + 1) & 3
	}
	if len(b) >= 8 {
		k32 := uint64(binary.LittleEndian.Uint32(key[:]))
		k64 := k32 | k32<<32
		for len(b) >= 64 {
			for i := 0; i < 64; i += 8 {
				v := binary.LittleEndian.Uint64(b[i:])
				binary.LittleEndian.PutUint64(b[i:], v^k64)
			}
			b = b[64:]
		}
		for len(b) >= 8 {
			v := binary.LittleEndian.Uint64(b)
			binary.LittleEndian.PutUint64(b, v^k64)
			b = b[8:]
		}
	}
	for i := range b {
		b[i] ^= key[pos]
		pos = (pos + 1) & 3
	}
	return pos
}

// frameTracker follows frame boundaries in a byte stream without interpreting
// payloads. The read side uses it so an injected close frame never lands in
// the middle of a server frame.
type frameTracker struct {
	hdr       [maxHeaderLen]byte
	hdrN      int
	inPayload bool
	rem       uint64
}

func (t *frameTracker) atBoundary() bool { return t.hdrN == 0 && !t.inPayload }

// advance consumes up to len(b) bytes of the stream and returns how many it
// consumed. With stopAtBoundary it stops at the first frame end it reaches.
func (t *frameTracker) advance(b []byte, stopAtBoundary bool) int {
	n := 0
	for n < len(b) {
		if stopAtBoundary && t.atBoundary() && n > 0 {
			return n
		}
		if !t.inPayload {
			t.hdr[t.hdrN] = b[n]
			t.hdrN++
			n++
			if t.hdrN < headerNeed(t.hdr[:t.hdrN]) {
				continue
			}
			h := parseHeader(t.hdr[:t.hdrN])
			t.hdrN = 0
			if h.length > 0 {
				t.inPayload = true
				t.rem = h.length
			}
			continue
		}
		take := uint64(len(b) - n)
		if take > t.rem {
			take = t.rem
		}
		t.rem -= take
		n += int(take)
		if t.rem == 0 {
			t.inPayload = false
		}
	}
	return n
}
