package web_test

import (
	"fmt"
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
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/web"
)

// newRecoveryFlows wires delayed recovery as main does, its notices queued
// on the harness's outbox (delivered to its mailbox).
func newRecoveryFlows(t testing.TB, bdb *bun.DB, phones *auth.Phones, hasher auth.Hasher, audit auth.Auditor, clk *clock, origin string, codes auth.RecoveryCodes, g *guard.Guard) web.RecoveryFlows {
	t.Helper()
	queue, err := outbox.NewQueue(bdb.DB, outbox.QueueConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewRecovery(db.NewRecoveries(bdb, queue), db.NewUsers(bdb), phones, codes,
		web.RecoveryMessages{Brand: email.Brand{AppName: "Latch"}, Origin: origin}, hasher, audit,
		auth.RecoveryOptions{Wait: recoveryWait, Clock: clk.Now, Blocklist: testBlocklist(), Guard: g, SecondFactors: auth.TOTPRequired{Store: db.NewTwoFactor(bdb)}})
}

// recoveryWait is the test-shortened wait (48 hours by default): short
// enough that sessions made before it are still alive after it.
const recoveryWait = 10 * time.Minute

const (
	recoverEmail  = "lost@example.com"
	recoverNumber = "+447400123456"
)

// recoveryAccount signs up recoverEmail with a password and gives it the
// verified phone recoverNumber; it returns the signed-in client and id.
func recoveryAccount(t *testing.T, h *harness) (*http.Client, uuid.UUID) {
	t.Helper()
	c := h.signup(recoverEmail, "correct horse staple 1")
	id := signupUserID(t, h)
	if _, err := db.NewUsers(h.db).AddVerifiedPhone(t.Context(), h.appID, id, recoverNumber, time.Now()); err != nil {
		t.Fatal(err)
	}
	return c, id
}

var (
	finishLinkRE = regexp.MustCompile(`(?:https?://[^\s"<]+)?/recover/finish\?token=[A-Za-z0-9_-]+`)
	cancelLinkRE = regexp.MustCompile(`https?://[^\s"<]+/recover/cancel\?token=[A-Za-z0-9_-]+`)
)

// startBySMS runs the phone path to a started recovery and returns the
// finish link the page shows.
func startBySMS(t *testing.T, h *harness, c *http.Client, n int) string {
	t.Helper()
	if r := h.post(c, pages.RecoverPath, url.Values{"phone": {"+44 7400 123456"}}); r.status != http.StatusOK || !strings.Contains(r.body, msg(messages.RecoveryCodeSent)) {
		t.Fatalf("request code: %d", r.status)
	}
	code := h.awaitRecoverCode(t, n)
	r := h.post(c, pages.RecoverVerifyPath, url.Values{"phone": {recoverNumber}, "code": {code}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != pages.RecoveryStartedPath {
		t.Fatalf("start: %d %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	r = h.get(c, pages.RecoveryStartedPath)
	link := finishLinkRE.FindString(r.body)
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="recovery-started"`) || link == "" {
		t.Fatalf("started page: %d\n%s", r.status, r.body)
	}
	return link
}

// awaitRecoverCode waits for the nth recovery code texted to
// recoverNumber (1 for the first) and returns it.
func (h *harness) awaitRecoverCode(t *testing.T, n int) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		msgs, err := h.mailbox.List(t.Context(), 100)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for i := len(msgs) - 1; i >= 0; i-- { // oldest first
			if msgs[i].To == recoverNumber && msgs[i].Purpose == "recover_sms_code" {
				codes = append(codes, sixDigits(t, msgs[i].Text))
			}
		}
		if len(codes) >= n {
			return codes[n-1]
		}
	}
	t.Fatalf("recovery code %d never came", n)
	return ""
}

func pathOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

func recoveryHarness(t *testing.T, twoFactor bool) *harness {
	t.Helper()
	return newHarnessWith(t, harnessOptions{codes: true, phones: true, recovery: true, twoFactor: twoFactor})
}

func TestRecoveryBySMSWaitsThenFinishes(t *testing.T) {
	t.Parallel()
	h := recoveryHarness(t, false)
	owner, _ := recoveryAccount(t, h)
	h.signup("other@example.com", "correct horse staple 2")

	if r := h.get(h.browser(), "/login"); !strings.Contains(r.body, `href="/recover"`) {
		t.Fatal("login page does not offer recovery")
	}
	c := h.browser()
	link := startBySMS(t, h, c, 1)

	// Every channel is told, with a link to cancel; the phone also gets
	// the finish link.
	started := h.awaitMail(t, recoverEmail, "recovery_started")
	if !cancelLinkRE.MatchString(started.Text) || !strings.Contains(started.Subject, "recovering") {
		t.Fatalf("email notice: %q\n%s", started.Subject, started.Text)
	}
	if m := h.awaitMail(t, recoverNumber, "recovery_started"); !cancelLinkRE.MatchString(m.Text) {
		t.Fatalf("SMS notice: %s", m.Text)
	}
	if m := h.awaitMail(t, recoverNumber, "recovery_finish_link"); pathOf(t, finishLinkRE.FindString(m.Text)) != pathOf(t, link) {
		t.Fatalf("SMS finish link %q, page shows %q", m.Text, link)
	}
	// The owner, still signed in, sees it on the account page.
	if r := h.get(owner, "/account"); !strings.Contains(r.body, `data-testid="recovery-pending"`) {
		t.Fatal("no recovery banner on the owner's account page")
	}

	// The link asks to confirm; once confirmed, its token has left the
	// URL. Before the wait, no form.
	r := h.confirmFinish(t, c, link, false)
	if !strings.Contains(r.body, `data-testid="recovery-waiting"`) || strings.Contains(r.body, `name="password"`) {
		t.Fatalf("finish before the wait:\n%s", r.body)
	}
	if r := h.post(c, pages.RecoveryFinishPath, url.Values{"email": {"new@example.com"}, "password": {"a brand new passphrase"}}); r.status != http.StatusBadRequest {
		t.Fatalf("finish before the wait: %d", r.status)
	}

	h.clock.Advance(recoveryWait + time.Second)
	c = h.browser() // days later, the link from the text message, in another browser
	if r := h.confirmFinish(t, c, link, true); !strings.Contains(r.body, `name="password"`) {
		t.Fatalf("no finish form after the wait:\n%s", r.body)
	}
	for name, form := range map[string]url.Values{
		"email of another account": {"email": {"other@example.com"}, "password": {"a brand new passphrase"}},
		"short password":           {"email": {"new@example.com"}, "password": {"short"}},
		"bad email":                {"email": {"not an email"}, "password": {"a brand new passphrase"}},
	} {
		if r := h.post(c, pages.RecoveryFinishPath, form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `recovery-finish-errors`) {
			t.Errorf("%s: %d", name, r.status)
		}
	}
	r = h.post(c, pages.RecoveryFinishPath, url.Values{"email": {"new@example.com"}, "password": {"a brand new passphrase"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("finish: %d %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if a := h.get(c, "/account"); !strings.Contains(a.body, "new@example.com") {
		t.Fatal("not signed in to the recovered account")
	}
	// Every other session ended; the old credentials are gone.
	if r := h.get(owner, "/account"); r.status != http.StatusSeeOther {
		t.Fatalf("the owner's old session survived: %d", r.status)
	}
	if r := h.post(h.browser(), "/login", creds(recoverEmail, "correct horse staple 1")); r.status == http.StatusSeeOther {
		t.Fatal("the lost address still logs in")
	}
	if r := h.post(h.browser(), "/login", creds("new@example.com", "a brand new passphrase")); r.status != http.StatusSeeOther {
		t.Fatalf("new credentials: %d", r.status)
	}
	// The former channels are told, and the link is spent.
	h.awaitMail(t, recoverEmail, "recovery_completed")
	h.awaitMail(t, recoverNumber, "recovery_completed")
	if r := h.confirmFinish(t, c, link, true); !strings.Contains(r.body, msg(messages.RecoveryLinkInvalid)) {
		t.Fatal("a used finish link still works")
	}
	if logs := h.logs.String(); strings.Contains(logs, strings.TrimPrefix(pathOf(t, link), pages.RecoveryFinishPath+"?token=")) {
		t.Fatal("logs hold the finish token")
	}
	wantEvents(t, h, []string{"code.send/success/recover", "recovery.start/success/", "recovery.complete/success/"})
}

func TestRecoveryCancelledFromANotice(t *testing.T) {
	t.Parallel()
	h := recoveryHarness(t, false)
	recoveryAccount(t, h)
	c := h.browser()
	link := startBySMS(t, h, c, 1)
	cancel := cancelLinkRE.FindString(h.awaitMail(t, recoverEmail, "recovery_started").Text)

	// A scanner following the link cancels nothing.
	other := h.browser()
	for range 2 {
		r := h.get(other, pathOf(t, cancel))
		if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="recovery-cancel-submit"`) || r.header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("cancel page: %d", r.status)
		}
	}
	token := strings.TrimPrefix(pathOf(t, cancel), pages.RecoveryCancelPath+"?token=")
	if r := h.post(other, pages.RecoveryCancelPath, url.Values{"token": {token}}); !strings.Contains(r.body, msg(messages.RecoveryCancelled)) {
		t.Fatalf("cancel: %d\n%s", r.status, r.body)
	}
	if r := h.post(other, pages.RecoveryCancelPath, url.Values{"token": {token}}); !strings.Contains(r.body, msg(messages.RecoveryNothingOpen)) {
		t.Fatalf("cancel twice: %d", r.status)
	}
	h.clock.Advance(recoveryWait + time.Minute)
	if r := h.confirmFinish(t, c, link, false); r.status != http.StatusGone || !strings.Contains(r.body, msg(messages.RecoveryWasCancelled)) {
		t.Fatalf("finish after cancel: %d", r.status)
	}
	if r := h.post(c, pages.RecoveryFinishPath, url.Values{"email": {"new@example.com"}, "password": {"a brand new passphrase"}}); r.status == http.StatusSeeOther {
		t.Fatal("a cancelled recovery finished")
	}
	wantEvents(t, h, []string{"recovery.start/success/", "recovery.cancel/success/"})
}

func TestRecoveryCancelledByTheSignedInOwner(t *testing.T) {
	t.Parallel()
	h := recoveryHarness(t, false)
	owner, _ := recoveryAccount(t, h)
	startBySMS(t, h, h.browser(), 1)
	if r := h.post(owner, pages.AccountRecoveryCancelPath, nil); r.status != http.StatusSeeOther {
		t.Fatalf("cancel from the account page: %d", r.status)
	}
	r := h.get(owner, "/account")
	if strings.Contains(r.body, `data-testid="recovery-pending"`) || !strings.Contains(r.body, msg(messages.RecoveryCancelled)) {
		t.Fatalf("account page after cancelling:\n%s", r.body)
	}
	// A new recovery may start once the old one is cancelled; while one is
	// open, another is refused.
	h.clock.Advance(2 * time.Minute)
	startBySMS(t, h, h.browser(), 2)
	h.clock.Advance(2 * time.Minute)
	c := h.browser()
	h.post(c, pages.RecoverPath, url.Values{"phone": {recoverNumber}})
	code := h.awaitRecoverCode(t, 3)
	if r := h.post(c, pages.RecoverVerifyPath, url.Values{"phone": {recoverNumber}, "code": {code}}); !strings.Contains(r.body, msg(messages.RecoveryOpen)) {
		t.Fatalf("a second recovery: %d\n%s", r.status, r.body)
	}
}

func TestRecoveryUnknownNumberAndBadInput(t *testing.T) {
	t.Parallel()
	h := recoveryHarness(t, false)
	c := h.browser()
	known := h.post(c, pages.RecoverPath, url.Values{"phone": {"+447400999999"}})
	if known.status != http.StatusOK || !strings.Contains(known.body, msg(messages.RecoveryCodeSent)) {
		t.Fatalf("unknown number: %d", known.status)
	}
	if r := h.post(c, pages.RecoverVerifyPath, url.Values{"phone": {"+447400999999"}, "code": {"123456"}}); r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Fatalf("code for an unknown number: %d", r.status)
	}
	for _, to := range h.mailboxList(t) {
		if to == "+447400999999" {
			t.Fatal("a text went to a number without an account")
		}
	}
	for _, q := range []string{"", "?token=", "?token=%3Cscript%3E", "?token=" + strings.Repeat("A", 43) + "&token=x", "?token=" + strings.Repeat("A", 4000)} {
		r := h.get(c, pages.RecoveryCancelPath+q)
		if r.status != http.StatusBadRequest || strings.Contains(r.body, "<script>") || strings.Contains(r.body, `name="token"`) {
			t.Errorf("cancel page %.40s: %d", q, r.status)
		}
	}
	// A finish link that is not one is refused in writing, never echoed,
	// and keeps nothing.
	for _, q := range []string{"?token=", "?token=%3Cscript%3E", "?token=" + strings.Repeat("A", 43) + "&token=x"} {
		r := h.get(c, pages.RecoveryFinishPath+q)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, msg(messages.RecoveryLinkInvalid)) || strings.Contains(r.body, "<script>") ||
			strings.Contains(r.body, `name="token"`) || sessionCookie(t, r.header) != nil {
			t.Errorf("bad finish link %.40s: %d", q, r.status)
		}
	}
	if r := h.post(c, pages.RecoveryConfirmPath, url.Values{"token": {"<script>"}}); r.status != http.StatusBadRequest || strings.Contains(r.body, "<script>") {
		t.Fatalf("confirming a bad finish link: %d", r.status)
	}
	if r := h.get(c, pages.RecoveryFinishPath); r.status != http.StatusBadRequest || !strings.Contains(r.body, msg(messages.RecoveryLinkInvalid)) {
		t.Fatalf("finish without a token: %d", r.status)
	}
	posts := map[string]struct {
		path, body string
		headers    []string
		status     int
	}{
		"phone duplicated": {pages.RecoverPath, "phone=1&phone=2", nil, 400},
		"phone hostile":    {pages.RecoverPath, "phone=%3Cscript%3E", nil, 422},
		"phone oversized":  {pages.RecoverPath, "phone=" + strings.Repeat("7", 20000), nil, 413},
		"cancel malformed": {pages.RecoveryCancelPath, "token=%00", nil, 400},
		"cross-origin":     {pages.RecoveryCancelPath, "token=x", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403},
		"finish as JSON":   {pages.RecoveryFinishPath, `{"email":"a@b.c"}`, []string{"Content-Type", "application/json"}, 415},
		"confirm twice":    {pages.RecoveryConfirmPath, "token=a&token=b", nil, 400},
		"confirm cross":    {pages.RecoveryConfirmPath, "token=x", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403},
		"code path off":    {pages.RecoverCodePath, "email=a%40example.com&code=x", nil, 401},
	}
	for name, tc := range posts {
		r := h.postRaw(c, tc.path, tc.body, append([]string{"Content-Type", "application/x-www-form-urlencoded"}, tc.headers...)...)
		if r.status != tc.status || strings.Contains(r.body, "<script>") {
			t.Errorf("%s: %d, want %d", name, r.status, tc.status)
		}
	}
}

