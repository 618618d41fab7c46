package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/auth"
)

// Throttle counts failed password attempts in PostgreSQL (table
// login_failures), so the limits hold across every instance of Latch.
// Counts are kept in fixed windows of Window; a key is limited while the
// current and the previous window together hold at least its limit.
type Throttle struct {
	db     bun.IDB
	window time.Duration
	clock  func() time.Time
}

// NewThrottle returns a throttle over db counting in windows of window
// (15 minutes when zero); a nil clock is time.Now.
func NewThrottle(db bun.IDB, window time.Duration, clock func() time.Time) *Throttle {
	if window <= 0 {
		window = 15 * time.Minute
	}
	if clock == nil {
		clock = time.Now
	}
	return &Throttle{db: db, window: window, clock: clock}
}

var _ auth.Throttle = (*Throttle)(nil)

func (t *Throttle) start(now time.Time) time.Time { return now.UTC().Truncate(t.window) }

// Limited returns, for the first of keys over its limit, how long until an
// attempt is allowed again, or 0 when none is; and whether keys[0] has any
// failure counted. It is one query whatever the number of keys.
func (t *Throttle) Limited(ctx context.Context, appID uuid.UUID, keys []auth.ThrottleKey) (time.Duration, bool, error) {
	if len(keys) == 0 {
		return 0, false, nil
	}
	now := t.clock()
	cur := t.start(now)
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Key
	}
	var counts []struct {
		Key string `bun:"key"`
		N   int    `bun:"n"`
	}
	err := t.db.NewSelect().TableExpr("login_failures").ColumnExpr("key, sum(failures) AS n").
		Where("app_id = ? AND key IN (?) AND window_start >= ?", appID, bun.In(names), cur.Add(-t.window)).
		GroupExpr("key").Scan(ctx, &counts)
	if err != nil {
		return 0, false, fmt.Errorf("db: throttle: %w", err)
	}
	counted := false
	for _, c := range counts {
		counted = counted || (c.Key == keys[0].Key && c.N > 0)
	}
	for _, k := range keys {
		for _, c := range counts {
			if c.Key == k.Key && c.N >= k.Limit {
				// The count falls when the previous window drops out.
				return cur.Add(t.window).Sub(now), counted, nil
			}
		}
	}
	return 0, counted, nil
}

// Fail counts one failed attempt against each key.
func (t *Throttle) Fail(ctx context.Context, appID uuid.UUID, keys []auth.ThrottleKey) error {
	cur := t.start(t.clock())
	values := make([]string, 0, len(keys))
	args := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		values = append(values, "(?, ?, ?, 1)")
		args = append(args, appID, k.Key, cur)
	}
	if len(values) == 0 {
		return nil
	}
	_, err := t.db.NewRaw(`INSERT INTO login_failures (app_id, key, window_start, failures) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (app_id, key, window_start) DO UPDATE SET failures = login_failures.failures + 1`, args...).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: throttle: %w", err)
	}
	return nil
}

// Reset forgets the failures of key, after a success.
func (t *Throttle) Reset(ctx context.Context, appID uuid.UUID, key string) error {
	if _, err := t.db.NewDelete().TableExpr("login_failures").Where("app_id = ? AND key = ?", appID, key).Exec(ctx); err != nil {
		return fmt.Errorf("db: throttle: %w", err)
	}
	return nil
}

// Prune deletes windows too old to count and returns how many.
func (t *Throttle) Prune(ctx context.Context) (int64, error) {
	res, err := t.db.NewDelete().TableExpr("login_failures").
		Where("window_start < ?", t.start(t.clock()).Add(-t.window)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: throttle prune: %w", err)
	}
	return res.RowsAffected()
}
