// Package places reads the parts of a request other than its body — the
// URL path, every query value and the non-standard headers — as one JSON
// document for the inspect pipeline, and masks the places that held
// findings for events and logs. Both front ends (proxy, icap) use it:
//
//	{"path": [segments], "query": [[name, value]...], "header": [[name, value]...]}

package places

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/dlpgate/dlpgate/classifiers"
)

// Redacted replaces values that must not be shown.
const Redacted = "REDACTED"

// WellKnownHeader lists request headers that are protocol, not content; all
// others are inspected.
func WellKnownHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset",
		"Content-Type", "Content-Length", "Content-Encoding", "Transfer-Encoding", "Connection",
		"Keep-Alive", "Proxy-Connection", "Upgrade", "Te", "Trailer", "Expect", "Cache-Control",
		"Pragma", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range",
		"Range", "Origin", "Date", "Dnt", "Upgrade-Insecure-Requests", "Priority",
		"Authorization", "Proxy-Authorization", "Sec-Websocket-Key", "Sec-Websocket-Version",
		"Sec-Websocket-Extensions", "Sec-Websocket-Protocol":
		return true
	}
	n := strings.ToLower(name)
	return strings.HasPrefix(n, "sec-fetch-") || strings.HasPrefix(n, "sec-ch-")
}

// Doc is a request's places as the pipeline reads them.
type Doc struct {
	Path   []string    `json:"path"`
	Query  [][2]string `json:"query,omitempty"`
	Header [][2]string `json:"header,omitempty"`
}

// Build reads the places of req: path segments, every query parameter
// (credentials too: they are inspected, then redacted in logs) and every
// header that is not protocol.
func Build(req *http.Request) Doc {
	d := Doc{Path: strings.Split(req.URL.Path, "/")}
	for part := range strings.SplitSeq(req.URL.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		d.Query = append(d.Query, [2]string{k, v})
	}
	for name, vs := range req.Header {
		if WellKnownHeader(name) {
			continue
		}
		for _, v := range vs {
			d.Header = append(d.Header, [2]string{name, v})
			if uv, err := url.QueryUnescape(v); err == nil && uv != v {
				// Cookies and custom headers often carry URL-encoded values.
				d.Header = append(d.Header, [2]string{name, uv})
			}
		}
	}
	return d
}

// Mask says which places of a request held findings, so that every event
// and log line of the request shows them masked.
type Mask struct {
	Path      string   // the masked path ("" = path unchanged)
	Segs      []string // the path's segments, masked
	HideQuery bool
}

var placeOrigin = regexp.MustCompile(`\$\.(path|query)\[(\d+)\]`)

// MaskFor works out the masks from the findings of a places inspection.
func MaskFor(d Doc, findings []classifiers.Finding) *Mask {
	if len(findings) == 0 {
		return nil
	}
	m := &Mask{}
	segs := append([]string(nil), d.Path...)
	marked := make([]int, len(segs)) // 0 none, 1 identifier, 2 other
	unattributed := false
	for _, f := range findings {
		ident := identifierFinding(f)
		mark := 2
		if ident {
			mark = 1
		}
		attributed := false
		for _, s := range f.Samples {
			sm := placeOrigin.FindStringSubmatch(s.Origin)
			if sm == nil {
				continue
			}
			attributed = true
			i, _ := strconv.Atoi(sm[2])
			switch sm[1] {
			case "path":
				if i < len(marked) && marked[i] < mark {
					marked[i] = mark
				}
			case "query":
				m.HideQuery = true
			}
		}
		if !attributed && !strings.Contains(strings.Join(sampleOrigins(f), " "), "$.header") {
			// A document-level verdict (medical, financial): any place may
			// hold it; mask them all.
			unattributed = true
			if mark > 1 {
				for i := range marked {
					marked[i] = max(marked[i], 2)
				}
			}
		}
	}
	if unattributed {
		m.HideQuery = true
	}
	changed := false
	for i, seg := range segs {
		if marked[i] == 0 || seg == "" {
			continue
		}
		if ms := MaskValue(seg, marked[i] == 1); ms != seg {
			segs[i], changed = ms, true
		}
	}
	m.Segs = segs
	if changed {
		m.Path = strings.Join(segs, "/")
	}
	return m
}

func sampleOrigins(f classifiers.Finding) []string {
	var o []string
	for _, s := range f.Samples {
		o = append(o, s.Origin)
	}
	return o
}

// identifierFinding: the finding's samples are masked identifiers
// (A12****(3)), so masking the digits of the place hides the value.
func identifierFinding(f classifiers.Finding) bool {
	if len(f.Samples) == 0 {
		return false
	}
	for _, s := range f.Samples {
		if !strings.Contains(s.Masked, "*") {
			return false
		}
	}
	return true
}

