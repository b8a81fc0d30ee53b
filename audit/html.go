package audit

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"path/filepath"
	"strings"
)

// Colours per action, shared by the charts and the legend.
var actionColour = map[string]string{
	ActionBlock:      "#c0392b",
	ActionWouldBlock: "#e67e22",
	ActionLog:        "#2e86c1",
	ActionAllow:      "#95a5a6",
}

const otherColour = "#8e44ad"

func colourOf(action string) string {
	if c, ok := actionColour[action]; ok {
		return c
	}
	return otherColour
}

// WriteHTML writes a single self-contained HTML page: inline CSS, inline
// SVG charts, no scripts and no external assets, so it can be mailed,
// archived and printed as is. Samples are masked (again) on the way out.
func (s *Summary) WriteHTML(w io.Writer) error {
	acts := s.actionsIn()
	type legendItem struct{ Name, Colour string }
	var legend []legendItem
	for _, a := range acts {
		if s.ByAction[a] > 0 {
			legend = append(legend, legendItem{a, colourOf(a)})
		}
	}
	type recentRow struct {
		Time, User, Source, Host, Rule, Action, Findings, Reason, ID string
	}
	var recent []recentRow
	for _, e := range s.Recent {
		recent = append(recent, recentRow{
			Time: e.Time.In(s.loc).Format("2006-01-02 15:04:05"), User: e.User, Source: e.ClientIP,
			Host: e.Host + e.Path, Rule: e.Rule, Action: e.Action, Findings: maskedFindings(&e),
			Reason: e.RuleReason, ID: e.ID,
		})
	}
	period := "no events"
	if s.Total > 0 {
		period = s.Since.In(s.loc).Format("2006-01-02 15:04") + " – " + s.Until.In(s.loc).Format("2006-01-02 15:04 MST")
	}
	data := map[string]any{
		"Period":      period,
		"Generated":   s.Generated.In(s.loc).Format("2006-01-02 15:04 MST"),
		"Files":       fileNames(s.Files),
		"Total":       s.Total,
		"Blocks":      s.ByAction[ActionBlock],
		"WouldBlocks": s.ByAction[ActionWouldBlock],
		"Logs":        s.ByAction[ActionLog],
		"Users":       len(s.Users),
		"Skipped":     s.Skipped,
		"Legend":      legend,
		"DayChart":    template.HTML(s.dayChart(acts)),
		"RuleChart":   template.HTML(barChart(top(s.Rules, 10), false)),
		"UserChart":   template.HTML(barChart(top(s.Users, 10), false)),
		"HostChart":   template.HTML(barChart(top(s.Hosts, 10), false)),
		"ClsChart":    template.HTML(barChart(s.Classifiers, true)),
		"Rules":       s.Rules,
		"Instances":   s.Instances,
		"Classifiers": s.Classifiers,
		"Recent":      recent,
	}
	return reportTemplate.Execute(w, data)
}

// fileNames lists base names (the directory is the same for a log set and
// would only add noise to a printed page).
func fileNames(files []string) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	if len(names) > 3 {
		return fmt.Sprintf("%d files, %s … %s", len(names), names[0], names[len(names)-1])
	}
	return strings.Join(names, ", ")
}

func top(c []Count, n int) []Count {
	if len(c) > n {
		return c[:n]
	}
	return c
}

