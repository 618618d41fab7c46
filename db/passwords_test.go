package db_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/otp"
)

const otherHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

// family starts a refresh-token family for user and returns its id.
func family(t *testing.T, w *sessionWorld, user uuid.UUID) uuid.UUID {
	t.Helper()
	fid, tid := uuid.New(), uuid.New()
	h := sha256.Sum256([]byte(tid.String()))
	err := db.NewRefreshTokens(w.db).CreateFamily(context.Background(),
		auth.TokenFamily{ID: fid, AppID: w.app, UserID: user, Kind: auth.FamilyRefresh, CreatedAt: w.now, ExpiresAt: w.now.Add(time.Hour)},
		auth.RefreshToken{ID: tid, FamilyID: fid, AppID: w.app, UserID: user, Hash: h[:], CreatedAt: w.now, ExpiresAt: w.now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return fid
}

func live(t *testing.T, w *sessionWorld, user, fid uuid.UUID) bool {
	t.Helper()
	ok, err := db.NewRefreshTokens(w.db).FamilyLive(context.Background(), w.app, user, fid, w.now)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestResetCodeIsCheckedWithoutSpendingAndBoundToItsPurpose(t *testing.T) {
	t.Parallel()
	w := newOneTimeWorld(t)
	ctx := context.Background()
	const ada = "ada@example.com"
	code := w.send(t, otp.PurposeResetPassword, ada)
	hash := w.hasher.Code(otp.PurposeResetPassword, ada, code)
	for range 2 {
		if _, err := w.store.Check(ctx, w.app, otp.PurposeResetPassword, ada, hash); err != nil {
			t.Fatalf("Check = %v", err)
		}
	}
	// A login code never resets a password, nor a reset code logs in.
	login := w.send(t, otp.PurposeLogin, ada)
	if _, err := w.store.Check(ctx, w.app, otp.PurposeResetPassword, ada, w.hasher.Code(otp.PurposeLogin, ada, login)); !errors.Is(err, otp.ErrInvalid) {
		t.Fatalf("login code as reset = %v", err)
	}
	if err := w.verify(otp.PurposeLogin, ada, code); !errors.Is(err, otp.ErrInvalid) {
		t.Fatalf("reset code as login = %v", err)
	}
	// The reset code is untouched by both, and still works once.
	if _, err := w.store.Verify(ctx, w.app, otp.PurposeResetPassword, ada, hash); err != nil {
		t.Fatalf("Verify after Checks = %v", err)
	}
	if _, err := w.store.Check(ctx, w.app, otp.PurposeResetPassword, ada, hash); !errors.Is(err, otp.ErrUsed) {
		t.Fatalf("Check after use = %v", err)
	}
}

func TestSetPasswordSpendsEndsSessionsAndRevokesFamiliesAtOnce(t *testing.T) {
	t.Parallel()
	w := newSessionWorld(t)
	ctx := context.Background()
	hasher, err := otp.NewHasher(make([]byte, otp.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	onetime := db.NewOneTime(w.db, db.DefaultSendLimits, func() time.Time { return w.now })
	store := db.NewPasswords(w.db, onetime, nil, func() time.Time { return w.now })

	kept := w.save(t, w.ada, publicID(1), "Firefox")
	ended := w.save(t, w.ada, publicID(2), "Chrome")
	bobs := w.save(t, w.bob, publicID(3), "Safari")
	adaFam, bobFam := family(t, w, w.ada), family(t, w, w.bob)

	code := otp.NewCode()
	if _, err := onetime.Create(ctx, otp.Issue{AppID: w.app, UserID: &w.ada, Purpose: otp.PurposeResetPassword, Channel: otp.ChannelEmail,
		Identity: "ada@example.com", CodeHash: hasher.Code(otp.PurposeResetPassword, "ada@example.com", code), TTL: 15 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	rec, err := onetime.Check(ctx, w.app, otp.PurposeResetPassword, "ada@example.com", hasher.Code(otp.PurposeResetPassword, "ada@example.com", code))
	if err != nil {
		t.Fatal(err)
	}
	changed, err := store.SetPassword(ctx, auth.PasswordChange{AppID: w.app, UserID: w.ada, Hash: otherHash, Spend: rec.ID,
		EndSessions: true, Keep: publicID(1), Reason: "password_reset"})
	if err != nil || changed.Sessions != 1 || changed.Families != 1 {
		t.Fatalf("SetPassword = %+v %v", changed, err)
	}
	if !w.found(t, kept) || w.found(t, ended) || !w.found(t, bobs) {
		t.Fatal("sessions: want ada's kept one and bob's only")
	}
	if live(t, w, w.ada, adaFam) || !live(t, w, w.bob, bobFam) {
		t.Fatal("families: want ada's revoked and bob's live")
	}
	if h, err := store.PasswordHash(ctx, w.app, w.ada); err != nil || h != otherHash {
		t.Fatalf("PasswordHash = %q %v", h, err)
	}
	// Spent: a second change with it changes nothing at all.
	_, err = store.SetPassword(ctx, auth.PasswordChange{AppID: w.app, UserID: w.ada, Hash: fakeHash, Spend: rec.ID, Reason: "password_reset"})
	if !errors.Is(err, otp.ErrUsed) {
		t.Fatalf("second SetPassword = %v, want ErrUsed", err)
	}
	if h, _ := store.PasswordHash(ctx, w.app, w.ada); h != otherHash {
		t.Fatal("a refused change still wrote the password")
	}
}

func TestSetPasswordRefusesAnExpiredOrVoidedCode(t *testing.T) {
	t.Parallel()
	w := newSessionWorld(t)
	ctx := context.Background()
	hasher, _ := otp.NewHasher(make([]byte, otp.KeySize))
	onetime := db.NewOneTime(w.db, db.SendLimits{Cooldown: time.Nanosecond, PerWindow: 100, Window: time.Hour}, func() time.Time { return w.now })
	store := db.NewPasswords(w.db, onetime, nil, func() time.Time { return w.now })
	issue := func() otp.Record {
		code := otp.NewCode()
		if _, err := onetime.Create(ctx, otp.Issue{AppID: w.app, UserID: &w.ada, Purpose: otp.PurposeResetPassword, Channel: otp.ChannelEmail,
			Identity: "ada@example.com", CodeHash: hasher.Code(otp.PurposeResetPassword, "ada@example.com", code), TTL: 15 * time.Minute}); err != nil {
			t.Fatal(err)
		}
		rec, err := onetime.Check(ctx, w.app, otp.PurposeResetPassword, "ada@example.com", hasher.Code(otp.PurposeResetPassword, "ada@example.com", code))
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	old := issue()
	w.now = w.now.Add(time.Second)
	issue() // voids the older one
	if _, err := store.SetPassword(ctx, auth.PasswordChange{AppID: w.app, UserID: w.ada, Hash: otherHash, Spend: old.ID}); !errors.Is(err, otp.ErrUsed) {
		t.Fatalf("voided: %v", err)
	}
	w.now = w.now.Add(time.Second)
	late := issue()
	w.now = w.now.Add(15 * time.Minute)
	if _, err := store.SetPassword(ctx, auth.PasswordChange{AppID: w.app, UserID: w.ada, Hash: otherHash, Spend: late.ID}); !errors.Is(err, otp.ErrUsed) {
		t.Fatalf("expired: %v", err)
	}
	if h, _ := store.PasswordHash(ctx, w.app, w.ada); h == otherHash {
		t.Fatal("a refused change wrote the password")
	}
}
