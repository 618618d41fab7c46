package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/web"
)

// accountStatus reads a user's status from the database.
func accountStatus(t *testing.T, h *harness, email string) auth.Status {
	t.Helper()
	var status string
	err := h.db.NewRaw(`SELECT u.status FROM users u JOIN identities i ON i.user_id = u.id WHERE i.kind = 'email' AND i.value = ?`, email).
		Scan(context.Background(), &status)
	if err != nil {
		t.Fatal(err)
	}
	return auth.Status(status)
}

// TestRestoreWaitsForTheSecondFactor: an account deleted by its owner,
// with two-step verification on, is not restored by a password alone, on
// the page or on the token API; passing the second step restores it and
// tells the holder.
func TestRestoreWaitsForTheSecondFactor(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	const addr, pw = "restore-2fa@example.com", settingsPW
	c := h.signup(addr, pw)
	secret, _ := h.enrolTOTP(t, c)
	h.reauth(t, c, pages.DeletePath)
	if r := h.post(c, pages.DeletePath, url.Values{"confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	if s := accountStatus(t, h, addr); s != auth.StatusDeleted {
		t.Fatalf("after delete: %s", s)
	}
	// The token API answers mfa_required and restores nothing.
	if g := h.grant(url.Values{"grant_type": {"password"}, "username": {addr}, "password": {pw}}); g.Error != "mfa_required" {
		t.Fatalf("password grant without a second factor: %d %s", g.status, g.body)
	}
	if s := accountStatus(t, h, addr); s != auth.StatusDeleted {
		t.Fatalf("restored by a password grant without its second factor: %s", s)
	}
	// The page's first step neither.
	b := h.firstFactor(t, addr, pw)
	if s := accountStatus(t, h, addr); s != auth.StatusDeleted {
		t.Fatalf("restored by the first factor alone: %s", s)
	}
	h.clock.Advance(30 * time.Second) // a time step not used at enrolment
	if r := h.secondFactor(b, "code", h.totp(secret, 0)); r.status != http.StatusSeeOther {
		t.Fatalf("second step: %d", r.status)
	}
	if s := accountStatus(t, h, addr); s != auth.StatusActive {
		t.Fatalf("after the second step: %s", s)
	}
	if n := h.queued(t, "account_restored"); n != 1 {
		t.Fatalf("%d restore notices queued, want 1", n)
	}
	restored := false
	for _, e := range h.events(t) {
		restored = restored || (e.Event == "account.restore" && e.Detail["method"] == "password")
	}
	if !restored {
		t.Fatal("restore not audited")
	}
}

// TestResetCommitsOnlyAfterTheSecondFactor: on an account with two-step
// verification, a reset proven by an emailed code changes nothing (the
// old password still works, other sessions stay) until the second step
// passes; then the new password replaces the old and the others end.
func TestResetCommitsOnlyAfterTheSecondFactor(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{twoFactor: true})
	const addr, old, fresh = "reset-2fa@example.com", "correct horse staple 1", "a wholly new passphrase 7"
	owner := h.signup(addr, old)
	secret, _ := h.enrolTOTP(t, owner)
	c := h.browser()
	h.forgot(t, c, addr)
	code, _ := h.awaitReset(t, addr)
	r := h.post(c, pages.ResetCodePath, url.Values{"identity": {addr}, "code": {code}, "password": {fresh}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != pages.SecondFactorPath {
		t.Fatalf("reset of an account with TOTP: %d → %q", r.status, r.header.Get("Location"))
	}
	// Nothing has changed yet.
	if !h.signedIn(owner) {
		t.Fatal("the owner's session ended before the second factor")
	}
	if r := h.post(h.browser(), "/login", creds(addr, old)); r.status != http.StatusSeeOther || r.header.Get("Location") != pages.SecondFactorPath {
		t.Fatalf("the old password before the second step: %d %q", r.status, r.header.Get("Location"))
	}
	if r := h.post(h.browser(), "/login", creds(addr, fresh)); r.status != http.StatusUnauthorized {
		t.Fatalf("the new password before the second step: %d", r.status)
	}
	// The spent code cannot start another reset.
	if r := h.post(h.browser(), pages.ResetCodePath, url.Values{"identity": {addr}, "code": {code}, "password": {"yet another passphrase 8"}}); r.status == http.StatusSeeOther {
		t.Fatal("the reset code worked twice")
	}
	h.clock.Advance(30 * time.Second) // a time step not used at enrolment
	if r := h.secondFactor(c, "code", h.totp(secret, 0)); r.status != http.StatusSeeOther {
		t.Fatalf("second step: %d", r.status)
	}
	if h.signedIn(owner) {
		t.Fatal("another session survived the committed reset")
	}
	if r := h.post(h.browser(), "/login", creds(addr, old)); r.status != http.StatusUnauthorized {
		t.Fatalf("the old password after the reset: %d", r.status)
	}
	if r := h.post(h.browser(), "/login", creds(addr, fresh)); r.status != http.StatusSeeOther {
		t.Fatalf("the new password after the reset: %d", r.status)
	}
}

// twoChannels signs up addr with pw, verifies it, and adds and verifies
// number (its first texted code): an account with both channels.
func (h *harness) twoChannels(t *testing.T, addr, number, pw string) {
	t.Helper()
	a := h.signupUnverified(addr, pw)
	v := h.awaitVerification(t, addr)
	if r := h.post(a, pages.AccountVerifyEmailPath, url.Values{"code": {v.code}}); r.status >= 400 {
		t.Fatalf("verify email: %d", r.status)
	}
	if r := h.post(a, pages.PhoneAddPath, url.Values{"phone": {number}}); r.status != http.StatusOK {
		t.Fatalf("add phone: %d", r.status)
	}
	if r := h.post(a, pages.PhoneAddVerifyPath, url.Values{"phone": {number}, "code": {h.awaitNthCode(t, number, 1)}}); r.status != http.StatusSeeOther {
		t.Fatalf("verify phone: %d", r.status)
	}
}

// TestAPhoneAloneCannotResetAnAccountWithAnEmail: a reset asked by SMS for
// an account that also has a verified email address texts no code, only
// where to go; the page answers as for any number.
func TestAPhoneAloneCannotResetAnAccountWithAnEmail(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, phones: true, passwords: true})
	const addr, number = "two-channels@example.com", "+12015550123"
	h.twoChannels(t, addr, number, "correct horse staple 1")
	c := h.browser()
	r := h.post(c, pages.ForgotPath, url.Values{pages.IdentifierField: {number}})
	if r.status != http.StatusOK || !strings.Contains(r.body, messages.Text(messages.ResetSentPhone)) {
		t.Fatalf("reset by SMS asked: %d", r.status)
	}
	m := h.awaitMail(t, number, "reset_password_sms_elsewhere")
	if !strings.Contains(m.Text, pages.RecoverPath) || regexp.MustCompile(`\d{6}`).MatchString(m.Text) {
		t.Fatalf("the text to a number of an account with an email: %q", m.Text)
	}
	// Whatever code is typed, the number resets nothing.
	for _, code := range []string{"000000", "123456"} {
		r := h.post(c, pages.ResetCodePath, url.Values{"identity": {number}, "channel": {"sms"}, "code": {code}, "password": {"a wholly new passphrase 7"}})
		if r.status == http.StatusSeeOther {
			t.Fatal("a reset by SMS went through on an account with an email address")
		}
	}
	if r := h.post(h.browser(), "/login", creds(addr, "correct horse staple 1")); r.status != http.StatusSeeOther {
		t.Fatalf("the password after the SMS reset attempt: %d", r.status)
	}
}

