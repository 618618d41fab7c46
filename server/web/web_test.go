package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/password"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	for _, path := range []string{"/login", "/signup", "/nope", "/healthz", "/account"} {
		r := h.get(c, path)
		for name, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-eval'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
			"X-Frame-Options":         "DENY",
		} {
			if got := r.header.Get(name); !strings.Contains(got, want) {
				t.Errorf("GET %s: %s = %q, want it to contain %q", path, name, got, want)
			}
		}
		for _, dir := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(r.header.Get("Content-Security-Policy"), dir) {
				t.Errorf("GET %s: CSP lacks %s", path, dir)
			}
		}
		if r.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("GET %s: HSTS sent on a plain-HTTP origin", path)
		}
		if r.header.Get("X-Request-Id") == "" {
			t.Errorf("GET %s: no X-Request-Id", path)
		}
	}
}

func TestPagesHaveNoInlineScriptOrStyle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	for _, path := range []string{"/login", "/signup"} {
		r := h.get(c, path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " style=") || strings.Contains(r.body, "<style") {
			t.Errorf("GET %s: inline script or style in page", path)
		}
		if !strings.Contains(r.body, `method="post"`) {
			t.Errorf("GET %s: no real form post", path)
		}
	}
}

func TestSignupLogoutLoginJourney(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()

	r := h.post(c, "/signup", creds("Ada@Example.com", "correct horse battery"))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("signup: %d %q", r.status, r.header.Get("Location"))
	}
	ck := sessionCookie(t, r.header)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/", ck)
	}

	acct := h.get(c, "/account")
	if acct.status != http.StatusOK || !strings.Contains(acct.body, "ada@example.com") {
		t.Fatalf("account: %d, body lacks normalized email:\n%s", acct.status, acct.body)
	}
	if !strings.Contains(acct.body, `data-testid="account-user-id"`) {
		t.Fatal("account page lacks the user id")
	}

	out := h.post(c, "/logout", url.Values{})
	if out.status != http.StatusSeeOther || out.header.Get("Location") != "/login?from=logout" {
		t.Fatalf("logout: %d %q", out.status, out.header.Get("Location"))
	}
	if r := h.get(c, "/account"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Faccount" {
		t.Fatalf("account after logout: %d %q", r.status, r.header.Get("Location"))
	}

	in := h.post(c, "/login", creds("ada@example.com", "correct horse battery"))
	if in.status != http.StatusSeeOther || in.header.Get("Location") != "/account" {
		t.Fatalf("login: %d %q %s", in.status, in.header.Get("Location"), in.body)
	}
	if r := h.get(c, "/account"); r.status != http.StatusOK {
		t.Fatalf("account after login: %d", r.status)
	}

	var names []string
	for _, e := range h.events(t) {
		names = append(names, e.Event+":"+e.Outcome)
	}
	got := strings.Join(names, ",")
	if got != "login:success,logout:success,signup:success" {
		t.Fatalf("audit events (newest first) = %s", got)
	}
}

func TestLoginRenewsSessionToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signup("fix@example.com", "a long enough password")
	c := h.browser()
	// An attacker-planted anonymous session must not survive login.
	u, _ := url.Parse(h.srv.URL)
	planted := &http.Cookie{Name: "latch_session", Value: "planted-token-value-0000000000000000000000", Path: "/"}
	c.Jar.SetCookies(u, []*http.Cookie{planted})
	r := h.post(c, "/login", creds("fix@example.com", "a long enough password"))
	ck := sessionCookie(t, r.header)
	if ck == nil || ck.Value == planted.Value || ck.Value == "" {
		t.Fatalf("login kept or lacked the session token: %+v", ck)
	}
}

