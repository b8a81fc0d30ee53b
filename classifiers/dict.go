package classifiers

import (
	"bufio"
	"embed"
	"fmt"
	"strings"
)

// The dictionaries are plain text so reviewers can read and diff them:
// "[section]" lines start a section, other lines are terms, '#' starts a
// comment. dict/README.md names where the terms come from.
//
//go:embed dict/*.txt
var dictFS embed.FS

// vocabEntry is one term a classifier wants reported by the shared pass.
type vocabEntry struct {
	term string // as written in the dictionary; also the signal text
	kind uint8  // classifier-local section number
}

// loadDict reads dict/<name>.txt and maps each section name to a kind with
// kinds; a section the classifier does not know is an error so that a typo
// in a dictionary cannot silently disable a list.
func loadDict(name string, kinds map[string]uint8) ([]vocabEntry, error) {
	return loadDicts(kinds, name)
}

// loadDicts reads several dictionaries into one vocabulary; a term in more
// than one keeps its first place.
func loadDicts(kinds map[string]uint8, names ...string) ([]vocabEntry, error) {
	var out []vocabEntry
	seen := map[string]bool{}
	for _, name := range names {
		var err error
		if out, err = loadOne(name, kinds, out, seen); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func loadOne(name string, kinds map[string]uint8, out []vocabEntry, seen map[string]bool) ([]vocabEntry, error) {
	b, err := dictFS.ReadFile("dict/" + name + ".txt")
	if err != nil {
		return nil, fmt.Errorf("read dictionary %s: %w", name, err)
	}
	kind, haveKind := uint8(0), false
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			k, ok := kinds[t[1:len(t)-1]]
			if !ok {
				return nil, fmt.Errorf("dictionary %s line %d: unknown section %s", name, line, t)
			}
			kind, haveKind = k, true
			continue
		}
		if !haveKind {
			return nil, fmt.Errorf("dictionary %s line %d: term before any section", name, line)
		}
		// A term listed twice keeps its first section: one hit, one signal.
		if k := string(foldString(t)); !seen[k] {
			seen[k] = true
			out = append(out, vocabEntry{term: t, kind: kind})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read dictionary %s: %w", name, err)
	}
	return out, nil
}
