package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/places"
	"github.com/dlpgate/dlpgate/rules"
)

// scanResult is one line of `dlpgate scan` output. Its shape is a public
// interface (documented in the README): path, verdict, findings[].classifier
// and findings[].count must not change meaning.
type scanResult struct {
	Path     string                `json:"path"`
	Verdict  rules.Action          `json:"verdict"`
	Findings []classifiers.Finding `json:"findings"`
	Decision *rules.Decision       `json:"decision"`
	Problems []scanProblem         `json:"problems"`
	Bytes    int64                 `json:"bytes"`
	Segments int                   `json:"segments"`
	Error    string                `json:"error,omitempty"`
	// Explain (only with --explain): every classifier's score and signals,
	// also below its threshold.
	Explain []classifiers.Explanation `json:"explain,omitempty"`
}

type scanProblem struct {
	Origin string `json:"origin"`
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

func cmdScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return cmdScanWith(ctx, args, os.Stdin, stdout, stderr)
}

func cmdScanWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("dlpgate scan", flag.ContinueOnError)
	cfgPath := fset.String("config", "", "config/policy file merged over the embedded default")
	endpoint := fset.String("endpoint", "", "evaluate as an upload to this endpoint group (rules limited to other endpoints do not apply)")
	method := fset.String("method", "POST", "evaluate as an upload with this HTTP method")
	jobs := fset.Int("jobs", runtime.GOMAXPROCS(0), "files scanned in parallel")
	explain := fset.Bool("explain", false, "also print every classifier's score and the signals it saw, fired or not")
	showOrigins := fset.Bool("show-origins", false, "print archive and attachment member names in origins as they are (by default they are masked as in the audit log: a member name may be a person's name and diagnosis)")
	fset.Usage = func() {
		fmt.Fprintf(fset.Output(), "usage: dlpgate scan [--config FILE] PATH...   (- reads stdin; directories are walked)\n")
		fset.PrintDefaults()
	}
	if code, ok := parseFlags(fset, args, stdout, stderr); !ok {
		return code
	}
	if fset.NArg() == 0 {
		fset.Usage()
		return 2
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate scan: %v\n", err)
		return 2
	}
	eng, err := buildEngine(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate scan: %v\n", err)
		return 2
	}
	items := expandPaths(fset.Args())
	s := scanner{engine: eng, maxBytes: cfg.Policy.Global.MaxInspectBytes, endpoint: *endpoint, method: *method, stdin: stdin, explain: *explain, showOrigins: *showOrigins}

	results := make([]scanResult, len(items))
	var wg sync.WaitGroup
	next := make(chan int)
	if *jobs < 1 {
		*jobs = 1
	}
	for w := 0; w < *jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if items[i].err != nil {
					results[i] = scanResult{Path: items[i].path, Error: items[i].err.Error()}
				} else {
					results[i] = s.scanPath(ctx, items[i].path)
				}
				if results[i].Error != "" {
					s.unreadable(&results[i])
				}
			}
		}()
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	code := 0
	for _, r := range results {
		if r.Findings == nil {
			r.Findings = []classifiers.Finding{}
		}
		if r.Problems == nil {
			r.Problems = []scanProblem{}
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "dlpgate scan: write: %v\n", err)
			return 2
		}
		if r.Error != "" {
			code = 1
		}
	}
	return code
}

// scanItem is one input: a path to scan or why it cannot be.
type scanItem struct {
	path string
	err  error
}

// expandPaths walks directories (in lexical order) and keeps files and "-",
// in the order given.
func expandPaths(args []string) []scanItem {
	var items []scanItem
	for _, a := range args {
		if a == "-" {
			items = append(items, scanItem{path: a})
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			items = append(items, scanItem{path: a, err: err})
			continue
		}
		if !st.IsDir() {
			items = append(items, scanItem{path: a})
			continue
		}
		_ = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				items = append(items, scanItem{path: p, err: err})
			case d.Type().IsRegular():
				items = append(items, scanItem{path: p})
			}
			return nil
		})
	}
	return items
}

type scanner struct {
	engine   *inspect.Engine
	maxBytes int64
	endpoint string
	method   string
	stdin    io.Reader
	explain  bool
	// showOrigins prints origins unmasked (--show-origins).
	showOrigins bool
}

func (s *scanner) scanPath(ctx context.Context, path string) scanResult {
	res := scanResult{Path: path}
	var body io.ReaderAt
	var size int64
	origin := filepath.Base(path)
	if path == "-" {
		origin = "stdin"
		b, err := readLimited(s.stdin, s.maxBytes)
		if err != nil && !errors.Is(err, errTooLarge) {
			res.Error = fmt.Sprintf("read stdin: %v", err)
			return res
		}
		body, size = bytes.NewReader(b), int64(len(b))
		if errors.Is(err, errTooLarge) {
			size = s.maxBytes + 1
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			res.Error = fmt.Sprintf("stat %s: %v", path, err)
			return res
		}
		body, size = f, st.Size()
	}
	res.Bytes = size
	req := rules.Request{Method: s.method, Endpoint: s.endpoint, Path: path, Time: time.Now()}
	if s.maxBytes > 0 && size > s.maxBytes {
		d := s.engine.Oversize(req)
		res.Verdict, res.Decision = d.Action, &d
		return res
	}
	r, err := s.engine.Inspect(ctx, req, extract.Input{Name: path, Body: body, Size: size, Origin: origin})
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Verdict = r.Decision.Action
	res.Decision = &r.Decision
	res.Findings = r.Findings
	res.Segments = r.Segments
	for _, p := range r.Problems {
		res.Problems = append(res.Problems, scanProblem{Origin: p.Origin, Kind: string(p.Kind), Reason: p.Reason})
	}
	if !s.showOrigins {
		// The input's own name is the path printed beside it; what is
		// inside it is masked as the audit log masks it.
		own := []string{origin}
		res.Findings = places.MaskOrigins(res.Findings, own, own)
		for i, p := range res.Problems {
			res.Problems[i].Origin, res.Problems[i].Reason = places.MaskProblem(p.Kind, p.Origin, p.Reason, own, own)
		}
		d := *res.Decision // the Result's, not to be changed in place
		d.Reason = places.MaskReason(d.Reason, own, own)
		d.Explain = places.MaskReasons(d.Explain, own, own)
		res.Decision = &d
	}
	if s.explain {
		x, err := s.engine.Explain(ctx, extract.Input{Name: path, Body: body, Size: size, Origin: origin})
		if err != nil {
			res.Error = err.Error()
		}
		res.Explain = x
	}
	return res
}

// unreadable completes the result of an input that could not be scanned
// at all: the policy's fail mode decides, as the proxy's does for a body
// it cannot read, so every line carries a verdict and a decision.
func (s *scanner) unreadable(res *scanResult) {
	req := rules.Request{Method: s.method, Endpoint: s.endpoint, Path: res.Path, Time: time.Now()}
	r := s.engine.Unreadable(req, filepath.Base(res.Path), res.Error)
	res.Verdict, res.Decision, res.Findings = r.Decision.Action, &r.Decision, r.Findings
	res.Problems = res.Problems[:0]
	for _, p := range r.Problems {
		res.Problems = append(res.Problems, scanProblem{Origin: p.Origin, Kind: string(p.Kind), Reason: p.Reason})
	}
}

var errTooLarge = errors.New("input larger than max_inspect_bytes")

func readLimited(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		return io.ReadAll(r)
	}
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return b[:max], errTooLarge
	}
	return b, nil
}
