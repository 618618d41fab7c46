// Package metrics is Latch's Prometheus adapter: one registry with every
// series Latch exports, the methods the other layers call through their
// own small Metrics interfaces (web, guard, password, outbox), an audit
// decorator that counts security events, and the /metrics handler.
//
// Cardinality is bounded by construction: every label value is a route
// pattern registered in code, a status code, or a value from a fixed list
// below. Anything else becomes "other" (or "unmatched" for a route). No
// user id, email, phone number or IP ever becomes a label.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Unmatched is the route label of a request no registered pattern
// matched (a 404, or a redirect the router made itself).
const Unmatched = "unmatched"

// Other is the label value of anything outside a label's fixed list.
const Other = "other"

// Metrics holds Latch's series. Build it with New; a nil *Metrics is not
// usable, so pass nil interfaces to the other layers to turn metrics off.
type Metrics struct {
	reg *prometheus.Registry

	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	signIns       *prometheus.CounterVec
	secondFactors *prometheus.CounterVec
	codesSent     *prometheus.CounterVec
	deliveries    *prometheus.CounterVec
	refusals      *prometheus.CounterVec
	hashWait      *prometheus.HistogramVec
	refreshes     *prometheus.CounterVec
	reuses        prometheus.Counter
	events        *prometheus.CounterVec

	// routes caches the resolved children of each (route, status): the
	// hot path is one sync.Map load and two atomic adds.
	routes sync.Map // routeKey → *routeSeries
}

type routeKey struct {
	route  string
	status int
}

type routeSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// New returns Metrics registered in a fresh registry, with the Go runtime
// and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_http_requests_total",
			Help: "HTTP requests by route pattern (Go ServeMux pattern, or \"unmatched\") and status code.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "latch_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and status class (2xx, 3xx, 4xx, 5xx).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "status_class"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_sign_ins_total",
			Help: "Sign-ins by first-factor method and outcome (success, second_factor_required, failure).",
		}, []string{"method", "outcome"}),
		secondFactors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_second_factor_total",
			Help: "Second-factor checks at sign-in by factor and outcome (success, failure, locked).",
		}, []string{"factor", "outcome"}),
		codesSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_codes_sent_total",
			Help: "One-time codes and links requested, by channel and outcome (success: queued; failure: refused, e.g. a send limit).",
		}, []string{"channel", "outcome"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_messages_sent_total",
			Help: "Outbox deliveries by channel and outcome (sent, retry, failed, expired).",
		}, []string{"channel", "outcome"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_guard_refusals_total",
			Help: "Attempts the guard refused, by policy, the scope of the spent limit and what happens past it (refuse, challenge, lock).",
		}, []string{"policy", "scope", "past"}),
		hashWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "latch_password_hash_wait_seconds",
			Help:    "Time a password hash waited for a computation slot, by outcome (ok, busy, canceled).",
			Buckets: []float64{0, .001, .005, .01, .025, .05, .1, .25, .5, 1, 2, 5},
		}, []string{"outcome"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_token_refreshes_total",
			Help: "Refresh-token grants by outcome (success, failure).",
		}, []string{"outcome"}),
		reuses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "latch_token_reuse_detections_total",
			Help: "Refresh tokens presented again after rotation; each revoked its whole family.",
		}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_audit_events_total",
			Help: "Security events written to the audit log, by event name and outcome.",
		}, []string{"event", "outcome"}),
	}
	reg.MustRegister(m.requests, m.duration, m.signIns, m.secondFactors, m.codesSent, m.deliveries,
		m.refusals, m.hashWait, m.refreshes, m.reuses, m.events,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds collectors (the database pool, the outbox backlog, the
// hash queue) to the registry. It fails on a duplicate series.
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Gatherer is the registry, for tests and for mounting elsewhere.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Handler serves the exposition. It can be mounted on any listener (the
// public one behind a token, or an admin listener); a collector that fails
// is reported in the scrape without failing the other series.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 2,
		Timeout:             10 * time.Second,
	})
}

