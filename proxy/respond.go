package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/dlpgate/dlpgate/audit"
)

// errcodes in DingTalk's error shape, one per reason, so that bots and
// scripts can tell a dlpgate block from a DingTalk error.
const (
	codePolicy        = 403001 // a rule blocked the content
	codeOversize      = 403002 // body larger than max_inspect_bytes
	codeAuditDown     = 403003 // audit log unavailable, fail_mode closed
	codeHostBlocked   = 403004 // host blocked by its endpoint's action
	codeMisdirected   = 421001 // request host differs from the CONNECT host
	codeInspectFailed = 503001 // inspection interrupted
	codeBadRequest    = 400001 // body could not be read
	codeUpstream      = 502001 // upstream unreachable or not trusted
)

// wantsHTML reports whether the client is a browser: browsers ask for
// text/html; API clients (SDKs, curl, bots) get DingTalk-shaped JSON.
func wantsHTML(req *http.Request) bool {
	if strings.Contains(req.Header.Get("Content-Type"), "json") {
		return false
	}
	return strings.Contains(req.Header.Get("Accept"), "text/html")
}

// errorResponse answers in DingTalk's JSON error shape, or as a short HTML
// page for browsers.
func (s *Server) errorResponse(req *http.Request, status, code int, msg string) *http.Response {
	if wantsHTML(req) {
		return s.htmlResponse(req, status, blockPage{Title: http.StatusText(status), What: msg, Contact: s.opts.Contact})
	}
	// Not json.Marshal: it would escape ">" and "&" in errmsg for HTML,
	// which API clients would then show as \u003e.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		Errcode int    `json:"errcode"`
		Errmsg  string `json:"errmsg"`
	}{code, msg})
	return newResponse(req, status, "application/json; charset=utf-8", bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// blockResponse answers a blocked upload: which rule, why, the event id and
// whom to contact; never the sensitive value (reasons and findings are
// masked by contract, and only the rule's reason is shown).
func (s *Server) blockResponse(req *http.Request, ev *audit.Event, code int) *http.Response {
	rule := ev.Rule
	if rule == "" {
		rule = "policy"
	}
	msg := fmt.Sprintf("blocked by dlpgate: rule %s", rule)
	if ev.RuleReason != "" {
		msg += " (" + ev.RuleReason + ")"
	}
	msg += "; event " + ev.ID
	var resp *http.Response
	if wantsHTML(req) {
		resp = s.htmlResponse(req, http.StatusForbidden, blockPage{
			Title:   "Upload blocked by dlpgate",
			What:    fmt.Sprintf("Your %s to %s%s was blocked by the acceptable-use policy.", strings.ToUpper(req.Method), ev.Host, ev.Path),
			Rule:    rule,
			Why:     ev.RuleDescription,
			Reason:  ev.RuleReason,
			EventID: ev.ID,
			Contact: s.opts.Contact,
		})
	} else {
		resp = s.errorResponse(req, http.StatusForbidden, code, msg)
	}
	resp.Header.Set("X-Dlpgate-Event", ev.ID)
	return resp
}

func auditDownMessage(id string) string {
	return "blocked by dlpgate: the audit log is unavailable, so this upload cannot be recorded and was not sent; event " + id
}

type blockPage struct {
	Title, What, Rule, Why, Reason, EventID, Contact string
}

var blockTemplate = template.Must(template.New("block").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;color:#222}
h1{color:#a00}dt{font-weight:bold}code{background:#eee;padding:0 .2em}</style></head>
<body><h1>{{.Title}}</h1>
<p>{{.What}}</p>
<dl>
{{if .Rule}}<dt>Rule</dt><dd>{{if .Why}}{{.Why}}<br>{{end}}<code>{{.Rule}}</code>{{if .Reason}}: {{.Reason}}{{end}}</dd>{{end}}
{{if .EventID}}<dt>Event ID</dt><dd><code>{{.EventID}}</code> (quote it when you ask for help)</dd>{{end}}
<dt>Contact</dt><dd>{{.Contact}}</dd>
</dl>
<p>Nothing was sent to the destination. If this upload is part of your work, contact the person above with the event ID.</p>
</body></html>
`))

func (s *Server) htmlResponse(req *http.Request, status int, page blockPage) *http.Response {
	var b bytes.Buffer
	if err := blockTemplate.Execute(&b, page); err != nil {
		b.Reset()
		b.WriteString(template.HTMLEscapeString(page.What))
	}
	return newResponse(req, status, "text/html; charset=utf-8", b.Bytes())
}

// newResponse builds a complete response with a length. goproxy.NewResponse
// would copy the request's Transfer-Encoding into it.
func newResponse(req *http.Request, status int, contentType string, body []byte) *http.Response {
	h := make(http.Header)
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}
