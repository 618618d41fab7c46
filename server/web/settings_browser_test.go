package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

// submit runs a form's submit and waits for its outcome: with JavaScript,
// the patched element ready (sel present); without, the next page.
func (b *browser) submit(step string, javascript bool, trigger chromedp.Action[chromedp.Void], sel string) {
	b.t.Helper()
	if javascript {
		b.do(step, trigger)
		b.waitFor(step+": wait for "+sel, "!!document.querySelector("+jsString(sel)+")")
		return
	}
	b.navigateBy(step, trigger)
}

func TestBrowserChangeEmailAfterReauthentication(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true})
		b := newBrowser(t, chromium, h, javascript)
		mailbox := b.otherProfile(true)
		const oldEmail, newEmail = "odile@example.com", "nadia@example.net"
		b.signUpInBrowser(oldEmail, journeyPassword, javascript)
		h.clock.Advance(6 * time.Minute) // the sign-up's proof is too old now

		b.open("/account")
		b.navigateBy("change email", click(`[data-testid="account-change-email"]`))
		b.wantLocation(pages.ReauthURL(pages.EmailChangePath))
		b.wantText("h1", messages.Text(messages.ReauthTitle))
		if javascript {
			b.waitPageScripts()
		}
		b.submit("wrong password", javascript, chromedp.Steps(typeInto("reauth-password", "not my password"), click(`[data-testid="reauth-submit"]`)),
			`[data-testid="reauth-errors"]:not(:empty)`)
		b.wantText(`[data-testid="reauth-errors"]`, messages.Text(messages.ReauthFailed))
		b.navigateBy("confirm with the password", chromedp.Steps(typeInto("reauth-password", journeyPassword), click(`[data-testid="reauth-submit"]`)))
		b.wantLocation(pages.EmailChangePath)

		if javascript {
			b.waitPageScripts()
		}
		b.submit("ask for a code", javascript, chromedp.Steps(typeInto("email-change-email", newEmail), click(`[data-testid="email-change-request"]`)),
			`[data-testid="email-change-code"]`)
		b.wantText(`[data-testid="email-change-notice"]`, newEmail)
		code := sixDigitCode.FindString(mailbox.readMailbox(newEmail, "Your Latch code to change your email"))
		if code == "" {
			t.Fatal("no code in the email to the new address")
		}
		b.navigateBy("confirm the code", chromedp.Steps(typeInto("email-change-code", code), click(`[data-testid="email-change-submit"]`)))
		b.wantLocation("/account")
		b.wantText(`[data-testid="account-notice"]`, messages.Text(messages.EmailChanged))
		b.wantText(`[data-testid="account-email"]`, newEmail)
		b.wantText(`[data-testid="account-email"]`, messages.Text(messages.AccountVerified))

		notice := mailbox.readMailbox(oldEmail, "Your Latch email address was changed")
		if want := "n***@example.net"; !strings.Contains(notice, want) || strings.Contains(notice, newEmail) {
			t.Fatalf("notice to the old address reads %q, want the new one masked as %s", notice, want)
		}
		if javascript {
			b.wantCleanConsole()
		}
	})
}

func TestBrowserDeleteAccountThenLoginRestoresIt(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarness(t)
		b := newBrowser(t, chromium, h, javascript)
		b.signUpInBrowser(journeyEmail, journeyPassword, javascript)
		b.open("/account")
		b.navigateBy("open delete", click(`[data-testid="account-delete"]`))
		b.wantLocation(pages.DeletePath) // the sign-up just proved who it is
		b.wantText(".lede", "14 days")
		if javascript {
			b.waitPageScripts()
		}
		b.navigateBy("delete", chromedp.Steps(click(`#delete-confirm`), click(`[data-testid="delete-submit"]`)))
		b.wantLocation("/login?from=deleted")
		b.wantText(`[data-testid="login-notice"]`, messages.Text(messages.AccountDeletedLogin))
		b.open("/account")
		b.wantLocation("/login?next=%2Faccount")

		h.clock.Advance(10 * 24 * time.Hour)
		b.logIn(journeyEmail, journeyPassword)
		b.wantText(`[data-testid="account-notice"]`, messages.Text(messages.AccountRestored))
		b.open(pages.ActivityPath)
		b.wantText(`[data-testid="activity"]`, messages.Text(messages.ActivityRestored))
		b.wantText(`[data-testid="activity"]`, messages.Text(messages.ActivityDeleted))
		if javascript {
			b.wantCleanConsole()
		}
	})
}
