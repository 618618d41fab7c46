package web_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
)

// TestBrowserExpiredCodeAndResend types a code that has expired, reads the
// written refusal, asks for a new one with the resend button (which counts
// the cooldown down with JavaScript) and logs in with it.
func TestBrowserExpiredCodeAndResend(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true})
		h.signup(journeyEmail, journeyPassword)
		b := newBrowser(t, chromium, h, javascript)

		b.open("/login/code")
		request := chromedp.Steps(typeInto("login-code-email", journeyEmail), click(`[data-testid="login-code-request"]`))
		if javascript {
			b.waitPageScripts()
			b.do("request a code", request)
			b.waitTextIn(`[data-testid="login-code-notice"]`, messages.Text(messages.CodeSent))
		} else {
			b.navigateBy("request a code", request)
		}
		old := h.awaitCode(t, journeyEmail)
		resend := `[data-testid="login-code-resend"]`
		if got := b.text(resend); got != messages.Fill(messages.ResendCodeIn, "{seconds}", "60") && !javascript {
			t.Fatalf("resend button reads %q", got)
		}
		if javascript {
			if !run(b, "read disabled", chromedp.Evaluate[bool](`document.querySelector('[data-testid="login-code-resend"]').disabled`)) {
				t.Fatal("resend button enabled during the cooldown")
			}
			b.waitFor("the countdown ticks", `/ in 5\d s$/.test(document.querySelector('[data-testid="login-code-resend"]').textContent.trim())`)
		}

		// Eleven minutes later the code has expired.
		h.clock.Advance(11 * time.Minute)
		typeOld := chromedp.Steps(typeInto("login-code", old), click(`[data-testid="login-code-submit"]`))
		if javascript {
			b.do("type the expired code", typeOld)
			b.waitTextIn(`[data-testid="login-code-errors"]`, messages.Text(messages.CodeInvalid))
		} else {
			b.navigateBy("type the expired code", typeOld)
			b.wantText(`[data-testid="login-code-errors"]`, messages.Text(messages.CodeInvalid))
		}
		b.wantMarked("login-code", messages.Text(messages.CodeInvalid)) // the field itself, not only the summary

		// The refusal reset the countdown to the server's view: the
		// cooldown is long over, so the button is ready.
		if javascript {
			b.waitFor("the resend button is ready", `!document.querySelector('[data-testid="login-code-resend"]').disabled`)
		}
		b.wantText(resend, messages.Text(messages.ResendCode))
		if javascript {
			b.do("ask for a new code", click(resend))
			b.waitTextIn(`[data-testid="login-code-notice"]`, messages.Text(messages.CodeSent))
		} else {
			b.navigateBy("ask for a new code", click(resend))
			b.wantText(`[data-testid="login-code-notice"]`, messages.Text(messages.CodeSent))
		}
		fresh := old
		for deadline := time.Now().Add(stepLimit); fresh == old; fresh = h.awaitCode(t, journeyEmail) {
			if time.Now().After(deadline) {
				t.Fatal("no new code arrived")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if n := strconv.Itoa(60); b.text(resend) != messages.Fill(messages.ResendCodeIn, "{seconds}", n) && !javascript {
			t.Fatalf("resend button after a resend reads %q", b.text(resend))
		}
		b.navigateBy("type the new code", chromedp.Steps(typeInto("login-code", fresh), click(`[data-testid="login-code-submit"]`)))
		b.accountUserID(journeyEmail)
		if javascript {
			b.wantCleanConsole()
		}
	})
}
