package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/apps"
)

// onHost sends req to the test server as if addressed to host.
func (h *harness) onHost(c *http.Client, host, method, path string, form url.Values, headers ...string) tokenReply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Host = host
	if method == http.MethodPost {
		req.Header.Set("Content-Type", formType)
		req.Header.Set("Origin", "http://"+host)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	tr := tokenReply{reply: h.do(c, req)}
	if strings.HasPrefix(tr.header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal([]byte(tr.body), &tr)
	}
	return tr
}

// TestTwoAppsByHost: one server, two apps told apart by host. The same
// email signs up in both and gets two accounts, each with its own
// password; a token of one app is refused by the other, and an unknown
// host is the default app's.
func TestTwoAppsByHost(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{multiApp: true})
	ctx := context.Background()
	shop, err := apps.New(apps.Input{Slug: "shop", Name: "Shop", PublicURL: "http://shop.localhost",
		RedirectOrigins: []string{"https://spa.shop.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.NewApps(h.db).CreateApp(ctx, shop); err != nil {
		t.Fatal(err)
	}
	const email = "same@example.com"
	hosts := map[string]string{"default": "127.0.0.1", "shop": "shop.localhost"}
	passwords := map[string]string{"default": "correct horse battery", "shop": "another staple entirely"}
	for _, app := range []string{"default", "shop"} {
		r := h.onHost(h.browser(), hosts[app], http.MethodPost, "/signup", creds(email, passwords[app]))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
			t.Fatalf("signup in %s: %d %s", app, r.status, r.body)
		}
	}
	var owners []struct {
		AppID  string `bun:"app_id"`
		UserID string `bun:"user_id"`
	}
	if err := h.db.NewSelect().TableExpr("identities").Column("app_id", "user_id").
		Where("kind = 'email' AND value = ?", email).Order("app_id").Scan(ctx, &owners); err != nil {
		t.Fatal(err)
	}
	if len(owners) != 2 || owners[0].AppID == owners[1].AppID || owners[0].UserID == owners[1].UserID {
		t.Fatalf("same email in two apps: %+v, want two accounts in two apps", owners)
	}
	if !strings.Contains(owners[0].AppID+owners[1].AppID, shop.ID.String()) || !strings.Contains(owners[0].AppID+owners[1].AppID, h.appID.String()) {
		t.Fatalf("accounts in apps %+v, want default %s and shop %s", owners, h.appID, shop.ID)
	}
	// Each account has its own password: one app's does not open the other.
	if r := h.onHost(h.browser(), hosts["shop"], http.MethodPost, "/login", creds(email, passwords["default"])); r.status == http.StatusSeeOther {
		t.Fatal("the default app's password signed in to shop")
	}
	// Tokens: each app's own work there, never in the other.
	tokens := map[string]tokenReply{}
	for _, app := range []string{"default", "shop"} {
		g := h.onHost(h.srv.Client(), hosts[app], http.MethodPost, "/api/v1/token",
			url.Values{"grant_type": {"password"}, "username": {email}, "password": {passwords[app]}})
		if g.status != http.StatusOK || g.AccessToken == "" {
			t.Fatalf("token in %s: %d %s", app, g.status, g.body)
		}
		tokens[app] = g
	}
	for app, other := range map[string]string{"default": "shop", "shop": "default"} {
		bearer := []string{"Authorization", "Bearer " + tokens[app].AccessToken}
		if r := h.onHost(h.srv.Client(), hosts[app], http.MethodGet, "/api/v1/me", nil, bearer...); r.status != http.StatusOK {
			t.Errorf("%s's token at %s: %d %s", app, app, r.status, r.body)
		}
		if r := h.onHost(h.srv.Client(), hosts[other], http.MethodGet, "/api/v1/me", nil, bearer...); r.status != http.StatusUnauthorized {
			t.Errorf("%s's access token at %s: %d, want 401", app, other, r.status)
		}
		if r := h.onHost(h.srv.Client(), hosts[other], http.MethodPost, "/api/v1/token",
			url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens[app].RefreshToken}}); r.status != http.StatusBadRequest || r.Error != "invalid_grant" {
			t.Errorf("%s's refresh token at %s: %d %s, want invalid_grant", app, other, r.status, r.body)
		}
	}
	// An unknown host is the default app's; X-Forwarded-Host is not
	// trusted unless configured.
	for _, host := range []string{"unknown.example", "127.0.0.1"} {
		r := h.onHost(h.srv.Client(), host, http.MethodGet, "/api/v1/me", nil,
			"Authorization", "Bearer "+tokens["default"].AccessToken, "X-Forwarded-Host", "shop.localhost")
		if r.status != http.StatusOK {
			t.Errorf("default token at host %s with a forged X-Forwarded-Host: %d", host, r.status)
		}
	}
	// Redirect origins are the request's app's: shop's SPA is a place to
	// return to after signing in to shop, and may call shop's token API
	// from a browser; neither holds at the default app.
	next := url.Values{"next": {"https://spa.shop.example/after"}}.Encode()
	for app, want := range map[string]bool{"shop": true, "default": false} {
		r := h.onHost(h.browser(), hosts[app], http.MethodGet, "/login?"+next, nil)
		if got := strings.Contains(r.body, "https://spa.shop.example/after"); got != want {
			t.Errorf("login page of %s keeps next to shop's SPA: %v, want %v", app, got, want)
		}
		// The page carries its app's name.
		brand := map[bool]string{true: "Shop", false: "Latch"}[want]
		if !strings.Contains(r.body, "· "+brand+"</title>") || !strings.Contains(r.body, `<span class="site-brand-name">`+brand+"</span>") {
			t.Errorf("login page of %s does not carry %q", app, brand)
		}
		pre := h.onHost(h.srv.Client(), hosts[app], http.MethodOptions, "/api/v1/me", nil,
			"Origin", "https://spa.shop.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization")
		if got := pre.status == http.StatusNoContent && pre.header.Get("Access-Control-Allow-Origin") == "https://spa.shop.example"; got != want {
			t.Errorf("CORS preflight from shop's SPA at %s: %d %q, want allowed %v", app, pre.status, pre.header.Get("Access-Control-Allow-Origin"), want)
		}
	}
}

