package web_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/provider"
	"github.com/latch-dev/latch/server/provider/providertest"
	"github.com/latch-dev/latch/server/web"
)

// providerRig is a Latch with four providers: "idp" (a real OpenID
// provider, trusted for verified emails), "corp" (the same kind of
// provider, not trusted), and stand-ins for GitHub and WeChat.
type providerRig struct {
	h    *harness
	idp  *providertest.OP
	corp *providertest.OP
	gh   *providertest.GitHub
	wc   *providertest.WeChat
}

var (
	ada   = providertest.Person{Username: "ada", Subject: "ada-sub", Email: "ada@example.com", EmailVerified: true, Name: "Ada"}
	grace = providertest.Person{Username: "grace", Subject: "grace-sub", Email: "grace@example.com", EmailVerified: false, Name: "Grace"}
)

func newProviderRig(t *testing.T, o harnessOptions) *providerRig {
	t.Helper()
	r := &providerRig{}
	o.codes = true
	o.providers = func(origin string) []provider.Config {
		r.idp = providertest.NewOP(t, origin+"/login/with/idp/callback", ada, grace)
		r.corp = providertest.NewOP(t, origin+"/login/with/corp/callback", ada, grace)
		r.gh = providertest.NewGitHub(t, providertest.Person{Username: "octo", Subject: "583231", Email: "octo@example.com", EmailVerified: true, Name: "Octo"})
		r.wc = providertest.NewWeChat(t, providertest.Person{Username: "li", Subject: "oLIopenid", UnionID: "uLIunion", Name: "Li"})
		return []provider.Config{
			{ID: "idp", Kind: provider.KindOIDC, Name: "IdP", Issuer: r.idp.Issuer, ClientID: r.idp.ClientID, ClientSecret: r.idp.ClientSecret, TrustEmail: true},
			{ID: "corp", Kind: provider.KindOIDC, Name: "Corp SSO", Issuer: r.corp.Issuer, ClientID: r.corp.ClientID, ClientSecret: r.corp.ClientSecret},
			{ID: "github", Kind: provider.KindGitHub, ClientID: r.gh.ClientID, ClientSecret: r.gh.ClientSecret, AuthBaseURL: r.gh.URL, APIBaseURL: r.gh.URL, TrustEmail: true},
			{ID: "wechat", Kind: provider.KindWeChat, ClientID: r.wc.AppID, ClientSecret: r.wc.Secret, AuthBaseURL: r.wc.URL, APIBaseURL: r.wc.URL},
		}
	}
	r.h = newHarnessWith(t, o)
	return r
}

// leave presses the provider's button on c (with form, e.g. a next) and
// returns where Latch sends the browser.
func (r *providerRig) leave(c *http.Client, path string, form url.Values) string {
	r.h.t.Helper()
	res := r.h.post(c, path, form)
	if res.status != http.StatusSeeOther {
		r.h.t.Fatalf("POST %s: %d %s", path, res.status, res.body)
	}
	return res.header.Get("Location")
}

// at plays who at the provider id behind authURL and returns the path and
// query the provider sends the browser back to.
func (r *providerRig) at(id, authURL, who string) string {
	t := r.h.t
	t.Helper()
	var back string
	switch id {
	case "idp":
		back = r.idp.SignIn(t, authURL, who)
	case "corp":
		back = r.corp.SignIn(t, authURL, who)
	case "github":
		back = r.gh.Approve(t, authURL, who)
	case "wechat":
		back = r.wc.Approve(t, authURL, who)
	}
	u, err := url.Parse(back)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/login/with/"+id+"/callback" {
		t.Fatalf("%s sent the browser to %s", id, back)
	}
	return u.Path + "?" + u.RawQuery
}

// signIn runs a whole sign-in with provider id as who, from the login page's
// button to Latch's answer to the callback.
func (r *providerRig) signIn(c *http.Client, id, who string) reply {
	r.h.t.Helper()
	return r.h.get(c, r.at(id, r.leave(c, "/login/with/"+id, nil), who))
}

