package classifiers

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"

	"github.com/dlpgate/dlpgate/extract"
)

// PatternSpec is an admin-defined classifier from the policy's [[patterns]]:
// what the built-in classifiers do not know (staff numbers, project code
// names, account formats). Patterns use .NET regex syntax (regexp2) so
// that lookaround can say what must not stand next to a match.
type PatternSpec struct {
	Name        string   `toml:"name"`
	Description string   `toml:"description,omitempty"`
	Regex       string   `toml:"regex"`
	Keywords    []string `toml:"keywords,omitempty"`   // prefilter: the regex runs only near one of these (case-insensitive)
	Window      int      `toml:"window,omitempty"`     // characters either side of a keyword searched (default 300)
	Confidence  string   `toml:"confidence,omitempty"` // confidence of a match (default medium)
	CaseFold    bool     `toml:"ignore_case,omitempty"`
}

// patternTimeout bounds one regex search. regexp2 backtracks; its clock
// ticks about every 100 ms, so a timeout fires somewhat late.
const patternTimeout = 250 * time.Millisecond

type pattern struct {
	name     string
	re       *regexp2.Regexp
	keywords []string // lower-cased
	window   int
	conf     Confidence
}

// PatternSet runs admin-defined patterns. It is immutable and safe for
// concurrent use.
type PatternSet struct {
	patterns []pattern
}

// CompilePatterns checks and compiles specs. Errors name the pattern and
// field (e.g. `patterns[0].regex: ...`) and never echo scanned content.
func CompilePatterns(specs []PatternSpec) (*PatternSet, []error) {
	ps := &PatternSet{}
	var errs []error
	seen := map[string]bool{}
	for i, s := range specs {
		at := fmt.Sprintf("patterns[%d]", i)
		p := pattern{name: s.Name, window: s.Window, conf: Medium}
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("%s.name: a pattern needs a name", at))
		case Known(s.Name):
			errs = append(errs, fmt.Errorf("%s.name: %q is a built-in classifier", at, s.Name))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("%s.name: duplicate pattern %q", at, s.Name))
		}
		seen[s.Name] = true
		opts := regexp2.RegexOptions(0)
		if s.CaseFold {
			opts |= regexp2.IgnoreCase
		}
		if s.Regex == "" {
			errs = append(errs, fmt.Errorf("%s.regex: empty", at))
		} else if re, err := regexp2.Compile(s.Regex, opts); err != nil {
			errs = append(errs, fmt.Errorf("%s.regex: %v", at, err))
		} else {
			re.MatchTimeout = patternTimeout
			p.re = re
		}
		if s.Confidence != "" {
			c, err := ParseConfidence(s.Confidence)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s.confidence: %v", at, err))
			}
			p.conf = c
		}
		if s.Window < 0 {
			errs = append(errs, fmt.Errorf("%s.window: must not be negative", at))
		}
		if p.window == 0 {
			p.window = 300
		}
		for j, k := range s.Keywords {
			if strings.TrimSpace(k) == "" {
				errs = append(errs, fmt.Errorf("%s.keywords[%d]: empty keyword", at, j))
				continue
			}
			p.keywords = append(p.keywords, strings.ToLower(k))
		}
		ps.patterns = append(ps.patterns, p)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return ps, nil
}

// Classify reports, per pattern, the distinct matches over all segments.
// A search that times out is reported as an uninspectable finding (reason
// "limit"), so that the policy decides rather than the pattern silently
// finding nothing.
func (ps *PatternSet) Classify(ctx context.Context, segs []extract.Segment) []Finding {
	if ps == nil || len(ps.patterns) == 0 {
		return nil
	}
	var out []Finding
	var timeouts []string
	for _, p := range ps.patterns {
		f := Finding{Classifier: p.name, Confidence: p.conf}
		distinct := map[string]bool{}
		for _, s := range segs {
			if ctx.Err() != nil {
				return out
			}
			if err := p.scan(s, distinct, &f); err != nil {
				timeouts = append(timeouts, fmt.Sprintf("limit: %s: pattern %s: match timeout", s.Origin, p.name))
				break
			}
		}
		if f.Count = len(distinct); f.Count > 0 {
			f.Signals = append(f.Signals, "pattern:"+p.name, fmt.Sprintf("distinct:%d", f.Count))
			f.Keys = make(ValueKeys, 0, len(distinct))
			for v := range distinct {
				f.Keys = append(f.Keys, valueKey(v))
			}
			out = append(out, f)
		}
	}
	if len(timeouts) > 0 {
		out = append(out, Finding{Classifier: Uninspectable, Count: len(timeouts), Confidence: High, Signals: timeouts})
	}
	return out
}

