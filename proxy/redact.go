package proxy

import (
	"net/http"
	"net/url"
	"strings"
)

// redacted replaces secret values in logs and audit events.
const redacted = "REDACTED"

// secretQueryKey reports whether a query parameter carries a credential:
// DingTalk's access_token, sign and timestamp (the signature inputs) and any
// key that names a token, secret or password.
func secretQueryKey(k string) bool {
	k = strings.ToLower(k)
	switch k {
	case "access_token", "sign", "timestamp", "signature", "key", "apikey", "api_key", "appsecret", "code":
		return true
	}
	return strings.Contains(k, "token") || strings.Contains(k, "secret") ||
		strings.Contains(k, "password") || strings.Contains(k, "passwd")
}

// RedactQuery returns rawQuery with the values of secret keys replaced, in
// the original order. Unparseable pieces are dropped rather than leaked.
func RedactQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	var b strings.Builder
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		if !hasValue {
			continue
		}
		b.WriteByte('=')
		if secretQueryKey(key) {
			b.WriteString(redacted)
		} else {
			b.WriteString(v)
		}
	}
	return b.String()
}

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
	case "Authorization", "Proxy-Authorization", "Cookie", "X-Acs-Dingtalk-Access-Token":
		return true
	}
	n := strings.ToLower(name)
	return strings.Contains(n, "token") || strings.Contains(n, "secret")
}
