package inspect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/rules"
)

// Overlap: inspecting a body while it is still arriving. A front end that
// holds a large body before forwarding it can start its inspection as soon
// as the body starts to arrive (Engine.Begin) and ask for the Result once
// the last byte is held (Overlap.Finish): classification then runs beside
// receiving instead of after it, and the decision is ready about when the
// body is. The front end still forwards nothing before that decision.
//
// Only what extract reads front to back as it goes is overlapped:
//   - a plain text body (text, CSV, logs: extract.StreamsText) over
//     extract.StreamAbove bytes with no Content-Encoding, read in windows;
//   - a body over extract.StreamAbove bytes with one Content-Encoding layer
//     of gzip (x-gzip) or deflate (CanOverlap): extract decompresses it
//     front to back as it arrives, whatever it holds. When the
//     decompressed bytes pass StreamAbove and are plain text, they reach
//     the classifiers window by window as they are decompressed, so the
//     text is classified while the compressed bytes arrive; a JSON
//     document, JSON Lines or a urlencoded form is walked front to back
//     as it is decompressed, as a plain one below is as it arrives
//     (extract.Input.Speculative); anything else (markup, multipart ...)
//     is held decompressed and read once the last compressed byte is in
//     (only the decompression runs beside receiving then);
//   - a JSON document or JSON Lines over extract.StreamAbove bytes with
//     no Content-Encoding whose head shows it (extract.StreamsJSON):
//     extract reads it front to back as it arrives (Input.Speculative),
//     its values reaching the classifiers in batches and its large strings
//     in windows, as Inspect reads the complete body. Whether the body
//     really is such a document (valid JSON to its end, no large string
//     that must be read whole ...) is known at its last byte: when it is
//     not, Extract says so (extract.ErrSpeculation) and the reading is
//     thrown away;
//   - a urlencoded form over extract.StreamAbove bytes (extract.StreamsForm)
//     the same way, pair by pair (a form with no pair, or a pair over 1 MiB,
//     is read afresh);
//   - a multipart body over extract.StreamAbove bytes with no
//     Content-Encoding (extract.StreamsMultipart), part by part as it
//     arrives: a part over StreamAbove bytes that its own reading takes
//     for plain text (text, CSV, logs; no transfer encoding) reaches the
//     classifiers window by window as its bytes arrive, in the windows
//     Inspect reads it in; a part over StreamAbove bytes that is a JSON
//     document, JSON Lines or a form is walked front to back as its bytes
//     arrive, as Inspect walks it; every other part (fields, base64,
//     Office, PDF, ZIP, binary ...) is read whole as soon as its end is
//     in, the next part's bytes still arriving meanwhile. Part names are
//     read as Inspect reads them. Whether the body is framed as the
//     reading assumed (CRLF delimiters throughout, not too many of them;
//     within the text limits) is known at its last byte: when it is not,
//     the reading is thrown away (extract.ErrSpeculation).
// Every container (ZIP, PDF, Office ...) is not: extract needs its body
// whole, so an overlapped reading would only wait. A chunked body (no declared size) with no Content-Encoding is
// begun as plain text read in windows, as a JSON document, JSON Lines
// or a form read front to back, or as multipart read part by part
// (extract.Input.SizeUnknown: read to its end), and kept only if the
// complete body, its size known, is one Inspect reads the same way (more
// than StreamAbove bytes, within the text limits). A chunked body with one
// gzip or deflate layer is decompressed as it arrives, as a sized one is,
// and kept only if, complete, it is over StreamAbove bytes and what it
// decompressed to is within the ratio limit its size sets (extract says
// so: Input.SizeUnknown).
// The inspection reads the body through the same Extract call, the same
// windows and the same folding as Inspect does on the complete body, so
// its findings are the same; only the policy's verdict waits for Finish (a
// body that never completes is never judged, so windowed rules count
// nothing for it). Whenever the overlapped reading cannot be trusted to
// equal Inspect on the complete body, Finish runs Inspect on the complete
// body instead, from the start:
//   - the head of a body with no Content-Encoding shows another format
//     (ZIP, PDF, another charset ...), or a JSON, form or multipart
//     body turns out not to be what its reading as it arrived assumed
//     (extract.ErrSpeculation);
//   - the inspection budget has no room at once, or another inspection is
//     waiting for room while this one waits for bytes (it yields: a slow
//     upload must not hold a slot that ready work needs);
//   - the extraction time budget ran out (the clock ran while bytes were
//     awaited);
//   - the body failed while it arrived (the front end does not call
//     Finish then, but Abandon).

