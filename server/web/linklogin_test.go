package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/outbox"
)

// awaitLink reads the sign-in link in the newest email to addr, as its
// owner would, and returns it whole.
func (h *harness) awaitLink(t *testing.T, addr string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := h.mailbox.List(context.Background(), 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.To != addr || !strings.HasPrefix(m.Purpose, "login_code") {
				continue
			}
			for _, w := range strings.Fields(m.Text) {
				if strings.Contains(w, "/login/link?") {
					return w
				}
			}
			t.Fatalf("the newest email to %s holds no sign-in link:\n%s", addr, m.Text)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no email reached %s", addr)
	return ""
}

// linkParts splits an emailed link into the path and query to request
// from the test server, and its token.
func linkParts(t *testing.T, link string) (pathQuery, token string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI(), u.Query().Get("token")
}

// requestLink asks for a code and link for addr in browser c, waits for
// the new email, and returns its link.
func (h *harness) requestLink(t *testing.T, c *http.Client, addr string, extra ...string) string {
	t.Helper()
	before := h.emailsTo(t, addr)
	form := url.Values{"email": {addr}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	if r := h.post(c, "/login/code", form); r.status != http.StatusOK {
		t.Fatalf("request a link for %s: %d %s", addr, r.status, r.body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for h.emailsTo(t, addr) == before {
		if time.Now().After(deadline) {
			t.Fatalf("no new email reached %s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return h.awaitLink(t, addr)
}

// emailsTo counts the login emails delivered to addr.
func (h *harness) emailsTo(t *testing.T, addr string) int {
	t.Helper()
	msgs, err := h.mailbox.List(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.To == addr && strings.HasPrefix(m.Purpose, "login_code") {
			n++
		}
	}
	return n
}

// linkRow is what the store holds for the newest login row of addr.
type linkRow struct {
	Attempts int        `bun:"attempts"`
	Consumed *time.Time `bun:"consumed_at"`
}

func (h *harness) linkRow(t *testing.T, addr string) linkRow {
	t.Helper()
	var r linkRow
	if err := h.db.NewSelect().TableExpr("one_time_tokens").Column("attempts", "consumed_at").
		Where("identity = ? AND purpose = 'login'", addr).OrderExpr("created_at DESC").Limit(1).Scan(context.Background(), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLinkLoginEmailCarriesCodeAndLinkOnThePublicOrigin(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, origin: "https://latch.example"})
	h.signup("origin@example.com", "correct horse staple 1")

	// The Host header is the client's to choose; the link ignores it.
	c := h.browser()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/login/code",
		strings.NewReader(url.Values{"email": {"origin@example.com"}, "next": {"/account/devices"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://latch.example")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if r := h.do(c, req); r.status != http.StatusOK {
		t.Fatalf("request: %d %s", r.status, r.body)
	}
	code := h.awaitCode(t, "origin@example.com")
	link := h.awaitLink(t, "origin@example.com")
	if !strings.HasPrefix(link, "https://latch.example/login/link?") {
		t.Fatalf("link %q is not on the public origin", link)
	}
	u, _ := url.Parse(link)
	if tok := u.Query().Get("token"); len(tok) != otp.TokenLen || u.Query().Get("next") != "/account/devices" {
		t.Fatalf("link query %v", u.Query())
	}
	m := h.awaitMail(t, "origin@example.com", "login_code_link")
	msgs := []outbox.Stored{m}
	if !strings.Contains(msgs[0].HTML, code) || !strings.Contains(msgs[0].HTML, `href="https://latch.example/login/link?`) ||
		!strings.Contains(msgs[0].Text, "The code expires in 10 minutes, the link in 15 minutes.") {
		t.Fatalf("email bodies:\n%s\n%s", msgs[0].Text, msgs[0].HTML)
	}
}

func TestLinkLoginGetNeverSpendsAndPostSpendsOnce(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("once@example.com", "correct horse staple 1")
	c := h.browser()
	link := h.requestLink(t, c, "once@example.com")
	code := h.awaitCode(t, "once@example.com")
	path, token := linkParts(t, link)

	for i := range 2 {
		r := h.get(c, path)
		if r.status != http.StatusOK || r.header.Get("Referrer-Policy") != "no-referrer" ||
			!strings.Contains(r.body, `method="post"`) || !strings.Contains(r.body, `action="/login/link"`) ||
			!strings.Contains(r.body, `type="hidden" name="token" value="`+token+`"`) ||
			!strings.Contains(r.body, `data-testid="login-link-confirm"`) {
			t.Fatalf("GET %d: %d %v %s", i, r.status, r.header, r.body)
		}
		// The browser that asked is not warned.
		if strings.Contains(r.body, msg(messages.LinkLoginElsewhere)) {
			t.Fatalf("GET %d in the asking browser warns", i)
		}
	}
	if row := h.linkRow(t, "once@example.com"); row.Attempts != 0 || row.Consumed != nil {
		t.Fatalf("GET changed the row: %+v", row)
	}
	if a := h.get(c, "/account"); a.status != http.StatusSeeOther {
		t.Fatalf("GET signed the browser in: /account %d", a.status)
	}

	r := h.post(c, "/login/link", url.Values{"token": {token}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" || sessionCookie(t, r.header) == nil ||
		r.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("POST: %d %v", r.status, r.header)
	}
	if a := h.get(c, "/account"); a.status != 200 || !strings.Contains(a.body, "once@example.com") {
		t.Fatalf("account after link login: %d", a.status)
	}

	// Spent: a second POST, from anywhere, reads the one refusal.
	other := h.browser()
	r = h.post(other, "/login/link", url.Values{"token": {token}})
	if r.status != http.StatusGone || !strings.Contains(r.body, msg(messages.LinkInvalid)) ||
		!strings.Contains(r.body, `href="/login/code"`) || strings.Contains(r.body, `name="token"`) {
		t.Fatalf("second POST: %d %s", r.status, r.body)
	}
	if a := h.get(other, "/account"); a.status != http.StatusSeeOther {
		t.Fatalf("a spent link signed a browser in: %d", a.status)
	}
	// The code sent with it went with it.
	if v := h.post(other, "/login/code/verify", url.Values{"email": {"once@example.com"}, "code": {code}}); v.status != http.StatusUnauthorized {
		t.Fatalf("code after its link: %d", v.status)
	}
	// And the link after its code: a new email, the code first.
	h.clock.Advance(time.Minute)
	link = h.requestLink(t, other, "once@example.com")
	code = h.awaitCode(t, "once@example.com")
	if v := h.post(other, "/login/code/verify", url.Values{"email": {"once@example.com"}, "code": {code}}); v.status != http.StatusSeeOther {
		t.Fatalf("code: %d", v.status)
	}
	_, token = linkParts(t, link)
	if r := h.post(h.browser(), "/login/link", url.Values{"token": {token}}); r.status != http.StatusGone {
		t.Fatalf("link after its code: %d", r.status)
	}
}

func TestLinkLoginFromAnotherBrowserWarnsAndWorks(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("twice@example.com", "correct horse staple 1")
	asker := h.browser()
	path, token := linkParts(t, h.requestLink(t, asker, "twice@example.com"))

	if r := h.get(asker, path); r.status != 200 || strings.Contains(r.body, msg(messages.LinkLoginElsewhere)) {
		t.Fatalf("asking browser: %d warned=%v", r.status, strings.Contains(r.body, msg(messages.LinkLoginElsewhere)))
	}
	other := h.browser()
	r := h.get(other, path)
	if r.status != 200 || !strings.Contains(r.body, `data-testid="login-link-elsewhere"`) ||
		!strings.Contains(r.body, msg(messages.LinkLoginElsewhere)) {
		t.Fatalf("other browser: %d %s", r.status, r.body)
	}
	if strings.Index(r.body, "login-link-elsewhere") > strings.Index(r.body, "login-link-confirm") {
		t.Fatal("the warning comes after the button")
	}
	if r := h.post(other, "/login/link", url.Values{"token": {token}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("other browser POST: %d", r.status)
	}
	if a := h.get(other, "/account"); a.status != 200 {
		t.Fatalf("other browser not signed in: %d", a.status)
	}
	if a := h.get(asker, "/account"); a.status != http.StatusSeeOther {
		t.Fatalf("the asking browser was signed in too: %d", a.status)
	}
}

func TestLinkLoginExpiry(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("late@example.com", "correct horse staple 1")
	c := h.browser()

	// At 11 minutes the code is over, the link still works.
	_, token := linkParts(t, h.requestLink(t, c, "late@example.com"))
	code := h.awaitCode(t, "late@example.com")
	h.clock.Advance(11 * time.Minute)
	if r := h.post(c, "/login/code/verify", url.Values{"email": {"late@example.com"}, "code": {code}}); r.status != http.StatusUnauthorized ||
		!strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Fatalf("code at 11 minutes: %d", r.status)
	}
	if r := h.post(c, "/login/link", url.Values{"token": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("link at 11 minutes: %d %s", r.status, r.body)
	}

	// At 15 minutes the link is over too.
	c = h.browser()
	path, token := linkParts(t, h.requestLink(t, c, "late@example.com"))
	h.clock.Advance(15 * time.Minute)
	if r := h.get(c, path); r.status != http.StatusOK {
		t.Fatalf("GET of an expired link: %d (the page cannot tell, and must not look)", r.status)
	}
	r := h.post(c, "/login/link", url.Values{"token": {token}})
	if r.status != http.StatusGone || !strings.Contains(r.body, msg(messages.LinkInvalid)) {
		t.Fatalf("expired link: %d %s", r.status, r.body)
	}
	var expired bool
	for _, e := range h.events(t) {
		expired = expired || (e.Event == "link.use" && e.Outcome == "failure" && e.Detail["reason"] == "expired")
	}
	if !expired {
		t.Fatal("the expired link is not audited")
	}
}

// forge returns token with its verifier changed but still well formed.
func forge(token string) string {
	b := []byte(token)
	i := otp.SelectorLen
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestLinkLoginRefusals(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("tamper@example.com", "correct horse staple 1")
	c := h.browser()
	link := h.requestLink(t, c, "tamper@example.com")
	_, token := linkParts(t, link)
	form := "application/x-www-form-urlencoded"

	// The page refuses what cannot be a token, before any lookup.
	for name, query := range map[string]string{
		"missing":    "",
		"empty":      "token=",
		"short":      "token=" + token[:len(token)-1],
		"long":       "token=" + token + "A",
		"oversized":  "token=" + strings.Repeat("A", 8<<10),
		"alphabet":   "token=" + strings.Repeat("*", otp.TokenLen),
		"duplicated": "token=" + token + "&token=" + token,
		"padded":     "token=" + url.QueryEscape(token[:len(token)-1]+"="),
	} {
		r := h.get(c, "/login/link?"+query)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, msg(messages.LinkMalformed)) ||
			!strings.Contains(r.body, `data-testid="login-link-new-code"`) || strings.Contains(r.body, `name="token"`) ||
			r.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("GET %s: %d", name, r.status)
		}
	}
	// And the POST: malformed tokens are refused without a lookup.
	for name, tc := range map[string]struct {
		body    string
		headers []string
		status  int
		text    messages.Key
	}{
		"missing":      {"next=%2Faccount", []string{"Content-Type", form}, 400, messages.LinkMalformed},
		"short":        {"token=" + token[:20], []string{"Content-Type", form}, 400, messages.LinkMalformed},
		"long":         {"token=" + token + "A", []string{"Content-Type", form}, 400, messages.LinkMalformed},
		"oversized":    {"token=" + strings.Repeat("A", 20<<10), []string{"Content-Type", form}, 413, messages.FormTooLarge},
		"duplicated":   {"token=" + token + "&token=" + token, []string{"Content-Type", form}, 400, messages.FormMalformed},
		"not a form":   {`{"token":"` + token + `"}`, []string{"Content-Type", "application/json"}, 415, messages.FormMalformed},
		"cross-origin": {"token=" + token, []string{"Content-Type", form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, messages.CrossOriginDenied},
	} {
		r := h.postRaw(c, "/login/link", tc.body, tc.headers...)
		if r.status != tc.status || !strings.Contains(r.body, msg(tc.text)) {
			t.Errorf("POST %s: %d, want %d with %q", name, r.status, tc.status, tc.text)
		}
	}
	if row := h.linkRow(t, "tamper@example.com"); row.Attempts != 0 || row.Consumed != nil {
		t.Fatalf("malformed or refused posts touched the row: %+v", row)
	}

	// A well-formed wrong verifier is the one refusal, and counts.
	r := h.post(c, "/login/link", url.Values{"token": {forge(token)}})
	if r.status != http.StatusGone || !strings.Contains(r.body, msg(messages.LinkInvalid)) {
		t.Fatalf("forged verifier: %d %s", r.status, r.body)
	}
	if row := h.linkRow(t, "tamper@example.com"); row.Attempts != 1 || row.Consumed != nil {
		t.Fatalf("after a wrong verifier: %+v", row)
	}
	// An unknown selector reads the same.
	if r := h.post(c, "/login/link", url.Values{"token": {otp.NewLink().Token}}); r.status != http.StatusGone ||
		!strings.Contains(r.body, msg(messages.LinkInvalid)) {
		t.Fatalf("unknown link: %d", r.status)
	}
	if r := h.get(c, "/account"); r.status != http.StatusSeeOther {
		t.Fatalf("signed in by a refused link: %d", r.status)
	}

	// The genuine link still works.
	if r := h.post(c, "/login/link", url.Values{"token": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("genuine link after refusals: %d %s", r.status, r.body)
	}

	// The token is in no log line and no audit event; failures say why.
	verifier := token[otp.SelectorLen:]
	if logs := h.logs.String(); strings.Contains(logs, verifier) || strings.Contains(logs, "token=") {
		t.Fatalf("the server log holds the token:\n%s", logs)
	}
	reasons := map[string]bool{}
	var sent, used bool
	for _, e := range h.events(t) {
		if strings.Contains(strings.Join(values(e.Detail), " "), verifier) {
			t.Fatalf("audit event %s holds the token", e.Event)
		}
		sent = sent || (e.Event == "code.send" && e.Outcome == "success" && e.Detail["link"] == "true")
		used = used || (e.Event == "link.use" && e.Outcome == "success")
		if e.Event == "link.use" && e.Outcome == "failure" {
			reasons[e.Detail["reason"]] = true
		}
	}
	if !sent || !used || !reasons["malformed"] || !reasons["wrong"] {
		t.Fatalf("audit: sent=%v used=%v failures=%v", sent, used, reasons)
	}
	var args []string
	if err := h.db.NewSelect().TableExpr("river_job").ColumnExpr("args::text").Scan(context.Background(), &args); err != nil {
		t.Fatal(err)
	}
	for _, a := range args {
		if strings.Contains(a, verifier) {
			t.Fatal("the queue holds the link in clear")
		}
	}
	if r := h.get(c, "/login/link/other"); r.status != http.StatusNotFound {
		t.Fatalf("GET /login/link/other: %d", r.status)
	}
}

// TestStrangersWrongCodesDoNotVoidTheLink: wrong codes typed in another
// browser are refused once the strangers' budget is spent, and never
// void the code or link the owner asked for.
func TestStrangersWrongCodesDoNotVoidTheLink(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("void@example.com", "correct horse staple 1")
	c := h.browser()
	_, token := linkParts(t, h.requestLink(t, c, "void@example.com"))
	code := h.awaitCode(t, "void@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	stranger := h.browser()
	for i := range 5 {
		if r := h.post(stranger, "/login/code/verify", url.Values{"email": {"void@example.com"}, "code": {wrong}}); r.status != http.StatusUnauthorized {
			t.Fatalf("stranger's wrong code %d: %d", i+1, r.status)
		}
	}
	if r := h.post(stranger, "/login/code/verify", url.Values{"email": {"void@example.com"}, "code": {code}}); r.status != http.StatusTooManyRequests ||
		!strings.Contains(r.body, msg(messages.CodeGuessThrottled)) || r.header.Get("Retry-After") == "" {
		t.Fatalf("stranger's 6th guess, even the right code: %d", r.status)
	}
	if r := h.post(c, "/login/link", url.Values{"token": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("the owner's link after a stranger's guesses: %d", r.status)
	}
}

func TestWrongCodesAreAudited(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("void@example.com", "correct horse staple 1")
	c := h.browser()
	h.requestLink(t, c, "void@example.com")
	code := h.awaitCode(t, "void@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for range 5 {
		h.post(c, "/login/code/verify", url.Values{"email": {"void@example.com"}, "code": {wrong}})
	}
	wrongs := 0
	for _, e := range h.events(t) {
		if e.Event == "code.use" && e.Detail["reason"] == "wrong_code" {
			wrongs++
		}
	}
	if wrongs != 5 {
		t.Fatalf("%d wrong codes audited, want 5", wrongs)
	}
}

// hostileNexts are targets a sign-in must never send a browser to.
var hostileNexts = []string{
	"//evil.example",
	"//evil.example/account",
	`/\evil.example`,
	`\\evil.example`,
	"https://evil.example",
	"https://evil.example/account",
	"http://127.0.0.1@evil.example/",
	"%2F%2Fevil.example",
	"/%2F%2Fevil.example",
	"/%252F%252Fevil.example",
	"/%5Cevil.example",
	"javascript:alert(1)",
	"JaVaScRiPt:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"/\t/evil.example",
	" //evil.example",
	"\uff0f\uff0fevil.example",
	"/\uff0fevil.example",
	"/%EF%BC%8Fevil.example",
	"/account\u2028",
	"evil.example",
}

func TestLoginNextIsCheckedAtEveryStep(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("next@example.com", "correct horse staple 1")
	c := h.browser()
	wellFormed := otp.NewLink().Token

	for _, bad := range hostileNexts {
		q := url.Values{"next": {bad}}.Encode()
		if r := h.get(c, "/login/code?"+q); r.status != 200 || strings.Contains(r.body, `name="next"`) {
			t.Errorf("GET /login/code?%s carries it: %d", q, r.status)
		}
		if r := h.get(c, "/login/link?token="+wellFormed+"&"+q); r.status != 200 || strings.Contains(r.body, `name="next"`) {
			t.Errorf("GET /login/link?…&%s carries it: %d", q, r.status)
		}
		if r := h.post(c, "/login/code/verify", url.Values{"email": {"next@example.com"}, "code": {"12"}, "next": {bad}}); strings.Contains(r.body, `name="next"`) {
			t.Errorf("the code step carries next %q", bad)
		}
	}
	// A good target is carried through both steps and into the link.
	r := h.get(c, "/login/code?next="+url.QueryEscape("/account/devices?tab=1"))
	if !strings.Contains(r.body, `type="hidden" name="next" value="/account/devices?tab=1"`) {
		t.Fatalf("GET /login/code with a good next: %s", r.body)
	}
	step := h.post(c, "/login/code", url.Values{"email": {"next@example.com"}, "next": {"/account/devices?tab=1"}})
	if !strings.Contains(step.body, `type="hidden" name="next" value="/account/devices?tab=1"`) ||
		!strings.Contains(step.body, `href="/login/code?next=%2Faccount%2Fdevices%3Ftab%3D1"`) {
		t.Fatalf("the code step lost next: %s", step.body)
	}
	link := h.awaitLink(t, "next@example.com")
	path, token := linkParts(t, link)
	if u, _ := url.Parse(link); u.Query().Get("next") != "/account/devices?tab=1" {
		t.Fatalf("link %s lost next", link)
	}
	page := h.get(c, path)
	if !strings.Contains(page.body, `type="hidden" name="next" value="/account/devices?tab=1"`) {
		t.Fatalf("the confirmation lost next: %s", page.body)
	}
	// A hostile next swapped into the form is dropped at the POST.
	r = h.post(c, "/login/link", url.Values{"token": {token}, "next": {"//evil.example"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("link POST with a hostile next: %d %q", r.status, r.header.Get("Location"))
	}

	// The code lands on next too.
	h.clock.Advance(time.Minute)
	other := h.browser()
	h.requestLink(t, other, "next@example.com")
	code := h.awaitCode(t, "next@example.com")
	r = h.post(other, "/login/code/verify", url.Values{"email": {"next@example.com"}, "code": {code}, "next": {"/account/devices"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/devices" {
		t.Fatalf("code login with next: %d %q", r.status, r.header.Get("Location"))
	}
	// And a good next through the link lands there.
	h.clock.Advance(time.Minute)
	third := h.browser()
	_, token = linkParts(t, h.requestLink(t, third, "next@example.com", "next", "/account/devices"))
	r = h.post(third, "/login/link", url.Values{"token": {token}, "next": {"/account/devices"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/devices" {
		t.Fatalf("link login with next: %d %q", r.status, r.header.Get("Location"))
	}
}

func TestLinkLoginUnknownEmailSendsNothingAndAnswersAlike(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("real@example.com", "correct horse staple 1")
	known := h.post(h.browser(), "/login/code", url.Values{"email": {"real@example.com"}, "next": {"/account"}})
	unknown := h.post(h.browser(), "/login/code", url.Values{"email": {"ghost@example.com"}, "next": {"/account"}})
	if known.status != 200 || unknown.status != 200 || codeStep(known.body, "real@example.com") != codeStep(unknown.body, "ghost@example.com") {
		t.Fatalf("known %d and unknown %d differ", known.status, unknown.status)
	}
	// Both browsers remember their link in a cookie, and neither got a
	// session.
	for _, r := range []reply{known, unknown} {
		if sessionCookie(t, r.header) != nil || !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), "\n"), "latch_asked=") {
			t.Fatalf("cookies of a code request: %q", r.header.Values("Set-Cookie"))
		}
	}
	h.awaitLink(t, "real@example.com")
	for _, to := range h.mailboxList(t) {
		if to == "ghost@example.com" {
			t.Fatal("an email went to an address with no account")
		}
	}
	var stored int
	if err := h.db.NewSelect().TableExpr("one_time_tokens").ColumnExpr("count(*)").
		Where("identity = ? AND selector IS NOT NULL", "ghost@example.com").Scan(context.Background(), &stored); err != nil || stored != 1 {
		t.Fatalf("rows with a link for the unknown address: %d %v", stored, err)
	}
}

func TestLinkLoginIsAbsentWithoutCodeDelivery(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	if r := h.get(c, "/login/link?token="+otp.NewLink().Token); r.status != http.StatusNotFound {
		t.Errorf("GET /login/link: %d, want 404", r.status)
	}
	if r := h.post(c, "/login/link", url.Values{"token": {otp.NewLink().Token}}); r.status != http.StatusNotFound {
		t.Errorf("POST /login/link: %d, want 404", r.status)
	}
}
