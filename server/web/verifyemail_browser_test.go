package web_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

// readMailbox opens /dev/mailbox in the tab, as a developer would, until
// a message to addr whose subject starts with subject is listed, and
// returns its text.
func (b *browser) readMailbox(addr, subject string) string {
	b.t.Helper()
	deadline := time.Now().Add(stepLimit)
	for {
		b.open("/dev/mailbox")
		text := run(b, "read the mailbox", chromedp.Evaluate[string](`(() => {
			for (const m of document.querySelectorAll('[data-testid="dev-mailbox-message"]')) {
				if (m.querySelector('[data-testid="dev-mailbox-to"]')?.textContent === `+jsString(addr)+` &&
				    m.querySelector('h2')?.textContent.startsWith(`+jsString(subject)+`)) {
					return m.querySelector('[data-testid="dev-mailbox-text"]').textContent;
				}
			}
			return "";
		})()`))
		if text != "" {
			return text
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("no message %q to %s in the dev mailbox", subject, addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signUpInBrowser creates an account through the signup form and, with
// email delivery, its code step, typing the code its owner was emailed.
func (b *browser) signUpInBrowser(email, password string, javascript bool) {
	b.t.Helper()
	b.open("/signup")
	if javascript {
		b.waitPageScripts()
	}
	submit := chromedp.Steps(
		typeInto("signup-email", email),
		typeInto("signup-password", password),
		click(`[data-testid="signup-submit"]`),
	)
	if b.h.mailbox == nil {
		b.navigateBy("sign up", submit)
		b.wantLocation("/account")
		return
	}
	if javascript {
		b.do("sign up", submit)
		b.waitFor("the code step", `!!document.querySelector('[data-testid="signup-code"]')`)
	} else {
		b.navigateBy("sign up", submit)
	}
	code := b.h.awaitSignupCode(email)
	b.navigateBy("type the signup code", chromedp.Steps(typeInto("signup-code", code), click(`[data-testid="signup-code-submit"]`)))
	b.wantLocation("/account")
}

// loginUnverified makes an account whose address is not verified (as
// signup without email delivery leaves it), logs in to it through the
// login form and asks for a verification email from the account page.
func (b *browser) loginUnverified(email, password string, javascript bool) {
	b.t.Helper()
	b.h.createAccount(b.t, email, password)
	b.open("/login")
	if javascript {
		b.waitPageScripts()
	}
	b.navigateBy("log in", chromedp.Steps(
		typeInto("login-email", email),
		typeInto("login-password", password),
		click(`[data-testid="login-submit"]`),
	))
	b.wantLocation("/account")
	if javascript {
		b.waitPageScripts()
		b.do("ask for a verification email", click(`[data-testid="verify-email-resend"]`))
		b.waitFor("the email is sent", `!!document.querySelector('[data-testid="verify-email-notice"]')`)
	} else {
		b.navigateBy("ask for a verification email", click(`[data-testid="verify-email-resend"]`))
		b.wantText(`[data-testid="verify-email-notice"]`, messages.Fill(messages.EmailVerifySent, "{email}", email))
	}
}

var (
	sixDigitCode = regexp.MustCompile(`\b\d{6}\b`)
	verifyLink   = regexp.MustCompile(`https?://\S+` + regexp.QuoteMeta(pages.VerifyEmailPath) + `\?token=\S+`)
)

const verifySubject = "Verify your email"

func TestBrowserEmailVerificationByCode(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true})
		b := newBrowser(t, chromium, h, javascript)
		b.loginUnverified(journeyEmail, journeyPassword, javascript)
		b.wantText(`[data-testid="account-email"]`, messages.Text(messages.AccountUnverified))
		b.wantText(`[data-testid="verify-email"]`, messages.Text(messages.VerifyEmailTitle))

		code := sixDigitCode.FindString(b.readMailbox(journeyEmail, verifySubject))
		if code == "" {
			t.Fatal("no code in the verification email")
		}
		b.open("/account")

		// Asking for another code at once is refused in writing; with
		// JavaScript the button counts down, disabled, in place.
		if javascript {
			b.waitPageScripts()
			b.markPage(1)
			b.do("resend too soon", click(`[data-testid="verify-email-resend"]`))
			b.waitTextIn(`[data-testid="verify-email-errors"]`, messages.Text(messages.CodeSendLimited))
			b.wantMarker(1)
			first := b.countdown()
			if first < 1 || first > 60 {
				t.Fatalf("countdown at %d s", first)
			}
			if !run(b, "read disabled", chromedp.Evaluate[bool](`document.querySelector('[data-testid="verify-email-resend"]').disabled`)) {
				t.Fatal("resend button enabled during the countdown")
			}
			b.waitFor("the countdown ticks", `Number((document.querySelector('[data-testid="verify-email-resend"]').textContent.match(/\d+/) || ["0"])[0]) < `+strconv.Itoa(first))
		} else {
			b.navigateBy("resend too soon", click(`[data-testid="verify-email-resend"]`))
			b.wantText(`[data-testid="verify-email-errors"]`, messages.Text(messages.CodeSendLimited))
			if n := b.countdown(); n < 1 || n > 60 {
				t.Fatalf("wait shown as %d s", n)
			}
		}

		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		submitWrong := chromedp.Steps(typeInto("verify-email-code", wrong), click(`[data-testid="verify-email-submit"]`))
		if javascript {
			b.do("type a wrong code", submitWrong)
			b.waitTextIn(`[data-testid="verify-email-errors"]`, messages.Text(messages.CodeInvalid))
			b.wantMarker(1)
		} else {
			b.navigateBy("type a wrong code", submitWrong)
			b.wantText(`[data-testid="verify-email-errors"]`, messages.Text(messages.CodeInvalid))
		}
		b.wantFocus("verify-email-code")

		b.navigateBy("type the code", chromedp.Steps(typeInto("verify-email-code", code), click(`[data-testid="verify-email-submit"]`)))
		b.wantLocation("/account")
		b.wantText(`[data-testid="account-notice"]`, messages.Text(messages.EmailVerified))
		b.wantText(`[data-testid="account-email"]`, messages.Text(messages.AccountVerified))
		if javascript {
			b.wantCleanConsole()
		}
	})
}

