package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/token"
	"github.com/latch-dev/latch/server/web"
)

// newTwoFactor wires two-step verification as main does, on the harness
// clock, with its own key-encryption key.
func newTwoFactor(t testing.TB, bdb *bun.DB, audit auth.Auditor, notices auth.Notifier, clk *clock, log *slog.Logger, g *guard.Guard) *auth.TwoFactor {
	t.Helper()
	kek := make([]byte, token.KEKSize)
	if _, err := rand.Read(kek); err != nil {
		t.Fatal(err)
	}
	sealer, err := token.NewSealer(kek, token.PurposeTOTP)
	if err != nil {
		t.Fatal(err)
	}
	key, err := otp.DeriveKey(kek)
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := otp.NewHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewTwoFactor(db.NewUsers(bdb), db.NewTwoFactor(bdb), sealer, hasher, audit, auth.TwoFactorOptions{
		Messages: web.TwoFactorMessages{Brand: email.Brand{AppName: "Latch"}}, Notifier: notices, Clock: clk.Now, Logger: log, Guard: g, Failures: db.NewAudit(bdb, clk.Now),
	})
}

var (
	secretRe   = regexp.MustCompile(`data-testid="totp-secret">([A-Z2-7 ]+)<`)
	recoveryRe = regexp.MustCompile(`data-testid="recovery-code">([a-z2-9]{5}-[a-z2-9]{5})<`)
)

// enrolTOTP turns two-step verification on for the signed-in client c as
// a person would: it reads the key shown as text, computes the app's code
// and confirms it. It returns the secret and the recovery codes shown.
func (h *harness) enrolTOTP(t *testing.T, c *http.Client) ([]byte, []string) {
	t.Helper()
	page := h.get(c, "/account/2fa")
	m := secretRe.FindStringSubmatch(page.body)
	if page.status != 200 || m == nil {
		t.Fatalf("GET /account/2fa: %d, no key shown: %s", page.status, page.body)
	}
	for _, want := range []string{`<svg class="qr-code"`, `role="img"`, `<path d="M`, `autocomplete="one-time-code"`, `inputmode="numeric"`, `action="/account/2fa"`} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("enrolment page lacks %q", want)
		}
	}
	secret, err := otp.DecodeTOTPSecret(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if again := h.get(c, "/account/2fa"); !strings.Contains(again.body, m[1]) {
		t.Fatal("reloading the enrolment page changed the key")
	}
	r := h.post(c, "/account/2fa", url.Values{"code": {h.totp(secret, 0)}})
	codes := recoveryRe.FindAllStringSubmatch(r.body, -1)
	if r.status != 200 || len(codes) != 10 || !strings.Contains(r.body, msg(messages.TwoFactorEnabled)) {
		t.Fatalf("confirming the first code: %d, %d recovery codes: %s", r.status, len(codes), r.body)
	}
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c[1]
	}
	return secret, out
}

// totp is the code the app shows offset steps from now.
func (h *harness) totp(secret []byte, offset int64) string {
	return otp.TOTPCode(secret, otp.TOTPStep(h.clock.Now())+offset)
}

// firstFactor logs in with a password and expects the second step.
func (h *harness) firstFactor(t *testing.T, email, pw string) *http.Client {
	t.Helper()
	c := h.browser()
	r := h.post(c, "/login", creds(email, pw))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login/verify" {
		t.Fatalf("password login of an account with TOTP: %d → %q", r.status, r.header.Get("Location"))
	}
	return c
}

func (h *harness) secondFactor(c *http.Client, field, code string) reply {
	h.t.Helper()
	return h.post(c, "/login/verify", url.Values{field: {code}})
}

func lastEvent(t *testing.T, h *harness, name string) db.AuditEvent {
	t.Helper()
	for _, e := range h.events(t) {
		if e.Event == name {
			return e
		}
	}
	t.Fatalf("no %s event", name)
	return db.AuditEvent{}
}

