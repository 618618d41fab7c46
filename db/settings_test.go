package db_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/password"
)

// fakeMessages writes settings messages that carry the code in the
// subject, so a test can read it back.
type fakeMessages struct{}

func (fakeMessages) ChangeEmailCode(_ context.Context, to, code string, _ time.Duration) (auth.Message, error) {
	return auth.Message{To: to, Subject: code, Text: code, Purpose: "change_email_code"}, nil
}
func (fakeMessages) EmailChanged(_ context.Context, to, masked string) (auth.Message, error) {
	return auth.Message{To: to, Subject: "changed", Text: "changed to " + masked, Purpose: "email_changed"}, nil
}
func (fakeMessages) ReauthCode(_ context.Context, to, code string, _ time.Duration) (auth.Message, error) {
	return auth.Message{To: to, Subject: code, Text: code, Purpose: "reauth_code"}, nil
}

// settingsWorld is the settings flows over a private database, with a
// clock the test moves.
type settingsWorld struct {
	t        *testing.T
	ctx      context.Context
	bdb      *bun.DB
	app      uuid.UUID
	now      time.Time
	mu       sync.Mutex
	box      *sentBox
	audit    *db.Audit
	settings *auth.Settings
	accounts *auth.Service
	codes    *db.Codes
	otp      *otp.Hasher
	users    *db.Users
}

const settingsPassword = "correct horse battery staple"

func newSettingsWorld(t *testing.T) *settingsWorld {
	t.Helper()
	w := &settingsWorld{t: t, ctx: context.Background(), bdb: dbtest.Open(t), now: time.Now().UTC().Truncate(time.Second), box: &sentBox{}}
	w.app = defaultApp(t, w.bdb)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := otp.NewHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	w.otp = h
	w.users = db.NewUsers(w.bdb)
	w.audit = db.NewAudit(w.bdb, w.clock)
	w.codes = db.NewCodes(db.NewOneTime(w.bdb, db.DefaultSendLimits, w.clock), w.box)
	hasher := password.NewHasher(password.Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}, 2)
	w.accounts = auth.NewService(w.users, hasher, w.audit, auth.Options{Clock: w.clock})
	sessions := db.NewSessions(w.bdb, db.SessionKeys{}, w.clock)
	w.settings = auth.NewSettings(db.NewSettings(w.bdb, w.box), w.audit, sessions, w.codes, w.otp, hasher, w.audit,
		auth.SettingsOptions{DeleteGrace: 14 * 24 * time.Hour, Clock: w.clock, Email: fakeMessages{}})
	return w
}

func (w *settingsWorld) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *settingsWorld) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

