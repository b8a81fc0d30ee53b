package config

import (
	"bytes"
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/rules"
)

//go:embed default.toml
var defaultTOML string

// DefaultName is how messages name the embedded default file.
const DefaultName = "(embedded default.toml)"

// DefaultTOML returns the embedded default configuration text.
func DefaultTOML() string { return defaultTOML }

// Error is one problem in a configuration file, located where it is
// written: "dlpgate.toml:12:3: unknown key \"rulez\"". Load returns all of
// them joined with errors.Join; unwrap with errors.As or Unwrap() []error.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// document is the whole file as written. Policy fields sit at the top level
// beside [proxy], [extract] and [audit]; [global] is read with sizes.
type document struct {
	Proxy      Proxy                     `toml:"proxy"`
	Extract    Extract                   `toml:"extract"`
	OCR        OCR                       `toml:"ocr"`
	Audit      Audit                     `toml:"audit"`
	ICAP       ICAP                      `toml:"icap"`
	Admin      Admin                     `toml:"admin"`
	Global     globalDoc                 `toml:"global"`
	Endpoints  []rules.EndpointSpec      `toml:"endpoints"`
	Rules      []rules.RuleSpec          `toml:"rules"`
	Exceptions []rules.ExceptionSpec     `toml:"exceptions"`
	Patterns   []classifiers.PatternSpec `toml:"patterns"`
	EDM        []rules.EDMSpec           `toml:"edm"`
}

// globalDoc is rules.Global with max_inspect_bytes read as a size; rules
// keeps an int64 so callers need no conversion.
type globalDoc struct {
	Mode                string   `toml:"mode"`
	FailMode            string   `toml:"fail_mode"`
	MaxInspectBytes     ByteSize `toml:"max_inspect_bytes"`
	OversizeAction      string   `toml:"oversize_action"`
	UninspectableAction string   `toml:"uninspectable_action"`
}

// source is one parsed file.
type source struct {
	name string
	text string
	raw  map[string]any
	pos  positions
}

// Default returns the embedded default configuration.
func Default() (*Config, error) { return loadSources() }

// Load reads path merged over the embedded default and validates the result.
// Scalars in the file override the default's; a list the file writes
// ([[endpoints]], [[rules]], [[exceptions]], hosts = [...], ...) replaces the
// default's list as a whole, and lists it does not write are inherited.
// Every problem is reported (errors.Join of *Error, each file:line:col).
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return LoadText(path, string(b))
}

// LoadText is Load for text already read; name is used in messages.
func LoadText(name, text string) (*Config, error) {
	return loadSources(&source{name: name, text: text})
}

