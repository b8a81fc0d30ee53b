package rules

import (
	"container/list"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"sync"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
)

// Windows remembers, per rule, classifier and subject (the user, or the
// client address when the user is unknown), which distinct values were sent
// and when, for rules with a window ("10 distinct HKIDs from one user within
// an hour", a list sent as many small messages).
//
// It belongs to the front end (the proxy's run loop), not to a Policy: a
// reload compiles a new Policy and the counts carry on. Values are kept only
// as keyed hashes (HMAC-SHA256 with a random per-process key, truncated to
// 64 bits) of the classifiers' value keys, with the time last seen.
//
// Memory is bounded: at most MaxKeys values per subject and rule (the
// oldest are forgotten first) and MaxSubjects subjects (the least recently
// active are forgotten first): 16 bytes a value, so the defaults hold at
// most 10,000 x 256 x 16 B = 40 MiB plus map overhead, and far less in
// practice since expired values are dropped as subjects are touched.
type Windows struct {
	mu          sync.Mutex
	key         [32]byte
	maxSubjects int
	maxKeys     int
	subjects    map[string]*list.Element // -> *windowSubject
	lru         *list.List               // front = most recently active
}

// Default bounds of a Windows store.
const (
	DefaultWindowSubjects = 10000
	DefaultWindowKeys     = 256
)

type windowSubject struct {
	id      string
	entries []windowEntry // oldest first
}

type windowEntry struct {
	hash uint64
	at   int64 // unix nanoseconds
}

// NewWindows returns an empty store; zero bounds take the defaults.
func NewWindows(maxSubjects, maxKeys int) *Windows {
	if maxSubjects <= 0 {
		maxSubjects = DefaultWindowSubjects
	}
	if maxKeys <= 0 {
		maxKeys = DefaultWindowKeys
	}
	w := &Windows{maxSubjects: maxSubjects, maxKeys: maxKeys, subjects: map[string]*list.Element{}, lru: list.New()}
	if _, err := rand.Read(w.key[:]); err != nil {
		panic("rules: no randomness for the window key: " + err.Error())
	}
	return w
}

// MaxKeys is how many distinct values one subject's window can hold.
func (w *Windows) MaxKeys() int { return w.maxKeys }

func (w *Windows) hash(k uint64) uint64 {
	m := hmac.New(sha256.New, w.key[:])
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], k)
	m.Write(b[:])
	return binary.LittleEndian.Uint64(m.Sum(nil))
}

func windowID(rule, class, subject string) string {
	return rule + "\x00" + class + "\x00" + subject
}

// count returns the number of distinct values among those seen for id
// within window before now and keys (the values of the request being
// decided). It does not record keys.
func (w *Windows) count(id string, keys []uint64, now time.Time, window time.Duration) int {
	hs := make([]uint64, len(keys))
	for i, k := range keys {
		hs[i] = w.hash(k)
	}
	slices.Sort(hs)
	hs = slices.Compact(hs)
	n := len(hs)
	w.mu.Lock()
	defer w.mu.Unlock()
	e, ok := w.subjects[id]
	if !ok {
		return n
	}
	from := now.Add(-window).UnixNano()
	for _, en := range e.Value.(*windowSubject).entries {
		if en.at > from {
			if _, found := slices.BinarySearch(hs, en.hash); !found {
				n++
			}
		}
	}
	return n
}

// record remembers keys as seen by id at now, dropping values older than
// window and the oldest beyond the bounds.
func (w *Windows) record(id string, keys []uint64, now time.Time, window time.Duration) {
	if len(keys) > w.maxKeys {
		keys = keys[len(keys)-w.maxKeys:]
	}
	hs := make([]uint64, len(keys))
	for i, k := range keys {
		hs[i] = w.hash(k)
	}
	at := now.UnixNano()
	from := now.Add(-window).UnixNano()
	w.mu.Lock()
	defer w.mu.Unlock()
	var s *windowSubject
	if e, ok := w.subjects[id]; ok {
		w.lru.MoveToFront(e)
		s = e.Value.(*windowSubject)
	} else {
		s = &windowSubject{id: id}
		w.subjects[id] = w.lru.PushFront(s)
		for w.lru.Len() > w.maxSubjects {
			old := w.lru.Back()
			w.lru.Remove(old)
			delete(w.subjects, old.Value.(*windowSubject).id)
		}
	}
	// Drop expired values and those seen again (they move to the end).
	kept := s.entries[:0]
	for _, en := range s.entries {
		if en.at > from && !slices.Contains(hs, en.hash) {
			kept = append(kept, en)
		}
	}
	s.entries = kept
	for _, h := range hs {
		if !slices.ContainsFunc(s.entries, func(e windowEntry) bool { return e.hash == h }) {
			s.entries = append(s.entries, windowEntry{hash: h, at: at})
		}
	}
	if over := len(s.entries) - w.maxKeys; over > 0 {
		s.entries = append(s.entries[:0], s.entries[over:]...)
	}
}

