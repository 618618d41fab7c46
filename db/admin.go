package db

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/admin"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/outbox"
)

// Admin implements admin.Store: the admin console's searches.
type Admin struct{ db *bun.DB }

// NewAdmin returns the console's store over db.
func NewAdmin(db *bun.DB) *Admin { return &Admin{db: db} }

var _ admin.Store = (*Admin)(nil)

// likePrefix escapes q for a LIKE pattern matching values that start
// with it.
func likePrefix(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(q) + "%"
}

// Search finds users by id, or by the start of an identity's value
// (email, phone, or provider "provider:subject"), case-insensitively.
func (a *Admin) Search(ctx context.Context, appID uuid.UUID, q string, limit int) ([]admin.Found, error) {
	var rows []struct {
		ID        uuid.UUID `bun:"id,type:uuid"`
		Status    string    `bun:"status"`
		Email     string    `bun:"email"`
		Phone     string    `bun:"phone"`
		CreatedAt time.Time `bun:"created_at"`
	}
	where := "u.id IN (SELECT i.user_id FROM identities i WHERE i.app_id = ? AND lower(i.value) LIKE lower(?))"
	args := []any{appID, likePrefix(q)}
	if id, err := uuid.Parse(q); err == nil {
		where = "u.id = ?"
		args = []any{id}
	}
	err := a.db.NewRaw(`SELECT u.id, u.status, u.created_at,
			coalesce((SELECT min(value) FROM identities WHERE user_id = u.id AND kind = 'email'), '') AS email,
			coalesce((SELECT min(value) FROM identities WHERE user_id = u.id AND kind = 'phone'), '') AS phone
		FROM users u WHERE u.app_id = ? AND u.purged_at IS NULL AND `+where+`
		ORDER BY u.created_at DESC LIMIT ?`, append(append([]any{appID}, args...), limit)...).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("db: admin search: %w", err)
	}
	out := make([]admin.Found, len(rows))
	for i, r := range rows {
		out[i] = admin.Found{ID: r.ID, Status: auth.Status(r.Status), Email: r.Email, Phone: r.Phone, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

func (a *Admin) eventQuery(model any, appID uuid.UUID, f admin.Filter, limit int) *bun.SelectQuery {
	q := a.db.NewSelect().Model(model).Where("app_id = ?", appID).OrderExpr("id DESC").Limit(int64(limit))
	if f.UserID != nil {
		q = q.Where("user_id = ?", *f.UserID)
	}
	switch {
	case strings.HasSuffix(f.Kind, "."):
		q = q.Where("event LIKE ?", likePrefix(f.Kind))
	case f.Kind != "":
		q = q.Where("event = ?", f.Kind)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	return q
}

func (r auditRow) toAdmin() admin.Event {
	return admin.Event{ID: r.ID, UserID: r.UserID, Name: r.Event, Outcome: r.Outcome, IP: r.IP, UserAgent: r.UserAgent,
		RequestID: r.RequestID, Detail: r.Detail, At: r.CreatedAt}
}

// Events lists the app's audit events matching f, newest first.
func (a *Admin) Events(ctx context.Context, appID uuid.UUID, f admin.Filter, limit int) ([]admin.Event, error) {
	var rows []auditRow
	if err := a.eventQuery(&rows, appID, f, limit).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: admin events: %w", err)
	}
	out := make([]admin.Event, len(rows))
	for i, r := range rows {
		out[i] = r.toAdmin()
	}
	return out, nil
}

// EachEvent streams the matching events to fn, row by row.
func (a *Admin) EachEvent(ctx context.Context, appID uuid.UUID, f admin.Filter, limit int, fn func(admin.Event) error) error {
	rows, err := a.eventQuery((*auditRow)(nil), appID, f, limit).Rows(ctx)
	if err != nil {
		return fmt.Errorf("db: admin export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r auditRow
		if err := a.db.ScanRow(ctx, rows, &r); err != nil {
			return fmt.Errorf("db: admin export: %w", err)
		}
		if err := fn(r.toAdmin()); err != nil {
			return err
		}
	}
	return rows.Err()
}

// HasAuthenticator reports whether the user confirmed an authenticator app.
func (a *Admin) HasAuthenticator(ctx context.Context, userID uuid.UUID) (bool, error) {
	return a.db.NewSelect().Table("totp_factors").Where("user_id = ? AND confirmed_at IS NOT NULL", userID).Exists(ctx)
}

// Limits reads the guard ledger: a counter (policy:scope:value:budget/window)
// whose theoretical arrival time is tat was full until tat - window +
// window/budget, so those full after since are listed.
func (a *Admin) Limits(ctx context.Context, appID uuid.UUID, since time.Time, limit int) ([]admin.Limit, error) {
	var rows []struct {
		Key string    `bun:"key"`
		TAT time.Time `bun:"tat"`
	}
	if err := a.db.NewRaw("SELECT key, tat FROM guard_limits WHERE app_id = ? AND tat > ? ORDER BY tat DESC LIMIT 2000",
		appID, since.UTC()).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("db: guard limits: %w", err)
	}
	var out []admin.Limit
	for _, r := range rows {
		l, ok := parseGuardKey(r.Key)
		if !ok {
			continue
		}
		l.FullUntil = r.TAT.Add(-l.Window + l.Window/time.Duration(l.Budget))
		if l.FullUntil.After(since) {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(x, y admin.Limit) int { return y.FullUntil.Compare(x.FullUntil) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// parseGuardKey reads a guard counter key: policy:scope:value:budget/window,
// where value may itself hold colons (an IPv6 prefix).
func parseGuardKey(key string) (admin.Limit, bool) {
	parts := strings.SplitN(key, ":", 3)
	if len(parts) != 3 {
		return admin.Limit{}, false
	}
	i := strings.LastIndexByte(parts[2], ':')
	if i < 0 {
		return admin.Limit{}, false
	}
	value, rate := parts[2][:i], parts[2][i+1:]
	b, w, ok := strings.Cut(rate, "/")
	if !ok {
		return admin.Limit{}, false
	}
	budget, err := strconv.Atoi(b)
	window, err2 := time.ParseDuration(w)
	if err != nil || err2 != nil || budget <= 0 || window <= 0 {
		return admin.Limit{}, false
	}
	if strings.Contains(value, "@") || strings.HasPrefix(value, "+") {
		value = outbox.Mask(value)
	}
	return admin.Limit{Policy: parts[0], Scope: parts[1], Value: value, Budget: budget, Window: window}, true
}

// ClearPassword deletes the user's password credential.
func (a *Admin) ClearPassword(ctx context.Context, userID uuid.UUID) (bool, error) {
	res, err := a.db.NewDelete().Model((*passwordRow)(nil)).Where("user_id = ?", userID).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