var digitRun = regexp.MustCompile(`[0-9]{3,}`)

// keepFirstTwo masks a digit run but for its first two digits.
func keepFirstTwo(d string) string { return d[:2] + strings.Repeat("*", len(d)-2) }

// MaskValue masks a place (path segment, file name) that held a finding.
// Identifiers: every run of 3 or more digits keeps its first two
// ("A123456(3).txt" -> "A12****(3).txt"). Anything else (a diagnosis next
// to a name): only the extension is kept, when it is one (a dot and up to
// 7 ASCII letters and digits: anything else after the last dot is part of
// the name, and in an origin a ':' or '>' there would read as a reader's
// prefix when the origin is masked again).
func MaskValue(v string, identifier bool) string {
	if identifier {
		out := digitRun.ReplaceAllStringFunc(v, keepFirstTwo)
		if out != v {
			return out
		}
	}
	ext := path.Ext(v)
	if len(ext) > 8 || len(ext) < 2 || strings.IndexFunc(ext[1:], func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
	}) >= 0 {
		ext = ""
	}
	return Redacted + ext
}

var digitsInOrigin = regexp.MustCompile(`[0-9]{4,}`)

// jsonKeyStep is a bracketed step of a JSON path in an origin
// ($["陳大文 糖尿病"]): extract writes a member name so when it is not a
// plain identifier, and such a name is often data ({"A123456(3)": ...},
// {"陳大文": "diabetes"}).
var jsonKeyStep = regexp.MustCompile(`\["(?:[^"\\]|\\.)*"\]`)

// maskJSONKeys replaces the bracketed JSON member names of an origin that
// hold more than schema characters (ASCII letters, digits and _ - . $ @,
// as in "Content-Type" or "@type") with Redacted: a name next to a
// diagnosis is as sensitive in a member name as in a value.
func maskJSONKeys(o string) string {
	if !strings.Contains(o, `["`) {
		return o
	}
	return jsonKeyStep.ReplaceAllStringFunc(o, func(step string) string {
		k, err := strconv.Unquote(step[1 : len(step)-1])
		if err == nil && schemaName(k) {
			return step
		}
		return `["` + Redacted + `"]`
	})
}

// schemaName reports whether a JSON member name holds only the characters
// of field names (digit runs are masked afterwards, as everywhere), or the
// '*' that masking writes: a name masked once ("ref91******") is kept when
// masked again.
func schemaName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_', c == '-', c == '.', c == '$', c == '@', c == '*':
		default:
			return false
		}
	}
	return true
}

// MaskOrigins masks the data inside finding origins before they are
// logged: an origin names the file or archive member a sample came from
// ("multipart:media/A123456(3).csv"), and such a name is data. Each raw
// file name of the request is replaced by its masked form, JSON member
// names that are not field names are redacted (maskJSONKeys), so are
// archive and attachment member names that are not plain (originMasker),
// and long digit runs keep their first two digits.
//
// The uninspectable finding's signals name origins too ("malformed:
// upload.zip/A123456(3).pdf: truncated"): the origin in each is masked the
// same way, and raw file names anywhere in it are replaced.
func MaskOrigins(fs []classifiers.Finding, raw, masked []string) []classifiers.Finding {
	m := newOriginMasker(raw, masked)
	for i := range fs {
		for j := range fs[i].Samples {
			fs[i].Samples[j].Origin = m.origin(fs[i].Samples[j].Origin)
		}
		if fs[i].Classifier != classifiers.Uninspectable {
			continue
		}
		for j, sg := range fs[i].Signals {
			fs[i].Signals[j] = m.problem(sg)
		}
	}
	return fs
}

// MaskReason masks the origins a decision's reason or explanation names:
// a failed inspection is explained by its first problem ("fail-closed:
// inspection failed: malformed: upload.zip/陳大文 抑鬱症.pdf: truncated").
func MaskReason(s string, raw, masked []string) string {
	const failed = "inspection failed: "
	i := strings.Index(s, failed)
	if i < 0 {
		return s
	}
	i += len(failed)
	return s[:i] + newOriginMasker(raw, masked).problem(s[i:])
}

// MaskProblem masks one extraction problem's origin, and a name that may
// run into its reason, as the uninspectable signals are (MaskOrigins):
// for reports other than the audit log (the scan command's).
func MaskProblem(kind, origin, reason string, raw, masked []string) (string, string) {
	line := newOriginMasker(raw, masked).problem(kind + ": " + origin + ": " + reason)
	_, rest, _ := strings.Cut(line, ": ")
	o, r, _ := strings.Cut(rest, ": ")
	return o, r
}

