package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/server/guard"
)

// Guard is the guard's ledger in PostgreSQL (table guard_limits, function
// guard_reserve), shared by every instance of Latch. Its statements are
// sent with parameters, never with values in their text, so each is
// prepared once per connection.
type Guard struct {
	db    *sql.DB
	clock func() time.Time
}

// NewGuard returns the ledger over bdb; a nil clock is time.Now (used by
// Prune).
func NewGuard(bdb *bun.DB, clock func() time.Time) *Guard {
	if clock == nil {
		clock = time.Now
	}
	return &Guard{db: bdb.DB, clock: clock}
}

var _ guard.Store = (*Guard)(nil)

// Reserve counts one attempt against every counter if all allow it, in one
// round trip. It returns the index of the refusing counter (-1 when none)
// and its wait. A deadlock between two reservations of overlapping keys
// (possible only while both insert new rows) is retried once.
func (g *Guard) Reserve(ctx context.Context, appID uuid.UUID, counters []guard.Counter, now time.Time) (int, time.Duration, error) {
	keys := make([]string, len(counters))
	emission := make([]int64, len(counters))
	window := make([]int64, len(counters))
	for i, c := range counters {
		keys[i], emission[i], window[i] = c.Key, c.Emission.Microseconds(), c.Window.Microseconds()
	}
	var denied int
	var waitUS int64
	var err error
	for try := 0; try < 2; try++ {
		err = g.db.QueryRowContext(ctx, `SELECT denied, wait_us FROM guard_reserve($1, $2, $3, $4, $5)`,
			appID, keys, emission, window, now.UTC()).Scan(&denied, &waitUS)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "40P01" {
			break
		}
	}
	if err != nil {
		return 0, 0, fmt.Errorf("db: guard reserve: %w", err)
	}
	return denied - 1, time.Duration(waitUS) * time.Microsecond, nil
}

// Refund gives back one attempt to each counter.
func (g *Guard) Refund(ctx context.Context, appID uuid.UUID, counters []guard.Counter) error {
	keys := make([]string, len(counters))
	emission := make([]int64, len(counters))
	for i, c := range counters {
		keys[i], emission[i] = c.Key, c.Emission.Microseconds()
	}
	_, err := g.db.ExecContext(ctx, `UPDATE guard_limits g SET tat = g.tat - make_interval(secs => u.e / 1e6)
		FROM unnest($2::text[], $3::bigint[]) AS u(key, e) WHERE g.app_id = $1 AND g.key = u.key`, appID, keys, emission)
	if err != nil {
		return fmt.Errorf("db: guard refund: %w", err)
	}
	return nil
}

// Settle refunds counters and clears keys in one statement: the result
// of Refund then Clear. Rows being cleared are not refunded first (one
// statement may not both update and delete a row, and a cleared row's
// count does not matter).
func (g *Guard) Settle(ctx context.Context, appID uuid.UUID, counters []guard.Counter, clears []string) error {
	keys := make([]string, len(counters))
	emission := make([]int64, len(counters))
	for i, c := range counters {
		keys[i], emission[i] = c.Key, c.Emission.Microseconds()
	}
	_, err := g.db.ExecContext(ctx, `WITH refunded AS (
			UPDATE guard_limits g SET tat = g.tat - make_interval(secs => u.e / 1e6)
			FROM unnest($2::text[], $3::bigint[]) AS u(key, e)
			WHERE g.app_id = $1 AND g.key = u.key AND NOT (g.key = ANY($4))
			RETURNING 1
		)
		DELETE FROM guard_limits WHERE app_id = $1 AND key = ANY($4)`, appID, keys, emission, clears)
	if err != nil {
		return fmt.Errorf("db: guard settle: %w", err)
	}
	return nil
}

var _ guard.Settler = (*Guard)(nil)

// Clear forgets the attempts counted against keys.
func (g *Guard) Clear(ctx context.Context, appID uuid.UUID, keys []string) error {
	if _, err := g.db.ExecContext(ctx, `DELETE FROM guard_limits WHERE app_id = $1 AND key = ANY($2)`, appID, keys); err != nil {
		return fmt.Errorf("db: guard clear: %w", err)
	}
	return nil
}

// Prune deletes rows whose every attempt has aged out (tat in the past:
// the same as no row) and returns how many.
func (g *Guard) Prune(ctx context.Context) (int64, error) {
	res, err := g.db.ExecContext(ctx, `DELETE FROM guard_limits WHERE tat < $1`, g.clock().UTC())
	if err != nil {
		return 0, fmt.Errorf("db: guard prune: %w", err)
	}
	return res.RowsAffected()
}
