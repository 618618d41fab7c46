package ui

import (
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

// ResendProps configure ResendButton.
type ResendProps struct {
	Props
	// Label is the button's text when a resend is allowed ("Send a new
	// code"); WaitLabel its text while it is not, where "{seconds}" is
	// replaced by the seconds left ("Send a new code in {seconds} s").
	Label, WaitLabel string
	// Seconds is how long until a resend is allowed; 0 means now.
	Seconds int
}

// resendSignals declares the countdown's local signal ("_" signals are
// never sent to the server).
func resendSignals(p ResendProps) string {
	return "{_resendIn: " + strconv.Itoa(max(p.Seconds, 0)) + "}"
}

// resendText is the Datastar expression of the button's live text. Both
// labels are JSON string literals, so no message text can run as code.
func resendText(p ResendProps) string {
	label, err1 := templ.JSONString(p.Label)
	wait, err2 := templ.JSONString(p.WaitLabel)
	if err1 != nil || err2 != nil {
		return ""
	}
	return "$_resendIn > 0 ? " + wait + ".replace('{seconds}', $_resendIn) : " + label
}

// resendLabel is the text rendered by the server, for pages without
// JavaScript.
func resendLabel(p ResendProps) string {
	if p.Seconds > 0 {
		return strings.ReplaceAll(p.WaitLabel, "{seconds}", strconv.Itoa(p.Seconds))
	}
	return p.Label
}