// Request records one HTTP request. route is the ServeMux pattern that
// served it (http.Request.Pattern); "" or the catch-all "/" count as
// Unmatched, so a path never becomes a label.
func (m *Metrics) Request(route string, status int, d time.Duration) {
	if route == "" || route == "/" {
		route = Unmatched
	}
	if status < 100 || status > 599 {
		status = 0
	}
	k := routeKey{route, status}
	v, ok := m.routes.Load(k)
	if !ok {
		v, _ = m.routes.LoadOrStore(k, &routeSeries{
			count:    m.requests.WithLabelValues(route, statusText(status)),
			duration: m.duration.WithLabelValues(route, statusClass(status)),
		})
	}
	rs := v.(*routeSeries)
	rs.count.Inc()
	rs.duration.Observe(d.Seconds())
}

func statusText(status int) string {
	if status == 0 {
		return Other
	}
	return strconv.Itoa(status)
}

func statusClass(status int) string {
	if status == 0 {
		return Other
	}
	return strconv.Itoa(status/100) + "xx"
}

// SignIn records a sign-in outcome for a first-factor method.
func (m *Metrics) SignIn(method, outcome string) {
	m.signIns.WithLabelValues(oneOf(method, signInMethods), oneOf(outcome, signInOutcomes)).Inc()
}

// TokenRefresh records a refresh-token grant: "success" or "failure".
func (m *Metrics) TokenRefresh(outcome string) {
	m.refreshes.WithLabelValues(oneOf(outcome, outcomes)).Inc()
}

// Refused records a guard refusal (guard.Metrics).
func (m *Metrics) Refused(policy, scope, past string) {
	m.refusals.WithLabelValues(oneOf(policy, policies), oneOf(scope, scopes), oneOf(past, pasts)).Inc()
}

// HashWaited records how long a password hash waited for a slot
// (password.Metrics): outcome "ok", "busy" or "canceled".
func (m *Metrics) HashWaited(d time.Duration, outcome string) {
	m.hashWait.WithLabelValues(oneOf(outcome, hashOutcomes)).Observe(d.Seconds())
}

// Delivered records an outbox delivery attempt (outbox.Metrics).
func (m *Metrics) Delivered(channel, outcome string) {
	m.deliveries.WithLabelValues(oneOf(channel, channels), oneOf(outcome, deliveryOutcomes)).Inc()
}

// The fixed label values. Anything else is Other.
var (
	outcomes       = []string{"success", "failure"}
	signInOutcomes = []string{"success", "second_factor_required", "failure"}
	signInMethods  = []string{"password", "email_code", "login_link", "sms_code", "phone_signup", "signup",
		"password_reset", "passkey", "provider", "recovery"}
	secondFactors    = []string{"totp", "recovery_code", "passkey"}
	secondOutcomes   = []string{"success", "failure", "locked"}
	channels         = []string{"email", "sms"}
	deliveryOutcomes = []string{"sent", "retry", "failed", "expired"}
	hashOutcomes     = []string{"ok", "busy", "canceled"}
	scopes           = []string{"account", "account_device", "ip", "session", "destination", "country", "global"}
	pasts            = []string{"refuse", "challenge", "lock"}
	policies         = []string{"password", "totp", "recovery_code", "code", "link", "send_email", "send_sms", "signup", "set_password", "notice", "provider", "passkey", "passkey_challenge"}
	auditEvents      = []string{"login", "logout", "signup", "reauth", "code.send", "code.use", "link.use", "session.revoke", "provider.sign_in", "provider.link", "provider.unlink", "password.reset", "password.change", "recovery.start", "recovery.complete", "recovery.cancel", "recovery_code.use", "recovery_codes.regenerate", "email.verify", "email.change", "phone.add", "identity.remove", "totp.enable", "totp.disable", "totp.verify", "passkey.add", "passkey.rename", "passkey.remove", "passkey.use", "token.issue", "token.refresh", "token.reuse", "token.logout", "user.status", "account.restore", "account.purge", "account.export", "account.delete"}
)

func oneOf(v string, allowed []string) string {
	for _, a := range allowed {
		if v == a {
			return a
		}
	}
	return Other
}