func TestProviderButtonsOnTheLoginAndSignupPages(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	for _, path := range []string{"/login", "/signup"} {
		page := r.h.get(r.h.browser(), path)
		heading := msg(messages.ProviderOtherWays)
		if path == "/login" {
			heading = msg(messages.LoginOtherWays) // grouped with the other ways to sign in
		}
		for _, want := range []string{`action="/login/with/idp"`, `action="/login/with/github"`, `action="/login/with/wechat"`,
			html.EscapeString(messages.Fill(messages.ProviderContinue, "{provider}", "Corp SSO")), heading} {
			if !strings.Contains(page.body, want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
		// The start redirects to the provider: the page's form-action
		// allows its origin, and no other.
		csp := page.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "form-action 'self' "+r.idp.Issuer+" "+r.corp.Issuer+" "+r.gh.URL+" "+r.wc.URL) {
			t.Errorf("%s: CSP %q does not allow the providers as form actions", path, csp)
		}
		// Plain forms: they leave the page, so no Datastar.
		if strings.Contains(page.body, `data-on:submit="@post(&#39;/login/with/`) {
			t.Errorf("%s: provider buttons are Datastar forms", path)
		}
	}
	if page := newHarness(t).get(newHarness(t).browser(), "/login"); strings.Contains(page.body, "/login/with/") {
		t.Error("provider buttons without providers")
	}
}

func TestProviderSignUpSignOutSignInAgain(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	c := r.h.browser()
	to := r.leave(c, "/login/with/idp", nil)
	u, _ := url.Parse(to)
	if !strings.HasPrefix(to, r.idp.Issuer) || u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("nonce") == "" ||
		u.Query().Get("redirect_uri") != r.h.linkOrigin+"/login/with/idp/callback" {
		t.Fatalf("sent to %s", to)
	}
	res := r.h.get(c, r.at("idp", to, "ada"))
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/account" {
		t.Fatalf("callback: %d → %q: %s", res.status, res.header.Get("Location"), res.body)
	}
	id := userID(t, r.h, c)
	page := r.h.get(c, "/account")
	if !strings.Contains(page.body, "ada@example.com") || strings.Contains(page.body, "idp:ada-sub") {
		t.Fatalf("account page: %s", page.body)
	}
	if res := r.h.post(c, "/logout", nil); res.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.status)
	}
	c2 := r.h.browser()
	if res := r.signIn(c2, "idp", "ada"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/account" {
		t.Fatalf("second sign-in: %d → %q", res.status, res.header.Get("Location"))
	}
	if again := userID(t, r.h, c2); again != id {
		t.Fatalf("signed in to %s, want %s", again, id)
	}
	signup := lastEvent(t, r.h, "signup")
	if signup.Detail["method"] != "provider" || signup.Detail["email_verified"] != "true" {
		t.Fatalf("signup event %+v", signup)
	}
	if e := lastEvent(t, r.h, "provider.sign_in"); e.Outcome != "success" || e.Detail["provider"] != "idp" {
		t.Fatalf("sign-in event %+v", e)
	}
}

func TestProviderNextIsCheckedAndKept(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	c := r.h.browser()
	res := r.h.get(c, r.at("github", r.leave(c, "/login/with/github", url.Values{pages.NextField: {"/account/devices"}}), "octo"))
	if res.header.Get("Location") != "/account/devices" {
		t.Fatalf("next lost: %q", res.header.Get("Location"))
	}
	c = r.h.browser()
	res = r.h.get(c, r.at("github", r.leave(c, "/login/with/github", url.Values{pages.NextField: {"https://evil.example/"}}), "octo"))
	if res.header.Get("Location") != "/account" {
		t.Fatalf("a foreign next was followed: %q", res.header.Get("Location"))
	}
}

