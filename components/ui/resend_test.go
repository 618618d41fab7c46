package ui

import (
	"strings"
	"testing"
)

func TestResendButtonCountsDown(t *testing.T) {
	t.Parallel()
	_, doc := render(t, ResendButton(ResendProps{Props: Props{ID: "resend"}, Label: "Send again", WaitLabel: "Send again in {seconds} s", Seconds: 42}))
	b := find(doc, byID("resend"))
	if b == nil {
		t.Fatal("no button")
	}
	mustAttr(t, b, "type", "submit")
	mustAttr(t, b, "data-signals", "{_resendIn: 42}")
	mustAttr(t, b, "data-attr:disabled", "$_resendIn > 0")
	// Without JavaScript the button stays usable and says how long to wait.
	noAttr(t, b, "disabled")
	if got := textOf(b); strings.TrimSpace(got) != "Send again in 42 s" {
		t.Errorf("label %q", got)
	}
	live, _ := attr(b, "data-text")
	if !strings.Contains(live, `"Send again in \u007bseconds\u007d s".replace('{seconds}', $_resendIn)`) || !strings.HasSuffix(live, `: "Send again"`) {
		t.Errorf("data-text %q", live)
	}
}

func TestResendButtonReadyAndHostileLabels(t *testing.T) {
	t.Parallel()
	_, doc := render(t, ResendButton(ResendProps{Props: Props{ID: "resend"}, Label: `"); alert(1); ("`, WaitLabel: "x", Seconds: -5}))
	b := find(doc, byID("resend"))
	mustAttr(t, b, "data-signals", "{_resendIn: 0}")
	live, _ := attr(b, "data-text")
	// The label is a string literal with its quote, parentheses and
	// semicolons escaped: it cannot close the string and run.
	if !strings.Contains(live, `"\u0022\u0029\u003b alert\u00281\u0029\u003b \u0028\u0022"`) {
		t.Errorf("data-text %q", live)
	}
	if got := strings.TrimSpace(textOf(b)); got != `"); alert(1); ("` {
		t.Errorf("label %q", got)
	}
}