func TestBrowserEmailVerificationByLink(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true})
		b := newBrowser(t, chromium, h, javascript)
		b.loginUnverified(journeyEmail, journeyPassword, javascript)

		link := verifyLink.FindString(b.readMailbox(journeyEmail, verifySubject))
		if !strings.HasPrefix(link, b.base+pages.VerifyEmailPath) {
			t.Fatalf("link %q is not on the site's origin %s", link, b.base)
		}
		// Opening the link only shows a button; the post verifies.
		b.do("open the link", chromedp.Navigate(link))
		b.wantText("h1", messages.Text(messages.VerifyLinkTitle))
		b.navigateBy("confirm", click(`[data-testid="verify-link-submit"]`))
		b.wantLocation("/account") // the token has left the address bar
		b.wantText(`[data-testid="account-notice"]`, messages.Text(messages.EmailVerified))
		b.wantText(`[data-testid="account-email"]`, messages.Text(messages.AccountVerified))

		// A second use of the link is refused in writing.
		b.do("open the link again", chromedp.Navigate(link))
		b.navigateBy("confirm again", click(`[data-testid="verify-link-submit"]`))
		b.wantText(`[data-testid="verify-link-errors"]`, messages.Text(messages.VerifyLinkInvalid))
		if javascript {
			b.wantCleanConsole()
		}
	})
}

// countdown is the number of seconds the resend button says to wait.
func (b *browser) countdown() int {
	b.t.Helper()
	m := regexp.MustCompile(`\d+`).FindString(b.text(`[data-testid="verify-email-resend"]`))
	n := 0
	for _, c := range m {
		n = n*10 + int(c-'0')
	}
	return n
}
