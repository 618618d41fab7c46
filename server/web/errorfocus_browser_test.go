package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

// wantMarked checks the input with id is marked invalid, described by its
// error line saying want, and holds the focus.
func (b *browser) wantMarked(id, want string) {
	b.t.Helper()
	b.wantFocus(id)
	got := run(b, "read #"+id+"'s marks", chromedp.Evaluate[[]string](`(() => {
		const el = document.getElementById(`+jsString(id)+`);
		const err = document.getElementById(`+jsString(id+"-error")+`);
		return [el.getAttribute("aria-invalid") || "", el.getAttribute("aria-describedby") || "", err ? err.textContent.trim() : ""];
	})()`))
	if got[0] != "true" || !contains(got[1], id+"-error") || got[2] != want {
		b.t.Errorf("#%s: aria-invalid=%q, aria-describedby=%q, error line %q; want true, the error line, %q", id, got[0], got[1], got[2], want)
	}
}

func contains(list, id string) bool {
	for start := 0; start <= len(list)-len(id); start++ {
		if list[start:start+len(id)] == id && (start+len(id) == len(list) || list[start+len(id)] == ' ') && (start == 0 || list[start-1] == ' ') {
			return true
		}
	}
	return false
}

// TestBrowserErrorsMarkAndFocusTheirField: answers that once left focus
// on <body> (a deletion without its box ticked, a refused recovery code,
// with JavaScript on or off) mark the field at fault and move focus to
// it, and axe (with JavaScript) finds nothing on those error states.
func TestBrowserErrorsMarkAndFocusTheirField(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{codes: true, phones: true, recovery: true, twoFactor: true})
		b := newBrowser(t, chromium, h, javascript)
		b.signUpInBrowser(journeyEmail, journeyPassword, javascript)

		b.open(pages.DeletePath)
		if javascript {
			b.waitPageScripts()
		}
		// The browser would stop an unticked submit itself; the server's
		// answer is what is checked.
		b.do("drop the browser's own check", chromedp.Evaluate[chromedp.Void](`document.getElementById("delete-confirm").removeAttribute("required")`))
		if javascript {
			b.do("delete without ticking", click(`[data-testid="delete-submit"]`))
			b.waitFor("the refusal", `!!document.getElementById("delete-confirm-error")`)
		} else {
			b.navigateBy("delete without ticking", click(`[data-testid="delete-submit"]`))
		}
		b.wantMarked("delete-confirm", messages.Text(messages.DeleteUnconfirmed))
		if javascript { // axe is a script: it runs where scripts do
			b.wantNoAxeViolations("delete without the box ticked")
		}

		b.navigateBy("log out", click(`[data-testid="logout"]`))
		b.open(pages.RecoverPath)
		b.navigateBy("a wrong recovery code", chromedp.Steps(
			typeInto("recover-email", journeyEmail),
			typeInto("recover-recovery-code", "k7mnp-q2rst"),
			click(`[data-testid="recover-code-submit"]`),
		))
		b.wantMarked("recover-recovery-code", messages.Text(messages.RecoveryCodeInvalid))
		if javascript {
			b.wantNoAxeViolations("a refused recovery code")
		}
	})
}
