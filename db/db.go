// Package db is Latch's PostgreSQL adapter: it opens the database with bun,
// applies the embedded migrations, and implements the storage interfaces the
// auth and session packages declare.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/migrate"

	"github.com/latch-dev/latch/migrations"
)

// Options tunes the connection pool. The zero value gives sane defaults.
type Options struct {
	MaxOpenConns int // default 20
	MaxIdleConns int // default MaxOpenConns
	// Trace, when set, is called with the text of every statement sent
	// and its number of bound arguments (tests check hot statements keep
	// one text).
	Trace func(query string, args int)
}

// Open connects to the PostgreSQL database at dsn and checks it answers.
// It returns an error if the DSN cannot be parsed or the server cannot be
// reached within ctx.
func Open(ctx context.Context, dsn string, opt Options) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(dsn) // validates the DSN without echoing it
	if err != nil {
		return nil, fmt.Errorf("db: parse DATABASE_URL: invalid connection string")
	}
	sqldb := sql.OpenDB(connector{Connector: stdlib.GetConnector(*cfg), trace: opt.Trace})
	if opt.MaxOpenConns <= 0 {
		opt.MaxOpenConns = 20
	}
	if opt.MaxIdleConns <= 0 {
		opt.MaxIdleConns = opt.MaxOpenConns
	}
	sqldb.SetMaxOpenConns(opt.MaxOpenConns)
	sqldb.SetMaxIdleConns(opt.MaxIdleConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)

	bdb := bun.NewDB(sqldb, pgdialect.New())
	if err := bdb.PingContext(ctx); err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("db: connect to %s:%d/%s: %w", cfg.Host, cfg.Port, cfg.Database, err)
	}
	return bdb, nil
}

// Migrator returns bun's migrator over Latch's embedded migrations.
func Migrator(bdb *bun.DB) (*migrate.Migrator, error) {
	ms, err := migrations.New()
	if err != nil {
		return nil, err
	}
	return migrate.NewMigrator(bdb, ms, migrate.WithMarkAppliedOnSuccess(true)), nil
}

// MigrateUp applies every pending migration and returns the names applied.
func MigrateUp(ctx context.Context, bdb *bun.DB) ([]string, error) {
	return migrateLocked(ctx, bdb, "up", (*migrate.Migrator).Migrate)
}

// MigrateDown rolls back the most recently applied group of migrations and
// returns the names rolled back (none when nothing is applied).
func MigrateDown(ctx context.Context, bdb *bun.DB) ([]string, error) {
	return migrateLocked(ctx, bdb, "down", (*migrate.Migrator).Rollback)
}

// migrateLocked runs step holding bun's migration lock, so two processes
// starting at once do not race.
func migrateLocked(ctx context.Context, bdb *bun.DB, dir string,
	step func(*migrate.Migrator, context.Context, ...migrate.MigrationOption) (*migrate.MigrationGroup, error),
) ([]string, error) {
	m, err := Migrator(bdb)
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("db: init migrations: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return nil, fmt.Errorf("db: lock migrations: %w", err)
	}
	defer m.Unlock(ctx) //nolint:errcheck // a stale lock row is cleared by the next successful unlock
	group, err := step(m, ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate %s: %w", dir, err)
	}
	return names(group), nil
}

func names(g *migrate.MigrationGroup) []string {
	if g == nil {
		return nil
	}
	out := make([]string, 0, len(g.Migrations))
	for _, m := range g.Migrations {
		name := m.Name
		if m.Comment != "" {
			name += "_" + m.Comment
		}
		out = append(out, name)
	}
	return out
}

// Ping reports whether the database answers; /readyz uses it.
func Ping(ctx context.Context, sqldb *sql.DB) error { return sqldb.PingContext(ctx) }