func TestRecoveryByRecoveryCode(t *testing.T) {
	t.Parallel()
	h := recoveryHarness(t, true)
	owner, _ := recoveryAccount(t, h)
	_, codes := h.enrolTOTP(t, owner)
	c := h.browser()
	for name, form := range map[string]url.Values{
		"unknown address": {"email": {"nobody@example.com"}, "code": {codes[0]}},
		"wrong code":      {"email": {recoverEmail}, "code": {"wrong-wrong"}},
	} {
		if r := h.post(c, pages.RecoverCodePath, form); r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.RecoveryCodeInvalid)) {
			t.Errorf("%s: %d", name, r.status)
		}
	}
	h.post(c, pages.RecoverCodePath, url.Values{"email": {recoverEmail}, "code": {codes[0]}})
	r := h.get(c, pages.RecoveryStartedPath)
	if r.status != http.StatusOK || finishLinkRE.FindString(r.body) == "" {
		t.Fatalf("recovery code: %d\n%s", r.status, r.body)
	}
	h.awaitMail(t, recoverEmail, "recovery_started")
	h.awaitMail(t, recoverNumber, "recovery_started")
	// The code is spent: it cannot start another (nor sign in).
	if r := h.post(h.browser(), pages.RecoverCodePath, url.Values{"email": {recoverEmail}, "code": {codes[0]}}); r.status != http.StatusUnauthorized {
		t.Fatalf("a spent recovery code: %d", r.status)
	}
}

