package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
)

func TestBrowserCodeLogin(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t) // before the database, to fail fast
		h := newHarnessWith(t, harnessOptions{codes: true})
		h.signup(journeyEmail, journeyPassword)
		b := newBrowser(t, chromium, h, javascript)

		b.open("/login")
		b.navigateBy("follow the code link", click(`[data-testid="to-code-login"]`))
		b.wantLocation("/login/code")
		request := chromedp.Steps(typeInto("login-code-email", journeyEmail), click(`[data-testid="login-code-request"]`))
		if javascript {
			b.waitPageScripts()
			b.markPage(1)
			b.do("request a code", request)
			b.waitTextIn(`[data-testid="login-code-notice"]`, messages.Text(messages.CodeSent))
			b.wantMarker(1)
		} else {
			b.navigateBy("request a code", request)
			b.wantText(`[data-testid="login-code-notice"]`, messages.Text(messages.CodeSent))
		}
		b.wantFocus("login-code")
		code := h.awaitCode(t, journeyEmail)

		wrong := "000-000"
		if code == "000000" {
			wrong = "111-111"
		}
		submitWrong := chromedp.Steps(typeInto("login-code", wrong), click(`[data-testid="login-code-submit"]`))
		if javascript {
			b.do("type a wrong code", submitWrong)
			b.waitTextIn(`[data-testid="login-code-errors"]`, messages.Text(messages.CodeInvalid))
			b.wantMarker(1)
		} else {
			b.navigateBy("type a wrong code", submitWrong)
			b.wantText(`[data-testid="login-code-errors"]`, messages.Text(messages.CodeInvalid))
		}
		b.wantFocus("login-code")

		b.navigateBy("type the code", chromedp.Steps(
			typeInto("login-code", code[:3]+" "+code[3:]),
			click(`[data-testid="login-code-submit"]`),
		))
		b.accountUserID(journeyEmail)
		if javascript {
			b.wantCleanConsole()
		}
	})
}