func TestProviderAnswerMustComeBackToItsBrowserOnce(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	expired := msg(messages.ProviderExpired)

	// Replayed: the same callback twice.
	c := r.h.browser()
	back := r.at("idp", r.leave(c, "/login/with/idp", nil), "ada")
	if res := r.h.get(c, back); res.status != http.StatusSeeOther {
		t.Fatalf("first answer: %d %s", res.status, res.body)
	}
	if res := r.h.get(c, back); res.status != http.StatusBadRequest || !strings.Contains(res.body, expired) {
		t.Fatalf("replayed answer: %d", res.status)
	}

	// Another browser: no flow in its session.
	c = r.h.browser()
	back = r.at("idp", r.leave(c, "/login/with/idp", nil), "ada")
	other := r.h.browser()
	if res := r.h.get(other, back); res.status != http.StatusBadRequest || !strings.Contains(res.body, expired) || sessionCookieIn(other, r.h) {
		t.Fatalf("answer in another browser: %d", res.status)
	}
	// And the browser that asked can still not use it after that? It can:
	// the other browser's attempt spent nothing of this one's.
	if res := r.h.get(c, back); res.status != http.StatusSeeOther {
		t.Fatalf("the asking browser after a stranger tried its answer: %d", res.status)
	}

	// A second start replaces the first: the first's answer is refused.
	c = r.h.browser()
	first := r.at("idp", r.leave(c, "/login/with/idp", nil), "ada")
	r.leave(c, "/login/with/idp", nil)
	if res := r.h.get(c, first); res.status != http.StatusBadRequest || !strings.Contains(res.body, expired) {
		t.Fatalf("an older attempt's answer: %d", res.status)
	}

	// A state that is not the one kept; a state sent twice; an answer for
	// another provider.
	c = r.h.browser()
	back = r.at("idp", r.leave(c, "/login/with/idp", nil), "ada")
	u, _ := url.Parse(back)
	q := u.Query()
	for name, bad := range map[string]url.Values{
		"wrong state":    {"code": q["code"], "state": {"x" + q.Get("state")[1:]}},
		"two states":     {"code": q["code"], "state": {q.Get("state"), q.Get("state")}},
		"no state":       {"code": q["code"]},
		"wrong provider": nil,
	} {
		path := u.Path + "?" + bad.Encode()
		if bad == nil {
			path = "/login/with/corp/callback?" + q.Encode()
		}
		r.leave(c, "/login/with/idp", nil) // a fresh attempt to spend
		if res := r.h.get(c, path); res.status != http.StatusBadRequest || !strings.Contains(res.body, expired) {
			t.Errorf("%s: %d", name, res.status)
		}
	}
	if res := r.h.get(c, "/account"); res.status != http.StatusSeeOther {
		t.Fatal("a refused answer signed someone in")
	}
}

// sessionCookieIn reports whether c holds a signed-in session.
func sessionCookieIn(c *http.Client, h *harness) bool {
	res := h.get(c, "/account")
	return res.status == http.StatusOK
}

