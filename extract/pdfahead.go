package extract

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync/atomic"

	kflate "github.com/klauspost/compress/flate"
)

// Page content without copies, and inflated one page ahead.
//
// A text PDF's time goes to inflating its content streams and reading
// them, about half each. While a page's content is read, the next page's
// is inflated on a second goroutine (one in flight). Only the inflate
// moves: the streams, their filters and parameters are resolved on the
// extraction goroutine (the object and font caches are not safe to share),
// and the worker gets the raw bytes, the limits and the context. What it
// inflates is byte for byte what decodeStream would return; the limit
// reasons it met are reported, in order, when the page is read, as
// decodeStream would report them then.
//
// Content buffers are owned and reused across pages (a fresh buffer per
// page cost a third of the bytes allocated), except when OCR is on: the
// inline images handed to it are slices of the content.

// contentPart is one content stream of a page: its raw bytes, inflated
// when flate is set.
type contentPart struct {
	raw   []byte
	flate bool
}

// contentJob is a page's content to decode into buf.
type contentJob struct {
	parts []contentPart
	array bool // Contents is an array: each part is followed by '\n'
	buf   []byte
}

// contentResult is a decoded page content.
type contentResult struct {
	out     []byte
	whys    []string // limit reasons met, in order
	stopped bool     // the time budget ran out (or the worker was told to stop)
	panic   any      // a panic of the inflater, re-raised on the extraction goroutine
}

// contentAhead is the inflate worker of one document.
type contentAhead struct {
	jobs    chan contentJob
	results chan contentResult
	pending bool // a job is in flight: the next page's content
	quit    atomic.Bool
	done    chan struct{}
}

// contentParts lists the streams of Contents when each is unfiltered or
// FlateDecode alone without a predictor (what the worker inflates); ok is
// false otherwise, and the page is decoded by decodeStream.
func (d *pdfDoc) contentParts(contents any, parts []contentPart) (_ []contentPart, array, ok bool) {
	switch c := d.resolve(contents).(type) {
	case *pStream:
		p, ok := d.contentPart(c)
		return append(parts, p), false, ok
	case pArray:
		for _, x := range c {
			if s, isStream := d.resolve(x).(*pStream); isStream {
				p, ok := d.contentPart(s)
				if !ok {
					return parts, true, false
				}
				parts = append(parts, p)
			}
		}
		return parts, true, true
	}
	return parts, false, false
}

// contentPart is s as a part the worker can decode, as decodeStream would.
func (d *pdfDoc) contentPart(s *pStream) (contentPart, bool) {
	names, parms := d.filters(s)
	switch {
	case len(names) == 0:
		return contentPart{raw: s.raw}, true
	case len(names) == 1 && (names[0] == "FlateDecode" || names[0] == "Fl"):
		if pred, _ := d.filterParms(parms, 0)["Predictor"].(float64); pred >= 10 {
			return contentPart{}, false
		}
		return contentPart{raw: s.raw, flate: true}, true
	}
	return contentPart{}, false
}

// decodeParts decodes a job: the bytes pageText would have built from
// decodeStream. fr is the inflater (reset per part) of the calling
// goroutine.
func decodeParts(job *contentJob, fr *io.ReadCloser, br *bytes.Reader, lim *Limits, expired func() bool) contentResult {
	out := job.buf[:0]
	var res contentResult
	for _, p := range job.parts {
		if !p.flate {
			out = append(out, p.raw...)
		} else {
			br.Reset(p.raw[zlibHeaderLen(p.raw):])
			if *fr == nil {
				*fr = kflate.NewReader(br)
			} else if (*fr).(kflate.Resetter).Reset(br, nil) != nil {
				*fr = kflate.NewReader(br)
			}
			var why string
			var err error
			out, why, err = readBoundedAppend(out, *fr, int64(len(p.raw)), lim, expired)
			if errors.Is(err, errTooBig) {
				res.whys = append(res.whys, why)
			}
			if errors.Is(err, errStop) {
				res.stopped = true
			}
		}
		if job.array {
			out = append(out, '\n')
		}
	}
	res.out = out
	return res
}

