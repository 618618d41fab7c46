package web_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/components/layout"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/web"
)

// axePage is one page a person can reach, as the axe walk visits it.
type axePage struct {
	route    string // the GET pattern the server registers ("" for a path no route serves)
	path     string // what the browser opens
	signedIn bool
	// errorForm, when set, is the id of the page's form the walk also
	// submits empty (or with fill's wrong values), the browser's own
	// checks off, to check the error state the server answers with.
	errorForm string
	fill      map[string]string // input id → a wrong value, typed before the submit
}

// axePages is every page of the site, each with the error state of its
// main form. A GET route missing here fails TestBrowserAxeOnEveryPage.
var axePages = []axePage{
	{route: "/login", path: "/login", errorForm: "login-form", fill: map[string]string{"login-email": "nobody@example.com", "login-password": "not the password"}},
	{route: "/signup", path: "/signup", errorForm: "signup-form"},
	{route: pages.SignupLinkPath, path: pages.SignupLinkPath + "?token=not-a-token"},
	{route: pages.CodeLoginPath, path: pages.CodeLoginPath, errorForm: "login-code-request-form"},
	{route: pages.LinkLoginPath, path: pages.LinkLoginPath + "?token=not-a-token"},
	{route: pages.VerifyEmailPath, path: pages.VerifyEmailPath + "?token=not-a-token"},
	{route: pages.PhoneSignupPath, path: pages.PhoneSignupPath, errorForm: "phone-signup-request-form", fill: map[string]string{"phone-signup-number": "12"}},
	{route: pages.RecoverPath, path: pages.RecoverPath, errorForm: "recover-code-form", fill: map[string]string{"recover-email": "nobody@example.com", "recover-recovery-code": "k7mnp-q2rst"}},
	{route: pages.RecoverPath, path: pages.RecoverPath, errorForm: "recover-request-form"},
	{route: pages.RecoveryStartedPath, path: pages.RecoveryStartedPath},
	{route: pages.RecoveryCancelPath, path: pages.RecoveryCancelPath + "?token=not-a-token"},
	{route: pages.RecoveryFinishPath, path: pages.RecoveryFinishPath + "?token=not-a-token"},
	{route: pages.ForgotPath, path: pages.ForgotPath, errorForm: "forgot-request-form"},
	{route: pages.ResetPath, path: pages.ResetPath + "?token=not-a-token"},
	{route: pages.SecondFactorPath, path: pages.SecondFactorPath},
	{route: pages.ProviderCallbackPattern, path: "/login/with/idp/callback?state=forged&code=forged"},
	{route: pages.ProviderHeldPath, path: pages.ProviderHeldPath},
	{route: "/dev/mailbox", path: "/dev/mailbox"},
	{route: "", path: "/no-such-page"},
	{route: "", path: "/logout"}, // a POST route opened by GET: 405

	{route: "/account", path: "/account", signedIn: true},
	{route: "/account/devices", path: "/account/devices", signedIn: true},
	{route: pages.ActivityPath, path: pages.ActivityPath, signedIn: true},
	{route: pages.ChangePasswordPath, path: pages.ChangePasswordPath, signedIn: true, errorForm: "change-form"},
	{route: pages.TwoFactorPath, path: pages.TwoFactorPath, signedIn: true, errorForm: "two-factor-confirm-form", fill: map[string]string{"totp-confirm-code": "000000"}},
	{route: pages.PhoneAddPath, path: pages.PhoneAddPath, signedIn: true, errorForm: "phone-add-request-form", fill: map[string]string{"phone-add-number": "12"}},
	{route: pages.PasskeysPath, path: pages.PasskeysPath, signedIn: true},
	{route: pages.ProvidersPath, path: pages.ProvidersPath, signedIn: true},
	{route: pages.ReauthPath, path: pages.ReauthPath, signedIn: true, errorForm: "reauth-password-form", fill: map[string]string{"reauth-password": "not the password"}},
	{route: pages.EmailChangePath, path: pages.EmailChangePath, signedIn: true, errorForm: "email-change-form"},
	{route: pages.DeletePath, path: pages.DeletePath, signedIn: true, errorForm: "delete-form"},
	{route: pages.ExportPath, path: pages.ExportPath, signedIn: true},
}

// axeSkipped are the GET routes the walk does not open, each with why.
var axeSkipped = map[string]string{
	"/{$}": "redirects to /login or /account, both in the table",
}

