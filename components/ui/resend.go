package ui

import (
	"strconv"
	"strings"
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
// labels are quoted with ExprString, so no message text can run as code.
func resendText(p ResendProps) string {
	return "$_resendIn > 0 ? " + ExprString(p.WaitLabel) + ".replace('{seconds}', $_resendIn) : " + ExprString(p.Label)
}

// resendLabel is the text rendered by the server, for pages without
// JavaScript.
func resendLabel(p ResendProps) string {
	if p.Seconds > 0 {
		return strings.ReplaceAll(p.WaitLabel, "{seconds}", strconv.Itoa(p.Seconds))
	}
	return p.Label
}