// startAhead starts the worker.
func startAhead(ctx context.Context, lim Limits) *contentAhead {
	a := &contentAhead{jobs: make(chan contentJob, 1), results: make(chan contentResult, 1), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		var fr io.ReadCloser
		var br bytes.Reader
		expired := func() bool { return a.quit.Load() || ctx.Err() != nil }
		for job := range a.jobs {
			a.results <- a.work(&job, &fr, &br, &lim, expired)
		}
	}()
	return a
}

func (a *contentAhead) work(job *contentJob, fr *io.ReadCloser, br *bytes.Reader, lim *Limits, expired func() bool) (res contentResult) {
	defer func() {
		if r := recover(); r != nil {
			*fr = nil // its state is unknown
			res = contentResult{panic: r}
		}
	}()
	return decodeParts(job, fr, br, lim, expired)
}

// stop ends the worker, waiting for the job in flight (told to stop).
func (a *contentAhead) stop() {
	a.quit.Store(true)
	close(a.jobs)
	<-a.done
}

// takeBuf is an owned buffer to decode a page into.
func (d *pdfDoc) takeBuf() []byte {
	if n := len(d.free); n > 0 {
		b := d.free[n-1]
		d.free = d.free[:n-1]
		return b[:0]
	}
	return nil
}

// releaseContent hands the buffer of the page last read back, unless OCR
// may still hold slices of it.
func (d *pdfDoc) releaseContent() {
	if d.owned != nil && d.w.lim.OCR == nil && len(d.free) < 2 {
		d.free = append(d.free, d.owned[:0])
	}
	d.owned = nil
}

// finish applies a decoded content's reports on the extraction goroutine
// and makes it the current page's content.
func (d *pdfDoc) finish(res contentResult) []byte {
	if res.panic != nil {
		panic(res.panic)
	}
	for _, why := range res.whys {
		d.w.limit(d.origin, "PDF stream: "+why+"; only the first part was inspected")
	}
	if res.stopped {
		d.w.expired() // records the time budget, as readBounded did
	}
	d.owned = res.out
	return res.out
}

// pageContent is the decoded content of a page. With next set, the next
// page's inflate is started before it returns, and the next call must be
// for that page (pdfNode reads pages in order).
func (d *pdfDoc) pageContent(p pageInfo, next *pageInfo) []byte {
	d.releaseContent()
	var content []byte
	key := p.dict["Contents"]
	switch {
	case d.ahead != nil && d.ahead.pending:
		d.ahead.pending = false
		content = d.finish(<-d.ahead.results)
	default:
		var array, ok bool
		d.parts, array, ok = d.contentParts(key, d.parts[:0])
		switch {
		case ok && !array && !d.parts[0].flate:
			content = d.parts[0].raw // unfiltered: the stream itself
		case ok:
			job := contentJob{parts: d.parts, array: array, buf: d.takeBuf()}
			if d.br == nil {
				d.br = new(bytes.Reader)
			}
			content = d.finish(decodeParts(&job, &d.fr, d.br, &d.w.lim, d.w.expired))
		default:
			content = d.decodeContents(key)
		}
	}
	if next != nil && !d.w.stop {
		d.startNext(*next)
	}
	return content
}

// startNext hands the next page's content to the worker when it can
// decode it.
func (d *pdfDoc) startNext(p pageInfo) {
	key := p.dict["Contents"]
	if key == nil {
		return
	}
	parts, array, ok := d.contentParts(key, nil) // the worker owns it until done
	if !ok || !array && !parts[0].flate {
		return
	}
	if d.ahead == nil {
		d.ahead = startAhead(d.w.ctx, d.w.lim)
	}
	d.ahead.pending = true
	d.ahead.jobs <- contentJob{parts: parts, array: array, buf: d.takeBuf()}
}

// stopAhead ends the worker of the document, if it ran.
func (d *pdfDoc) stopAhead() {
	if d.ahead != nil {
		d.ahead.stop()
		d.ahead = nil
	}
}

// decodeContents is the page content through decodeStream (filters the
// worker does not take).
func (d *pdfDoc) decodeContents(contents any) []byte {
	var content []byte
	switch c := d.resolve(contents).(type) {
	case *pStream:
		content = d.decodeStream(c)
	case pArray:
		for _, x := range c {
			if s, ok := d.resolve(x).(*pStream); ok {
				content = append(content, d.decodeStream(s)...)
				content = append(content, '\n')
			}
		}
	}
	return content
}
