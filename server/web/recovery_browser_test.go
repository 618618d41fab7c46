package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
)

// TestBrowserRecovery starts a recovery by phone from the login page,
// cancels it from the email notice, starts again, and finishes it after
// the (test-shortened) wait with a new email address and password.
func TestBrowserRecovery(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, phones: true, recovery: true, devMailbox: true})
		recoveryAccount(t, h)
		b := newBrowser(t, chromium, h, javascript)

		start := func(n int) string {
			b.open("/login")
			b.navigateBy("follow the recovery link", click(`[data-testid="to-recover"]`))
			if javascript {
				b.waitPageScripts()
			}
			b.submitStep(javascript, "text me a code", chromedp.Steps(typeInto("recover-phone", "+44 7400 123456"), click(`[data-testid="recover-request"]`)),
				`[data-testid="recover-notice"]`, messages.Text(messages.RecoveryCodeSent))
			code := h.awaitRecoverCode(t, n)
			b.navigateBy("start recovery", chromedp.Steps(typeInto("recover-code", code), click(`[data-testid="recover-verify"]`)))
			b.wantLocation("/recover/started")
			b.wantText(`[data-testid="recovery-started"]`, "can finish after")
			link := b.text(`[data-testid="recovery-finish-link"]`)
			if strings.HasPrefix(link, "/") { // no public origin configured
				link = b.base + link
			}
			return link
		}

		start(1)
		// The owner cancels from the email every channel received.
		notice := b.readMailbox(recoverEmail, "Someone started recovering")
		cancel := cancelLinkRE.FindString(notice)
		if cancel == "" {
			t.Fatalf("no cancel link in %q", notice)
		}
		b.do("open the cancel link", chromedp.Navigate(cancel))
		b.navigateBy("cancel", click(`[data-testid="recovery-cancel-submit"]`))
		b.wantText(`[data-testid="recovery-cancel-done"]`, messages.Text(messages.RecoveryCancelled))

		// Started again, it finishes after the wait.
		h.clock.Advance(2 * time.Minute)
		link := start(2)
		b.do("open the finish link early", chromedp.Navigate(link))
		if b.present(`[data-testid="recovery-elsewhere"]`) {
			t.Fatal("the browser that started the recovery is warned")
		}
		b.navigateBy("confirm early", click(`[data-testid="recovery-confirm"]`))
		b.wantLocation("/recover/finish")
		b.wantText(`[data-testid="recovery-waiting"]`, "You can finish it after")
		h.clock.Advance(recoveryWait + time.Second)
		b.do("open the finish link", chromedp.Navigate(link))
		b.navigateBy("confirm", click(`[data-testid="recovery-confirm"]`))
		b.wantLocation("/recover/finish") // the token left the address bar
		b.navigateBy("set email and password", chromedp.Steps(
			typeInto("recovery-email", "found@example.com"),
			typeInto("recovery-password", "a brand new passphrase"),
			click(`[data-testid="recovery-finish-submit"]`),
		))
		b.accountUserID("found@example.com")
		if strings.Contains(b.location(), "token") {
			t.Fatal("a token in the address bar")
		}
		if javascript {
			b.wantCleanConsole()
		}
	})
}
