package db_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
)

// statementLog records the text of every statement sent, and how many
// values were bound to it.
type statementLog struct {
	mu  sync.Mutex
	got []string
}

func (l *statementLog) add(query string, args int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, fmt.Sprintf("%d bound | %s", args, query))
}

func (l *statementLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.got
	l.got = nil
	return out
}

// TestHotStatementsKeepOneText runs each hot path (the session lookup of
// every signed-in page, the family check of every bearer request, the
// refresh rotation) for two different sessions, users and tokens, and
// fails when the statements sent differ in text between the two, or carry
// a value in their text instead of as a bound argument: PostgreSQL and
// pgx's statement cache can only reuse a statement whose text is stable.
func TestHotStatementsKeepOneText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := &statementLog{}
	bdb, err := db.Open(ctx, dbtest.DSN(t), db.Options{MaxOpenConns: 2, Trace: log.add})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bdb.Close() })
	app := defaultApp(t, bdb)
	users := db.NewUsers(bdb)
	sessions := db.NewSessions(bdb, sessionKeys, nil)
	tokens := db.NewRefreshTokens(bdb)
	twoFactor := db.NewTwoFactor(bdb)
	recoveries := db.NewRecoveries(bdb, nil) // Open enqueues nothing
	audit := db.NewAudit(bdb, nil)

	now := time.Now().UTC().Truncate(time.Microsecond)
	var (
		userIDs  [2]uuid.UUID
		sessToks [2]string
		families [2]uuid.UUID
		hashes   [2][]byte
	)
	for i := range 2 {
		nu := newUser(t, app, fmt.Sprintf("hot-%d@example.com", i))
		if err := users.CreatePasswordUser(ctx, nu); err != nil {
			t.Fatal(err)
		}
		userIDs[i] = nu.User.ID
		sessToks[i] = fmt.Sprintf("session-token-%d-%d", i, now.UnixNano())
		if err := sessions.CommitCtx(ctx, sessToks[i], []byte("data"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		families[i] = uuid.New()
		h := sha256.Sum256([]byte(fmt.Sprintf("refresh-%d-%d", i, now.UnixNano())))
		hashes[i] = h[:]
		fam := auth.TokenFamily{ID: families[i], AppID: app, UserID: userIDs[i], Kind: auth.FamilyRefresh,
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		first := auth.RefreshToken{ID: uuid.New(), FamilyID: families[i], AppID: app, UserID: userIDs[i], Hash: hashes[i],
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := tokens.CreateFamily(ctx, fam, first); err != nil {
			t.Fatal(err)
		}
	}

	rotate := func(i int) error {
		return tokens.Refresh(ctx, hashes[i], func(st auth.RefreshState) (auth.RefreshDecision, error) {
			at := time.Now().UTC()
			h := sha256.Sum256([]byte(fmt.Sprintf("child-of-%d-%d", i, at.UnixNano())))
			child := auth.RefreshToken{ID: uuid.New(), FamilyID: st.Token.FamilyID, AppID: st.Token.AppID, UserID: st.Token.UserID,
				Hash: h[:], ParentID: &st.Token.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
			return auth.RefreshDecision{At: at, Rotate: &auth.Rotation{Child: child, ReplaySealed: []byte("sealed"), IP: fmt.Sprintf("192.0.2.%d", i+1)}}, nil
		})
	}
	for _, c := range []struct {
		name     string
		run      func(i int) error
		maxCalls int
	}{
		{"session lookup", func(i int) error {
			_, found, err := sessions.FindCtx(ctx, sessToks[i])
			if err == nil && !found {
				err = fmt.Errorf("session %d not found", i)
			}
			return err
		}, 1},
		{"bearer family check", func(i int) error {
			live, err := tokens.FamilyLive(ctx, app, userIDs[i], families[i], time.Now())
			if err == nil && !live {
				err = fmt.Errorf("family %d not live", i)
			}
			return err
		}, 1},
		{"refresh rotation", rotate, 2},
		{"bearer current user", func(i int) error {
			acct, live, err := users.LiveAccount(ctx, app, userIDs[i], families[i], time.Now())
			if err == nil && (!live || acct.User.ID != userIDs[i]) {
				err = fmt.Errorf("account %d behind family %d: live %v, %+v", i, i, live, acct)
			}
			return err
		}, 1},
		{"account of a bearer request or page", func(i int) error {
			acct, err := users.Account(ctx, app, userIDs[i])
			if err == nil && (acct.User.ID != userIDs[i] || len(acct.Identities) != 1) {
				err = fmt.Errorf("account %d: %+v", i, acct)
			}
			return err
		}, 1},
		{"account overview of a page", func(i int) error {
			ov, err := users.AccountOverview(ctx, app, userIDs[i])
			if err == nil && (ov.User.ID != userIDs[i] || len(ov.Identities) != 1 || ov.TwoFactorOn || ov.Recovery != nil) {
				err = fmt.Errorf("account overview %d: %+v", i, ov)
			}
			return err
		}, 1},
		{"token family of a login, with its audit row and roles", func(i int) error {
			fam := auth.TokenFamily{ID: uuid.New(), AppID: app, UserID: userIDs[i], Kind: auth.FamilyRefresh,
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			h := sha256.Sum256([]byte(fmt.Sprintf("login-refresh-%d-%d", i, now.UnixNano())))
			first := auth.RefreshToken{ID: uuid.New(), FamilyID: fam.ID, AppID: app, UserID: userIDs[i], Hash: h[:],
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			_, err := tokens.CreateFamilyRoles(ctx, fam, first, auth.Event{AppID: app, UserID: userIDs[i], Name: "token.issue",
				Outcome: auth.Success, Detail: map[string]string{"grant": "password", "family": fam.ID.String()}})
			return err
		}, 1},
		{"password login lookup", func(i int) error {
			u, hash, err := users.PasswordLogin(ctx, app, auth.IdentityEmail, fmt.Sprintf("hot-%d@example.com", i))
			if err == nil && (u.ID != userIDs[i] || hash == "") {
				err = fmt.Errorf("password login %d: %+v", i, u)
			}
			return err
		}, 1},
		{"audit event of a login", func(i int) error {
			return audit.Record(ctx, auth.Event{AppID: app, UserID: userIDs[i], Name: "login", Outcome: auth.Success,
				Detail: map[string]string{"method": "password", "n": fmt.Sprint(i)}})
		}, 1},
		{"session saved at login", func(i int) error {
			return sessions.CommitCtx(ctx, fmt.Sprintf("login-token-%d-%d", i, now.UnixNano()), []byte(fmt.Sprintf("data-%d", i)), now.Add(time.Hour))
		}, 1},
		{"session saved when it changed", func(i int) error {
			ok, err := sessions.UpdateCtx(ctx, sessToks[i], []byte(fmt.Sprintf("changed-%d", i)), now.Add(2*time.Hour))
			if err == nil && !ok {
				err = fmt.Errorf("session %d gone", i)
			}
			return err
		}, 1},
		{"two-step state of a page", func(i int) error {
			_, err := twoFactor.TOTP(ctx, app, userIDs[i])
			if errors.Is(err, auth.ErrNotFound) {
				err = nil
			}
			return err
		}, 1},
		{"open recovery of a page", func(i int) error {
			_, err := recoveries.Open(ctx, app, userIDs[i])
			if errors.Is(err, auth.ErrNotFound) {
				err = nil
			}
			return err
		}, 1},
	} {
		var texts [2][]string
		for i := range 2 {
			log.take()
			if err := c.run(i); err != nil {
				t.Fatalf("%s %d: %v", c.name, i, err)
			}
			texts[i] = log.take()
		}
		if len(texts[0]) == 0 || len(texts[0]) > c.maxCalls {
			t.Errorf("%s sent %d statements, want 1 to %d: %q", c.name, len(texts[0]), c.maxCalls, texts[0])
		}
		if !slices.Equal(texts[0], texts[1]) {
			t.Errorf("%s: statement text varies between calls:\n%q\n%q", c.name, texts[0], texts[1])
		}
		for _, s := range texts[0] {
			if s[0] == '0' {
				t.Errorf("%s: a statement carries its values in its text: %q", c.name, s)
			}
		}
	}
	// Both rotations happened: each family has one child.
	var children int
	if err := bdb.NewRaw("SELECT count(*) FROM refresh_tokens WHERE parent_id IS NOT NULL").Scan(ctx, &children); err != nil || children != 2 {
		t.Fatalf("%d children (%v), want 2", children, err)
	}
}