func TestTOTPEnrolAndPasswordSignIn(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	const addr, pw = "ada@example.com", "correct horse staple 1"
	c := h.signup(addr, pw)
	if r := h.get(c, "/account"); !strings.Contains(r.body, `data-testid="account-two-factor"`) || !strings.Contains(r.body, `href="/account/2fa"`) {
		t.Fatalf("account page does not show two-step verification: %s", r.body)
	}
	secret, _ := h.enrolTOTP(t, c)
	if e := lastEvent(t, h, "totp.enable"); e.Outcome != "success" {
		t.Fatalf("totp.enable: %+v", e)
	}
	if n := h.awaitMail(t, addr, "two_factor_enabled"); !strings.Contains(n.Text, messages.Text(messages.EmailNotYou)) {
		t.Fatalf("enabled notice: %q", n.Text)
	}

	// The secret is stored sealed: neither its bytes nor its text are in the row.
	var sealed []byte
	if err := h.db.NewRaw("SELECT secret_sealed FROM totp_factors").Scan(context.Background(), &sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, secret) || bytes.Contains(sealed, []byte(otp.EncodeTOTPSecret(secret))) {
		t.Fatal("the TOTP secret is stored in clear")
	}

	if r := h.post(c, "/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	b := h.firstFactor(t, addr, pw)
	// Half-way, nobody is signed in.
	if r := h.get(b, "/account"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Faccount" {
		t.Fatalf("account page before the second factor: %d %q", r.status, r.header.Get("Location"))
	}
	page := h.get(b, "/login/verify")
	for _, want := range []string{`action="/login/verify"`, `name="code"`, `autocomplete="one-time-code"`, `inputmode="numeric"`, `href="/login/verify?recovery=1"`} {
		if page.status != 200 || !strings.Contains(page.body, want) {
			t.Fatalf("second step: %d, lacks %q", page.status, want)
		}
	}
	// The code used to turn it on is spent.
	if r := h.secondFactor(b, "code", h.totp(secret, 0)); r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.TwoFactorCodeInvalid)) {
		t.Fatalf("the enrolment code again: %d", r.status)
	}
	h.clock.Advance(30 * time.Second)
	code := h.totp(secret, 0)
	r := h.secondFactor(b, "code", code)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("right code: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if r := h.get(b, "/account"); r.status != 200 {
		t.Fatalf("account page after the second factor: %d", r.status)
	}
	if e := lastEvent(t, h, "login"); e.Outcome != "success" || e.Detail["method"] != "password" || e.Detail["second_factor"] != "totp" {
		t.Fatalf("login event: %+v", e)
	}

	// Replay: the same code, in the same window, on another sign-in.
	b2 := h.firstFactor(t, addr, pw)
	if r := h.secondFactor(b2, "code", code); r.status != http.StatusUnauthorized {
		t.Fatalf("replayed code: %d", r.status)
	}
	// Clock skew: the next step's code (a phone 30 s ahead) is accepted.
	if r := h.secondFactor(b2, "code", h.totp(secret, 1)); r.status != http.StatusSeeOther {
		t.Fatalf("code of the next step: %d", r.status)
	}
}

func TestTOTPSkewAndReplayInService(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{twoFactor: true})
	c := h.signup("skew@example.com", "correct horse staple 1")
	secret, _ := h.enrolTOTP(t, c)
	id := userID(t, h, c)
	ctx := context.Background()
	h.clock.Advance(5 * time.Minute)
	check := func(offset int64, want bool) {
		t.Helper()
		err := h.second.VerifyTOTP(ctx, h.appID, id, h.totp(secret, offset))
		if (err == nil) != want {
			t.Fatalf("offset %d steps: %v, want accepted %v", offset, err, want)
		}
	}
	check(-2, false) // 60 s behind
	check(+2, false) // 60 s ahead
	check(-1, true)
	check(-1, false) // replay
	check(0, true)
	check(0, false)  // replay
	check(-1, false) // older than one used
	// Five wrong codes spent the account's burst: the next check waits
	// for the guard (one more every 3 minutes).
	h.clock.Advance(3 * time.Minute)
	check(+1, true)
	if err := h.second.VerifyTOTP(ctx, h.appID, id, "12345"); err == nil {
		t.Fatal("a five-digit code was accepted")
	}
}

// userID reads the signed-in user's id from the account page.
func userID(t *testing.T, h *harness, c *http.Client) uuid.UUID {
	t.Helper()
	m := regexp.MustCompile(`data-testid="account-user-id">([0-9a-f-]{36})<`).FindStringSubmatch(h.get(c, "/account").body)
	if m == nil {
		t.Fatal("no user id on the account page")
	}
	return uuid.MustParse(m[1])
}

