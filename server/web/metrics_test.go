package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/latch-dev/latch/server/metrics"
)

const testMetricsToken = "a metrics token for tests, 32+ chars long"

// scrape fetches /metrics with the token and parses it with Prometheus'
// own text parser: the exposition must parse.
func (h *harness) scrape() map[string]*dto.MetricFamily {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.srv.URL+"/metrics", nil)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testMetricsToken)
	r := h.do(h.browser(), req)
	if r.status != http.StatusOK {
		h.t.Fatalf("GET /metrics: %d %s", r.status, r.body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(r.body))
	if err != nil {
		h.t.Fatalf("exposition does not parse: %v\n%s", err, r.body)
	}
	return fams
}

// value is the value of the series of name whose labels include want
// (counter, gauge, or a histogram's count); 0 when there is none.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	var sum float64
next:
	for _, m := range f.GetMetric() {
		for k, v := range want {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

func newMetricsHarness(t *testing.T) *harness {
	return newHarnessWith(t, harnessOptions{codes: true, metrics: metrics.New(), metricsToken: testMetricsToken})
}

// TestMetricsCountSignInsAndSends scripts a sign-in, a failed sign-in and
// a code request, and reads each counter moved in a scrape that parses.
func TestMetricsCountSignInsAndSends(t *testing.T) {
	h := newMetricsHarness(t)
	before := h.scrape()
	h.signup("ann@example.com", "correct horse battery")

	c := h.browser()
	if r := h.post(c, "/login", creds("ann@example.com", "correct horse battery")); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	if r := h.post(h.browser(), "/login", creds("ann@example.com", "wrong horse battery")); r.status == http.StatusSeeOther {
		t.Fatalf("wrong password signed in")
	}
	if r := h.post(h.browser(), "/login/code", url.Values{"email": {"ann@example.com"}}); r.status != http.StatusOK && r.status != http.StatusSeeOther {
		t.Fatalf("code request: %d %s", r.status, r.body)
	}
	after := h.scrape()

	moved := []struct {
		name   string
		labels map[string]string
	}{
		{"latch_sign_ins_total", map[string]string{"method": "password", "outcome": "success"}},
		{"latch_sign_ins_total", map[string]string{"method": "password", "outcome": "failure"}},
		{"latch_sign_ins_total", map[string]string{"method": "signup", "outcome": "success"}},
		{"latch_codes_sent_total", map[string]string{"channel": "email", "outcome": "success"}},
		{"latch_audit_events_total", map[string]string{"event": "login", "outcome": "failure"}},
		{"latch_http_requests_total", map[string]string{"route": "POST /login", "status": "303"}},
		{"latch_http_request_duration_seconds", map[string]string{"route": "POST /login", "status_class": "3xx"}},
		{"latch_password_hash_wait_seconds", map[string]string{"outcome": "ok"}},
	}
	for _, m := range moved {
		if b, a := value(before, m.name, m.labels), value(after, m.name, m.labels); a <= b {
			t.Errorf("%s%v did not move: %v → %v", m.name, m.labels, b, a)
		}
	}
	for _, name := range []string{"go_sql_open_connections", "latch_password_hash_queue_depth", "latch_password_hash_running"} {
		if after[name] == nil {
			t.Errorf("%s missing from the scrape", name)
		}
	}
	// No series carries the address or the user's id.
	for name, f := range after {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "@") || strings.Contains(l.GetValue(), "127.0.0.1") {
					t.Errorf("%s has label %s=%q", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
}

// TestMetricsNeedTheToken: without the bearer token, or with a wrong one,
// /metrics answers 401 and shows nothing.
func TestMetricsNeedTheToken(t *testing.T) {
	h := newMetricsHarness(t)
	for _, auth := range []string{"", "Bearer", "Bearer wrong", "Basic " + testMetricsToken, "Bearer " + testMetricsToken + "x"} {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		r := h.do(h.browser(), req)
		if r.status != http.StatusUnauthorized || strings.Contains(r.body, "latch_") {
			t.Errorf("Authorization %q: %d", auth, r.status)
		}
	}
	// Without a metrics handler there is no /metrics at all.
	plain := newHarness(t)
	if r := plain.get(plain.browser(), "/metrics"); r.status != http.StatusNotFound {
		t.Errorf("/metrics without metrics: %d, want 404", r.status)
	}
}

// TestMetricsLabelsStayBounded requests many distinct unknown paths, query
// strings, hosts and methods; the number of request series must not grow
// with them, and unknown routes all count as "unmatched".
func TestMetricsLabelsStayBounded(t *testing.T) {
	h := newMetricsHarness(t)
	c := h.browser()
	round := func(i int) {
		h.get(c, fmt.Sprintf("/no/such/page/%d", i))
		h.get(c, fmt.Sprintf("/login?next=/x%d", i))
		h.get(c, fmt.Sprintf("/static/nothing-%d.css", i))
		h.get(c, fmt.Sprintf("/api/v1/nothing/%d", i))
		req, _ := http.NewRequest("BREW"+fmt.Sprint(i%3), h.srv.URL+fmt.Sprintf("/login/%d", i), nil)
		req.Host = fmt.Sprintf("host-%d.example", i)
		h.do(c, req)
	}
	round(0)
	h.scrape() // a scrape is a request too: count it before the baseline
	series := func() int { return len(h.scrape()["latch_http_requests_total"].GetMetric()) }
	first := series()
	for i := 1; i < 40; i++ {
		round(i)
	}
	if n := series(); n != first {
		t.Errorf("request series grew from %d to %d with distinct paths", first, n)
	}
	fams := h.scrape()
	if value(fams, "latch_http_requests_total", map[string]string{"route": metrics.Unmatched, "status": "404"}) < 40 {
		t.Errorf("unknown paths not counted as %q", metrics.Unmatched)
	}
	for _, m := range fams["latch_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" && (strings.Contains(l.GetValue(), "/no/such") || strings.Contains(l.GetValue(), "nothing")) {
				t.Errorf("route label holds a path: %q", l.GetValue())
			}
		}
	}
}