// TestRecoveryCodeAnswersAlike: /recover/code answers an unknown address,
// an account with a second factor, an account without one and a malformed
// code alike, both within the client's budget and once it is spent, so
// neither a 401 nor a 429 tells which addresses have an account.
func TestRecoveryCodeAnswersAlike(t *testing.T) {
	t.Parallel()
	policies := guard.DefaultPolicies()
	if err := policies.Override(guard.RecoveryCode, guard.ScopeIP, "6/1h"); err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, harnessOptions{codes: true, phones: true, recovery: true, twoFactor: true, policies: policies})
	h.enrolTOTP(t, h.signup("with-totp@example.com", "correct horse staple 1"))
	h.signup("without-totp@example.com", "correct horse staple 1")
	cases := []struct{ name, email, code string }{
		{"unknown address", "nobody-here@example.com", "k7mnp-q2rst"},
		{"account with a second factor", "with-totp@example.com", "k7mnp-q2rst"},
		{"account without a second factor", "without-totp@example.com", "k7mnp-q2rst"},
		{"malformed code for an account", "with-totp@example.com", "x"},
		{"malformed code for no account", "nobody-else@example.com", "x"},
	}
	stranger := h.browser()
	// answer posts one attempt and returns its status, Retry-After
	// presence and body with the typed address taken out.
	answer := func(email, code string) (int, bool, string) {
		r := h.post(stranger, pages.RecoverCodePath, url.Values{"email": {email}, "code": {code}})
		return r.status, r.header.Get("Retry-After") != "", strings.ReplaceAll(r.body, email, "ADDRESS")
	}
	compare := func(round string, want int) {
		t.Helper()
		var first string
		for i, tc := range cases {
			status, retry, body := answer(tc.email, tc.code)
			if status != want || retry != (want == http.StatusTooManyRequests) {
				t.Errorf("%s, %s: %d (Retry-After %v), want %d", round, tc.name, status, retry, want)
			}
			if i == 0 {
				first = body
			} else if body != first {
				t.Errorf("%s, %s: the body differs from the %s's", round, tc.name, cases[0].name)
			}
		}
	}
	compare("within the budget", http.StatusUnauthorized)
	// The client spends what is left of its own budget on addresses of
	// its own, then probes again.
	for i := 0; ; i++ {
		if status, _, _ := answer(fmt.Sprintf("spent%d@example.com", i), "k7mnp-q2rst"); status == http.StatusTooManyRequests {
			break
		}
		if i > 10 {
			t.Fatal("the client's recovery-code budget never ran out")
		}
	}
	compare("past the budget", http.StatusTooManyRequests)
}

