package wsframe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/klauspost/compress/flate"
)

// windowSize is the largest LZ77 window permessage-deflate allows (2^15).
const windowSize = 32 << 10

// deflateTail is the empty stored block a permessage-deflate sender strips
// from every message (RFC 7692 section 7.2.1); the reader puts it back so the
// inflater reaches a block boundary.
var deflateTail = []byte{0x00, 0x00, 0xff, 0xff}

// extensionHeader is the negotiation header in both request and 101 response.
const extensionHeader = "Sec-WebSocket-Extensions"

// deflateParams is what the 101 response agreed for the client-to-server
// direction, the only direction this package decompresses.
type deflateParams struct {
	enabled bool
	// takeover is true when the client keeps its LZ77 window across
	// messages (no client_no_context_takeover).
	takeover bool
}

// parseExtensions reads a 101 response's Sec-WebSocket-Extensions value.
func parseExtensions(v string) deflateParams {
	var p deflateParams
	for _, ext := range strings.Split(v, ",") {
		parts := strings.Split(ext, ";")
		if !strings.EqualFold(strings.TrimSpace(parts[0]), "permessage-deflate") {
			continue
		}
		p.enabled, p.takeover = true, true
		for _, param := range parts[1:] {
			name, _, _ := strings.Cut(strings.TrimSpace(param), "=")
			if strings.EqualFold(strings.TrimSpace(name), "client_no_context_takeover") {
				p.takeover = false
			}
		}
		// A server accepts at most one permessage-deflate offer.
		break
	}
	return p
}

// StripCompression removes compression extension offers (permessage-deflate
// and the pre-standard x-webkit-deflate-frame) from a WebSocket upgrade
// request's headers, keeping any other extension. Call it on the request
// before it goes upstream: the server then answers without compression, frames
// stay plain and inspection costs no inflating. Wrap copes with compression
// anyway, so this is an optimisation, not a requirement.
func StripCompression(h http.Header) {
	vals := h.Values(extensionHeader)
	if len(vals) == 0 {
		return
	}
	var keep []string
	for _, v := range vals {
		for _, ext := range strings.Split(v, ",") {
			ext = strings.TrimSpace(ext)
			name, _, _ := strings.Cut(ext, ";")
			name = strings.TrimSpace(name)
			if name == "" || strings.EqualFold(name, "permessage-deflate") || strings.EqualFold(name, "x-webkit-deflate-frame") {
				continue
			}
			keep = append(keep, ext)
		}
	}
	h.Del(extensionHeader)
	if len(keep) > 0 {
		h.Set(extensionHeader, strings.Join(keep, ", "))
	}
}

// window keeps the last 32 KiB of decompressed output: with context takeover
// the client's compressor may refer back into earlier messages, so the next
// message's inflater needs it as its preset dictionary.
type window struct{ b []byte }

func (w *window) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= windowSize {
		w.b = append(w.b[:0], p[len(p)-windowSize:]...)
		return n, nil
	}
	if len(w.b)+len(p) > 2*windowSize {
		// Slide: keep what is still within reach, amortised over 32 KiB.
		keep := windowSize - len(p)
		copy(w.b, w.b[len(w.b)-keep:])
		w.b = w.b[:keep]
	}
	w.b = append(w.b, p...)
	return n, nil
}

func (w *window) dict() []byte {
	if len(w.b) > windowSize {
		return w.b[len(w.b)-windowSize:]
	}
	return w.b
}

// errOverLimit stops an inflate whose output outgrew MaxMessage.
var errOverLimit = errors.New("decompressed message over the size limit")

// inflateSink collects up to limit bytes of output and feeds every byte to
// the window (when there is one) so the dictionary stays right even for
// messages too large to inspect.
type inflateSink struct {
	out   []byte
	limit int64
	total int64
	win   *window // nil without context takeover
}

func (s *inflateSink) Write(p []byte) (int, error) {
	s.total += int64(len(p))
	if s.win != nil {
		_, _ = s.win.Write(p)
	}
	if s.total > s.limit {
		if s.win == nil {
			// Nothing else needs the rest: stop inflating (bombs cost nothing).
			return 0, errOverLimit
		}
		return len(p), nil
	}
	s.out = append(s.out, p...)
	return len(p), nil
}

// inflater decompresses the client's messages, keeping the takeover window.
type inflater struct {
	params deflateParams
	win    window
	fr     io.ReadCloser // reused flate reader
}

// inflate decompresses one whole message payload (RSV1 set, tail stripped)
// into out[:0]. over reports output beyond limit; out then holds only the
// first limit bytes.
func (f *inflater) inflate(payload, out []byte, limit int64) (_ []byte, over bool, err error) {
	src := io.MultiReader(bytes.NewReader(payload), bytes.NewReader(deflateTail))
	var dict []byte
	sink := &inflateSink{out: out[:0], limit: limit}
	if f.params.takeover {
		// The dictionary is copied by the reader, so sliding the window
		// while inflating is safe.
		dict = f.win.dict()
		sink.win = &f.win
	}
	if f.fr == nil {
		f.fr = flate.NewReaderDict(src, dict)
	} else if err := f.fr.(flate.Resetter).Reset(src, dict); err != nil {
		return nil, false, fmt.Errorf("reset inflater: %w", err)
	}
	_, err = io.Copy(sink, f.fr)
	switch {
	case errors.Is(err, errOverLimit):
		return sink.out, true, nil
	case err == nil, errors.Is(err, io.ErrUnexpectedEOF):
		// The message ends at the sync-flush marker, mid-stream: running out
		// of input there is the normal end of a permessage-deflate message.
		return sink.out, sink.total > limit, nil
	default:
		return nil, false, fmt.Errorf("inflate message: %w", err)
	}
}

// streamInflate inflates a message that is too large to hold, only to keep
// the takeover window right for the messages after it. The bytes arrive in
// Write calls, so a goroutine pulls them through a pipe.
type streamInflate struct {
	pw   *io.PipeWriter
	pr   *io.PipeReader
	done chan struct{}
	err  error
}

func (f *inflater) startStream() *streamInflate {
	pr, pw := io.Pipe()
	s := &streamInflate{pw: pw, pr: pr, done: make(chan struct{})}
	dict := bytes.Clone(f.win.dict())
	go func() {
		defer close(s.done)
		fr := flate.NewReaderDict(pr, dict)
		_, err := io.Copy(&f.win, fr)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			s.err = err
		}
		// Unblock a writer still feeding a corrupt stream.
		pr.CloseWithError(io.ErrClosedPipe)
	}()
	return s
}

// feed passes unmasked compressed payload bytes to the inflating goroutine.
func (s *streamInflate) feed(p []byte) error {
	_, err := s.pw.Write(p)
	return err
}

// finish ends the message and waits for the inflater to drain it.
func (s *streamInflate) finish() error {
	_, _ = s.pw.Write(deflateTail)
	_ = s.pw.Close()
	<-s.done
	if s.err != nil {
		return fmt.Errorf("inflate oversize message: %w", s.err)
	}
	return nil
}

// abort releases the goroutine when the connection dies mid-message; safe
// from any goroutine.
func (s *streamInflate) abort() { s.pr.CloseWithError(io.ErrClosedPipe) }
