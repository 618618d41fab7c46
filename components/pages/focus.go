package pages

import (
	"context"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/ui"
)

// focusAttrs returns the input attributes for field: when answering a
// Datastar request, the first field with a problem takes focus once the
// patch lands (autofocus only acts on page load). Extra attribute sets are
// merged in.
func focusAttrs(f Credentials, field string, extra ...templ.Attributes) templ.Attributes {
	attrs := templ.Attributes{}
	for _, e := range extra {
		for k, v := range e {
			attrs[k] = v
		}
	}
	if f.Interactive && f.HasErrors() && f.FocusField() == field {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

// navigateExpr is the Datastar expression that loads url. The URL reaches
// the expression quoted by ui.ExprString, never spliced in as raw text: a
// target holding "@name(" or "$name" cannot turn into code.
func navigateExpr(url string) string {
	return "window.location.assign(" + ui.ExprString(url) + ")"
}

// codeFieldError is the error a code step shows on its code field itself
// (aria-invalid, the message under it, the invalid style), for the
// answers that are about the code typed: wrong, expired, used or tried too
// often. Other answers (a send limit, a refusal by the guard) concern the
// form, and stay in its summary only.
func codeFieldError(ctx context.Context, k messages.Key) string {
	switch k {
	case messages.CodeInvalid, messages.CodeExhausted, messages.ReauthFailed, messages.TwoFactorCodeInvalid:
		return i18n.T(ctx, k)
	}
	return ""
}
