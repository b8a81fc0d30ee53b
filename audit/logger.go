package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dlpgate/dlpgate/config"
)

// File is what the logger writes to; *os.File satisfies it. Tests inject
// failing implementations through Options.OpenFile.
type File interface {
	io.Writer
	Sync() error
	Truncate(size int64) error
	Close() error
}

// Options configures a Logger. Zero values work except Path.
type Options struct {
	// Path is the active JSON-lines file; rotated files sit beside it as
	// <base>-YYYYMMDDTHHMMSS.mmm<ext>.
	Path string
	// FsyncLog also fsyncs log (not only block) events before Record returns.
	FsyncLog bool
	// RotateSize rotates before the next record once the active file has
	// reached this size (0: never).
	RotateSize int64
	// RotateAge rotates when the active file's first record is older (0: never).
	RotateAge time.Duration
	// RetainFiles keeps at most this many rotated files (0: keep all).
	RetainFiles int
	// Instance fills Event.Instance (observer.name) when the caller left it empty.
	Instance string
	// Version is the product version in CEF headers ("dev" when empty).
	Version string
	// Sinks are the remote syslog destinations.
	Sinks []config.Sink
	// QueueSize bounds each sink's queue (default 10000).
	QueueSize int
	// DropReportInterval is how often sink drops are logged (default 1m).
	DropReportInterval time.Duration
	// Logger receives operational messages (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OpenFile opens the active file for appending (default: os.OpenFile
	// with O_APPEND|O_CREATE, mode 0600).
	OpenFile func(path string) (File, error)
}

// OptionsFromConfig turns the [audit] section into Options; a relative
// file name is placed under dataDir.
func OptionsFromConfig(c config.Audit, dataDir string) Options {
	path := c.File
	if path == "" {
		path = "events.jsonl"
	}
	if !filepath.IsAbs(path) && dataDir != "" {
		path = filepath.Join(dataDir, path)
	}
	return Options{
		Path:        path,
		FsyncLog:    c.FsyncLog,
		RotateSize:  int64(c.RotateSize),
		RotateAge:   time.Duration(c.RotateAge),
		RetainFiles: c.RetainFiles,
		Instance:    c.InstanceID,
		Sinks:       c.Syslog,
		QueueSize:   c.QueueSize,
	}
}

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("audit log closed")

// Logger appends hash-chained events to the file log and hands them to the
// sinks. It is safe for concurrent use: one mutex orders records, which is
// what the chain needs anyway.
//
// Durability is a group commit: a record is written under the mutex, then
// its caller waits for an fsync that started after the write. One fsync
// runs at a time, outside the mutex; the records written while it runs
// join the next round, which the first of their writers starts as soon as
// the running one ends. So under load one fsync covers many records, and
// its error reaches every Record whose line it covered.
type Logger struct {
	opts Options
	log  *slog.Logger

	mu sync.Mutex
	// f is only replaced or closed while no fsync is running (syncing false).
	f       File
	syncing bool          // an fsync of f runs outside mu
	idle    chan struct{} // closed when the running fsync ends
	pending *syncRound    // records written since the running fsync started that need one
	size    int64         // bytes of complete records in the active file
	started time.Time     // time of the active file's first record
	seq     uint64
	last    string
	records uint64 // written by this Logger
	closed  bool
	broken  bool // a failed write left bytes we could not truncate
	// noRotateUntil backs off after a failed rename.
	noRotateUntil time.Time

	sinks      []*sink
	stopReport chan struct{}
	reportDone chan struct{}
}

