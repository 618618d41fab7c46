package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

// TestBrowserSignupVerifyFirst signs up with email delivery on: the code
// step, a wrong code answered in writing with focus back on the field, the
// right code landing on the account page with the address verified; then,
// in another browser, the link's confirm page for a second address.
func TestBrowserSignupVerifyFirst(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true, passwords: true})
		b := newBrowser(t, chromium, h, javascript)

		b.open("/signup")
		submit := chromedp.Steps(
			typeInto("signup-email", journeyEmail),
			typeInto("signup-password", journeyPassword),
			click(`[data-testid="signup-submit"]`),
		)
		if javascript {
			b.waitPageScripts()
			b.markPage(1)
			b.do("sign up", submit)
			b.waitFor("the code step", `!!document.querySelector('[data-testid="signup-code"]')`)
			b.wantMarker(1) // answered in place
		} else {
			b.navigateBy("sign up", submit)
		}
		b.wantLocation("/signup")
		b.wantText(`[data-testid="signup-sent"]`, journeyEmail)
		b.wantFocus("signup-code")
		if ck := b.sessionCookie(); ck != nil && ck.Value != "" {
			t.Fatalf("a session before the code: %+v", ck)
		}
		if h.usersWith(t, journeyEmail) != 0 {
			t.Fatal("an account before the code")
		}
		code := h.awaitSignupCode(journeyEmail)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		submitWrong := chromedp.Steps(typeInto("signup-code", wrong), click(`[data-testid="signup-code-submit"]`))
		if javascript {
			b.do("type a wrong code", submitWrong)
			b.waitTextIn(`[data-testid="signup-code-errors"]`, messages.Text(messages.CodeInvalid))
			b.wantMarker(1)
		} else {
			b.navigateBy("type a wrong code", submitWrong)
			b.wantText(`[data-testid="signup-code-errors"]`, messages.Text(messages.CodeInvalid))
		}
		b.wantFocus("signup-code")
		// Asking for another email at once is refused in writing.
		if javascript {
			b.do("resend too soon", click(`[data-testid="signup-resend"]`))
			b.waitTextIn(`[data-testid="signup-code-errors"]`, messages.Text(messages.CodeSendLimited))
		} else {
			b.navigateBy("resend too soon", click(`[data-testid="signup-resend"]`))
			b.wantText(`[data-testid="signup-code-errors"]`, messages.Text(messages.CodeSendLimited))
		}
		b.navigateBy("type the code", chromedp.Steps(typeInto("signup-code", code), click(`[data-testid="signup-code-submit"]`)))
		b.wantLocation("/account")
		b.wantText(`[data-testid="account-email"]`, messages.Text(messages.AccountVerified))
		if ck := b.sessionCookie(); ck == nil || !ck.HTTPOnly {
			t.Fatalf("session cookie after the code = %+v", ck)
		}

		// A second address, finished by its link in another browser.
		const second = "second-" + journeyEmail
		if r := h.post(h.browser(), "/signup", signupForm(second, journeyPassword, false)); r.status != 200 {
			t.Fatalf("second signup: %d", r.status)
		}
		token := h.signupLinkToken(t, h.awaitMail(t, second, "signup_code"))
		o := b.otherProfile(javascript)
		o.open(pages.SignupLinkPath + "?" + pages.LinkTokenField + "=" + token)
		o.wantText("h1", messages.Text(messages.SignupLinkTitle))
		o.wantText(`[data-testid="signup-link-elsewhere"]`, messages.Text(messages.SignupLinkElsewhere))
		o.wantText(`[data-testid="signup-link-warning"]`, messages.Text(messages.SignupLinkWarning))
		if javascript { // axe is a script: it runs where scripts do
			o.wantNoAxeViolations("the signup link's page in another browser")
		}
		if h.usersWith(t, second) != 0 {
			t.Fatal("opening the link created the account")
		}
		// Another browser than the signup's: the account is created
		// without the password chosen there, and its owner sets one.
		o.navigateBy("confirm", click(`[data-testid="signup-link-confirm"]`))
		o.wantLocation(pages.ChangePasswordPath) // the token has left the address bar
		o.wantText(`[data-testid="change-notice"]`, messages.Text(messages.SignupSetPassword))
		if javascript { // axe is a script: it runs where scripts do
			o.wantNoAxeViolations("the set-password page after a signup link in another browser")
		}
		o.navigateBy("set a password", chromedp.Steps(typeInto("change-password", "the owner's own passphrase 7"), click(`[data-testid="change-submit"]`)))
		o.wantLocation("/account")
		if got := o.text(`[data-testid="account-email"]`); !strings.Contains(got, second) || !strings.Contains(got, messages.Text(messages.AccountVerified)) {
			t.Fatalf("account page after the link: %q", got)
		}
		if javascript {
			b.wantCleanConsole()
		}
	})
}
