package classifiers

import (
	"hash/fnv"
	"strings"
)

// email: e-mail addresses (local@domain.tld, RFC 5321 sizes). Like phone,
// not a finding the default policy acts on alone; customer_database reads
// these matches.

// Email is the e-mail address classifier.
const Email = "email"

func isLocalChar(c byte) bool {
	return isASCIIAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainChar(c byte) bool { return isASCIIAlnum(c) || c == '.' || c == '-' }

// scanEmails appends every address of s, found from its '@'.
func scanEmails(s string, dst []idMatch) []idMatch {
	from := 0
	for {
		k := strings.IndexByte(s[from:], '@')
		if k < 0 {
			return dst
		}
		at := from + k
		from = at + 1
		// Local part: back from the '@', at most 64 characters.
		i := at
		for i > 0 && at-i < 64 && isLocalChar(s[i-1]) {
			i--
		}
		for i < at && (s[i] == '.' || s[i] == '-' || s[i] == '+') {
			i++
		}
		if i == at || (i > 0 && isLocalChar(s[i-1])) || s[at-1] == '.' {
			continue
		}
		// Domain: labels of letters, digits and hyphens, a dot between,
		// the last one (TLD) two or more letters.
		j := at + 1
		for j < len(s) && j-at <= 253 && isDomainChar(s[j]) {
			j++
		}
		for j > at+1 && (s[j-1] == '.' || s[j-1] == '-') {
			j--
		}
		dom := s[at+1 : j]
		dot := strings.LastIndexByte(dom, '.')
		if dot <= 0 || len(dom)-dot-1 < 2 || strings.Contains(dom, "..") {
			continue
		}
		tld := dom[dot+1:]
		okTLD := true
		for t := 0; t < len(tld); t++ {
			if !isLetter(tld[t]) {
				okTLD = false
				break
			}
		}
		if !okTLD {
			continue
		}
		h := fnv.New64a()
		for p := i; p < j; p++ {
			h.Write([]byte{fold(s[p])})
		}
		dst = append(dst, idMatch{start: int32(i), end: int32(j), kind: idEmail, key: h.Sum64()})
		from = j
	}
}

// maskEmail keeps the first character and the domain: c***@example.com.
func maskEmail(raw string, _ idMatch) string {
	at := strings.IndexByte(raw, '@')
	if at <= 0 {
		return "***"
	}
	return raw[:1] + "***" + raw[at:]
}

// emailDomain returns the lower-cased domain of an address.
func emailDomain(raw string) string {
	return strings.ToLower(raw[strings.IndexByte(raw, '@')+1:])
}

func newEmailClassifier(o options) (*idClassifier, error) {
	return newIDClassifier(o, "email", clsEmail, idSpec{
		name: Email,
		accept: func(m idMatch) (bool, Confidence, bool) {
			return m.kind == idEmail, Medium, false
		},
		mask: maskEmail,
	})
}