func TestProviderRefusalsInOurWords(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	c := r.h.browser()
	// The person cancels at the provider.
	to := r.leave(c, "/login/with/github", nil)
	u, _ := url.Parse(to)
	res := r.h.get(c, "/login/with/github/callback?"+url.Values{"error": {"access_denied"}, "error_description": {"<b>The user has denied</b>"},
		"state": {u.Query().Get("state")}}.Encode())
	denied := html.EscapeString(messages.Fill(messages.ProviderDenied, "{provider}", "GitHub"))
	if res.status != http.StatusForbidden || !strings.Contains(res.body, denied) || strings.Contains(res.body, "The user has denied") {
		t.Fatalf("declined: %d %s", res.status, res.body)
	}
	// WeChat busy at the token endpoint.
	r.wc.FailNextToken(providertest.WeChatBusy)
	res = r.signIn(r.h.browser(), "wechat", "li")
	if res.status != http.StatusBadGateway || !strings.Contains(res.body, html.EscapeString(messages.Fill(messages.ProviderUnavailable, "{provider}", "WeChat"))) {
		t.Fatalf("WeChat busy: %d", res.status)
	}
	// A code that is not the provider's: WeChat's 40029.
	c = r.h.browser()
	to = r.leave(c, "/login/with/wechat", nil)
	u, _ = url.Parse(to)
	res = r.h.get(c, "/login/with/wechat/callback?"+url.Values{"code": {"forged"}, "state": {u.Query().Get("state")}}.Encode())
	if res.status != http.StatusBadRequest || !strings.Contains(res.body, html.EscapeString(messages.Fill(messages.ProviderRejected, "{provider}", "WeChat"))) {
		t.Fatalf("forged code: %d", res.status)
	}
	// An oversized code.
	c = r.h.browser()
	u, _ = url.Parse(r.leave(c, "/login/with/idp", nil))
	res = r.h.get(c, "/login/with/idp/callback?"+url.Values{"code": {strings.Repeat("a", 3000)}, "state": {u.Query().Get("state")}}.Encode())
	if res.status != http.StatusBadRequest {
		t.Fatalf("oversized code: %d", res.status)
	}
	// Unknown providers, other methods and hostile bodies.
	if res := r.h.post(r.h.browser(), "/login/with/nope", nil); res.status != http.StatusNotFound {
		t.Errorf("unknown provider: %d", res.status)
	}
	if res := r.h.get(r.h.browser(), "/login/with/nope/callback?code=x&state=y"); res.status != http.StatusNotFound {
		t.Errorf("unknown provider's callback: %d", res.status)
	}
	if res := r.h.get(r.h.browser(), "/login/with/idp"); res.status != http.StatusMethodNotAllowed {
		t.Errorf("GET of a start: %d (a GET must not start anything)", res.status)
	}
	if res := r.h.postRaw(r.h.browser(), "/login/with/idp", `{"next":"/"}`, "Content-Type", "application/json"); res.status != http.StatusUnsupportedMediaType {
		t.Errorf("JSON start: %d", res.status)
	}
	if res := r.h.post(r.h.browser(), "/login/with/idp", url.Values{pages.NextField: {strings.Repeat("/a", 40000)}}); res.status != http.StatusRequestEntityTooLarge && res.status != http.StatusSeeOther {
		t.Errorf("oversized next: %d", res.status)
	}
	// Cross-site: refused before anything starts.
	if res := r.h.post(r.h.browser(), "/login/with/idp", nil, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); res.status != http.StatusForbidden {
		t.Errorf("cross-site start: %d", res.status)
	}
	// No provider secret, code or state reaches the logs.
	logs := r.h.logs.String()
	for _, secret := range []string{r.idp.ClientSecret, r.gh.ClientSecret, r.wc.Secret, "forged", u.Query().Get("state")} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs hold %q", secret)
		}
	}
}

func TestProviderSilentTakeoverIsRefused(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	owner := r.h.signup("ada@example.com", "correct horse battery")
	ownerID := userID(t, r.h, owner)
	// Corp SSO is not trusted: its verified ada@example.com does not sign
	// in to the account holding that address.
	c := r.h.browser()
	res := r.signIn(c, "corp", "ada")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != pages.ProviderHeldPath {
		t.Fatalf("callback: %d → %q", res.status, res.header.Get("Location"))
	}
	if sessionCookieIn(c, r.h) {
		t.Fatal("signed in to the account holding the address by email alone")
	}
	page := r.h.get(c, pages.ProviderHeldPath)
	if !strings.Contains(page.body, html.EscapeString(messages.Fill(messages.ProviderHeldEmailInUse, "{provider}", "Corp SSO"))) {
		t.Fatalf("held page: %s", page.body)
	}
	// Signing in to the account, then confirming, links it.
	if res := r.h.post(c, "/login", creds("ada@example.com", "correct horse battery")); res.status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.status)
	}
	acct := r.h.get(c, "/account")
	if !strings.Contains(acct.body, `data-testid="provider-confirm"`) {
		t.Fatal("no offer to link the held provider account")
	}
	token := cookieValue(t, r.h, c)
	if res := r.h.post(c, pages.ProviderConfirmPath, nil); res.status != http.StatusSeeOther || res.header.Get("Location") != pages.ProvidersPath {
		t.Fatalf("confirm: %d → %q", res.status, res.header.Get("Location"))
	}
	if cookieValue(t, r.h, c) == token {
		t.Error("linking a provider account did not renew the session token")
	}
	list := r.h.get(c, pages.ProvidersPath)
	if !strings.Contains(list.body, `data-testid="providers-unlink-corp"`) ||
		!strings.Contains(list.body, html.EscapeString(messages.Fill(messages.ProviderLinked, "{provider}", "Corp SSO"))) {
		t.Fatalf("providers page after linking: %s", list.body)
	}
	notice := r.h.awaitMail(t, "ada@example.com", "provider_linked")
	if !strings.Contains(notice.Subject, "Corp SSO") {
		t.Fatalf("notice subject %q", notice.Subject)
	}
	// From now on Corp SSO signs in to that account.
	c2 := r.h.browser()
	if res := r.signIn(c2, "corp", "ada"); res.header.Get("Location") != "/account" || userID(t, r.h, c2) != ownerID {
		t.Fatalf("sign-in after linking: %q", res.header.Get("Location"))
	}
}

