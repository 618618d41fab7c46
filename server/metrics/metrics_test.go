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

type poolStats struct{}

func (poolStats) AcquiredConns() int32           { return 2 }
func (poolStats) IdleConns() int32               { return 3 }
func (poolStats) TotalConns() int32              { return 5 }
func (poolStats) MaxConns() int32                { return 10 }
func (poolStats) AcquireCount() int64            { return 42 }
func (poolStats) AcquireDuration() time.Duration { return 1500 * time.Millisecond }
func (poolStats) EmptyAcquireCount() int64       { return 7 }

// TestPgxPool reads a pool's numbers on scrape, labelled with its name.
func TestPgxPool(t *testing.T) {
	c := metrics.PgxPool("outbox", func() metrics.PoolStats { return poolStats{} })
	want := `
# HELP latch_pgxpool_acquire_wait_seconds_total Time spent acquiring connections.
# TYPE latch_pgxpool_acquire_wait_seconds_total counter
latch_pgxpool_acquire_wait_seconds_total{pool="outbox"} 1.5
# HELP latch_pgxpool_acquired_connections Connections in use.
# TYPE latch_pgxpool_acquired_connections gauge
latch_pgxpool_acquired_connections{pool="outbox"} 2
# HELP latch_pgxpool_empty_acquires_total Acquires that had to wait for a connection.
# TYPE latch_pgxpool_empty_acquires_total counter
latch_pgxpool_empty_acquires_total{pool="outbox"} 7
# HELP latch_pgxpool_max_connections The pool's bound.
# TYPE latch_pgxpool_max_connections gauge
latch_pgxpool_max_connections{pool="outbox"} 10
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "latch_pgxpool_acquire_wait_seconds_total",
		"latch_pgxpool_acquired_connections", "latch_pgxpool_empty_acquires_total", "latch_pgxpool_max_connections"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(c); n != 7 {
		t.Errorf("%d series, want 7", n)
	}
}