// Arriving is a body still being received. ReadAt serves only what has
// arrived. WaitFor blocks until the first n bytes have arrived or the body
// is complete (nil: ReadAt then serves all of it), the body failed (its
// error) or ctx ended (ctx's error); it returns nil at once when the bytes
// are there, whatever ctx.
type Arriving interface {
	io.ReaderAt
	WaitFor(ctx context.Context, n int64) error
}

// Overlap is one inspection begun while its body arrives.
type Overlap struct {
	e      *Engine
	in     extract.Input // Body is the Arriving body
	cancel context.CancelFunc
	done   chan struct{}

	// Set by run before done is closed.
	got *collected // nil: Finish inspects the complete body afresh
	why string     // why got is nil
}

// yieldCheck is how often a read waiting for bytes looks whether another
// inspection waits for the budget.
const yieldCheck = 50 * time.Millisecond

// errYield ends an overlapped reading that gives its budget slot up.
var errYield = errors.New("inspection budget wanted elsewhere while waiting for the body")

// CanOverlap reports whether in may be read as it arrives by its
// declaration alone (its size, Content-Encoding): a front end need not
// track a body's arrival otherwise. Whether a body with no
// Content-Encoding can is decided once its head has arrived.
//
// A body of unknown size (Size < 0: a chunked upload) with no
// Content-Encoding may be too: it is read as it arrives only as plain
// text in windows or as a JSON document or form front to back
// (extract.Input.SizeUnknown), and only when its Arriving body tells its
// size once complete (Sized).
func CanOverlap(in extract.Input) bool {
	if in.Stream != nil {
		return false
	}
	if in.Size < 0 {
		return in.ContentEncoding == "" || extract.DecompressesAsItGoes(in.ContentEncoding)
	}
	return in.Size > extract.StreamAbove && (in.ContentEncoding == "" || extract.DecompressesAsItGoes(in.ContentEncoding))
}

// Sized is an Arriving body of unknown size that tells its size once it
// is complete (WaitFor has returned nil for any n).
type Sized interface {
	Size() int64
}

// Begin starts inspecting in, whose Body is body and still arriving, in a
// goroutine of its own, and returns nil when !CanOverlap(in). The caller
// must end every Overlap with Finish or Abandon.
func (e *Engine) Begin(ctx context.Context, in extract.Input, body Arriving) *Overlap {
	if !CanOverlap(in) {
		return nil
	}
	if _, ok := body.(Sized); in.Size < 0 && !ok {
		return nil
	}
	in.Body = body
	ctx, cancel := context.WithCancel(ctx)
	o := &Overlap{e: e, in: in, cancel: cancel, done: make(chan struct{})}
	go o.run(ctx, body)
	return o
}

func (o *Overlap) run(ctx context.Context, body Arriving) {
	defer close(o.done)
	defer func() {
		// A panic here would end the process (the front end's recover
		// guards only its own goroutine): Finish inspects afresh on the
		// caller's goroutine, where it is the caller's to handle.
		if p := recover(); p != nil {
			o.got, o.why = nil, fmt.Sprintf("internal error: %v", p)
		}
	}()
	if o.in.Size < 0 {
		o.runUnknownSize(ctx, body)
		return
	}
	n := min(o.in.Size, extract.HeadLen)
	if err := body.WaitFor(ctx, n); err != nil {
		o.why = "body not received"
		return
	}
	head := make([]byte, n)
	k, _ := body.ReadAt(head, 0)
	in := o.in
	speculation := "JSON, form or multipart body not read front to back"
	if in.ContentEncoding != "" {
		// Decompressed as it arrives: a JSON document or form it
		// decompresses to is walked as it goes, unchecked
		// (extract.Input.Speculative); everything else is read as
		// Inspect reads it.
		in.Speculative = true
		speculation = "decompressed JSON or form not read front to back"
	} else if !extract.StreamsText(in.ContentType, head[:k], in.Size) {
		if !extract.StreamsJSON(in.ContentType, head[:k], in.Size) && !extract.StreamsForm(in.ContentType, head[:k], in.Size) &&
			!extract.StreamsMultipart(in.ContentType, head[:k], in.Size) {
			o.why = "not plain text read in windows"
			return
		}
		in.Speculative = true
	}
	if c := o.read(ctx, in, body, func(b *Budget, in extract.Input) int64 { return b.weight(in, o.e.Limits) },
		speculation); c != nil {
		o.got = c
	}
}

