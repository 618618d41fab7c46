package pages

import (
	"context"
	"net/url"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// Paths, ids and fields of the account settings screens.
const (
	ReauthPath          = "/account/confirm"
	ReauthSendPath      = "/account/confirm/send"
	ReauthPanelID       = "reauth-panel"
	ReauthMethodField   = "method"
	EmailChangePath     = "/account/email"
	EmailChangeCodePath = "/account/email/code"
	EmailChangePanelID  = "email-change-panel"
	IdentityRemovePath  = "/account/identity/remove"
	IdentitiesPanelID   = "identities-panel"
	DeletePath          = "/account/delete"
	DeletePanelID       = "delete-panel"
	DeleteConfirmField  = "confirm"
	ExportPath          = "/account/export"
	ActivityPath        = "/account/activity"
	KindField           = "kind"
	ValueField          = "value"
)

// ReauthURL is the re-authentication page returning to next.
func ReauthURL(next string) string {
	if next == "" {
		return ReauthPath
	}
	return ReauthPath + "?" + url.Values{NextField: {next}}.Encode()
}

// Reauth is the state of the re-authentication page: a password form, or
// a code sent to one identity (CodeTo, masked), and any other ways the
// server offers (an authenticator app…).
type Reauth struct {
	Next     string // a checked local target, posted back
	Password bool   // the account has a password: ask for it
	CodeTo   string // without a password: where a code goes, masked; "" when none can
	CodeSent bool   // the code step
	Others   []ReauthOther
	// Providers are the sign-in providers linked to the account, each a
	// way to prove who you are.
	Providers   []ProviderButton
	Message     messages.Key // an error, shown on the form of Method
	Method      string       // the form Message belongs to: "password", "code" or an other's Name
	Notice      string       // a success, already filled in
	ResendIn    int
	Interactive bool
	// Passkey: the account has a passkey, offered (with JavaScript) beside
	// the panel, outside the part patched in place.
	Passkey bool
}

// ReauthOther is one more way to prove who you are.
type ReauthOther struct {
	Name  string
	Label string
	Hint  string
}

// Summary lists the error for the summary.
func (r Reauth) Summary(ctx context.Context) []string {
	if r.Message == "" {
		return nil
	}
	return []string{i18n.T(ctx, r.Message)}
}

// Unavailable reports that no way to prove who you are is offered.
func (r Reauth) Unavailable() bool {
	return !r.otherWays() && !r.Passkey
}

// otherWays reports whether the panel offers a way besides a passkey.
func (r Reauth) otherWays() bool {
	return r.Password || r.CodeTo != "" || len(r.Others) > 0 || len(r.Providers) > 0
}

// errorFor is the error shown on method's own field: the panel's message
// when it belongs to that form.
func (r Reauth) errorFor(ctx context.Context, method string) string {
	if r.Message == "" || r.Method != method {
		return ""
	}
	return i18n.T(ctx, r.Message)
}

func (r Reauth) focus(method string) templ.Attributes {
	attrs := templ.Attributes{"autocapitalize": "off", "spellcheck": "false", "data-testid": "reauth-" + method}
	if r.Interactive && (r.Method == method || (r.Message == "" && method == "code" && r.CodeSent)) {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

// EmailChange is the state of the change-email screen: first the new
// address, then (Sent) the code sent to it.
type EmailChange struct {
	Current     string // the address now, "" for an account without one (the screen adds one)
	Email       string // the new address
	Sent        bool
	EmailError  messages.Key
	Message     messages.Key
	Notice      string
	ResendIn    int
	Interactive bool
}

// Summary lists the messages for the error summary.
func (c EmailChange) Summary(ctx context.Context) []string {
	var out []string
	for _, k := range []messages.Key{c.Message, c.EmailError} {
		if k != "" {
			out = append(out, i18n.T(ctx, k))
		}
	}
	return out
}

func (c EmailChange) title() messages.Key {
	if c.Current == "" {
		return messages.EmailAddTitle
	}
	return messages.EmailChangeTitle
}

func (c EmailChange) focus(extra templ.Attributes) templ.Attributes {
	attrs := templ.Attributes{}
	for k, v := range extra {
		attrs[k] = v
	}
	if c.Interactive {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

// IdentityView is one identity on the account page.
type IdentityView struct {
	Kind      string // "email" or "phone"
	Value     string
	Display   string // Value as people read it (a phone number grouped); Value when empty
	Verified  bool
	Removable bool // removing it keeps a verified way to log in
}

// Identities is the account page's list of identities.
type Identities struct {
	List    []IdentityView
	Problem messages.Key
	// Interactive: answering a Datastar request.
	Interactive bool
}

// DeleteAccount is the state of the delete screen.
type DeleteAccount struct {
	GraceDays   int
	Problem     messages.Key
	Interactive bool
}

// ActivityLine is one security event in words.
type ActivityLine struct {
	What       string // what happened, in words
	Device     string // the browser and system it came from; "" when unknown
	Time       string // the time of day, "14:03 UTC"
	ISO        string // the moment, for <time datetime>
	Failure    bool   // the attempt failed or was refused
	FailureTag bool   // with Failure: the words do not say so, a tag does
}

// ActivityDay is the events of one day, newest first.
type ActivityDay struct {
	Label string // "Wednesday 2 December 2026"
	Lines []ActivityLine
}

// Activity is a page of security events, grouped by day.
type Activity struct {
	Days  []ActivityDay
	Older string // URL of the next page, or ""
	First bool   // the newest page
}

func emailChangeAttrs(c EmailChange) templ.Attributes {
	attrs := templ.Attributes{"data-testid": "email-change-email", "spellcheck": "false", "autocapitalize": "off"}
	if c.Interactive && c.EmailError != "" {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

func deleteAttrs(d DeleteAccount) templ.Attributes {
	attrs := templ.Attributes{"data-testid": "delete-confirm", "required": true}
	if d.Interactive && d.Problem != "" {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

func identityKindLabel(ctx context.Context, kind string) string {
	if kind == "phone" {
		return i18n.T(ctx, messages.AccountPhone)
	}
	return i18n.T(ctx, messages.AccountEmail)
}
