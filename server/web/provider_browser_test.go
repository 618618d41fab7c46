package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

// atOP signs in at the in-process OpenID provider's own login page, as a
// person would, and waits for the page Latch answers with.
func (b *browser) atOP(step, username string) {
	b.t.Helper()
	b.waitFor(step+": the provider's login page", `document.getElementById("username") !== null`)
	b.navigateBy(step, chromedp.Steps(
		typeInto("username", username),
		typeInto("password", username),
		click(`button[type="submit"]`),
	))
}

// TestBrowserProviderSignUpSignOutSignIn: a new person signs up with an
// OpenID provider from the login page, signs out, and signs in again to the
// same account, with JavaScript on and off.
func TestBrowserProviderSignUpSignOutSignIn(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		r := newProviderRig(t, harnessOptions{})
		b := newBrowser(t, chromium, r.h, javascript)

		b.open("/login")
		b.wantText(`[data-testid="provider-idp"]`, messages.Fill(messages.ProviderContinue, "{provider}", "IdP"))
		if javascript { // axe is a script
			b.wantNoAxeViolations("the login page with providers")
		}
		b.navigateBy("continue with IdP", click(`[data-testid="provider-idp"]`))
		b.atOP("sign in at IdP", "ada")
		b.wantLocation("/account")
		b.wantText(`[data-testid="nav-email"]`, "ada@example.com")
		id := b.accountUserID("ada@example.com")

		b.navigateBy("sign out", click(`[data-testid="logout"]`))
		b.navigateBy("continue with IdP again", click(`[data-testid="provider-idp"]`))
		b.atOP("sign in at IdP again", "ada")
		b.wantLocation("/account")
		if again := b.accountUserID("ada@example.com"); again != id {
			t.Fatalf("signed in to %s, want %s", again, id)
		}
		b.wantCleanConsole()
	})
}

// TestBrowserProviderLinkAfterProvingTheAccount: a provider not trusted for
// emails reports the address of an existing account; nothing is signed in
// or linked until its holder logs in to it and confirms; then the provider
// signs in to it.
func TestBrowserProviderLinkAfterProvingTheAccount(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		r := newProviderRig(t, harnessOptions{})
		r.h.signup("ada@example.com", "correct horse battery")
		b := newBrowser(t, chromium, r.h, javascript)

		b.open("/login")
		b.navigateBy("continue with Corp SSO", click(`[data-testid="provider-corp"]`))
		b.atOP("sign in at Corp SSO", "ada")
		b.wantLocation(pages.ProviderHeldPath)
		b.wantText(`[data-testid="provider-held-reason"]`, messages.Fill(messages.ProviderHeldEmailInUse, "{provider}", "Corp SSO"))
		if javascript { // axe is a script
			b.wantNoAxeViolations("the held provider page")
		}
		b.open("/account")
		if loc := b.location(); !strings.HasPrefix(loc, "/login") {
			t.Fatalf("signed in by email alone: /account is %s", loc)
		}
		b.open(pages.ProviderHeldPath)
		b.navigateBy("go to log in", click(`[data-testid="provider-held-login"]`))
		if javascript {
			b.waitPageScripts()
		}
		login := chromedp.Steps(typeInto("login-email", "ada@example.com"), typeInto("login-password", "correct horse battery"), click(`[data-testid="login-submit"]`))
		b.navigateBy("log in with the password", login)
		b.wantLocation("/account")
		b.wantText(`[data-testid="provider-confirm"]`, messages.Fill(messages.ProviderConfirmTitle, "{provider}", "Corp SSO"))
		if javascript { // axe is a script
			b.wantNoAxeViolations("the account page offering a link")
		}
		b.navigateBy("link Corp SSO", click(`[data-testid="provider-confirm-link"]`))
		b.wantLocation(pages.ProvidersPath)
		b.wantText(`[data-testid="providers-notice"]`, messages.Fill(messages.ProviderLinked, "{provider}", "Corp SSO"))
		b.wantText(`[data-testid="providers-row-corp"]`, "ada@example.com")
		if javascript { // axe is a script
			b.wantNoAxeViolations("the providers page")
		}
		b.open("/account")
		id := b.accountUserID("ada@example.com")

		b.navigateBy("sign out", click(`[data-testid="logout"]`))
		b.navigateBy("continue with Corp SSO again", click(`[data-testid="provider-corp"]`))
		b.atOP("sign in at Corp SSO again", "ada")
		b.wantLocation("/account")
		if again := b.accountUserID("ada@example.com"); again != id {
			t.Fatalf("signed in to %s, want %s", again, id)
		}
		b.wantCleanConsole()
	})
}
