package config

import (
	"strconv"
	"strings"
)

// pos is a 1-based line and column in a source file.
type pos struct{ Line, Col int }

// positions maps every key and array element of a TOML document to where
// it is written, by its path with array indices: "rules[2].conditions[0].min_count",
// "endpoints[1].hosts[0]", "rules[2]" (the [[rules]] header or inline table).
// BurntSushi/toml reports positions only for syntax errors and keeps one
// position per key name (not per array element), so validation messages
// need this index. It runs only on documents that already parsed.
type positions map[string]pos

type posScanner struct {
	src  string
	i    int
	line int
	col0 int // offset of the current line's start
	out  positions
	// aot counts the elements of each array of tables, by resolved path.
	aot map[string]int
}

func indexPositions(src string) positions {
	s := &posScanner{src: src, line: 1, out: positions{}, aot: map[string]int{}}
	s.document()
	return s.out
}

func (s *posScanner) here() pos { return pos{Line: s.line, Col: s.i - s.col0 + 1} }

func (s *posScanner) eof() bool { return s.i >= len(s.src) }

func (s *posScanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

func (s *posScanner) advance() {
	if s.src[s.i] == '\n' {
		s.line++
		s.col0 = s.i + 1
	}
	s.i++
}

// skipSpace skips blanks and comments; with newlines also line ends.
func (s *posScanner) skipSpace(newlines bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.advance()
		case c == '\n' && newlines:
			s.advance()
		case c == '#':
			for !s.eof() && s.peek() != '\n' {
				s.advance()
			}
		default:
			return
		}
	}
}

func (s *posScanner) document() {
	table := ""
	for {
		s.skipSpace(true)
		if s.eof() {
			return
		}
		if s.peek() == '[' {
			at := s.here()
			s.advance()
			array := s.peek() == '['
			if array {
				s.advance()
			}
			s.skipSpace(false)
			keys, _ := s.key()
			table = s.resolve(keys, array)
			s.out[table] = at
			for !s.eof() && s.peek() != '\n' && s.peek() != '#' {
				s.advance()
			}
			continue
		}
		s.keyValue(table)
		// Anything left on the line (comment) is skipped by skipSpace.
		for !s.eof() && s.peek() != '\n' && s.peek() != '#' {
			s.advance()
		}
	}
}

// resolve turns header keys into a path with the current index of every
// array of tables on the way; for [[x]] it starts a new element.
func (s *posScanner) resolve(keys []string, array bool) string {
	path := ""
	for i, k := range keys {
		path = join(path, k)
		if i == len(keys)-1 && array {
			if _, ok := s.out[path]; !ok {
				s.out[path] = s.here()
			}
			n := s.aot[path]
			s.aot[path] = n + 1
			path += "[" + strconv.Itoa(n) + "]"
		} else if n, ok := s.aot[path]; ok {
			path += "[" + strconv.Itoa(n-1) + "]"
		}
	}
	return path
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// keyValue reads `a.b = value` under table and records a, a.b and the value's parts.
func (s *posScanner) keyValue(table string) {
	at := s.here()
	keys, starts := s.key()
	if len(keys) == 0 {
		// Not a key: skip the character so a surprise cannot loop forever.
		if !s.eof() {
			s.advance()
		}
		return
	}
	path := table
	for i, k := range keys {
		path = join(path, k)
		if _, ok := s.out[path]; !ok || i == len(keys)-1 {
			p := starts[i]
			if i == 0 {
				p = at
			}
			s.out[path] = p
		}
	}
	s.skipSpace(false)
	if s.peek() != '=' {
		return
	}
	s.advance()
	s.skipSpace(false)
	s.out[path+"="] = s.here()
	s.value(path)
}

// key reads a (dotted, possibly quoted) key and the position of each part.
func (s *posScanner) key() ([]string, []pos) {
	var keys []string
	var starts []pos
	for {
		s.skipSpace(false)
		p := s.here()
		var k string
		switch c := s.peek(); {
		case c == '"' || c == '\'':
			k = s.quoted()
		case isBare(c):
			start := s.i
			for !s.eof() && isBare(s.peek()) {
				s.advance()
			}
			k = s.src[start:s.i]
		default:
			return keys, starts
		}
		keys = append(keys, k)
		starts = append(starts, p)
		s.skipSpace(false)
		if s.peek() != '.' {
			return keys, starts
		}
		s.advance()
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// quoted reads a basic or literal string (single-line or multi-line) and
// returns its raw contents (escapes kept; keys in this schema have none).
func (s *posScanner) quoted() string {
	q := s.peek()
	triple := strings.HasPrefix(s.src[s.i:], strings.Repeat(string(q), 3))
	if triple {
		s.advance()
		s.advance()
		s.advance()
		start := s.i
		end := strings.Index(s.src[s.i:], strings.Repeat(string(q), 3))
		if end < 0 {
			end = len(s.src) - s.i
		}
		for s.i < start+end {
			s.advance()
		}
		v := s.src[start:s.i]
		// A closing run may hold up to two extra quotes that belong to the value.
		for !s.eof() && s.peek() == q {
			s.advance()
		}
		return v
	}
	s.advance()
	start := s.i
	for !s.eof() && s.peek() != q && s.peek() != '\n' {
		if q == '"' && s.peek() == '\\' && s.i+1 < len(s.src) {
			s.advance()
		}
		s.advance()
	}
	v := s.src[start:s.i]
	if s.peek() == q {
		s.advance()
	}
	return v
}

func (s *posScanner) value(path string) {
	switch c := s.peek(); c {
	case '"', '\'':
		s.quoted()
	case '[':
		s.advance()
		for n := 0; ; n++ {
			s.skipSpace(true)
			if s.eof() || s.peek() == ']' {
				break
			}
			el := path + "[" + strconv.Itoa(n) + "]"
			s.out[el] = s.here()
			s.value(el)
			s.skipSpace(true)
			if s.peek() == ',' {
				s.advance()
				continue
			}
			break
		}
		if s.peek() == ']' {
			s.advance()
		}
	case '{':
		s.advance()
		for {
			s.skipSpace(true)
			if s.eof() || s.peek() == '}' {
				break
			}
			s.keyValue(path)
			s.skipSpace(true)
			if s.peek() == ',' {
				s.advance()
				continue
			}
			break
		}
		if s.peek() == '}' {
			s.advance()
		}
	default:
		for !s.eof() {
			c := s.peek()
			if c == ',' || c == ']' || c == '}' || c == '\n' || c == '#' {
				break
			}
			// Dates with a space before the time ("1979-05-27 07:32:00") are
			// one value; a space otherwise ends it.
			s.advance()
		}
	}
}

// find returns the position of path or of its nearest written ancestor
// ("rules[2].action" missing -> the [[rules]] header), and whether path
// itself was written.
//
// A key's own entry is where its value starts ("path="), so that messages
// about a value point at the value.
func (ps positions) find(path string) (pos, bool) {
	if p, ok := ps[path+"="]; ok {
		return p, true
	}
	if p, ok := ps[path]; ok {
		return p, true
	}
	for path != "" {
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
		if p, ok := ps[path]; ok {
			return p, false
		}
	}
	return pos{}, false
}
