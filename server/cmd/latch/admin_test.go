package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
)

// TestAdminCommand grants, lists and revokes a role from the command line,
// audited with the actor "cli", and refuses bad input without a change.
func TestAdminCommand(t *testing.T) {
	dsn := dbtest.DSN(t)
	ctx := context.Background()
	bdb, err := db.Open(ctx, dsn, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	app, err := db.AppID(ctx, bdb, "default")
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7())
	if _, err := bdb.ExecContext(ctx, "INSERT INTO users (id, app_id) VALUES (?, ?)", id, app); err != nil {
		t.Fatal(err)
	}
	if _, err := bdb.ExecContext(ctx, "INSERT INTO identities (id, app_id, user_id, kind, value) VALUES (?, ?, ?, 'email', 'ops@example.com')", uuid.Must(uuid.NewV7()), app, id); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": dsn}
	latch := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"admin"}, args...), func(k string) string { return env[k] }, &out, io.Discard)
		return out.String(), err
	}
	if out, err := latch("grant", " Ops@Example.com ", "admin"); err != nil || !strings.Contains(out, "role admin granted to ops@example.com") {
		t.Fatalf("grant = %q %v", out, err)
	}
	if out, err := latch("list"); err != nil || !strings.Contains(out, "admin") || !strings.Contains(out, id.String()) {
		t.Fatalf("list = %q %v", out, err)
	}
	var actor string
	if err := bdb.NewRaw("SELECT detail->>'actor' FROM audit_events WHERE event = 'role.grant' AND user_id = ?", id).Scan(ctx, &actor); err != nil || actor != "cli" {
		t.Fatalf("role.grant actor = %q %v, want cli", actor, err)
	}
	for _, bad := range [][]string{
		{}, {"grant"}, {"grant", "ops@example.com"}, {"grant", "nobody@example.com", "admin"},
		{"grant", "not-an-email", "admin"}, {"grant", "ops@example.com", "Admin!"}, {"grant", "ops@example.com", "ghost"},
		{"promote", "ops@example.com", "admin"}, {"list", "extra"},
	} {
		if _, err := latch(bad...); err == nil {
			t.Errorf("admin %q: no error", bad)
		}
	}
	if out, err := latch("revoke", "ops@example.com", "admin"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke = %q %v", out, err)
	}
	var n int
	if err := bdb.NewRaw("SELECT count(*) FROM user_roles").Scan(ctx, &n); err != nil || n != 0 {
		t.Fatalf("roles left after revoke = %d %v", n, err)
	}
}