func TestTOTPAfterEmailCode(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	const addr = "code@example.com"
	c := h.signup(addr, "correct horse staple 1")
	secret, _ := h.enrolTOTP(t, c)
	h.post(c, "/logout", nil)
	b := h.browser()
	if r := h.post(b, "/login/code", url.Values{"email": {addr}}); r.status != 200 {
		t.Fatalf("ask for a code: %d", r.status)
	}
	r := h.post(b, "/login/code/verify", url.Values{"email": {addr}, "code": {h.awaitCode(t, addr)}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login/verify" {
		t.Fatalf("email code of an account with TOTP: %d → %q", r.status, r.header.Get("Location"))
	}
	h.clock.Advance(30 * time.Second)
	if r := h.secondFactor(b, "code", h.totp(secret, 0)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("second factor after an email code: %d %q", r.status, r.header.Get("Location"))
	}
	if e := lastEvent(t, h, "login"); e.Detail["method"] != "email_code" || e.Detail["second_factor"] != "totp" {
		t.Fatalf("login event: %+v", e)
	}
}

func TestSecondFactorLockout(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	const addr, pw = "lock@example.com", "correct horse staple 1"
	c := h.signup(addr, pw)
	secret, _ := h.enrolTOTP(t, c)
	h.post(c, "/logout", nil)
	h.clock.Advance(30 * time.Second)
	b := h.firstFactor(t, addr, pw)
	wrong := h.totp(secret, 5)
	for i := 1; i <= 4; i++ {
		if r := h.secondFactor(b, "code", wrong); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i, r.status)
		}
	}
	// A wrong recovery code counts the same.
	r := h.secondFactor(b, "recovery_code", "aaaaa-aaaaa")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?from=verify-locked" {
		t.Fatalf("fifth wrong code: %d %q", r.status, r.header.Get("Location"))
	}
	if r := h.get(b, "/login?from=verify-locked"); !strings.Contains(r.body, msg(messages.TwoFactorLocked)) {
		t.Fatal("the login page does not say why the sign-in stopped")
	}
	// The pending sign-in is void: even the right code does not sign in now.
	if r := h.secondFactor(b, "code", h.totp(secret, 0)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?from=verify-expired" {
		t.Fatalf("right code after the lockout: %d %q", r.status, r.header.Get("Location"))
	}
	if r := h.get(b, "/account"); r.status != http.StatusSeeOther {
		t.Fatalf("signed in after the lockout: %d", r.status)
	}
	if e := lastEvent(t, h, "login"); e.Outcome != "failure" || e.Detail["reason"] != "second_factor_locked" {
		t.Fatalf("lockout event: %+v", e)
	}
	n := h.awaitMail(t, addr, "second_factor_failed")
	if !strings.Contains(n.Text, messages.Text(messages.EmailSecondFactorFailedBody)) || !strings.Contains(n.Text, "change your password") {
		t.Fatalf("lockout notice: %q", n.Text)
	}
	// It sums up the hour's failures: at most one such notice goes out an
	// hour (the guard's notice budget).
	if !strings.Contains(n.Text, messages.Fill(messages.EmailSecondFactorFailedCount, "{count}", "5")) {
		t.Fatalf("lockout notice without the count: %q", n.Text)
	}
	// Passing the first factor again gives a new chance.
	b = h.firstFactor(t, addr, pw)
	if r := h.secondFactor(b, "code", h.totp(secret, 0)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("right code after a new first factor: %d", r.status)
	}
}

func TestSecondFactorWithoutPendingSignIn(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{twoFactor: true})
	c := h.browser()
	if r := h.get(c, "/login/verify"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?from=verify-expired" {
		t.Fatalf("GET without a pending sign-in: %d %q", r.status, r.header.Get("Location"))
	}
	if r := h.post(c, "/login/verify", url.Values{"code": {"123456"}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?from=verify-expired" {
		t.Fatalf("POST without a pending sign-in: %d %q", r.status, r.header.Get("Location"))
	}
	if r := h.get(c, "/login?from=verify-expired"); !strings.Contains(r.body, msg(messages.SecondFactorExpired)) {
		t.Fatal("the login page does not say the sign-in expired")
	}
	// Expired: a pending sign-in older than session.DefaultPendingTTL.
	const addr, pw = "late@example.com", "correct horse staple 1"
	s := h.signup(addr, pw)
	h.enrolTOTP(t, s)
	b := h.firstFactor(t, addr, pw)
	h.clock.Advance(11 * time.Minute)
	if r := h.get(b, "/login/verify"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?from=verify-expired" {
		t.Fatalf("GET after the pending sign-in expired: %d %q", r.status, r.header.Get("Location"))
	}
}

