package wsframe

import (
	"fmt"
	"slices"
)

// keepBufferCap bounds the buffers a connection keeps between messages: an
// idle chat connection should not pin megabytes because of one big message.
const keepBufferCap = 256 << 10

// writeState is the client-to-server parser; guarded by Conn.wmu.
type writeState struct {
	serverCloseSent bool

	// current frame header
	hdr     [maxHeaderLen]byte
	hdrN    int
	fh      frameHeader
	inFrame bool   // header parsed, payload pending
	rem     uint64 // payload bytes left in the current frame
	maskPos int

	ctrl []byte // current control frame (at most 14+125 bytes)

	// current data message
	inMsg      bool
	text       bool
	compressed bool
	payloadLen int64  // wire payload bytes so far
	held       []byte // original frame bytes, not yet forwarded
	payload    []byte // unmasked payload, for inspection
	streaming  bool   // oversize: forwarding unchecked as it arrives
	stream     *streamInflate
	scratch    []byte

	inf      inflater
	out      []byte // decompressed message
	inflated int    // compressed messages inflated (for tests)
}

// feed runs the parser over p. It returns how many bytes it consumed (all of
// them unless the connection is closing) and an upstream write error.
func (c *Conn) feed(p []byte) (int, error) {
	w := &c.w
	consumed := 0
	for len(p) > 0 {
		if c.termination() != nil {
			return consumed, nil
		}
		if !w.inFrame {
			for len(p) > 0 && w.hdrN < headerNeed(w.hdr[:w.hdrN]) {
				w.hdr[w.hdrN] = p[0]
				w.hdrN++
				p = p[1:]
				consumed++
			}
			if w.hdrN < headerNeed(w.hdr[:w.hdrN]) {
				return consumed, nil
			}
			hdr := w.hdr[:w.hdrN]
			w.hdrN = 0
			if err := c.frameStart(hdr); err != nil {
				return consumed, err
			}
			if c.termination() != nil {
				return consumed, nil
			}
			if w.rem == 0 {
				if err := c.frameEnd(); err != nil {
					return consumed, err
				}
			}
			continue
		}
		take := len(p)
		if uint64(take) > w.rem {
			take = int(w.rem)
		}
		if err := c.framePayload(p[:take]); err != nil {
			return consumed, err
		}
		p = p[take:]
		consumed += take
		w.rem -= uint64(take)
		if w.rem == 0 {
			if err := c.frameEnd(); err != nil {
				return consumed, err
			}
		}
	}
	return consumed, nil
}

func (c *Conn) protocolError(what string) {
	c.log.Warn("websocket: client protocol error, closing", "problem", what)
	c.terminate(CloseProtocolError, "protocol error: "+what)
}

// frameStart validates a complete header and decides where the frame goes.
func (c *Conn) frameStart(hdr []byte) error {
	w := &c.w
	h := parseHeader(hdr)
	switch {
	case !h.masked:
		c.protocolError("unmasked client frame")
		return nil
	case h.rsv2 || h.rsv3:
		c.protocolError("reserved bits set")
		return nil
	case h.length>>63 != 0:
		c.protocolError("bad frame length")
		return nil
	}
	w.fh, w.rem, w.maskPos, w.inFrame = h, h.length, 0, true
	switch h.opcode {
	case opClose, opPing, opPong:
		switch {
		case !h.fin:
			c.protocolError("fragmented control frame")
		case h.length > maxControlPayload:
			c.protocolError("control frame too long")
		case h.rsv1:
			c.protocolError("compressed control frame")
		case h.opcode == opClose && h.length == 1:
			c.protocolError("bad close frame")
		}
		w.ctrl = append(w.ctrl[:0], hdr...)
		return nil
	case opText, opBinary:
		if w.inMsg {
			c.protocolError("new message inside a fragmented message")
			return nil
		}
		if h.rsv1 && !w.inf.params.enabled {
			c.protocolError("compressed frame without permessage-deflate")
			return nil
		}
		w.inMsg, w.text, w.compressed = true, h.opcode == opText, h.rsv1
		w.payloadLen = 0
	case opContinuation:
		if !w.inMsg {
			c.protocolError("continuation without a message")
			return nil
		}
		if h.rsv1 {
			c.protocolError("reserved bit on a continuation frame")
			return nil
		}
	default:
		c.protocolError(fmt.Sprintf("unknown opcode %d", h.opcode))
		return nil
	}

	limit := c.opts.MaxMessage
	// Headers count too, against a flood of tiny frames.
	heldLimit := limit + limit/4 + 4096
	if !w.streaming && (uint64(w.payloadLen)+h.length > uint64(limit) ||
		uint64(len(w.held))+uint64(len(hdr))+h.length > uint64(heldLimit)) {
		if c.opts.OversizeBlock {
			c.log.Info("websocket: message too large, closing", "limit", limit)
			c.terminate(ClosePolicyViolation, "message too large")
			return nil
		}
		if err := c.startStreaming(); err != nil {
			return err
		}
	}
	w.payloadLen += int64(h.length)
	if w.streaming {
		return c.upstream(hdr)
	}
	// Grow once to the announced size instead of doubling through it: the
	// length was checked against MaxMessage above.
	w.held = slices.Grow(w.held, len(hdr)+int(h.length))
	w.payload = slices.Grow(w.payload, int(h.length))
	w.held = append(w.held, hdr...)
	return nil
}

