package db_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/latch-dev/latch/server/session"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
)

const (
	firefoxWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	safariIPhone   = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)

var sessionKeys = db.SessionKeys{User: "user_id", PublicID: "public_id"}

var publicIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

// sessionWorld is a database with two users and a session store on a
// clock the test controls.
type sessionWorld struct {
	db    *bun.DB
	store *db.Sessions
	users *db.Users
	app   uuid.UUID
	ada   uuid.UUID
	bob   uuid.UUID
	now   time.Time
}

func newSessionWorld(t *testing.T) *sessionWorld {
	t.Helper()
	bdb := dbtest.Open(t)
	w := &sessionWorld{db: bdb, users: db.NewUsers(bdb), app: defaultApp(t, bdb), now: time.Now()}
	w.store = db.NewSessions(bdb, sessionKeys, func() time.Time { return w.now })
	for _, u := range []struct {
		email string
		id    *uuid.UUID
	}{{"ada@example.com", &w.ada}, {"bob@example.com", &w.bob}} {
		nu := newUser(t, w.app, u.email)
		if err := w.users.CreatePasswordUser(context.Background(), nu); err != nil {
			t.Fatal(err)
		}
		*u.id = nu.User.ID
	}
	return w
}

// save commits a session for user from a client with the user agent, and
// returns its token. publicID "" leaves the public id out of the data.
func (w *sessionWorld) save(t *testing.T, user uuid.UUID, publicID, ua string) string {
	t.Helper()
	values := map[string]any{"user_id": user.String()}
	if publicID != "" {
		values["public_id"] = publicID
	}
	data, err := session.Codec{}.Encode(w.now.Add(time.Hour), values)
	if err != nil {
		t.Fatal(err)
	}
	token := uuid.NewString() + uuid.NewString()
	ctx := auth.WithClient(context.Background(), auth.Client{IP: "203.0.113.9", UserAgent: ua})
	if err := w.store.CommitCtx(ctx, token, data, w.now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return token
}

func (w *sessionWorld) found(t *testing.T, token string) bool {
	t.Helper()
	_, ok, err := w.store.FindCtx(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func publicID(n byte) string {
	b := make([]byte, 16)
	b[15] = n
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestSessionStoreRecordsTheDevice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newSessionWorld(t)
	phone := w.save(t, w.ada, publicID(1), safariIPhone)
	w.now = w.now.Add(time.Minute)
	w.save(t, w.ada, publicID(2), firefoxWindows)
	w.save(t, w.bob, publicID(3), firefoxWindows)

	list, err := w.store.UserSessions(ctx, w.ada)
	if err != nil || len(list) != 2 {
		t.Fatalf("UserSessions = %+v %v", list, err)
	}
	if got := list[0]; got.PublicID != publicID(2) || got.Browser != "Firefox" || got.OS != "Windows" || got.IP != "203.0.113.9" {
		t.Fatalf("most recent session = %+v, want Firefox on Windows first", got)
	}
	if got := list[1]; got.PublicID != publicID(1) || got.Browser != "Safari" || got.OS != "iOS" || got.CreatedAt.IsZero() || got.LastSeenAt.IsZero() {
		t.Fatalf("older session = %+v", got)
	}

	// The public id is neither the token nor its hash, in any encoding.
	sum := sha256.Sum256([]byte(phone))
	for _, leak := range []string{phone, hex.EncodeToString(sum[:]), base64.RawURLEncoding.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:])} {
		for _, s := range list {
			if s.PublicID == leak {
				t.Fatal("a public id reveals a token")
			}
		}
	}

	// Expired sessions are not listed.
	w.now = w.now.Add(2 * time.Hour)
	if list, err := w.store.UserSessions(ctx, w.ada); err != nil || len(list) != 0 {
		t.Fatalf("expired sessions listed: %+v %v", list, err)
	}
}

func TestSessionStoreMakesAPublicIDWhenTheDataHasNone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newSessionWorld(t)
	token := w.save(t, w.ada, "", firefoxWindows)
	list, err := w.store.UserSessions(ctx, w.ada)
	if err != nil || len(list) != 1 || !publicIDPattern.MatchString(list[0].PublicID) {
		t.Fatalf("UserSessions = %+v %v, want one session with a generated public id", list, err)
	}
	first := list[0].PublicID

	// Saving again without one keeps it.
	data, _ := session.Codec{}.Encode(w.now.Add(time.Hour), map[string]any{"user_id": w.ada.String()})
	if err := w.store.CommitCtx(ctx, token, data, w.now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if list, _ := w.store.UserSessions(ctx, w.ada); len(list) != 1 || list[0].PublicID != first {
		t.Fatalf("public id changed on a later save: %+v, was %s", list, first)
	}

	// A malformed one in the data is never stored.
	bad, _ := session.Codec{}.Encode(w.now.Add(time.Hour), map[string]any{"user_id": w.ada.String(), "public_id": "<b>not-an-id</b>"})
	if err := w.store.CommitCtx(ctx, token, bad, w.now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if list, _ := w.store.UserSessions(ctx, w.ada); len(list) != 1 || list[0].PublicID != first {
		t.Fatalf("malformed public id stored: %+v", list)
	}
}

func TestSessionPublicIDsAreUnique(t *testing.T) {
	t.Parallel()
	w := newSessionWorld(t)
	w.save(t, w.ada, publicID(7), firefoxWindows)
	data, _ := session.Codec{}.Encode(w.now.Add(time.Hour), map[string]any{"user_id": w.bob.String(), "public_id": publicID(7)})
	if err := w.store.CommitCtx(context.Background(), "another-token", data, w.now.Add(time.Hour)); err == nil {
		t.Fatal("two sessions share a public id")
	}
}

func TestDeleteUserSessionOnlyReachesTheUsersOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newSessionWorld(t)
	adas := w.save(t, w.ada, publicID(1), firefoxWindows)

	// Bob cannot end Ada's session, even knowing its public id.
	if _, err := w.store.DeleteUserSession(ctx, w.bob, publicID(1)); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("cross-user delete: %v, want ErrNotFound", err)
	}
	if !w.found(t, adas) {
		t.Fatal("another user deleted Ada's session")
	}
	if _, err := w.store.DeleteUserSession(ctx, w.ada, publicID(9)); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("unknown public id: %v", err)
	}

	got, err := w.store.DeleteUserSession(ctx, w.ada, publicID(1))
	if err != nil || got.PublicID != publicID(1) || got.Browser != "Firefox" || got.OS != "Windows" {
		t.Fatalf("DeleteUserSession = %+v %v", got, err)
	}
	if w.found(t, adas) {
		t.Fatal("deleted session still found")
	}
	if _, err := w.store.DeleteUserSession(ctx, w.ada, publicID(1)); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestDeleteUserSessionsKeepsOneOrNone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newSessionWorld(t)
	keep := w.save(t, w.ada, publicID(1), firefoxWindows)
	a2 := w.save(t, w.ada, publicID(2), safariIPhone)
	a3 := w.save(t, w.ada, publicID(3), safariIPhone)
	bobs := w.save(t, w.bob, publicID(4), firefoxWindows)

	if n, err := w.store.DeleteUserSessions(ctx, w.ada, publicID(1)); err != nil || n != 2 {
		t.Fatalf("DeleteUserSessions(keep) = %d %v, want 2", n, err)
	}
	if !w.found(t, keep) || w.found(t, a2) || w.found(t, a3) || !w.found(t, bobs) {
		t.Fatal("wrong sessions deleted")
	}
	if n, err := w.store.DeleteUserSessions(ctx, w.ada, ""); err != nil || n != 1 {
		t.Fatalf("DeleteUserSessions(all) = %d %v, want 1", n, err)
	}
	if w.found(t, keep) || !w.found(t, bobs) {
		t.Fatal("delete-all missed the kept session or reached another user")
	}
}