// TestProvingAnAddressEndsWhatCameBeforeIt: an account made on someone
// else's address (never proven) with a password and a remembered session
// does not survive the owner's first proof of the address: signing in by
// an emailed code ends that session and removes that password.
func TestProvingAnAddressEndsWhatCameBeforeIt(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const victim = "victim@example.com"
	hash, err := h.hasher.Hash(context.Background(), "the attacker's password 1")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := uuid.NewV7()
	if err := db.NewUsers(h.db).CreatePasswordUser(context.Background(), auth.NewPasswordUser{
		User:  auth.User{ID: id, AppID: h.appID, Status: auth.StatusActive, CreatedAt: time.Now().UTC()},
		Email: victim, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	attacker := h.browser()
	remember := creds(victim, "the attacker's password 1")
	remember.Set("remember", "1")
	if r := h.post(attacker, "/login", remember); r.status != http.StatusSeeOther || !h.signedIn(attacker) {
		t.Fatalf("the attacker's sign-in before the proof: %d", r.status)
	}
	owner := h.browser()
	if r := h.post(owner, pages.CodeLoginPath, url.Values{"email": {victim}}); r.status != http.StatusOK {
		t.Fatalf("code request: %d", r.status)
	}
	if r := h.post(owner, pages.CodeLoginVerifyPath, url.Values{"email": {victim}, "code": {h.awaitCode(t, victim)}}); r.status != http.StatusSeeOther {
		t.Fatalf("the owner's code: %d", r.status)
	}
	if r := h.get(owner, "/account"); r.status != http.StatusOK || !strings.Contains(r.body, msg(messages.AddressClaimed)) {
		t.Fatalf("the owner's account page after the first proof: %d %s", r.status, r.body)
	}
	if h.signedIn(attacker) {
		t.Fatal("the attacker's session survived the owner's proof")
	}
	if r := h.post(h.browser(), "/login", creds(victim, "the attacker's password 1")); r.status != http.StatusUnauthorized {
		t.Fatalf("the attacker's password after the owner's proof: %d", r.status)
	}
	claimed := false
	for _, e := range h.events(t) {
		claimed = claimed || (e.Event == "email.verify" && e.Detail["first_proof"] == "true" && e.Detail["password_removed"] == "true")
	}
	if !claimed {
		t.Fatal("the first proof is not audited")
	}
}

// TestRecoveryCommitsOnlyAfterTheSecondFactor: finishing a recovery of an
// account with two-step verification changes neither its email nor its
// password until the second step passes.
func TestRecoveryCommitsOnlyAfterTheSecondFactor(t *testing.T) {
	t.Parallel()
	h := recoveryHarness(t, true)
	owner, _ := recoveryAccount(t, h)
	secret, _ := h.enrolTOTP(t, owner)
	c := h.browser()
	link := startBySMS(t, h, c, 1)
	h.clock.Advance(recoveryWait + time.Minute)
	if r := h.confirmFinish(t, c, link, false); !strings.Contains(r.body, `name="password"`) {
		t.Fatalf("no finish form after the wait:\n%s", r.body)
	}
	r := h.post(c, pages.RecoveryFinishPath, url.Values{"email": {"recovered@example.com"}, "password": {"a brand new passphrase 5"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != pages.SecondFactorPath {
		t.Fatalf("finish of an account with TOTP: %d %q", r.status, r.header.Get("Location"))
	}
	// Nothing has changed yet.
	if !h.signedIn(owner) {
		t.Fatal("the owner's session ended before the second factor")
	}
	if r := h.post(h.browser(), "/login", creds(recoverEmail, "correct horse staple 1")); r.status != http.StatusSeeOther || r.header.Get("Location") != pages.SecondFactorPath {
		t.Fatalf("the old email and password before the second step: %d %q", r.status, r.header.Get("Location"))
	}
	h.clock.Advance(30 * time.Second) // a time step not used at enrolment
	if r := h.secondFactor(c, "code", h.totp(secret, 0)); r.status != http.StatusSeeOther {
		t.Fatalf("second step: %d %s", r.status, r.body)
	}
	if h.signedIn(owner) {
		t.Fatal("the old session survived the committed recovery")
	}
	if r := h.post(h.browser(), "/login", creds("recovered@example.com", "a brand new passphrase 5")); r.status != http.StatusSeeOther {
		t.Fatalf("the new email and password after the second step: %d", r.status)
	}
}

// TestWaysInAreHeldAfterAReset: for 48 hours after a password reset the
// account's email cannot change and no number can be added, so whoever
// reset it through one channel cannot lock its owner out of the others.
func TestWaysInAreHeldAfterAReset(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, passwords: true, phones: true})
	const addr = "held@example.com"
	h.signup(addr, "correct horse staple 1")
	c := h.browser()
	h.forgot(t, c, addr)
	code, _ := h.awaitReset(t, addr)
	if r := h.post(c, pages.ResetCodePath, url.Values{"identity": {addr}, "code": {code}, "password": {"a wholly new passphrase 7"}}); r.status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.status)
	}
	// The reset was a fresh proof: the change pages open, and refuse.
	r := h.post(c, pages.EmailChangePath, url.Values{"email": {"attacker@example.com"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.ChangeHeldAfterReset)) || !strings.Contains(r.body, "attacker@example.com") {
		t.Fatalf("email change right after a reset: %d", r.status)
	}
	if r := h.post(c, pages.PhoneAddPath, url.Values{"phone": {"+12015550123"}}); r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.ChangeHeldAfterReset)) {
		t.Fatalf("adding a number right after a reset: %d", r.status)
	}
	h.clock.Advance(48*time.Hour + time.Minute)
	c = h.browser() // a fresh sign-in is a fresh proof
	if r := h.post(c, "/login", creds(addr, "a wholly new passphrase 7")); r.status != http.StatusSeeOther {
		t.Fatalf("login after the hold: %d", r.status)
	}
	if r := h.post(c, pages.EmailChangePath, url.Values{"email": {"new-held@example.com"}}); r.status != http.StatusOK {
		t.Fatalf("email change after the hold: %d", r.status)
	}
}

