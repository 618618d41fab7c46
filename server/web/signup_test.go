package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/outbox"
)

var signupIDInput = regexp.MustCompile(`name="` + pages.SignupIDField + `" value="([0-9a-f-]{36})"`)

// signupID is the pending signup's handle the code step carries.
func signupID(t testing.TB, body string) string {
	t.Helper()
	m := signupIDInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no signup handle on the code step:\n%s", body)
	}
	return m[1]
}

// awaitSignupCode reads the newest signup code emailed to addr.
func (h *harness) awaitSignupCode(addr string) string {
	h.t.Helper()
	return sixDigits(h.t, h.awaitMail(h.t, addr, "signup_code").Text)
}

// signupLinkToken is the token of the link in a signup email.
func (h *harness) signupLinkToken(t testing.TB, m outbox.Stored) string {
	t.Helper()
	for _, line := range strings.Split(m.Text, "\n") {
		if strings.HasPrefix(line, h.linkOrigin+pages.SignupLinkPath+"?") {
			u, err := url.Parse(line)
			if err != nil {
				t.Fatal(err)
			}
			return u.Query().Get(pages.LinkTokenField)
		}
	}
	t.Fatalf("no signup link in %q", m.Text)
	return ""
}

// mailTo lists the messages to addr after the one with id after, oldest first.
func (h *harness) mailTo(t testing.TB, addr string, after int64) []outbox.Stored {
	t.Helper()
	all, err := h.mailbox.List(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	var out []outbox.Stored
	for _, m := range all {
		if m.To == addr && m.ID > after {
			out = append(out, m)
		}
	}
	slices.Reverse(out)
	return out
}

func (h *harness) lastMailID(t testing.TB) int64 {
	t.Helper()
	all, err := h.mailbox.List(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		return 0
	}
	return all[0].ID
}

// usersWith counts the accounts holding the email address.
func (h *harness) usersWith(t testing.TB, addr string) int {
	t.Helper()
	n, err := h.db.NewSelect().Table("identities").Where("kind = 'email' AND value = ?", addr).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func signupForm(addr, pw string, remember bool) url.Values {
	f := creds(addr, pw)
	if remember {
		f.Set(pages.RememberFieldName, "on")
	}
	return f
}

// createAccount writes an account directly, as an older signup (or one
// without email delivery) left it: its address not verified.
func (h *harness) createAccount(t testing.TB, addr, pw string) uuid.UUID {
	t.Helper()
	hash, err := h.hasher.Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7())
	err = db.NewUsers(h.db).CreatePasswordUser(context.Background(), auth.NewPasswordUser{
		User: auth.User{ID: id, AppID: h.appID, Status: auth.StatusActive, CreatedAt: h.clock.Now()}, Email: addr, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSignupAnswersAlikeForNewAndExistingAddresses(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const known, fresh = "known-signup@example.com", "fresh-signup@example.com"
	h.signup(known, "correct horse staple 1")
	h.clock.Advance(time.Minute) // past the per-address cooldown of that signup's email
	before := h.lastMailID(t)

	answer := func(addr string) reply {
		c := h.browser()
		r := h.post(c, "/signup", signupForm(addr, "another good passphrase 2", false))
		if ck := sessionCookie(t, r.header); ck != nil {
			t.Fatalf("signup of %s set a session cookie", addr)
		}
		u, _ := url.Parse(h.srv.URL)
		var names []string
		for _, ck := range c.Jar.Cookies(u) {
			names = append(names, ck.Name)
		}
		// Every browser gets its device id, and every signup, new address
		// or not, a selector-shaped value in the asked cookie.
		slices.Sort(names)
		if !slices.Equal(names, []string{"latch_asked", "latch_device"}) {
			t.Fatalf("signup of %s left the cookies %v", addr, names)
		}
		return r
	}
	// askedShape is the asked cookie's Set-Cookie line with its value
	// replaced by its length: what an observer learns from it.
	askedShape := func(r reply) string {
		for _, line := range r.header.Values("Set-Cookie") {
			if name, rest, ok := strings.Cut(line, "="); ok && name == "latch_asked" {
				value, attrs, _ := strings.Cut(rest, ";")
				return strconv.Itoa(len(value)) + ";" + attrs
			}
		}
		t.Fatalf("no asked cookie in %v", r.header.Values("Set-Cookie"))
		return ""
	}
	rk, rf := answer(known), answer(fresh)
	if rk.status != http.StatusOK || rf.status != http.StatusOK {
		t.Fatalf("statuses: existing %d, new %d", rk.status, rf.status)
	}
	norm := func(r reply, addr string) string {
		return strings.ReplaceAll(strings.ReplaceAll(r.body, signupID(t, r.body), "ID"), addr, "ADDR")
	}
	if norm(rk, known) != norm(rf, fresh) {
		t.Fatalf("the pages differ:\nexisting:\n%s\nnew:\n%s", rk.body, rf.body)
	}
	if ak, af := askedShape(rk), askedShape(rf); ak != af {
		t.Fatalf("the asked cookies differ: existing %q, new %q", ak, af)
	}
	// Twice within the cooldown: the second answers are alike too, ids
	// included. Each carries a handle of its own, never the first
	// signup's: a handle that came back for a new address alone would
	// tell it apart (and hand out someone else's pending signup).
	rk2, rf2 := answer(known), answer(fresh)
	if rk2.status != http.StatusTooManyRequests || rf2.status != http.StatusTooManyRequests {
		t.Fatalf("second statuses: existing %d, new %d", rk2.status, rf2.status)
	}
	if norm(rk2, known) != norm(rf2, fresh) {
		t.Fatalf("the second pages differ:\nexisting:\n%s\nnew:\n%s", rk2.body, rf2.body)
	}
	if ak, af, a1 := askedShape(rk2), askedShape(rf2), askedShape(rf); ak != af || af != a1 {
		t.Fatalf("the asked cookies differ within the cooldown: existing %q, new %q, first %q", ak, af, a1)
	}
	ids := map[string]bool{}
	for _, r := range []reply{rk, rf, rk2, rf2} {
		ids[signupID(t, r.body)] = true
	}
	if len(ids) != 4 {
		t.Fatalf("a handle was answered twice: existing %s then %s, new %s then %s",
			signupID(t, rk.body), signupID(t, rk2.body), signupID(t, rf.body), signupID(t, rf2.body))
	}
	if !strings.Contains(rf.body, `action="`+pages.SignupVerifyPath+`"`) || !strings.Contains(rf.body, `autocomplete="one-time-code"`) ||
		!strings.Contains(rf.body, `action="`+pages.SignupResendPath+`"`) {
		t.Fatalf("no code step:\n%s", rf.body)
	}
	if n := h.usersWith(t, fresh); n != 0 {
		t.Fatalf("an account exists before the address is proven: %d", n)
	}

	// Exactly one email each, once the worker has delivered both.
	h.awaitMail(t, known, "signup_existing")
	h.awaitMail(t, fresh, "signup_code")
	time.Sleep(300 * time.Millisecond)
	mk, mf := h.mailTo(t, known, before), h.mailTo(t, fresh, before)
	if len(mk) != 1 || len(mf) != 1 {
		t.Fatalf("emails: %d to the existing address, %d to the new one", len(mk), len(mf))
	}
	note, code := mk[0], mf[0]
	if note.Purpose != "signup_existing" || code.Purpose != "signup_code" {
		t.Fatalf("purposes %q, %q", note.Purpose, code.Purpose)
	}
	for _, digits := range regexp.MustCompile(`\d{6}`).FindAllString(note.Text+note.Subject, -1) {
		t.Fatalf("the note to an existing address holds %q:\n%s", digits, note.Text)
	}
	for _, want := range []string{h.linkOrigin + "/login\n", h.linkOrigin + pages.ForgotPath + "\n", messages.Fill(messages.EmailSignupExistingBody, "{app}", "Latch")} {
		if !strings.Contains(note.Text, want) {
			t.Fatalf("the note lacks %q:\n%s", want, note.Text)
		}
	}
	if strings.Contains(note.Text, "token=") || strings.Contains(note.HTML, "token=") {
		t.Fatalf("the note carries a link token:\n%s", note.Text)
	}
	sixDigits(t, code.Text)
	if !strings.Contains(code.Subject, sixDigits(t, code.Text)) || h.signupLinkToken(t, code) == "" {
		t.Fatalf("signup email: %q\n%s", code.Subject, code.Text)
	}
	if n := h.usersWith(t, known); n != 1 {
		t.Fatalf("%d accounts hold the existing address", n)
	}
}

// TestSignupTwiceWithinTheCooldown: a second signup of an address within
// the cooldown gets a handle of its own, which the code emailed for the
// first signup does not finish (so a second browser cannot finish the
// first one with its password, nor the other way round); once the wait
// is over, a resend from its code step sends it its own code.
func TestSignupTwiceWithinTheCooldown(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr = "twice-signup@example.com"
	const firstPW, secondPW = "the first passphrase 1", "the second passphrase 2"
	first := h.post(h.browser(), "/signup", signupForm(addr, firstPW, false))
	if first.status != http.StatusOK {
		t.Fatalf("first signup: %d", first.status)
	}
	firstCode := h.awaitSignupCode(addr)
	c := h.browser()
	r := h.post(c, "/signup", signupForm(addr, secondPW, false))
	id := signupID(t, r.body)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, msg(messages.CodeSendLimited)) || id == signupID(t, first.body) {
		t.Fatalf("second signup: %d, handle %s (the first's %s)\n%s", r.status, id, signupID(t, first.body), r.body)
	}
	if r := h.post(c, pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {firstCode}, pages.SignupIDField: {id}}); r.status != http.StatusUnauthorized || h.usersWith(t, addr) != 0 {
		t.Fatalf("the first signup's code on the second's step: %d, %d accounts", r.status, h.usersWith(t, addr))
	}
	h.clock.Advance(61 * time.Second)
	before := h.lastMailID(t)
	r = h.post(c, pages.SignupResendPath, url.Values{"email": {addr}, pages.SignupIDField: {id}})
	if r.status != http.StatusOK || signupID(t, r.body) != id {
		t.Fatalf("resend: %d\n%s", r.status, r.body)
	}
	var code string
	for deadline := time.Now().Add(10 * time.Second); code == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ms := h.mailTo(t, addr, before); len(ms) > 0 && ms[0].Purpose == "signup_code" {
			code = sixDigits(t, ms[0].Text)
		}
	}
	if code == "" {
		t.Fatal("no code for the second signup")
	}
	r = h.post(c, pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {code}, pages.SignupIDField: {id}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" || h.usersWith(t, addr) != 1 {
		t.Fatalf("the second signup's code: %d %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if r := h.post(h.browser(), "/login", creds(addr, secondPW)); r.status != http.StatusSeeOther {
		t.Fatalf("the second signup's password: %d", r.status)
	}
	if r := h.post(h.browser(), "/login", creds(addr, firstPW)); r.status == http.StatusSeeOther {
		t.Fatal("the first signup's password logs in")
	}
}

func TestSignupCodeCreatesAVerifiedAccount(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr = "code-signup@example.com"
	c := h.browser()
	r := h.post(c, "/signup", signupForm(addr, "correct horse staple 1", true))
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="signup-sent"`) || !strings.Contains(r.body, addr) {
		t.Fatalf("signup: %d\n%s", r.status, r.body)
	}
	id := signupID(t, r.body)
	code := h.awaitSignupCode(addr)
	if h.get(c, "/account").status != http.StatusSeeOther || h.usersWith(t, addr) != 0 {
		t.Fatal("signed in, or an account exists, before the code")
	}

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	r = h.post(c, pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {wrong}, pages.SignupIDField: {id}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.CodeInvalid)) || sessionCookie(t, r.header) != nil {
		t.Fatalf("wrong code: %d\n%s", r.status, r.body)
	}
	if h.usersWith(t, addr) != 0 {
		t.Fatal("a wrong code created the account")
	}
	r = h.post(c, pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {code[:3] + " " + code[3:]}, pages.SignupIDField: {id}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("right code: %d %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	ck := sessionCookie(t, r.header)
	if ck == nil || ck.MaxAge <= 0 && ck.Expires.IsZero() {
		t.Fatalf("keep me signed in: session cookie %+v", ck)
	}
	if !h.verifiedNow(t, c) {
		t.Fatal("the new account's address is not verified")
	}
	if n := h.usersWith(t, addr); n != 1 {
		t.Fatalf("%d accounts", n)
	}
	// The password chosen at signup logs in; the code is spent.
	if r := h.post(h.browser(), "/login", creds(addr, "correct horse staple 1")); r.status != http.StatusSeeOther {
		t.Fatalf("login with the signup password: %d", r.status)
	}
	if r := h.post(h.browser(), pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {code}, pages.SignupIDField: {id}}); r.status != http.StatusUnauthorized {
		t.Fatalf("code used twice: %d", r.status)
	}
	pending, err := h.db.NewSelect().Table("pending_signups").Count(context.Background())
	if err != nil || pending != 0 {
		t.Fatalf("pending signups left: %d %v", pending, err)
	}
	wantEvents(t, h, []string{"code.send/success/signup_email", "signup/success/", "code.use/failure/wrong_code", "signup/success/"})
	for _, e := range h.events(t) { // newest first
		if e.Event == "signup" {
			if e.Outcome != "success" || e.Detail["proof"] != "code" {
				t.Fatalf("the account's creation is audited as %s %v", e.Outcome, e.Detail)
			}
			break
		}
	}
}

func TestSignupLinkInAnotherBrowser(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, passwords: true})
	const addr = "link-signup@example.com"
	started := h.browser()
	r := h.post(started, "/signup", signupForm(addr, "correct horse staple 1", false))
	if r.status != http.StatusOK {
		t.Fatalf("signup: %d", r.status)
	}
	id := signupID(t, r.body)
	m := h.awaitMail(t, addr, "signup_code")
	token := h.signupLinkToken(t, m)

	other := h.browser()
	r = h.get(other, pages.SignupLinkPath+"?"+url.Values{pages.LinkTokenField: {token}}.Encode())
	if r.status != http.StatusOK || r.header.Get("Referrer-Policy") != "no-referrer" ||
		!strings.Contains(r.body, `action="`+pages.SignupLinkPath+`"`) || !strings.Contains(r.body, msg(messages.SignupLinkWarning)) {
		t.Fatalf("link page: %d %q\n%s", r.status, r.header.Get("Referrer-Policy"), r.body)
	}
	// This browser did not start the signup: the page says so, and that
	// the password chosen there will not be kept, before the button.
	warn := strings.Index(r.body, msg(messages.SignupLinkElsewhere))
	if warn < 0 || warn > strings.Index(r.body, `data-testid="signup-link-confirm"`) || !strings.Contains(r.body, `data-testid="signup-link-elsewhere"`) {
		t.Fatalf("no warning that the signup was started in another browser:\n%s", r.body)
	}
	if h.usersWith(t, addr) != 0 || sessionCookie(t, r.header) != nil {
		t.Fatal("opening the link created the account or a session")
	}
	if r := h.get(other, pages.SignupLinkPath+"?token=short"); r.status != http.StatusBadRequest || strings.Contains(r.body, "short") {
		t.Fatalf("malformed link: %d", r.status)
	}
	r = h.post(other, pages.SignupLinkPath, url.Values{pages.LinkTokenField: {token}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != pages.ChangePasswordPath || r.header.Get("Referrer-Policy") != "no-referrer" ||
		sessionCookie(t, r.header) == nil {
		t.Fatalf("confirm: %d %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	// Signed in, sent to choose a password, told why; the password typed
	// at signup (in the browser that started) does not log in.
	r = h.get(other, pages.ChangePasswordPath)
	if r.status != http.StatusOK || !strings.Contains(r.body, msg(messages.SignupSetPassword)) ||
		strings.Contains(r.body, `name="`+pages.CurrentPassField+`"`) {
		t.Fatalf("set-password page after the link: %d\n%s", r.status, r.body)
	}
	if r := h.post(h.browser(), "/login", creds(addr, "correct horse staple 1")); r.status == http.StatusSeeOther {
		t.Fatal("the password typed at signup logs in to the account created by a link in another browser")
	}
	if !h.verifiedNow(t, other) {
		t.Fatal("not verified after the link")
	}
	var audited bool
	for _, e := range h.events(t) {
		if e.Event == "signup" && e.Outcome == "success" && e.Detail["proof"] == "link" {
			audited = e.Detail["password"] == auth.PasswordDroppedElsewhere
			break
		}
	}
	if !audited {
		t.Fatal("the signup event does not say the password was dropped")
	}
	if r := h.get(other, pages.ActivityPath); !strings.Contains(r.body, msg(messages.ActivitySignupElsewhere)) {
		t.Fatalf("the security activity does not say the password was dropped:\n%s", r.body)
	}
	const own = "the owner's own passphrase 7"
	if r := h.post(other, pages.ChangePasswordPath, url.Values{pages.NewPasswordField: {own}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("set a password: %d %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if r := h.post(h.browser(), "/login", creds(addr, own)); r.status != http.StatusSeeOther {
		t.Fatalf("login with the password set after the link: %d", r.status)
	}
	// The link is spent, and with it the code of the same email.
	if r := h.post(h.browser(), pages.SignupLinkPath, url.Values{pages.LinkTokenField: {token}}); r.status != http.StatusGone ||
		!strings.Contains(r.body, msg(messages.SignupLinkInvalid)) {
		t.Fatalf("link used twice: %d", r.status)
	}
	code := sixDigits(t, m.Text)
	if r := h.post(started, pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {code}, pages.SignupIDField: {id}}); r.status != http.StatusUnauthorized {
		t.Fatal("the code worked after the link was used")
	}
	if n := h.usersWith(t, addr); n != 1 {
		t.Fatalf("%d accounts", n)
	}
}

// The browser that started the signup finishes it by its link with the
// password it chose: the first link, or the one a resend from its code
// step sent.
func TestSignupLinkInTheSameBrowserKeepsThePassword(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	for _, resend := range []bool{false, true} {
		addr := "same-browser@example.com"
		if resend {
			addr = "same-browser-resent@example.com"
		}
		const pw = "correct horse staple 1"
		c := h.browser()
		r := h.post(c, "/signup", signupForm(addr, pw, false))
		if r.status != http.StatusOK {
			t.Fatalf("resend %v: signup: %d", resend, r.status)
		}
		m := h.awaitMail(t, addr, "signup_code")
		if resend {
			h.clock.Advance(61 * time.Second)
			before := h.lastMailID(t)
			if r := h.post(c, pages.SignupResendPath, url.Values{"email": {addr}, pages.SignupIDField: {signupID(t, r.body)}}); r.status != http.StatusOK {
				t.Fatalf("resend: %d", r.status)
			}
			var ms []outbox.Stored
			for deadline := time.Now().Add(10 * time.Second); len(ms) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				ms = h.mailTo(t, addr, before)
			}
			if len(ms) == 0 {
				t.Fatal("no second email")
			}
			m = ms[0]
		}
		token := h.signupLinkToken(t, m)
		r = h.get(c, pages.SignupLinkPath+"?"+url.Values{pages.LinkTokenField: {token}}.Encode())
		if r.status != http.StatusOK || strings.Contains(r.body, msg(messages.SignupLinkElsewhere)) {
			t.Fatalf("resend %v: the link page in the signup's browser: %d\n%s", resend, r.status, r.body)
		}
		r = h.post(c, pages.SignupLinkPath, url.Values{pages.LinkTokenField: {token}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
			t.Fatalf("resend %v: confirm: %d %q\n%s", resend, r.status, r.header.Get("Location"), r.body)
		}
		if !h.verifiedNow(t, c) {
			t.Fatalf("resend %v: not verified after the link", resend)
		}
		if r := h.post(h.browser(), "/login", creds(addr, pw)); r.status != http.StatusSeeOther {
			t.Fatalf("resend %v: login with the signup password: %d", resend, r.status)
		}
	}
	for _, e := range h.events(t) {
		if e.Event == "signup" && e.Outcome == "success" && e.Detail["password"] != "" {
			t.Fatalf("a signup in its own browser is audited as %v", e.Detail)
		}
	}
}

func TestSignupCodesAndLinksExpire(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr = "late-signup@example.com"
	c := h.browser()
	r := h.post(c, "/signup", signupForm(addr, "correct horse staple 1", false))
	id := signupID(t, r.body)
	m := h.awaitMail(t, addr, "signup_code")
	h.clock.Advance(11 * time.Minute) // the code lasts 10 minutes, the link 15
	r = h.post(c, pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {sixDigits(t, m.Text)}, pages.SignupIDField: {id}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Fatalf("expired code: %d", r.status)
	}
	h.clock.Advance(5 * time.Minute)
	r = h.post(h.browser(), pages.SignupLinkPath, url.Values{pages.LinkTokenField: {h.signupLinkToken(t, m)}})
	if r.status != http.StatusGone || !strings.Contains(r.body, msg(messages.SignupLinkInvalid)) {
		t.Fatalf("expired link: %d", r.status)
	}
	if h.usersWith(t, addr) != 0 {
		t.Fatal("an expired code or link created the account")
	}
	n, err := db.NewSignups(h.db, nil, nil, h.clock.Now).Prune(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("prune: %d %v", n, err)
	}
}

func TestSignupResend(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr = "resend-signup@example.com"
	c := h.browser()
	r := h.post(c, "/signup", signupForm(addr, "correct horse staple 1", false))
	id := signupID(t, r.body)
	first := h.awaitSignupCode(addr)
	resend := url.Values{"email": {addr}, pages.SignupIDField: {id}}
	r = h.post(c, pages.SignupResendPath, resend)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, msg(messages.CodeSendLimited)) || !strings.Contains(r.body, `data-testid="signup-resend"`) {
		t.Fatalf("resend at once: %d\n%s", r.status, r.body)
	}
	h.clock.Advance(61 * time.Second)
	before := h.lastMailID(t)
	r = h.post(c, pages.SignupResendPath, resend)
	if r.status != http.StatusOK || signupID(t, r.body) != id {
		t.Fatalf("resend: %d\n%s", r.status, r.body)
	}
	var second string
	for deadline := time.Now().Add(10 * time.Second); second == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ms := h.mailTo(t, addr, before); len(ms) > 0 {
			second = sixDigits(t, ms[0].Text)
		}
	}
	if second == "" {
		t.Fatal("no second email")
	}
	if second != first {
		r = h.post(c, pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {first}, pages.SignupIDField: {id}})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("the first code after a resend: %d", r.status)
		}
	}
	r = h.post(c, pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {second}, pages.SignupIDField: {id}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("the resent code: %d\n%s", r.status, r.body)
	}
	// A resend for an address with an account sends the note again.
	h.clock.Advance(61 * time.Second)
	before = h.lastMailID(t)
	if r := h.post(h.browser(), pages.SignupResendPath, url.Values{"email": {addr}, pages.SignupIDField: {uuid.NewString()}}); r.status != http.StatusOK {
		t.Fatalf("resend for an existing address: %d", r.status)
	}
	h.awaitMail(t, addr, "signup_existing")
	if ms := h.mailTo(t, addr, before); len(ms) != 1 || ms[0].Purpose != "signup_existing" {
		t.Fatalf("resend to an existing address sent %v", ms)
	}
}

func TestSignupCodeOfAnotherSignupCreatesNothing(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr = "contested-signup@example.com"
	owner := h.browser()
	r := h.post(owner, "/signup", signupForm(addr, "the owner's passphrase 1", false))
	ownerID := signupID(t, r.body)
	h.awaitSignupCode(addr)
	// Someone else starts a signup on the same address with their own
	// password; its email reaches the owner's mailbox.
	h.clock.Advance(61 * time.Second)
	before := h.lastMailID(t)
	if r := h.post(h.browser(), "/signup", signupForm(addr, "an attacker's passphrase 2", false)); r.status != http.StatusOK {
		t.Fatalf("second signup: %d", r.status)
	}
	var theirs string
	for deadline := time.Now().Add(10 * time.Second); theirs == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ms := h.mailTo(t, addr, before); len(ms) > 0 {
			theirs = sixDigits(t, ms[0].Text)
		}
	}
	r = h.post(owner, pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {theirs}, pages.SignupIDField: {ownerID}})
	if r.status != http.StatusUnauthorized || h.usersWith(t, addr) != 0 {
		t.Fatalf("the other signup's code in the owner's browser: %d, %d accounts", r.status, h.usersWith(t, addr))
	}
}

func TestSignupRaceCreatesNoSecondAccount(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	for _, byLink := range []bool{false, true} {
		addr := "race-code@example.com"
		if byLink {
			addr = "race-link@example.com"
		}
		c := h.browser()
		r := h.post(c, "/signup", signupForm(addr, "correct horse staple 1", false))
		id := signupID(t, r.body)
		m := h.awaitMail(t, addr, "signup_code")
		h.createAccount(t, addr, "someone else's passphrase 9") // meanwhile
		if byLink {
			r = h.post(h.browser(), pages.SignupLinkPath, url.Values{pages.LinkTokenField: {h.signupLinkToken(t, m)}})
		} else {
			r = h.post(c, pages.SignupVerifyPath, url.Values{"email": {addr}, "code": {sixDigits(t, m.Text)}, pages.SignupIDField: {id}})
		}
		if r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.SignupAccountExists)) ||
			!strings.Contains(r.body, `data-testid="signup-exists-login"`) || sessionCookie(t, r.header) != nil {
			t.Fatalf("link %v: %d\n%s", byLink, r.status, r.body)
		}
		if n := h.usersWith(t, addr); n != 1 {
			t.Fatalf("link %v: %d accounts", byLink, n)
		}
		if r := h.post(h.browser(), "/login", creds(addr, "correct horse staple 1")); r.status == http.StatusSeeOther {
			t.Fatalf("link %v: the signup's password logs in to the other account", byLink)
		}
	}
	if n, _ := h.db.NewSelect().Table("pending_signups").Count(context.Background()); n != 0 {
		t.Fatalf("%d pending signups left", n)
	}
}

func TestSignupWithoutEmailDeliveryCreatesTheAccountAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.signup("no-delivery@example.com", "correct horse staple 1")
	if r := h.get(c, "/account"); r.status != http.StatusOK {
		t.Fatalf("account page: %d", r.status)
	}
	if r := h.post(h.browser(), pages.SignupVerifyPath, url.Values{"email": {"no-delivery@example.com"}}); r.status != http.StatusNotFound {
		t.Fatalf("code step without delivery: %d", r.status)
	}
}

// TestSignupTimingAlike measures POST /signup for new addresses and for
// addresses with an account, at the test hash cost, and reports the
// medians. Both run the same checks, one hash, one stored row and one
// queued email; the bound asserted is loose, never a flaky timing race.
func TestSignupTimingAlike(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	policies := guard.DefaultPolicies()
	for _, p := range policies {
		for i := range p.Limits {
			p.Limits[i].Budget *= 1000
		}
	}
	h := newHarnessWith(t, harnessOptions{codes: true, policies: policies})
	const runs = 30
	for i := range runs {
		h.createAccount(t, "timed-old-"+itoa(i)+"@example.com", "correct horse staple 1")
	}
	measure := func(prefix string, i int) time.Duration {
		c := h.browser()
		start := time.Now()
		r := h.post(c, "/signup", signupForm(prefix+itoa(i)+"@example.com", "another good passphrase 2", false))
		d := time.Since(start)
		if r.status != http.StatusOK {
			t.Fatalf("%s%d: %d", prefix, i, r.status)
		}
		return d
	}
	var fresh, known []time.Duration
	for i := range runs { // interleaved, so load on the machine hits both alike
		fresh = append(fresh, measure("timed-new-", i))
		known = append(known, measure("timed-old-", i))
	}
	median := func(ds []time.Duration) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[len(s)/2]
	}
	mf, mk := median(fresh), median(known)
	t.Logf("POST /signup median over %d runs at the test hash cost: new address %v, existing address %v (ratio %.2f)", runs, mf, mk, float64(mf)/float64(mk))
	if mf > 3*mk || mk > 3*mf {
		t.Fatalf("new %v and existing %v differ by more than 3x", mf, mk)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestPhoneSignupAnswersAlikeForNewAndExistingNumbers: signup by phone
// proves the number before anything is created, and its first step reads
// the same whether or not the number has an account.
func TestPhoneSignupAnswersAlikeForNewAndExistingNumbers(t *testing.T) {
	t.Parallel()
	h := phoneHarness(t)
	h.phoneSignup(t, "07400 123456", "+447400123456", 1)
	h.clock.Advance(2 * time.Minute) // past the send cooldown of that code
	known := h.post(h.browser(), pages.PhoneSignupPath, url.Values{pages.PhoneFieldName: {"07400 123456"}})
	fresh := h.post(h.browser(), pages.PhoneSignupPath, url.Values{pages.PhoneFieldName: {"07400 654321"}})
	if known.status != http.StatusOK || fresh.status != http.StatusOK {
		t.Fatalf("statuses: existing %d, new %d", known.status, fresh.status)
	}
	if k, f := strings.ReplaceAll(known.body, "+447400123456", "N"), strings.ReplaceAll(fresh.body, "+447400654321", "N"); k != f {
		t.Fatalf("the pages differ:\nexisting:\n%s\nnew:\n%s", known.body, fresh.body)
	}
	if sessionCookie(t, known.header) != nil || sessionCookie(t, fresh.header) != nil {
		t.Fatal("a session before the code")
	}
	if n, _ := h.db.NewSelect().Table("identities").Where("value = ?", "+447400654321").Count(context.Background()); n != 0 {
		t.Fatal("an identity before the code")
	}
}
