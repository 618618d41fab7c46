package web_test

import (
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/otp"
)

// grantClipboard lets the page read and write the clipboard, as a person
// allowing it would, so a test can read what a copy button copied.
func (b *browser) grantClipboard() {
	b.t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    cdpbrowser.PermissionSettingGranted, Origin: b.base,
		}); err != nil {
			b.t.Fatalf("grant %s: %v", name, err)
		}
	}
}

// clipboard is the clipboard's text.
func (b *browser) clipboard() string {
	b.t.Helper()
	return run(b, "read the clipboard", chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
}

// shown reports whether the element matching sel is displayed.
func (b *browser) shown(sel string) bool {
	b.t.Helper()
	return run(b, "is "+sel+" shown", chromedp.Evaluate[bool](`(() => { const el = document.querySelector(`+jsString(sel)+`); return !!el && getComputedStyle(el).display !== "none"; })()`))
}

// TestBrowserControls drives the controls people expect, with JavaScript
// on and off: the password field's show/hide button (absent without
// script, and never submitting a shown password), a pasted "123 456"
// style code, the copy button of the authenticator key, and copy and
// download of the recovery codes, built from the page itself.
func TestBrowserControls(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{twoFactor: true})
		b := newBrowser(t, chromium, h, javascript)

		b.open("/signup")
		reveal := `[data-testid="signup-password-reveal"]`
		inputType := func() string {
			return run(b, "read the password input's type", chromedp.Evaluate[string](`document.getElementById("signup-password").type`))
		}
		if !javascript {
			if b.shown(reveal) {
				t.Error("the show/hide button is shown without JavaScript, where it cannot work")
			}
		} else {
			b.waitPageScripts()
			b.do("type a password", typeInto("signup-password", journeyPassword))
			b.do("show it", click(reveal))
			if got := inputType(); got != "text" {
				t.Fatalf("after Show the input is %q", got)
			}
			b.wantText(reveal, messages.Text(messages.PasswordHide))
			if got := run(b, "read its label", chromedp.Evaluate[string](`document.querySelector(`+jsString(reveal)+`).getAttribute("aria-label")`)); got != messages.Text(messages.PasswordHideLabel) {
				t.Errorf("shown: button label %q", got)
			}
			b.do("hide it", click(reveal))
			if got := inputType(); got != "password" {
				t.Fatalf("after Hide the input is %q", got)
			}
			b.do("show it again", click(reveal))
		}
		// The form is sent with the password shown (JavaScript on): it
		// goes back to a password field first.
		b.signUpInBrowser(journeyEmail, journeyPassword, javascript)

		b.open("/account/2fa")
		secret := b.text(`[data-testid="totp-secret"]`)
		key, err := otp.DecodeTOTPSecret(secret)
		if err != nil {
			t.Fatalf("the key on the page does not decode: %v", err)
		}
		if javascript {
			b.grantClipboard()
			b.do("copy the key", click(`[data-testid="totp-secret-copy"]`))
			b.waitTextIn(`[data-testid="totp-secret-status"]`, messages.Text(messages.CopyDone))
			if got := b.clipboard(); got != secret {
				t.Errorf("copied %q, the key is %q", got, secret)
			}
		} else if b.shown(`[data-testid="totp-secret-copy"]`) {
			t.Error("the copy button is shown without JavaScript")
		}
		if got := run(b, "read the code field", chromedp.Evaluate[[]string](`(() => { const el = document.getElementById("totp-confirm-code"); return [el.autocomplete, el.inputMode, el.className]; })()`)); got[0] != "one-time-code" || got[1] != "numeric" || !strings.Contains(got[2], "field-input-code") {
			t.Errorf("code field autocomplete, inputmode, class = %q", got)
		}

		// A code pasted (JavaScript) or typed (without) in groups works.
		code := h.totp(key, 0)
		grouped := code[:3] + " " + code[3:]
		if javascript {
			b.do("paste the code in groups", chromedp.Evaluate[chromedp.Void](`(() => {
				const el = document.getElementById("totp-confirm-code");
				el.focus();
				const data = new DataTransfer();
				data.setData("text/plain", `+jsString(grouped)+`);
				el.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
			})()`))
			if got := b.value("totp-confirm-code"); got != code {
				t.Fatalf("pasting %q left %q in the field, want %q", grouped, got, code)
			}
			b.waitPageScripts()
			b.do("confirm", click(`[data-testid="totp-confirm-submit"]`))
			b.waitFor("recovery codes shown", `document.querySelectorAll('[data-testid="recovery-code"]').length === 10`)
		} else {
			b.navigateBy("confirm a code typed in groups", chromedp.Steps(typeInto("totp-confirm-code", grouped), click(`[data-testid="totp-confirm-submit"]`)))
		}
		codes := run(b, "read recovery codes", chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('[data-testid="recovery-code"]')).map(e => e.textContent.trim())`))
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes shown, want 10", len(codes))
		}
		want := strings.Join(codes, "\n") + "\n"
		if !javascript {
			for _, id := range []string{"recovery-code-list-copy", "recovery-code-list-download", "recovery-code-list-print"} {
				if b.shown(`[data-testid="` + id + `"]`) {
					t.Errorf("%s is shown without JavaScript", id)
				}
			}
			return
		}
		b.do("copy the codes", click(`[data-testid="recovery-code-list-copy"]`))
		b.waitTextIn(`[data-testid="recovery-code-list-status"]`, messages.Text(messages.CopyDone))
		if got := b.clipboard(); got != want {
			t.Errorf("copied %q, want the ten codes one a line", got)
		}
		// The download is a file made in the page from the codes it shows:
		// watch the Blob it is made from.
		b.do("watch downloads", chromedp.Evaluate[chromedp.Void](`window.__blobs = []; { const make = URL.createObjectURL; URL.createObjectURL = (blob) => { window.__blobs.push(blob); return make(blob); }; }`))
		b.do("download the codes", click(`[data-testid="recovery-code-list-download"]`))
		got := run(b, "read the downloaded file", chromedp.Evaluate[[]string](`Promise.all(window.__blobs.map(async (b) => b.type + "|" + await b.text()))`, chromedp.EvalAwaitPromise))
		if len(got) != 1 || got[0] != "text/plain;charset=utf-8|"+want {
			t.Errorf("downloaded %q, want one text file of the ten codes", got)
		}
		b.wantNoAxeViolations("recovery codes with their copy, download and print buttons")
		b.wantCleanConsole()
	})
}

// TestBrowserSignupResendStartsInCooldown: right after a signup sends its
// code, "Send a new code" waits out the cooldown the server rendered
// (disabled and counting with JavaScript, saying how long without), so
// pressing it early cannot end in a red "wait" refusal.
func TestBrowserSignupResendStartsInCooldown(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true})
		b := newBrowser(t, chromium, h, javascript)
		b.open("/signup")
		submit := chromedp.Steps(typeInto("signup-email", journeyEmail), typeInto("signup-password", journeyPassword), click(`[data-testid="signup-submit"]`))
		if javascript {
			b.waitPageScripts()
			b.do("sign up", submit)
			b.waitFor("the code step", `!!document.querySelector('[data-testid="signup-resend"]')`)
		} else {
			b.navigateBy("sign up", submit)
		}
		resend := `[data-testid="signup-resend"]`
		label := b.text(resend)
		if !strings.HasPrefix(label, strings.TrimSuffix(messages.Text(messages.ResendCodeIn), "{seconds} s")) {
			t.Fatalf("right after the send the resend button reads %q, want the cooldown", label)
		}
		if javascript {
			if !run(b, "read disabled", chromedp.Evaluate[bool](`document.querySelector(`+jsString(resend)+`).disabled`)) {
				t.Error("the resend button is enabled during the cooldown")
			}
			b.wantNoAxeViolations("the signup code step in its cooldown")
		}
		if b.shown(`[data-testid="signup-code-errors"] li`) {
			t.Error("the code step shows an error before anything was refused")
		}
	})
}