// TestSecondStepAndPasskeysAreHeldAfterAReset: for 48 hours after a
// password reset two-step verification cannot be turned on (neither its
// key shown nor its first code taken), no new recovery codes are made and
// no passkey is removed, so whoever reset the password through the mailbox
// cannot take the second step for themselves and strip the owner's
// passkeys. Each refusal is in words, changes nothing and is audited; after
// the hold each change goes through.
func TestSecondStepAndPasskeysAreHeldAfterAReset(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, passwords: true, twoFactor: true, passkeys: true})
	const pw, newPW = "correct horse staple 1", "a wholly new passphrase 7"
	// One account with a passkey and no second step, one with the second step on.
	const keyed, stepped = "keyed@example.com", "stepped@example.com"
	kc := h.signup(keyed, pw)
	h.addPasskey(kc, newSoftKey(t, h.linkOrigin), "Owner's key")
	// Its owner opened the two-step page once: a key waits for its first code.
	m := secretRe.FindStringSubmatch(h.get(kc, pages.TwoFactorPath).body)
	if m == nil {
		t.Fatal("no authenticator key shown before the reset")
	}
	pending, err := otp.DecodeTOTPSecret(m[1])
	if err != nil {
		t.Fatal(err)
	}
	secret, recovery := h.enrolTOTP(t, h.signup(stepped, pw))
	keyID := passkeyIDs(t, h)[0]
	factors := func() (all, on int) {
		t.Helper()
		err := h.db.NewRaw(`SELECT count(*), count(confirmed_at) FROM totp_factors f JOIN identities i ON i.user_id = f.user_id
			WHERE i.kind = 'email' AND i.value = ?`, keyed).Scan(context.Background(), &all, &on)
		if err != nil {
			t.Fatal(err)
		}
		return all, on
	}
	recoveryHashes := func() []string {
		t.Helper()
		var hashes []string
		err := h.db.NewRaw(`SELECT encode(r.code_hash, 'hex') FROM recovery_codes r JOIN identities i ON i.user_id = r.user_id
			WHERE i.kind = 'email' AND i.value = ? AND r.used_at IS NULL ORDER BY 1`, stepped).Scan(context.Background(), &hashes)
		if err != nil {
			t.Fatal(err)
		}
		return hashes
	}
	held := func(what string, e db.AuditEvent) {
		t.Helper()
		if e.Outcome != "failure" || e.Detail["reason"] != "held_after_reset" {
			t.Fatalf("%s during the hold is not audited as held: %+v", what, e)
		}
	}

	// The account with a passkey is reset by whoever reads its mail.
	c := h.browser()
	h.forgot(t, c, keyed)
	code, _ := h.awaitReset(t, keyed)
	if r := h.post(c, pages.ResetCodePath, url.Values{"identity": {keyed}, "code": {code}, "password": {newPW}}); r.status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.status)
	}
	page := h.get(c, pages.TwoFactorPath)
	if page.status != http.StatusOK || !strings.Contains(page.body, msg(messages.ChangeHeldAfterReset)) ||
		secretRe.MatchString(page.body) || strings.Contains(page.body, `id="two-factor-confirm-form"`) {
		t.Fatalf("two-step page right after a reset: %d, refusal shown %v, key shown %v", page.status,
			strings.Contains(page.body, msg(messages.ChangeHeldAfterReset)), secretRe.MatchString(page.body))
	}
	// Viewing the page is not an attempt: nothing is audited until a
	// code is submitted.
	// Even the right code for the key shown before the reset is refused.
	r := h.post(c, pages.TwoFactorPath, url.Values{"code": {h.totp(pending, 0)}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.ChangeHeldAfterReset)) || recoveryRe.MatchString(r.body) {
		t.Fatalf("turning two-step on right after a reset: %d", r.status)
	}
	// With Datastar the panel is patched with the same words.
	r = h.post(c, pages.TwoFactorPath, url.Values{"code": {h.totp(pending, 0)}}, "Datastar-Request", "true")
	if !strings.Contains(r.body, "datastar-patch-elements") || !strings.Contains(r.body, msg(messages.ChangeHeldAfterReset)) || recoveryRe.MatchString(r.body) {
		t.Fatalf("turning two-step on with Datastar right after a reset: %d %s", r.status, r.body)
	}
	if all, on := factors(); all != 1 || on != 0 {
		t.Fatalf("after the refusals: %d authenticator keys, %d on", all, on)
	}
	r = h.post(c, pages.PasskeyRemovePath, url.Values{pages.PasskeyIDField: {keyID}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.ChangeHeldAfterReset)) {
		t.Fatalf("removing a passkey right after a reset: %d", r.status)
	}
	if ids := passkeyIDs(t, h); len(ids) != 1 || ids[0] != keyID {
		t.Fatalf("passkeys after the refused removal: %v", ids)
	}
	held("removing a passkey", lastEvent(t, h, "passkey.remove"))
	// Nor the address, though the passkey would remain as a way in.
	r = h.post(c, pages.IdentityRemovePath, url.Values{pages.KindField: {"email"}, pages.ValueField: {keyed}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.ChangeHeldAfterReset)) {
		t.Fatalf("removing the address right after a reset: %d", r.status)
	}
	held("removing the address", lastEvent(t, h, "identity.remove"))

	// The account with the second step is reset through both steps.
	c2 := h.browser()
	h.forgot(t, c2, stepped)
	code, _ = h.awaitReset(t, stepped)
	r = h.post(c2, pages.ResetCodePath, url.Values{"identity": {stepped}, "code": {code}, "password": {newPW}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != pages.SecondFactorPath {
		t.Fatalf("reset with two-step on: %d %q", r.status, r.header.Get("Location"))
	}
	h.clock.Advance(30 * time.Second) // a time step not used at enrolment
	if r := h.secondFactor(c2, "code", h.totp(secret, 0)); r.status != http.StatusSeeOther {
		t.Fatalf("second step of the reset: %d", r.status)
	}
	before := recoveryHashes()
	r = h.post(c2, pages.TwoFactorRecoveryPath, url.Values{})
	if r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.ChangeHeldAfterReset)) || recoveryRe.MatchString(r.body) {
		t.Fatalf("new recovery codes right after a reset: %d", r.status)
	}
	r = h.post(c2, pages.TwoFactorRecoveryPath, url.Values{}, "Datastar-Request", "true")
	if !strings.Contains(r.body, "datastar-patch-elements") || !strings.Contains(r.body, msg(messages.ChangeHeldAfterReset)) || recoveryRe.MatchString(r.body) {
		t.Fatalf("new recovery codes with Datastar right after a reset: %d %s", r.status, r.body)
	}
	if after := recoveryHashes(); len(after) != len(recovery) || !slices.Equal(after, before) {
		t.Fatalf("recovery codes after the refusal: %d stored, changed %v", len(after), !slices.Equal(after, before))
	}
	held("new recovery codes", lastEvent(t, h, "recovery_codes.regenerate"))
	// The holders' security activity words the refusals as such.
	for who, cl := range map[string]*http.Client{keyed: c, stepped: c2} {
		page := h.get(cl, pages.ActivityPath)
		if page.status != http.StatusOK || !strings.Contains(page.body, msg(messages.ActivityChangeHeld)) ||
			strings.Contains(page.body, msg(messages.ActivityRecoveryCodesNew)) || strings.Contains(page.body, msg(messages.ActivityTOTPRefused)) {
			t.Fatalf("security activity of %s during the hold: %d, held refusal shown %v", who, page.status,
				strings.Contains(page.body, msg(messages.ActivityChangeHeld)))
		}
	}

	// The hold ends: the resets are moved 48 hours into the past rather
	// than the test clock forward, so the sessions the resets signed in
	// stay fresh (in this harness a second step begun after a 48-hour jump
	// of the clock finds its session expired, as the store compares the
	// wall-clock expiry scs sets with the test clock).
	if _, err := h.db.NewRaw(`UPDATE users SET password_reset_at = password_reset_at - interval '48 hours 1 minute'
		WHERE password_reset_at IS NOT NULL`).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = h.post(c2, pages.TwoFactorRecoveryPath, url.Values{})
	fresh := recoveryRe.FindAllStringSubmatch(r.body, -1)
	if r.status != http.StatusOK || len(fresh) != 10 {
		t.Fatalf("new recovery codes after the hold: %d, %d codes", r.status, len(fresh))
	}
	if hashes := recoveryHashes(); slices.Equal(hashes, before) {
		t.Fatal("the recovery codes made after the hold are stored as the old ones")
	}
	if r := h.post(c, pages.PasskeyRemovePath, url.Values{pages.PasskeyIDField: {keyID}}); r.status != http.StatusSeeOther {
		t.Fatalf("removing a passkey after the hold: %d %s", r.status, r.body)
	}
	if ids := passkeyIDs(t, h); len(ids) != 0 {
		t.Fatalf("passkeys after the removal: %v", ids)
	}
	if got, _ := h.enrolTOTP(t, c); !bytes.Equal(got, pending) {
		t.Fatal("the key waiting since before the reset was replaced")
	}
	if all, on := factors(); all != 1 || on != 1 {
		t.Fatalf("after enrolling past the hold: %d authenticator keys, %d on", all, on)
	}
}