func TestSecondFactorBadInput(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{twoFactor: true})
	const addr, pw = "input@example.com", "correct horse staple 1"
	h.enrolTOTP(t, h.signup(addr, pw))
	b := h.firstFactor(t, addr, pw)
	cases := []struct {
		name   string
		body   string
		hdr    []string
		status int
	}{
		{"malformed content type", "code=123456", []string{"Content-Type", "text/plain"}, http.StatusUnsupportedMediaType},
		{"oversized", "code=" + strings.Repeat("1", 20<<10), nil, http.StatusRequestEntityTooLarge},
		{"duplicated", "code=123456&code=654321", nil, http.StatusBadRequest},
		{"both fields", "code=123456&recovery_code=abcde-fghjk", nil, http.StatusUnauthorized},
		{"letters", "code=abcdef", nil, http.StatusUnauthorized},
		{"cross-origin", "code=123456", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
	}
	for _, tc := range cases {
		hdr := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, tc.hdr...)
		if r := h.postRaw(b, "/login/verify", tc.body, hdr...); r.status != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, r.status, tc.status)
		}
	}
	// Datastar gets the error patched in place, focus on the field.
	r := h.post(b, "/login/verify", url.Values{"code": {"000000"}}, "Datastar-Request", "true")
	if !strings.Contains(r.body, "datastar-patch-elements") || !strings.Contains(r.body, `id="second-factor-panel"`) ||
		!strings.Contains(r.body, html.EscapeString(messages.Text(messages.TwoFactorCodeInvalid))) || !strings.Contains(r.body, `data-init="el.focus()"`) {
		t.Fatalf("Datastar refusal: %s", r.body)
	}
	// Enrolment input is checked the same way.
	c := h.signup("input2@example.com", pw)
	h.get(c, "/account/2fa")
	if r := h.post(c, "/account/2fa", url.Values{"code": {"12"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg(messages.TwoFactorCodeInvalid)) {
		t.Fatalf("malformed enrolment code: %d", r.status)
	}
	if r := h.postRaw(c, "/account/2fa", "code=1&code=2", "Content-Type", "application/x-www-form-urlencoded"); r.status != http.StatusBadRequest {
		t.Fatalf("duplicated enrolment code: %d", r.status)
	}
}

func TestRecoveryCodes(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	const addr, pw = "rec@example.com", "correct horse staple 1"
	c := h.signup(addr, pw)
	_, codes := h.enrolTOTP(t, c)

	// Stored only as keyed hashes.
	var hashes [][]byte
	if err := h.db.NewRaw("SELECT code_hash FROM recovery_codes").Scan(context.Background(), &hashes); err != nil {
		t.Fatal(err)
	}
	if len(hashes) != 10 {
		t.Fatalf("%d recovery codes stored, want 10", len(hashes))
	}
	for _, hh := range hashes {
		for _, code := range codes {
			if bytes.Contains(hh, []byte(strings.ReplaceAll(code, "-", ""))) {
				t.Fatal("a recovery code is stored in clear")
			}
		}
	}

	b := h.firstFactor(t, addr, pw)
	if r := h.get(b, "/login/verify?recovery=1"); !strings.Contains(r.body, `name="recovery_code"`) {
		t.Fatal("the recovery form has no recovery_code field")
	}
	if r := h.secondFactor(b, "recovery_code", strings.ToUpper(codes[0])); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("recovery code: %d %q", r.status, r.header.Get("Location"))
	}
	if e := lastEvent(t, h, "recovery_code.use"); e.Outcome != "success" || e.Detail["left"] != "9" {
		t.Fatalf("recovery_code.use: %+v", e)
	}
	if e := lastEvent(t, h, "login"); e.Detail["second_factor"] != "recovery_code" {
		t.Fatalf("login event: %+v", e)
	}
	if n := h.awaitMail(t, addr, "recovery_code_used"); !strings.Contains(n.Text, "9 left") {
		t.Fatalf("recovery notice: %q", n.Text)
	}
	// Single use.
	b2 := h.firstFactor(t, addr, pw)
	if r := h.secondFactor(b2, "recovery_code", codes[0]); r.status != http.StatusUnauthorized {
		t.Fatalf("a used recovery code again: %d", r.status)
	}
	if r := h.get(b, "/account/2fa"); !strings.Contains(r.body, "Recovery codes left: 9 of 10.") {
		t.Fatalf("the page does not count codes left: %s", r.body)
	}

	// Regenerating voids the old set.
	r := h.post(b, "/account/2fa/recovery-codes", nil)
	fresh := recoveryRe.FindAllStringSubmatch(r.body, -1)
	if r.status != 200 || len(fresh) != 10 {
		t.Fatalf("regenerate: %d, %d codes", r.status, len(fresh))
	}
	h.awaitMail(t, addr, "recovery_codes_replaced")
	if r := h.secondFactor(b2, "recovery_code", codes[1]); r.status != http.StatusUnauthorized {
		t.Fatalf("an old recovery code after regenerating: %d", r.status)
	}
	if r := h.secondFactor(b2, "recovery_code", fresh[0][1]); r.status != http.StatusSeeOther {
		t.Fatalf("a new recovery code: %d", r.status)
	}
}

