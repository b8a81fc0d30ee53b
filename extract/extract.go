// Package extract turns bytes seen on the wire (or read from disk) into text
// segments, each labelled with the path it came from, so classifiers can read
// every part of an upload: multipart parts, JSON strings, archive members,
// document parts, in whatever charset they were written. Images (files,
// Office pictures, scanned PDF pages) are read through an ImageReader;
// extract/ocr provides one backed by Tesseract.
package extract

import (
	"context"
	"io"
)

// Segment is a run of text with the origin path it was read from, e.g.
// "multipart:media/report.xlsx/xl/worksheets/sheet1.xml" or "json:$.text.content".
type Segment struct {
	Origin string
	Text   string
}

// ProblemKind says why part of an input could not be read.
type ProblemKind string

const (
	// Encrypted: password-protected ZIP, PDF or Office file.
	Encrypted ProblemKind = "encrypted"
	// Unsupported: real images, audio and video (the container parses): no
	// text layer to read; their printable strings are still read.
	Unsupported ProblemKind = "unsupported"
	// Limit: a safety limit was exceeded (size, depth, entries, ratio, time).
	Limit ProblemKind = "limit"
	// Malformed: the bytes do not parse as the format they claim or appear to be.
	Malformed ProblemKind = "malformed"
	// Unreadable: a binary of unknown format (only its printable strings
	// were read), or an archive or compression method dlpgate cannot open.
	Unreadable ProblemKind = "unreadable"
)

// Problem reports a part of the input that was not (fully) inspected. It never
// holds content from the input, only the origin path and a reason.
type Problem struct {
	Origin string
	Kind   ProblemKind
	Reason string
}

// Input is one body to extract: a request body or a file given to scan.
type Input struct {
	// Name is a file name hint (multipart filename, scan path); never trusted
	// for format detection on its own.
	Name string
	// ContentType and ContentEncoding as declared (may be empty).
	ContentType     string
	ContentEncoding string
	// Body is read at random offsets (archives need it); Size is its length.
	// A Body that also has a Bytes() []byte method (a body held in memory)
	// is read in place without a copy; extract never modifies it.
	Body io.ReaderAt
	Size int64
	// Origin prefixes every segment origin (e.g. "body", "file:report.docx").
	Origin string
	// Stream, when set, receives the text of a large plain-text body that
	// is not in memory (over StreamAbove bytes: a spilled upload) in
	// overlapping windows as it is read, instead of that text being kept
	// in Result.Segments: memory stays bounded by the window whatever the
	// body's size. offset is where the window starts in the body (the
	// first window at 0). The text is valid only during the call (the
	// buffer is reused): keep a copy of anything retained. Calls come one
	// at a time and in order, but not always on the goroutine that called
	// Extract (a decompressed body's next window is read meanwhile); all
	// have returned when Extract does, and a panic in one is raised again
	// in Extract. See stream.go. Nil keeps every segment in the Result.
	Stream func(seg Segment, offset int64)
	// Batch, when set with Stream, receives the segments of a large JSON
	// document that is not in memory (over StreamAbove bytes), read front
	// to back, a few MiB of text at a time (the last batch when it ends),
	// instead of them being kept in Result.Segments (jsonstream.go). The
	// segments are valid only during the call. Nil keeps such
	// a document's segments in the Result.
	Batch func(segs []Segment)
	// Speculative says Body is still arriving and is read as it arrives
	// (inspect's overlap): a large JSON document or form is then walked
	// without first being checked whole, and a large multipart body read
	// part by part without its delimiters first being found throughout
	// (multipartstream.go), either of which would wait for its last byte.
	// With one Content-Encoding layer of gzip or deflate, the same holds
	// for a JSON document or form it decompresses to (seqsource.go);
	// whatever it decompresses to otherwise is read as when Speculative
	// is false.
	// Should it turn out not to be read so by an Extract that is not
	// speculative (not valid JSON, text that must be read whole, bare-LF
	// multipart framing ...),
	// Extract returns ErrSpeculation, and what went to Stream and Batch
	// must be thrown away: the caller reads the body again from its start.
	Speculative bool
	// SizeUnknown says Size is not known (a chunked upload still
	// arriving): Body is read to its end, where ReadAt returns io.EOF.
	// Only a body read as plain text in windows (StreamsText on its head,
	// Stream set, no Content-Encoding) is read so, and only when that is
	// how an Extract of the complete body with its size would read it
	// (more than StreamAbove bytes, within the total-text limit, read to
	// its end); or, Speculative and Batch set too, a JSON document or form
	// read front to back (StreamsJSON or StreamsForm on its head, to be
	// checked again with the size once known), or a multipart body read
	// part by part (StreamsMultipart on its head, the same); or,
	// Speculative and Batch set, a body with one gzip or deflate
	// Content-Encoding layer decompressed front to back to its end, whose
	// Body then tells its size (a Size() int64 method) so that the ratio
	// limit that size sets is checked; otherwise Extract returns
	// ErrSpeculation, and what went to Stream and Batch must be thrown
	// away. Size is ignored.
	SizeUnknown bool
}

// Limits bound the work done on one input. Zero values mean the defaults.
type Limits struct {
	MaxTotalBytes   int64 // total extracted text bytes
	MaxDepth        int   // nesting of containers (zip in zip in multipart ...)
	MaxEntries      int   // entries per archive
	MaxRatio        int   // decompressed/compressed ratio (zip bombs)
	MaxDecompressed int64 // bytes produced by any single decompression
	TimeBudget      int64 // nanoseconds for one input (time.Duration)
	// OCR reads text from images; nil reports images as unsupported.
	OCR ImageReader
	// OCRBudget is the nanoseconds all OCR of one input may take together.
	OCRBudget int64
}

// Result is everything read from one input.
type Result struct {
	Segments []Segment
	Problems []Problem
	// TextBytes is the total length of segment texts.
	TextBytes int64
	// TimedOut says the time budget (Limits.TimeBudget) ran out before
	// the input was read to its end (a Limit problem says so too): a
	// caller that let the clock run while the body was still arriving
	// (inspect's overlap) reads it again with a fresh budget.
	TimedOut bool
}

// Extract reads in and returns its text segments and problems. It returns an
// error only when ctx is cancelled or the body cannot be read at all;
// everything format-related is a Problem.
func Extract(ctx context.Context, in Input, lim Limits) (*Result, error) {
	return extractAll(ctx, in, lim)
}