func maskedFindings(e *Event) string {
	var parts []string
	for _, f := range e.Findings {
		p := fmt.Sprintf("%s ×%d (%s)", f.Classifier, f.Count, f.Confidence)
		var smp []string
		for i, sm := range f.Samples {
			if i == 3 {
				smp = append(smp, "…")
				break
			}
			smp = append(smp, MaskSample(sm.Masked))
		}
		if len(smp) > 0 {
			p += ": " + strings.Join(smp, ", ")
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// dayChart draws events per day as bars stacked by action.
func (s *Summary) dayChart(acts []string) string {
	const W, H, left, bottom, top = 960, 260, 44, 40, 12
	if len(s.Days) == 0 {
		return emptyChart(W, 80)
	}
	maxv := 0
	for _, d := range s.Days {
		maxv = max(maxv, d.Total)
	}
	scale := niceMax(maxv)
	plotH := float64(H - bottom - top)
	slot := float64(W-left-8) / float64(len(s.Days))
	barW := min(max(slot*0.7, 1), 90)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="Events per day by action">`, W, H)
	for i := 0; i <= 4; i++ { // grid lines and axis labels
		y := float64(top) + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`, left, y, W-4, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="ax" text-anchor="end">%d</text>`, left-6, y+4, scale*i/4)
	}
	labelEvery := max(1, len(s.Days)/12)
	for i, d := range s.Days {
		x := float64(left) + slot*float64(i) + (slot-barW)/2
		y := float64(top) + plotH
		for _, a := range acts {
			n := d.ByAction[a]
			if n == 0 {
				continue
			}
			h := plotH * float64(n) / float64(scale)
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`,
				x, y, barW, h, colourOf(a), d.Day, html.EscapeString(a), n)
		}
		if i%labelEvery == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="ax" text-anchor="middle">%s</text>`, x+barW/2, H-bottom+16, d.Day[5:])
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#555"/>`, left, H-bottom, W-4, H-bottom)
	b.WriteString(`</svg>`)
	return b.String()
}

