package outbox

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateLock is the pg_advisory_lock key that keeps two processes from
// migrating River at once.
const migrateLock int64 = 0x6c61746368_7276 // "latch" "rv"

// MigrateRiver brings River's tables (river_job, river_queue, …) up to the
// version River needs, one version per transaction: some versions add enum
// values that a later version uses, which PostgreSQL refuses in a single
// transaction. It holds an advisory lock meanwhile, so concurrent starts
// wait for each other. It returns the versions applied (none when current)
// and, on failure, River's error with the versions applied before it.
func MigrateRiver(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) ([]int, error) {
	if logger == nil {
		logger = slog.Default()
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, errf("migrate river: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return nil, errf("migrate river: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock) //nolint:errcheck // released at disconnect anyway

	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return nil, errf("migrate river: %w", err)
	}
	var applied []int
	for {
		res, err := m.Migrate(ctx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{MaxSteps: 1})
		if err != nil {
			return applied, errf("migrate river after versions %v: %w", applied, err)
		}
		if len(res.Versions) == 0 {
			return applied, nil
		}
		for _, v := range res.Versions {
			applied = append(applied, v.Version)
		}
	}
}
