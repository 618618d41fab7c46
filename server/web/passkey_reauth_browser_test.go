package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

// TestBrowserPasskeyReauth: a user with a passkey, once ReauthWindow has
// passed, opens a sensitive page, is asked to confirm it is you, confirms
// with the passkey (Chromium's virtual authenticator, user verified) and
// lands on the page. Axe checks the confirm page with the passkey offered.
func TestBrowserPasskeyReauth(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	h := newHarnessWith(t, harnessOptions{passkeys: true, wallClock: true})
	b := newBrowser(t, chromium, h, true)
	b.addAuthenticator()
	b.signUpInBrowser(journeyEmail, journeyPassword, true)
	b.addPasskeyInBrowser("Test laptop")

	h.clock.Advance(6 * time.Minute)
	b.open(pages.ExportPath)
	b.wantLocation(pages.ReauthURL(pages.ExportPath))
	b.waitFor("passkey offered", `!document.getElementById("passkey-reauth").hidden`)
	b.wantNoAxeViolations("the confirm page with a passkey")
	b.navigateBy("confirm with the passkey", click(`[data-testid="passkey-reauth-start"]`))
	b.waitLocation("back on the sensitive page", pages.ExportPath)
	b.wantLocation(pages.ExportPath)
	if e := lastEvent(t, h, "reauth"); e.Outcome != "success" || e.Detail["method"] != "passkey" {
		t.Fatalf("reauth audited as %+v", e)
	}
	b.wantCleanConsole()
}

// TestBrowserPasskeyReauthWithoutJavaScript: without script the confirm
// page's passkey control stays hidden, a note says a passkey needs
// JavaScript, and the password confirms it is you as before.
func TestBrowserPasskeyReauthWithoutJavaScript(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup(journeyEmail, journeyPassword)
	h.addPasskey(c, newSoftKey(t, h.linkOrigin), "Key")
	b := newBrowser(t, chromium, h, false)
	b.logIn(journeyEmail, journeyPassword)
	b.wantLocation("/account")

	h.clock.Advance(6 * time.Minute)
	b.open(pages.ExportPath)
	b.wantLocation(pages.ReauthURL(pages.ExportPath))
	if run(b, "is the passkey button shown", chromedp.Evaluate[bool](`(() => { const e = document.getElementById("passkey-reauth-start"); return !!(e && e.offsetParent); })()`)) {
		t.Fatal("the passkey button shows without JavaScript")
	}
	b.wantText(`[data-testid="passkey-reauth-nojs"]`, messages.Text(messages.PasskeyNeedsJavaScript))
	b.navigateBy("confirm with the password", chromedp.Steps(typeInto("reauth-password", journeyPassword), click(`[data-testid="reauth-submit"]`)))
	b.wantLocation(pages.ExportPath)
	if e := lastEvent(t, h, "reauth"); e.Outcome != "success" || e.Detail["method"] != "password" {
		t.Fatalf("reauth audited as %+v", e)
	}
}