// barChart draws horizontal bars: events (blue) with the blocked part
// overlaid in red; for classifiers the label shows matches too.
func barChart(rows []Count, matches bool) string {
	const W, rowH, labelW = 460, 24, 170
	if len(rows) == 0 {
		return emptyChart(W, 60)
	}
	H := rowH*len(rows) + 8
	maxv := 0
	for _, r := range rows {
		maxv = max(maxv, r.Events)
	}
	barMax := float64(W - labelW - 50)
	if matches {
		barMax = float64(W - labelW - 120)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img">`, W, H)
	for i, r := range rows {
		y := 4 + i*rowH
		wEv := barMax * float64(r.Events) / float64(maxv)
		wBl := barMax * float64(r.Blocks) / float64(maxv)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="lb" text-anchor="end">%s</text>`, labelW-6, y+16, html.EscapeString(clip(r.Name, 26)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, labelW, y+3, max(wEv, 1), rowH-8, actionColour[ActionLog])
		if r.Blocks > 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, labelW, y+3, max(wBl, 1), rowH-8, actionColour[ActionBlock])
		}
		label := fmt.Sprintf("%d", r.Events)
		if matches {
			label += fmt.Sprintf(" / %d matches", r.Matches)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="ax">%s</text>`, float64(labelW)+max(wEv, 1)+5, y+16, label)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func emptyChart(w, h int) string {
	return fmt.Sprintf(`<svg class="chart" viewBox="0 0 %d %d" width="100%%"><text x="10" y="30" class="ax">no data</text></svg>`, w, h)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// niceMax rounds up to 1, 2 or 5 times a power of ten (divisible by 4 for the grid).
func niceMax(v int) int {
	if v <= 4 {
		return 4
	}
	p := 1
	for p*10 < v {
		p *= 10
	}
	for _, m := range []int{1, 2, 4, 5, 8, 10} {
		if c := m * p; c >= v && c%4 == 0 {
			return c
		}
	}
	return (v + 3) / 4 * 4
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dlpgate audit report — {{.Period}}</title>
<style>
  body { font: 14px/1.45 -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK TC", "PingFang TC", "Microsoft JhengHei", "Heiti TC", sans-serif; color: #222; margin: 24px auto; max-width: 1040px; padding: 0 16px; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
  .meta { color: #555; font-size: 12px; }
  .cards { display: flex; gap: 12px; margin: 16px 0; }
  .card { flex: 1; border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; }
  .card b { display: block; font-size: 24px; }
  .card.block b { color: #c0392b; } .card.would b { color: #e67e22; } .card.log b { color: #2e86c1; }
  .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 28px; }
  .chart { display: block; }
  .chart .ax { font-size: 11px; fill: #444; } .chart .lb { font-size: 12px; fill: #222; }
  .legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
  .legend i { display: inline-block; width: 11px; height: 11px; margin-right: 4px; vertical-align: -1px; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e5e5e5; vertical-align: top; }
  th { background: #f4f4f4; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
  .warn { color: #a04000; }
  code { font-size: 11px; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11px; }
    h2 { break-after: avoid; } .chart, tr { break-inside: avoid; }
    * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  }
</style>
</head>
<body>
<h1>dlpgate audit report</h1>
<div class="meta">Period: {{.Period}} · generated {{.Generated}} · source: {{.Files}}</div>
<div class="meta">Samples are masked; the full records are in the hash-chained event log (check it with <code>dlpgate log verify</code>).</div>
{{if .Skipped}}<p class="warn">{{.Skipped}} unreadable line(s) were skipped: run <code>dlpgate log verify</code> on these files.</p>{{end}}
<div class="cards">
  <div class="card"><b>{{.Total}}</b>events</div>
  <div class="card block"><b>{{.Blocks}}</b>blocked</div>
  <div class="card would"><b>{{.WouldBlocks}}</b>would block (monitor)</div>
  <div class="card log"><b>{{.Logs}}</b>logged</div>
  <div class="card"><b>{{.Users}}</b>users</div>
</div>

<h2>Events per day</h2>
<div class="legend">{{range .Legend}}<span><i style="background:{{.Colour}}"></i>{{.Name}}</span>{{end}}</div>
<div id="chart-days">{{.DayChart}}</div>

<div class="grid">
  <div><h2>Top rules</h2><div id="chart-rules">{{.RuleChart}}</div></div>
  <div><h2>Top users</h2><div id="chart-users">{{.UserChart}}</div></div>
  <div><h2>Top destinations</h2><div id="chart-hosts">{{.HostChart}}</div></div>
  <div><h2>Classifiers</h2><div id="chart-classifiers">{{.ClsChart}}</div></div>
</div>
<div class="legend"><span><i style="background:#2e86c1"></i>events</span><span><i style="background:#c0392b"></i>of which blocked</span></div>

<h2>Rules</h2>
<table><tr><th>Rule</th><th>Events</th><th>Blocked</th></tr>
{{range .Rules}}<tr><td>{{.Name}}</td><td class="n">{{.Events}}</td><td class="n">{{.Blocks}}</td></tr>
{{end}}</table>

{{if gt (len .Instances) 1}}<h2>Instances</h2>
<table id="instances"><tr><th>Instance</th><th>Events</th><th>Blocked</th></tr>
{{range .Instances}}<tr><td>{{.Name}}</td><td class="n">{{.Events}}</td><td class="n">{{.Blocks}}</td></tr>
{{end}}</table>
{{end}}
<h2>Classifiers</h2>
<table><tr><th>Classifier</th><th>Events</th><th>Blocked</th><th>Matches</th></tr>
{{range .Classifiers}}<tr><td>{{.Name}}</td><td class="n">{{.Events}}</td><td class="n">{{.Blocks}}</td><td class="n">{{.Matches}}</td></tr>
{{end}}</table>

<h2>Latest blocks and would-blocks</h2>
{{if .Recent}}<table><tr><th>Time</th><th>User</th><th>Source</th><th>Destination</th><th>Rule</th><th>Action</th><th>Findings (masked)</th><th>Event ID</th></tr>
{{range .Recent}}<tr><td>{{.Time}}</td><td>{{.User}}</td><td>{{.Source}}</td><td>{{.Host}}</td><td title="{{.Reason}}">{{.Rule}}</td><td>{{.Action}}</td><td>{{.Findings}}</td><td><code>{{.ID}}</code></td></tr>
{{end}}</table>{{else}}<p>No blocks in this period.</p>{{end}}
</body>
</html>
`))
