package audit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Problem kinds reported by Verify.
const (
	ProblemTruncated = "truncated last record (crash)"
	ProblemMalformed = "malformed record"
	ProblemEdited    = "edited record"
	ProblemMissing   = "missing records"
	ProblemReordered = "reordered records"
	ProblemInserted  = "inserted record"
	ProblemBroken    = "broken chain"
	ProblemTail      = "missing tail"
	ProblemAnchor    = "anchor mismatch"
)

// Problem is the first thing wrong with a chain.
type Problem struct {
	File   string
	Line   int
	Kind   string
	Detail string
}

func (p *Problem) Error() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Kind, p.Detail)
}

// Anchor is a (seq, hash) pair held outside the host, e.g. by the SIEM
// (every syslog message carries it). Verify checks the chain reaches it.
type Anchor struct {
	Seq  uint64
	Hash string
}

// ParseAnchor reads "SEQ:HASH".
func ParseAnchor(s string) (Anchor, error) {
	seq, hash, ok := strings.Cut(s, ":")
	n, err := strconv.ParseUint(seq, 10, 64)
	if !ok || err != nil || len(hash) != 64 {
		return Anchor{}, fmt.Errorf("anchor %q: want SEQ:SHA256HEX", s)
	}
	return Anchor{Seq: n, Hash: strings.ToLower(hash)}, nil
}

// VerifyOptions tunes Verify.
type VerifyOptions struct {
	// Anchors must each match a record of the chain.
	Anchors []Anchor
	// Complete says the files are the whole set (a directory was given):
	// the chain must not end with a rotation trailer.
	Complete bool
}

// VerifyResult summarises a chain. Problem is nil when it is intact.
type VerifyResult struct {
	Records  int
	FirstID  string
	LastID   string
	FirstSeq uint64
	LastSeq  uint64
	// Continues is set when the first record is not the chain's genesis
	// (older files were rotated away or not given).
	Continues bool
	// EndsRotated is set when the last record is a rotation trailer: the
	// chain goes on in a file that was not given.
	EndsRotated bool
	Problem     *Problem
}

type lineRec struct {
	chainRecord
	file string
	line int
}

// Verification streams: memory stays bounded however many files are
// given. It keeps the last histSize records to name a duplicate, and on the
// first anomaly reads up to aheadSize more to tell reordering from deletion
// and insertion.
const (
	histSize  = 1024
	aheadSize = 1024
)

// Verify checks the hash chain across files (put in chain order by the seq
// of their first record) and reports the first problem: a record whose
// content does not match its hash (edited), a seq gap (missing), seq going
// backwards (reordered or inserted), a prev_hash that does not link
// (broken), a partial last line (truncated by a crash), a rotated file
// without its trailer (tail cut). Whole records cut from the end of the
// newest file leave no trace in the file itself: only an anchor held
// elsewhere (Anchors) detects that.
func Verify(ctx context.Context, files []string, opts VerifyOptions) (*VerifyResult, error) {
	files = chainOrder(files)
	cr := &chainReader{files: files}
	defer cr.close()
	res := &VerifyResult{}
	anchors := map[uint64]string{}
	for _, a := range opts.Anchors {
		anchors[a.Seq] = a.Hash
	}
	var hist []lineRec
	var last lineRec
	fail := func(p *Problem) (*VerifyResult, error) {
		res.Problem = p
		return res, nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, p, err := cr.next()
		if err != nil {
			return nil, err
		}
		if p != nil {
			return fail(p)
		}
		if r == nil {
			break
		}
		if res.Records == 0 {
			res.FirstID, res.FirstSeq = r.ID, r.Seq
			res.Continues = !(r.Seq == 1 && r.PrevHash == ZeroHash)
			if r.Seq == 1 && r.PrevHash != ZeroHash {
				return fail(&Problem{File: r.file, Line: r.line, Kind: ProblemBroken, Detail: "seq 1 does not start from the zero hash"})
			}
		} else if r.Seq != last.Seq+1 || r.PrevHash != last.Hash {
			window := append(append([]lineRec(nil), hist...), *r)
			window = append(window, cr.ahead(aheadSize)...)
			return fail(classify(window, len(hist)))
		}
		if want, ok := anchors[r.Seq]; ok && want != r.Hash {
			return fail(&Problem{File: r.file, Line: r.line, Kind: ProblemAnchor,
				Detail: fmt.Sprintf("seq %d has hash %s but the anchor says %s: the chain was rewritten", r.Seq, short(r.Hash), short(want))})
		}
		res.Records++
		res.LastID, res.LastSeq = r.ID, r.Seq
		last = *r
		hist = append(hist, *r)
		if len(hist) >= 2*histSize {
			hist = append(hist[:0], hist[len(hist)-histSize:]...)
		}
	}
	if res.Records == 0 {
		return res, nil
	}
	res.EndsRotated = last.Action == ActionRotate
	if opts.Complete && res.EndsRotated {
		return fail(&Problem{File: last.file, Line: last.line, Kind: ProblemTail,
			Detail: fmt.Sprintf("chain was rotated after seq %d but no later file was found (the newest file is missing)", last.Seq)})
	}
	for _, a := range opts.Anchors {
		if a.Seq > last.Seq {
			return fail(&Problem{File: last.file, Line: last.line, Kind: ProblemAnchor,
				Detail: fmt.Sprintf("the anchor names seq %d but the chain ends at seq %d: records were removed from the end", a.Seq, last.Seq)})
		}
	}
	return res, nil
}