func TestTwoFactorNeedsFreshProof(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{twoFactor: true})
	c := h.signup("stale@example.com", "correct horse staple 1")
	h.clock.Advance(web.ReauthWindow + time.Minute)
	want := web.ReauthPath + "?next=%2Faccount%2F2fa"
	if r := h.get(c, "/account/2fa"); r.status != http.StatusSeeOther || r.header.Get("Location") != want {
		t.Fatalf("stale GET: %d %q", r.status, r.header.Get("Location"))
	}
	for _, path := range []string{"/account/2fa", "/account/2fa/recovery-codes", "/account/2fa/disable"} {
		if r := h.post(c, path, url.Values{}); r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Errorf("stale POST %s: %d %q", path, r.status, r.header.Get("Location"))
		}
	}
	if r := h.get(h.browser(), "/account/2fa"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Faccount%2F2fa" {
		t.Fatalf("signed out GET: %d", r.status)
	}
}

func TestTwoFactorDisable(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	const addr, pw = "off@example.com", "correct horse staple 1"
	c := h.signup(addr, pw)
	h.enrolTOTP(t, c)
	if r := h.get(c, "/account/2fa"); !strings.Contains(r.body, `data-state="on"`) || !strings.Contains(r.body, `action="/account/2fa/disable"`) {
		t.Fatalf("the page of a user with TOTP on: %s", r.body)
	}
	r := h.post(c, "/account/2fa/disable", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("disable: %d %q", r.status, r.header.Get("Location"))
	}
	if r := h.get(c, "/account"); !strings.Contains(r.body, msg(messages.TwoFactorDisabled)) {
		t.Fatal("no notice after turning it off")
	}
	h.awaitMail(t, addr, "two_factor_disabled")
	if e := lastEvent(t, h, "totp.disable"); e.Outcome != "success" {
		t.Fatalf("totp.disable: %+v", e)
	}
	if r := h.post(h.browser(), "/login", creds(addr, pw)); r.header.Get("Location") != "/account" {
		t.Fatalf("login after turning it off: %q", r.header.Get("Location"))
	}
}

