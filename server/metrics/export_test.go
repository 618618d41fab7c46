package metrics

import "github.com/prometheus/client_golang/prometheus"

// Own returns the collectors New registers for Latch's own series.
func Own(m *Metrics) []prometheus.Collector {
	return []prometheus.Collector{m.requests, m.duration, m.signIns, m.secondFactors, m.codesSent, m.deliveries,
		m.refusals, m.hashWait, m.refreshes, m.reuses, m.events}
}
