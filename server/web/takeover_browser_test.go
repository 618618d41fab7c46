package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
)

// TestBrowserPhoneOnlyResetOfATwoChannelAccount: someone holding only the
// phone of an account that also has a verified email asks for a reset by
// SMS and is texted no code, only the way to the delayed recovery; the
// recovery they start waits, and the owner cancels it from the email.
// The password never changes.
func TestBrowserPhoneOnlyResetOfATwoChannelAccount(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, phones: true, recovery: true, passwords: true, devMailbox: true})
		_, id := recoveryAccount(t, h)
		if err := db.NewUsers(h.db).MarkVerified(context.Background(), h.appID, id, auth.IdentityEmail, recoverEmail); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, chromium, h, javascript)

		b.open(pages.ForgotPath)
		ask := chromedp.Steps(typeInto("forgot-email", "+44 7400 123456"), click(`[data-testid="forgot-request"]`))
		if javascript {
			b.waitPageScripts()
			b.do("ask for a reset by SMS", ask)
			b.waitTextIn(`[data-testid="forgot-notice"]`, messages.Text(messages.ResetSentPhone))
		} else {
			b.navigateBy("ask for a reset by SMS", ask)
			b.wantText(`[data-testid="forgot-notice"]`, messages.Text(messages.ResetSentPhone))
		}
		sms := b.readMailbox(recoverNumber, "")
		if !strings.Contains(sms, pages.RecoverPath) || regexp.MustCompile(`\d{6}`).MatchString(sms) {
			t.Fatalf("the text to the number: %q", sms)
		}

		// The way it gives: the delayed recovery, from the login page.
		b.open("/login")
		b.navigateBy("follow the recovery link", click(`[data-testid="to-recover"]`))
		if javascript {
			b.waitPageScripts()
		}
		b.submitStep(javascript, "text me a code", chromedp.Steps(typeInto("recover-phone", "+44 7400 123456"), click(`[data-testid="recover-request"]`)),
			`[data-testid="recover-notice"]`, messages.Text(messages.RecoveryCodeSent))
		b.navigateBy("start recovery", chromedp.Steps(typeInto("recover-code", h.awaitRecoverCode(t, 1)), click(`[data-testid="recover-verify"]`)))
		b.wantLocation(pages.RecoveryStartedPath)

		// The owner cancels it from the email.
		cancel := cancelLinkRE.FindString(b.readMailbox(recoverEmail, "Someone started recovering"))
		if cancel == "" {
			t.Fatal("no cancel link in the email notice")
		}
		b.do("open the cancel link", chromedp.Navigate(cancel))
		b.navigateBy("cancel", click(`[data-testid="recovery-cancel-submit"]`))
		b.wantText(`[data-testid="recovery-cancel-done"]`, messages.Text(messages.RecoveryCancelled))

		if r := h.post(h.browser(), "/login", creds(recoverEmail, "correct horse staple 1")); r.status != http.StatusSeeOther {
			t.Fatalf("the owner's password after it all: %d", r.status)
		}
	})
}
