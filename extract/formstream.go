package extract

import (
	"strings"
)

// Reading a large urlencoded form front to back. A form body over
// StreamAbove bytes that is not in memory, when the caller set
// Input.Stream and Input.Batch, is read pair by pair through its ReaderAt
// (each key=value pair a piece of up to jsonPieceMax bytes, read by
// formPair exactly as form reads it) instead of being loaded whole; the
// segments of its values go to Input.Batch as they are read, the keys at
// the end, as form emits them. A body form would read otherwise (no '='
// anywhere: text) or that has a pair too large to be a piece is left to
// form, after a checking pass (or, speculative, with ErrSpeculation), as
// for JSON (jsonstream.go).

// StreamsForm reports whether Extract, given a body of size bytes declared
// as ctype, with no Content-Encoding, not held in memory, and an
// Input.Stream and Input.Batch, may read it as a urlencoded form front to
// back from its first HeadLen bytes head alone (see StreamsJSON).
func StreamsForm(ctype string, head []byte, size int64) bool {
	if int64(len(head)) < min(size, HeadLen) || size <= StreamAbove {
		return false
	}
	mt, _ := mediaType(ctype)
	return mt == "application/x-www-form-urlencoded" && sniff(head, size) == kindText && !isBinary(head)
}

// streamsForm reads n's body as a form front to back when it can, and
// reports whether it did (see streamsJSON).
func (w *walker) streamsForm(n node, mt string, head []byte) bool {
	if mt != "application/x-www-form-urlencoded" {
		return false
	}
	speculate := w.speculative && n.depth == 0
	textCap := 4*w.lim.MaxTotalBytes + sniffLen
	if w.stream == nil || w.batch == nil || n.body.data != nil || n.body.size <= StreamAbove ||
		n.body.size > textCap || n.body.size > w.lim.MaxDecompressed || isBinary(head) {
		if speculate {
			w.specFailed, w.stop = true, true
			return true
		}
		return false
	}
	return w.streamPasses(n, speculate, "form", w.formPass)
}

// streamPasses runs pass (a front-to-back reading of a format) on n: once
// to check and once to walk, or speculative, only to walk, giving up
// (ErrSpeculation) when the walk finds what the check would have.
func (w *walker) streamPasses(n node, speculate bool, format string, pass func(node, bool) bool) bool {
	if !speculate {
		var ok bool
		w.guard(n.origin, format, func() { ok = pass(n, false) })
		if w.stop {
			return true // the time ran out, or the body could not be read
		}
		if !ok {
			return false
		}
	}
	var ok bool
	w.guard(n.origin, format, func() { ok = pass(n, true) })
	switch {
	case speculate && (!ok && !w.stop || w.full):
		// Not what a complete reading would do, or the text limit
		// stopped the walk before the rest of the body was checked.
		w.specFailed, w.stop = true, true
	case !ok && !w.stop:
		// Checked through already: only a body that changed under the
		// reading gets here.
		w.problem(n.origin, Malformed, "body changed while it was read; part not inspected")
	}
	return true
}

// formPass reads n's body as a form, checking it (walk false) or walking
// it, and reports whether it is a form this reading takes.
func (w *walker) formPass(n node, walk bool) (ok bool) {
	s := w.newJSONStream(n, walk)
	defer func() {
		if r := recover(); r != nil {
			if r != errJSONDoubt { //nolint:errorlint // sentinel identity
				panic(r)
			}
			ok = false
		}
	}()
	defer s.flush()
	var f formKeys
	pairs := false // a '=' seen
	for s.pos < s.size {
		pair := s.until('&')
		pairs = pairs || strings.IndexByte(pair, '=') >= 0
		if !walk {
			continue
		}
		if !w.formPair(n, &f, pair) {
			if w.stop {
				panic(errStop)
			}
			return true // too many fields: form stops there too (a '=' was seen)
		}
		s.flushFull()
	}
	if !pairs {
		panic(errJSONDoubt) // not a form: text
	}
	if walk {
		w.emitFormKeys(n, &f)
	}
	return true
}