// axeLooks are the viewports and colour schemes each page is checked in:
// every width light, and the desktop dark.
var axeLooks = []struct {
	v      viewport
	scheme string
}{{viewports[0], "light"}, {viewports[1], "light"}, {viewports[0], "dark"}}

// TestBrowserAxeOnEveryPage opens every page a person can reach (signed
// out and signed in, link pages with a refused link, the error pages)
// and the error state of each page's main form (submitted empty or with
// wrong values, JavaScript on), at 1280 and 390 px and in the dark, and
// wants no axe violation on any, at most one visible primary button on
// each, and no message in two live regions at once. A GET route the server registers that
// is neither in axePages nor in axeSkipped fails the test.
func TestBrowserAxeOnEveryPage(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	r := newProviderRig(t, harnessOptions{phones: true, recovery: true, twoFactor: true, passwords: true, passkeys: true, devMailbox: true})
	h := r.h

	covered := map[string]bool{}
	for _, p := range axePages {
		covered[p.route] = true
	}
	srv := web.New(h.deps)
	srv.Handler()
	for _, rt := range srv.Routes() {
		method, pattern, _ := strings.Cut(rt, " ")
		if method != "GET" || strings.HasPrefix(pattern, pages.AdminPath) {
			continue // the admin console has its own axe walk (TestBrowserAdmin*)
		}
		if _, skip := axeSkipped[pattern]; !skip && !covered[pattern] {
			t.Errorf("GET %s is in no row of axePages (nor in axeSkipped with a reason)", pattern)
		}
	}
	if !slices.Contains(srv.Routes(), "POST "+layout.LanguagePath) {
		t.Fatalf("the route list looks empty: %v", srv.Routes())
	}

	for i, look := range axeLooks {
		for _, signedIn := range []bool{false, true} {
			name := look.v.name + "-" + look.scheme
			if signedIn {
				name += "-signed-in"
			}
			t.Run(name, func(t *testing.T) {
				b := newBrowser(t, chromium, h, true)
				b.look(look.v, look.scheme)
				b.emulateFocus()
				if signedIn {
					b.signUpInBrowser("axe-"+strconv.Itoa(i)+"@example.com", journeyPassword, true)
				}
				for _, p := range axePages {
					if p.signedIn != signedIn {
						continue
					}
					what := p.path + " at " + strconv.Itoa(int(look.v.width)) + " px, " + look.scheme
					b.open(p.path)
					b.waitPageScripts()
					b.wantNoAxeViolations(what)
					b.wantOnePrimaryAtMost(what)
					b.wantEachMessageInOneLiveRegion(what)
					if strings.HasPrefix(p.path, "/account/") {
						b.wantSettingsFrame(what, !look.v.mobile)
					}
					if p.errorForm != "" {
						b.waitWasmIfLoaded() // its live validation is part of the error state
						b.visitFields(p.errorForm)
						b.submitWrong(p)
						b.settleFocus()
						refused := what + ", after a refused submit of #" + p.errorForm
						b.wantNoAxeViolations(refused)
						b.wantOnePrimaryAtMost(refused)
						b.wantEachMessageInOneLiveRegion(refused)
					}
				}
			})
		}
	}
}

// anyError is true when the page shows a field marked invalid or an alert
// with words in it.
const anyError = `(() => {
	if (document.querySelector('[aria-invalid="true"]')) return true;
	for (const el of document.querySelectorAll('[role="alert"], .alert-error')) {
		if (el.textContent.trim() !== "") return true;
	}
	return false;
})()`

// submitWrong types p.fill's wrong values into p.errorForm, turns the
// browser's own checks off and submits it, then waits for the error the
// server answers with (in place, or on the next page).
func (b *browser) submitWrong(p axePage) {
	b.t.Helper()
	if run(b, "look for an error before submitting", chromedp.Evaluate[bool](anyError)) {
		b.t.Fatalf("%s shows an error before #%s is submitted", p.path, p.errorForm)
	}
	for id, v := range p.fill {
		b.do("type into #"+id, typeInto(id, v))
	}
	form := `document.getElementById(` + jsString(p.errorForm) + `)`
	submit := chromedp.Evaluate[chromedp.Void](`(() => { const f = ` + form + `; f.noValidate = true; f.requestSubmit(); })()`)
	if run(b, "ask whether #"+p.errorForm+" answers in place", chromedp.Evaluate[bool](form+`.hasAttribute("data-on:submit")`)) {
		b.do("submit #"+p.errorForm, submit)
	} else {
		b.navigateBy("submit #"+p.errorForm, submit) // a full-page answer
	}
	b.waitFor("the refusal of #"+p.errorForm, anyError)
}
