package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
)

func TestPasskeyStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bdb := dbtest.Open(t)
	app := defaultApp(t, bdb)
	users := db.NewUsers(bdb)
	store := db.NewPasskeys(bdb)
	nu := newUser(t, app, "pat@example.com")
	if err := users.CreatePasswordUser(ctx, nu); err != nil {
		t.Fatal(err)
	}
	uid := nu.User.ID
	now := time.Now().UTC().Truncate(time.Microsecond)

	h1, err := store.UserHandle(ctx, app, uid, now)
	if err != nil || len(h1) != 32 {
		t.Fatalf("handle %x %v", h1, err)
	}
	if h2, _ := store.UserHandle(ctx, app, uid, now); string(h2) != string(h1) {
		t.Fatal("a second call made another handle")
	}
	if got, err := store.UserByHandle(ctx, app, h1); err != nil || got != uid {
		t.Fatalf("UserByHandle = %v %v", got, err)
	}
	if _, err := store.UserByHandle(ctx, app, make([]byte, 32)); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("unknown handle: %v", err)
	}

	p := auth.Passkey{ID: uuid.New(), AppID: app, UserID: uid, CredentialID: []byte("credential-1"), PublicKey: []byte{1, 2, 3},
		AttestationType: "none", SignCount: 5, BackupEligible: true, Transports: []string{"internal"}, UserVerified: true, Name: "Laptop", CreatedAt: now}
	if err := store.AddPasskey(ctx, p); err != nil {
		t.Fatal(err)
	}
	dup := p
	dup.ID = uuid.New()
	if err := store.AddPasskey(ctx, dup); !errors.Is(err, auth.ErrPasskeyTaken) {
		t.Fatalf("same credential id twice: %v", err)
	}
	acct, err := users.Account(ctx, app, uid)
	if err != nil || acct.Passkeys != 1 {
		t.Fatalf("account counts %d passkeys (%v)", acct.Passkeys, err)
	}

	// Ten requests racing with one counter value: exactly one passes.
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed, stale := 0, 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := store.UsePasskey(ctx, app, p.ID, auth.PasskeyUse{SignCount: 6, BackupState: true, At: now})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				passed++
			case errors.Is(err, auth.ErrPasskeyCounter):
				stale++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if passed != 1 || stale != 9 {
		t.Fatalf("racing uses: %d passed, %d stale", passed, stale)
	}
	keys, err := store.Passkeys(ctx, app, uid)
	if err != nil || len(keys) != 1 || keys[0].SignCount != 6 || !keys[0].BackupState || keys[0].LastUsedAt == nil {
		t.Fatalf("after use: %+v %v", keys, err)
	}
	if err := store.UsePasskey(ctx, app, uuid.New(), auth.PasskeyUse{SignCount: 7, At: now}); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("using a missing passkey: %v", err)
	}

	if err := store.RenamePasskey(ctx, app, uuid.New(), p.ID, "x"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("renaming another user's passkey: %v", err)
	}
	// The rule sees the account under the lock; refusing keeps the row.
	refuse := errors.New("refused")
	if err := store.RemovePasskey(ctx, app, uid, p.ID, func(a auth.Account) error {
		if a.Passkeys != 1 {
			t.Errorf("rule saw %d passkeys", a.Passkeys)
		}
		return refuse
	}); !errors.Is(err, refuse) {
		t.Fatalf("refused removal: %v", err)
	}
	if err := store.RemovePasskey(ctx, app, uid, p.ID, func(auth.Account) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := store.RemovePasskey(ctx, app, uid, p.ID, func(auth.Account) error { return nil }); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("removing twice: %v", err)
	}
}

// TestCanRemoveCountsPasskeys: a passkey is a way in on its own.
func TestCanRemoveCountsPasskeys(t *testing.T) {
	t.Parallel()
	at := time.Now()
	email := auth.Identity{Kind: auth.IdentityEmail, Value: "a@example.com", VerifiedAt: &at}
	if err := auth.CanRemove(auth.Account{Identities: []auth.Identity{email}}, email.Kind, email.Value); err == nil {
		t.Fatal("the last verified address removed with no passkey")
	}
	if err := auth.CanRemove(auth.Account{Identities: []auth.Identity{email}, Passkeys: 1}, email.Kind, email.Value); err != nil {
		t.Fatalf("the address refused though a passkey remains: %v", err)
	}
	if err := auth.CanRemovePasskey(auth.Account{Passkeys: 1}); err == nil {
		t.Fatal("the last passkey of an account without a verified identity removed")
	}
	if err := auth.CanRemovePasskey(auth.Account{Passkeys: 2}); err != nil {
		t.Fatal(err)
	}
	if err := auth.CanRemovePasskey(auth.Account{Passkeys: 1, Identities: []auth.Identity{email}}); err != nil {
		t.Fatal(err)
	}
}

// TestClaimByProofRemovesPasskeys: the first proof of an account's address
// removes the passkeys (and the user handle) set up before it, as it
// removes the password and second factor: they were not the owner's.
func TestClaimByProofRemovesPasskeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bdb := dbtest.Open(t)
	app := defaultApp(t, bdb)
	users, store := db.NewUsers(bdb), db.NewPasskeys(bdb)
	nu := newUser(t, app, "squat@example.com")
	if err := users.CreatePasswordUser(ctx, nu); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	old, err := store.UserHandle(ctx, app, nu.User.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	p := auth.Passkey{ID: uuid.New(), AppID: app, UserID: nu.User.ID, CredentialID: []byte("squatter"), PublicKey: []byte{1},
		AttestationType: "none", Name: "Squatter", CreatedAt: now}
	if err := store.AddPasskey(ctx, p); err != nil {
		t.Fatal(err)
	}
	claim, err := users.ClaimByProof(ctx, app, nu.User.ID, "squat@example.com")
	if err != nil || !claim.First {
		t.Fatalf("claim %+v %v", claim, err)
	}
	if keys, _ := store.Passkeys(ctx, app, nu.User.ID); len(keys) != 0 {
		t.Fatalf("%d passkeys left after the first proof", len(keys))
	}
	if _, err := store.UserByHandle(ctx, app, old); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("the old user handle still finds the account: %v", err)
	}
}