func TestLoginFailuresLookTheSame(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signup("known@example.com", "the right password")
	c := h.browser()
	wrong := h.post(c, "/login", creds("known@example.com", "the wrong password"))
	unknown := h.post(c, "/login", creds("nobody@example.com", "the wrong password"))
	for name, r := range map[string]reply{"wrong password": wrong, "unknown email": unknown} {
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, r.status)
		}
		if !strings.Contains(html.UnescapeString(r.body), messages.Text(messages.LoginFailed)) {
			t.Errorf("%s: body lacks the login failure text", name)
		}
		if sessionCookie(t, r.header) != nil {
			t.Errorf("%s: a session cookie was set", name)
		}
		if strings.Contains(r.body, "the wrong password") {
			t.Errorf("%s: password echoed back", name)
		}
	}
	if strip(wrong.body) != strip(unknown.body) {
		t.Error("wrong-password and unknown-email pages differ")
	}
	reasons := map[string]bool{}
	for _, e := range h.events(t) {
		if e.Event == "login" && e.Outcome == "failure" {
			reasons[e.Detail["reason"]] = true
		}
	}
	if !reasons["wrong_password"] || !reasons["unknown_identity"] {
		t.Fatalf("login failure audit reasons = %v", reasons)
	}
}

// strip removes the parts of a page that legitimately vary per request.
func strip(body string) string {
	return strings.ReplaceAll(body, "nobody@example.com", "known@example.com")
}

func TestSignupWithTakenEmailRevealsNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signup("taken@example.com", "first password here")
	c := h.browser()
	r := h.post(c, "/signup", creds("TAKEN@example.com", "another password"))
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	body := html.UnescapeString(r.body)
	if !strings.Contains(body, messages.Text(messages.SignupCheckEmail)) {
		t.Fatalf("body lacks the check-your-inbox answer:\n%s", r.body)
	}
	for _, leak := range []string{"already", "exists", "taken", "registered"} {
		if strings.Contains(strings.ToLower(strings.ReplaceAll(body, messages.Text(messages.SignupCheckEmail), "")), leak) {
			t.Errorf("body says %q", leak)
		}
	}
	if sessionCookie(t, r.header) != nil {
		t.Error("a session was started for someone else's email")
	}
	// The existing account still logs in with its own password only.
	if r := h.post(h.browser(), "/login", creds("taken@example.com", "another password")); r.status != http.StatusUnauthorized {
		t.Fatalf("second signup changed the password: login status %d", r.status)
	}
	var found bool
	for _, e := range h.events(t) {
		found = found || (e.Event == "signup" && e.Outcome == "failure" && e.Detail["reason"] == "identity_taken")
	}
	if !found {
		t.Fatal("no audit event for the duplicate signup")
	}
}

func TestSignupValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct {
		name, email, pw string
		want            messages.Key
	}{
		{"empty email", "", "a fine password", messages.EmailRequired},
		{"bad email", "not-an-email", "a fine password", messages.EmailInvalid},
		{"hostile email", `"><script>alert(1)</script>@x.y`, "a fine password", messages.EmailInvalid},
		{"long email", strings.Repeat("a", 250) + "@example.com", "a fine password", messages.EmailTooLong},
		{"empty password", "v1@example.com", "", messages.PasswordRequired},
		{"short password", "v2@example.com", "1234567", messages.PasswordTooShort},
		{"password with local part", "marguerite@example.com", "xxmargueritexx", messages.PasswordHasEmail},
		{"long password", "v3@example.com", strings.Repeat("é", 129), messages.PasswordTooLong},
		{"oversized password", "v4@example.com", strings.Repeat("a", 600), messages.PasswordTooLong},
		{"control character", "v5@example.com", "abc\x00defghijk", messages.PasswordInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := h.browser()
			r := h.post(c, "/signup", creds(tc.email, tc.pw))
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.status)
			}
			if !strings.Contains(html.UnescapeString(r.body), messages.Text(tc.want)) {
				t.Fatalf("body lacks %q", messages.Text(tc.want))
			}
			if tc.pw != "" && strings.Contains(r.body, tc.pw) {
				t.Fatal("password echoed back")
			}
			if strings.Contains(r.body, "<script>alert(1)</script>") {
				t.Fatal("hostile input rendered unescaped")
			}
			if tc.email != "" && len(tc.email) < 200 && !strings.Contains(html.UnescapeString(r.body), tc.email) {
				t.Fatal("typed email lost")
			}
			if !strings.Contains(r.body, `aria-invalid="true"`) {
				t.Fatal("no field marked invalid")
			}
			if sessionCookie(t, r.header) != nil {
				t.Fatal("session started on invalid signup")
			}
		})
	}
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name    string
		path    string
		body    string
		headers []string
		status  int
		want    messages.Key
	}{
		{"oversized body", "/login", "email=a%40b.c&password=" + strings.Repeat("x", 20<<10), []string{"Content-Type", form}, 413, messages.FormTooLarge},
		{"bad encoding", "/login", "email=%zz&password=x", []string{"Content-Type", form}, 400, messages.FormMalformed},
		{"duplicated field", "/signup", "email=a%40b.co&email=c%40d.co&password=longpassword", []string{"Content-Type", form}, 400, messages.FormMalformed},
		{"json body", "/login", `{"email":"a@b.c"}`, []string{"Content-Type", "application/json"}, 415, messages.FormMalformed},
		{"multipart body", "/signup", "--x--", []string{"Content-Type", "multipart/form-data; boundary=x"}, 415, messages.FormMalformed},
		{"no content type", "/signup", "email=a", nil, 415, messages.FormMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.postRaw(h.browser(), tc.path, tc.body, tc.headers...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d", r.status, tc.status)
			}
			if !strings.Contains(html.UnescapeString(r.body), messages.Text(tc.want)) {
				t.Fatalf("body lacks %q:\n%s", messages.Text(tc.want), r.body)
			}
		})
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	victim := h.signup("victim@example.com", "blue harbour 42")
	for _, tc := range []struct{ name, path string }{{"login", "/login"}, {"signup", "/signup"}, {"logout", "/logout"}} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.post(victim, tc.path, creds("evil@example.com", "evil password 1"),
				"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
			if r.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", r.status)
			}
			if !strings.Contains(html.UnescapeString(r.body), messages.Text(messages.CrossOriginDenied)) {
				t.Fatal("no written reason")
			}
		})
	}
	if r := h.get(victim, "/account"); r.status != http.StatusOK {
		t.Fatalf("cross-site logout took effect: %d", r.status)
	}
}

func TestNoStateChangeOnGet(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.signup("get@example.com", "get password 123")
	for _, path := range []string{"/logout", "/signup?email=x%40y.z&password=abcdefghijk", "/login?email=get%40example.com&password=get+password+123"} {
		r := h.get(c, path)
		if path == "/logout" && r.status != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d, want 405", path, r.status)
		}
	}
	if r := h.get(c, "/account"); r.status != http.StatusOK {
		t.Fatalf("a GET logged the user out: %d", r.status)
	}
	n, err := h.db.NewSelect().TableExpr("users").Count(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("users = %d (%v), want 1", n, err)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	if r := h.get(c, "/no/such/page"); r.status != http.StatusNotFound || !strings.Contains(r.body, messages.Text(messages.NotFound)) {
		t.Fatalf("404 page: %d", r.status)
	}
	if r := h.get(c, "/static/css/app.css"); r.status != http.StatusNotFound {
		t.Fatalf("unhashed asset served: %d", r.status)
	}
	req, _ := http.NewRequest(http.MethodDelete, h.srv.URL+"/account", nil)
	req.Header.Set("Origin", h.srv.URL)
	if r := h.do(c, req); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE /account: %d", r.status)
	}
	r := h.get(c, "/no/such/page")
	req, _ = http.NewRequest(http.MethodGet, h.srv.URL+"/no/such", nil)
	req.Header.Set("Accept", "application/json")
	if r = h.do(c, req); r.status != 404 || !strings.Contains(r.body, `"error":"error.not_found"`) {
		t.Fatalf("JSON 404: %d %s", r.status, r.body)
	}
}

