package metrics

import (
	"context"

	"github.com/latch-dev/latch/server/auth"
)

// Auditor counts every security event on its way to the audit log: the
// domain records each sign-in failure, second-factor check, code request
// and refresh-token reuse exactly once, so counting there misses none and
// keeps Prometheus out of the domain.
type Auditor struct {
	next auth.Auditor
	m    *Metrics
}

// Audit returns next wrapped so that each event it records is counted.
func (m *Metrics) Audit(next auth.Auditor) *Auditor {
	return &Auditor{next: next, m: m}
}

// Record counts e, then records it with the wrapped Auditor.
func (a *Auditor) Record(ctx context.Context, e auth.Event) error {
	a.m.Event(e)
	return a.next.Record(ctx, e)
}

// Counted counts e, which a store wrote to the audit log in the same
// statement as the change it records (auth.FamilyRoles).
func (a *Auditor) Counted(e auth.Event) { a.m.Event(e) }

var _ auth.AuditCounter = (*Auditor)(nil)

// Event counts one security event:
//   - every event in latch_audit_events_total{event, outcome};
//   - a failed "login" without a second factor in latch_sign_ins_total
//     (successes are counted where the session is granted, SignIn);
//   - a "login" naming a second factor, or a second-step "passkey.use"
//     failure, in latch_second_factor_total;
//   - "code.send" in latch_codes_sent_total by channel;
//   - "token.reuse" in latch_token_reuse_detections_total.
func (m *Metrics) Event(e auth.Event) {
	outcome := string(e.Outcome)
	m.events.WithLabelValues(oneOf(e.Name, auditEvents), oneOf(outcome, outcomes)).Inc()
	switch e.Name {
	case "login":
		if factor, ok := e.Detail["second_factor"]; ok {
			o := outcome
			if e.Detail["reason"] == "second_factor_locked" {
				o = "locked"
			}
			m.secondFactors.WithLabelValues(oneOf(factor, secondFactors), oneOf(o, secondOutcomes)).Inc()
			return
		}
		method := e.Detail["method"]
		if method == "" {
			method = "password" // the password form's failures name no method
		}
		// A wrong current password on the change form is audited as a
		// failed login, but nobody was signing in.
		if e.Outcome == auth.Failure && method != "password_change" {
			m.SignIn(method, "failure")
		}
	case "passkey.use":
		if e.Outcome == auth.Failure && e.Detail["step"] == "second" {
			m.secondFactors.WithLabelValues("passkey", "failure").Inc()
		}
	case "code.send":
		m.codesSent.WithLabelValues(oneOf(e.Detail["channel"], channels), oneOf(outcome, outcomes)).Inc()
	case "token.reuse":
		m.reuses.Inc()
	}
}
