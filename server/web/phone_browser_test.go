package web_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/phone"
)

// smsFromMailbox reads, in a second tab on /dev/mailbox, the code of the
// newest text message to number once there are at least n of them, as a
// developer without an SMS gateway would.
func (b *browser) smsFromMailbox(number string, n int) string {
	b.t.Helper()
	tab, closeTab := chromedp.NewContext(b.ctx)
	defer closeTab()
	query := `(() => {
		const texts = [...document.querySelectorAll('[data-kind="sms"]')]
			.filter(a => a.querySelector('[data-testid="dev-mailbox-to"]').textContent === ` + jsString(number) + `)
			.map(a => a.querySelector('[data-testid="dev-mailbox-text"]').textContent);
		return texts.length >= ` + strconv.Itoa(n) + ` ? texts[0] : "";
	})()`
	deadline := time.Now().Add(stepLimit)
	for time.Now().Before(deadline) {
		if _, err := chromedp.Run(tab, chromedp.Navigate(b.base+"/dev/mailbox")); err != nil {
			b.t.Fatalf("open /dev/mailbox: %v", err)
		}
		text, err := chromedp.Run(tab, chromedp.Evaluate[string](query))
		if err != nil {
			b.t.Fatalf("read /dev/mailbox: %v", err)
		}
		if text != "" {
			return sixDigits(b.t, text)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("text message %d to %s never reached /dev/mailbox", n, number)
	return ""
}

// submitStep runs a form submit that the server answers with a new step:
// patched in place with JavaScript, a new page without. Either way sel
// then reads want.
func (b *browser) submitStep(javascript bool, step string, submit chromedp.Action[chromedp.Void], sel, want string) {
	b.t.Helper()
	if javascript {
		// The element already there may read want from the step before:
		// tag it, so only the patched-in replacement counts.
		b.markPage(7)
		b.do("tag "+sel, chromedp.Evaluate[chromedp.Void]("document.querySelector("+jsString(sel)+")?.setAttribute('data-stale', '')"))
		b.do(step, submit)
		b.waitFor("wait for a new "+sel+" to read "+want, "(() => { const el = document.querySelector("+jsString(sel)+
			"); return !!el && !el.hasAttribute('data-stale') && el.textContent.includes("+jsString(want)+"); })()")
		b.wantMarker(7)
		return
	}
	b.navigateBy(step, submit)
	b.wantText(sel, want)
}

func TestBrowserPhoneSignupAndSMSLogin(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, phones: true, devMailbox: true})
		b := newBrowser(t, chromium, h, javascript)
		const number = "+447400123456"

		// Sign up with a number typed the national way.
		b.open("/signup")
		b.navigateBy("follow the phone signup link", click(`[data-testid="to-phone-signup"]`))
		b.wantLocation("/signup/phone")
		if javascript {
			b.waitPageScripts()
		}
		b.submitStep(javascript, "refused country", chromedp.Steps(typeInto("phone-signup-number", "+81 90 1234 5678"), click(`[data-testid="phone-signup-request"]`)),
			`[data-testid="phone-signup-number-error"]`, messages.Text(messages.PhoneCountryNotAllowed))
		b.wantFocus("phone-signup-number")
		b.submitStep(javascript, "request a signup code", chromedp.Steps(typeInto("phone-signup-number", "07400 123456"), click(`[data-testid="phone-signup-request"]`)),
			`[data-testid="phone-signup-notice"]`, messages.Text(messages.PhoneCodeSent))
		b.wantFocus("phone-signup-code")
		code := b.smsFromMailbox(number, 1)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		b.submitStep(javascript, "a wrong code", chromedp.Steps(typeInto("phone-signup-code", wrong), click(`[data-testid="phone-signup-submit"]`)),
			`[data-testid="phone-signup-errors"]`, messages.Text(messages.CodeInvalid))
		b.wantFocus("phone-signup-code")
		b.navigateBy("the right code", chromedp.Steps(typeInto("phone-signup-code", code), click(`[data-testid="phone-signup-submit"]`)))
		b.wantLocation("/account")
		b.wantText(`[data-testid="account-phone"]`, phone.Display(number, testRegions.Default))
		b.wantText(`[data-testid="account-phone"]`, messages.Text(messages.AccountVerified))
		b.navigateBy("log out", click(`[data-testid="logout"]`))

		// Log in by SMS; after five wrong codes the guard refuses more
		// guesses, in writing, even the right code.
		h.clock.Advance(2 * time.Minute) // past the send cooldown
		b.open("/login/code")
		if javascript {
			b.waitPageScripts()
		}
		b.submitStep(javascript, "request a login code", chromedp.Steps(typeInto("login-code-email", "+44 7400 123456"), click(`[data-testid="login-code-request"]`)),
			`[data-testid="login-code-notice"]`, messages.Text(messages.PhoneCodeSent))
		code = b.smsFromMailbox(number, 2)
		wrong = "000000"
		if code == wrong {
			wrong = "111111"
		}
		for range 5 {
			b.submitStep(javascript, "a wrong login code", chromedp.Steps(typeInto("login-code", wrong), click(`[data-testid="login-code-submit"]`)),
				`[data-testid="login-code-errors"]`, messages.Text(messages.CodeInvalid))
		}
		b.submitStep(javascript, "the right code, too soon", chromedp.Steps(typeInto("login-code", code), click(`[data-testid="login-code-submit"]`)),
			`[data-testid="login-code-errors"]`, messages.Text(messages.CodeGuessThrottled))

		// A new code works once the browser's guesses have refilled.
		h.clock.Advance(15 * time.Minute)
		if href := run(b, "read the restart link", chromedp.Evaluate[string](`document.querySelector('[data-testid="login-code-restart"]').getAttribute("href")`)); href != "/login/code" {
			t.Fatalf("restart link goes to %q", href)
		}
		b.open("/login/code")
		if javascript {
			b.waitPageScripts()
		}
		b.submitStep(javascript, "request a new code", chromedp.Steps(typeInto("login-code-email", "07400123456"), click(`[data-testid="login-code-request"]`)),
			`[data-testid="login-code-notice"]`, messages.Text(messages.PhoneCodeSent))
		code = b.smsFromMailbox(number, 3)
		b.navigateBy("type the new code", chromedp.Steps(typeInto("login-code", code), click(`[data-testid="login-code-submit"]`)))
		b.wantLocation("/account")
		b.wantText(`[data-testid="account-phone"]`, phone.Display(number, testRegions.Default))
		if javascript {
			b.wantCleanConsole()
		}
	})
}