func TestStaticAssetsAreHashedAndImmutable(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	page := h.get(c, "/login")
	i := strings.Index(page.body, `/static/vendor/datastar.`)
	if i < 0 {
		t.Fatal("login page does not load Datastar")
	}
	path := page.body[i : i+strings.Index(page.body[i:], `"`)]
	r := h.get(c, path)
	if r.status != http.StatusOK || !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s: %d cache %q", path, r.status, r.header.Get("Cache-Control"))
	}
	if !strings.HasPrefix(r.body, "// Datastar v1.0.0") {
		t.Fatalf("GET %s: not the Datastar 1.0 bundle", path)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	if r := h.get(c, "/healthz"); r.status != 200 {
		t.Fatalf("healthz %d", r.status)
	}
	if r := h.get(c, "/readyz"); r.status != 200 {
		t.Fatalf("readyz %d", r.status)
	}
	h.db.Close()
	if r := h.get(c, "/readyz"); r.status != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed: %d", r.status)
	}
}

func TestDatastarLoginSetsSessionCookie(t *testing.T) {
	// Regression: an SSE answer flushes headers past scs's cookie hook, so
	// the session must be committed and its cookie written before it.
	t.Parallel()
	h := newHarness(t)
	h.signup("sse@example.com", "sse password 123")
	c := h.browser()
	r := h.post(c, "/login", creds("sse@example.com", "sse password 123"), "Datastar-Request", "true")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d type %q", r.status, r.header.Get("Content-Type"))
	}
	if sessionCookie(t, r.header) == nil {
		t.Fatal("SSE login answer carries no session cookie")
	}
	if !strings.Contains(r.body, "datastar-patch-elements") || !strings.Contains(r.body, `window.location.assign(&#34;/account&#34;)`) &&
		!strings.Contains(r.body, `window.location.assign(&quot;/account&quot;)`) {
		t.Fatalf("no navigation patch:\n%s", r.body)
	}
	if a := h.get(c, "/account"); a.status != http.StatusOK {
		t.Fatalf("account after SSE login: %d", a.status)
	}
}

