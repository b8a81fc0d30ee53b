package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dlpgate/dlpgate/classifiers/edm"
)

const edmUsage = `usage:
  dlpgate edm index --name NAME --columns COL,COL,... [--out FILE] FILE.csv
      write an Exact Data Match index of the named CSV columns (UTF-8,
      header row first). The index holds only salted hashes of the cells'
      canonical forms; keep it as confidential as the CA key (see
      docs/edm.md). Default --out: NAME.edm.
  dlpgate edm info FILE.edm
      print what an index holds (name, columns, rows), never a value.

Name the index in the policy and use it in a rule:
  [[edm]]
  name = "customers"
  file = "customers.edm"
  [[rules]]
  name = "customer-rows"
  conditions = [{ classifier = "edm:customers", min_count = 5 }]
  action = "block"
`

func cmdEDM(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, edmUsage)
		return 2
	}
	switch args[0] {
	case "index":
		return edmIndex(args[1:], stdout, stderr)
	case "info":
		return edmInfo(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, edmUsage)
		return 0
	}
	fmt.Fprintf(stderr, "dlpgate edm: unknown subcommand %q\n%s", args[0], edmUsage)
	return 2
}

func edmIndex(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dlpgate edm index", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), edmUsage) }
	name := fs.String("name", "", "index name, used in rules as edm:NAME")
	cols := fs.String("columns", "", "comma-separated CSV columns to index (e.g. name,mobile,email,id)")
	out := fs.String("out", "", "index file to write (default NAME.edm)")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 1 || *name == "" || *cols == "" {
		fmt.Fprint(stderr, "dlpgate edm index: need --name, --columns and one CSV file\n"+edmUsage)
		return 2
	}
	var columns []string
	for _, c := range strings.Split(*cols, ",") {
		if c = strings.TrimSpace(c); c != "" {
			columns = append(columns, c)
		}
	}
	if *out == "" {
		*out = *name + ".edm"
	}
	start := time.Now()
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate edm index: %v\n", err)
		return 1
	}
	defer f.Close()
	b, err := edm.BuildCSV(f, *name, columns)
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate edm index: %s: %v\n", fs.Arg(0), err)
		return 1
	}
	// Written beside the target and renamed: a reader never sees half an index.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".edm-*")
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate edm index: %v\n", err)
		return 1
	}
	defer os.Remove(tmp.Name())
	n, err := b.WriteTo(tmp)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate edm index: write %s: %v\n", *out, err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: index %q, %d rows, columns %s, %d bytes", *out, *name, b.Rows(), strings.Join(columns, ","), n)
	if b.Skipped() > 0 {
		fmt.Fprintf(stdout, "; %d cells skipped (too short, or text that cannot be found in running text, such as long addresses)", b.Skipped())
	}
	fmt.Fprintf(stdout, " (%s)\n", time.Since(start).Round(time.Millisecond))
	return 0
}

func edmInfo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dlpgate edm info", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), edmUsage) }
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, edmUsage)
		return 2
	}
	x, err := edm.Load(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "dlpgate edm info: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "index %q: %d rows, %d cells, columns %s, %d cells skipped, %d bytes in memory\n",
		x.Name(), x.Rows(), x.Entries(), strings.Join(x.Columns(), ","), x.Skipped(), x.MemoryBytes())
	return 0
}
