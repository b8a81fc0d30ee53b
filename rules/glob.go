package rules

import (
	"fmt"
	"strings"
)

// glob is a compiled host or path pattern. Hosts: "*" matches any run of
// characters including dots, so "*.dingtalk.com" covers every subdomain depth
// (but not "dingtalk.com" itself). Paths: "*" stops at "/", "**" crosses it,
// so "/robot/*" is one segment and "/v1.0/robot/**" a whole subtree. "?" is
// one character (never the separator). There are no character classes: a
// policy glob should read the same to every admin.
type glob struct {
	pat string
	sep byte // 0 for hosts: "*" crosses everything
	// literal counts the non-wildcard bytes; the most literal pattern is the
	// most specific one.
	literal int
	// Most host patterns are exact names or "*" + suffix: matched without
	// the general matcher.
	exact, suffix bool
}

func (g glob) withFastPaths() glob {
	switch {
	case !strings.ContainsAny(g.pat, "*?"):
		g.exact = true
	case g.sep == 0 && g.pat[0] == '*' && !strings.ContainsAny(g.pat[1:], "*?"):
		g.suffix = true
	}
	return g
}

func compileHostGlob(p string) (glob, error) {
	p = strings.ToLower(strings.TrimSuffix(p, "."))
	if p == "" {
		return glob{}, fmt.Errorf("empty host pattern")
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '*', c == '?', c == '_':
		default:
			return glob{}, fmt.Errorf("bad host glob %q: character %q not allowed (hosts are names without scheme, port or path; wildcards * and ?)", p, c)
		}
	}
	if strings.Contains(p, "**") {
		return glob{}, fmt.Errorf("bad host glob %q: \"**\" is not needed in hosts (\"*\" already matches dots)", p)
	}
	return glob{pat: p, sep: 0, literal: literalLen(p)}.withFastPaths(), nil
}

func compilePathGlob(p string) (glob, error) {
	if p == "" {
		return glob{}, fmt.Errorf("empty path pattern")
	}
	if p[0] != '/' && p[0] != '*' {
		return glob{}, fmt.Errorf("bad path glob %q: must start with \"/\"", p)
	}
	if strings.Contains(p, "***") {
		return glob{}, fmt.Errorf("bad path glob %q: \"***\" (use \"**\")", p)
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c <= ' ' || c == 0x7f:
			return glob{}, fmt.Errorf("bad path glob %q: control character or space", p)
		case c == '[' || c == ']' || c == '{' || c == '}' || c == '\\':
			return glob{}, fmt.Errorf("bad path glob %q: character %q not supported (wildcards are *, ** and ?)", p, c)
		}
	}
	if strings.IndexByte(p, '#') >= 0 {
		return glob{}, fmt.Errorf("bad path glob %q: fragments never reach the server", p)
	}
	return glob{pat: p, sep: '/', literal: literalLen(p)}.withFastPaths(), nil
}

func literalLen(p string) int {
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] != '*' && p[i] != '?' {
			n++
		}
	}
	return n
}

// match reports whether s matches the pattern. It does not allocate.
func (g glob) match(s string) bool {
	switch {
	case g.exact:
		return s == g.pat
	case g.suffix:
		return strings.HasSuffix(s, g.pat[1:])
	}
	return globMatch(g.pat, s, g.sep)
}

func globMatch(p, s string, sep byte) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			if sep == 0 || (len(p) > 1 && p[1] == '*') {
				for len(p) > 0 && p[0] == '*' {
					p = p[1:]
				}
				if len(p) == 0 {
					return true
				}
				for i := 0; i <= len(s); i++ {
					if globMatch(p, s[i:], sep) {
						return true
					}
				}
				return false
			}
			p = p[1:]
			for i := 0; i <= len(s); i++ {
				if globMatch(p, s[i:], sep) {
					return true
				}
				if i < len(s) && s[i] == sep {
					return false
				}
			}
			return false
		case '?':
			if len(s) == 0 || (sep != 0 && s[0] == sep) {
				return false
			}
		default:
			if len(s) == 0 || p[0] != s[0] {
				return false
			}
		}
		p, s = p[1:], s[1:]
	}
	return len(s) == 0
}
