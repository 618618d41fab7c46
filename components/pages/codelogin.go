package pages

import (
	"context"
	"net/url"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// Paths and ids of login by an emailed code.
const (
	CodeLoginPath       = "/login/code"
	CodeLoginVerifyPath = "/login/code/verify"
	CodeLoginPanelID    = "login-code-panel"
	CodeFieldName       = "code"
	// NextField carries where to go after signing in, through both steps
	// and in the link; the server checks it at every step.
	NextField = "next"
)

// CodeLogin is the state of the code login screen: the first step asks for
// an email; once a code is requested (Sent), the second asks for the code,
// carrying the email in a hidden field.
type CodeLogin struct {
	Email       string
	Next        string       // a checked local target to land on after signing in, or ""
	Sent        bool         // the code step: the email is fixed, the code is asked for
	EmailError  messages.Key // a problem with the email, on the first step
	Message     messages.Key // a form-level error (a wrong code, a send limit)
	Notice      messages.Key // a form-level, non-error notice (messages.CodeSent)
	Interactive bool         // answering a Datastar request: focus moves by script
	Phone       bool         // mobile numbers are accepted too (codes by SMS)
	NoEmail     bool         // with Phone: only mobile numbers are accepted
	SMS         bool         // the code step of a code sent by SMS to Email (a number)
	ResendIn    int          // seconds until another code may be asked for, on the code step
}

// Summary lists the messages for the error summary.
func (c CodeLogin) Summary(ctx context.Context) []string {
	var out []string
	for _, k := range []messages.Key{c.Message, c.EmailError} {
		if k != "" {
			out = append(out, i18n.T(ctx, k))
		}
	}
	return out
}

// codeFocusAttrs makes the named input take focus once a Datastar patch
// lands (autofocus only acts on page load).
func codeFocusAttrs(c CodeLogin, extra templ.Attributes) templ.Attributes {
	attrs := templ.Attributes{}
	for k, v := range extra {
		attrs[k] = v
	}
	if c.Interactive {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

// codeEmailAttrs focuses the email input after a patch that refused it.
func codeEmailAttrs(c CodeLogin) templ.Attributes {
	if c.EmailError != "" {
		return codeFocusAttrs(c, nil)
	}
	return templ.Attributes{}
}

// LoginURL is the password login page, carrying next when set.
func LoginURL(next string) string {
	if next == "" {
		return "/login"
	}
	return "/login?" + url.Values{NextField: {next}}.Encode()
}

// CodeLoginURL is the code login's first step, carrying next when set.
func CodeLoginURL(next string) string {
	if next == "" {
		return CodeLoginPath
	}
	return CodeLoginPath + "?" + url.Values{NextField: {next}}.Encode()
}
