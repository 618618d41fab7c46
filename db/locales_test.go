package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
)

// TestLocales: an account's language is saved, read back, found by any
// of its addresses, cleared, and the column refuses what is not a
// language tag.
func TestLocales(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bdb := dbtest.Open(t)
	app := defaultApp(t, bdb)
	id := uuid.Must(uuid.NewV7())
	now := time.Now().UTC()
	if err := db.NewUsers(bdb).CreatePasswordUser(ctx, auth.NewPasswordUser{
		User:  auth.User{ID: id, AppID: app, Status: auth.StatusActive, CreatedAt: now},
		Email: "locale@example.com", PasswordHash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
	}); err != nil {
		t.Fatal(err)
	}
	l := db.NewLocales(bdb)
	if got, err := l.Locale(ctx, app, id); err != nil || got != "" {
		t.Fatalf("before any choice: %q, %v", got, err)
	}
	if got, err := l.LocaleOf(ctx, app, "locale@example.com"); err != nil || got != "" {
		t.Fatalf("by address before any choice: %q, %v", got, err)
	}
	if err := l.SetLocale(ctx, app, id, "fr"); err != nil {
		t.Fatal(err)
	}
	if got, err := l.Locale(ctx, app, id); err != nil || got != "fr" {
		t.Fatalf("after choosing fr: %q, %v", got, err)
	}
	if got, err := l.LocaleOf(ctx, app, "locale@example.com"); err != nil || got != "fr" {
		t.Fatalf("by address: %q, %v", got, err)
	}
	if got, err := l.LocaleOf(ctx, app, "nobody@example.com"); err != nil || got != "" {
		t.Fatalf("an address of no account: %q, %v", got, err)
	}
	if got, err := l.Locale(ctx, uuid.Must(uuid.NewV7()), id); err != nil || got != "" {
		t.Fatalf("another app: %q, %v", got, err)
	}
	for _, bad := range []string{"FR", "fr;drop", "<b>", "f", "fr-" + string(make([]byte, 40))} {
		if err := l.SetLocale(ctx, app, id, bad); err == nil {
			t.Errorf("%q was saved", bad)
		}
	}
	if got, _ := l.Locale(ctx, app, id); got != "fr" {
		t.Fatalf("after refused values: %q", got)
	}
	if err := l.SetLocale(ctx, app, id, ""); err != nil {
		t.Fatal(err)
	}
	if got, err := l.Locale(ctx, app, id); err != nil || got != "" {
		t.Fatalf("after clearing: %q, %v", got, err)
	}
}
