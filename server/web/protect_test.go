package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/protect"
	"github.com/latch-dev/latch/server/web"
)

// reportsRoutes is a product's own pages, added as the README shows.
func reportsRoutes(srv *web.Server) {
	p := srv.Protect()
	srv.Handle("GET /reports", p.RequireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := protect.UserFrom(r.Context())
		fmt.Fprintf(w, "reports of %s in session %s", u.ID, u.SessionID)
	})))
	srv.Handle("POST /reports/delete", p.RequireFresh("/reports", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "deleted")
	})))
	srv.Handle("GET /reports/export", p.RequirePermission("reports.export", nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "exported")
	})))
}

func TestProductRoutesAreProtected(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{product: reportsRoutes})
	anon := h.browser()

	// A page: to the login page, which comes back here.
	r := h.get(anon, "/reports?year=2026")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Freports%3Fyear%3D2026" {
		t.Fatalf("anonymous page: %d %q", r.status, r.header.Get("Location"))
	}
	// An API, JSON or Datastar request: 401 with a challenge, no redirect.
	for _, hdr := range [][2]string{{"Accept", "application/json"}, {"Datastar-Request", "true"}, {"Authorization", "Bearer nothing"}} {
		req, _ := http.NewRequest("GET", h.srv.URL+"/reports", nil)
		req.Header.Set(hdr[0], hdr[1])
		r := h.do(anon, req)
		if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Session realm="latch"`) || r.header.Get("Location") != "" {
			t.Errorf("anonymous %s request: %d %q %s", hdr[0], r.status, r.header.Get("WWW-Authenticate"), r.body)
		}
	}
	// A form post without a session: to login, nothing done.
	if r := h.post(anon, "/reports/delete", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" || strings.Contains(r.body, "deleted") {
		t.Fatalf("anonymous post: %d %q", r.status, r.header.Get("Location"))
	}

	// Signed in: the page, with the user and the session from the context.
	c := h.signup("reports@example.com", "correct horse staple 1")
	id := userID(t, h, c)
	r = h.get(c, "/reports")
	if r.status != http.StatusOK || !strings.Contains(r.body, "reports of "+id.String()+" in session ") || strings.HasSuffix(r.body, "session ") {
		t.Fatalf("signed-in page: %d %s", r.status, r.body)
	}
	// A sensitive action right after signing in: fresh enough.
	if r := h.post(c, "/reports/delete", nil); r.status != http.StatusOK || r.body != "deleted" {
		t.Fatalf("fresh post: %d %s", r.status, r.body)
	}
	// Later: to the re-authentication page, which returns to /reports.
	h.clock.Advance(web.ReauthWindow + time.Minute)
	if r := h.post(c, "/reports/delete", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != web.ReauthPath+"?next=%2Freports" {
		t.Fatalf("stale post: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if r := h.post(c, "/reports/delete", nil, "Accept", "application/json"); r.status != http.StatusUnauthorized ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), `error="insufficient_user_authentication"`) {
		t.Fatalf("stale API post: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	// No permission checker: refused, never let through.
	if r := h.get(c, "/reports/export"); r.status != http.StatusInternalServerError || strings.Contains(r.body, "exported") {
		t.Fatalf("permission without a checker: %d %s", r.status, r.body)
	}
}

// TestLatchPagesSendToLoginWithNext checks Latch's own pages use the same
// check: the login page they send to returns to them.
func TestLatchPagesSendToLoginWithNext(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	const addr, pw = "deep@example.com", "correct horse staple 1"
	h.post(h.signup(addr, pw), "/logout", nil)
	c := h.browser()
	r := h.get(c, "/account/devices")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Faccount%2Fdevices" {
		t.Fatalf("GET /account/devices: %d %q", r.status, r.header.Get("Location"))
	}
	page := h.get(c, r.header.Get("Location"))
	if !strings.Contains(page.body, `type="hidden" name="next" value="/account/devices"`) {
		t.Fatalf("login page lost next: %s", page.body)
	}
	// A wrong password keeps next on the form it answers with.
	f := creds(addr, "wrong password 123")
	f.Set("next", "/account/devices")
	if r := h.post(c, "/login", f); r.status != http.StatusUnauthorized || !strings.Contains(r.body, `type="hidden" name="next" value="/account/devices"`) {
		t.Fatalf("refused login lost next: %d", r.status)
	}
	// Over Datastar (JavaScript on), the same form lands there too.
	f = creds(addr, pw)
	f.Set("next", "/account/devices")
	if r := h.post(h.browser(), "/login", f, "Datastar-Request", "true"); r.status != http.StatusOK || !strings.Contains(r.body, "/account/devices") || sessionCookie(t, r.header) == nil {
		t.Fatalf("Datastar password login with next: %d %s", r.status, r.body)
	}
	f = creds(addr, pw)
	f.Set("next", "/account/devices")
	if r := h.post(c, "/login", f); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/devices" {
		t.Fatalf("password login with next: %d %q", r.status, r.header.Get("Location"))
	}
	// The code login page links back to the password page with next.
	out := h.browser()
	if r := h.get(out, "/login?next=%2Faccount%2Fdevices"); !strings.Contains(r.body, `href="/login/code?next=%2Faccount%2Fdevices"`) {
		t.Errorf("login page does not carry next to code login")
	}
	if r := h.get(out, "/login/code?next=%2Faccount%2Fdevices"); !strings.Contains(r.body, `href="/login?next=%2Faccount%2Fdevices"`) {
		t.Errorf("code login page does not carry next back to password login")
	}
	// Already signed in, the login page goes straight to next.
	if r := h.get(c, "/login?next=%2Faccount%2Fdevices"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/devices" {
		t.Fatalf("signed-in login page: %d %q", r.status, r.header.Get("Location"))
	}
}

func TestPasswordLoginRefusesHostileNext(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const addr, pw = "hostile@example.com", "correct horse staple 1"
	h.post(h.signup(addr, pw), "/logout", nil)
	for _, bad := range hostileNexts {
		c := h.browser()
		if r := h.get(c, "/login?"+url.Values{"next": {bad}}.Encode()); r.status != http.StatusOK || strings.Contains(r.body, `name="next"`) {
			t.Errorf("GET /login with next %q carries it: %d", bad, r.status)
		}
		f := creds(addr, pw)
		f.Set("next", bad)
		if r := h.post(c, "/login", f); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
			t.Errorf("password login with next %q: %d %q", bad, r.status, r.header.Get("Location"))
		}
	}
}

// TestNextSurvivesTheSecondFactor follows next through a password and
// an email code first factor, then the authenticator code.
func TestNextSurvivesTheSecondFactor(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	const addr, pw = "second@example.com", "correct horse staple 1"
	c := h.signup(addr, pw)
	secret, _ := h.enrolTOTP(t, c)
	h.post(c, "/logout", nil)

	b := h.browser()
	f := creds(addr, pw)
	f.Set("next", "/account/devices")
	if r := h.post(b, "/login", f); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login/verify" {
		t.Fatalf("password first factor: %d %q", r.status, r.header.Get("Location"))
	}
	h.clock.Advance(30 * time.Second)
	if r := h.secondFactor(b, "code", h.totp(secret, 0)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/devices" {
		t.Fatalf("second factor after a password with next: %d %q", r.status, r.header.Get("Location"))
	}

	d := h.browser()
	if r := h.post(d, "/login/code", url.Values{"email": {addr}, "next": {"/account/devices"}}); r.status != 200 {
		t.Fatalf("ask for a code: %d", r.status)
	}
	r := h.post(d, "/login/code/verify", url.Values{"email": {addr}, "code": {h.awaitCode(t, addr)}, "next": {"/account/devices"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login/verify" {
		t.Fatalf("code first factor: %d %q", r.status, r.header.Get("Location"))
	}
	h.clock.Advance(30 * time.Second)
	if r := h.secondFactor(d, "code", h.totp(secret, 0)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/devices" {
		t.Fatalf("second factor after a code with next: %d %q", r.status, r.header.Get("Location"))
	}
}
