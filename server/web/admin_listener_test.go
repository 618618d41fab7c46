package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/roles"
	"github.com/latch-dev/latch/server/web"
)

// TestAdminListenerServesTheConsoleOnly: with AdminSeparate (the
// LATCH_ADMIN_ADDR setting), /admin is a 404 on the public handler and
// served by AdminHandler, where an operator signs in; routes added with
// HandleAdmin (where /metrics goes) exist only there.
func TestAdminListenerServesTheConsoleOnly(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true})
	h.signupOn(uaFirefoxWindows, "ops@example.com")
	grant(t, h, "ops@example.com", roles.Admin)
	deps := h.deps
	deps.AdminSeparate = true
	deps.MetricsHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "latch_up 1\n")
	})
	srv := web.New(deps)
	srv.HandleAdmin("GET /operator-check", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "operators only\n")
	}))
	public := httptest.NewServer(srv.Handler())
	t.Cleanup(public.Close)
	adminSrv := httptest.NewServer(srv.AdminHandler())
	t.Cleanup(adminSrv.Close)

	signIn := func(base string) *http.Client {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(creds("ops@example.com", devicesPassword).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
			t.Fatalf("sign in on %s: %d %q", base, resp.StatusCode, resp.Header.Get("Location"))
		}
		return c
	}
	status := func(c *http.Client, u string) int {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// /metrics sits with the console: on the admin listener only.
	anon := &http.Client{}
	if got := status(anon, public.URL+"/metrics"); got != http.StatusNotFound {
		t.Errorf("GET /metrics on the public listener: %d, want 404", got)
	}
	if got := status(anon, adminSrv.URL+"/metrics"); got != http.StatusOK {
		t.Errorf("GET /metrics on the admin listener: %d, want 200", got)
	}
	onPublic := signIn(public.URL)
	if got := status(onPublic, public.URL+pages.AdminPath); got != http.StatusNotFound {
		t.Fatalf("GET /admin on the public listener: %d, want 404", got)
	}
	post, _ := http.NewRequest(http.MethodPost, public.URL+pages.AdminSuspendPath, strings.NewReader(url.Values{pages.AdminUserField: {"x"}}.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Origin", public.URL)
	if resp, err := onPublic.Do(post); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("POST an admin action on the public listener: %v %v, want 404", resp, err)
	}
	if got := status(onPublic, public.URL+"/operator-check"); got != http.StatusNotFound {
		t.Fatalf("an admin-listener route on the public listener: %d, want 404", got)
	}
	onAdmin := signIn(adminSrv.URL)
	if got := status(onAdmin, adminSrv.URL+pages.AdminPath); got != http.StatusOK {
		t.Fatalf("GET /admin on the admin listener: %d, want 200", got)
	}
	if got := status(http.DefaultClient, adminSrv.URL+"/operator-check"); got != http.StatusOK {
		t.Fatalf("an admin-listener route: %d, want 200", got)
	}
	if got := status(&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, adminSrv.URL+pages.AdminPath); got != http.StatusSeeOther {
		t.Fatalf("GET /admin anonymously on the admin listener: %d, want 303 to sign in", got)
	}
}
