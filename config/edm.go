package config

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/dlpgate/dlpgate/classifiers/edm"
	"github.com/dlpgate/dlpgate/rules"
)

// resolveEDM makes relative [[edm]] file paths relative to the directory
// of the file that wrote them (the last file given: lists are replaced,
// never merged, and the embedded default names no index).
func resolveEDM(specs []rules.EDMSpec, srcs []*source) []rules.EDMSpec {
	if len(specs) == 0 {
		return specs
	}
	dir := ""
	for _, s := range srcs {
		if s.name != DefaultName {
			if _, ok := s.pos["edm"]; ok {
				dir = filepath.Dir(s.name)
			}
		}
	}
	out := slices.Clone(specs)
	for i := range out {
		if out[i].File != "" && !filepath.IsAbs(out[i].File) && dir != "" {
			out[i].File = filepath.Join(dir, out[i].File)
		}
	}
	return out
}

// checkEDMFiles reads the header of each index so a missing, unreadable or
// foreign file is reported where the config names it.
func checkEDMFiles(specs []rules.EDMSpec) []*rules.FieldError {
	var errs []*rules.FieldError
	for i, s := range specs {
		if s.File == "" {
			continue
		}
		if _, err := edm.ReadInfo(s.File); err != nil {
			errs = append(errs, &rules.FieldError{Path: fmt.Sprintf("edm[%d].file", i), Msg: err.Error()})
		}
	}
	return errs
}
