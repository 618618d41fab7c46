package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/web"
)

// refreshGrant is a password grant for an existing account.
func (h *harness) refreshGrant(t *testing.T, email, pw string) tokenReply {
	t.Helper()
	r := h.grant(url.Values{"grant_type": {"password"}, "username": {email}, "password": {pw}})
	if r.status != http.StatusOK || r.RefreshToken == "" {
		t.Fatalf("password grant: %d %s", r.status, r.body)
	}
	return r
}

const (
	resetOld = devicesPassword
	resetNew = "a brand new passphrase 22"
)

func newResetHarness(t *testing.T, o harnessOptions) *harness {
	o.codes, o.passwords = true, true
	return newHarnessWith(t, o)
}

// awaitReset reads the newest reset email to addr: its code and link.
func (h *harness) awaitReset(t *testing.T, addr string) (code, link string) {
	t.Helper()
	m := h.awaitMail(t, addr, "reset_password")
	for _, w := range strings.Fields(m.Text) {
		if strings.Contains(w, "/password/reset?") {
			link = w
		}
	}
	if link == "" {
		t.Fatalf("the reset email holds no link:\n%s", m.Text)
	}
	return sixDigits(t, m.Text), link
}

// forgot asks for a reset of addr in browser c.
func (h *harness) forgot(t *testing.T, c *http.Client, addr string) reply {
	t.Helper()
	return h.post(c, "/password/forgot", url.Values{"email": {addr}})
}

