package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/latch-dev/latch/server/metrics"
)

// BenchmarkRequestMetrics measures what metrics add to a request: the
// same cheap route (GET /healthz, no database) through the whole
// middleware chain, without and with metrics. The difference is the
// per-request overhead reported in docs/metrics.md.
func BenchmarkRequestMetrics(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			o := harnessOptions{}
			if on {
				o.metrics, o.metricsToken = metrics.New(), testMetricsToken
			}
			h := newHarnessWith(b, o)
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.handler.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
