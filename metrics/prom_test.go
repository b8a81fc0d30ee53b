package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dlpgate/dlpgate/audit"
)

func TestPromCountsAndSources(t *testing.T) {
	reg := prometheus.NewRegistry()
	p := NewProm(reg)
	var o Observer = p
	o.Decision("proxy", "dingtalk-robot", "block", "hkid-bulk")
	o.Decision("proxy", "dingtalk-robot", "allow", "")
	o.Decision("icap", "dingtalk-media", "log", "hkid-single")
	o.Inspected("proxy", 1000, 3, 2*time.Millisecond)
	o.Held("proxy", 1000, true)
	o.Held("proxy", 10, false)
	p.Reloaded(true)
	p.Reloaded(false)
	RegisterSources(reg, Sources{
		Audit: func() audit.Stats {
			return audit.Stats{Records: 7, Sinks: []audit.SinkStats{{Name: "siem", Queued: 4, Dropped: 2, Failures: 3, Connected: true}}}
		},
		HeldInMemory: func() int64 { return 123 },
		CertsIssued:  func() int64 { return 5 },
		CertsCached:  func() int { return 2 },
	})
	want := `
# HELP dlpgate_requests_total In-scope requests decided, by front end, endpoint group and decision (allow, log, would-block, block).
# TYPE dlpgate_requests_total counter
dlpgate_requests_total{decision="allow",endpoint="dingtalk-robot",front_end="proxy"} 1
dlpgate_requests_total{decision="block",endpoint="dingtalk-robot",front_end="proxy"} 1
dlpgate_requests_total{decision="log",endpoint="dingtalk-media",front_end="icap"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "dlpgate_requests_total"); err != nil {
		t.Error(err)
	}
	for name, v := range map[string]float64{
		"dlpgate_rules_fired_total":        2,
		"dlpgate_inspected_bytes_total":    1000,
		"dlpgate_spills_total":             1,
		"dlpgate_held_bytes_total":         1010,
		"dlpgate_reloads_total":            2,
		"dlpgate_held_memory_bytes":        123,
		"dlpgate_leaf_certs_issued_total":  5,
		"dlpgate_leaf_certs_cached":        2,
		"dlpgate_audit_records_total":      7,
		"dlpgate_audit_sink_queue_depth":   4,
		"dlpgate_audit_sink_dropped_total": 2,
		"dlpgate_audit_sink_errors_total":  3,
		"dlpgate_audit_sink_connected":     1,
	} {
		if got := sum(t, reg, name); got != v {
			t.Errorf("%s = %v, want %v", name, got, v)
		}
	}
	if n, err := testutil.GatherAndCount(reg, "dlpgate_inspect_duration_seconds"); err != nil || n != 1 {
		t.Errorf("latency histogram: %d series (%v)", n, err)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
	Or(nil).Decision("x", "y", "z", "") // nil-safe
}

func sum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var s float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			switch {
			case m.Counter != nil:
				s += m.Counter.GetValue()
			case m.Gauge != nil:
				s += m.Gauge.GetValue()
			}
		}
	}
	return s
}