// confirmFinish opens a finish link's confirm page in c, checks it warns
// exactly when elsewhere, submits it and returns the finish page that
// follows.
func (h *harness) confirmFinish(t *testing.T, c *http.Client, link string, elsewhere bool) reply {
	t.Helper()
	page := h.get(c, pathOf(t, link))
	if page.status != http.StatusOK || !strings.Contains(page.body, `data-testid="recovery-confirm"`) || page.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("finish link: %d\n%s", page.status, page.body)
	}
	if warned := strings.Contains(page.body, `data-testid="recovery-elsewhere"`); warned != elsewhere {
		t.Fatalf("finish link warned %v, want %v", warned, elsewhere)
	}
	token := strings.TrimPrefix(pathOf(t, link), pages.RecoveryFinishPath+"?token=")
	r := h.post(c, pages.RecoveryConfirmPath, url.Values{"token": {token}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != pages.RecoveryFinishPath || r.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("confirm: %d %q", r.status, r.header.Get("Location"))
	}
	return h.get(c, pages.RecoveryFinishPath)
}

// The finish link's GET changes nothing: another site linking to it
// cannot plant its token in a visitor's browser (who would then finish
// the attacker's recovery and be signed in to that account), and it reads
// nothing, so no guard attempt is counted. A browser that did not start
// the recovery is warned before the button.
func TestRecoveryFinishLinkConfirmsBeforeItActs(t *testing.T) {
	t.Parallel()
	h := recoveryHarness(t, false)
	owner, _ := recoveryAccount(t, h)
	starter := h.browser()
	link := startBySMS(t, h, starter, 1)
	h.clock.Advance(recoveryWait + time.Second)
	linkAttempts := func() string { // the link policy's ledger rows
		var rows string
		if err := h.db.NewRaw(`SELECT coalesce(string_agg(key || '@' || tat::text, ',' ORDER BY key), '') FROM guard_limits WHERE key LIKE 'link:%'`).
			Scan(t.Context(), &rows); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	attempts := linkAttempts() // the started page read the request

	for _, c := range []*http.Client{owner, h.browser()} {
		before := h.get(c, pages.RecoveryFinishPath)
		for range 2 { // a second visit still shows the page
			r := h.get(c, pathOf(t, link))
			if r.status != http.StatusOK || r.header.Get("Referrer-Policy") != "no-referrer" || sessionCookie(t, r.header) != nil {
				t.Fatalf("finish link elsewhere: %d %v", r.status, r.header)
			}
			warn, button := strings.Index(r.body, `data-testid="recovery-elsewhere"`), strings.Index(r.body, `data-testid="recovery-confirm"`)
			if warn < 0 || button < 0 || warn > button || !strings.Contains(r.body, msg(messages.RecoveryElsewhere)) {
				t.Fatalf("no warning before the button:\n%s", r.body)
			}
		}
		after := h.get(c, pages.RecoveryFinishPath)
		if after.status != before.status || after.status != http.StatusBadRequest || strings.Contains(after.body, `name="password"`) {
			t.Fatalf("the link's GET left its token in the browser: %d → %d", before.status, after.status)
		}
		token := strings.TrimPrefix(pathOf(t, link), pages.RecoveryFinishPath+"?token=")
		if r := h.post(c, pages.RecoveryConfirmPath, url.Values{"token": {token}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
			t.Fatalf("cross-site confirm: %d", r.status)
		}
	}
	if r := h.get(owner, "/account"); r.status != http.StatusOK {
		t.Fatalf("the owner's session changed: %d", r.status)
	}
	// Opening the link read nothing: the guard counted no link attempt.
	if n := linkAttempts(); n != attempts {
		t.Fatalf("opening the link counted guard attempts: %s → %s", attempts, n)
	}
	// The browser that started is not warned, and finishes.
	r := h.confirmFinish(t, starter, link, false)
	if !strings.Contains(r.body, `name="password"`) {
		t.Fatalf("no finish form after confirming:\n%s", r.body)
	}
	if r := h.post(starter, pages.RecoveryFinishPath, url.Values{"email": {"found@example.com"}, "password": {"a brand new passphrase"}}); r.status != http.StatusSeeOther {
		t.Fatalf("finish: %d", r.status)
	}
}
