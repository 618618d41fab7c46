// Package outboxtest gives a test a database (from db/dbtest) with River's
// tables migrated, as a bun.DB for enqueueing and a pgx pool for workers,
// both over the same connections.
package outboxtest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/outbox"
)

// Open returns a new test database holding Latch's schema and River's, as
// a bun.DB and the pgx pool under it. Both close, and the database is
// dropped, when the test ends. It fails the test if the database cannot be
// made or migrated.
func Open(t testing.TB) (*bun.DB, *pgxpool.Pool) {
	t.Helper()
	dsn := dbtest.DSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("outboxtest: %v", err)
	}
	cfg.MaxConns = 10
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("outboxtest: %v", err)
	}
	t.Cleanup(pool.Close)
	if _, err := outbox.MigrateRiver(ctx, pool, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("outboxtest: %v", err)
	}
	bdb := bun.NewDB(stdlib.OpenDBFromPool(pool), pgdialect.New())
	t.Cleanup(func() { _ = bdb.Close() })
	return bdb, pool
}
