package audit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// ReportOptions selects the events a report covers.
type ReportOptions struct {
	Since time.Time // inclusive; zero: from the first event
	Until time.Time // exclusive; zero: to the last event
	// Location is the time zone days are counted in (default UTC).
	Location *time.Location
	// MaxRecent bounds the list of recent block events (default 100).
	MaxRecent int
}

// Count is one row of a breakdown.
type Count struct {
	Name    string
	Events  int
	Blocks  int // block events
	Matches int // classifier breakdown: matches summed over findings
}

// DayCount is one day of events by action.
type DayCount struct {
	Day      string // YYYY-MM-DD in the report's location
	Total    int
	ByAction map[string]int
}

// Summary is what a report shows. Build it with Summarize.
type Summary struct {
	Files    []string
	Since    time.Time // of the first event counted
	Until    time.Time // of the last event counted
	Total    int
	ByAction map[string]int
	Days     []DayCount
	Rules    []Count
	Users    []Count
	Hosts    []Count
	// Instances breaks events down by the dlpgate instance that wrote them
	// (observer.name): a log set gathered from several egress boxes.
	Instances   []Count
	Classifiers []Count
	// Recent holds the newest block and would-block events, newest first.
	Recent []Event
	// Skipped counts lines that could not be read (run verify on them).
	Skipped int
	// Generated is when the summary was made.
	Generated time.Time
	loc       *time.Location
}

// reportActions is the column order of actions in tables and charts.
var reportActions = []string{ActionBlock, ActionWouldBlock, ActionLog, ActionAllow}

// Summarize reads the event files and totals them. Rotation trailers are
// not events and are left out; unreadable lines are counted as Skipped.
func Summarize(ctx context.Context, files []string, opts ReportOptions) (*Summary, error) {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.MaxRecent <= 0 {
		opts.MaxRecent = 100
	}
	s := &Summary{Files: files, ByAction: map[string]int{}, Generated: time.Now(), loc: opts.Location}
	days := map[string]*DayCount{}
	rules, users, hosts, insts, cls := map[string]*Count{}, map[string]*Count{}, map[string]*Count{}, map[string]*Count{}, map[string]*Count{}
	bump := func(m map[string]*Count, name string, block bool) *Count {
		c := m[name]
		if c == nil {
			c = &Count{Name: name}
			m[name] = c
		}
		c.Events++
		if block {
			c.Blocks++
		}
		return c
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		br := bufio.NewReaderSize(f, 256<<10)
		for {
			if err := ctx.Err(); err != nil {
				f.Close()
				return nil, err
			}
			line, err := br.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				var e Event
				if uerr := e.UnmarshalJSON(line); uerr != nil {
					s.Skipped++
				} else if e.Action != ActionRotate && inRange(e.Time, opts) {
					s.add(&e, days, rules, users, hosts, insts, cls, bump, opts.MaxRecent)
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("report: read %s: %w", name, err)
			}
		}
		f.Close()
	}
	for _, d := range days {
		s.Days = append(s.Days, *d)
	}
	sort.Slice(s.Days, func(i, j int) bool { return s.Days[i].Day < s.Days[j].Day })
	s.Rules, s.Users, s.Hosts, s.Instances, s.Classifiers = sorted(rules), sorted(users), sorted(hosts), sorted(insts), sorted(cls)
	sort.SliceStable(s.Recent, func(i, j int) bool { return s.Recent[i].Time.After(s.Recent[j].Time) })
	if len(s.Recent) > opts.MaxRecent {
		s.Recent = s.Recent[:opts.MaxRecent]
	}
	return s, nil
}

func inRange(t time.Time, o ReportOptions) bool {
	return (o.Since.IsZero() || !t.Before(o.Since)) && (o.Until.IsZero() || t.Before(o.Until))
}

func (s *Summary) add(e *Event, days map[string]*DayCount, rules, users, hosts, insts, cls map[string]*Count,
	bump func(map[string]*Count, string, bool) *Count, maxRecent int) {
	s.Total++
	s.ByAction[e.Action]++
	if s.Since.IsZero() || e.Time.Before(s.Since) {
		s.Since = e.Time
	}
	if e.Time.After(s.Until) {
		s.Until = e.Time
	}
	day := e.Time.In(s.loc).Format("2006-01-02")
	d := days[day]
	if d == nil {
		d = &DayCount{Day: day, ByAction: map[string]int{}}
		days[day] = d
	}
	d.Total++
	d.ByAction[e.Action]++
	block := e.Action == ActionBlock
	bump(rules, orDefault(e.Rule, "(no rule)"), block)
	bump(users, orDefault(e.User, "(unknown user)"), block)
	bump(hosts, orDefault(e.Host, "(no host)"), block)
	bump(insts, orDefault(e.Instance, "(unnamed instance)"), block)
	seen := map[string]bool{}
	for _, f := range e.Findings {
		if seen[f.Classifier] {
			cls[f.Classifier].Matches += f.Count
			continue
		}
		seen[f.Classifier] = true
		bump(cls, f.Classifier, block).Matches += f.Count
	}
	if block || e.Action == ActionWouldBlock {
		s.Recent = append(s.Recent, *e)
		if len(s.Recent) > 2*maxRecent {
			// Keep memory bounded on big logs: trim to the newest.
			sort.SliceStable(s.Recent, func(i, j int) bool { return s.Recent[i].Time.After(s.Recent[j].Time) })
			s.Recent = s.Recent[:maxRecent]
		}
	}
}

