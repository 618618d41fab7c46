package web_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/web"
)

var resetLink = regexp.MustCompile(`https?://\S+` + regexp.QuoteMeta(pages.ResetPath) + `\?token=\S+`)

const (
	resetSubject     = "Reset your Latch password"
	browserResetPass = "copper kettle by the river"
)

// A forgotten password is reset from the emailed link in a browser that is
// not signed in; the browser signed in before is signed out by it.
func TestBrowserPasswordResetByLink(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true, passwords: true})
		before := newBrowser(t, chromium, h, javascript)
		before.signUpInBrowser(journeyEmail, journeyPassword, javascript)

		b := before.otherProfile(javascript)
		b.open("/login")
		b.navigateBy("forgot", click(`[data-testid="to-forgot"]`))
		b.wantLocation(pages.ForgotPath)
		ask := chromedp.Steps(typeInto("forgot-email", journeyEmail), click(`[data-testid="forgot-request"]`))
		if javascript {
			b.waitPageScripts()
			b.markPage(1)
			b.do("ask for a reset", ask)
			b.waitTextIn(`[data-testid="forgot-notice"]`, messages.Text(messages.ResetSent))
			b.wantMarker(1) // patched in place, no reload
		} else {
			b.navigateBy("ask for a reset", ask)
			b.wantText(`[data-testid="forgot-notice"]`, messages.Text(messages.ResetSent))
		}

		link := resetLink.FindString(b.readMailbox(journeyEmail, resetSubject))
		if !strings.HasPrefix(link, b.base+pages.ResetPath) {
			t.Fatalf("link %q is not on the site's origin %s", link, b.base)
		}
		// Opened in a browser that did not ask, the link's page warns
		// before its button, and opening it changes nothing there.
		before.do("open the link elsewhere", chromedp.Navigate(link))
		before.wantText(`[data-testid="reset-elsewhere"]`, messages.Text(messages.ResetElsewhere))
		before.open(pages.ResetPath)
		before.wantText(`[data-testid="reset-error"]`, messages.Text(messages.ResetNoLink))

		// In the browser that asked: a confirm page without the warning,
		// then the password form, the token gone from the address bar.
		b.do("open the link", chromedp.Navigate(link))
		b.wantText("h1", messages.Text(messages.ResetTitle))
		if !strings.HasPrefix(b.location(), pages.ResetPath+"?token=") || b.present(`[data-testid="reset-elsewhere"]`) {
			t.Fatalf("confirm page at %s, warned: %v", b.location(), b.present(`[data-testid="reset-elsewhere"]`))
		}
		if javascript {
			b.waitPageScripts()
		}
		b.navigateBy("confirm", click(`[data-testid="reset-confirm"]`))
		b.wantLocation(pages.ResetPath) // the token has left the address bar
		b.wantText("h1", messages.Text(messages.ResetTitle))
		if !b.present(`[data-testid="reset-password"]`) {
			t.Fatal("no password form after confirming")
		}

		// A password the rules refuse is written next to the field.
		tooShort := chromedp.Steps(typeInto("reset-password", "short"), click(`[data-testid="reset-submit"]`))
		if javascript {
			b.waitPageScripts()
			b.do("too short", chromedp.Evaluate[chromedp.Void](`document.getElementById("reset-password").removeAttribute("minlength")`))
			b.do("submit too short", tooShort)
			b.waitTextIn(`[data-testid="reset-password-error"]`, messages.Text(messages.PasswordTooShort))
			// The answer has settled: the form is no longer busy and its
			// field has the focus the answer gives it, so typing reaches
			// the field the answer left, not one it replaced.
			b.waitFor("reset form settled", `!document.getElementById("reset-form")?.hasAttribute("aria-busy") &&
				document.activeElement?.id === "reset-password"`)
		} else {
			b.do("too short", chromedp.Evaluate[chromedp.Void](`document.getElementById("reset-password").removeAttribute("minlength")`))
			b.navigateBy("submit too short", tooShort)
			b.wantText(`[data-testid="reset-password-error"]`, messages.Text(messages.PasswordTooShort))
		}

		b.navigateBy("choose a password", chromedp.Steps(typeInto("reset-password", browserResetPass), click(`[data-testid="reset-submit"]`)))
		b.wantLocation("/account")
		b.wantText(`[data-testid="account-notice"]`, messages.Text(messages.PasswordResetDone))

		before.open("/account")
		if loc := before.location(); !strings.HasPrefix(loc, "/login") {
			t.Fatalf("the browser signed in before the reset is on %s, want the login page", loc)
		}
		if javascript {
			b.wantCleanConsole()
		}
	})
}

