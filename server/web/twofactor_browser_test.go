package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/otp"
)

// TestBrowserTwoFactor enrols an authenticator app as a person would
// (reading the key shown as text and computing its codes), then signs in
// with the password and an app code, and again with a recovery code.
func TestBrowserTwoFactor(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{twoFactor: true})
		b := newBrowser(t, chromium, h, javascript)
		b.signUpInBrowser(journeyEmail, journeyPassword, javascript)
		b.wantText(`[data-testid="account-two-factor"]`, messages.Text(messages.AccountTwoFactorOff))
		b.navigateBy("open two-step verification", click(`[data-testid="account-two-factor-link"]`))
		b.wantLocation("/account/2fa")
		secret, err := otp.DecodeTOTPSecret(b.text(`[data-testid="totp-secret"]`))
		if err != nil {
			t.Fatalf("the key on the page does not decode: %v", err)
		}
		wrong := h.totp(secret, 7)
		if javascript {
			b.waitPageScripts()
			b.markPage(1)
			b.do("confirm a wrong code", typeInto("totp-confirm-code", wrong), click(`[data-testid="totp-confirm-submit"]`))
			b.waitTextIn(`[data-testid="totp-confirm-code-error"]`, messages.Text(messages.TwoFactorCodeInvalid))
			b.wantMarker(1)
			b.wantFocus("totp-confirm-code")
			b.do("confirm the app's code", typeInto("totp-confirm-code", h.totp(secret, 0)), click(`[data-testid="totp-confirm-submit"]`))
			b.waitFor("recovery codes shown", `document.querySelectorAll('[data-testid="recovery-code"]').length === 10`)
			b.wantMarker(1)
		} else {
			b.navigateBy("confirm a wrong code", chromedp.Steps(typeInto("totp-confirm-code", wrong), click(`[data-testid="totp-confirm-submit"]`)))
			b.wantText(`[data-testid="totp-confirm-code-error"]`, messages.Text(messages.TwoFactorCodeInvalid))
			b.navigateBy("confirm the app's code", chromedp.Steps(typeInto("totp-confirm-code", h.totp(secret, 0)), click(`[data-testid="totp-confirm-submit"]`)))
		}
		codes := run(b, "read recovery codes", chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('[data-testid="recovery-code"]')).map(e => e.textContent)`))
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes shown, want 10", len(codes))
		}
		// The codes' page is for one thing: "I have saved them".
		b.wantOnePrimaryAtMost("the recovery codes")
		b.wantSettingsFrame("the recovery codes", true)
		if got := b.text(`a.btn-primary[data-testid="recovery-codes-saved"]`); strings.TrimSpace(got) != messages.Text(messages.TwoFactorSaved) {
			t.Errorf("the primary action beside the codes reads %q", got)
		}

		b.navigateBy("log out", click(`[data-testid="logout"]`))
		b.logInFirstFactor(javascript)
		b.navigateBy("enter the app's code", chromedp.Steps(
			typeInto("second-factor-code", h.totp(secret, 1)), // the enrolment's step is spent
			click(`[data-testid="second-factor-submit"]`),
		))
		b.wantLocation("/account")
		b.wantText(`[data-testid="account-two-factor"]`, messages.Text(messages.AccountTwoFactorOn))
		// With it on, the page offers new codes (secondary) and turning it
		// off (danger): no primary action.
		b.open(pages.TwoFactorPath)
		b.wantText(`[data-testid="two-factor-on"]`, messages.Text(messages.TwoFactorOnIntro))
		b.wantOnePrimaryAtMost("two-step verification, on")
		b.wantSettingsFrame("two-step verification, on", true)
		if n := run(b, "count danger buttons", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="two-factor-disable"].btn-danger').length`)); n != 1 {
			t.Errorf("turning two-step verification off is not in the danger style (%d)", n)
		}

		b.navigateBy("log out", click(`[data-testid="logout"]`))
		b.logInFirstFactor(javascript)
		b.navigateBy("use a recovery code", click(`[data-testid="second-factor-use-recovery"]`))
		if javascript {
			b.waitPageScripts()
		}
		b.navigateBy("enter a recovery code", chromedp.Steps(
			typeInto("second-factor-recovery", codes[0]),
			click(`[data-testid="second-factor-submit"]`),
		))
		b.wantLocation("/account")
		if javascript {
			b.wantCleanConsole()
		}
	})
}

// logInFirstFactor logs in with the journey's password and expects the
// second step.
func (b *browser) logInFirstFactor(javascript bool) {
	b.t.Helper()
	b.open("/login")
	if javascript {
		b.waitPageScripts()
	}
	b.navigateBy("log in with the password", chromedp.Steps(
		typeInto("login-email", journeyEmail),
		typeInto("login-password", journeyPassword),
		click(`[data-testid="login-submit"]`),
	))
	b.wantLocation("/login/verify")
	if javascript {
		b.waitPageScripts()
	}
}
