package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/web"
)

// hostileNext are next targets that would run as code if a Datastar
// expression carried them as raw text: Datastar rewrites "@name(" and
// "$name" even inside string literals.
var hostileNext = []struct{ next, raw string }{
	{"/a?@in(1)", "@in("},
	{"/a?$x=1", "$x"},
	{"/a#@post('/logout')", "@post('/logout')"},
	{"/%40get(1)", "@get("},
	{"/a?%24x=1", "$x"},
	{"/b/@get('/x')", "@get('/x')"},
	{"/account?next=$evil", "$evil"},
}

// navigateRE finds the navigation expression of a Datastar redirect.
var navigateRE = regexp.MustCompile(`window\.location\.assign\(([^)]*)\)`)

// wantSafeNavigation checks a Datastar answer that navigates: the target
// is one inert string literal, none of the hostile input is in the body,
// and the browser lands on want.
func wantSafeNavigation(t *testing.T, where string, r reply, raw, want string) {
	t.Helper()
	if r.status != http.StatusOK || !strings.Contains(r.body, "datastar-patch-elements") {
		t.Fatalf("%s: %d %s", where, r.status, r.body)
	}
	if strings.Contains(r.body, raw) {
		t.Fatalf("%s: the answer carries %q raw:\n%s", where, raw, r.body)
	}
	m := navigateRE.FindStringSubmatch(strings.ReplaceAll(r.body, "&#34;", `"`))
	if m == nil {
		t.Fatalf("%s: no navigation in\n%s", where, r.body)
	}
	if regexp.MustCompile(`@[A-Za-z_$][\w$]*\(|\$[A-Za-z_\d]`).MatchString(m[1]) {
		t.Fatalf("%s: the navigation expression %s holds an action or a signal", where, m[1])
	}
	var target string
	if err := json.Unmarshal([]byte(m[1]), &target); err != nil || target != want {
		t.Fatalf("%s: navigates to %s (%q, %v), want %q", where, m[1], target, err, want)
	}
}

func TestHostileNextNeverReachesADatastarExpression(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	const pw = settingsPW
	ds := []string{"Datastar-Request", "true"}

	for i, tc := range hostileNext[:4] {
		addr, totpAddr := fmt.Sprintf("next%d@example.com", i), fmt.Sprintf("next-totp%d@example.com", i)
		h.signup(addr, pw)
		secret, _ := h.enrolTOTP(t, h.signup(totpAddr, pw))
		h.clock.Advance(10 * time.Minute) // past every send cooldown of the case before

		// Email code: the code step carries next to the verification.
		c := h.browser()
		link := h.requestLink(t, c, addr, "next", tc.next)
		if strings.Contains(link, "next=") {
			t.Fatalf("%s: the emailed link carries a refused next: %s", tc.next, link)
		}
		code := h.awaitCode(t, addr)
		r := h.post(c, pages.CodeLoginVerifyPath, url.Values{"email": {addr}, "code": {code}, "next": {tc.next}}, ds...)
		wantSafeNavigation(t, tc.next+" by email code", r, tc.raw, "/account")

		// Magic link: next in the address of its page and in its form.
		h.clock.Advance(2 * time.Minute)
		c = h.browser()
		pathQuery, token := linkParts(t, h.requestLink(t, c, addr))
		if p := h.get(c, pathQuery+"&next="+url.QueryEscape(tc.next)); p.status != http.StatusOK || strings.Contains(p.body, tc.raw) {
			t.Fatalf("%s: link page %d, carries it: %v", tc.next, p.status, strings.Contains(p.body, tc.raw))
		}
		r = h.post(c, pages.LinkLoginPath, url.Values{"token": {token}, "next": {tc.next}}, ds...)
		wantSafeNavigation(t, tc.next+" by magic link", r, tc.raw, "/account")

		// Second step: next kept from the first factor.
		c = h.browser()
		h.requestLink(t, c, totpAddr, "next", tc.next)
		code = h.awaitCode(t, totpAddr)
		r = h.post(c, pages.CodeLoginVerifyPath, url.Values{"email": {totpAddr}, "code": {code}, "next": {tc.next}}, ds...)
		wantSafeNavigation(t, tc.next+" first factor", r, tc.raw, web.SecondFactorPath)
		h.clock.Advance(time.Minute) // a TOTP step not used yet
		r = h.post(c, web.SecondFactorPath, url.Values{"code": {h.totp(secret, 0)}, "next": {tc.next}}, ds...)
		wantSafeNavigation(t, tc.next+" second step", r, tc.raw, "/account")

		// Re-authentication: ?next= on its page, next in its form, and the
		// address of a stale request to a sensitive page.
		c = h.browser()
		if r := h.post(c, "/login", creds(addr, pw)); r.status != http.StatusSeeOther {
			t.Fatalf("login: %d", r.status)
		}
		h.stale()
		if p := h.get(c, pages.ReauthPath+"?next="+url.QueryEscape(tc.next)); p.status != http.StatusOK || strings.Contains(p.body, tc.raw) {
			t.Fatalf("%s: reauth page %d, carries it: %v", tc.next, p.status, strings.Contains(p.body, tc.raw))
		}
		r = h.post(c, pages.ReauthPath, url.Values{"password": {pw}, "method": {"password"}, "next": {tc.next}}, ds...)
		wantSafeNavigation(t, tc.next+" re-authentication", r, tc.raw, "/account")
		h.stale()
		req, err := http.NewRequest(http.MethodGet, h.srv.URL+pages.ExportPath+"?x="+strings.ReplaceAll(strings.TrimPrefix(tc.next, "/"), "#", "%23"), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Datastar-Request", "true")
		wantSafeNavigation(t, tc.next+" stale request", h.do(c, req), tc.raw, pages.ReauthURL(""))
	}
}

// TestNavigateQuotesItsTarget renders the navigation with targets nothing
// checked first: the expression alone must keep them inert.
func TestNavigateQuotesItsTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range hostileNext {
		var b strings.Builder
		if err := pages.Navigate(tc.next).Render(t.Context(), &b); err != nil {
			t.Fatal(err)
		}
		wantSafeNavigation(t, tc.next, reply{status: 200, body: "datastar-patch-elements " + b.String()}, tc.raw, tc.next)
	}
}
