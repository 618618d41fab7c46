package pages

import (
	"context"
	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/ui"
)

// Paths of delayed account recovery.
const (
	RecoverPath               = "/recover"                // GET: the start page; POST: text a code to a phone
	RecoverVerifyPath         = "/recover/verify"         // POST: the phone's code starts recovery
	RecoverCodePath           = "/recover/code"           // POST: a recovery code starts recovery
	RecoveryStartedPath       = "/recover/started"        // GET: the started recovery's finish link
	RecoveryCancelPath        = "/recover/cancel"         // GET: confirm; POST: cancel (the notices' link)
	RecoveryFinishPath        = "/recover/finish"         // GET ?token=: confirm; GET: the form; POST: finish
	RecoveryConfirmPath       = "/recover/finish/confirm" // POST: keep the confirmed link's token for the form
	AccountRecoveryCancelPath = "/account/recovery"       // POST: the signed-in owner cancels
	RecoverPanelID            = "recover-panel"
)

// RecoverStart is the state of the recovery start page.
type RecoverStart struct {
	BySMS, ByCode bool   // the ways offered
	Wait          string // how long recovery waits, in words
	Phone         string // as typed, or E.164 on the code step
	Sent          bool   // the phone's code step
	PhoneError    messages.Key
	Message       messages.Key // a refused code, a send limit, a recovery already open
	Notice        messages.Key
	Email         string       // the recovery-code form's lost address
	CodeMessage   messages.Key // the recovery-code form's refusal
	ResendIn      int
	Interactive   bool
}

// codeVariant is the style of the recovery-code form's button: the page's
// primary action only when no phone form stands above it, so the page
// never shows two.
func (f RecoverStart) codeVariant() string {
	if f.BySMS {
		return ui.ButtonSecondary
	}
	return ui.ButtonPrimary
}

// RecoveryStartedView is the page shown once recovery has started.
type RecoveryStartedView struct {
	Ready     string // when it can finish, formatted
	FinishURL string // the link that finishes: shown once, to keep
}

// RecoveryCancelView is the state of the cancel page.
type RecoveryCancelView struct {
	Token   string
	Message messages.Key // the link does not work
	Done    messages.Key // cancelled, or nothing left to cancel
}

// RecoveryFinishView is the state of the finish page.
type RecoveryFinishView struct {
	Token      string // the link's token, on its confirm page: a hidden field of the confirming POST
	Elsewhere  bool   // with Token: another browser started this recovery, warn before the button
	Waiting    bool   // not ready yet: no form
	Ready      string // when it can finish, formatted
	Email      string
	EmailError messages.Key
	PassError  messages.Key
	Message    messages.Key // the request cannot finish: no form
}

// Summary lists the finish form's problems for the error summary.
func (f RecoveryFinishView) Summary(ctx context.Context) []string {
	var out []string
	for _, k := range []messages.Key{f.EmailError, f.PassError} {
		if k != "" {
			out = append(out, i18n.T(ctx, k))
		}
	}
	return out
}

// RecoveryPending is the account page's banner for an open recovery.
type RecoveryPending struct {
	Started, Ready string
}

// summaryOf lists the texts of the non-empty keys, for an error summary.
func summaryOf(ctx context.Context, keys ...messages.Key) []string {
	var out []string
	for _, k := range keys {
		if k != "" {
			out = append(out, i18n.T(ctx, k))
		}
	}
	return out
}