// chainReader yields the records of the files in turn, one at a time.
type chainReader struct {
	files []string
	idx   int
	f     *os.File
	br    *bufio.Reader
	line  int
	last  *lineRec // last record of the current file
	done  bool
}

func (c *chainReader) close() {
	if c.f != nil {
		c.f.Close()
		c.f = nil
	}
}

// next returns the next record, or a problem with the file itself, or
// nil, nil at the end of the last file.
func (c *chainReader) next() (*lineRec, *Problem, error) {
	for {
		if c.done {
			return nil, nil, nil
		}
		if c.f == nil {
			if c.idx >= len(c.files) {
				c.done = true
				return nil, nil, nil
			}
			f, err := os.Open(c.files[c.idx])
			if err != nil {
				return nil, nil, fmt.Errorf("verify: %w", err)
			}
			c.f, c.br, c.line, c.last = f, bufio.NewReaderSize(f, 256<<10), 0, nil
		}
		name := c.files[c.idx]
		lastFile := c.idx == len(c.files)-1
		line, err := c.br.ReadBytes('\n')
		if len(line) == 0 && errors.Is(err, io.EOF) {
			c.close()
			c.idx++
			// A rotated (non-last) file ends with the trailer the logger
			// writes before renaming it; without it, records were cut off.
			if !lastFile && c.last != nil && c.last.Action != ActionRotate {
				c.done = true
				return nil, &Problem{File: name, Line: c.last.line, Kind: ProblemTail,
					Detail: fmt.Sprintf("file ends at seq %d without its rotation trailer: records were removed from its end", c.last.Seq)}, nil
			}
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("verify: read %s: %w", name, err)
		}
		c.line++
		complete := bytes.HasSuffix(line, []byte("\n"))
		r, perr := parseRecord(bytes.TrimSuffix(line, []byte("\n")))
		if !complete && (perr != nil || r.Computed != r.Hash) {
			// A crash mid-write leaves a partial last line and nothing after.
			c.done = true
			after := "the start of the file"
			if c.last != nil {
				after = fmt.Sprintf("seq %d", c.last.Seq)
			}
			detail := fmt.Sprintf("partial line of %d bytes at the end of the file, after %s; the records before it are intact", len(line), after)
			if !lastFile {
				detail += " (in a rotated file, which should end with a trailer: suspicious)"
			}
			return nil, &Problem{File: name, Line: c.line, Kind: ProblemTruncated, Detail: detail}, nil
		}
		// (A complete record missing only its newline is accepted.)
		if perr != nil {
			c.done = true
			return nil, &Problem{File: name, Line: c.line, Kind: ProblemMalformed, Detail: perr.Error()}, nil
		}
		if r.Computed != r.Hash {
			c.done = true
			return nil, &Problem{File: name, Line: c.line, Kind: ProblemEdited,
				Detail: fmt.Sprintf("seq %d (id %s): content does not match its hash", r.Seq, r.ID)}, nil
		}
		c.last = &lineRec{chainRecord: r, file: name, line: c.line}
		return c.last, nil, nil
	}
}

// ahead reads up to n more readable records (for classifying an anomaly).
func (c *chainReader) ahead(n int) []lineRec {
	var out []lineRec
	for len(out) < n {
		r, p, err := c.next()
		if r == nil || p != nil || err != nil {
			break
		}
		out = append(out, *r)
	}
	return out
}

// chainOrder sorts files by the seq of their first record, so that a shell
// glob sorted by locale rules (which may put events.jsonl before
// events-2026….jsonl) still verifies in chain order. When a first record
// cannot be read the given order is kept and verify reports what it finds.
func chainOrder(files []string) []string {
	if len(files) < 2 {
		return files
	}
	seqs := make(map[string]uint64, len(files))
	for _, f := range files {
		r, err := firstRecord(f)
		if err != nil {
			return files
		}
		seqs[f] = r.Seq
	}
	out := append([]string(nil), files...)
	sort.SliceStable(out, func(i, j int) bool { return seqs[out[i]] < seqs[out[j]] })
	return out
}

func firstRecord(path string) (chainRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return chainRecord{}, err
	}
	defer f.Close()
	line, err := bufio.NewReaderSize(f, 64<<10).ReadSlice('\n')
	if err != nil {
		return chainRecord{}, err
	}
	return parseRecord(bytes.TrimSuffix(line, []byte("\n")))
}

