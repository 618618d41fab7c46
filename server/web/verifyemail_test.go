package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

// verification is the code and link of the newest verification email to
// addr, read from the mailbox as its owner would.
type verification struct{ code, link, token string }

func (h *harness) awaitVerification(t *testing.T, addr string) verification {
	t.Helper()
	m := h.awaitMail(t, addr, "verify_email")
	var v verification
	v.code = sixDigits(t, m.Text)
	for _, line := range strings.Split(m.Text, "\n") {
		if strings.HasPrefix(line, h.linkOrigin+pages.VerifyEmailPath+"?") {
			v.link = line
		}
	}
	u, err := url.Parse(v.link)
	if err != nil || v.link == "" {
		t.Fatalf("no verification link in %q", m.Text)
	}
	v.token = u.Query().Get(pages.LinkTokenField)
	return v
}

// signupUnverified makes an account whose address is not verified, as
// signup without email delivery (or before verify-first signup) left it,
// signs in to it with its password and asks for a verification email from
// the account page, as its holder would. It returns the signed-in client.
func (h *harness) signupUnverified(addr, pw string) *http.Client {
	h.t.Helper()
	h.createAccount(h.t, addr, pw)
	c := h.browser()
	if r := h.post(c, "/login", creds(addr, pw)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		h.t.Fatalf("login %s: %d %q", addr, r.status, r.header.Get("Location"))
	}
	if r := h.post(c, pages.AccountVerifyResendPath, nil); r.status != http.StatusOK {
		h.t.Fatalf("ask for a verification email: %d", r.status)
	}
	return c
}

