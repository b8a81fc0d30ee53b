// Package answer shapes the HTTP answers dlpgate gives instead of the
// destination's: DingTalk-shaped JSON errors for API clients (each API in its
// own shape, so that the SDK's error carries dlpgate's reason) and a short
// HTML page for browsers. The front ends (proxy, icap) both build their
// block and error answers here; it knows nothing about connections.
package answer

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// DefaultContact is who a block answer tells the user to ask when the
// configuration names nobody.
const DefaultContact = "your IT security team"

// Codes name the reason of an answer. Legacy oapi clients read them as
// errcode; api.dingtalk.com clients read the matching APICode string.
const (
	CodePolicy        = 403001 // a rule blocked the content
	CodeOversize      = 403002 // body larger than max_inspect_bytes
	CodeAuditDown     = 403003 // audit log unavailable, fail_mode closed
	CodeHostBlocked   = 403004 // host blocked by its endpoint's action
	CodeMisdirected   = 421001 // request host differs from the CONNECT host
	CodeInspectFailed = 503001 // inspection interrupted
	CodeBadRequest    = 400001 // body could not be read
	CodeUpstream      = 502001 // upstream unreachable or not trusted
)

// apiCodes are the string codes of api.dingtalk.com's error shape
// ("Forbidden.AccessDenied" style: HTTP class, then the reason).
var apiCodes = map[int]string{
	CodePolicy:        "Forbidden.Dlpgate.PolicyBlocked",
	CodeOversize:      "Forbidden.Dlpgate.Oversize",
	CodeAuditDown:     "Forbidden.Dlpgate.AuditUnavailable",
	CodeHostBlocked:   "Forbidden.Dlpgate.HostBlocked",
	CodeMisdirected:   "MisdirectedRequest.Dlpgate",
	CodeInspectFailed: "ServiceUnavailable.Dlpgate.InspectFailed",
	CodeBadRequest:    "BadRequest.Dlpgate.BodyUnreadable",
	CodeUpstream:      "BadGateway.Dlpgate.Upstream",
}

// APICode is the api.dingtalk.com "code" string for a numeric code.
func APICode(code int) string {
	if s, ok := apiCodes[code]; ok {
		return s
	}
	return "Dlpgate." + strconv.Itoa(code)
}

// NumericCode maps an APICode string back to its number (0 if unknown).
func NumericCode(s string) int {
	for n, c := range apiCodes {
		if c == s {
			return n
		}
	}
	return 0
}

// Shape is the JSON error shape an API expects.
type Shape int

const (
	// ShapeOAPI is the legacy oapi.dingtalk.com shape {"errcode": N, "errmsg": "..."}.
	ShapeOAPI Shape = iota
	// ShapeAPI is the api.dingtalk.com (new API, official SDK) shape
	// {"code": "...", "message": "...", "requestid": "..."}.
	ShapeAPI
)

// ShapeFor picks the error shape for a destination host: api.dingtalk.*
// speaks the new API's shape; every other DingTalk host (oapi, robots, web)
// the legacy one.
func ShapeFor(host string) Shape {
	h := strings.ToLower(host)
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(h, ".")
	if h == "api.dingtalk.com" || h == "api.dingtalk.io" {
		return ShapeAPI
	}
	return ShapeOAPI
}

// WantsHTML reports whether the client is a browser: browsers ask for
// text/html; API clients (SDKs, curl, bots) get DingTalk-shaped JSON.
func WantsHTML(req *http.Request) bool {
	if strings.Contains(req.Header.Get("Content-Type"), "json") {
		return false
	}
	return strings.Contains(req.Header.Get("Accept"), "text/html")
}

func reqHost(req *http.Request) string {
	if req.URL != nil && req.URL.Host != "" {
		return req.URL.Host
	}
	return req.Host
}

// Error answers req with status in the destination's JSON error shape, or
// as a short HTML page for browsers. requestID is the event id when there
// is one ("" makes one up for the API shape's requestid).
func Error(req *http.Request, status, code int, msg, requestID, contact string) *http.Response {
	if WantsHTML(req) {
		return HTML(req, status, Page{Title: http.StatusText(status), What: msg, Contact: contact})
	}
	return NewResponse(req, status, "application/json; charset=utf-8", JSON(ShapeFor(reqHost(req)), code, msg, requestID))
}

// JSON encodes one error in shape. Not json.Marshal: it would escape ">"
// and "&" for HTML, which API clients would then show as \u003e.
func JSON(shape Shape, code int, msg, requestID string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if shape == ShapeAPI {
		if requestID == "" {
			var r [8]byte
			rand.Read(r[:])
			requestID = hex.EncodeToString(r[:])
		}
		_ = enc.Encode(struct {
			Code      string `json:"code"`
			Message   string `json:"message"`
			RequestID string `json:"requestid"`
		}{APICode(code), msg, requestID})
	} else {
		_ = enc.Encode(struct {
			Errcode int    `json:"errcode"`
			Errmsg  string `json:"errmsg"`
		}{code, msg})
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// Block describes a blocked upload for its answer. Reason and the rule's
// description are masked by contract; the sensitive values never get here.
type Block struct {
	Rule, RuleDescription, RuleReason string
	EventID                           string
	Host, Path                        string
	Contact                           string
}

// Blocked answers a blocked upload: which rule, why, the event id and whom
// to contact, with status 403 and code (CodePolicy, CodeOversize, ...).
func Blocked(req *http.Request, b Block, code int) *http.Response {
	rule := b.Rule
	if rule == "" {
		rule = "policy"
	}
	msg := fmt.Sprintf("blocked by dlpgate: rule %s", rule)
	if b.RuleReason != "" {
		msg += " (" + b.RuleReason + ")"
	}
	msg += "; event " + b.EventID
	var resp *http.Response
	if WantsHTML(req) {
		resp = HTML(req, http.StatusForbidden, Page{
			Title:   "Upload blocked by dlpgate",
			What:    fmt.Sprintf("Your %s to %s%s was blocked by the acceptable-use policy.", strings.ToUpper(req.Method), b.Host, b.Path),
			Rule:    rule,
			Why:     b.RuleDescription,
			Reason:  b.RuleReason,
			EventID: b.EventID,
			Contact: b.Contact,
		})
	} else {
		resp = Error(req, http.StatusForbidden, code, msg, b.EventID, b.Contact)
	}
	resp.Header.Set("X-Dlpgate-Event", b.EventID)
	return resp
}

// AuditDownMessage explains a block because the audit log is down.
func AuditDownMessage(id string) string {
	return "blocked by dlpgate: the audit log is unavailable, so this upload cannot be recorded and was not sent; event " + id
}

// Page is the HTML block page's content.
type Page struct {
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

// HTML answers with the block page.
func HTML(req *http.Request, status int, page Page) *http.Response {
	var b bytes.Buffer
	if err := blockTemplate.Execute(&b, page); err != nil {
		b.Reset()
		b.WriteString(template.HTMLEscapeString(page.What))
	}
	return NewResponse(req, status, "text/html; charset=utf-8", b.Bytes())
}

// NewResponse builds a complete response with a length. goproxy.NewResponse
// would copy the request's Transfer-Encoding into it.
func NewResponse(req *http.Request, status int, contentType string, body []byte) *http.Response {
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
