package db_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/latch-dev/latch/server/session"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
)

const fakeHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"

func defaultApp(t testing.TB, bdb *bun.DB) uuid.UUID {
	t.Helper()
	id, err := db.AppID(context.Background(), bdb, "default")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func newUser(t *testing.T, appID uuid.UUID, email string) auth.NewPasswordUser {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewPasswordUser{
		User:  auth.User{ID: id, AppID: appID, Status: auth.StatusActive, CreatedAt: time.Now().UTC()},
		Email: email, PasswordHash: fakeHash,
	}
}

func TestUsersCreateAndFind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bdb := dbtest.Open(t)
	app := defaultApp(t, bdb)
	users := db.NewUsers(bdb)

	nu := newUser(t, app, "ada@example.com")
	if err := users.CreatePasswordUser(ctx, nu); err != nil {
		t.Fatal(err)
	}
	if nu.User.ID.Version() != 7 {
		t.Fatalf("user id version %d, want UUIDv7", nu.User.ID.Version())
	}
	u, hash, err := users.PasswordLogin(ctx, app, auth.IdentityEmail, "ada@example.com")
	if err != nil || u.ID != nu.User.ID || hash != fakeHash || u.Status != auth.StatusActive {
		t.Fatalf("PasswordLogin = %+v %q %v", u, hash, err)
	}
	if _, _, err := users.PasswordLogin(ctx, app, auth.IdentityEmail, "nobody@example.com"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("unknown email: %v", err)
	}
	acct, err := users.Account(ctx, app, nu.User.ID)
	if err != nil || acct.Email() != "ada@example.com" || len(acct.Identities) != 1 || acct.Identities[0].VerifiedAt != nil {
		t.Fatalf("Account = %+v %v", acct, err)
	}
	if _, err := users.Account(ctx, app, uuid.New()); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	if err := users.SetPasswordHash(ctx, nu.User.ID, strings.Replace(fakeHash, "m=64", "m=128", 1)); err != nil {
		t.Fatal(err)
	}
	if _, hash, _ := users.PasswordLogin(ctx, app, auth.IdentityEmail, "ada@example.com"); !strings.Contains(hash, "m=128") {
		t.Fatalf("hash not replaced: %s", hash)
	}
	if err := users.SetPasswordHash(ctx, uuid.New(), fakeHash); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("SetPasswordHash unknown user: %v", err)
	}
}

func TestIdentitiesAreUniquePerApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bdb := dbtest.Open(t)
	app := defaultApp(t, bdb)
	users := db.NewUsers(bdb)
	if err := users.CreatePasswordUser(ctx, newUser(t, app, "same@example.com")); err != nil {
		t.Fatal(err)
	}
	dup := newUser(t, app, "same@example.com")
	if err := users.CreatePasswordUser(ctx, dup); !errors.Is(err, auth.ErrIdentityTaken) {
		t.Fatalf("duplicate identity: %v", err)
	}
	// The failed signup left nothing behind.
	if _, err := users.Account(ctx, app, dup.User.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("half-created user remains: %v", err)
	}

	other := uuid.Must(uuid.NewV7())
	if _, err := bdb.ExecContext(ctx, "INSERT INTO apps (id, slug, name) VALUES (?, 'other', 'Other')", other); err != nil {
		t.Fatal(err)
	}
	if err := users.CreatePasswordUser(ctx, newUser(t, other, "same@example.com")); err != nil {
		t.Fatalf("same email in another app: %v", err)
	}
	if _, _, err := users.PasswordLogin(ctx, other, auth.IdentityEmail, "same@example.com"); err != nil {
		t.Fatal(err)
	}
}

func TestSchemaRefusesBadRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bdb := dbtest.Open(t)
	app := defaultApp(t, bdb)
	users := db.NewUsers(bdb)
	plain := newUser(t, app, "plain@example.com")
	plain.PasswordHash = "hunter2"
	if err := users.CreatePasswordUser(ctx, plain); err == nil {
		t.Fatal("a non-argon2id password was stored")
	}
	bad := newUser(t, app, "status@example.com")
	bad.User.Status = "superuser"
	if err := users.CreatePasswordUser(ctx, bad); err == nil {
		t.Fatal("an unknown status was stored")
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := auth.WithClient(context.Background(), auth.Client{IP: "192.0.2.1", UserAgent: "test-agent", RequestID: "req-1"})
	bdb := dbtest.Open(t)
	app := defaultApp(t, bdb)
	a := db.NewAudit(bdb, nil)
	uid := uuid.Must(uuid.NewV7())
	if err := a.Record(ctx, auth.Event{AppID: app, UserID: uid, Name: "login", Outcome: auth.Success, Detail: map[string]string{"method": "password"}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Record(ctx, auth.Event{AppID: app, Name: "login", Outcome: auth.Failure}); err != nil {
		t.Fatal(err)
	}
	evs, err := a.Events(ctx, app, 10)
	if err != nil || len(evs) != 2 {
		t.Fatalf("events = %v %v", evs, err)
	}
	first := evs[1]
	if first.UserID == nil || *first.UserID != uid || first.IP != "192.0.2.1" || first.UserAgent != "test-agent" || first.RequestID != "req-1" || first.Detail["method"] != "password" {
		t.Fatalf("stored event = %+v", first)
	}
	if evs[0].UserID != nil {
		t.Fatal("anonymous event has a user")
	}
	if _, err := bdb.ExecContext(ctx, "UPDATE audit_events SET outcome = 'success'"); err == nil {
		t.Fatal("audit_events accepted an UPDATE")
	}
	if _, err := bdb.ExecContext(ctx, "DELETE FROM audit_events"); err == nil {
		t.Fatal("audit_events accepted a DELETE")
	}
	if err := a.Record(ctx, auth.Event{AppID: app, Name: "Bad Name!", Outcome: auth.Success}); err == nil {
		t.Fatal("a malformed event name was stored")
	}
}

func TestSessionStore(t *testing.T) {
	t.Parallel()
	ctx := auth.WithClient(context.Background(), auth.Client{IP: "198.51.100.7", UserAgent: "Mozilla/5.0 test"})
	bdb := dbtest.Open(t)
	app := defaultApp(t, bdb)
	nu := newUser(t, app, "sess@example.com")
	if err := db.NewUsers(bdb).CreatePasswordUser(ctx, nu); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clock := func() time.Time { return now }
	store := db.NewSessions(bdb, db.SessionKeys{User: "user_id", PublicID: "public_id"}, clock)

	data, err := session.Codec{}.Encode(now.Add(time.Hour), map[string]any{"user_id": nu.User.ID.String()})
	if err != nil {
		t.Fatal(err)
	}
	token := "tok-" + uuid.NewString()
	if err := store.CommitCtx(ctx, token, data, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, found, err := store.FindCtx(ctx, token)
	if err != nil || !found || string(got) != string(data) {
		t.Fatalf("Find = %v %v", found, err)
	}
	if _, found, _ := store.FindCtx(ctx, "other-token"); found {
		t.Fatal("found a session that was never stored")
	}

	// The token itself is never stored, only its SHA-256.
	var keys [][]byte
	if err := bdb.NewSelect().TableExpr("sessions").Column("token_hash").Scan(ctx, &keys); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(token))
	if len(keys) != 1 || string(keys[0]) != string(sum[:]) {
		t.Fatal("sessions are not keyed by the token's hash")
	}

	list, err := store.UserSessions(ctx, nu.User.ID)
	if err != nil || len(list) != 1 || list[0].IP != "198.51.100.7" || list[0].PublicID == "" {
		t.Fatalf("UserSessions = %+v %v", list, err)
	}

	now = now.Add(2 * time.Hour)
	if _, found, _ := store.FindCtx(ctx, token); found {
		t.Fatal("expired session found")
	}
	if n, err := store.DeleteExpired(ctx); err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d %v", n, err)
	}

	if err := store.CommitCtx(ctx, token, data, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteCtx(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := store.FindCtx(ctx, token); found {
		t.Fatal("deleted session found")
	}
	if err := store.DeleteCtx(ctx, token); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestMigrateDownAndUpAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bdb := dbtest.Open(t)
	down, err := db.MigrateDown(ctx, bdb)
	if err != nil || len(down) == 0 {
		t.Fatalf("down = %v %v", down, err)
	}
	var n int
	if err := bdb.NewSelect().ColumnExpr("count(*)").TableExpr("information_schema.tables").
		Where("table_schema = 'public' AND table_name IN ('apps','users','identities','password_credentials','sessions','audit_events')").
		Scan(ctx, &n); err != nil || n != 0 {
		t.Fatalf("tables left after down: %d %v", n, err)
	}
	up, err := db.MigrateUp(ctx, bdb)
	if err != nil || len(up) != len(down) {
		t.Fatalf("up = %v %v", up, err)
	}
	if _, err := db.AppID(ctx, bdb, "default"); err != nil {
		t.Fatal(err)
	}
	if again, err := db.MigrateUp(ctx, bdb); err != nil || len(again) != 0 {
		t.Fatalf("second up = %v %v", again, err)
	}
}