// read runs the overlapped reading of in from body, under the budget's
// weight for it: the reading, or nil with why set when it cannot be kept
// (speculation: the why of extract.ErrSpeculation).
func (o *Overlap) read(ctx context.Context, in extract.Input, body Arriving, weight func(*Budget, extract.Input) int64, speculation string) *collected {
	rd := &arrivingReader{body: body, ctx: ctx, budget: o.e.Budget}
	in.Body = rd
	if b := o.e.Budget; b != nil {
		release, ok := b.tryAcquire(weight(b, in))
		if !ok {
			o.why = "inspection budget busy"
			return nil
		}
		defer release()
	}
	c, err := o.e.collect(ctx, in)
	switch {
	case errors.Is(err, extract.ErrSpeculation):
		o.why = speculation
	case err != nil:
		o.why = "cancelled"
	case rd.err() != nil:
		o.why = rd.err().Error()
	case c.ex.TimedOut:
		o.why = "time budget spent while the body arrived"
	default:
		return c
	}
	return nil
}

// runUnknownSize is run for a body of unknown size: plain text read in
// windows, or a JSON document or form read front to back, to its end
// (extract.Input.SizeUnknown), kept only if the body, its size known at
// last, is one Inspect reads that way.
func (o *Overlap) runUnknownSize(ctx context.Context, body Arriving) {
	if err := body.WaitFor(ctx, extract.HeadLen); err != nil {
		o.why = "body not received"
		return
	}
	head := make([]byte, extract.HeadLen)
	k, _ := body.ReadAt(head, 0)
	in := o.in
	in.SizeUnknown = true
	// As Inspect would read it at size (the sniffing of a few formats
	// weighs the size): checked on the head, then again once complete.
	streams := extract.StreamsText
	weight := 4*extract.StreamWindow + 1<<20 // streamed window by window, as weight has it for sized text
	what := "streamed text"
	// Every reading but plain text in windows is speculative; a JSON
	// document, form or multipart weighs as weight has it for JSON read
	// as it arrives.
	structured := 8*extract.StreamWindow + 1<<20
	text := false
	switch {
	case in.ContentEncoding != "":
		// Decompressed front to back as it arrives, as a sized body over
		// StreamAbove bytes is (whether the ratio limit its size sets
		// would have cut it is extract's to check at its end).
		streams = func(_ string, _ []byte, size int64) bool { return size > extract.StreamAbove }
		what, weight = "a compressed body decompressed", int(2*totalText(o.e.Limits))+1<<20 // as weight has it for a sized gzip body
	case extract.StreamsText(o.in.ContentType, head[:k], math.MaxInt64):
		text = true
	case extract.StreamsJSON(o.in.ContentType, head[:k], math.MaxInt64):
		streams, what, weight = extract.StreamsJSON, "a JSON document read front to back", structured
	case extract.StreamsForm(o.in.ContentType, head[:k], math.MaxInt64):
		streams, what, weight = extract.StreamsForm, "a form read front to back", structured
	case extract.StreamsMultipart(o.in.ContentType, head[:k], math.MaxInt64):
		streams, what, weight = extract.StreamsMultipart, "multipart read part by part", structured
	default:
		o.why = "body of unknown size not plain text, JSON, a form or multipart read as it arrives"
		return
	}
	in.Speculative = !text
	c := o.read(ctx, in, body, func(b *Budget, _ extract.Input) int64 { return min(int64(weight), b.memory) },
		"body of unknown size not read as "+what+" to its end")
	switch {
	case c == nil:
	case !streams(o.in.ContentType, head[:k], body.(Sized).Size()):
		// Read to its end, so complete: with its size, is it still
		// what Inspect reads that way?
		o.why = "body of unknown size not " + what + " at its size"
	default:
		o.got = c
	}
}