// emailVerified reads from the database whether addr is verified.
func emailVerified(t *testing.T, h *harness, addr string) bool {
	t.Helper()
	var n int
	if err := h.db.NewRaw("SELECT count(*) FROM identities WHERE kind = 'email' AND value = ? AND verified_at IS NOT NULL", addr).
		Scan(t.Context(), &n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// verifiedNow reports whether the account page of c shows a verified email.
func (h *harness) verifiedNow(t *testing.T, c *http.Client) bool {
	t.Helper()
	r := h.get(c, "/account")
	if r.status != http.StatusOK {
		t.Fatalf("GET /account: %d", r.status)
	}
	verified := strings.Contains(r.body, msg(messages.AccountVerified))
	if verified == strings.Contains(r.body, `data-testid="verify-email"`) {
		t.Fatalf("account page: verified badge %v but the verify panel shown %v", verified, !verified)
	}
	return verified
}

func TestAnUnverifiedAddressIsVerifiedByCode(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr = "verify-code@example.com"
	c := h.signupUnverified(addr, "correct horse staple 1")
	r := h.get(c, "/account")
	for _, want := range []string{msg(messages.AccountUnverified), msg(messages.VerifyEmailTitle), `action="` + pages.AccountVerifyEmailPath + `"`,
		`autocomplete="one-time-code"`, `inputmode="numeric"`, `action="` + pages.AccountVerifyResendPath + `"`} {
		if !strings.Contains(r.body, want) {
			t.Fatalf("account page lacks %q:\n%s", want, r.body)
		}
	}
	v := h.awaitVerification(t, addr)

	wrong := "000000"
	if v.code == wrong {
		wrong = "111111"
	}
	r = h.post(c, pages.AccountVerifyEmailPath, url.Values{"code": {wrong}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Fatalf("wrong code: %d", r.status)
	}
	if h.verifiedNow(t, c) {
		t.Fatal("a wrong code verified the address")
	}
	r = h.post(c, pages.AccountVerifyEmailPath, url.Values{"code": {v.code[:3] + " " + v.code[3:]}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("right code: %d %q", r.status, r.header.Get("Location"))
	}
	r = h.get(c, "/account")
	if !strings.Contains(r.body, msg(messages.EmailVerified)) || !strings.Contains(r.body, msg(messages.AccountVerified)) || strings.Contains(r.body, `data-testid="verify-email"`) {
		t.Fatalf("account page after verifying:\n%s", r.body)
	}
	if r := h.get(c, "/account"); strings.Contains(r.body, msg(messages.EmailVerified)) {
		t.Fatal("the verified notice shows twice")
	}
	// The code is spent, and there is nothing left to verify.
	if r := h.post(c, pages.AccountVerifyEmailPath, url.Values{"code": {v.code}}); r.status != http.StatusSeeOther {
		t.Fatalf("code after verifying: %d", r.status)
	}
	if r := h.post(c, pages.AccountVerifyResendPath, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("resend after verifying: %d", r.status)
	}
	// The queue holds the message sealed, and logs hold neither secret.
	if inQueue, err := h.db.NewSelect().Table("river_job").Where("args::text LIKE ? OR args::text LIKE ?", "%"+v.token+"%", "%"+v.code+"%").Exists(t.Context()); err != nil || inQueue {
		t.Fatalf("river_job holds the token or code in clear: %v %v", inQueue, err)
	}
	// (A bare six-digit search could match a logged duration by chance;
	// a leaked code would follow a "=", a quote or the subject's ": ".)
	logs := h.logs.String()
	for _, leak := range []string{v.token, "=" + v.code, `"` + v.code, ": " + v.code} {
		if strings.Contains(logs, leak) {
			t.Fatalf("logs hold %q", leak)
		}
	}
	wantEvents(t, h, []string{"code.send/success/verify_email", "code.use/failure/wrong_code", "email.verify/success/code"})
}

// wantEvents checks the audit log holds each "event/outcome/detail" in
// order (detail: the purpose, reason or method recorded).
func wantEvents(t *testing.T, h *harness, want []string) {
	t.Helper()
	evs := h.events(t)
	var got []string
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		d := e.Detail["reason"]
		if d == "" {
			d = e.Detail["purpose"]
		}
		if e.Event == "email.verify" {
			d = e.Detail["method"]
			if e.Outcome == "failure" {
				d = e.Detail["reason"]
			}
		}
		got = append(got, e.Event+"/"+e.Outcome+"/"+d)
	}
	j := 0
	for _, g := range got {
		if j < len(want) && g == want[j] {
			j++
		}
	}
	if j != len(want) {
		t.Fatalf("audit events %v lack %v in order", got, want)
	}
}

func TestVerificationLinkNeedsAPost(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr = "verify-link@example.com"
	owner := h.signupUnverified(addr, "correct horse staple 1")
	v := h.awaitVerification(t, addr)
	if !strings.HasPrefix(v.link, h.linkOrigin+"/verify-email?token=") {
		t.Fatalf("link %q not on the public origin", v.link)
	}

	// Another browser, signed out, as a mail scanner or a phone would be.
	other := h.browser()
	path := strings.TrimPrefix(v.link, h.linkOrigin)
	for range 2 {
		r := h.get(other, path)
		if r.status != http.StatusOK || !strings.Contains(r.body, `name="token" value="`+v.token+`"`) || !strings.Contains(r.body, `method="post"`) {
			t.Fatalf("GET link: %d\n%s", r.status, r.body)
		}
		if got := r.header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Fatalf("Referrer-Policy %q", got)
		}
	}
	if h.verifiedNow(t, owner) {
		t.Fatal("opening the link verified the address")
	}
	r := h.post(other, pages.VerifyEmailPath, url.Values{"token": {v.token}})
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="verify-link-done"`) || !strings.Contains(r.body, `data-testid="verify-link-login"`) {
		t.Fatalf("POST link: %d\n%s", r.status, r.body)
	}
	if sessionCookie(t, r.header) != nil && h.get(other, "/account").status == http.StatusOK {
		t.Fatal("the link signed the other browser in")
	}
	if !emailVerified(t, h, addr) {
		t.Fatal("the link did not verify the address")
	}
	// A first proof from a browser not signed in to the account claims it
	// for the address's holder: the session and password from before end.
	if h.signedIn(owner) {
		t.Fatal("a session from before the first proof survived it")
	}
	// Used once; the code in the same email is spent with it.
	r = h.post(other, pages.VerifyEmailPath, url.Values{"token": {v.token}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, msg(messages.VerifyLinkInvalid)) {
		t.Fatalf("second POST: %d", r.status)
	}
	if strings.Contains(h.logs.String(), v.token) {
		t.Fatal("logs hold the link token")
	}
	wantEvents(t, h, []string{"code.send/success/verify_email", "email.verify/success/link", "link.use/failure/used"})
}

func TestVerificationLinkInTheSignedInBrowser(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr = "verify-here@example.com"
	c := h.signupUnverified(addr, "correct horse staple 1")
	v := h.awaitVerification(t, addr)
	r := h.post(c, pages.VerifyEmailPath, url.Values{"token": {v.token}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("POST link signed in: %d %q", r.status, r.header.Get("Location"))
	}
	if r := h.get(c, "/account"); !strings.Contains(r.body, msg(messages.EmailVerified)) {
		t.Fatal("no verified notice")
	}
	// The code from the same email is spent with the link.
	if r := h.post(c, pages.AccountVerifyEmailPath, url.Values{"code": {v.code}}); r.status != http.StatusSeeOther {
		t.Fatalf("code after the link: %d", r.status)
	}
}

func TestVerificationExpiresAndIsExhausted(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr = "verify-late@example.com"
	c := h.signupUnverified(addr, "correct horse staple 1")
	v := h.awaitVerification(t, addr)
	h.clock.Advance(10*time.Minute + time.Second)
	r := h.post(c, pages.AccountVerifyEmailPath, url.Values{"code": {v.code}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Fatalf("expired code: %d", r.status)
	}
	if r := h.post(h.browser(), pages.VerifyEmailPath, url.Values{"token": {v.token}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, msg(messages.VerifyLinkInvalid)) {
		t.Fatalf("expired link: %d", r.status)
	}

	// A new code: the cooldown has passed.
	r = h.post(c, pages.AccountVerifyResendPath, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="verify-email-notice"`) || !strings.Contains(r.body, "{_resendIn: 60}") {
		t.Fatalf("resend: %d\n%s", r.status, r.body)
	}
	// Asking again at once says how long to wait, with a countdown.
	r = h.post(c, pages.AccountVerifyResendPath, nil)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, msg(messages.CodeSendLimited)) || !strings.Contains(r.body, "{_resendIn: 60}") {
		t.Fatalf("resend at once: %d\n%s", r.status, r.body)
	}
	fresh := h.awaitVerification(t, addr)
	for deadline := time.Now().Add(10 * time.Second); fresh.token == v.token; fresh = h.awaitVerification(t, addr) {
		if time.Now().After(deadline) {
			t.Fatal("no new email")
		}
		time.Sleep(50 * time.Millisecond)
	}
	wrong := "000000"
	if fresh.code == wrong {
		wrong = "111111"
	}
	// The expired code above counted as one guess: four more spend the
	// browser's five.
	for i := 1; i <= 4; i++ {
		r = h.post(c, pages.AccountVerifyEmailPath, url.Values{"code": {wrong}})
		if !strings.Contains(r.body, msg(messages.CodeInvalid)) {
			t.Fatalf("wrong code %d: %d", i, r.status)
		}
	}
	// The sixth guess is refused before any check, even the right code.
	if r := h.post(c, pages.AccountVerifyEmailPath, url.Values{"code": {fresh.code}}); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, msg(messages.CodeGuessThrottled)) {
		t.Fatalf("right code after four wrong: %d", r.status)
	}
	// Wrong guesses never void it: the emailed link still proves the address.
	if r := h.post(h.browser(), pages.VerifyEmailPath, url.Values{"token": {fresh.token}}); r.status >= 400 {
		t.Fatalf("link after four wrong codes: %d", r.status)
	}
	if !emailVerified(t, h, addr) {
		t.Fatal("the link did not verify after a browser's wrong codes")
	}
	wantEvents(t, h, []string{"code.use/failure/expired", "link.use/failure/expired", "code.send/success/verify_email", "code.send/failure/limited", "code.use/failure/wrong_code"})
}