// A signed-in user changes their password from the account page.
func TestBrowserChangePassword(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true, passwords: true})
		b := newBrowser(t, chromium, h, javascript)
		b.signUpInBrowser(journeyEmail, journeyPassword, javascript)
		b.navigateBy("to the password form", click(`[data-testid="account-password"]`))
		b.wantLocation(pages.ChangePasswordPath)

		wrong := chromedp.Steps(typeInto("change-current", "not my password"), typeInto("change-password", browserResetPass),
			click(`[data-testid="change-submit"]`))
		if javascript {
			b.waitPageScripts()
			b.markPage(1)
			b.do("wrong current password", wrong)
			b.waitTextIn(`[data-testid="change-current-error"]`, messages.Text(messages.CurrentPasswordWrong))
			b.wantMarker(1)
			b.wantFocus("change-current")
		} else {
			b.navigateBy("wrong current password", wrong)
			b.wantText(`[data-testid="change-current-error"]`, messages.Text(messages.CurrentPasswordWrong))
		}
		b.navigateBy("change", chromedp.Steps(typeInto("change-current", journeyPassword), typeInto("change-password", browserResetPass),
			click(`[data-testid="change-submit"]`)))
		b.wantLocation("/account")
		b.wantText(`[data-testid="account-notice"]`, messages.Text(messages.PasswordChanged))
		b.readMailbox(journeyEmail, "Your Latch password was changed")
		if javascript {
			b.wantCleanConsole()
		}
	})
}

// A reset by link of an account with a second factor confirms the link,
// takes the new password and stops at the second step, signed in to
// nothing yet.
func TestBrowserPasswordResetByLinkStopsAtTheSecondStep(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true, passwords: true, secondFactors: everyone{}})
		if r := h.signupSteps(h.browser(), creds(journeyEmail, journeyPassword)); r.header.Get("Location") != web.SecondFactorPath {
			t.Fatalf("signup with a second factor: %d %q", r.status, r.header.Get("Location"))
		}
		b := newBrowser(t, chromium, h, javascript)
		b.open(pages.ForgotPath)
		if javascript {
			b.waitPageScripts()
			b.do("ask for a reset", typeInto("forgot-email", journeyEmail), click(`[data-testid="forgot-request"]`))
			b.waitTextIn(`[data-testid="forgot-notice"]`, messages.Text(messages.ResetSent))
		} else {
			b.navigateBy("ask for a reset", chromedp.Steps(typeInto("forgot-email", journeyEmail), click(`[data-testid="forgot-request"]`)))
		}
		link := resetLink.FindString(b.readMailbox(journeyEmail, resetSubject))
		b.do("open the link", chromedp.Navigate(link))
		if javascript {
			b.waitPageScripts()
		}
		b.navigateBy("confirm", click(`[data-testid="reset-confirm"]`))
		b.wantLocation(pages.ResetPath)
		b.navigateBy("choose a password", chromedp.Steps(typeInto("reset-password", browserResetPass), click(`[data-testid="reset-submit"]`)))
		b.wantLocation(web.SecondFactorPath)
		if javascript {
			b.wantCleanConsole()
		}
	})
}