// Open resumes (or starts) the chain in opts.Path and starts the sinks. A
// partial last line left by a crash is moved aside to <path>.partial-<time>
// with a warning; the chain continues from the last complete record, or from
// the newest rotated file when the active file is empty.
func Open(opts Options) (*Logger, error) {
	if opts.Path == "" {
		return nil, errors.New("audit: no log file configured")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.OpenFile == nil {
		opts.OpenFile = openAppend
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 10000
	}
	if opts.DropReportInterval <= 0 {
		opts.DropReportInterval = time.Minute
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	l := &Logger{opts: opts, log: opts.Logger, last: ZeroHash}
	if err := os.MkdirAll(filepath.Dir(opts.Path), 0o700); err != nil {
		return nil, fmt.Errorf("audit: create log directory: %w", err)
	}
	if err := l.resume(); err != nil {
		return nil, err
	}
	f, err := opts.OpenFile(opts.Path)
	if err != nil {
		return nil, fmt.Errorf("audit: open %s: %w", opts.Path, err)
	}
	l.f = f
	sinks, err := startSinks(opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	l.sinks = sinks
	if len(sinks) > 0 {
		l.stopReport = make(chan struct{})
		l.reportDone = make(chan struct{})
		go l.reportDrops()
	}
	return l, nil
}

func openAppend(path string) (File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

// resume finds where the chain stands: seq and hash of the last complete
// record, the active file's size and age.
func (l *Logger) resume() error {
	path := l.opts.Path
	l.started = l.opts.Now()
	st, err := os.Stat(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("audit: %w", err)
	}
	if err == nil && st.Size() > 0 {
		last, partial, cut, err := tail(path)
		if err != nil {
			return fmt.Errorf("audit: read %s: %w", path, err)
		}
		if len(partial) > 0 {
			if r, perr := parseRecord(partial); perr == nil && r.Computed == r.Hash {
				// Complete record, only the newline is missing: keep it.
				if err := appendBytes(path, []byte("\n")); err != nil {
					return fmt.Errorf("audit: repair %s: %w", path, err)
				}
				last = partial
				cut = st.Size() + 1
			} else {
				aside := fmt.Sprintf("%s.partial-%s", path, l.opts.Now().UTC().Format("20060102T150405.000"))
				if err := os.WriteFile(aside, partial, 0o600); err != nil {
					return fmt.Errorf("audit: move partial record aside: %w", err)
				}
				if err := os.Truncate(path, cut); err != nil {
					return fmt.Errorf("audit: truncate partial record: %w", err)
				}
				l.log.Warn("audit log ended with a partial record (crash); moved it aside and resumed the chain from the last complete record",
					"file", path, "partial_bytes", len(partial), "moved_to", aside)
			}
		}
		l.size = cut
		if len(last) > 0 {
			r, err := parseRecord(last)
			if err != nil {
				return fmt.Errorf("audit: resume chain: last record of %s is unreadable (%v); run 'dlpgate log verify %s'", path, err, path)
			}
			l.seq, l.last = r.Seq, r.Hash
			if t, err := firstRecordTime(path); err == nil {
				l.started = t
			}
			return nil
		}
	}
	// Empty active file: continue from the newest rotated file, if any.
	rotated, err := rotatedFiles(path)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	for i := len(rotated) - 1; i >= 0; i-- {
		last, _, _, err := tail(rotated[i])
		if err != nil || len(last) == 0 {
			continue
		}
		r, err := parseRecord(last)
		if err != nil {
			return fmt.Errorf("audit: resume chain: last record of %s is unreadable (%v)", rotated[i], err)
		}
		l.seq, l.last = r.Seq, r.Hash
		break
	}
	return nil
}

func appendBytes(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// tail returns the last complete line (without newline), the bytes after
// the last newline, and the offset just past the last newline. It reads
// backwards so that resuming a 100 MiB file costs one or two reads.
func tail(path string) (last, partial []byte, cut int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, 0, err
	}
	size := st.Size()
	chunk := int64(64 << 10)
	for {
		start := max(size-chunk, 0)
		buf := make([]byte, size-start)
		if _, err := f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, 0, err
		}
		nl := bytes.LastIndexByte(buf, '\n')
		if nl < 0 && start > 0 {
			chunk *= 4
			continue
		}
		if nl < 0 { // no newline at all: everything is partial
			return nil, buf, 0, nil
		}
		partial = buf[nl+1:]
		cut = start + int64(nl) + 1
		prev := bytes.LastIndexByte(buf[:nl], '\n')
		if prev < 0 && start > 0 {
			chunk *= 4
			continue
		}
		return buf[prev+1 : nl], partial, cut, nil
	}
}

func firstRecordTime(path string) (time.Time, error) {
	r, err := firstRecord(path)
	return r.Time, err
}

// rotatedFiles lists <base>-*<ext> beside path, oldest first (names sort by time).
func rotatedFiles(path string) ([]string, error) {
	ext := filepath.Ext(path)
	base := strings.TrimSuffix(path, ext)
	m, err := filepath.Glob(globEscape(base) + "-[0-9]*" + globEscape(ext))
	if err != nil {
		return nil, err
	}
	sort.Strings(m)
	return m, nil
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// syncRound is one group-commit fsync: it covers every record that joined
// it, all written before the fsync started. err is set before done closes.
type syncRound struct {
	done chan struct{}
	err  error
	// lead hands the round to one of its waiters when the fsync before it
	// ends (capacity 1), so that only one goroutine wakes to run it.
	lead chan struct{}
}

// Record assigns the event its ID (if empty), time (if zero), instance (if
// empty), sequence number and hashes, and appends it to the file log as one
// line with one write call. Block events (and log events with FsyncLog) are
// durable before Record returns: written, and covered by an fsync that
// started after the write (shared with concurrent Record calls, see Logger).
// Any failure is returned, an fsync error to every Record it covered: the
// caller applies its fail mode; nothing is dropped silently. Sinks get the
// event, in chain order, as soon as it is written, without ever blocking.
//
// The context is not used to abandon the write: a decision already taken
// must be recorded even if the client went away. It does bound the wait
// for the fsync: a cancelled wait returns the context's error, but the
// line stays in the chain (and with the sinks) and the fsync still runs.
func (l *Logger) Record(ctx context.Context, e *Event) error {
	if e == nil {
		return errors.New("audit: nil event")
	}
	l.mu.Lock()
	r, err := l.record(e)
	if r == nil {
		l.mu.Unlock()
		return err
	}
	return l.waitSync(ctx, r)
}

// record writes e; l.mu is held. It returns the round that will make e
// durable when e needs an fsync and was written.
func (l *Logger) record(e *Event) (*syncRound, error) {
	if l.closed {
		return nil, ErrClosed
	}
	now := l.opts.Now()
	if e.Time.IsZero() {
		e.Time = now
	}
	if e.ID == "" {
		e.ID = NewID(e.Time)
	}
	if e.Instance == "" {
		e.Instance = l.opts.Instance
	}
	if err := l.maybeRotate(now); err != nil {
		return nil, err
	}
	line, err := l.append(e)
	if err != nil {
		return nil, err
	}
	// Written: the chain includes it (even if the fsync fails), so the
	// SIEM gets it too.
	for _, s := range l.sinks {
		s.enqueue(queued{ev: *e, line: line})
	}
	if e.Action != ActionBlock && !l.opts.FsyncLog {
		return nil, nil
	}
	if l.pending == nil {
		l.pending = &syncRound{done: make(chan struct{}), lead: make(chan struct{}, 1)}
	}
	return l.pending, nil
}

// waitSync waits until round r has fsynced and returns its error; l.mu is
// held on entry and released on return. When no fsync runs, the caller
// runs r itself (outside the lock); otherwise it waits for r to be done or
// to be handed to it (r.lead) when the running fsync ends.
func (l *Logger) waitSync(ctx context.Context, r *syncRound) error {
	for {
		select {
		case <-r.done:
			l.mu.Unlock()
			return r.err
		default:
		}
		if !l.syncing {
			// r is l.pending: it is neither done nor running.
			l.pending = nil
			l.syncing = true
			idle := make(chan struct{})
			l.idle = idle
			f := l.f
			l.mu.Unlock()
			err := f.Sync()
			if err != nil {
				err = fmt.Errorf("audit: fsync %s: %w", l.opts.Path, err)
			}
			l.mu.Lock()
			r.err = err
			close(r.done)
			l.syncing = false
			close(idle)
			if next := l.pending; next != nil {
				select {
				case next.lead <- struct{}{}:
				default: // already handed over
				}
			}
			l.mu.Unlock()
			return err
		}
		l.mu.Unlock()
		select {
		case <-r.done:
			return r.err
		case <-r.lead:
			l.mu.Lock()
		case <-ctx.Done():
			// The line is in the chain; make sure its fsync still runs
			// even if no other writer comes along to start it.
			go func() {
				l.mu.Lock()
				l.waitSync(context.Background(), r)
			}()
			return fmt.Errorf("audit: waiting for fsync of %s (the record is written): %w", l.opts.Path, ctx.Err())
		}
	}
}

// syncNow fsyncs f under l.mu, with no fsync running, and completes the
// pending round with the result: rotation and Close use it before they
// close the file. It returns the (wrapped) fsync error.
func (l *Logger) syncNow() error {
	err := l.f.Sync()
	if err != nil {
		err = fmt.Errorf("audit: fsync %s: %w", l.opts.Path, err)
	}
	if r := l.pending; r != nil {
		l.pending = nil
		r.err = err
		close(r.done)
	}
	return err
}

// waitIdle waits, releasing l.mu meanwhile, until no fsync is running.
func (l *Logger) waitIdle() {
	for l.syncing {
		idle := l.idle
		l.mu.Unlock()
		<-idle
		l.mu.Lock()
	}
}

// append writes one record; l.mu is held. It returns the line when the
// record was written.
func (l *Logger) append(e *Event) ([]byte, error) {
	if l.f == nil {
		f, err := l.opts.OpenFile(l.opts.Path)
		if err != nil {
			return nil, fmt.Errorf("audit: open %s: %w", l.opts.Path, err)
		}
		l.f = f
	}
	if l.broken {
		// An earlier failed write may have left part of a line: cut it off
		// before appending, or the next record would be glued to it.
		if err := l.f.Truncate(l.size); err != nil {
			return nil, fmt.Errorf("audit: write %s: partial record from an earlier failure cannot be removed: %w", l.opts.Path, err)
		}
		l.broken = false
	}
	e.Seq, e.PrevHash, e.Hash = l.seq+1, l.last, ""
	line, hash, err := encodeRecord(e)
	if err != nil {
		e.Seq, e.PrevHash = 0, ""
		return nil, err
	}
	n, err := l.f.Write(line)
	if err != nil {
		if n > 0 {
			if terr := l.f.Truncate(l.size); terr != nil {
				l.broken = true
			}
		}
		e.Seq, e.PrevHash = 0, ""
		return nil, fmt.Errorf("audit: write %s: %w", l.opts.Path, err)
	}
	// The line is in the file: the chain moves on even if fsync fails.
	e.Hash = hash
	l.seq, l.last = e.Seq, hash
	l.size += int64(len(line))
	l.records++
	return line, nil
}

// maybeRotate rotates when the active file is too big or too old; l.mu is
// held. A running fsync is waited for first (it uses the file), and the
// conditions are then checked again: another writer may have rotated.
func (l *Logger) maybeRotate(now time.Time) error {
	for {
		if l.closed {
			return ErrClosed
		}
		if l.size == 0 || now.Before(l.noRotateUntil) {
			return nil
		}
		bySize := l.opts.RotateSize > 0 && l.size >= l.opts.RotateSize
		byAge := l.opts.RotateAge > 0 && now.Sub(l.started) >= l.opts.RotateAge
		if !bySize && !byAge {
			return nil
		}
		if !l.syncing {
			return l.rotate(now)
		}
		l.waitIdle()
	}
}

// rotate writes the trailer, fsyncs the file (which also completes the
// pending round: no record waiting for an fsync is lost by the switch),
// renames it and opens a new one. l.mu is held and no fsync is running.
func (l *Logger) rotate(now time.Time) error {
	dir := filepath.Dir(l.opts.Path)
	ext := filepath.Ext(l.opts.Path)
	base := strings.TrimSuffix(filepath.Base(l.opts.Path), ext)
	var target string
	for t := now.UTC(); ; t = t.Add(time.Millisecond) {
		target = filepath.Join(dir, base+"-"+t.Format("20060102T150405.000")+ext)
		if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	trailer := &Event{Time: now, ID: NewID(now), Action: ActionRotate, Instance: l.opts.Instance,
		NextFile: filepath.Base(target)}
	line, err := l.append(trailer)
	if line != nil {
		// Sinks get trailers too, so that the SIEM sees every seq.
		for _, s := range l.sinks {
			s.enqueue(queued{ev: *trailer, line: line})
		}
	}
	if err != nil {
		return fmt.Errorf("audit: rotate: %w", err)
	}
	if err := l.syncNow(); err != nil {
		return fmt.Errorf("audit: rotate: %w", err)
	}
	// Close before renaming: Windows (endpoint installs) cannot rename an open file.
	if err := l.f.Close(); err != nil {
		l.log.Warn("audit log close before rotation", "file", l.opts.Path, "err", err)
	}
	l.f = nil
	if err := os.Rename(l.opts.Path, target); err != nil {
		// Keep writing to the same file; the trailer then sits mid-file,
		// which verify accepts. Try again in a minute.
		l.log.Warn("audit log rotation failed; continuing in the same file", "file", l.opts.Path, "err", err)
		l.noRotateUntil = now.Add(time.Minute)
	} else {
		syncDir(dir)
		l.size, l.started = 0, now
		l.retain()
	}
	f, err := l.opts.OpenFile(l.opts.Path)
	if err != nil {
		// append retries the open on the next record.
		return fmt.Errorf("audit: open %s after rotation: %w", l.opts.Path, err)
	}
	l.f = f
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// retain deletes the oldest rotated files beyond RetainFiles.
func (l *Logger) retain() {
	if l.opts.RetainFiles <= 0 {
		return
	}
	files, err := rotatedFiles(l.opts.Path)
	if err != nil {
		l.log.Warn("audit retention", "err", err)
		return
	}
	for len(files) > l.opts.RetainFiles {
		if err := os.Remove(files[0]); err != nil {
			l.log.Warn("audit retention: remove old log", "file", files[0], "err", err)
		} else {
			l.log.Info("audit retention: removed old log", "file", files[0])
		}
		files = files[1:]
	}
}

// Stats is a snapshot of the logger's counters.
type Stats struct {
	Records uint64 // written by this Logger since Open
	Seq     uint64 // last sequence number in the chain
	Sinks   []SinkStats
}

// SinkStats counts one sink's traffic.
type SinkStats struct {
	Name      string
	Queued    int
	Sent      uint64
	Dropped   uint64 // queue full, or undeliverable at Close
	Failures  uint64 // dial or write errors (each retried)
	Connected bool
}

// Stats returns the current counters.
func (l *Logger) Stats() Stats {
	l.mu.Lock()
	st := Stats{Records: l.records, Seq: l.seq}
	l.mu.Unlock()
	for _, s := range l.sinks {
		st.Sinks = append(st.Sinks, s.stats())
	}
	return st
}

func (l *Logger) reportDrops() {
	defer close(l.reportDone)
	t := time.NewTicker(l.opts.DropReportInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stopReport:
			return
		case <-t.C:
			for _, s := range l.sinks {
				s.reportDrops(l.log)
			}
		}
	}
}

// DefaultCloseTimeout bounds Close's wait for the sinks when ctx has no deadline.
const DefaultCloseTimeout = 5 * time.Second

// Close stops accepting events, lets the sinks drain until ctx is done
// (DefaultCloseTimeout when ctx has no deadline: a sink that is down would
// never drain; what is still queued then is counted as dropped), and syncs
// and closes the file.
func (l *Logger) Close(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultCloseTimeout)
		defer cancel()
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	for _, s := range l.sinks {
		close(s.q)
	}
	l.mu.Unlock()

	if l.stopReport != nil {
		close(l.stopReport)
		<-l.reportDone
	}
	for _, s := range l.sinks {
		select {
		case <-s.done:
		case <-ctx.Done():
			s.cancel()
			<-s.done
		}
		s.cancel()
		s.reportDrops(l.log)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	l.waitIdle()
	if l.f == nil {
		return nil
	}
	err := l.syncNow()
	if cerr := l.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("audit: close %s: %w", l.opts.Path, cerr)
	}
	l.f = nil
	return err
}