// TestAppEmailsCarryTheirApp: a message sent for a request to shop's
// host names shop's brand and links to shop's public URL; one for the
// default app keeps Latch's name and origin, whatever Host said.
func TestAppEmailsCarryTheirApp(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{codes: true, multiApp: true})
	shop, err := apps.New(apps.Input{Slug: "shop", Name: "Shop", BrandName: "Shop & Co", PublicURL: "http://shop.localhost:8443"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.NewApps(h.db).CreateApp(context.Background(), shop); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ host, email, brand, origin string }{
		{"shop.localhost:8443", "shopper@example.com", "Shop & Co", "http://shop.localhost:8443/"},
		{"evil.example", "plain@example.com", "Latch", h.linkOrigin + "/"},
	} {
		if r := h.onHost(h.browser(), c.host, http.MethodPost, "/signup", creds(c.email, "correct horse battery")); r.status != http.StatusOK {
			t.Fatalf("signup at %s: %d", c.host, r.status)
		}
		m := h.awaitMail(t, c.email, "signup_code")
		if !strings.Contains(m.Subject+m.Text, c.brand) || !strings.Contains(m.Text, c.origin) {
			t.Errorf("signup mail at %s: subject %q, want brand %q and links to %s:\n%s", c.host, m.Subject, c.brand, c.origin, m.Text)
		}
		if strings.Contains(m.Text, "evil.example") {
			t.Errorf("a link follows the Host header:\n%s", m.Text)
		}
	}
}