// signup makes a user with a password and a verified email, a session and
// a refresh-token family, and audit events carrying an IP and a browser.
func (w *settingsWorld) signup(email string) uuid.UUID {
	w.t.Helper()
	ctx := auth.WithClient(w.ctx, auth.Client{IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0", RequestID: "r1"})
	res, err := w.accounts.Signup(ctx, w.app, email, settingsPassword)
	if err != nil || !res.Created {
		w.t.Fatalf("signup %s: %+v %v", email, res, err)
	}
	id := res.User.ID
	if err := w.users.MarkVerified(ctx, w.app, id, auth.IdentityEmail, email); err != nil {
		w.t.Fatal(err)
	}
	tok := sha256.Sum256([]byte(email))
	w.exec("INSERT INTO sessions (token_hash, data, expiry, user_id, ip, user_agent, browser, os) VALUES (?, '\\x00', ?, ?, '203.0.113.7', 'Firefox', 'Firefox', 'Linux')",
		tok[:], w.clock().Add(time.Hour), id)
	w.exec("INSERT INTO token_families (id, app_id, user_id, kind, expires_at) VALUES (?, ?, ?, 'refresh', ?)",
		uuid.Must(uuid.NewV7()), w.app, id, w.clock().Add(time.Hour))
	if err := w.audit.Record(ctx, auth.Event{AppID: w.app, UserID: id, Name: "session.revoke", Outcome: auth.Success,
		Detail: map[string]string{"scope": "one", "browser": "Firefox", "os": "Linux"}}); err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *settingsWorld) exec(query string, args ...any) {
	w.t.Helper()
	if _, err := w.bdb.ExecContext(w.ctx, query, args...); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
}

func (w *settingsWorld) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.bdb.NewRaw(query, args...).Scan(w.ctx, &n); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (w *settingsWorld) status(id uuid.UUID) string {
	w.t.Helper()
	var s string
	if err := w.bdb.NewRaw("SELECT status FROM users WHERE id = ?", id).Scan(w.ctx, &s); err != nil {
		w.t.Fatal(err)
	}
	return s
}

func TestDeletionEndsEverythingAndLoginRestoresWithinGrace(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t)
	id := w.signup("ada@example.com")
	until, err := w.settings.DeleteAccount(w.ctx, w.app, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := w.clock().Add(14 * 24 * time.Hour); !until.Equal(want) {
		t.Fatalf("grace ends %v, want %v", until, want)
	}
	if w.status(id) != "deleted" {
		t.Fatalf("status %s after deletion", w.status(id))
	}
	if n := w.count("SELECT count(*) FROM sessions WHERE user_id = ?", id); n != 0 {
		t.Fatalf("%d sessions left after deletion", n)
	}
	if n := w.count("SELECT count(*) FROM token_families WHERE user_id = ? AND revoked_at IS NULL", id); n != 0 {
		t.Fatalf("%d token families still live after deletion", n)
	}
	if _, err := w.settings.DeleteAccount(w.ctx, w.app, id); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}

	// A wrong password restores nothing.
	if _, err := w.accounts.Login(w.ctx, w.app, "ada@example.com", "wrong password!"); auth.Code(err) != messages.LoginFailed {
		t.Fatalf("wrong password: %v", err)
	}
	if w.status(id) != "deleted" {
		t.Fatal("a wrong password restored the account")
	}
	w.advance(13 * 24 * time.Hour)
	// The right password proves the first factor; nothing is restored
	// until the sign-in's last factor has passed and Restore runs.
	u, err := w.accounts.Login(w.ctx, w.app, "ada@example.com", settingsPassword)
	if err != nil || u.ID != id || u.Restored || u.Status != auth.StatusDeleted {
		t.Fatalf("login in grace = %+v, %v", u, err)
	}
	if w.status(id) != "deleted" {
		t.Fatal("a first factor alone restored the account")
	}
	if u, err = w.accounts.Restore(w.ctx, u, "password"); err != nil || !u.Restored || u.Status != auth.StatusActive {
		t.Fatalf("restore in grace = %+v, %v", u, err)
	}
	if w.status(id) != "active" || w.count("SELECT count(*) FROM users WHERE id = ? AND deleted_at IS NULL AND purge_after IS NULL", id) != 1 {
		t.Fatal("login in grace did not restore the account")
	}
	if w.count("SELECT count(*) FROM audit_events WHERE user_id = ? AND event = 'account.restore'", id) != 1 {
		t.Fatal("no account.restore event")
	}
	again, err := w.accounts.Login(w.ctx, w.app, "ada@example.com", settingsPassword)
	if err == nil {
		again, err = w.accounts.Restore(w.ctx, again, "password")
	}
	if err != nil || again.Restored {
		t.Fatalf("a second login restored again: %+v %v", again, err)
	}

	// Past the grace period, login no longer works and nothing restores.
	if _, err := w.settings.DeleteAccount(w.ctx, w.app, id); err != nil {
		t.Fatal(err)
	}
	w.advance(14*24*time.Hour + time.Second)
	if _, err := w.accounts.Login(w.ctx, w.app, "ada@example.com", settingsPassword); auth.Code(err) != messages.LoginFailed {
		t.Fatalf("login after grace: %v", err)
	}
	if w.status(id) != "deleted" {
		t.Fatal("login after the grace period restored the account")
	}
}

func TestPurgeRemovesPersonalDataAndAnonymisesAudit(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t)
	gone := w.signup("gone@example.com")
	kept := w.signup("kept@example.com")
	w.exec("INSERT INTO identities (id, app_id, user_id, kind, value, verified_at) VALUES (?, ?, ?, 'phone', '+447400123456', now())",
		uuid.Must(uuid.NewV7()), w.app, gone)
	// An outstanding code for the address, bound to nobody.
	if err := w.codes.Issue(w.ctx, otp.Issue{AppID: w.app, Purpose: otp.PurposeLogin, Channel: otp.ChannelEmail, Identity: "gone@example.com",
		CodeHash: w.otp.Code(otp.PurposeLogin, "gone@example.com", "123456"), TTL: time.Minute}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.settings.DeleteAccount(w.ctx, w.app, gone); err != nil {
		t.Fatal(err)
	}
	events := w.count("SELECT count(*) FROM audit_events WHERE user_id = ?", gone)

	if n, err := w.settings.Purge(w.ctx); err != nil || n != 0 {
		t.Fatalf("purge inside the grace period = %d, %v", n, err)
	}
	w.advance(14*24*time.Hour + time.Second)
	if n, err := w.settings.Purge(w.ctx); err != nil || n != 1 {
		t.Fatalf("purge = %d, %v", n, err)
	}
	for table, where := range map[string]string{
		"identities": "user_id = ?", "password_credentials": "user_id = ?", "sessions": "user_id = ?",
		"token_families": "user_id = ?", "one_time_tokens": "user_id = ? OR identity = 'gone@example.com'",
	} {
		if n := w.count("SELECT count(*) FROM "+table+" WHERE "+where, gone); n != 0 {
			t.Errorf("%s: %d rows of the purged user left", table, n)
		}
	}
	if w.count("SELECT count(*) FROM users WHERE id = ? AND status = 'deleted' AND purged_at IS NOT NULL", gone) != 1 {
		t.Fatal("the users row is not kept as purged")
	}
	if n := w.count("SELECT count(*) FROM audit_events WHERE user_id = ?", gone); n != events+1 {
		t.Fatalf("%d audit events after purge, want %d kept and the purge's", n, events+1)
	}
	if n := w.count("SELECT count(*) FROM audit_events WHERE user_id = ? AND (ip <> '' OR user_agent <> '' OR detail ? 'browser' OR detail ? 'os')", gone); n != 0 {
		t.Fatalf("%d audit events still carry personal data", n)
	}
	if w.count("SELECT count(*) FROM audit_events WHERE user_id = ? AND detail->>'scope' = 'one'", gone) != 1 {
		t.Fatal("anonymising dropped details that identify nobody")
	}
	// The other account is untouched.
	if n := w.count("SELECT count(*) FROM audit_events WHERE user_id = ? AND ip = '203.0.113.7' AND detail ? 'browser'", kept); n == 0 {
		t.Fatal("the purge anonymised another user's events")
	}
	if w.count("SELECT count(*) FROM identities WHERE user_id = ?", kept) != 1 {
		t.Fatal("the purge touched another user's identities")
	}
	// A purged account cannot be signed in to or restored.
	if _, err := w.accounts.Login(w.ctx, w.app, "gone@example.com", settingsPassword); auth.Code(err) != messages.LoginFailed {
		t.Fatalf("login to a purged account: %v", err)
	}
	if ok, err := w.users.RestoreDeleted(w.ctx, w.app, gone, w.clock().Add(-30*24*time.Hour)); err != nil || ok {
		t.Fatalf("restore of a purged account = %v, %v", ok, err)
	}
}

func TestAuditStaysAppendOnlyOutsideThePurge(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t)
	id := w.signup("ada@example.com")
	other := w.signup("bob@example.com")
	refused := []struct {
		name string
		sql  []string
	}{
		{"plain update", []string{"UPDATE audit_events SET ip = '' WHERE user_id = '" + id.String() + "'"}},
		{"plain delete", []string{"DELETE FROM audit_events WHERE user_id = '" + id.String() + "'"}},
		{"setting names another user", []string{"SELECT set_config('latch.audit_anonymise', '" + other.String() + "', true)",
			"UPDATE audit_events SET ip = '', user_agent = '' WHERE user_id = '" + id.String() + "'"}},
		{"setting but other columns changed", []string{"SELECT set_config('latch.audit_anonymise', '" + id.String() + "', true)",
			"UPDATE audit_events SET ip = '', user_agent = '', event = 'login' WHERE user_id = '" + id.String() + "'"}},
		{"setting but detail added to", []string{"SELECT set_config('latch.audit_anonymise', '" + id.String() + "', true)",
			"UPDATE audit_events SET ip = '', user_agent = '', detail = detail || '{\"x\":\"y\"}' WHERE user_id = '" + id.String() + "'"}},
		{"setting but ip kept", []string{"SELECT set_config('latch.audit_anonymise', '" + id.String() + "', true)",
			"UPDATE audit_events SET user_agent = '' WHERE user_id = '" + id.String() + "'"}},
		{"setting and delete", []string{"SELECT set_config('latch.audit_anonymise', '" + id.String() + "', true)",
			"DELETE FROM audit_events WHERE user_id = '" + id.String() + "'"}},
	}
	for _, c := range refused {
		err := w.bdb.RunInTx(w.ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range c.sql {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	if n := w.count("SELECT count(*) FROM audit_events WHERE user_id = ? AND ip = '203.0.113.7'", id); n == 0 {
		t.Fatal("a refused statement changed audit rows")
	}
	// The anonymising function does its one job, and the setting does not
	// outlive it.
	var n int64
	err := w.bdb.RunInTx(w.ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw("SELECT anonymise_audit_events(?)", id).Scan(ctx, &n); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE audit_events SET ip = '', user_agent = '' WHERE user_id = ?", other)
		return err
	})
	if err == nil {
		t.Fatal("an update after anonymise_audit_events in the same transaction was accepted")
	}
	if _, err := w.bdb.ExecContext(w.ctx, "SELECT anonymise_audit_events(?)", id); err != nil {
		t.Fatal(err)
	}
	if n := w.count("SELECT count(*) FROM audit_events WHERE user_id = ? AND ip <> ''", id); n != 0 {
		t.Fatalf("anonymise_audit_events left %d rows with an IP", n)
	}
}

func TestIdentityRemovalRule(t *testing.T) {
	t.Parallel()
	now := time.Now()
	email := func(v string, verified bool) auth.Identity {
		id := auth.Identity{Kind: auth.IdentityEmail, Value: v}
		if verified {
			id.VerifiedAt = &now
		}
		return id
	}
	phone := func(v string, verified bool) auth.Identity {
		id := email(v, verified)
		id.Kind = auth.IdentityPhone
		return id
	}
	cases := []struct {
		name   string
		ids    []auth.Identity
		remove auth.Identity
		ok     bool
	}{
		{"last verified email", []auth.Identity{email("a@x.io", true)}, email("a@x.io", true), false},
		{"email with a verified phone", []auth.Identity{email("a@x.io", true), phone("+447400123456", true)}, email("a@x.io", true), true},
		{"phone with a verified email", []auth.Identity{email("a@x.io", true), phone("+447400123456", true)}, phone("+447400123456", true), true},
		{"verified phone leaving an unverified email", []auth.Identity{email("a@x.io", false), phone("+447400123456", true)}, phone("+447400123456", true), false},
		{"unverified phone", []auth.Identity{email("a@x.io", true), phone("+447400123456", false)}, phone("+447400123456", false), true},
		{"one of two phones", []auth.Identity{phone("+447400123456", true), phone("+447400123457", true)}, phone("+447400123456", true), true},
	}
	for _, c := range cases {
		err := auth.CanRemove(auth.Account{Identities: c.ids}, c.remove.Kind, c.remove.Value)
		if (err == nil) != c.ok {
			t.Errorf("%s: CanRemove = %v, want ok %v", c.name, err, c.ok)
		}
	}

	// Through the store: the rule holds, under the user's lock.
	w := newSettingsWorld(t)
	id := w.signup("ada@example.com")
	if err := w.settings.RemoveIdentity(w.ctx, w.app, id, auth.IdentityEmail, "ada@example.com"); auth.Code(err) != messages.IdentityLastWayIn {
		t.Fatalf("removing the last way in: %v", err)
	}
	w.exec("INSERT INTO identities (id, app_id, user_id, kind, value, verified_at) VALUES (?, ?, ?, 'phone', '+447400123456', now())",
		uuid.Must(uuid.NewV7()), w.app, id)
	if err := w.settings.RemoveIdentity(w.ctx, w.app, id, auth.IdentityPhone, "+447400999999"); auth.Code(err) != messages.IdentityNotFound {
		t.Fatalf("removing a number not held: %v", err)
	}
	if err := w.settings.RemoveIdentity(w.ctx, w.app, id, auth.IdentityEmail, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := w.settings.RemoveIdentity(w.ctx, w.app, id, auth.IdentityPhone, "+447400123456"); auth.Code(err) != messages.IdentityLastWayIn {
		t.Fatalf("removing the number left alone: %v", err)
	}
	if w.count("SELECT count(*) FROM audit_events WHERE user_id = ? AND event = 'identity.remove' AND outcome = 'success'", id) != 1 {
		t.Fatal("identity.remove not audited")
	}
}

func TestChangeEmailCodeIsBoundToPurposeAndUser(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t)
	ada := w.signup("ada@example.com")
	bob := w.signup("bob@example.com")
	issue := func(purpose otp.Purpose, user *uuid.UUID, to, code string) {
		t.Helper()
		if err := w.codes.Issue(w.ctx, otp.Issue{AppID: w.app, UserID: user, Purpose: purpose, Channel: otp.ChannelEmail, Identity: to,
			CodeHash: w.otp.Code(purpose, to, code), TTL: time.Minute}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// A login code for the new address cannot change the email.
	issue(otp.PurposeLogin, &ada, "new@example.com", "111111")
	if _, err := w.settings.VerifyEmailChange(w.ctx, w.app, ada, "new@example.com", "111111"); auth.Code(err) != messages.CodeInvalid {
		t.Fatalf("login code changed the email: %v", err)
	}
	// Nor can a change-email code sent for another user.
	w.advance(2 * time.Minute)
	issue(otp.PurposeChangeEmail, &bob, "new@example.com", "222222")
	if _, err := w.settings.VerifyEmailChange(w.ctx, w.app, ada, "new@example.com", "222222"); auth.Code(err) != messages.CodeInvalid {
		t.Fatalf("another user's code changed the email: %v", err)
	}
	// The real flow: a code to the new address, then the change, and a
	// notice to the old one.
	w.advance(2 * time.Minute)
	if _, err := w.settings.RequestEmailChange(w.ctx, w.app, ada, "Ada@example.com"); auth.Code(err) != messages.FormInvalid {
		t.Fatalf("changing to the same address: %v", err)
	}
	to, err := w.settings.RequestEmailChange(w.ctx, w.app, ada, "new@example.com")
	if err != nil || to != "new@example.com" {
		t.Fatalf("RequestEmailChange = %q, %v", to, err)
	}
	sent := w.box.to("new@example.com")
	code := sent[len(sent)-1].Subject
	if _, err := w.settings.VerifyEmailChange(w.ctx, w.app, ada, "new@example.com", "000000"); auth.Code(err) != messages.CodeInvalid {
		t.Fatalf("wrong code: %v", err)
	}
	old, err := w.settings.VerifyEmailChange(w.ctx, w.app, ada, "new@example.com", code)
	if err != nil || old != "ada@example.com" {
		t.Fatalf("VerifyEmailChange = %q, %v", old, err)
	}
	acct, _ := w.users.Account(w.ctx, w.app, ada)
	if acct.Email() != "new@example.com" || acct.Identities[0].VerifiedAt == nil || len(acct.Identities) != 1 {
		t.Fatalf("account after change: %+v", acct)
	}
	notices := w.box.to("ada@example.com")
	if len(notices) != 1 || notices[0].Text != "changed to n***@example.com" {
		t.Fatalf("notice to the old address: %+v", notices)
	}
	// An address of another account is refused only once the code proved it.
	w.advance(2 * time.Minute)
	if _, err := w.settings.RequestEmailChange(w.ctx, w.app, ada, "bob@example.com"); err != nil {
		t.Fatalf("a code to another account's address must still be sent: %v", err)
	}
	sent = w.box.to("bob@example.com")
	if _, err := w.settings.VerifyEmailChange(w.ctx, w.app, ada, "bob@example.com", sent[len(sent)-1].Subject); auth.Code(err) != messages.EmailTaken {
		t.Fatalf("taking another account's address: %v", err)
	}
	if acct, _ := w.users.Account(w.ctx, w.app, ada); acct.Email() != "new@example.com" {
		t.Fatalf("a refused change changed the email: %+v", acct)
	}
}

func TestExportHoldsTheUsersDataAndNoSecrets(t *testing.T) {
	t.Parallel()
	w := newSettingsWorld(t)
	id := w.signup("ada@example.com")
	other := w.signup("bob@example.com")
	e, err := w.settings.Export(w.ctx, w.app, id)
	if err != nil {
		t.Fatal(err)
	}
	if e.User.ID != id || !e.HasPassword || len(e.Identities) != 1 || e.Identities[0].Value != "ada@example.com" {
		t.Fatalf("export profile: %+v", e)
	}
	if len(e.Sessions) != 1 || e.Sessions[0].IP != "203.0.113.7" || e.Sessions[0].Browser != "Firefox" {
		t.Fatalf("export sessions: %+v", e.Sessions)
	}
	if len(e.Events) == 0 {
		t.Fatal("export has no events")
	}
	for _, ev := range e.Events {
		if ev.Name == "" || ev.At.IsZero() {
			t.Fatalf("event without name or time: %+v", ev)
		}
	}
	theirs, _ := w.settings.Activity(w.ctx, w.app, other, 0, 100)
	for _, ev := range e.Events {
		for _, o := range theirs {
			if ev.ID == o.ID {
				t.Fatalf("export holds another user's event %+v", o)
			}
		}
	}
	// Pages of activity do not overlap and run newest first.
	first, _ := w.settings.Activity(w.ctx, w.app, id, 0, 2)
	next, _ := w.settings.Activity(w.ctx, w.app, id, first[len(first)-1].ID, 2)
	if len(first) != 2 || len(next) == 0 || next[0].ID >= first[1].ID || first[0].ID <= first[1].ID {
		t.Fatalf("activity pages: %+v then %+v", first, next)
	}
}