func loadSources(files ...*source) (*Config, error) {
	srcs := append([]*source{{name: DefaultName, text: defaultTOML}}, files...)
	var errs []*Error
	fatal := false
	for _, s := range srcs {
		e, f := s.parse()
		errs = append(errs, e...)
		fatal = fatal || f
	}
	if fatal {
		// Wrong types would stop decoding half-way: report what we have.
		// Unknown keys alone are not fatal, so they are reported together
		// with every validation error below.
		return nil, joinErrors(errs)
	}
	var doc document
	for _, s := range srcs {
		clearLists(s.raw, reflect.ValueOf(&doc).Elem())
		if _, err := toml.Decode(s.text, &doc); err != nil {
			// The type check should have caught it; report it where toml says.
			return nil, joinErrors([]*Error{decodeError(s, err)})
		}
	}
	cfg := &Config{
		Proxy: doc.Proxy, Extract: doc.Extract, OCR: doc.OCR, Audit: doc.Audit, ICAP: doc.ICAP, Admin: doc.Admin,
		Policy: rules.Spec{
			Global: rules.Global{
				Mode: doc.Global.Mode, FailMode: doc.Global.FailMode,
				MaxInspectBytes: int64(doc.Global.MaxInspectBytes),
				OversizeAction:  doc.Global.OversizeAction, UninspectableAction: doc.Global.UninspectableAction,
			},
			Endpoints: doc.Endpoints, Rules: doc.Rules, Exceptions: doc.Exceptions,
			Patterns: doc.Patterns,
			EDM:      resolveEDM(doc.EDM, srcs),
		},
	}
	for _, s := range srcs {
		cfg.Source = append(cfg.Source, displayName(s.name))
	}
	cfg.ListSource, cfg.Warnings = listReplacements(srcs)
	var fieldErrs []*rules.FieldError
	fieldErrs = append(fieldErrs, cfg.validate()...)
	fieldErrs = append(fieldErrs, checkEDMFiles(cfg.Policy.EDM)...)
	if _, err := rules.Compile(cfg.Policy); err != nil {
		for _, e := range unjoin(err) {
			var fe *rules.FieldError
			if errors.As(e, &fe) {
				fieldErrs = append(fieldErrs, fe)
			} else {
				fieldErrs = append(fieldErrs, &rules.FieldError{Msg: e.Error()})
			}
		}
	}
	for _, fe := range fieldErrs {
		errs = append(errs, locate(srcs, fe.Path, fe.Msg))
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return cfg, nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// joinErrors sorts by file order then position, so the output reads like
// a compiler's.
func joinErrors(errs []*Error) error {
	slices.SortStableFunc(errs, func(a, b *Error) int {
		if a.File != b.File {
			// The embedded default first: it is read first.
			if a.File == DefaultName {
				return -1
			}
			if b.File == DefaultName {
				return 1
			}
			return 0
		}
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// parse reads the TOML syntax and checks every key and type against the
// schema. fatal means the file cannot be decoded (syntax or type errors).
func (s *source) parse() (errs []*Error, fatal bool) {
	if _, err := toml.Decode(s.text, &s.raw); err != nil {
		return []*Error{decodeError(s, err)}, true
	}
	s.pos = indexPositions(s.text)
	var unknown int
	checkValue(s, "", s.raw, reflect.TypeOf(document{}), &errs, &unknown)
	return errs, len(errs) > unknown
}

func decodeError(s *source, err error) *Error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		// Position.Col is computed off by a line at line starts in
		// toml v1.6; the byte offset is exact.
		line, col := pe.Position.Line, 1
		if st := pe.Position.Start; st > 0 && st <= len(s.text) {
			line = 1 + strings.Count(s.text[:st], "\n")
			col = st - (strings.LastIndexByte(s.text[:st], '\n') + 1) + 1
		}
		return &Error{File: s.name, Line: max(line, 1), Col: max(col, 1), Msg: pe.Message}
	}
	return &Error{File: s.name, Line: 1, Col: 1, Msg: err.Error()}
}

// locate turns a schema path into the file and position that wrote it.
// Elements of a list belong to the last file that wrote the list (lists are
// replaced, not merged); other keys to the file whose nearest written
// ancestor is the most specific, later files winning ties.
func locate(srcs []*source, path, msg string) *Error {
	if i := strings.IndexByte(path, '['); i > 0 {
		root := path[:i]
		for k := len(srcs) - 1; k >= 0; k-- {
			if _, ok := srcs[k].pos[root]; ok {
				p, _ := srcs[k].pos.find(path)
				return &Error{File: srcs[k].name, Line: max(p.Line, 1), Col: max(p.Col, 1), Msg: msg}
			}
		}
	}
	best, bestLen := -1, -1
	var bestPos pos
	for k := len(srcs) - 1; k >= 0; k-- {
		p, exact := srcs[k].pos.find(path)
		n := matchedLen(srcs[k].pos, path)
		if exact {
			n = len(path) + 1
		}
		if p.Line > 0 && n > bestLen {
			best, bestLen, bestPos = k, n, p
		}
	}
	if best < 0 {
		best, bestPos = len(srcs)-1, pos{1, 1}
	}
	return &Error{File: srcs[best].name, Line: bestPos.Line, Col: bestPos.Col, Msg: msg}
}

func matchedLen(ps positions, path string) int {
	for path != "" {
		if _, ok := ps[path]; ok {
			return len(path)
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
	return 0
}

var (
	byteSizeType = reflect.TypeOf(ByteSize(0))
	durationType = reflect.TypeOf(Duration(0))
)

func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// checkValue compares v (as BurntSushi/toml decodes into any) with the Go
// type it will be decoded into, reporting unknown keys and wrong types
// with their positions.
func checkValue(s *source, path string, v any, t reflect.Type, errs *[]*Error, unknown *int) {
	bad := func(format string, args ...any) {
		p, _ := s.pos.find(path)
		*errs = append(*errs, &Error{File: s.name, Line: max(p.Line, 1), Col: max(p.Col, 1), Msg: fmt.Sprintf(format, args...)})
	}
	name := strconv.Quote(lastKey(path))
	switch {
	case t == byteSizeType:
		var b ByteSize
		if err := b.UnmarshalTOML(v); err != nil {
			bad("%s: %v", name, err)
		}
		return
	case t == durationType:
		str, ok := v.(string)
		if !ok {
			bad("%s must be a duration string like \"30s\", not %s", name, tomlType(v))
			return
		}
		var d Duration
		if err := d.UnmarshalText([]byte(str)); err != nil {
			bad("%s: %v", name, err)
		}
		return
	}
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			bad("%s must be a string, not %s", name, tomlType(v))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		if _, ok := v.(int64); !ok {
			bad("%s must be an integer, not %s", name, tomlType(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			bad("%s must be true or false, not %s", name, tomlType(v))
		}
	case reflect.Slice:
		rv := reflect.ValueOf(v)
		if v == nil || rv.Kind() != reflect.Slice {
			bad("%s must be an array, not %s", name, tomlType(v))
			return
		}
		for i := 0; i < rv.Len(); i++ {
			checkValue(s, path+"["+strconv.Itoa(i)+"]", rv.Index(i).Interface(), t.Elem(), errs, unknown)
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			bad("%s must be a table, not %s", name, tomlType(v))
			return
		}
		fields := tomlFields(t)
		for k, fv := range m {
			kp := k
			if path != "" {
				kp = path + "." + k
			}
			f, ok := fields[k]
			if !ok {
				p, ok := s.pos[kp] // the key itself, not its value
				if !ok {
					p, _ = s.pos.find(kp)
				}
				msg := fmt.Sprintf("unknown key %q", k)
				if sug := suggest(k, fields); sug != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", sug)
				}
				*errs = append(*errs, &Error{File: s.name, Line: max(p.Line, 1), Col: max(p.Col, 1), Msg: msg})
				*unknown++
				continue
			}
			checkValue(s, kp, fv, f.Type, errs, unknown)
		}
	}
}

func tomlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		out[tag] = f
	}
	return out
}

// suggest returns the known key closest to k when it is a likely typo.
func suggest(k string, fields map[string]reflect.StructField) string {
	best, bestD := "", 3
	for name := range fields {
		if d := editDistance(k, name); d < bestD || (d == bestD && name < best) {
			best, bestD = name, d
		}
	}
	if bestD > len(k)/3+1 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date/time"
	case map[string]any:
		return "a table"
	case []map[string]any, []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

func displayName(name string) string {
	if name == DefaultName {
		return "embedded default"
	}
	return name
}

// listReplacements finds the lists of the embedded default (srcs[0]) that a
// later file writes: such a list replaces the default's whole, which drops
// every default entry the file does not repeat. It returns which source's
// list is in force for each of the default's lists, and one warning per
// replacement naming the file and line that wrote it.
func listReplacements(srcs []*source) (map[string]string, []string) {
	owner := map[string]string{}
	var warnings []string
	var walk func(path string, def map[string]any)
	walk = func(path string, def map[string]any) {
		for k, dv := range def {
			p := k
			if path != "" {
				p = path + "." + k
			}
			n := listLen(dv)
			if n < 0 {
				if m, ok := dv.(map[string]any); ok {
					walk(p, m)
				}
				continue
			}
			if n == 0 {
				continue
			}
			owner[p] = displayName(srcs[0].name)
			for _, s := range srcs[1:] {
				v, ok := lookupRaw(s.raw, p)
				if !ok {
					continue
				}
				owner[p] = displayName(s.name)
				at, _ := s.pos.find(p + "[0]")
				if at.Line == 0 {
					at, _ = s.pos.find(p)
				}
				warnings = append(warnings, fmt.Sprintf("%s:%d:%d: warning: %s replaces the embedded default's list of %d (%s) with this file's %d: entries not repeated here no longer apply (`dlpgate policy show` prints the defaults to copy)",
					s.name, max(at.Line, 1), max(at.Col, 1), listTitle(p, dv), n, entryNames(dv), max(listLen(v), 0)))
			}
		}
	}
	walk("", srcs[0].raw)
	slices.Sort(warnings)
	return owner, warnings
}

func lookupRaw(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// listLen is the length of a TOML array (of tables or values), -1 for
// anything else.
func listLen(v any) int {
	switch l := v.(type) {
	case []map[string]any:
		return len(l)
	case []any:
		return len(l)
	}
	return -1
}

func listTitle(path string, v any) string {
	if _, ok := v.([]map[string]any); ok {
		return "[[" + path + "]]"
	}
	return path
}

// entryNames lists the names of a default list's entries (their "name"
// keys, or the values themselves), shortened.
func entryNames(v any) string {
	var names []string
	switch l := v.(type) {
	case []map[string]any:
		for _, e := range l {
			if n, ok := e["name"].(string); ok {
				names = append(names, n)
			}
		}
	case []any:
		for _, e := range l {
			names = append(names, fmt.Sprint(e))
		}
	}
	if len(names) > 6 {
		names = append(names[:6], "...")
	}
	return strings.Join(names, ", ")
}

// clearLists empties every list in dst that raw writes, so decoding raw
// over the previous files replaces lists instead of overlaying elements.
func clearLists(raw map[string]any, dst reflect.Value) {
	fields := tomlFields(dst.Type())
	for k, v := range raw {
		f, ok := fields[k]
		if !ok {
			continue
		}
		fv := dst.FieldByIndex(f.Index)
		switch fv.Kind() {
		case reflect.Slice:
			fv.Set(reflect.Zero(fv.Type()))
		case reflect.Struct:
			if m, ok := v.(map[string]any); ok {
				clearLists(m, fv)
			}
		}
	}
}

// validate checks the non-policy sections.
func (c *Config) validate() []*rules.FieldError {
	var errs []*rules.FieldError
	bad := func(path, format string, args ...any) {
		errs = append(errs, &rules.FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	loopback := false
	if host, port, err := net.SplitHostPort(c.Proxy.Listen); err != nil {
		bad("proxy.listen", "bad listen address %q (want host:port, e.g. 127.0.0.1:8080)", c.Proxy.Listen)
	} else {
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad("proxy.listen", "bad port in %q", c.Proxy.Listen)
		}
		if host == "localhost" {
			loopback = true
		} else if a, err := netip.ParseAddr(host); err == nil {
			loopback = a.IsLoopback()
		}
	}
	for i, cl := range c.Proxy.AllowClients {
		if _, err := parseCIDR(cl); err != nil {
			bad(fmt.Sprintf("proxy.allow_clients[%d]", i), "%v", err)
		}
	}
	for i, cl := range c.Proxy.AllowPrivate {
		if _, err := parseCIDR(cl); err != nil {
			bad(fmt.Sprintf("proxy.allow_private[%d]", i), "%v", err)
		}
	}
	for i, cl := range c.Proxy.NoSNIAllow {
		if _, err := parseCIDR(cl); err != nil {
			bad(fmt.Sprintf("proxy.no_sni_allow[%d]", i), "%v", err)
		}
	}
	switch c.Proxy.NoSNIAction {
	case "", "refuse", "intercept", "tunnel":
	default:
		bad("proxy.no_sni_action", "bad no_sni_action %q (want refuse, intercept or tunnel)", c.Proxy.NoSNIAction)
	}
	if !loopback && len(c.Proxy.AllowClients) == 0 && c.Proxy.Listen != "" {
		bad("proxy.listen", "listening on %q (not loopback) needs proxy.allow_clients: an open proxy would let anyone in", c.Proxy.Listen)
	}
	if c.Proxy.UpstreamProxy != "" {
		u, err := url.Parse(c.Proxy.UpstreamProxy)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
			bad("proxy.upstream_proxy", "bad upstream proxy URL (want http://host:port)")
		}
	}
	for i, u := range c.Proxy.Auth.Users {
		at := fmt.Sprintf("proxy.auth.users[%d]", i)
		if _, err := parseCIDR(u.CIDR); err != nil {
			bad(at+".cidr", "%v", err)
		}
		if u.User == "" {
			bad(at, "user mapping needs a user")
		}
	}
	errs = append(errs, c.validateFrontEnds()...)
	if c.Proxy.Auth.Required && c.Proxy.Auth.HtpasswdFile == "" {
		bad("proxy.auth.required", "required = true needs htpasswd_file")
	}
	for path, n := range map[string]int{
		"extract.max_depth": c.Extract.MaxDepth, "extract.max_entries": c.Extract.MaxEntries,
		"extract.max_ratio": c.Extract.MaxRatio, "audit.retain_files": c.Audit.RetainFiles,
		"audit.queue_size": c.Audit.QueueSize, "ocr.workers": c.OCR.Workers,
		"ocr.max_pixels": int(min(c.OCR.MaxPixels, 1<<40)),
	} {
		if n < 0 {
			bad(path, "must not be negative")
		}
	}
	for path, d := range map[string]Duration{"ocr.image_timeout": c.OCR.ImageTimeout, "ocr.request_timeout": c.OCR.RequestTimeout} {
		if d < 0 {
			bad(path, "must not be negative")
		}
	}
	if c.OCR.ImageTimeout > 0 && c.OCR.RequestTimeout > 0 && c.OCR.ImageTimeout > c.OCR.RequestTimeout {
		bad("ocr.image_timeout", "is longer than ocr.request_timeout")
	}
	for i, l := range c.OCR.Languages {
		if !validLanguage(l) {
			bad(fmt.Sprintf("ocr.languages[%d]", i), "%q is not a Tesseract language code (e.g. \"eng\", \"chi_tra\")", l)
		}
	}
	if c.OCR.Enabled && len(c.OCR.Languages) == 0 {
		bad("ocr.languages", "OCR is enabled but no language is given")
	}
	for i, s := range c.Audit.Syslog {
		at := fmt.Sprintf("audit.syslog[%d]", i)
		if s.Address == "" {
			bad(at, "sink needs an address")
		}
		if s.Format != "" && s.Format != "rfc5424" && s.Format != "cef" {
			bad(at+".format", "%q is not \"rfc5424\" or \"cef\"", s.Format)
		}
	}
	return errs
}

func parseCIDR(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("bad CIDR or address %q", s)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad CIDR %q", s)
	}
	return p, nil
}

// WriteTOML writes the effective configuration as one TOML file; Load (or
// LoadText) reads it back to the same Config.
func (c *Config) WriteTOML(w io.Writer) error {
	g := c.Policy.Global
	doc := document{
		Proxy: c.Proxy, Extract: c.Extract, OCR: c.OCR, Audit: c.Audit, ICAP: c.ICAP, Admin: c.Admin,
		Global: globalDoc{
			Mode: g.Mode, FailMode: g.FailMode, MaxInspectBytes: ByteSize(g.MaxInspectBytes),
			OversizeAction: g.OversizeAction, UninspectableAction: g.UninspectableAction,
		},
		Endpoints: c.Policy.Endpoints, Rules: c.Policy.Rules, Exceptions: c.Policy.Exceptions,
		Patterns: c.Policy.Patterns, EDM: c.Policy.EDM,
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(doc); err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	// Mark where each array-of-tables entry comes from: lists are replaced
	// whole, so every entry of one list has the same source.
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[[") && strings.HasSuffix(t, "]]") {
			if src, ok := c.ListSource[strings.Trim(t, "[]")]; ok {
				indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
				fmt.Fprintf(w, "%s# from: %s\n", indent, src)
			}
		}
		if _, err := io.WriteString(w, line); err != nil {
			return fmt.Errorf("write config: %w", err)
		}
	}
	return nil
}

// validLanguage accepts Tesseract model names: letters, digits and "_"
// (e.g. "eng", "chi_tra", "script/Latin" is not accepted).
func validLanguage(l string) bool {
	if l == "" || len(l) > 32 {
		return false
	}
	for _, c := range l {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
