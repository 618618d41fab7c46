package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
)

// AccountOverview reads what Account, TwoFactor.TOTP and Recoveries.Open
// read, in one statement.
func TestAccountOverviewMatchesItsParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bdb := dbtest.Open(t)
	app := defaultApp(t, bdb)
	users := db.NewUsers(bdb)
	twoFactor := db.NewTwoFactor(bdb)
	recoveries := db.NewRecoveries(bdb, nil)
	nu := newUser(t, app, "overview@example.com")
	if err := users.CreatePasswordUser(ctx, nu); err != nil {
		t.Fatal(err)
	}
	uid := nu.User.ID
	now := time.Now().UTC().Truncate(time.Microsecond)

	ov, err := users.AccountOverview(ctx, app, uid)
	if err != nil || ov.Email() != "overview@example.com" || len(ov.Identities) != 1 || ov.TwoFactorOn || ov.Recovery != nil {
		t.Fatalf("AccountOverview = %+v %v", ov, err)
	}
	if _, err := users.AccountOverview(ctx, app, uuid.New()); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := users.AccountOverview(ctx, uuid.New(), uid); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("user of another app: %v", err)
	}

	// An unconfirmed second factor is not on; a confirmed one is.
	if err := twoFactor.BeginTOTP(ctx, app, uid, make([]byte, 48), now); err != nil {
		t.Fatal(err)
	}
	if ov, err := users.AccountOverview(ctx, app, uid); err != nil || ov.TwoFactorOn {
		t.Fatalf("unconfirmed factor: %+v %v", ov, err)
	}
	if err := twoFactor.ConfirmTOTP(ctx, app, uid, 1, [][]byte{make([]byte, 32)}, now); err != nil {
		t.Fatal(err)
	}
	if ov, err := users.AccountOverview(ctx, app, uid); err != nil || !ov.TwoFactorOn {
		t.Fatalf("confirmed factor: %+v %v", ov, err)
	}

	// The open recovery request, as Open reads it.
	req := auth.RecoveryRequest{ID: uuid.New(), AppID: app, UserID: uid, Method: "sms",
		CreatedAt: now, ReadyAt: now.Add(48 * time.Hour), ExpiresAt: now.Add(72 * time.Hour)}
	if err := recoveries.Create(ctx, auth.RecoveryStart{Request: req, FinishHash: bytes32(1), CancelHash: bytes32(2)}); err != nil {
		t.Fatal(err)
	}
	open, err := recoveries.Open(ctx, app, uid)
	if err != nil {
		t.Fatal(err)
	}
	ov, err = users.AccountOverview(ctx, app, uid)
	if err != nil || ov.Recovery == nil || *ov.Recovery != open || len(ov.Identities) != 1 || !ov.TwoFactorOn {
		t.Fatalf("open recovery: %+v %v, want %+v", ov, err, open)
	}
}

func bytes32(b byte) []byte {
	h := make([]byte, 32)
	h[0] = b
	return h
}

// CreateFamilyRoles writes what CreateFamily writes, records the grant in
// the audit log and reads the user's roles, sorted, in the same statement;
// a family that cannot be written leaves no audit row.
func TestCreateFamilyRolesWritesTheFamilyAndReadsRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bdb := dbtest.Open(t)
	app := defaultApp(t, bdb)
	users := db.NewUsers(bdb)
	tokens := db.NewRefreshTokens(bdb)
	rs := db.NewRoles(bdb)
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i, want := range [][]string{nil, {"admin", "support"}} {
		nu := newUser(t, app, []string{"plain@example.com", "staff@example.com"}[i])
		if err := users.CreatePasswordUser(ctx, nu); err != nil {
			t.Fatal(err)
		}
		for _, r := range []string{"support", "admin"}[:len(want)] {
			if _, err := rs.Grant(ctx, app, nu.User.ID, r, uuid.Nil); err != nil {
				t.Fatal(err)
			}
		}
		fam := auth.TokenFamily{ID: uuid.New(), AppID: app, UserID: nu.User.ID, Kind: auth.FamilyRefresh,
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		first := auth.RefreshToken{ID: uuid.New(), FamilyID: fam.ID, AppID: app, UserID: nu.User.ID, Hash: bytes32(byte(10 + i)),
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		issued := auth.Event{AppID: app, UserID: nu.User.ID, Name: "token.issue", Outcome: auth.Success,
			Detail: map[string]string{"grant": "password", "family": fam.ID.String()}}
		held, err := tokens.CreateFamilyRoles(ctx, fam, first, issued)
		if err != nil || len(held) != len(want) || (len(want) == 2 && (held[0] != want[0] || held[1] != want[1])) {
			t.Fatalf("user %d: roles %v %v, want %v", i, held, err, want)
		}
		if live, err := tokens.FamilyLive(ctx, app, nu.User.ID, fam.ID, now); err != nil || !live {
			t.Fatalf("user %d: family not written: %v %v", i, live, err)
		}
		// The audit row came with the family, once.
		var rows int
		if err := bdb.NewRaw("SELECT count(*) FROM audit_events WHERE user_id = ? AND event = 'token.issue' AND detail->>'family' = ?",
			nu.User.ID, fam.ID.String()).Scan(ctx, &rows); err != nil || rows != 1 {
			t.Fatalf("user %d: %d token.issue rows for the family (%v), want 1", i, rows, err)
		}
		if _, err := tokens.CreateFamilyRoles(ctx, fam, first, issued); err == nil {
			t.Fatalf("user %d: the same family written twice", i)
		}
		// A refused family writes no audit row either.
		if err := bdb.NewRaw("SELECT count(*) FROM audit_events WHERE user_id = ? AND event = 'token.issue'",
			nu.User.ID).Scan(ctx, &rows); err != nil || rows != 1 {
			t.Fatalf("user %d: %d token.issue rows after a refused family (%v), want 1", i, rows, err)
		}
	}
}