// Finish waits for the overlapped inspection and returns the Result for
// the complete body; when it must inspect afresh it first waits for the
// whole body. It returns an error only when ctx ended or the body failed.
func (o *Overlap) Finish(ctx context.Context, req rules.Request) (*Result, error) {
	select {
	case <-o.done:
	case <-ctx.Done():
		o.Abandon()
		return nil, fmt.Errorf("inspect %s: %w", o.in.Origin, ctx.Err())
	}
	// The verdict is the complete body's: should a caller finish before
	// the last byte is held, a fresh read would judge a prefix; and a
	// reading that ended early (a limit reached within the first part)
	// stands only for a body that then arrived whole, not one that
	// failed on the way.
	in := o.in
	all := in.Size
	if all < 0 {
		all = math.MaxInt64 // unknown: to its end
	}
	if err := in.Body.(Arriving).WaitFor(ctx, all); err != nil {
		// Not the complete body's reading (Overlapped says so; Finish
		// and Overlapped are for the caller's one goroutine).
		o.got, o.why = nil, "body not complete"
		return nil, fmt.Errorf("inspect %s: body not complete: %w", in.Origin, err)
	}
	if o.got == nil {
		if in.Size < 0 {
			in.Size = in.Body.(Sized).Size()
		}
		return o.e.Inspect(ctx, req, in)
	}
	return o.got.verdict(o.e, req), nil
}

// Abandon stops the inspection and waits until it no longer reads the
// body. It is safe to call more than once, and after Finish.
func (o *Overlap) Abandon() {
	o.cancel()
	<-o.done
}

// Overlapped reports, once Finish returned, whether the Result came from
// the reading done while the body arrived, and if not, why not.
func (o *Overlap) Overlapped() (bool, string) {
	select {
	case <-o.done:
	default:
		return false, "not finished"
	}
	return o.got != nil, o.why
}

// arrivingReader reads an Arriving body for Extract: a read waits for its
// bytes, and gives up (errYield) when the budget is wanted elsewhere
// meanwhile.
type arrivingReader struct {
	body   Arriving
	ctx    context.Context
	budget *Budget

	mu     sync.Mutex
	failed error
}

// Size is the body's size once it is complete (Sized), -1 when the body
// cannot tell it: extract reads it at the end of a compressed body of
// unknown size (extract.Input.SizeUnknown).
func (r *arrivingReader) Size() int64 {
	if s, ok := r.body.(Sized); ok {
		return s.Size()
	}
	return -1
}

func (r *arrivingReader) ReadAt(p []byte, off int64) (int, error) {
	if err := r.wait(off + int64(len(p))); err != nil {
		r.mu.Lock()
		if r.failed == nil {
			r.failed = err
		}
		r.mu.Unlock()
		return 0, err
	}
	return r.body.ReadAt(p, off)
}

// arrived is a context that has ended: WaitFor with it only tells whether
// the bytes are there (a gzip layer reads 4 KiB at a time; most reads find
// their bytes and need no timer).
var arrived = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func (r *arrivingReader) wait(n int64) error {
	if r.body.WaitFor(arrived, n) == nil {
		return nil
	}
	for {
		ctx, cancel := context.WithTimeout(r.ctx, yieldCheck)
		err := r.body.WaitFor(ctx, n)
		timedOut := ctx.Err() != nil
		cancel()
		if err == nil || r.ctx.Err() != nil || !timedOut {
			return err
		}
		if r.budget != nil && r.budget.contended() {
			return errYield
		}
	}
}

func (r *arrivingReader) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}