func TestVerificationRefusesBadInput(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr = "verify-bad@example.com"
	c := h.signupUnverified(addr, "correct horse staple 1")
	v := h.awaitVerification(t, addr)

	// The link page reflects nothing that is not a token.
	for _, q := range []string{"", "?token=", "?token=%3Cscript%3Ealert(1)%3C/script%3E", "?token=" + v.token + "&token=" + v.token,
		"?token=" + strings.Repeat("A", 5000), "?token=" + v.token[:len(v.token)-1] + "%C3%A9"} {
		r := h.get(c, pages.VerifyEmailPath+q)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, msg(messages.VerifyLinkInvalid)) || strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, `name="token"`) {
			t.Errorf("GET %.60s: %d", q, r.status)
		}
	}
	posts := map[string]struct {
		path, body string
		headers    []string
		status     int
		want       messages.Key
	}{
		"link duplicated":   {pages.VerifyEmailPath, "token=" + v.token + "&token=" + v.token, nil, 400, messages.FormMalformed},
		"link malformed":    {pages.VerifyEmailPath, "token=%00%01", nil, 400, messages.VerifyLinkInvalid},
		"link oversized":    {pages.VerifyEmailPath, "token=" + strings.Repeat("A", 20000), nil, 413, messages.FormTooLarge},
		"link cross-origin": {pages.VerifyEmailPath, "token=" + v.token, []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, messages.CrossOriginDenied},
		"link as JSON":      {pages.VerifyEmailPath, `{"token":"` + v.token + `"}`, []string{"Content-Type", "application/json"}, 415, messages.FormMalformed},
		"code duplicated":   {pages.AccountVerifyEmailPath, "code=123456&code=123456", nil, 400, messages.FormMalformed},
		"code letters":      {pages.AccountVerifyEmailPath, "code=abcdef", nil, 422, messages.CodeInvalid},
		"code hostile":      {pages.AccountVerifyEmailPath, "code=%3Cscript%3E", nil, 422, messages.CodeInvalid},
		"code cross-origin": {pages.AccountVerifyEmailPath, "code=" + v.code, []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, messages.CrossOriginDenied},
	}
	for name, tc := range posts {
		headers := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, tc.headers...)
		r := h.postRaw(c, tc.path, tc.body, headers...)
		if r.status != tc.status || !strings.Contains(r.body, msg(tc.want)) {
			t.Errorf("%s: %d, want %d with %q", name, r.status, tc.status, tc.want)
		}
		if strings.Contains(r.body, "<script>") {
			t.Errorf("%s: reflected markup", name)
		}
	}
	// Signed out, the code form sends the browser to log in.
	if r := h.post(h.browser(), pages.AccountVerifyEmailPath, url.Values{"code": {v.code}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Fatalf("signed-out code: %d %q", r.status, r.header.Get("Location"))
	}
	// A login code for the address does not verify it: codes are bound to
	// their flow.
	if r := h.post(h.browser(), "/login/code", url.Values{"email": {addr}}); r.status != http.StatusOK {
		t.Fatalf("login code: %d", r.status)
	}
	login := h.awaitCode(t, addr)
	if r := h.post(c, pages.AccountVerifyEmailPath, url.Values{"code": {login}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("login code as a verification code: %d", r.status)
	}
	// After all that, the real code still works.
	if r := h.post(c, pages.AccountVerifyEmailPath, url.Values{"code": {v.code}}); r.status != http.StatusSeeOther {
		t.Fatalf("right code: %d", r.status)
	}
	if !h.verifiedNow(t, c) {
		t.Fatal("not verified")
	}
}
