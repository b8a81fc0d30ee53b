package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/rules"
)

// defaultEngine is the inspection pipeline of `dlpgate run` with the
// embedded default policy and classifiers.
func defaultEngine(b *testing.B) *inspect.Engine {
	b.Helper()
	cfg, err := config.Default()
	if err != nil {
		b.Fatal(err)
	}
	pol, err := rules.Compile(cfg.Policy)
	if err != nil {
		b.Fatal(err)
	}
	return &inspect.Engine{Policy: pol, Classifiers: classifiers.NewDefault()}
}

// BenchmarkInspect runs the process benchmark's inputs through the
// inspection pipeline in process (extract, classify, decide): the figure
// to profile (-cpuprofile) when a process-level number moves.
func BenchmarkInspect(b *testing.B) {
	eng := defaultEngine(b)
	text := textBody(50 << 20)
	for _, c := range []struct {
		name, ctype string
		body        []byte
	}{
		{"text50MiB", "", text},
		{"json50MiB", "application/json", jsonBody(50 << 20)},
		{"xlsx20MB", "", xlsxBody(20 << 20)},
		{"docx20MB", "", docxBody(20 << 20)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := eng.Inspect(context.Background(), rules.Request{Method: "POST", Host: "oapi.dingtalk.com", Path: "/file/upload/single"},
					extract.Input{Body: bytes.NewReader(c.body), Size: int64(len(c.body)), Origin: "body", ContentType: c.ctype})
				if err != nil {
					b.Fatal(err)
				}
				if r.Decision.Action != rules.Allow {
					b.Fatalf("%s: %s (%s)", c.name, r.Decision.Action, r.Decision.Reason)
				}
			}
		})
	}
}

// BenchmarkExtract is extraction alone on the process benchmark's Office
// inputs (realistic compression: 3.6x DOCX, 5.4x XLSX), in MB/s of file.
func BenchmarkExtract(b *testing.B) {
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"xlsx20MB", xlsxBody(20 << 20)},
		{"docx20MB", docxBody(20 << 20)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := extract.Extract(context.Background(), extract.Input{Body: bytes.NewReader(c.body), Size: int64(len(c.body))}, extract.Limits{})
				if err != nil || len(r.Problems) > 0 {
					b.Fatal(err, r.Problems)
				}
			}
		})
	}
}
