package proxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
)

// heldBody is a request body read completely before anything goes
// upstream: in memory up to the budget, else in a private spill file that is
// removed by release. It is an io.ReaderAt for extraction and replays as
// many times as the transport needs.
type heldBody struct {
	mem  []byte
	file *os.File
	size int64
	sum  string // hex SHA-256 of the bytes held

	once sync.Once
}

func (h *heldBody) ReadAt(p []byte, off int64) (int, error) {
	if h.file != nil {
		return h.file.ReadAt(p, off)
	}
	return bytes.NewReader(h.mem).ReadAt(p, off)
}

// reader returns a fresh reader over the whole body.
func (h *heldBody) reader() io.ReadCloser {
	return io.NopCloser(io.NewSectionReader(h, 0, h.size))
}

// release removes the spill file. It is safe to call more than once.
func (h *heldBody) release() {
	h.once.Do(func() {
		if h.file != nil {
			name := h.file.Name()
			h.file.Close()
			os.Remove(name)
		}
		h.mem = nil
	})
}

// errOversize says the body is larger than the inspection limit; the bytes
// read so far are in the partial heldBody.
var errOversize = errors.New("body exceeds max_inspect_bytes")

// holdBody reads r completely: declared is the Content-Length (-1 unknown),
// budget the in-memory limit, max the inspection limit. The SHA-256 is
// computed while reading. On errOversize the returned heldBody holds the
// first max bytes (so the caller may still forward them); on any other
// error nothing is left behind. The spill file is removed on error or panic.
func (s *Server) holdBody(r io.Reader, declared, budget, max int64) (h *heldBody, err error) {
	h = &heldBody{}
	hs := sha256.New()
	defer func() {
		if p := recover(); p != nil {
			h.release()
			panic(p)
		}
		if err != nil && !errors.Is(err, errOversize) {
			h.release()
			h = nil
		}
	}()
	if declared > max {
		return h, errOversize
	}
	if declared >= 0 && declared <= budget {
		// Known small size: one allocation, one copy.
		h.mem = make([]byte, declared)
		if _, err := io.ReadFull(r, h.mem); err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		// A well-formed body has no bytes beyond Content-Length (net/http
		// enforces it); hash and done.
		hs.Write(h.mem)
		h.size = declared
		h.sum = hex.EncodeToString(hs.Sum(nil))
		return h, nil
	}
	if declared < 0 {
		// Unknown size (chunked): memory first, up to the budget (or the
		// inspection limit if that is smaller).
		limit := min(budget, max)
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		h.mem, h.size = buf.Bytes(), n
		if n <= limit {
			hs.Write(h.mem)
			h.sum = hex.EncodeToString(hs.Sum(nil))
			return h, nil
		}
		if limit == max {
			return h, errOversize
		}
		// Over budget: spill what we have and continue on disk.
		r = io.MultiReader(bytes.NewReader(h.mem), r)
		h.mem = nil
	}
	if err := s.spill(h, hs, r, max); err != nil {
		return h, err
	}
	return h, nil
}

// spill writes r (up to max bytes, plus one to detect more) into a new file in
// the private spill directory, hashing on the way.
func (s *Server) spill(h *heldBody, hs hash.Hash, r io.Reader, max int64) error {
	f, err := os.CreateTemp(s.spillDir, "body-*")
	if err != nil {
		return fmt.Errorf("create spill file: %w", err)
	}
	h.file = f
	if s.testHookSpill != nil {
		s.testHookSpill(f.Name())
	}
	w := io.MultiWriter(f, hs)
	n, err := io.CopyBuffer(w, io.LimitReader(r, max+1), make([]byte, 256<<10))
	if err != nil {
		return fmt.Errorf("spill request body: %w", err)
	}
	h.size = n
	if n > max {
		// The held max+1 bytes and the rest of r make up the body, should
		// the oversize action let it through.
		return errOversize
	}
	h.sum = hex.EncodeToString(hs.Sum(nil))
	return nil
}
