package pages

import (
	"context"
	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// Paths and ids of password reset and password change.
const (
	ForgotPath          = "/password/forgot"
	ResetCodePath       = "/password/forgot/code"
	ResetPath           = "/password/reset"         // GET ?token=: confirm; GET: the form; POST: set the password
	ResetConfirmPath    = "/password/reset/confirm" // POST: keep the confirmed link's token for the form
	ChangePasswordPath  = "/account/password"
	ForgotPanelID       = "password-forgot-panel"
	ResetPanelID        = "password-reset-panel"
	ChangePanelID       = "password-change-panel"
	IdentifierField     = "email"
	NewPasswordField    = "password"
	CurrentPassField    = "current_password"
	SignOutOthersField  = "sign_out_others"
	ResetIdentityField  = "identity"
	ResetChannelField   = "channel"
	ResetChannelSMS     = "sms"
	ResetTokenParameter = LinkTokenField
)

// PasswordForgot is the state of the forgot-password screen: the first
// step asks for an email address (or number); once a reset is asked for
// (Sent), the second asks for the code and the new password in one form,
// carrying the identifier in a hidden field.
type PasswordForgot struct {
	Identifier      string // as typed on the first step; normalised on the second
	SMS             bool   // the code went by SMS to Identifier (a number)
	Sent            bool
	IdentifierError messages.Key
	PassError       messages.Key
	Message         messages.Key // a form-level error (a wrong code, a send limit)
	Notice          messages.Key
	Interactive     bool
	Phone           bool // verified mobile numbers are accepted too
	NoEmail         bool // with Phone: only numbers are accepted
	ResendIn        int
}

// Summary lists the messages for the error summary.
func (f PasswordForgot) Summary(ctx context.Context) []string {
	return texts(ctx, f.Message, f.IdentifierError, f.PassError)
}

// focus makes the input take focus once a Datastar patch lands, when it
// is the one to fix (autofocus only acts on page load).
func (f PasswordForgot) focus(field string, extra templ.Attributes) templ.Attributes {
	first := ""
	switch {
	case !f.Sent:
		first = IdentifierField
	case f.PassError != "":
		first = NewPasswordField
	default:
		first = CodeFieldName
	}
	return focusIf(f.Interactive && first == field, extra)
}

// PasswordReset is the state of the page a reset link lands on.
type PasswordReset struct {
	Token       string       // the link's token, on its confirm page: a hidden field of the confirming POST
	Elsewhere   bool         // with Token: another browser asked for this reset, warn before the button
	HasToken    bool         // a reset link is held for this browser: ask for the new password
	PassError   messages.Key // a problem with the new password
	Message     messages.Key // the link cannot be used: say why and offer a new one
	Interactive bool
}

// Summary lists the messages for the error summary.
func (f PasswordReset) Summary(ctx context.Context) []string {
	return texts(ctx, f.Message, f.PassError)
}

// PasswordChange is the state of the change-password form.
type PasswordChange struct {
	HasCurrent    bool // the account has a password: ask for it
	CurrentError  messages.Key
	PassError     messages.Key
	Message       messages.Key
	SignOutOthers bool
	Interactive   bool
	Notice        messages.Key // a one-off notice from the step before (a signup that dropped its password)
}

// Summary lists the messages for the error summary.
func (f PasswordChange) Summary(ctx context.Context) []string {
	return texts(ctx, f.Message, f.CurrentError, f.PassError)
}

func (f PasswordChange) focus(field string, extra templ.Attributes) templ.Attributes {
	first := NewPasswordField
	if f.HasCurrent && (f.CurrentError != "" || f.PassError == "") {
		first = CurrentPassField
	}
	return focusIf(f.Interactive && first == field && (f.CurrentError != "" || f.PassError != ""), extra)
}

// focusIf returns extra with a focus script when focus (after a Datastar
// patch that refused the field; autofocus only acts on page load).
func focusIf(focus bool, extra templ.Attributes) templ.Attributes {
	attrs := templ.Attributes{}
	for k, v := range extra {
		attrs[k] = v
	}
	if focus {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

func texts(ctx context.Context, keys ...messages.Key) []string {
	var out []string
	for _, k := range keys {
		if k != "" {
			out = append(out, i18n.T(ctx, k))
		}
	}
	return out
}

func forgotIntro(f PasswordForgot) messages.Key {
	if f.Phone {
		return messages.ForgotIntroPhone
	}
	return messages.ForgotIntro
}

func forgotLabel(f PasswordForgot) messages.Key {
	switch {
	case f.NoEmail:
		return messages.LabelPhone
	case f.Phone:
		return messages.LabelEmailOrPhone
	}
	return messages.LabelEmail
}

func forgotInputType(f PasswordForgot) string {
	if f.Phone {
		return "text"
	}
	return "email"
}

func forgotCodeHint(ctx context.Context, f PasswordForgot) string {
	if f.SMS {
		return i18n.F(ctx, messages.HintSMSCode, "{phone}", f.Identifier)
	}
	return i18n.F(ctx, messages.HintCode, "{email}", f.Identifier)
}

func mergeAttrs(sets ...templ.Attributes) templ.Attributes {
	out := templ.Attributes{}
	for _, s := range sets {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}