// TestAskingForACodeStoresNoSession: a visitor signed in to nothing who
// asks for a login code or a reset gets no session row; the browser
// remembers the link it asked for in a cookie of its own.
func TestAskingForACodeStoresNoSession(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, passwords: true})
	h.signup("no-session@example.com", "correct horse staple 1")
	count := func() int {
		var n int
		if err := h.db.NewRaw("SELECT count(*) FROM sessions WHERE user_id IS NULL").Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	c := h.browser()
	for _, addr := range []string{"no-session@example.com", "nobody-here@example.com"} {
		if r := h.post(c, pages.CodeLoginPath, url.Values{"email": {addr}}); r.status != http.StatusOK || sessionCookie(t, r.header) != nil {
			t.Fatalf("code request for %s: %d, session cookie %v", addr, r.status, sessionCookie(t, r.header))
		}
		h.clock.Advance(61 * time.Second)
	}
	if r := h.post(c, pages.ForgotPath, url.Values{pages.IdentifierField: {"no-session@example.com"}}); r.status != http.StatusOK {
		t.Fatalf("reset request: %d", r.status)
	}
	if n := count(); n != before {
		t.Fatalf("%d anonymous session rows after the requests, %d before", n, before)
	}
}

// TestAPhoneAloneIsNotAProofOnAnAccountWithAnEmail: a texted code signs in
// to an account that also has a verified email address, but removing or
// changing the address asks for the password (or a code to the address)
// first: a SIM swap alone does not take the account. On an account whose
// only address is the phone, the texted code is a proof.
func TestAPhoneAloneIsNotAProofOnAnAccountWithAnEmail(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, phones: true, passwords: true})
	const addr, number, pw = "sim@example.com", "+12015550177", "correct horse staple 2"
	h.twoChannels(t, addr, number, pw)
	h.clock.Advance(2 * time.Minute) // past the send cooldown

	c := h.browser()
	if r := h.post(c, pages.CodeLoginPath, url.Values{"email": {number}}); r.status != http.StatusOK {
		t.Fatalf("code login by SMS: %d", r.status)
	}
	if r := h.post(c, pages.CodeLoginVerifyPath, url.Values{"email": {number}, "code": {h.awaitNthCode(t, number, 2)}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("SMS sign-in: %d %q", r.status, r.header.Get("Location"))
	}
	if g := h.get(c, "/account"); g.status != http.StatusOK {
		t.Fatalf("signed in by SMS, /account: %d", g.status)
	}
	remove := url.Values{pages.KindField: {"email"}, pages.ValueField: {addr}}
	if r := h.post(c, pages.IdentityRemovePath, remove); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), web.ReauthPath) {
		t.Fatalf("removing the email right after an SMS sign-in: %d → %q, want the proof page", r.status, r.header.Get("Location"))
	}
	if r := h.get(c, pages.EmailChangePath); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), web.ReauthPath) {
		t.Fatalf("changing the email right after an SMS sign-in: %d → %q, want the proof page", r.status, r.header.Get("Location"))
	}
	if r := h.post(h.browser(), "/login", creds(addr, pw)); r.status != http.StatusSeeOther {
		t.Fatalf("the email and password after the SMS sign-in: %d", r.status)
	}
	// The password is the proof the texted code was not.
	if r := h.post(c, web.ReauthPath, url.Values{"password": {pw}, pages.ReauthMethodField: {"password"}}); r.status != http.StatusSeeOther {
		t.Fatalf("proof by password: %d %s", r.status, r.body)
	}
	if r := h.get(c, pages.EmailChangePath); r.status != http.StatusOK {
		t.Fatalf("changing the email after the proof: %d", r.status)
	}

	// A phone-only account: the texted code is its proof.
	const lone = "+12015550188"
	p := h.phoneSignup(t, lone, lone, 1)
	h.clock.Advance(web.ReauthWindow + time.Minute)
	if r := h.post(p, pages.CodeLoginPath, url.Values{"email": {lone}}); r.status != http.StatusOK {
		t.Fatalf("code login of the phone-only account: %d", r.status)
	}
	if r := h.post(p, pages.CodeLoginVerifyPath, url.Values{"email": {lone}, "code": {h.awaitNthCode(t, lone, 2)}}); r.status != http.StatusSeeOther {
		t.Fatalf("SMS sign-in of the phone-only account: %d", r.status)
	}
	if r := h.get(p, pages.EmailChangePath); r.status != http.StatusOK {
		t.Fatalf("adding an email to the phone-only account after its SMS sign-in: %d → %q", r.status, r.header.Get("Location"))
	}
}