// scan adds p's matches in s. With keywords, only windows around keyword
// hits are searched (the keywords prefilter, as in gitleaks): cheap on
// ordinary traffic and bounding what the backtracking engine sees.
func (p *pattern) scan(s extract.Segment, distinct map[string]bool, f *Finding) error {
	if len(p.keywords) == 0 {
		return p.search(s, 0, len(s.Text), distinct, f)
	}
	lower := strings.ToLower(s.Text)
	if len(lower) != len(s.Text) {
		// Case mapping changed byte lengths (rare scripts): search it all.
		return p.search(s, 0, len(s.Text), distinct, f)
	}
	var wins [][2]int
	for _, k := range p.keywords {
		for from := 0; ; {
			i := strings.Index(lower[from:], k)
			if i < 0 {
				break
			}
			i += from
			from = i + len(k)
			lo, hi := runeWindow(s.Text, i, from, p.window)
			wins = append(wins, [2]int{lo, hi})
		}
	}
	// Merge overlapping windows so no text is searched twice and a match
	// straddling two keyword windows is seen whole.
	sort.Slice(wins, func(a, b int) bool { return wins[a][0] < wins[b][0] })
	for i := 0; i < len(wins); {
		lo, hi := wins[i][0], wins[i][1]
		for i++; i < len(wins) && wins[i][0] <= hi; i++ {
			hi = max(hi, wins[i][1])
		}
		if err := p.search(s, lo, hi, distinct, f); err != nil {
			return err
		}
	}
	return nil
}

// runeWindow widens [i, j) by w runes each side, on rune boundaries.
func runeWindow(t string, i, j, w int) (int, int) {
	lo, hi := i, j
	for n := 0; n < w && lo > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(t[:lo])
		lo -= size
	}
	for n := 0; n < w && hi < len(t); n++ {
		_, size := utf8.DecodeRuneInString(t[hi:])
		hi += size
	}
	return lo, hi
}

func (p *pattern) search(s extract.Segment, lo, hi int, distinct map[string]bool, f *Finding) error {
	// regexp2 works on runes and reports rune offsets: convert the window
	// once and map offsets back to bytes for the sample.
	runes := []rune(s.Text[lo:hi])
	m, err := p.re.FindRunesMatch(runes)
	for ; m != nil && err == nil; m, err = p.re.FindNextMatch(m) {
		v := string(runes[m.Index : m.Index+m.Length])
		if v == "" || distinct[v] {
			continue
		}
		distinct[v] = true
		if len(f.Samples) < 5 {
			off := lo + len(string(runes[:m.Index]))
			f.Samples = append(f.Samples, Sample{Masked: maskValue(v), Origin: s.Origin, Offset: off})
		}
	}
	if err != nil {
		// Never return err itself: regexp2's timeout message holds the input.
		return fmt.Errorf("pattern %s: match timeout", p.name)
	}
	return nil
}

// maskValue keeps the first two and the last character of a match.
func maskValue(v string) string {
	r := []rune(v)
	if len(r) <= 3 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:2]) + strings.Repeat("*", len(r)-3) + string(r[len(r)-1:])
}

// valueKey identifies a matched value for window rules (Finding.Keys):
// FNV-1a of its text. The rules' window store keys it again with a secret.
func valueKey(v string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(v); i++ {
		h ^= uint64(v[i])
		h *= 1099511628211
	}
	return h
}
