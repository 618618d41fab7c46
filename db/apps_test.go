package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/guard"
)

// The tables written on every request keep app_id without a foreign key
// (migration 20261213000100), so an app must never go: deleting one is
// refused even when no account holds it, and the rows that name it stay
// with it.
func TestAnAppIsNeverDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bdb := dbtest.Open(t)
	id := uuid.Must(uuid.NewV7())
	if err := db.NewApps(bdb).CreateApp(ctx, apps.App{ID: id, Slug: "short-lived", Name: "Short-lived", PublicURL: "https://short.example"}); err != nil {
		t.Fatal(err)
	}
	// Rows of the tables without the key: a guard count and an audit event.
	if _, _, err := db.NewGuard(bdb, nil).Reserve(ctx, id, []guard.Counter{{Key: "password:ip:192.0.2.1", Emission: time.Minute, Window: time.Hour}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := bdb.NewRaw("INSERT INTO audit_events (app_id, event, outcome, created_at) VALUES (?, 'login', 'failure', now())", id).Exec(ctx); err != nil {
		t.Fatal(err)
	}

	_, err := bdb.NewRaw("DELETE FROM apps WHERE id = ?", id).Exec(ctx)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23001" {
		t.Fatalf("deleting an app: %v, want a restrict_violation", err)
	}
	var n int
	if err := bdb.NewRaw("SELECT (SELECT count(*) FROM apps WHERE id = ?) + (SELECT count(*) FROM guard_limits WHERE app_id = ?) + (SELECT count(*) FROM audit_events WHERE app_id = ?)", id, id, id).Scan(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("%d of the app and its two rows left, want all 3", n)
	}
}
