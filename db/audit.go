package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/auth"
)

type auditRow struct {
	bun.BaseModel `bun:"table:audit_events"`

	ID        int64             `bun:"id,pk,autoincrement"`
	AppID     uuid.UUID         `bun:"app_id,type:uuid"`
	UserID    *uuid.UUID        `bun:"user_id,type:uuid"`
	Event     string            `bun:"event"`
	Outcome   string            `bun:"outcome"`
	IP        string            `bun:"ip"`
	UserAgent string            `bun:"user_agent"`
	RequestID string            `bun:"request_id"`
	Detail    map[string]string `bun:"detail,type:jsonb"`
	CreatedAt time.Time         `bun:"created_at"`
}

// Audit implements auth.Auditor: it appends rows to audit_events, which
// the database itself keeps append-only.
type Audit struct {
	db    bun.IDB
	clock func() time.Time
}

// NewAudit returns an auditor over db; clock nil means time.Now.
func NewAudit(db bun.IDB, clock func() time.Time) *Audit {
	if clock == nil {
		clock = time.Now
	}
	return &Audit{db: db, clock: clock}
}

var _ auth.Auditor = (*Audit)(nil)

// Record appends e with the time, the auth.Client found in ctx and the
// actor (auth.WithActor) when someone else acts on the account.
func (a *Audit) Record(ctx context.Context, e auth.Event) error {
	args, err := auditArgs(ctx, e, a.clock().UTC())
	if err != nil {
		return err
	}
	// Every audited request writes here: one text, values bound.
	if _, err := bound(a.db).ExecContext(ctx, `INSERT INTO audit_events (`+auditColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, args...); err != nil {
		return fmt.Errorf("db: audit %s: %w", e.Name, err)
	}
	return nil
}

// auditColumns are the columns auditArgs gives values for, in order.
const auditColumns = "app_id, user_id, event, outcome, ip, user_agent, request_id, detail, created_at"

// auditValues casts the nine values of auditArgs from parameter $first on,
// for an INSERT … SELECT, where PostgreSQL cannot read their types from
// the columns.
func auditValues(first int) string {
	types := []string{"uuid", "uuid", "text", "text", "text", "text", "text", "jsonb", "timestamptz"}
	vals := make([]string, len(types))
	for i, t := range types {
		vals[i] = fmt.Sprintf("$%d::%s", first+i, t)
	}
	return strings.Join(vals, ", ")
}

// auditArgs is the stored form of e recorded at now: the auth.Client found
// in ctx, and the actor (auth.WithActor) when someone else acts on the
// account, as values for auditColumns.
func auditArgs(ctx context.Context, e auth.Event, now time.Time) ([]any, error) {
	c := auth.ClientFrom(ctx)
	detail := e.Detail
	if detail == nil {
		detail = map[string]string{}
	}
	if actor := auth.ActorFrom(ctx); actor != "" {
		d := make(map[string]string, len(detail)+1)
		for k, v := range detail {
			d[k] = v
		}
		d["actor"] = actor // an administrator acted on this account
		detail = d
	}
	var userID *uuid.UUID
	if e.UserID != uuid.Nil {
		id := e.UserID
		userID = &id
	}
	js, err := json.Marshal(detail)
	if err != nil {
		return nil, fmt.Errorf("db: audit %s: %w", e.Name, err)
	}
	return []any{e.AppID, userID, e.Name, string(e.Outcome), c.IP, truncate(c.UserAgent, 512), c.RequestID, string(js), now}, nil
}

// AuditEvent is one stored audit row, as tests and operators read it.
type AuditEvent struct {
	UserID    *uuid.UUID
	Event     string
	Outcome   string
	IP        string
	UserAgent string
	RequestID string
	Detail    map[string]string
	CreatedAt time.Time
}

// Events returns the app's most recent audit events, newest first.
func (a *Audit) Events(ctx context.Context, appID uuid.UUID, limit int) ([]AuditEvent, error) {
	var rows []auditRow
	if err := a.db.NewSelect().Model(&rows).Where("app_id = ?", appID).OrderExpr("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: audit events: %w", err)
	}
	out := make([]AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = AuditEvent{UserID: r.UserID, Event: r.Event, Outcome: r.Outcome, IP: r.IP, UserAgent: r.UserAgent, RequestID: r.RequestID, Detail: r.Detail, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary so the column stays valid UTF-8.
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// Prune deletes the audit events older than before, through audit_prune,
// the one path allowed to delete from the append-only table, and returns
// how many.
func (a *Audit) Prune(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	if err := a.db.NewRaw("SELECT audit_prune(?)", before.UTC()).Scan(ctx, &n); err != nil {
		return 0, fmt.Errorf("db: audit prune: %w", err)
	}
	return n, nil
}

// SecondFactorFailures counts the wrong second factors the user's sign-ins
// met since (auth.FailureCounter), for the lockout notice's summary.
func (a *Audit) SecondFactorFailures(ctx context.Context, appID, userID uuid.UUID, since time.Time) (int, error) {
	var n int
	err := a.db.NewSelect().Model((*auditRow)(nil)).ColumnExpr("count(*)").
		Where("app_id = ? AND user_id = ? AND event = 'login' AND outcome = 'failure' AND detail->>'second_factor' IS NOT NULL AND created_at > ?",
			appID, userID, since.UTC()).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("db: count second-factor failures: %w", err)
	}
	return n, nil
}