// MaskReasons is MaskReason for each line of a decision's explanation,
// in a new slice.
func MaskReasons(lines []string, raw, masked []string) []string {
	if lines == nil {
		return nil
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = MaskReason(l, raw, masked)
	}
	return out
}

// originMasker masks origins for logs (MaskOrigins).
type originMasker struct {
	names  *strings.Replacer // raw request file names -> masked
	masked map[string]bool   // the masked names: judged already, kept
}

func newOriginMasker(raw, masked []string) originMasker {
	var rep []string
	m := originMasker{masked: map[string]bool{}}
	for i := range raw {
		if i < len(masked) && raw[i] != "" {
			m.masked[masked[i]] = true
			if raw[i] != masked[i] {
				rep = append(rep, raw[i], masked[i])
			}
		}
	}
	if len(rep) > 0 {
		m.names = strings.NewReplacer(rep...)
	}
	return m
}

// text replaces raw file names and redacts data-bearing JSON member names.
// A name may overlap itself ("0A0" in "0A0A0"): the replacement takes
// occurrences that do not overlap, so it is repeated (bounded) until no
// raw name is left.
func (m originMasker) text(s string) string {
	for i := 0; m.names != nil && i < 8; i++ {
		r := m.names.Replace(s)
		if r == s {
			break
		}
		s = r
	}
	return maskJSONKeys(s)
}

// origin masks one origin: text, then each '/'-separated step that is not
// a request file name already masked and not plain (plainStep: a name
// such as "sheet1.xml" or "report_2026.pdf") becomes Redacted with its
// extension, then digit runs are masked. Member names of archives and
// attachments are written by the sender ("陳大文 抑鬱症.pdf"), and which of
// them hold data only classifying them would tell; the plain names Office
// and PDF use for their parts are kept.
func (m originMasker) origin(o string) string {
	steps := strings.Split(m.text(o), "/")
	for i, st := range steps {
		// A step may open with the reader's plain prefix:
		// "multipart:media", "body>zip:客戶.zip".
		prefix := ""
		if k := strings.LastIndexAny(st, ":>"); k >= 0 && plainStep(st[:k+1]) {
			prefix, st = st[:k+1], st[k+1:]
		}
		if !m.masked[st] && !plainStep(st) {
			st = MaskValue(st, false)
		}
		steps[i] = prefix + st
	}
	return digitsInOrigin.ReplaceAllStringFunc(strings.Join(steps, "/"), keepFirstTwo)
}

// problem masks the origin of one "kind: origin: reason" line (inspect's
// problems); the reason is dlpgate's own text, but a name may run into it.
// An origin may itself hold ": " (a member named "a: 陳大文.pdf"), and so
// may a reason ("unknown content-encoding: x"): when the reason holds one,
// its front (up to its last ": ") may be the tail of such a name, and is
// masked as a name is: redacted when it holds anything but ASCII text,
// its long digit runs masked otherwise.
func (m originMasker) problem(s string) string {
	kind, rest, ok := strings.Cut(s, ": ")
	if !ok {
		return m.origin(s)
	}
	o, reason, ok := strings.Cut(rest, ": ")
	if !ok {
		return kind + ": " + m.origin(rest)
	}
	reason = m.text(reason)
	if k := strings.LastIndex(reason, ": "); k >= 0 {
		reason = nameTail(reason[:k]) + reason[k:]
	}
	return kind + ": " + m.origin(o) + ": " + reason
}

// nameTail masks text that may be the end of a name (problem): Redacted
// with its extension when it holds a byte that is not printable ASCII;
// then its digit runs (the extension's too) are masked as in origins.
func nameTail(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			s = MaskValue(s, false)
			break
		}
	}
	return digitsInOrigin.ReplaceAllStringFunc(s, keepFirstTwo)
}

// plainStep reports whether one step of an origin holds only ASCII
// letters, digits and the punctuation of part names and JSON paths (no
// spaces, nothing else): "sheet1.xml", "embedded1", "$.text.content".
func plainStep(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_-.$@:>()[]#*,+=~'\"", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// JSON is the document the pipeline reads (Origin "url").
func (d Doc) JSON() []byte {
	b, _ := json.Marshal(d)
	return b
}

// LogPath masks digit runs in a path that was not (or not yet) inspected,
// as identifiers would be masked.
func LogPath(p string) string {
	return digitRun.ReplaceAllStringFunc(p, keepFirstTwo)
}
