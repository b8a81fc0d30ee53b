package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dlpgate/dlpgate/audit"
)

const logUsage = `usage:
  dlpgate log verify [--anchor SEQ:HASH]... FILE|DIR|GLOB...
      Check the hash chain across the files in order (a directory means all
      its *.jsonl files, oldest rotated file first). --anchor checks the
      chain against a seq and hash held elsewhere (e.g. by the SIEM).
      Exit 0: intact; 1: tampered; 3: only a crash-truncated last line; 2: error.
  dlpgate log report [--since DATE] [--until DATE] [--tz ZONE] [--html OUT] FILE|DIR|GLOB...
      Totals by day, rule, user, host and classifier. DATE is YYYY-MM-DD
      (--until includes that day) or RFC 3339. --html writes a printable
      self-contained report to OUT.
`

// cmdLog runs "dlpgate log verify|report".
func cmdLog(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, logUsage)
		return 2
	}
	switch args[0] {
	case "verify":
		return logVerify(ctx, args[1:], stdout, stderr)
	case "report":
		return logReport(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, logUsage)
		return 0
	}
	fmt.Fprintf(stderr, "dlpgate log: unknown subcommand %q\n\n%s", args[0], logUsage)
	return 2
}

type anchorList []audit.Anchor

func (a *anchorList) String() string { return fmt.Sprint(*a) }
func (a *anchorList) Set(s string) error {
	v, err := audit.ParseAnchor(s)
	if err != nil {
		return err
	}
	*a = append(*a, v)
	return nil
}

func logVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dlpgate log verify", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), logUsage) }
	var anchors anchorList
	fs.Var(&anchors, "anchor", "`SEQ:HASH` the chain must contain (repeatable)")
	fs.SetOutput(io.Discard)
	paths, err := parseInterleaved(fs, args)
	if code, ok := flagResult(fs, err, stdout, stderr); !ok {
		return code
	}
	if len(paths) == 0 {
		fmt.Fprint(stderr, "dlpgate log verify: no files given\n\n"+logUsage)
		return 2
	}
	files, complete, err := audit.ExpandPaths(paths)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate log verify: %v\n", err)
		return 2
	}
	if groups := audit.GroupByInstance(files); len(groups) > 1 {
		return verifyInstances(ctx, groups, anchors, complete, stdout, stderr)
	}
	res, err := audit.Verify(ctx, files, audit.VerifyOptions{Anchors: anchors, Complete: complete})
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate log verify: %v\n", err)
		return 2
	}
	if p := res.Problem; p != nil {
		fmt.Fprintf(stdout, "FAIL: %s:%d: %s: %s\n", p.File, p.Line, p.Kind, p.Detail)
		if res.Records > 0 {
			fmt.Fprintf(stdout, "%d records read before the problem (seq %d to %d)\n", res.Records, res.FirstSeq, res.LastSeq)
		}
		if p.Kind == audit.ProblemTruncated {
			fmt.Fprintln(stdout, "the log ends with a partially written record, as a crash leaves it; everything before it is intact")
			return 3
		}
		return 1
	}
	if res.Records == 0 {
		fmt.Fprintf(stdout, "ok: 0 records in %d file(s)\n", len(files))
		return 0
	}
	fmt.Fprintf(stdout, "ok: %d records, chain intact from %s to %s\n", res.Records, res.FirstID, res.LastID)
	if res.Continues {
		fmt.Fprintf(stdout, "note: the chain starts at seq %d, continuing from an earlier file not given (rotated away or retained elsewhere)\n", res.FirstSeq)
	}
	if res.EndsRotated {
		fmt.Fprintln(stdout, "note: the last file was rotated; the chain continues in a newer file not given")
	}
	fmt.Fprintf(stdout, "last record: seq %d; compare with the SIEM's copy (--anchor SEQ:HASH) to detect records cut from the end\n", res.LastSeq)
	return 0
}

func logReport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dlpgate log report", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), logUsage) }
	since := fs.String("since", "", "first `DATE` to include (YYYY-MM-DD or RFC 3339)")
	until := fs.String("until", "", "last `DATE` to include (YYYY-MM-DD includes that day)")
	tz := fs.String("tz", "Local", "time `ZONE` for days (e.g. Asia/Hong_Kong, UTC)")
	htmlOut := fs.String("html", "", "also write an HTML report to `FILE`")
	fs.SetOutput(io.Discard)
	paths, err := parseInterleaved(fs, args)
	if code, ok := flagResult(fs, err, stdout, stderr); !ok {
		return code
	}
	if len(paths) == 0 {
		fmt.Fprint(stderr, "dlpgate log report: no files given\n\n"+logUsage)
		return 2
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate log report: --tz: %v\n", err)
		return 2
	}
	opts := audit.ReportOptions{Location: loc}
	if opts.Since, err = parseReportDate(*since, loc, false); err != nil {
		fmt.Fprintf(stderr, "dlpgate log report: --since: %v\n", err)
		return 2
	}
	if opts.Until, err = parseReportDate(*until, loc, true); err != nil {
		fmt.Fprintf(stderr, "dlpgate log report: --until: %v\n", err)
		return 2
	}
	files, _, err := audit.ExpandPaths(paths)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate log report: %v\n", err)
		return 2
	}
	sum, err := audit.Summarize(ctx, files, opts)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate log report: %v\n", err)
		return 2
	}
	if err := sum.WriteText(stdout); err != nil {
		fmt.Fprintf(stderr, "dlpgate log report: %v\n", err)
		return 2
	}
	if *htmlOut != "" {
		if err := writeHTMLReport(sum, *htmlOut); err != nil {
			fmt.Fprintf(stderr, "dlpgate log report: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "wrote %s\n", *htmlOut)
	}
	return 0
}

func writeHTMLReport(sum *audit.Summary, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := sum.WriteHTML(f); err != nil {
		f.Close()
		return fmt.Errorf("write report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return nil
}

// parseReportDate reads YYYY-MM-DD (in loc) or RFC 3339. For the end of a
// range a bare date means the end of that day.
func parseReportDate(s string, loc *time.Location, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want YYYY-MM-DD or RFC 3339", s)
	}
	return t, nil
}

// parseInterleaved lets flags follow file names ("report a.jsonl --html x").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		i := 0
		for i < len(rest) && (!strings.HasPrefix(rest[i], "-") || rest[i] == "-") {
			pos = append(pos, rest[i])
			i++
		}
		if i == len(rest) {
			return pos, nil
		}
		if rest[i] == "--" {
			return append(pos, rest[i+1:]...), nil
		}
		args = rest[i:]
	}
}