func sorted(m map[string]*Count) []Count {
	out := make([]Count, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Events != out[j].Events {
			return out[i].Events > out[j].Events
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// actionsIn lists the report's action columns: the known ones, then any other seen.
func (s *Summary) actionsIn() []string {
	out := append([]string(nil), reportActions...)
	var extra []string
	for a := range s.ByAction {
		known := false
		for _, k := range reportActions {
			known = known || a == k
		}
		if !known {
			extra = append(extra, a)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// WriteText writes the terminal report: totals by day, rule, user, host,
// instance (when the files come from more than one) and classifier as aligned tables (first column left, counts right).
func (s *Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	acts := s.actionsIn()
	if s.Total == 0 {
		fmt.Fprintf(&b, "no events in %d file(s)\n", len(s.Files))
	} else {
		fmt.Fprintf(&b, "dlpgate audit report: %s to %s, %d events", s.Since.In(s.loc).Format("2006-01-02 15:04"),
			s.Until.In(s.loc).Format("2006-01-02 15:04 MST"), s.Total)
		var parts []string
		for _, a := range acts {
			if n := s.ByAction[a]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, a))
			}
		}
		fmt.Fprintf(&b, " (%s)\n", strings.Join(parts, ", "))
	}
	if s.Skipped > 0 {
		fmt.Fprintf(&b, "warning: %d unreadable line(s) skipped; run 'dlpgate log verify'\n", s.Skipped)
	}

	days := &textTable{}
	hdr := []string{"DAY", "TOTAL"}
	for _, a := range acts {
		hdr = append(hdr, strings.ToUpper(a))
	}
	days.add(hdr...)
	for _, d := range s.Days {
		row := []string{d.Day, strconv.Itoa(d.Total)}
		for _, a := range acts {
			row = append(row, strconv.Itoa(d.ByAction[a]))
		}
		days.add(row...)
	}
	b.WriteString("\nBY DAY\n")
	days.write(&b)
	for _, sec := range []struct {
		title, col string
		rows       []Count
	}{{"BY RULE", "RULE", s.Rules}, {"BY USER", "USER", s.Users}, {"BY HOST", "HOST", s.Hosts}, {"BY INSTANCE", "INSTANCE", s.Instances}} {
		if sec.col == "INSTANCE" && len(sec.rows) < 2 {
			continue // one box: the breakdown would repeat the totals
		}
		t := &textTable{}
		t.add(sec.col, "EVENTS", "BLOCKED")
		for _, c := range sec.rows {
			t.add(c.Name, strconv.Itoa(c.Events), strconv.Itoa(c.Blocks))
		}
		fmt.Fprintf(&b, "\n%s\n", sec.title)
		t.write(&b)
	}
	cls := &textTable{}
	cls.add("CLASSIFIER", "EVENTS", "BLOCKED", "MATCHES")
	for _, c := range s.Classifiers {
		cls.add(c.Name, strconv.Itoa(c.Events), strconv.Itoa(c.Blocks), strconv.Itoa(c.Matches))
	}
	b.WriteString("\nBY CLASSIFIER\n")
	cls.write(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// textTable aligns columns by display width, so that Chinese user names
// (two terminal cells per character) line up; text/tabwriter counts runes.
type textTable struct{ rows [][]string }

func (t *textTable) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *textTable) write(b *strings.Builder) {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, r := range t.rows {
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-displayWidth(c))
			switch {
			case i == 0 && i == len(r)-1:
				b.WriteString(c)
			case i == 0:
				b.WriteString(c + pad)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteByte('\n')
	}
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// MaskSample makes sure a sample shown in a report is masked even if an
// upstream bug let a clear value through: a sample without '*' keeps only
// its first and last characters.
func MaskSample(s string) string {
	if strings.Contains(s, "*") {
		return s
	}
	n := utf8.RuneCountInString(s)
	if n <= 4 {
		return strings.Repeat("*", n)
	}
	r := []rune(s)
	keep := 2
	if n >= 9 {
		keep = 3
	}
	return string(r[:keep]) + strings.Repeat("*", n-2*keep) + string(r[n-keep:])
}
