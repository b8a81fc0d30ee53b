package extract

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/dlpgate/dlpgate/extract/deflate"
)

// Page content without copies, and inflated pages ahead.
//
// A text PDF's time goes to inflating its content streams and reading
// them, about half each. While a page's content is read, the next pages'
// are inflated by two worker goroutines (up to aheadDepth queued). Only
// the inflate moves: the streams, their filters and parameters are
// resolved on the extraction goroutine (the object and font caches are
// not safe to share), and the workers get the raw bytes, the limits and
// the context. What they inflate is byte for byte what decodeStream would
// return; the limit reasons met are reported, in order, when the page is
// read, as decodeStream would report them then.
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

// contentAhead is the inflate workers of one document and the pages
// queued to them, in page order.
type contentAhead struct {
	jobs  chan *aheadJob
	queue []*aheadJob // the pages after the one being read, in order (nil: decoded when read)
	spare []*aheadJob // finished jobs for reuse (extraction goroutine only)
	quit  atomic.Bool
	wg    sync.WaitGroup
}

// aheadJob is one queued page: its job and, once decoded, its result.
type aheadJob struct {
	job   contentJob
	worst int64              // the most its parts may decode to (the queue's budget)
	done  chan contentResult // one result, buffered: a worker never waits
}

// Pages are queued while fewer than aheadDepth are and the most they may
// decode to together (each flate part up to its decompression limit,
// max(200 x its size, 4 MiB) by default) stays within aheadWorst; the
// first page ahead is queued whatever its size, as when one page was
// inflated ahead. So a file of small pages keeps two inflaters busy
// between the extraction goroutine's waits (waking a worker per page cost
// more than the overlap gained), and decompression bombs queued ahead hold
// at most aheadWorst beyond what one page ahead could.
const (
	aheadDepth   = 8
	aheadWorst   = 16 << 20
	aheadWorkers = 2
)

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
func decodeParts(job *contentJob, fr **deflate.Reader, br *bytes.Reader, lim *Limits, expired func() bool) contentResult {
	out := job.buf[:0]
	var res contentResult
	for _, p := range job.parts {
		if !p.flate {
			out = append(out, p.raw...)
		} else {
			br.Reset(p.raw[zlibHeaderLen(p.raw):])
			resetInflater(fr, br)
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

// startAhead starts the workers (two when two cores can run them: the
// pages are independent streams, inflated side by side while the
// extraction goroutine reads the one before).
func startAhead(ctx context.Context, lim Limits) *contentAhead {
	a := &contentAhead{jobs: make(chan *aheadJob, aheadDepth)}
	n := min(aheadWorkers, runtime.GOMAXPROCS(0))
	a.wg.Add(n)
	for range n {
		go func() {
			defer a.wg.Done()
			var fr *deflate.Reader
			var br bytes.Reader
			lim := lim
			expired := func() bool { return a.quit.Load() || ctx.Err() != nil }
			for j := range a.jobs {
				j.done <- a.work(&j.job, &fr, &br, &lim, expired)
			}
		}()
	}
	return a
}

func (a *contentAhead) work(job *contentJob, fr **deflate.Reader, br *bytes.Reader, lim *Limits, expired func() bool) (res contentResult) {
	defer func() {
		if r := recover(); r != nil {
			*fr = nil // its state is unknown
			res = contentResult{panic: r}
		}
	}()
	return decodeParts(job, fr, br, lim, expired)
}

// stop ends the workers, waiting for the jobs in flight (told to stop).
func (a *contentAhead) stop() {
	a.quit.Store(true)
	close(a.jobs)
	a.wg.Wait()
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
	if d.owned != nil && d.w.lim.OCR == nil && len(d.free) < aheadDepth+1 {
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

// pageContent is the decoded content of a page. ahead are the pages
// that follow it: some are queued to the workers before it returns, and
// the next call must be for ahead[0] with ahead[1:] (pdfNode reads pages
// in order).
func (d *pdfDoc) pageContent(p pageInfo, ahead []pageInfo) []byte {
	d.releaseContent()
	var content []byte
	var queued *aheadJob
	if d.ahead != nil && len(d.ahead.queue) > 0 {
		queued = d.ahead.queue[0]
		d.ahead.queue = d.ahead.queue[:copy(d.ahead.queue, d.ahead.queue[1:])]
	}
	switch {
	case queued != nil:
		content = d.finish(<-queued.done)
		queued.job = contentJob{}
		d.ahead.spare = append(d.ahead.spare, queued)
	default:
		var array, ok bool
		d.parts, array, ok = d.contentParts(p.dict["Contents"], d.parts[:0])
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
			content = d.decodeContents(p.dict["Contents"])
		}
	}
	if !d.w.stop {
		d.queueAhead(ahead)
	}
	return content
}

// queueAhead queues the pages of ahead not queued yet, within the
// queue's bounds. A page the workers cannot decode (no inflate to do, or
// other filters) keeps its place as a nil entry and is decoded when read.
func (d *pdfDoc) queueAhead(ahead []pageInfo) {
	var inFlight int64
	if d.ahead != nil {
		for _, j := range d.ahead.queue {
			if j != nil {
				inFlight += j.worst
			}
		}
	}
	for k := d.queued(); k < len(ahead) && k < aheadDepth; k++ {
		var j *aheadJob
		if key := ahead[k].dict["Contents"]; key != nil {
			parts, array, ok := d.contentParts(key, nil)
			if ok && (array || parts[0].flate) {
				var worst int64
				for _, p := range parts {
					if p.flate {
						limit, _ := d.w.lim.decompressLimit(int64(len(p.raw)))
						worst += limit
					} else {
						worst += int64(len(p.raw))
					}
				}
				if k > 0 && inFlight+worst > aheadWorst {
					return
				}
				inFlight += worst
				// The workers own parts until done.
				j = d.newJob(contentJob{parts: parts, array: array, buf: d.takeBuf()})
				j.worst = worst
			}
		}
		if j == nil && d.ahead == nil {
			return // nothing queued yet: no worker needed for this page
		}
		d.ahead.queue = append(d.ahead.queue, j)
		if j != nil {
			d.ahead.jobs <- j // never blocks: at most aheadDepth are queued
		}
	}
}

// queued is how many of the pages ahead are queued.
func (d *pdfDoc) queued() int {
	if d.ahead == nil {
		return 0
	}
	return len(d.ahead.queue)
}

// newJob is a queued job for c, its structure reused (and the workers
// started with the first).
func (d *pdfDoc) newJob(c contentJob) *aheadJob {
	if d.ahead == nil {
		d.ahead = startAhead(d.w.ctx, d.w.lim)
	}
	a := d.ahead
	var j *aheadJob
	if n := len(a.spare); n > 0 {
		j, a.spare = a.spare[n-1], a.spare[:n-1]
	} else {
		j = &aheadJob{done: make(chan contentResult, 1)}
	}
	j.job = c
	return j
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