func TestUpdateNeverBringsBackADeletedSession(t *testing.T) {
	t.Parallel()
	ctx := auth.WithClient(context.Background(), auth.Client{IP: "198.51.100.1", UserAgent: safariIPhone})
	w := newSessionWorld(t)
	token := w.save(t, w.ada, publicID(1), firefoxWindows)
	data, _ := session.Codec{}.Encode(w.now.Add(time.Hour), map[string]any{"user_id": w.ada.String(), "public_id": publicID(1)})

	w.now = w.now.Add(time.Minute)
	ok, err := w.store.UpdateCtx(ctx, token, data, w.now.Add(time.Hour))
	if err != nil || !ok {
		t.Fatalf("UpdateCtx of a live session = %v %v", ok, err)
	}
	list, _ := w.store.UserSessions(ctx, w.ada)
	if len(list) != 1 || list[0].IP != "198.51.100.1" || list[0].OS != "iOS" || !list[0].LastSeenAt.Equal(w.now.UTC().Truncate(time.Microsecond)) {
		t.Fatalf("update not recorded: %+v", list)
	}

	if err := w.store.DeleteCtx(ctx, token); err != nil {
		t.Fatal(err)
	}
	ok, err = w.store.UpdateCtx(ctx, token, data, w.now.Add(time.Hour))
	if err != nil || ok {
		t.Fatalf("UpdateCtx of a deleted session = %v %v, want false", ok, err)
	}
	if w.found(t, token) {
		t.Fatal("an update brought a deleted session back")
	}
}

func TestSetStatusEndsTheUsersSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newSessionWorld(t)
	a1 := w.save(t, w.ada, publicID(1), firefoxWindows)
	a2 := w.save(t, w.ada, publicID(2), safariIPhone)
	bobs := w.save(t, w.bob, publicID(3), firefoxWindows)

	if n, err := w.users.SetStatus(ctx, w.app, w.ada, auth.StatusSuspended); err != nil || n != 2 {
		t.Fatalf("SetStatus(suspended) = %d %v, want 2 sessions ended", n, err)
	}
	if w.found(t, a1) || w.found(t, a2) || !w.found(t, bobs) {
		t.Fatal("suspension ended the wrong sessions")
	}
	acct, err := w.users.Account(ctx, w.app, w.ada)
	if err != nil || acct.User.Status != auth.StatusSuspended {
		t.Fatalf("status after SetStatus = %+v %v", acct.User, err)
	}

	// Reactivating touches no session.
	again := w.save(t, w.ada, publicID(4), firefoxWindows)
	if n, err := w.users.SetStatus(ctx, w.app, w.ada, auth.StatusActive); err != nil || n != 0 || !w.found(t, again) {
		t.Fatalf("SetStatus(active) = %d %v", n, err)
	}
	if _, err := w.users.SetStatus(ctx, w.app, uuid.New(), auth.StatusDeleted); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := w.users.SetStatus(ctx, uuid.New(), w.bob, auth.StatusDeleted); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("user of another app: %v", err)
	}
	if !w.found(t, bobs) {
		t.Fatal("a refused status change ended a session")
	}
}