func TestProviderTrustedVerifiedEmailLinks(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	owner := r.h.signup("octo@example.com", "correct horse battery")
	ownerID := userID(t, r.h, owner)
	c := r.h.browser()
	res := r.signIn(c, "github", "octo")
	if res.header.Get("Location") != "/account" {
		t.Fatalf("trusted verified email: %d → %q", res.status, res.header.Get("Location"))
	}
	if page := r.h.get(c, "/account"); !strings.Contains(page.body, msg(messages.ProviderLinkedOnSignIn)) {
		t.Fatal("the account page does not say a provider was linked")
	}
	if userID(t, r.h, c) != ownerID {
		t.Fatal("signed in to another account")
	}
	r.h.awaitMail(t, "octo@example.com", "provider_linked")
}

func TestProviderUnverifiedEmailIsNotUsed(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	victim := r.h.signup("grace@example.com", "correct horse battery")
	victimID := userID(t, r.h, victim)
	// IdP is trusted, but grace's address there is not verified.
	c := r.h.browser()
	res := r.signIn(c, "idp", "grace")
	if res.header.Get("Location") != pages.ProviderHeldPath || sessionCookieIn(c, r.h) {
		t.Fatalf("unverified email: %d → %q", res.status, res.header.Get("Location"))
	}
	page := r.h.get(c, pages.ProviderHeldPath)
	if !strings.Contains(page.body, html.EscapeString(messages.Fill(messages.ProviderHeldNoEmail, "{provider}", "IdP"))) {
		t.Fatalf("held page: %s", page.body)
	}
	links := r.h.get(victim, pages.ProvidersPath)
	if strings.Contains(links.body, `data-testid="providers-unlink-idp"`) || userID(t, r.h, victim) != victimID {
		t.Fatal("an unverified provider email reached the account holding it")
	}
	// Cancel forgets it.
	if res := r.h.post(c, pages.ProviderHeldPath, nil); res.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.status)
	}
	if res := r.h.get(c, pages.ProviderHeldPath); res.status != http.StatusSeeOther {
		t.Fatal("a cancelled provider account is still held")
	}
}

func TestProviderSecondFactorStillApplies(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{twoFactor: true})
	c := r.h.signup("ada@example.com", "correct horse battery")
	secret, _ := r.h.enrolTOTP(t, c)
	id := userID(t, r.h, c)
	links := func() int {
		n, err := r.h.db.NewSelect().TableExpr("provider_links").Where("user_id = ?", id).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	c2 := r.h.browser()
	res := r.signIn(c2, "idp", "ada") // trusted, verified: the link waits for the second factor
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login/verify" {
		t.Fatalf("provider sign-in of an account with TOTP: %d → %q", res.status, res.header.Get("Location"))
	}
	if sessionCookieIn(c2, r.h) {
		t.Fatal("signed in before the second factor")
	}
	if n := links(); n != 0 {
		t.Fatalf("%d provider links committed before the second factor", n)
	}
	if page := r.h.get(c2, pages.ProviderHeldPath); page.status != http.StatusSeeOther {
		t.Fatalf("the link a sign-in waits to finish is offered as a held account: %d", page.status)
	}
	r.h.clock.Advance(30 * time.Second) // the enrolment spent this step's code
	if res := r.h.secondFactor(c2, "code", r.h.totp(secret, 0)); res.status != http.StatusSeeOther {
		t.Fatalf("second factor: %d %s", res.status, res.body)
	}
	if n := links(); n != 1 {
		t.Fatalf("%d provider links after the second factor, want 1", n)
	}
	if page := r.h.get(c2, "/account"); !strings.Contains(page.body, msg(messages.ProviderLinkedOnSignIn)) || userID(t, r.h, c2) != id {
		t.Fatal("after the second factor, the account page does not say the provider was linked")
	}
}

