package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
)

// present reports whether an element matches the CSS selector.
func (b *browser) present(sel string) bool {
	b.t.Helper()
	return run(b, "look for "+sel, chromedp.Evaluate[bool]("document.querySelector("+jsString(sel)+") !== null"))
}

func TestBrowserLinkLogin(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t) // before the database, to fail fast
		h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true})
		h.signup(journeyEmail, journeyPassword)
		b := newBrowser(t, chromium, h, javascript)

		// Ask for an email, landing on the devices page afterwards.
		b.open("/login/code?next=" + url.QueryEscape("/account/devices"))
		request := chromedp.Steps(typeInto("login-code-email", journeyEmail), click(`[data-testid="login-code-request"]`))
		if javascript {
			b.waitPageScripts()
			b.do("request a code", request)
			b.waitTextIn(`[data-testid="login-code-notice"]`, messages.Text(messages.CodeSent))
		} else {
			b.navigateBy("request a code", request)
			b.wantText(`[data-testid="login-code-notice"]`, messages.Text(messages.CodeSent))
		}
		link := h.awaitLink(t, journeyEmail)

		// Follow the link from the mailbox, as its owner would.
		b.open("/dev/mailbox")
		// The newest sign-in email (the signup's verification email is
		// in the mailbox too).
		b.navigateBy("follow the link", chromedp.Click(chromedp.Search(
			`//article[h2[contains(., "sign-in code")]]//a[@data-testid="dev-mailbox-link"]`), chromedp.NodeVisible))
		if loc := b.location(); !strings.HasPrefix(loc, "/login/link?token=") {
			t.Fatalf("the link opened %s", loc)
		}
		if b.present(`[data-testid="login-link-elsewhere"]`) {
			t.Fatal("the browser that asked is warned")
		}
		b.navigateBy("confirm", click(`[data-testid="login-link-confirm"]`))
		b.wantLocation("/account/devices")
		b.open("/account")
		b.accountUserID(journeyEmail)

		// Used once, the link is refused in words, with a way back.
		b.open(strings.TrimPrefix(link, b.base))
		b.navigateBy("confirm again", click(`[data-testid="login-link-confirm"]`))
		b.wantLocation("/login/link")
		b.wantText(`[data-testid="login-link-error"]`, messages.Text(messages.LinkInvalid))
		href := run(b, "read the new-code link", chromedp.Evaluate[string](
			`document.querySelector('[data-testid="login-link-new-code"]').getAttribute("href")`))
		if href != "/login/code?next=%2Faccount%2Fdevices" {
			t.Fatalf("the new-code link goes to %q", href)
		}
		if javascript {
			b.wantCleanConsole()
		}
	})
}

func TestBrowserLinkLoginInAnotherBrowser(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true})
		h.signup(journeyEmail, journeyPassword)
		asker := newBrowser(t, chromium, h, javascript)

		asker.open("/login/code")
		asker.navigateBy("request a code", chromedp.Steps(
			typeInto("login-code-email", journeyEmail),
			// A plain submit even with JavaScript on: the journey
			// under test is the other browser's.
			chromedp.Submit(chromedp.ID("login-code-request-form")),
		))
		link := h.awaitLink(t, journeyEmail)

		other := asker.otherProfile(javascript)
		other.open(strings.TrimPrefix(link, other.base))
		other.wantText(`[data-testid="login-link-elsewhere"]`, messages.Text(messages.LinkLoginElsewhere))
		other.navigateBy("confirm anyway", click(`[data-testid="login-link-confirm"]`))
		other.accountUserID(journeyEmail)

		// The asking browser is still signed out.
		asker.open("/account")
		asker.wantLocation("/login?next=%2Faccount")
		if javascript {
			other.wantCleanConsole()
		}
	})
}