// classify names the damage at recs[i], the first record that does not
// follow recs[i-1]; recs holds some history before i and look-ahead after.
func classify(recs []lineRec, i int) *Problem {
	prev, r := recs[i-1], recs[i]
	want := prev.Seq + 1
	// A record that the next one skips over (the next links to the one
	// before it) and that nothing links to was inserted, whatever seq it claims.
	if i+1 < len(recs) && recs[i+1].Seq == want && recs[i+1].PrevHash == prev.Hash && !linkedFrom(recs[i+1:], r.Hash) {
		return &Problem{File: r.file, Line: r.line, Kind: ProblemInserted,
			Detail: fmt.Sprintf("seq %d (id %s) does not belong to the chain: the next record links to seq %d before it", r.Seq, r.ID, prev.Seq)}
	}
	switch {
	case r.Seq == want:
		return &Problem{File: r.file, Line: r.line, Kind: ProblemBroken,
			Detail: fmt.Sprintf("seq %d does not link to seq %d at %s:%d (prev_hash mismatch): that record was edited and re-hashed, or replaced", r.Seq, prev.Seq, prev.file, prev.line)}
	case r.Seq < want:
		if j := findSeqBefore(recs[:i], r.Seq); j >= 0 {
			// Two records claim one seq: the genuine one links to the
			// record before it, the other was inserted.
			orig := recs[j]
			if orig.Hash == r.Hash {
				return &Problem{File: r.file, Line: r.line, Kind: ProblemInserted,
					Detail: fmt.Sprintf("seq %d is a copy of the record at %s:%d", r.Seq, orig.file, orig.line)}
			}
			if j > 0 && r.PrevHash == recs[j-1].Hash {
				return &Problem{File: orig.file, Line: orig.line, Kind: ProblemInserted,
					Detail: fmt.Sprintf("seq %d (id %s) does not belong to the chain; the genuine seq %d is at %s:%d", orig.Seq, orig.ID, r.Seq, r.file, r.line)}
			}
			return &Problem{File: r.file, Line: r.line, Kind: ProblemInserted,
				Detail: fmt.Sprintf("seq %d appears again (first at %s:%d): duplicated or inserted record", r.Seq, orig.file, orig.line)}
		}
		return &Problem{File: r.file, Line: r.line, Kind: ProblemReordered,
			Detail: fmt.Sprintf("seq %d follows seq %d: records out of order", r.Seq, prev.Seq)}
	default: // r.Seq > want
		if later := findSeq(recs[i+1:], want, r.Seq); later != nil {
			return &Problem{File: r.file, Line: r.line, Kind: ProblemReordered,
				Detail: fmt.Sprintf("seq %d where %d was expected; seq %d comes later at %s:%d: records out of order", r.Seq, want, later.Seq, later.file, later.line)}
		}
		missing := fmt.Sprintf("seq %d", want)
		if r.Seq-1 > want {
			missing = fmt.Sprintf("seq %d-%d", want, r.Seq-1)
		}
		return &Problem{File: r.file, Line: r.line, Kind: ProblemMissing,
			Detail: fmt.Sprintf("%s missing before seq %d (deleted records or a removed file)", missing, r.Seq)}
	}
}

func findSeqBefore(recs []lineRec, seq uint64) int {
	for j := len(recs) - 1; j >= 0; j-- {
		if recs[j].Seq == seq {
			return j
		}
	}
	return -1
}

// linkedFrom reports whether a record names hash as its predecessor: a
// genuine record out of place is linked from its successor, an inserted one is not.
func linkedFrom(recs []lineRec, hash string) bool {
	for i := range recs {
		if recs[i].PrevHash == hash {
			return true
		}
	}
	return false
}

func findSeq(recs []lineRec, lo, hi uint64) *lineRec {
	for i := range recs {
		if recs[i].Seq >= lo && recs[i].Seq < hi {
			return &recs[i]
		}
	}
	return nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// ExpandPaths turns the arguments of verify/report into files in chain
// order: a directory stands for its *.jsonl files (rotated files sort by
// their timestamp and before the active file), a pattern is globbed, a
// file is taken as given. complete reports whether a directory was given.
func ExpandPaths(args []string) (files []string, complete bool, err error) {
	for _, a := range args {
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			m, err := filepath.Glob(filepath.Join(globEscape(a), "*.jsonl"))
			if err != nil {
				return nil, false, err
			}
			if len(m) == 0 {
				return nil, false, fmt.Errorf("%s: no *.jsonl files", a)
			}
			sort.Strings(m)
			files = append(files, m...)
			complete = true
		case err == nil:
			files = append(files, a)
		case strings.ContainsAny(a, "*?["):
			m, gerr := filepath.Glob(a)
			if gerr != nil {
				return nil, false, fmt.Errorf("%s: %w", a, gerr)
			}
			if len(m) == 0 {
				return nil, false, fmt.Errorf("%s: no files match", a)
			}
			sort.Strings(m)
			files = append(files, m...)
		default:
			return nil, false, err
		}
	}
	return files, complete, nil
}
