package pages

import (
	"context"
	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// Paths and fields of verify-first signup by email.
const (
	SignupVerifyPath = "/signup/verify"
	SignupResendPath = "/signup/resend"
	SignupLinkPath   = "/signup/link"
	// SignupIDField carries the pending signup's handle through the code
	// step: the code finishes the signup this browser started.
	SignupIDField = "signup"
)

// SignupCode is the state of the signup's code step, the same for a new
// address and one that has an account.
type SignupCode struct {
	Email       string
	ID          string       // the pending signup's handle
	Message     messages.Key // a form-level error (a wrong code, a send limit)
	Notice      messages.Key // a form-level, non-error notice
	Interactive bool         // answering a Datastar request: focus moves by script
	ResendIn    int          // seconds until another email may be asked for
	Exists      bool         // the address got an account meanwhile: offer to log in
}

// Summary lists the messages for the error summary.
func (c SignupCode) Summary(ctx context.Context) []string {
	if c.Message == "" {
		return nil
	}
	return []string{i18n.T(ctx, c.Message)}
}

func (c SignupCode) codeAttrs() templ.Attributes {
	attrs := templ.Attributes{"data-testid": "signup-code", "autocapitalize": "off", "spellcheck": "false"}
	if c.Interactive {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

// SignupLink is the state of the page a signup link opens.
type SignupLink struct {
	Token   string
	Message messages.Key // the link cannot be used: no form, a way to start again
	Exists  bool         // with Message: the address has an account, offer to log in
	// Elsewhere: this browser did not start the signup; the page warns
	// that the password chosen there will not be kept.
	Elsewhere bool
}