// queued lists the outbox jobs of purpose to addr, decoys included, as
// River holds them.
func (h *harness) queued(t *testing.T, purpose string) int {
	t.Helper()
	var n int
	if err := h.db.NewRaw(`SELECT count(*) FROM river_job WHERE kind = 'outbox_deliver' AND ? = ANY(tags)`, purpose).
		Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestResetByLinkEndsEveryOtherSessionAndToken(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{origin: "https://latch.example"})
	other := h.signup("reset@example.com", resetOld)
	grant := h.refreshGrant(t, "reset@example.com", resetOld)

	c := h.browser()
	// A forged Host must not move the link off the public origin.
	req, _ := http.NewRequest("POST", h.srv.URL+"/password/forgot", strings.NewReader(url.Values{"email": {"reset@example.com"}}.Encode()))
	req.Host = "evil.example"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if r := h.do(c, req); r.status != http.StatusOK || !strings.Contains(r.body, messages.Text(messages.ResetSent)) {
		t.Fatalf("forgot: %d %s", r.status, r.body)
	}
	_, link := h.awaitReset(t, "reset@example.com")
	if !strings.HasPrefix(link, "https://latch.example/password/reset?token=") {
		t.Fatalf("link not on the public origin: %s", link)
	}
	pathQuery, token := linkParts(t, link)

	// The link's page asks to confirm and changes nothing.
	arrive := h.get(c, pathQuery)
	if arrive.status != http.StatusOK || !strings.Contains(arrive.body, `data-testid="reset-confirm"`) || sessionCookie(t, arrive.header) != nil {
		t.Fatalf("arrival: %d %s", arrive.status, arrive.body)
	}
	if arrive.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("arrival Referrer-Policy %q", arrive.header.Get("Referrer-Policy"))
	}
	h.confirmReset(t, c, token)
	page := h.get(c, "/password/reset")
	if page.status != 200 || !strings.Contains(page.body, `data-testid="reset-password"`) || strings.Contains(page.body, token) {
		t.Fatalf("reset page: %d (token in page: %v)", page.status, strings.Contains(page.body, token))
	}
	if page.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("page Referrer-Policy %q", page.header.Get("Referrer-Policy"))
	}
	// Arriving and confirming spent nothing.
	if n := h.spentResets(t); n != 0 {
		t.Fatal("arriving on the link spent it")
	}

	// A refused password keeps the link.
	if r := h.post(c, "/password/reset", url.Values{"password": {"short"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, messages.Text(messages.PasswordTooShort)) {
		t.Fatalf("short password: %d", r.status)
	}
	if r := h.post(c, "/password/reset", url.Values{"password": {"reset@example.com is mine"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, messages.Text(messages.PasswordHasEmail)) {
		t.Fatalf("password with the address: %d", r.status)
	}
	done := h.post(c, "/password/reset", url.Values{"password": {resetNew}})
	if done.status != http.StatusSeeOther || done.header.Get("Location") != "/account" {
		t.Fatalf("reset: %d %q %s", done.status, done.header.Get("Location"), done.body)
	}
	if !h.signedIn(c) {
		t.Fatal("not signed in after the reset")
	}
	if h.signedIn(other) {
		t.Fatal("the browser signed in before the reset is still signed in")
	}
	if r := h.refresh(grant.RefreshToken); r.status == 200 {
		t.Fatal("the refresh token outlived the reset")
	}
	if r := h.me(grant.AccessToken); r.status == 200 {
		t.Fatal("the access token outlived the reset")
	}
	if r := h.post(h.browser(), "/login", creds("reset@example.com", resetOld)); r.status == http.StatusSeeOther {
		t.Fatal("the old password still works")
	}
	if r := h.post(h.browser(), "/login", creds("reset@example.com", resetNew)); r.status != http.StatusSeeOther {
		t.Fatalf("the new password does not work: %d", r.status)
	}
	// Used: a second browser with the same link gets a written refusal.
	c2 := h.browser()
	h.confirmReset(t, c2, token)
	if r := h.post(c2, "/password/reset", url.Values{"password": {"yet another passphrase 3"}}); r.status != http.StatusGone ||
		!strings.Contains(r.body, messages.Text(messages.ResetLinkInvalid)) || !strings.Contains(r.body, `href="/password/forgot"`) {
		t.Fatalf("used link: %d %s", r.status, r.body)
	}
	h.awaitMail(t, "reset@example.com", "password_changed")

	// Audit and logs: the reset, the sessions ended; no token anywhere.
	var sawReset, sawRevoke bool
	for _, e := range h.events(t) {
		if e.Event == "password.reset" && e.Outcome == "success" && e.Detail["method"] == "link" {
			sawReset = true
		}
		if e.Event == "session.revoke" && e.Detail["reason"] == "password_reset" && e.Detail["count"] == "1" {
			sawRevoke = true
		}
		for _, v := range e.Detail {
			if strings.Contains(v, token) {
				t.Fatal("token in the audit log")
			}
		}
	}
	if !sawReset || !sawRevoke {
		t.Fatalf("audit: reset %v revoke %v", sawReset, sawRevoke)
	}
	if strings.Contains(h.logs.String(), token) || strings.Contains(h.logs.String(), strings.SplitN(token, ".", 2)[0]) {
		t.Fatal("token in the request log")
	}
}

func TestResetByCodeAndItsRefusals(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	h.signup("code@example.com", resetOld)
	c := h.browser()
	if r := h.forgot(t, c, "Code@Example.com"); r.status != 200 || !strings.Contains(r.body, `value="code@example.com"`) {
		t.Fatalf("forgot: %d %s", r.status, r.body)
	}
	code, _ := h.awaitReset(t, "code@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	step := func(form url.Values) reply { return h.post(c, "/password/forgot/code", form) }
	base := func(code, pw string) url.Values {
		return url.Values{"identity": {"code@example.com"}, "code": {code}, "password": {pw}}
	}
	// Malformed codes and refused passwords spend nothing and count nothing.
	if r := step(base("12a", resetNew)); r.status != http.StatusUnauthorized || !strings.Contains(r.body, messages.Text(messages.CodeInvalid)) {
		t.Fatalf("malformed code: %d", r.status)
	}
	if r := step(base(code, "short")); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", r.status)
	}
	// A login code is not a reset code.
	if r := step(base(wrong, resetNew)); r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", r.status)
	}
	var attempts int
	_ = h.db.NewRaw(`SELECT attempts FROM one_time_tokens WHERE purpose = 'reset_password' ORDER BY created_at DESC LIMIT 1`).Scan(context.Background(), &attempts)
	if attempts != 1 {
		t.Fatalf("attempts = %d, want 1 (only the wrong code counts)", attempts)
	}
	if r := step(base(code, resetNew)); r.status != http.StatusSeeOther {
		t.Fatalf("reset by code: %d %s", r.status, r.body)
	}
	if r := step(base(code, "another passphrase 333")); r.status != http.StatusUnauthorized {
		t.Fatalf("reused code: %d", r.status)
	}
}

func TestResetCodeExpiresAndIsExhausted(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	h.signup("exp@example.com", resetOld)
	c := h.browser()
	h.forgot(t, c, "exp@example.com")
	code, _ := h.awaitReset(t, "exp@example.com")
	h.clock.Advance(15*time.Minute + time.Second)
	if r := h.post(c, "/password/forgot/code", url.Values{"identity": {"exp@example.com"}, "code": {code}, "password": {resetNew}}); r.status != http.StatusUnauthorized {
		t.Fatalf("expired code: %d", r.status)
	}

	h.clock.Advance(2 * time.Minute)
	h.forgot(t, c, "exp@example.com")
	deadline := time.Now().Add(10 * time.Second)
	var fresh string
	for time.Now().Before(deadline) {
		if fresh, _ = h.awaitReset(t, "exp@example.com"); fresh != code {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	wrong := "000000"
	if fresh == wrong {
		wrong = "111111"
	}
	var last reply
	// The expired code above counted as one guess: four more spend the
	// browser's five.
	for range 4 {
		last = h.post(c, "/password/forgot/code", url.Values{"identity": {"exp@example.com"}, "code": {wrong}, "password": {resetNew}})
	}
	if !strings.Contains(last.body, messages.Text(messages.CodeInvalid)) {
		t.Fatalf("after four wrong codes: %d", last.status)
	}
	// The guard refuses the sixth guess, even the right code, before any
	// check; the code itself is not voided.
	if r := h.post(c, "/password/forgot/code", url.Values{"identity": {"exp@example.com"}, "code": {fresh}, "password": {resetNew}}); r.status != http.StatusTooManyRequests ||
		!strings.Contains(r.body, messages.Text(messages.CodeGuessThrottled)) {
		t.Fatalf("the right code after five wrong: %d", r.status)
	}
}

func TestResetAnswersAlikeForUnknownAddresses(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	h.signup("known@example.com", resetOld)
	known := h.forgot(t, h.browser(), "known@example.com")
	unknown := h.forgot(t, h.browser(), "nobody@example.com")
	norm := func(s, addr string) string { return strings.ReplaceAll(s, addr, "ADDR") }
	if known.status != unknown.status || norm(known.body, "known@example.com") != norm(unknown.body, "nobody@example.com") {
		t.Fatalf("answers differ: %d vs %d", known.status, unknown.status)
	}
	h.awaitMail(t, "known@example.com", "reset_password")
	if n := h.queued(t, "reset_password"); n != 2 {
		t.Fatalf("queued %d reset messages, want 2 (one a decoy)", n)
	}
	time.Sleep(300 * time.Millisecond)
	msgs, _ := h.mailbox.List(context.Background(), 50)
	for _, m := range msgs {
		if m.To == "nobody@example.com" {
			t.Fatal("a message reached an address without an account")
		}
	}
	// The limits are the same too.
	a, b := h.forgot(t, h.browser(), "known@example.com"), h.forgot(t, h.browser(), "nobody@example.com")
	if a.status != http.StatusTooManyRequests || b.status != http.StatusTooManyRequests {
		t.Fatalf("second request: %d vs %d", a.status, b.status)
	}
	// A code for an unknown address never resets anything.
	if r := h.post(h.browser(), "/password/forgot/code", url.Values{"identity": {"nobody@example.com"}, "code": {"123456"}, "password": {resetNew}}); r.status != http.StatusUnauthorized {
		t.Fatalf("unknown address code: %d", r.status)
	}
}

func TestResetFormsRefuseBadRequests(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	c := h.browser()
	for _, path := range []string{"/password/forgot", "/password/forgot/code", "/password/reset"} {
		if r := h.postRaw(c, path, "email=a%40example.com&email=b%40example.com&identity=x&identity=y&password=p&password=q",
			"Content-Type", "application/x-www-form-urlencoded"); r.status != http.StatusBadRequest {
			t.Errorf("%s duplicated: %d", path, r.status)
		}
		if r := h.postRaw(c, path, "email="+strings.Repeat("a", 20<<10), "Content-Type", "application/x-www-form-urlencoded"); r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s oversized: %d", path, r.status)
		}
		if r := h.postRaw(c, path, "%zz", "Content-Type", "application/x-www-form-urlencoded"); r.status != http.StatusBadRequest {
			t.Errorf("%s malformed: %d", path, r.status)
		}
		if r := h.postRaw(c, path, `{"email":"a@example.com"}`, "Content-Type", "application/json"); r.status != http.StatusUnsupportedMediaType {
			t.Errorf("%s json: %d", path, r.status)
		}
		if r := h.postRaw(c, path, "email=a%40example.com", "Content-Type", "application/x-www-form-urlencoded",
			"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
			t.Errorf("%s cross-origin: %d", path, r.status)
		}
	}
	// Hostile input is answered in writing and never reflected raw.
	r := h.post(c, "/password/forgot", url.Values{"email": {`<script>alert(1)</script>`}})
	if r.status != http.StatusUnprocessableEntity || strings.Contains(r.body, "<script>alert") {
		t.Fatalf("hostile email: %d", r.status)
	}
	// A malformed link is refused in writing, never echoed, and changes nothing.
	for _, q := range []string{"?token=not-a-token", "?token=", "?token=a&token=b", "?token=%3Cscript%3E"} {
		p := h.get(c, "/password/reset"+q)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, msg(messages.ResetLinkMalformed)) ||
			strings.Contains(p.body, `name="token"`) || strings.Contains(p.body, "<script>") || sessionCookie(t, p.header) != nil {
			t.Errorf("malformed link %s: %d", q, p.status)
		}
	}
	for _, token := range []string{"not-a-token", "", "<script>"} {
		p := h.post(c, "/password/reset/confirm", url.Values{"token": {token}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, msg(messages.ResetLinkMalformed)) || strings.Contains(p.body, "<script>") {
			t.Errorf("confirming malformed %q: %d", token, p.status)
		}
	}
	if p := h.get(c, "/password/reset"); p.status != http.StatusOK || !strings.Contains(p.body, msg(messages.ResetNoLink)) {
		t.Fatalf("after malformed links: %d", p.status)
	}
	if p := h.post(c, "/password/reset", url.Values{"password": {resetNew}}); p.status != http.StatusBadRequest {
		t.Fatalf("post without a link: %d", p.status)
	}
	for name, tc := range map[string]struct {
		body    string
		headers []string
		status  int
	}{
		"duplicated":   {"token=a&token=b", nil, http.StatusBadRequest},
		"JSON":         {`{"token":"a"}`, []string{"Content-Type", "application/json"}, http.StatusUnsupportedMediaType},
		"cross-origin": {"token=a", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
	} {
		if r := h.postRaw(c, "/password/reset/confirm", tc.body, append([]string{"Content-Type", "application/x-www-form-urlencoded"}, tc.headers...)...); r.status != tc.status {
			t.Errorf("confirm %s: %d, want %d", name, r.status, tc.status)
		}
	}
}

// confirmReset opens a reset link's confirm page in c and submits it: the
// token is kept for the password form.
func (h *harness) confirmReset(t *testing.T, c *http.Client, token string) {
	t.Helper()
	page := h.get(c, "/password/reset?token="+url.QueryEscape(token))
	if page.status != http.StatusOK || !strings.Contains(page.body, `action="/password/reset/confirm"`) {
		t.Fatalf("confirm page: %d %s", page.status, page.body)
	}
	r := h.post(c, "/password/reset/confirm", url.Values{"token": {token}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/password/reset" || r.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("confirm: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
}

// spentResets counts the reset codes and links spent.
func (h *harness) spentResets(t *testing.T) int {
	t.Helper()
	var n int
	if err := h.db.NewRaw(`SELECT count(*) FROM one_time_tokens WHERE purpose = 'reset_password' AND (consumed_at IS NOT NULL OR attempts > 0)`).
		Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A reset link's GET changes nothing: another site linking to it cannot
// plant its token in a visitor's browser (and sign them in to the
// attacker's account); a scanner spends nothing. Only the confirm page's
// POST keeps the token, and a browser that did not ask for the reset is
// warned before the button.
func TestResetLinkConfirmsBeforeItActs(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	h.signup("attacker@example.com", resetOld)
	victim := h.signup("victim@example.com", "a different passphrase 99")
	asker := h.browser()
	h.forgot(t, asker, "attacker@example.com")
	_, link := h.awaitReset(t, "attacker@example.com")
	pathQuery, token := linkParts(t, link)

	for _, c := range []*http.Client{victim, h.browser()} {
		before := h.get(c, "/password/reset")
		for range 2 { // a second visit still shows the page: nothing was used up
			r := h.get(c, pathQuery)
			if r.status != http.StatusOK || r.header.Get("Referrer-Policy") != "no-referrer" || r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("link page elsewhere: %d %v", r.status, r.header)
			}
			if sessionCookie(t, r.header) != nil {
				t.Fatal("opening the link wrote the session")
			}
			warn, button := strings.Index(r.body, `data-testid="reset-elsewhere"`), strings.Index(r.body, `data-testid="reset-confirm"`)
			if warn < 0 || button < 0 || warn > button || !strings.Contains(r.body, msg(messages.ResetElsewhere)) {
				t.Fatalf("no warning before the button in a browser that did not ask:\n%s", r.body)
			}
		}
		if after := h.get(c, "/password/reset"); after.status != before.status || !strings.Contains(after.body, msg(messages.ResetNoLink)) {
			t.Fatalf("the link's GET left a token in the browser: %d", after.status)
		}
		// Another site cannot submit the confirm page for the visitor.
		if r := h.post(c, "/password/reset/confirm", url.Values{"token": {token}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
			t.Fatalf("cross-site confirm: %d", r.status)
		}
		if after := h.get(c, "/password/reset"); !strings.Contains(after.body, msg(messages.ResetNoLink)) {
			t.Fatal("a cross-site confirm kept the token")
		}
	}
	if h.signedIn(h.browser()) || !h.signedIn(victim) {
		t.Fatal("the victim's session changed")
	}
	if n := h.spentResets(t); n != 0 {
		t.Fatalf("opening the link spent or counted it (%d)", n)
	}
	// The browser that asked is not warned, and finishes the reset.
	if r := h.get(asker, pathQuery); r.status != http.StatusOK || strings.Contains(r.body, `data-testid="reset-elsewhere"`) {
		t.Fatalf("link page in the browser that asked: %d warned=%v", r.status, strings.Contains(r.body, `data-testid="reset-elsewhere"`))
	}
	h.confirmReset(t, asker, token)
	if r := h.post(asker, "/password/reset", url.Values{"password": {resetNew}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("reset: %d %q", r.status, r.header.Get("Location"))
	}
	// Confirming over Datastar navigates to the form.
	other := h.browser()
	h.clock.Advance(2 * time.Minute)
	h.forgot(t, other, "victim@example.com")
	_, link = h.awaitReset(t, "victim@example.com")
	_, token = linkParts(t, link)
	r := h.post(other, "/password/reset/confirm", url.Values{"token": {token}}, "Datastar-Request", "true")
	if r.status != http.StatusOK || !strings.Contains(r.body, `window.location.assign(&#34;/password/reset&#34;)`) {
		t.Fatalf("confirm over Datastar: %d %s", r.status, r.body)
	}
	if p := h.get(other, "/password/reset"); !strings.Contains(p.body, `data-testid="reset-password"`) {
		t.Fatal("no password form after confirming over Datastar")
	}
}

func TestResetOverDatastarPatchesThePanel(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	c := h.browser()
	r := h.post(c, "/password/forgot", url.Values{"email": {"bad"}}, "Datastar-Request", "true")
	if r.status != 200 || !strings.Contains(r.body, "datastar-patch-elements") || !strings.Contains(r.body, `id="password-forgot-panel"`) ||
		!strings.Contains(r.body, messages.Text(messages.EmailInvalid)) {
		t.Fatalf("datastar forgot: %d %s", r.status, r.body)
	}
}

func TestChangePasswordKeepsThisSession(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	me := h.signup("change@example.com", resetOld)
	other := h.loginOn("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "change@example.com")
	_ = other
	grant := h.refreshGrant(t, "change@example.com", resetOld)
	before := cookieValue(t, h, me)

	acct := h.get(me, "/account")
	if !strings.Contains(acct.body, `href="/account/password"`) {
		t.Fatal("the account page does not link to the password change")
	}
	page := h.get(me, "/account/password")
	if page.status != 200 || !strings.Contains(page.body, `name="current_password"`) || !strings.Contains(page.body, `checked`) {
		t.Fatalf("change page: %d", page.status)
	}
	// A wrong current password is written and counts as a failed login.
	r := h.post(me, "/account/password", url.Values{"current_password": {"wrong one"}, "password": {resetNew}, "sign_out_others": {"1"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, messages.Text(messages.CurrentPasswordWrong)) {
		t.Fatalf("wrong current: %d", r.status)
	}
	var failedLogin bool
	for _, e := range h.events(t) {
		if e.Event == "login" && e.Outcome == "failure" && e.Detail["reason"] == "wrong_password" {
			failedLogin = true
		}
	}
	if !failedLogin {
		t.Fatal("a wrong current password was not audited as a failed login")
	}
	r = h.post(me, "/account/password", url.Values{"current_password": {resetOld}, "password": {resetNew}, "sign_out_others": {"1"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("change: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if a := h.get(me, "/account"); a.status != 200 || !strings.Contains(a.body, messages.Text(messages.PasswordChanged)) {
		t.Fatalf("this browser after the change: %d (notice shown: %v)", a.status, strings.Contains(a.body, messages.Text(messages.PasswordChanged)))
	}
	if cookieValue(t, h, me) == before {
		t.Fatal("the session token was not renewed")
	}
	if h.signedIn(other) {
		t.Fatal("the other device is still signed in")
	}
	if h.refresh(grant.RefreshToken).status == 200 {
		t.Fatal("the refresh token outlived the change")
	}
	h.awaitMail(t, "change@example.com", "password_changed")
}

func TestChangePasswordWithoutSigningOutOthers(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	me := h.signup("stay@example.com", resetOld)
	other := h.loginOn("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "stay@example.com")
	r := h.post(me, "/account/password", url.Values{"current_password": {resetOld}, "password": {resetNew}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("change: %d", r.status)
	}
	if !h.signedIn(other) || !h.signedIn(me) {
		t.Fatal("unticked, the other devices must stay signed in")
	}
	if h.get(h.browser(), "/account/password").status != http.StatusSeeOther {
		t.Fatal("the change page is open to visitors")
	}
}

// everyone has a second factor.
type everyone struct{}

func (everyone) Required(context.Context, uuid.UUID, uuid.UUID) (bool, error) { return true, nil }

func TestResetNeverSkipsTheSecondFactor(t *testing.T) {
	t.Parallel()
	h2 := newResetHarness(t, harnessOptions{secondFactors: everyone{}})
	c := h2.browser()
	r := h2.signupSteps(c, creds("mfa@example.com", resetOld))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != web.SecondFactorPath {
		t.Fatalf("signup with a second factor: %d %q", r.status, r.header.Get("Location"))
	}
	h2.forgot(t, c, "mfa@example.com")
	code, _ := h2.awaitReset(t, "mfa@example.com")
	r = h2.post(c, "/password/forgot/code", url.Values{"identity": {"mfa@example.com"}, "code": {code}, "password": {resetNew}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != web.SecondFactorPath {
		t.Fatalf("reset with a second factor: %d %q", r.status, r.header.Get("Location"))
	}
	if h2.signedIn(c) {
		t.Fatal("a reset signed in a user who has a second factor")
	}
}

func TestSettingAFirstPasswordNeedsARecentProof(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{phones: true})
	c := h.phoneSignup(t, "+447400123456", "+447400123456", 1)
	page := h.get(c, "/account/password")
	if page.status != 200 || strings.Contains(page.body, `name="current_password"`) {
		t.Fatalf("first password page: %d", page.status)
	}
	h.clock.Advance(web.ReauthWindow + time.Second)
	if r := h.get(c, "/account/password"); r.status != http.StatusSeeOther || r.header.Get("Location") != web.ReauthPath+"?next=/account/password" {
		t.Fatalf("stale page: %d %q", r.status, r.header.Get("Location"))
	}
	if r := h.post(c, "/account/password", url.Values{"password": {resetNew}}); r.status != http.StatusSeeOther ||
		r.header.Get("Location") != web.ReauthPath+"?next=/account/password" {
		t.Fatalf("stale post: %d %q", r.status, r.header.Get("Location"))
	}
}

func TestResetBySMSToAVerifiedNumber(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{phones: true})
	h.phoneSignup(t, "+447400123457", "+447400123457", 1)
	c := h.browser()
	r := h.post(c, "/password/forgot", url.Values{"email": {"+44 7400 123457"}})
	if r.status != 200 || !strings.Contains(r.body, messages.Text(messages.ResetSentPhone)) || !strings.Contains(r.body, `name="channel" value="sms"`) {
		t.Fatalf("forgot by number: %d %s", r.status, r.body)
	}
	code := h.awaitNthCode(t, "+447400123457", 2)
	r = h.post(c, "/password/forgot/code", url.Values{"identity": {"+447400123457"}, "channel": {"sms"}, "code": {code}, "password": {resetNew}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("reset by SMS: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	// The account has no email: the notice goes by SMS.
	h.awaitMail(t, "+447400123457", "password_changed_sms")
}