func TestDatastarFormErrorsArePatched(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	r := h.post(c, "/signup", creds("bad", "short"), "Datastar-Request", "true")
	if r.status != http.StatusOK || !strings.Contains(r.body, "event: datastar-patch-elements") {
		t.Fatalf("status %d body %s", r.status, r.body)
	}
	for _, want := range []string{`id="signup-panel"`, `aria-invalid="true"`, `data-init="el.focus()"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("patch lacks %s", want)
		}
	}
	if !strings.Contains(html.UnescapeString(r.body), messages.Text(messages.EmailInvalid)) {
		t.Error("patch lacks the email message")
	}
	bad := h.post(c, "/login", creds("x@example.com", "wrong password"), "Datastar-Request", "true")
	if !strings.Contains(html.UnescapeString(bad.body), messages.Text(messages.LoginFailed)) || sessionCookie(t, bad.header) != nil {
		t.Fatalf("datastar login failure: %s", bad.body)
	}
	tooBig := h.postRaw(c, "/login", "password="+strings.Repeat("x", 20<<10), "Content-Type", "application/x-www-form-urlencoded", "Datastar-Request", "true")
	if tooBig.status != http.StatusOK || !strings.Contains(html.UnescapeString(tooBig.body), messages.Text(messages.FormTooLarge)) {
		t.Fatalf("datastar oversized post: %d %s", tooBig.status, tooBig.body)
	}
}

func TestIdleTimeoutEndsSession(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{idle: 10 * time.Minute})
	c := h.signup("idle@example.com", "quiet hours 123")
	h.clock.Advance(9 * time.Minute)
	if r := h.get(c, "/account"); r.status != http.StatusOK {
		t.Fatalf("active session ended early: %d", r.status)
	}
	h.clock.Advance(9 * time.Minute) // 18 min after login, 9 after last use
	if r := h.get(c, "/account"); r.status != http.StatusOK {
		t.Fatalf("use did not extend the idle window: %d", r.status)
	}
	h.clock.Advance(11 * time.Minute)
	if r := h.get(c, "/account"); r.status != http.StatusSeeOther {
		t.Fatalf("idle session still valid: %d", r.status)
	}
}

func TestAbsoluteLifetimeEndsSession(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{idle: 30 * time.Minute, lifetime: time.Hour})
	c := h.signup("abs@example.com", "abs password 12")
	for i := 0; i < 3; i++ {
		h.clock.Advance(20 * time.Minute)
		h.get(c, "/account")
	}
	h.clock.Advance(time.Minute) // 61 minutes after login, never idle
	if r := h.get(c, "/account"); r.status != http.StatusSeeOther {
		t.Fatalf("session outlived its absolute lifetime: %d", r.status)
	}
}

func TestLoginRehashesOutdatedHash(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	h.signup("old@example.com", "old params password")
	weaker := password.NewHasher(password.Params{MemoryKiB: 32, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}, 1)
	old, err := weaker.Hash(ctx, "old params password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.NewUpdate().TableExpr("password_credentials").Set("hash = ?", old).Where("true").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if r := h.post(h.browser(), "/login", creds("old@example.com", "old params password")); r.status != http.StatusSeeOther {
		t.Fatalf("login with an old-parameter hash: %d", r.status)
	}
	var stored string
	if err := h.db.NewSelect().TableExpr("password_credentials").Column("hash").Scan(ctx, &stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash not upgraded: %s", stored)
	}
}

func TestNothingSecretInLogs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.signup("logs@example.com", "super secret password value")
	h.post(h.browser(), "/login", creds("logs@example.com", "another secret attempt"))
	h.get(c, "/account?token=should-not-be-logged")
	logs := h.logs.String()
	for _, secret := range []string{"super secret password value", "another secret attempt", "should-not-be-logged"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	u, _ := url.Parse(h.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if strings.Contains(logs, ck.Value) {
			t.Error("logs contain the session cookie")
		}
	}
	if !strings.Contains(logs, "request_id=") {
		t.Error("log lines carry no request id")
	}
}

func TestTLSOriginHardensCookieAndSendsHSTS(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{secure: true})
	c := h.browser()
	r := h.post(c, "/signup", creds("tls@example.com", "transport layer 42"))
	ck := sessionCookie(t, r.header)
	if ck == nil || ck.Name != "__Host-latch_session" || !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("session cookie on TLS = %+v, want __Host-latch_session, Secure, HttpOnly, Path=/, no Domain", ck)
	}
	if got := r.header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Fatalf("HSTS = %q", got)
	}
	if a := h.get(c, "/account"); a.status != http.StatusOK {
		t.Fatalf("account over TLS: %d", a.status)
	}
}

func TestPublicOriginIsTrustedBehindAProxy(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{origin: "https://auth.example.com"})
	// A proxy rewrote Host, so Origin no longer matches it; no Sec-Fetch-Site.
	ok := h.postRaw(h.browser(), "/login", creds("a@example.com", "wrong password 1").Encode(),
		"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://auth.example.com", "Sec-Fetch-Site", "")
	if ok.status != http.StatusUnauthorized {
		t.Fatalf("post from the public origin: %d, want 401 (reached the handler)", ok.status)
	}
	evil := h.postRaw(h.browser(), "/login", creds("a@example.com", "wrong password 1").Encode(),
		"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://auth.example.com.evil.example", "Sec-Fetch-Site", "")
	if evil.status != http.StatusForbidden {
		t.Fatalf("post from a lookalike origin: %d, want 403", evil.status)
	}
}