func TestProviderLinkingFromTheAccount(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	c := r.h.signup("someone@example.com", "correct horse battery")
	// A stale proof first asks again.
	r.h.clock.Advance(web.ReauthWindow + time.Minute)
	res := r.h.post(c, pages.ProviderLinkPath, url.Values{pages.ProviderField: {"wechat"}})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), web.ReauthPath) {
		t.Fatalf("link with a stale proof: %d → %q", res.status, res.header.Get("Location"))
	}
	if res := r.h.post(c, web.ReauthPath, url.Values{"password": {"correct horse battery"}, pages.ReauthMethodField: {"password"}}); res.status != http.StatusSeeOther {
		t.Fatalf("reauth: %d %s", res.status, res.body)
	}
	to := r.leave(c, pages.ProviderLinkPath, url.Values{pages.ProviderField: {"wechat"}})
	token := cookieValue(t, r.h, c)
	res = r.h.get(c, r.at("wechat", to, "li"))
	if res.header.Get("Location") != pages.ProvidersPath {
		t.Fatalf("link callback: %d → %q %s", res.status, res.header.Get("Location"), res.body)
	}
	if cookieValue(t, r.h, c) == token {
		t.Error("linking WeChat did not renew the session token")
	}
	page := r.h.get(c, pages.ProvidersPath)
	if !strings.Contains(page.body, `data-testid="providers-unlink-wechat"`) {
		t.Fatal("WeChat not listed as linked")
	}
	id := userID(t, r.h, c)
	// WeChat now signs in to this account.
	c2 := r.h.browser()
	if res := r.signIn(c2, "wechat", "li"); res.header.Get("Location") != "/account" || userID(t, r.h, c2) != id {
		t.Fatalf("WeChat sign-in: %q", res.header.Get("Location"))
	}
	// Another account cannot link the same WeChat account.
	other := r.h.signup("other@example.com", "correct horse battery")
	res = r.h.get(other, r.at("wechat", r.leave(other, pages.ProviderLinkPath, url.Values{pages.ProviderField: {"wechat"}}), "li"))
	if res.status != http.StatusConflict || !strings.Contains(res.body, html.EscapeString(messages.Fill(messages.ProviderLinkedElsewhere, "{provider}", "WeChat"))) {
		t.Fatalf("linking a provider account linked elsewhere: %d", res.status)
	}
	// Unlink, while the password and email remain.
	if res := r.h.post(c, pages.ProviderUnlinkPath, url.Values{pages.ProviderField: {"wechat"}}); res.status != http.StatusSeeOther {
		t.Fatalf("unlink: %d %s", res.status, res.body)
	}
	if res := r.h.post(c, pages.ProviderUnlinkPath, url.Values{pages.ProviderField: {"wechat"}}); res.status != http.StatusNotFound {
		t.Fatalf("unlink again: %d", res.status)
	}
	if res := r.h.post(c, pages.ProviderUnlinkPath, url.Values{pages.ProviderField: {"../x"}}); res.status != http.StatusBadRequest {
		t.Fatalf("unlink of a malformed id: %d", res.status)
	}
	for _, e := range []string{"provider.link", "provider.unlink"} {
		if ev := lastEvent(t, r.h, e); ev.Detail["provider"] != "wechat" {
			t.Fatalf("%s event %+v", e, ev)
		}
	}
}

