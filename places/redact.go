package places

import (
	"net/url"
	"strings"
)

// Query parameters as every front end logs them: credentials are inspected
// but never logged, and a query that held findings is logged all masked.

// SecretQueryKey reports whether a query parameter carries a credential:
// DingTalk's access_token, sign and timestamp (the signature inputs) and
// session (robot sendBySession), Alibaba Cloud OSS pre-signed URLs'
// Signature, OSSAccessKeyId, security-token and x-oss-signature, and any key
// that names a token, secret, password, signature or access key.
func SecretQueryKey(k string) bool {
	k = strings.ToLower(k)
	switch k {
	case "access_token", "sign", "timestamp", "signature", "key", "apikey", "api_key", "appsecret", "code",
		"session", "sessionwebhook", "ossaccesskeyid", "accesskeyid", "x-oss-credential":
		return true
	}
	return strings.Contains(k, "token") || strings.Contains(k, "secret") ||
		strings.Contains(k, "password") || strings.Contains(k, "passwd") ||
		strings.Contains(k, "signature") || strings.Contains(k, "accesskey")
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
		if SecretQueryKey(key) {
			b.WriteString(Redacted)
		} else {
			b.WriteString(v)
		}
	}
	return b.String()
}

// HideQueryValues replaces every value of rawQuery, and every key that is
// not a plain parameter name (data can ride in keys too).
func HideQueryValues(rawQuery string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, _, hasValue := strings.Cut(part, "=")
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		if plainParamName(k) {
			b.WriteString(k)
		} else {
			b.WriteString(Redacted)
		}
		if hasValue {
			b.WriteString("=" + Redacted)
		}
	}
	return b.String()
}

// plainParamName reports whether k looks like a parameter name rather than
// data: at most 32 letters, digits, '_', '-' or '.', with fewer than 4 digits.
func plainParamName(k string) bool {
	if k == "" || len(k) > 32 {
		return false
	}
	digits := 0
	for _, c := range k {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return digits < 4
}