// startStreaming switches the pending message to unchecked pass-through: what
// is held goes upstream now, the rest as it arrives.
func (c *Conn) startStreaming() error {
	w := &c.w
	w.streaming = true
	if w.compressed && w.inf.params.takeover {
		w.stream = w.inf.startStream()
		c.mu.Lock()
		c.stream = w.stream
		c.mu.Unlock()
		if err := w.stream.feed(w.payload); err != nil {
			c.protocolError("bad compressed data")
			return nil
		}
	}
	held := w.held
	w.held, w.payload = shrink(w.held), shrink(w.payload)
	return c.upstream(held)
}

func (c *Conn) framePayload(b []byte) error {
	w := &c.w
	if isControl(w.fh.opcode) {
		w.ctrl = append(w.ctrl, b...)
		return nil
	}
	if w.streaming {
		if err := c.upstream(b); err != nil {
			return err
		}
		if w.stream != nil {
			w.scratch = append(w.scratch[:0], b...)
			w.maskPos = maskBytes(w.fh.mask, w.maskPos, w.scratch)
			if err := w.stream.feed(w.scratch); err != nil {
				c.protocolError("bad compressed data")
			}
		}
		return nil
	}
	w.held = append(w.held, b...)
	start := len(w.payload)
	w.payload = append(w.payload, b...)
	w.maskPos = maskBytes(w.fh.mask, w.maskPos, w.payload[start:])
	return nil
}

func (c *Conn) frameEnd() error {
	w := &c.w
	w.inFrame = false
	if isControl(w.fh.opcode) {
		// Control frames may sit between fragments; they go on at once
		// (ahead of a held message, which the server cannot tell apart
		// from the client sending them first).
		return c.upstream(w.ctrl)
	}
	if !w.fh.fin {
		return nil
	}
	return c.messageEnd()
}

func (c *Conn) messageEnd() error {
	w := &c.w
	defer c.resetMessage()
	if w.streaming {
		if w.stream != nil {
			err := w.stream.finish()
			c.mu.Lock()
			c.stream = nil
			c.mu.Unlock()
			if err != nil {
				c.protocolError("bad compressed data")
				return nil
			}
		}
		c.reportOversize(w.payloadLen)
		return nil
	}
	data := w.payload
	if w.compressed {
		out, over, err := w.inf.inflate(w.payload, w.out, c.opts.MaxMessage)
		if err != nil {
			c.log.Warn("websocket: cannot inflate client message", "err", err)
			c.protocolError("bad compressed data")
			return nil
		}
		w.out = out
		w.inflated++
		if over {
			if c.opts.OversizeBlock {
				c.terminate(ClosePolicyViolation, "message too large")
				return nil
			}
			c.reportOversize(c.opts.MaxMessage + 1)
			return c.upstream(w.held)
		}
		data = out
	}
	v := c.callInspect(Message{Text: w.text, Data: data})
	if v.Block {
		reason := v.Reason
		if reason == "" {
			reason = "blocked by dlpgate"
		}
		c.log.Info("websocket: message blocked, closing", "reason", reason)
		c.terminate(ClosePolicyViolation, reason)
		return nil
	}
	return c.upstream(w.held)
}

// callInspect fails closed: a panicking inspector blocks the message.
func (c *Conn) callInspect(m Message) (v Verdict) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("websocket: inspector panicked, blocking message", "panic", r)
			v = Verdict{Block: true, Reason: "blocked by dlpgate: inspection failed"}
		}
	}()
	return c.inspect(c.ctx, m)
}

func (c *Conn) reportOversize(size int64) {
	if c.opts.OnOversize != nil {
		c.opts.OnOversize(c.ctx, Oversize{Text: c.w.text, Size: size})
	}
}

func (c *Conn) resetMessage() {
	w := &c.w
	w.inMsg, w.streaming, w.compressed, w.stream = false, false, false, nil
	w.payloadLen = 0
	w.held, w.payload, w.out = shrink(w.held), shrink(w.payload), shrink(w.out)
}

// shrink empties a buffer, dropping it when it grew large.
func shrink(b []byte) []byte {
	if cap(b) > keepBufferCap {
		return nil
	}
	return b[:0]
}

func (c *Conn) upstream(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if _, err := c.body.Write(b); err != nil {
		return fmt.Errorf("write websocket upstream: %w", err)
	}
	return nil
}
