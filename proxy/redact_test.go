package proxy

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzRedactQuery: whatever the query, no secret key keeps its value.
func FuzzRedactQuery(f *testing.F) {
	for _, s := range []string{
		"access_token=abc&timestamp=1&sign=xyz",
		"a=1&access%5Ftoken=zz&b",
		"refresh_token=a;b&x=%ZZ&sign=",
		"&&=&access_token==x=y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := RedactQuery(q)
		for part := range strings.SplitSeq(out, "&") {
			k, v, ok := strings.Cut(part, "=")
			if !ok {
				continue
			}
			key, err := url.QueryUnescape(k)
			if err != nil {
				t.Fatalf("output has an unparseable key %q (input %q)", k, q)
			}
			if secretQueryKey(key) && v != redacted {
				t.Fatalf("secret %q kept value %q (input %q)", key, v, q)
			}
		}
	})
}
