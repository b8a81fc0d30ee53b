package proxy

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/dlpgate/dlpgate/places"
)

// redacted replaces secret values in logs and audit events.
const redacted = places.Redacted

// secretQueryKey and RedactQuery are the shared query redaction (package
// places), so the proxy and the ICAP server log queries alike.
func secretQueryKey(k string) bool { return places.SecretQueryKey(k) }

// RedactQuery returns rawQuery with the values of secret keys replaced.
func RedactQuery(rawQuery string) string { return places.RedactQuery(rawQuery) }

// RedactURL renders u for logs: scheme, host, path and the redacted query,
// never user info.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	v := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath, RawQuery: RedactQuery(u.RawQuery)}
	return v.String()
}

// secretHeader reports whether a request header must never be logged.
func secretHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization", "Cookie", "X-Acs-Dingtalk-Access-Token", "Session":
		return true
	}
	n := strings.ToLower(name)
	return strings.Contains(n, "token") || strings.Contains(n, "secret") ||
		strings.Contains(n, "signature") || strings.Contains(n, "accesskey") || strings.Contains(n, "session")
}

// eventQuery is the query as audit events and logs show it: credentials
// redacted, and every value hidden once the request's places held findings.
func eventQuery(req *http.Request) string {
	if m := maskFrom(req.Context()); m != nil && m.HideQuery {
		return places.HideQueryValues(req.URL.RawQuery)
	}
	return RedactQuery(req.URL.RawQuery)
}
