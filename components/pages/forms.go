// Package pages holds one templ component per screen. Each screen wraps the
// part Datastar patches in an element with a stable id (see the *ID
// constants), so a handler can re-render just that part.
package pages

import (
	"context"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// Stable ids of the parts handlers patch in place.
const (
	LoginPanelID  = "login-panel"
	SignupPanelID = "signup-panel"
	NavigateID    = "latch-navigate"
)

// Credentials is the state of a login or signup form: what the user typed
// (never the password), per-field problems and a form-level message.
type Credentials struct {
	Email       string
	EmailError  messages.Key
	PassError   messages.Key
	Message     messages.Key // a form-level error shown in the summary
	Notice      messages.Key // a form-level, non-error notice
	Remember    bool         // "keep me signed in" was ticked
	Interactive bool         // true when answering a Datastar request: focus moves by script
	CodeLink    bool         // offer login by an emailed code (login only)
	Recover     bool         // offer delayed recovery for a lost email (login only)
	ForgotLink  bool         // offer to reset a forgotten password (login only)
	PhoneLink   bool         // offer signup by phone (signup only)
	// Problem is a form-level error already in words (a sign-in
	// provider's name filled in), shown after Message.
	Problem string
	// Providers are the sign-in providers offered beside the form.
	Providers ProviderButtons
	Passkey   bool   // offer signing in with a passkey (login only)
	Next      string // a checked local target to land on after signing in, or "" (login only)
}

// Summary lists the form-level and field messages for the error summary.
func (c Credentials) Summary(ctx context.Context) []string {
	var out []string
	for _, k := range []messages.Key{c.Message, c.EmailError, c.PassError} {
		if k != "" {
			out = append(out, i18n.T(ctx, k))
		}
	}
	if c.Problem != "" {
		out = append(out, c.Problem)
	}
	return out
}

// FocusField names the field that should take focus: the first with a
// problem, the password after a form-level error (the email is kept), else
// the email.
func (c Credentials) FocusField() string {
	switch {
	case c.EmailError != "":
		return "email"
	case c.PassError != "", c.Message != "":
		return "password"
	}
	return "email"
}

// HasErrors reports whether the form shows any error.
func (c Credentials) HasErrors() bool {
	return c.EmailError != "" || c.PassError != "" || c.Message != "" || c.Problem != ""
}

func text(ctx context.Context, k messages.Key) string {
	if k == "" {
		return ""
	}
	return i18n.T(ctx, k)
}

// loginAutocomplete is the login identifier's autocomplete: with passkeys
// on, "username webauthn", so the browser offers passkeys in its autofill
// (a conditional request the passkey script starts).
func loginAutocomplete(c Credentials) string {
	if c.Passkey {
		return "username webauthn"
	}
	return "username"
}
