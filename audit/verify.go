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

// Verify checks the hash chain across files given in chain order and
// reports the first problem: a record whose content does not match its
// hash (edited), a seq gap (missing), seq going backwards (reordered or
// inserted), a prev_hash that does not link (broken), a partial last line
// (truncated by a crash), a rotated file without its trailer (tail cut).
// Whole records cut from the end of the newest file leave no trace in the
// file itself: only an anchor held elsewhere (Anchors) detects that.
func Verify(ctx context.Context, files []string, opts VerifyOptions) (*VerifyResult, error) {
	files = chainOrder(files)
	var recs []lineRec
	res := &VerifyResult{}
	var firstProblem *Problem
	for fi, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rs, p, err := readChainFile(name, fi == len(files)-1)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rs...)
		if p != nil {
			firstProblem = p
			break
		}
		// A rotated (non-last) file ends with the trailer the logger writes
		// before renaming it; without it, records were cut off its end.
		if fi < len(files)-1 && len(rs) > 0 && rs[len(rs)-1].Action != ActionRotate {
			last := rs[len(rs)-1]
			firstProblem = &Problem{File: name, Line: last.line, Kind: ProblemTail,
				Detail: fmt.Sprintf("file ends at seq %d without its rotation trailer: records were removed from its end", last.Seq)}
			break
		}
	}
	res.Records = len(recs)
	if p := checkChain(recs); p != nil && (firstProblem == nil || before(p, firstProblem, files)) {
		firstProblem = p
	}
	if len(recs) > 0 {
		res.FirstID, res.LastID = recs[0].ID, recs[len(recs)-1].ID
		res.FirstSeq, res.LastSeq = recs[0].Seq, recs[len(recs)-1].Seq
		res.Continues = !(recs[0].Seq == 1 && recs[0].PrevHash == ZeroHash)
		res.EndsRotated = recs[len(recs)-1].Action == ActionRotate
	}
	if firstProblem == nil && opts.Complete && res.EndsRotated {
		last := recs[len(recs)-1]
		firstProblem = &Problem{File: last.file, Line: last.line, Kind: ProblemTail,
			Detail: fmt.Sprintf("chain was rotated after seq %d but no later file was found (the newest file is missing)", last.Seq)}
	}
	if firstProblem == nil {
		firstProblem = checkAnchors(recs, opts.Anchors)
	}
	res.Problem = firstProblem
	return res, nil
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

func before(a, b *Problem, files []string) bool {
	ia, ib := indexOf(files, a.File), indexOf(files, b.File)
	if ia != ib {
		return ia < ib
	}
	return a.Line < b.Line
}

func indexOf(files []string, f string) int {
	for i, x := range files {
		if x == f {
			return i
		}
	}
	return len(files)
}

// readChainFile parses every line; it stops at the first unreadable one.
func readChainFile(name string, lastFile bool) ([]lineRec, *Problem, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("verify: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256<<10)
	var recs []lineRec
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && errors.Is(err, io.EOF) {
			return recs, nil, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("verify: read %s: %w", name, err)
		}
		complete := bytes.HasSuffix(line, []byte("\n"))
		r, perr := parseRecord(bytes.TrimSuffix(line, []byte("\n")))
		if !complete {
			// A crash mid-write leaves a partial last line and nothing after.
			if perr != nil || r.Computed != r.Hash {
				kind := ProblemTruncated
				detail := fmt.Sprintf("partial line of %d bytes at the end of the file, after seq %d; the records before it are checked", len(line), lastSeq(recs))
				if !lastFile {
					detail += " (in a rotated file, which should end with a trailer: suspicious)"
				}
				return recs, &Problem{File: name, Line: n, Kind: kind, Detail: detail}, nil
			}
			// Intact record missing only its newline: accept it.
		} else if perr != nil {
			return recs, &Problem{File: name, Line: n, Kind: ProblemMalformed, Detail: perr.Error()}, nil
		}
		if r.Computed != r.Hash {
			return recs, &Problem{File: name, Line: n, Kind: ProblemEdited,
				Detail: fmt.Sprintf("seq %d (id %s): content does not match its hash", r.Seq, r.ID)}, nil
		}
		recs = append(recs, lineRec{chainRecord: r, file: name, line: n})
	}
}

func lastSeq(recs []lineRec) uint64 {
	if len(recs) == 0 {
		return 0
	}
	return recs[len(recs)-1].Seq
}

// checkChain checks seq continuity and prev_hash links between records
// whose own hashes are valid, naming the kind of damage.
func checkChain(recs []lineRec) *Problem {
	if len(recs) == 0 {
		return nil
	}
	first := recs[0]
	if first.Seq == 1 && first.PrevHash != ZeroHash {
		return &Problem{File: first.file, Line: first.line, Kind: ProblemBroken,
			Detail: "seq 1 does not start from the zero hash"}
	}
	seen := make(map[uint64]int, len(recs))
	seen[first.Seq] = 0
	for i := 1; i < len(recs); i++ {
		prev, r := recs[i-1], recs[i]
		want := prev.Seq + 1
		if r.Seq == want && r.PrevHash == prev.Hash {
			seen[r.Seq] = i
			continue
		}
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
			if j, dup := seen[r.Seq]; dup {
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
	return nil
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

func checkAnchors(recs []lineRec, anchors []Anchor) *Problem {
	if len(anchors) == 0 || len(recs) == 0 {
		return nil
	}
	first, last := recs[0], recs[len(recs)-1]
	for _, a := range anchors {
		if a.Seq > last.Seq {
			return &Problem{File: last.file, Line: last.line, Kind: ProblemAnchor,
				Detail: fmt.Sprintf("the anchor names seq %d but the chain ends at seq %d: records were removed from the end", a.Seq, last.Seq)}
		}
		if a.Seq < first.Seq {
			continue // rotated away or not given: cannot check
		}
		r := recs[a.Seq-first.Seq] // seqs are contiguous once checkChain passed
		if r.Hash != a.Hash {
			return &Problem{File: r.file, Line: r.line, Kind: ProblemAnchor,
				Detail: fmt.Sprintf("seq %d has hash %s but the anchor says %s: the chain was rewritten", a.Seq, short(r.Hash), short(a.Hash))}
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
