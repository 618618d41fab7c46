package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const spaOrigin = "https://app.example.com"

func TestCORSPreflightAndCalls(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, corsOrigins: []string{spaOrigin}})
	g := h.passwordGrant("spa@example.com", "correct horse staple 1")

	preflight := func(path, origin, method, headers string) reply {
		req, _ := http.NewRequest(http.MethodOptions, h.srv.URL+path, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			req.Header.Set("Access-Control-Request-Headers", headers)
		}
		return h.do(h.srv.Client(), req)
	}
	for path, method := range map[string]string{"/api/v1/token": "POST", "/api/v1/logout": "POST", "/api/v1/me": "GET", "/api/v1/otp": "POST"} {
		r := preflight(path, spaOrigin, method, "content-type, authorization")
		if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != spaOrigin ||
			r.header.Get("Access-Control-Allow-Methods") != method || r.header.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type" ||
			r.header.Get("Access-Control-Max-Age") != "600" || !strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Origin") ||
			r.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight %s: %d %v", path, r.status, r.header)
		}
	}
	// Refused: another origin, a look-alike, null, another method or header;
	// no CORS header at all.
	for _, c := range []struct{ path, origin, method, headers string }{
		{"/api/v1/token", "https://evil.example", "POST", ""},
		{"/api/v1/token", "https://app.example.com.evil.example", "POST", ""},
		{"/api/v1/token", "http://app.example.com", "POST", ""},
		{"/api/v1/token", "null", "POST", ""},
		{"/api/v1/token", spaOrigin, "DELETE", ""},
		{"/api/v1/me", spaOrigin, "GET", "x-secret"},
		{"/auth/token", spaOrigin, "POST", ""},
		{"/login", spaOrigin, "POST", ""},
	} {
		r := preflight(c.path, c.origin, c.method, c.headers)
		if r.status == http.StatusNoContent || r.status == http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != "" || r.header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("preflight %+v: %d %v", c, r.status, r.header)
		}
	}
	// A real call from the allowed origin names it; from another, nothing.
	r := h.api(http.MethodGet, "/api/v1/me", "", "", "Authorization", "Bearer "+g.AccessToken, "Origin", spaOrigin)
	if r.status != http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != spaOrigin || !strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
		t.Fatalf("GET /api/v1/me from the SPA: %d %v", r.status, r.header)
	}
	r = h.api(http.MethodGet, "/api/v1/me", "", "", "Authorization", "Bearer "+g.AccessToken, "Origin", "https://evil.example")
	if r.header.Get("Access-Control-Allow-Origin") != "" || r.header.Get("Vary") == "" {
		t.Fatalf("GET /api/v1/me from another origin: %v", r.header)
	}
	// Two Origin headers are not guessed at.
	r = h.api(http.MethodGet, "/api/v1/me", "", "", "Authorization", "Bearer "+g.AccessToken, "Origin", spaOrigin, "Origin", spaOrigin)
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("two Origin headers: %v", r.header)
	}
	// Without configured origins, a preflight is the 405 it always was.
	plain := newHarness(t)
	req, _ := http.NewRequest(http.MethodOptions, plain.srv.URL+"/api/v1/token", nil)
	req.Header.Set("Origin", spaOrigin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	if r := plain.do(plain.srv.Client(), req); r.status != http.StatusMethodNotAllowed || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight without CORS origins: %d %v", r.status, r.header)
	}
}

// spaPage is a single-page app on another origin: it logs in through the
// token API with fetch, then calls /api/v1/me with the access token, and
// leaves what happened in window.__result.
const spaPage = `<!doctype html><html lang="en"><head><title>SPA</title></head><body><p id="out">working</p>
<script>
(async () => {
  const latch = %q;
  try {
    const t = await fetch(latch + "/api/v1/token", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({grant_type: "password", username: "cors@example.com", password: "correct horse staple 1"})});
    const tok = await t.json();
    const me = await fetch(latch + "/api/v1/me", {headers: {"Authorization": "Bearer " + tok.access_token}});
    const body = await me.json();
    window.__result = "ok " + me.status + " " + body.email;
  } catch (e) {
    window.__result = "blocked " + e.name;
  }
})();
</script></body></html>`

// TestBrowserCORSFromAnotherOrigin serves a page from a second loopback
// origin and has Chromium call the token API from it: allowed, it logs in
// and reads /api/v1/me; from an origin not listed, the browser blocks it.
func TestBrowserCORSFromAnotherOrigin(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	serve := func() *httptest.Server {
		s := httptest.NewServer(http.NotFoundHandler()) // its page is set below, once Latch's origin is known
		t.Cleanup(s.Close)
		return s
	}
	allowed, other := serve(), serve()
	h := newHarnessWith(t, harnessOptions{corsOrigins: []string{allowed.URL}})
	h.signup("cors@example.com", "correct horse staple 1")
	b := newBrowser(t, chromium, h, true)
	for _, s := range []*httptest.Server{allowed, other} {
		s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, spaPage, b.base) // Latch on localhost; the SPA on 127.0.0.1, another port
		})
	}
	result := func(u string) string {
		b.do("open the SPA at "+u, chromedp.Navigate(u))
		b.waitFor("the SPA's calls end", "typeof window.__result === 'string'")
		return run(b, "read the result", chromedp.Evaluate[string]("window.__result"))
	}
	if got := result(allowed.URL + "/"); got != "ok 200 cors@example.com" {
		t.Fatalf("SPA on an allowed origin: %q", got)
	}
	if got := result(other.URL + "/"); !strings.HasPrefix(got, "blocked TypeError") {
		t.Fatalf("SPA on an origin not listed: %q", got)
	}
}
