package proxy

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/rules"
)

// Data leaves in the URL and the headers as well as in the body: a storage
// upload names its file in the path, a GET can carry a customer list in its
// query, a header can carry anything. These places are read as one JSON
// document (so nested JSON and the JSON reader's decoding apply):
//
//	{"path": [segments], "query": [[name, value]...], "header": [[name, value]...]}
//
// Credential parameters (access_token, code, key, ...) are inspected too and
// redacted in logs. A place that produced a finding is masked in every event
// and log line of the request (placeMask).

// wellKnownHeader lists request headers that are protocol, not content; all
// others are inspected.
func wellKnownHeader(name string) bool {
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

type placesDoc struct {
	Path   []string    `json:"path"`
	Query  [][2]string `json:"query,omitempty"`
	Header [][2]string `json:"header,omitempty"`
}

func buildPlaces(req *http.Request) placesDoc {
	d := placesDoc{Path: strings.Split(req.URL.Path, "/")}
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
		if wellKnownHeader(name) {
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

// placeMask says which places of a request held findings; it travels in
// the request's context so that every event and log line shows them masked.
type placeMask struct {
	path      string   // the masked path ("" = path unchanged)
	segs      []string // the path's segments, masked
	hideQuery bool
}

type placeMaskKey struct{}

func maskFrom(ctx context.Context) *placeMask {
	m, _ := ctx.Value(placeMaskKey{}).(*placeMask)
	return m
}

var placeOrigin = regexp.MustCompile(`\$\.(path|query)\[(\d+)\]`)

// maskPlaces works out the masks from the findings of a places inspection.
func maskPlaces(d placesDoc, findings []classifiers.Finding) *placeMask {
	if len(findings) == 0 {
		return nil
	}
	m := &placeMask{}
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
				m.hideQuery = true
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
		m.hideQuery = true
	}
	changed := false
	for i, seg := range segs {
		if marked[i] == 0 || seg == "" {
			continue
		}
		if ms := maskValue(seg, marked[i] == 1); ms != seg {
			segs[i], changed = ms, true
		}
	}
	m.segs = segs
	if changed {
		m.path = strings.Join(segs, "/")
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

// maskValue masks a place (path segment, file name) that held a finding.
// Identifiers: every run of 3 or more digits keeps its first two
// ("A123456(3).txt" -> "A12****(3).txt"). Anything else (a diagnosis next
// to a name): only the extension is kept.
func maskValue(v string, identifier bool) string {
	if identifier {
		out := digitRun.ReplaceAllStringFunc(v, func(d string) string { return d[:2] + strings.Repeat("*", len(d)-2) })
		if out != v {
			return out
		}
	}
	ext := path.Ext(v)
	if len(ext) > 8 || strings.ContainsAny(ext, " ()") {
		ext = ""
	}
	return redacted + ext
}

// eventPath is the path as events and logs show it.
func eventPath(req *http.Request) string {
	if m := maskFrom(req.Context()); m != nil && m.path != "" {
		return m.path
	}
	return req.URL.Path
}

// logPath is the path for operational log lines written before (or
// without) inspection: digit runs are masked as identifiers would be.
func logPath(req *http.Request) string {
	if m := maskFrom(req.Context()); m != nil && m.path != "" {
		return m.path
	}
	return digitRun.ReplaceAllStringFunc(req.URL.Path, func(d string) string { return d[:2] + strings.Repeat("*", len(d)-2) })
}

// inspectPlaces inspects the path, the query and the other headers of an
// in-scope request and answers when the policy blocks them; a log decision
// is recorded and the request goes on to body inspection. The returned
// request carries the masks.
func (s *Server) inspectPlaces(req *http.Request, info *connInfo, eng *inspect.Engine, rq rules.Request, failOpen bool) (*http.Request, *http.Response) {
	ctx := req.Context()
	d := buildPlaces(req)
	doc, _ := json.Marshal(d)
	res, err := eng.Inspect(ctx, rq, extract.Input{
		ContentType: "application/json",
		Body:        strings.NewReader(string(doc)),
		Size:        int64(len(doc)),
		Origin:      "url",
	})
	if err != nil {
		resp := s.errorResponse(req, http.StatusServiceUnavailable, codeInspectFailed, "dlpgate: inspection was interrupted")
		resp.Close = true
		return req, resp
	}
	if m := maskPlaces(d, res.Findings); m != nil {
		req = req.WithContext(context.WithValue(ctx, placeMaskKey{}, m))
	}
	if res.Decision.Action == rules.Allow {
		return req, nil
	}
	ev := s.newEvent(info, req, rq, res.Decision, "http-query")
	ev.RuleDescription = ruleDescription(eng.Policy, res.Decision.Rule)
	ev.Findings = maskOrigins(res.Findings, nil, nil)
	s.logDecision(ev, 0)
	if err := s.record(ctx, ev); err != nil && !failOpen {
		return req, s.errorResponse(req, http.StatusForbidden, codeAuditDown, auditDownMessage(ev.ID))
	}
	if res.Decision.Action == rules.Block {
		return req, s.blockResponse(req, ev, codePolicy)
	}
	return req, nil
}

// maskFileNames masks the multipart file names that hold findings (read
// with the same classifiers as bodies) for an event.
func (s *Server) maskFileNames(ctx context.Context, eng *inspect.Engine, rq rules.Request, names []string) []string {
	if len(names) == 0 {
		return names
	}
	doc, _ := json.Marshal(map[string][]string{"path": names})
	res, err := eng.Inspect(ctx, rq, extract.Input{ContentType: "application/json", Body: strings.NewReader(string(doc)), Size: int64(len(doc)), Origin: "filename"})
	if err != nil {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = maskValue(n, false)
		}
		return out
	}
	if m := maskPlaces(placesDoc{Path: names}, res.Findings); m != nil {
		return m.segs
	}
	return names
}

var digitsInOrigin = regexp.MustCompile(`[0-9]{4,}`)

// maskOrigins masks the data inside finding origins before they are
// logged: an origin names the file or archive member a sample came from
// ("multipart:media/A123456(3).csv"), and such a name is data. Each raw
// file name of the request is replaced by its masked form, and long digit
// runs keep their first two digits.
func maskOrigins(fs []classifiers.Finding, raw, masked []string) []classifiers.Finding {
	var rep []string
	for i := range raw {
		if i < len(masked) && raw[i] != masked[i] && raw[i] != "" {
			rep = append(rep, raw[i], masked[i])
		}
	}
	r := strings.NewReplacer(rep...)
	for i := range fs {
		for j := range fs[i].Samples {
			o := fs[i].Samples[j].Origin
			if len(rep) > 0 {
				o = r.Replace(o)
			}
			fs[i].Samples[j].Origin = digitsInOrigin.ReplaceAllStringFunc(o, func(d string) string { return d[:2] + strings.Repeat("*", len(d)-2) })
		}
	}
	return fs
}