func TestProviderOnlyAccountKeepsItsLastWayIn(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	c := r.h.browser()
	if res := r.signIn(c, "github", "octo"); res.header.Get("Location") != "/account" {
		t.Fatalf("sign-in: %q", res.header.Get("Location"))
	}
	// Its email is its other way in: removing it leaves GitHub, which then
	// cannot go.
	if res := r.h.post(c, pages.IdentityRemovePath, url.Values{pages.KindField: {"email"}, pages.ValueField: {"octo@example.com"}}); res.status != http.StatusSeeOther {
		t.Fatalf("remove the email: %d %s", res.status, res.body)
	}
	res := r.h.post(c, pages.ProviderUnlinkPath, url.Values{pages.ProviderField: {"github"}})
	if res.status != http.StatusConflict || !strings.Contains(res.body, html.EscapeString(messages.Fill(messages.ProviderLastWayIn, "{provider}", "GitHub"))) {
		t.Fatalf("unlinking the last way in: %d", res.status)
	}
	// Its only proof of identity is GitHub: re-authentication offers it.
	r.h.clock.Advance(web.ReauthWindow + time.Minute)
	page := r.h.get(c, web.ReauthPath)
	if !strings.Contains(page.body, `data-testid="reauth-provider-github"`) {
		t.Fatalf("reauth page offers no provider: %s", page.body)
	}
	to := r.leave(c, pages.ProviderReauthPath, url.Values{pages.ProviderField: {"github"}, pages.NextField: {pages.DeletePath}})
	token := cookieValue(t, r.h, c)
	res = r.h.get(c, r.at("github", to, "octo"))
	if res.header.Get("Location") != pages.DeletePath {
		t.Fatalf("reauth by GitHub: %d → %q", res.status, res.header.Get("Location"))
	}
	if cookieValue(t, r.h, c) == token {
		t.Error("the proof by GitHub did not renew the session token")
	}
	// The token held before the proof is no longer a session.
	if r.h.get(r.h.withToken(token), pages.DeletePath).status == http.StatusOK {
		t.Error("the session token from before the proof still opens the delete page")
	}
	if page := r.h.get(c, pages.DeletePath); page.status != http.StatusOK {
		t.Fatalf("after reauth by GitHub the delete page is %d", page.status)
	}
	if e := lastEvent(t, r.h, "reauth"); e.Detail["method"] != "provider" || e.Outcome != "success" {
		t.Fatalf("reauth event %+v", e)
	}
}

func TestProviderFormPostComesBackAsAGet(t *testing.T) {
	t.Parallel()
	var op *providertest.OP
	h := newHarnessWith(t, harnessOptions{providers: func(origin string) []provider.Config {
		op = providertest.NewOP(t, origin+"/login/with/apple/callback")
		return []provider.Config{{ID: "apple", Kind: provider.KindApple, Issuer: op.Issuer, ClientID: "com.example.web",
			AppleTeamID: "TEAM", AppleKeyID: "KEY", AppleKey: testECKey(t)}, {ID: "oidc", Kind: provider.KindOIDC, Issuer: op.Issuer, ClientID: "x", ClientSecret: "y"}}
	}})
	// Apple posts from its own site, without this site's cookies.
	body := url.Values{"code": {"c0de"}, "state": {"st4te"}, "user": {`{"name":{"firstName":"A"}}`}}.Encode()
	res := h.postRaw(h.browser(), "/login/with/apple/callback", body, "Content-Type", "application/x-www-form-urlencoded",
		"Origin", "https://appleid.apple.com", "Sec-Fetch-Site", "cross-site")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login/with/apple/callback?code=c0de&state=st4te" {
		t.Fatalf("form_post: %d → %q", res.status, res.header.Get("Location"))
	}
	if res.header.Get("Set-Cookie") != "" {
		t.Fatal("the form_post hop touched a session")
	}
	// Only a provider that answers by POST takes one.
	res = h.postRaw(h.browser(), "/login/with/oidc/callback", body, "Content-Type", "application/x-www-form-urlencoded")
	if res.status != http.StatusNotFound {
		t.Fatalf("form_post to another provider: %d", res.status)
	}
}

func TestProviderAnswersAreGuarded(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{policies: guard.DefaultPolicies()})
	c := r.h.browser()
	var last reply
	for i := 0; i < 61; i++ {
		last = r.h.get(c, "/login/with/idp/callback?code=x&state=y")
		if last.status == http.StatusTooManyRequests {
			break
		}
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" {
		t.Fatalf("61st answer from one address: %d, Retry-After %q", last.status, last.header.Get("Retry-After"))
	}
	n, err := r.h.db.NewSelect().TableExpr("guard_limits").Where("key LIKE ?", "%provider%").Count(context.Background())
	if err != nil || n == 0 {
		t.Fatalf("no provider budget in the ledger (%d, %v)", n, err)
	}
}

func testECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// WeChat gives no email: a new person signs up (here by email), then
// links WeChat in one step, and WeChat signs in to that account.
func TestProviderWeChatNewPersonSignsUpThenLinks(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{})
	c := r.h.browser()
	if res := r.signIn(c, "wechat", "li"); res.header.Get("Location") != pages.ProviderHeldPath {
		t.Fatalf("WeChat sign-in of a new person: %d → %q", res.status, res.header.Get("Location"))
	}
	held := r.h.get(c, pages.ProviderHeldPath)
	if !strings.Contains(held.body, `data-testid="provider-held-signup"`) {
		t.Fatal("the held page offers no signup")
	}
	if res := r.h.signupSteps(c, creds("li@example.com", "correct horse battery")); res.status != http.StatusSeeOther {
		t.Fatalf("signup: %d %s", res.status, res.body)
	}
	if page := r.h.get(c, "/account"); !strings.Contains(page.body, html.EscapeString(messages.Fill(messages.ProviderConfirmTitle, "{provider}", "WeChat"))) {
		t.Fatal("no offer to link WeChat after signing up")
	}
	if res := r.h.post(c, pages.ProviderConfirmPath, nil); res.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", res.status, res.body)
	}
	id := userID(t, r.h, c)
	c2 := r.h.browser()
	if res := r.signIn(c2, "wechat", "li"); res.header.Get("Location") != "/account" || userID(t, r.h, c2) != id {
		t.Fatalf("WeChat sign-in after linking: %q", res.header.Get("Location"))
	}
	// Confirming again, with nothing held, links nothing.
	if res := r.h.post(c, pages.ProviderConfirmPath, nil); res.status != http.StatusBadRequest {
		t.Fatalf("confirm with nothing held: %d", res.status)
	}
}

// One person, one account, many ways in: a password, a passkey, an
// OpenID provider, GitHub and WeChat all sign in to the same user id.
func TestProviderOneAccountManyWaysIn(t *testing.T) {
	t.Parallel()
	r := newProviderRig(t, harnessOptions{passkeys: true})
	c := r.h.signup("someone@example.com", "correct horse battery")
	id := userID(t, r.h, c)
	key := newSoftKey(t, r.h.linkOrigin)
	r.h.addPasskey(c, key, "Laptop")
	for _, p := range []struct{ id, who string }{{"idp", "grace"}, {"github", "octo"}, {"wechat", "li"}} {
		to := r.leave(c, pages.ProviderLinkPath, url.Values{pages.ProviderField: {p.id}})
		if res := r.h.get(c, r.at(p.id, to, p.who)); res.header.Get("Location") != pages.ProvidersPath {
			t.Fatalf("link %s: %d → %q %s", p.id, res.status, res.header.Get("Location"), res.body)
		}
	}
	page := r.h.get(c, pages.ProvidersPath)
	for _, p := range []string{"idp", "github", "wechat"} {
		if !strings.Contains(page.body, `data-testid="providers-unlink-`+p+`"`) {
			t.Fatalf("%s not linked", p)
		}
	}
	// Each link is told, even three within the hour.
	deadline := time.Now().Add(10 * time.Second)
	for {
		told := 0
		for _, m := range r.h.mailTo(t, "someone@example.com", 0) {
			if m.Purpose == "provider_linked" {
				told++
			}
		}
		if told == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d provider-linked notices, want 3", told)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, p := range []struct{ id, who string }{{"idp", "grace"}, {"github", "octo"}, {"wechat", "li"}} {
		b := r.h.browser()
		if res := r.signIn(b, p.id, p.who); res.header.Get("Location") != "/account" || userID(t, r.h, b) != id {
			t.Fatalf("sign-in with %s: %q", p.id, res.header.Get("Location"))
		}
	}
	b := r.h.browser()
	if res := r.h.post(b, "/login", creds("someone@example.com", "correct horse battery")); res.status != http.StatusSeeOther || userID(t, r.h, b) != id {
		t.Fatalf("password sign-in: %d", res.status)
	}
	b = r.h.browser()
	if res := r.h.passkeyLogin(b, key); res.status != http.StatusOK || userID(t, r.h, b) != id {
		t.Fatalf("passkey sign-in: %d %s", res.status, res.body)
	}
}