// TestPasskeysBelongToTheirApp: a passkey ceremony started at an app's
// host names that app's relying party; the default app keeps the
// configured one.
func TestPasskeysBelongToTheirApp(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{multiApp: true, passkeys: true})
	shop, err := apps.New(apps.Input{Slug: "shop", Name: "Shop", PublicURL: "http://shop.localhost:8443"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.NewApps(h.db).CreateApp(context.Background(), shop); err != nil {
		t.Fatal(err)
	}
	for host, rpID := range map[string]string{"shop.localhost:8443": "shop.localhost", "127.0.0.1": "localhost", "evil.example": "localhost"} {
		req, err := http.NewRequest(http.MethodPost, h.srv.URL+pages.PasskeyLoginOptionsPath, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		r := h.do(h.browser(), req)
		if r.status != http.StatusOK || !strings.Contains(r.body, `"rpId":"`+rpID+`"`) {
			t.Errorf("passkey options at %s: %d %s, want rpId %s", host, r.status, r.body, rpID)
		}
	}
}

// TestForwardedHostOnlyWhenTrusted: behind a proxy that rewrites Host,
// LATCH_TRUST_FORWARDED_HOST picks the app by the last X-Forwarded-Host
// value (the one the proxy set); without it the header is ignored.
func TestForwardedHostOnlyWhenTrusted(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		h := newHarnessWith(t, harnessOptions{multiApp: true, trustForwardedHost: trusted})
		shop, err := apps.New(apps.Input{Slug: "shop", Name: "Shop", PublicURL: "https://shop.example"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.NewApps(h.db).CreateApp(context.Background(), shop); err != nil {
			t.Fatal(err)
		}
		// An account in shop only.
		r := h.onHost(h.browser(), "shop.example", http.MethodPost, "/signup", creds("fwd@example.com", "correct horse battery"))
		if r.status != http.StatusSeeOther {
			t.Fatalf("signup at shop: %d", r.status)
		}
		g := h.onHost(h.srv.Client(), "internal:8080", http.MethodPost, "/api/v1/token",
			url.Values{"grant_type": {"password"}, "username": {"fwd@example.com"}, "password": {"correct horse battery"}},
			"X-Forwarded-Host", "evil.example, shop.example")
		if got := g.status == http.StatusOK; got != trusted {
			t.Errorf("trusted=%v: shop's account through the proxy: %d, want success %v", trusted, g.status, trusted)
		}
		g = h.onHost(h.srv.Client(), "internal:8080", http.MethodPost, "/api/v1/token",
			url.Values{"grant_type": {"password"}, "username": {"fwd@example.com"}, "password": {"correct horse battery"}},
			"X-Forwarded-Host", "shop.example, evil.example")
		if g.status == http.StatusOK {
			t.Errorf("trusted=%v: a client-supplied first X-Forwarded-Host chose the app", trusted)
		}
	}
}

// TestSessionStaysInItsApp: a session cookie of the default app, copied
// to a request for shop's host, is not a session there: it is ended on the
// first request that shows it to shop, whatever the page, and so stops
// working at its own app too.
func TestSessionStaysInItsApp(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{multiApp: true})
	shop, err := apps.New(apps.Input{Slug: "shop", Name: "Shop", PublicURL: "http://shop.localhost"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.NewApps(h.db).CreateApp(context.Background(), shop); err != nil {
		t.Fatal(err)
	}
	c := h.signup("home@example.com", "correct horse battery")
	if r := h.get(c, "/account"); r.status != http.StatusOK {
		t.Fatalf("own app's account page: %d", r.status)
	}
	u, _ := url.Parse(h.srv.URL)
	var cookie string
	for _, ck := range c.Jar.Cookies(u) {
		cookie += ck.Name + "=" + ck.Value + "; "
	}
	// A page that reads no account: only the session's app can tell.
	if r := h.onHost(h.browser(), "shop.localhost", http.MethodGet, "/login", nil, "Cookie", cookie); r.status != http.StatusOK {
		t.Fatalf("shop's login page: %d", r.status)
	}
	if r := h.get(c, "/account"); r.status != http.StatusSeeOther {
		t.Errorf("the session still works after being shown to another app: %d", r.status)
	}
	// A session of shop's own stays signed in at shop.
	r := h.onHost(h.browser(), "shop.localhost", http.MethodPost, "/signup", creds("home@example.com", "another staple entirely"))
	var own string
	for _, ck := range r.header.Values("Set-Cookie") {
		own += strings.SplitN(ck, ";", 2)[0] + "; "
	}
	if a := h.onHost(h.browser(), "shop.localhost", http.MethodGet, "/account", nil, "Cookie", own); a.status != http.StatusOK {
		t.Errorf("shop's own session at shop: %d", a.status)
	}
}
