package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dlpgate/dlpgate/audit"
)

// Prom is the Prometheus Observer. Its metrics live on the Registerer given
// to NewProm; nothing is registered globally.
type Prom struct {
	requests  *prometheus.CounterVec
	rules     *prometheus.CounterVec
	bytes     *prometheus.CounterVec
	segments  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	heldBytes *prometheus.CounterVec
	spills    *prometheus.CounterVec
	reloads   *prometheus.CounterVec
}

// NewProm registers dlpgate's request metrics on reg.
func NewProm(reg prometheus.Registerer) *Prom {
	p := &Prom{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlpgate_requests_total", Help: "In-scope requests decided, by front end, endpoint group and decision (allow, log, would-block, block).",
		}, []string{"front_end", "endpoint", "decision"}),
		rules: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlpgate_rules_fired_total", Help: "Decisions made by each rule (scope:<endpoint> for scope blocks).",
		}, []string{"rule"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlpgate_inspected_bytes_total", Help: "Bytes of bodies and queries run through the inspect pipeline.",
		}, []string{"front_end"}),
		segments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlpgate_inspected_segments_total", Help: "Text segments extracted and classified.",
		}, []string{"front_end"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dlpgate_inspect_duration_seconds", Help: "Time spent in the inspect pipeline per body or query (not receiving it).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"front_end"}),
		heldBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlpgate_held_bytes_total", Help: "Bytes of bodies held before forwarding.",
		}, []string{"front_end"}),
		spills: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlpgate_spills_total", Help: "Bodies that did not fit the memory budget and were held in a spill file.",
		}, []string{"front_end"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlpgate_reloads_total", Help: "Configuration reloads, by result (ok, rejected).",
		}, []string{"result"}),
	}
	p.reloads.WithLabelValues("ok")
	p.reloads.WithLabelValues("rejected")
	reg.MustRegister(p.requests, p.rules, p.bytes, p.segments, p.latency, p.heldBytes, p.spills, p.reloads)
	return p
}

func (p *Prom) Decision(frontEnd, endpoint, action, rule string) {
	p.requests.WithLabelValues(frontEnd, endpoint, action).Inc()
	if rule != "" {
		p.rules.WithLabelValues(rule).Inc()
	}
}

func (p *Prom) Inspected(frontEnd string, bytes int64, segments int, took time.Duration) {
	p.bytes.WithLabelValues(frontEnd).Add(float64(bytes))
	p.segments.WithLabelValues(frontEnd).Add(float64(segments))
	p.latency.WithLabelValues(frontEnd).Observe(took.Seconds())
}

func (p *Prom) Held(frontEnd string, bytes int64, spilled bool) {
	p.heldBytes.WithLabelValues(frontEnd).Add(float64(bytes))
	if spilled {
		p.spills.WithLabelValues(frontEnd).Inc()
	}
}

// Reloaded counts one configuration reload.
func (p *Prom) Reloaded(ok bool) {
	if ok {
		p.reloads.WithLabelValues("ok").Inc()
	} else {
		p.reloads.WithLabelValues("rejected").Inc()
	}
}

// Sources are the live values read at scrape time; nil fields are skipped.
type Sources struct {
	// Audit returns the audit logger's counters (queue depth, drops, sink errors).
	Audit func() audit.Stats
	// HeldInMemory returns the bytes of bodies held in memory now.
	HeldInMemory func() int64
	// CertsIssued and CertsCached count the leaf certificates signed and cached.
	CertsIssued func() int64
	CertsCached func() int
}

// RegisterSources registers the scrape-time gauges and counters on reg.
func RegisterSources(reg prometheus.Registerer, src Sources) {
	if src.HeldInMemory != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dlpgate_held_memory_bytes", Help: "Bytes of request bodies held in memory right now.",
		}, func() float64 { return float64(src.HeldInMemory()) }))
	}
	if src.CertsIssued != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dlpgate_leaf_certs_issued_total", Help: "Leaf certificates signed for intercepted hosts.",
		}, func() float64 { return float64(src.CertsIssued()) }))
	}
	if src.CertsCached != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dlpgate_leaf_certs_cached", Help: "Leaf certificates in the cache.",
		}, func() float64 { return float64(src.CertsCached()) }))
	}
	if src.Audit != nil {
		reg.MustRegister(auditCollector{src.Audit})
	}
}

var (
	descRecords  = prometheus.NewDesc("dlpgate_audit_records_total", "Audit events written to the log file by this process.", nil, nil)
	descQueue    = prometheus.NewDesc("dlpgate_audit_sink_queue_depth", "Events waiting in a sink's queue.", []string{"sink"}, nil)
	descSent     = prometheus.NewDesc("dlpgate_audit_sink_sent_total", "Events delivered to a sink.", []string{"sink"}, nil)
	descDropped  = prometheus.NewDesc("dlpgate_audit_sink_dropped_total", "Events a sink dropped (queue full or undeliverable at close).", []string{"sink"}, nil)
	descFailures = prometheus.NewDesc("dlpgate_audit_sink_errors_total", "Dial or write errors of a sink (each retried).", []string{"sink"}, nil)
	descUp       = prometheus.NewDesc("dlpgate_audit_sink_connected", "1 when the sink is connected.", []string{"sink"}, nil)
)

type auditCollector struct{ stats func() audit.Stats }

func (auditCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRecords, descQueue, descSent, descDropped, descFailures, descUp} {
		ch <- d
	}
}

func (c auditCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(descRecords, prometheus.CounterValue, float64(st.Records))
	for _, s := range st.Sinks {
		up := 0.0
		if s.Connected {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(descQueue, prometheus.GaugeValue, float64(s.Queued), s.Name)
		ch <- prometheus.MustNewConstMetric(descSent, prometheus.CounterValue, float64(s.Sent), s.Name)
		ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(s.Dropped), s.Name)
		ch <- prometheus.MustNewConstMetric(descFailures, prometheus.CounterValue, float64(s.Failures), s.Name)
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up, s.Name)
	}
}
