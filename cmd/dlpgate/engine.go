package main

import (
	"fmt"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/classifiers/edm"
	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/extract/ocr"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/rules"
)

// loadConfig returns the embedded default, or path merged over it.
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.Default()
	}
	return config.Load(path)
}

// buildEngine compiles a configuration into the inspection pipeline that
// both run and scan use.
func buildEngine(cfg *config.Config) (*inspect.Engine, error) {
	pol, err := rules.Compile(cfg.Policy)
	if err != nil {
		return nil, fmt.Errorf("compile policy: %w", err)
	}
	lim := extractLimits(cfg.Extract)
	if r := ocrReader(cfg.OCR); r != nil {
		lim.OCR = r
		lim.OCRBudget = int64(time.Duration(cfg.OCR.RequestTimeout))
	}
	eng := &inspect.Engine{
		Policy:      pol,
		Classifiers: classifiers.NewDefault(),
		Limits:      lim,
	}
	if len(cfg.Policy.EDM) > 0 {
		var idx []*edm.Index
		for _, s := range cfg.Policy.EDM {
			x, err := edm.LoadAs(s.File, s.Name)
			if err != nil {
				return nil, fmt.Errorf("edm %q: %w", s.Name, err)
			}
			idx = append(idx, x)
		}
		eng.Extra = append(eng.Extra, edm.NewSet(idx...))
	}
	return eng, nil
}

// buildRunEngine is buildEngine for the proxy: the engine counts window
// rules in windows, the one store of the run (it outlives reloads).
func buildRunEngine(cfg *config.Config, windows *rules.Windows) (*inspect.Engine, error) {
	eng, err := buildEngine(cfg)
	if err != nil {
		return nil, err
	}
	eng.Windows = windows
	return eng, nil
}

// ocrReader returns the OCR engine [ocr] configures, nil when disabled. An
// engine whose Tesseract is missing is still returned: it reports images
// "ocr: no OCR engine" so the policy sees them (see ocrStatus).
func ocrReader(c config.OCR) *ocr.Engine {
	if !c.Enabled {
		return nil
	}
	return ocr.New(ocr.Config{
		Languages:    c.Languages,
		ImageTimeout: time.Duration(c.ImageTimeout),
		MaxPixels:    c.MaxPixels,
		Workers:      c.Workers,
	})
}

// ocrStatus says why images cannot be read and how to fix it, or "".
func ocrStatus(lim extract.Limits) string {
	e, ok := lim.OCR.(*ocr.Engine)
	if !ok || e.Available() == nil {
		return ""
	}
	return fmt.Sprintf("%v; images will be reported uninspectable (%s): %s", e.Available(), extract.OCR, ocr.InstallHint)
}

func extractLimits(e config.Extract) extract.Limits {
	return extract.Limits{
		MaxTotalBytes:   int64(e.MaxTotalBytes),
		MaxDepth:        e.MaxDepth,
		MaxEntries:      e.MaxEntries,
		MaxRatio:        e.MaxRatio,
		MaxDecompressed: int64(e.MaxDecompressed),
		TimeBudget:      int64(time.Duration(e.TimeBudget)),
	}
}
