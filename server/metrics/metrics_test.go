package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/metrics"
)

// TestLabelsAreBounded: values outside each fixed list become "other",
// routes without a pattern "unmatched", odd statuses "other".
func TestLabelsAreBounded(t *testing.T) {
	m := metrics.New()
	m.Request("", 404, time.Millisecond)
	m.Request("/", 404, time.Millisecond)
	m.Request("GET /login", 9999, time.Millisecond)
	m.SignIn("evil@example.com", "whatever")
	m.Refused("made_up", "10.0.0.1", "x")
	m.Delivered("pigeon", "sent")
	m.HashWaited(time.Millisecond, "strange")
	m.TokenRefresh("maybe")
	m.Event(auth.Event{Name: "user 42 did a thing", Outcome: "odd", Detail: map[string]string{"channel": "+15551234567"}})
	m.Event(auth.Event{Name: "code.send", Outcome: auth.Success, Detail: map[string]string{"channel": "fax"}})
	m.Event(auth.Event{Name: "login", Outcome: auth.Failure, Detail: map[string]string{"second_factor": "telepathy", "reason": "second_factor_locked"}})

	want := `
# HELP latch_http_requests_total HTTP requests by route pattern (Go ServeMux pattern, or "unmatched") and status code.
# TYPE latch_http_requests_total counter
latch_http_requests_total{route="GET /login",status="other"} 1
latch_http_requests_total{route="unmatched",status="404"} 2
# HELP latch_sign_ins_total Sign-ins by first-factor method and outcome (success, second_factor_required, failure).
# TYPE latch_sign_ins_total counter
latch_sign_ins_total{method="other",outcome="other"} 1
# HELP latch_guard_refusals_total Attempts the guard refused, by policy, the scope of the spent limit and what happens past it (refuse, challenge, lock).
# TYPE latch_guard_refusals_total counter
latch_guard_refusals_total{past="other",policy="other",scope="other"} 1
# HELP latch_messages_sent_total Outbox deliveries by channel and outcome (sent, retry, failed, expired).
# TYPE latch_messages_sent_total counter
latch_messages_sent_total{channel="other",outcome="sent"} 1
# HELP latch_token_refreshes_total Refresh-token grants by outcome (success, failure).
# TYPE latch_token_refreshes_total counter
latch_token_refreshes_total{outcome="other"} 1
# HELP latch_codes_sent_total One-time codes and links requested, by channel and outcome (success: queued; failure: refused, e.g. a send limit).
# TYPE latch_codes_sent_total counter
latch_codes_sent_total{channel="other",outcome="success"} 1
# HELP latch_second_factor_total Second-factor checks at sign-in by factor and outcome (success, failure, locked).
# TYPE latch_second_factor_total counter
latch_second_factor_total{factor="other",outcome="locked"} 1
# HELP latch_audit_events_total Security events written to the audit log, by event name and outcome.
# TYPE latch_audit_events_total counter
latch_audit_events_total{event="code.send",outcome="success"} 1
latch_audit_events_total{event="login",outcome="failure"} 1
latch_audit_events_total{event="other",outcome="other"} 1
`
	names := []string{"latch_http_requests_total", "latch_sign_ins_total", "latch_guard_refusals_total", "latch_messages_sent_total",
		"latch_token_refreshes_total", "latch_codes_sent_total", "latch_second_factor_total", "latch_audit_events_total"}
	if err := testutil.GatherAndCompare(m.Gatherer(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(m.Gatherer(), "latch_password_hash_wait_seconds"); err != nil || n != 1 {
		t.Errorf("hash wait series: %d %v", n, err)
	}
}

// BenchmarkRequest is the hot path alone: one request counted and timed
// on a route seen before.
func BenchmarkRequest(b *testing.B) {
	m := metrics.New()
	b.ReportAllocs()
	for b.Loop() {
		m.Request("POST /login", 303, 3*time.Millisecond)
	}
}