// Len reports how many subjects and values the store holds.
func (w *Windows) Len() (subjects, values int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for e := w.lru.Front(); e != nil; e = e.Next() {
		values += len(e.Value.(*windowSubject).entries)
	}
	return w.lru.Len(), values
}

// Bounds of a rule's window.
const (
	minWindow = time.Second
	maxWindow = 7 * 24 * time.Hour
)

// window validates a rule's window.
func (c *compiler) window(at string, s RuleSpec) time.Duration {
	if s.Window == "" {
		return 0
	}
	d, err := time.ParseDuration(s.Window)
	switch {
	case err != nil:
		c.errf(at+".window", "bad duration %q (want e.g. \"1h\" or \"30m\")", s.Window)
		return 0
	case d < minWindow || d > maxWindow:
		c.errf(at+".window", "window %s is outside %s..%s", s.Window, minWindow, maxWindow)
		return 0
	case len(s.Conditions) == 0:
		c.errf(at+".window", "a window needs conditions to count")
	case s.Action == string(Allow):
		c.errf(at+".window", "an allow rule cannot have a window (it would let values through because of earlier requests)")
	}
	return d
}

// windowCondition checks a condition of a rule with a window.
func (c *compiler) windowCondition(at string, s ConditionSpec) {
	if s.Classifier == "uninspectable" {
		c.errf(at+".classifier", "a window counts distinct values; %q has none", s.Classifier)
	}
	if s.MinCount > DefaultWindowKeys {
		c.errf(at+".min_count", "a window remembers at most %d values per user: min_count %d can never match", DefaultWindowKeys, s.MinCount)
	}
}

// subject is whom a window counts for: the user, else the client address.
func (in *Input) subject() string {
	if in.Request.User != "" {
		return "user:" + in.Request.User
	}
	if in.Request.ClientIP.IsValid() {
		return "client:" + in.Request.ClientIP.Unmap().String()
	}
	return ""
}

func (in *Input) subjectKind() string {
	if in.Request.User != "" {
		return "user"
	}
	return "client"
}

func (in *Input) now() time.Time {
	if in.Request.Time.IsZero() {
		return time.Now()
	}
	return in.Request.Time
}

// windowCount is the distinct values of f's classifier the subject sent
// within the window, f's included. Findings without value keys count as
// their Count (nothing to remember them by).
func (c *cond) windowCount(in *Input, f *classifiers.Finding) int {
	if len(f.Keys) == 0 {
		return f.Count
	}
	sub := in.subject()
	if in.Windows == nil || sub == "" {
		return len(f.Keys)
	}
	return in.Windows.count(windowID(c.windowRule, c.classifier, sub), f.Keys, in.now(), c.window)
}

// Remember records the values of this request in the windows of the rules
// that count them, unless the request is blocked (blocked values did not
// leave). Callers call it once per inspected body, after Evaluate.
func (p *Policy) Remember(in *Input, d Decision) {
	if in.Windows == nil || d.Action == Block || !p.hasWindows {
		return
	}
	sub := in.subject()
	if sub == "" {
		return
	}
	for ri := range p.rules {
		for ci := range p.rules[ri].conds {
			c := &p.rules[ri].conds[ci]
			if c.window == 0 {
				continue
			}
			for fi := range in.Findings {
				if f := &in.Findings[fi]; f.Classifier == c.classifier && len(f.Keys) > 0 {
					in.Windows.record(windowID(c.windowRule, c.classifier, sub), f.Keys, in.now(), c.window)
				}
			}
		}
	}
}
