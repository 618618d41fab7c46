package pages

import (
	"context"
	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// Paths, fields and ids of email verification.
const (
	// VerifyEmailPath is the emailed link's confirm page (GET) and the
	// post that spends the link (POST).
	VerifyEmailPath = "/verify-email"
	// AccountVerifyEmailPath takes a verification code from the account page.
	AccountVerifyEmailPath = "/account/email/verify"
	// AccountVerifyResendPath sends a new code and link.
	AccountVerifyResendPath = "/account/email/resend"
	VerifyEmailPanelID      = "verify-email-panel"
)

// VerifyEmailPrompt is the account page's "verify your email" panel.
type VerifyEmailPrompt struct {
	Email       string
	Message     messages.Key // an error: a wrong code, a send limit
	Notice      messages.Key // a success: a new code was sent
	ResendIn    int          // seconds until another code may be asked for
	Interactive bool         // answering a Datastar request: focus moves by script
}

// Summary lists the error for the error summary.
func (v VerifyEmailPrompt) Summary(ctx context.Context) []string {
	if v.Message == "" {
		return nil
	}
	return []string{i18n.T(ctx, v.Message)}
}

// VerifyLink is the state of the link's confirm page.
type VerifyLink struct {
	Token    string       // the link's token, posted back by the form
	Message  messages.Key // why the link was refused
	Done     bool         // the address is verified
	SignedIn bool         // the browser is signed in (to the verified account, when Done)
}

// verifyCodeAttrs focuses the code input after a Datastar patch that
// refused it (autofocus only acts on page load).
func verifyCodeAttrs(v VerifyEmailPrompt) templ.Attributes {
	attrs := templ.Attributes{"data-testid": "verify-email-code", "autocapitalize": "off", "spellcheck": "false"}
	if v.Interactive && v.Message != "" {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

// verifyLinkHeading is the confirm page's heading for its state.
func verifyLinkHeading(ctx context.Context, v VerifyLink) string {
	if v.Done {
		return i18n.T(ctx, messages.VerifyLinkDoneTitle)
	}
	return i18n.T(ctx, messages.VerifyLinkTitle)
}