func TestTokenGrantsNeedTheSecondFactor(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	const addr, pw = "client@example.com", "correct horse staple 1"
	secret, codes := h.enrolTOTP(t, h.signup(addr, pw))
	h.clock.Advance(30 * time.Second)

	r := h.grant(url.Values{"grant_type": {"password"}, "username": {addr}, "password": {pw}})
	if r.status != http.StatusBadRequest || r.Error != "mfa_required" || r.AccessToken != "" {
		t.Fatalf("password alone: %d %s", r.status, r.body)
	}
	grant := func(extra url.Values) tokenReply {
		f := url.Values{"grant_type": {"password"}, "username": {addr}, "password": {pw}}
		for k, v := range extra {
			f[k] = v
		}
		return h.grant(f)
	}
	if r := grant(url.Values{"totp": {h.totp(secret, 3)}}); r.status != http.StatusBadRequest || r.Error != "invalid_grant" {
		t.Fatalf("wrong totp: %d %s", r.status, r.body)
	}
	if r := grant(url.Values{"totp": {h.totp(secret, 0)}, "recovery_code": {codes[0]}}); r.status != http.StatusBadRequest || r.Error != "invalid_request" {
		t.Fatalf("both: %d %s", r.status, r.body)
	}
	if r := grant(url.Values{"password": {"wrong password 123"}, "totp": {h.totp(secret, 0)}}); r.Error != "invalid_grant" || strings.Contains(r.body, "two-step") {
		t.Fatalf("wrong password with a totp: %s", r.body)
	}
	if r := grant(url.Values{"totp": {h.totp(secret, 0)}}); r.status != 200 || r.AccessToken == "" {
		t.Fatalf("password and totp: %d %s", r.status, r.body)
	}
	if r := grant(url.Values{"totp": {h.totp(secret, 0)}}); r.status != http.StatusBadRequest {
		t.Fatalf("the same totp again: %d %s", r.status, r.body)
	}
	if r := grant(url.Values{"recovery_code": {codes[0]}}); r.status != 200 || r.AccessToken == "" {
		t.Fatalf("password and recovery code: %d %s", r.status, r.body)
	}

	// The one-time code grant too.
	if r := h.requestCode(addr); r.status != http.StatusAccepted {
		t.Fatalf("request code: %d", r.status)
	}
	code := h.awaitCode(t, addr)
	if r := h.codeGrant(addr, code); r.Error != "mfa_required" {
		t.Fatalf("code alone: %s", r.body)
	}
	h.clock.Advance(2 * time.Minute)
	if r := h.requestCode(addr); r.status != http.StatusAccepted {
		t.Fatalf("request code: %d", r.status)
	}
	code = h.awaitCodeNot(t, addr, code)
	r = h.grant(url.Values{"grant_type": {web.CodeGrantType}, "username": {addr}, "code": {code}, "totp": {h.totp(secret, 0)}})
	if r.status != 200 || r.AccessToken == "" {
		t.Fatalf("code and totp: %d %s", r.status, r.body)
	}
}

// awaitCodeNot waits for a login code to addr other than old.
func (h *harness) awaitCodeNot(t *testing.T, addr, old string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c := sixDigits(t, h.awaitMail(t, addr, "login_code", "login_code_link").Text); c != old {
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no new code")
	return ""
}

// TestAHalfSignInEndsWithItsAccount: a sign-in waiting for its second
// factor lives only in its browser's session, out of reach of what ends
// an account's sessions. Suspending the account, or resetting its
// password, after the first factor passed leaves the second step nothing
// to finish: the right code then signs nobody in.
func TestAHalfSignInEndsWithItsAccount(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{twoFactor: true})
	const email, pw = "half@example.com", "correct horse battery"
	c := h.signup(email, pw)
	secret, _ := h.enrolTOTP(t, c)
	ctx := context.Background()
	for _, change := range []struct {
		name, sql string
	}{
		{"suspended", "UPDATE users SET status = 'suspended' WHERE id = ?"},
		{"password reset", "UPDATE users SET password_reset_at = ? WHERE id = ?"},
	} {
		h.clock.Advance(time.Minute) // a code of a step not used yet
		half := h.firstFactor(t, email, pw)
		var err error
		if change.name == "suspended" {
			_, err = h.db.ExecContext(ctx, change.sql, userIDOf(t, h, email))
		} else {
			_, err = h.db.ExecContext(ctx, change.sql, h.clock.Now().Add(time.Second), userIDOf(t, h, email))
		}
		if err != nil {
			t.Fatal(err)
		}
		r := h.secondFactor(half, "code", h.totp(secret, 0))
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login?from=verify-expired") {
			t.Errorf("%s after the first factor: the right code answers %d → %q, want the login page", change.name, r.status, r.header.Get("Location"))
		}
		if g := h.get(half, "/account"); g.status == http.StatusOK {
			t.Errorf("%s after the first factor: the half sign-in was finished", change.name)
		}
		if _, err := h.db.ExecContext(ctx, "UPDATE users SET status = 'active', password_reset_at = NULL WHERE id = ?", userIDOf(t, h, email)); err != nil {
			t.Fatal(err)
		}
	}
	// Untouched, the same steps sign in.
	h.clock.Advance(time.Minute)
	half := h.firstFactor(t, email, pw)
	if r := h.secondFactor(half, "code", h.totp(secret, 0)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("the second factor of an untouched account: %d → %q", r.status, r.header.Get("Location"))
	}
}
