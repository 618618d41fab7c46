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

func TestPurgeCommand(t *testing.T) {
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
	due, pending := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	for _, u := range []struct {
		id    uuid.UUID
		after string
	}{{due, "now() - interval '1 hour'"}, {pending, "now() + interval '1 day'"}} {
		if _, err := bdb.ExecContext(ctx, "INSERT INTO users (id, app_id, status, deleted_at, purge_after) VALUES (?, ?, 'deleted', now() - interval '15 days', "+u.after+")", u.id, app); err != nil {
			t.Fatal(err)
		}
		if _, err := bdb.ExecContext(ctx, "INSERT INTO identities (id, app_id, user_id, kind, value) VALUES (?, ?, ?, 'email', ?)", uuid.Must(uuid.NewV7()), app, u.id, u.id.String()+"@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"DATABASE_URL": dsn}
	var out bytes.Buffer
	if err := run(ctx, []string{"purge"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "purge: 1 deleted account(s)") {
		t.Fatalf("purge printed %q", out.String())
	}
	var left int
	if err := bdb.NewRaw("SELECT count(*) FROM identities WHERE user_id IN (?, ?)", due, pending).Scan(ctx, &left); err != nil {
		t.Fatal(err)
	}
	if left != 1 {
		t.Fatalf("%d identities left, want only the pending account's", left)
	}
}
