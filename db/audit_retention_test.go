package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
)

func TestAuditPruneKeepsTheAppendOnlyRule(t *testing.T) {
	t.Parallel()
	bdb := dbtest.Open(t)
	ctx := context.Background()
	app := defaultApp(t, bdb)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{now.Add(-400 * 24 * time.Hour), now.Add(-10 * 24 * time.Hour)} {
		a := db.NewAudit(bdb, func() time.Time { return at })
		if err := a.Record(ctx, auth.Event{AppID: app, Name: "login", Outcome: auth.Success}); err != nil {
			t.Fatal(err)
		}
	}
	// Normal code paths still cannot delete.
	if _, err := bdb.ExecContext(ctx, "DELETE FROM audit_events"); err == nil {
		t.Fatal("a plain DELETE on audit_events succeeded")
	}
	n, err := db.NewAudit(bdb, nil).Prune(ctx, now.Add(-365*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("prune: %d, %v (want 1 old event)", n, err)
	}
	var left int
	if err := bdb.NewRaw("SELECT count(*) FROM audit_events").Scan(ctx, &left); err != nil || left != 1 {
		t.Fatalf("%d events left, %v", left, err)
	}
	// The prune's permission ended with its transaction.
	if _, err := bdb.ExecContext(ctx, "DELETE FROM audit_events"); err == nil {
		t.Fatal("a plain DELETE succeeded after a prune")
	}
}
