package pages

import (
	"context"
	"strconv"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// Paths, ids and fields of two-step verification.
const (
	// TwoFactorPath shows the second factor of the signed-in account (GET)
	// and confirms an enrolment with a first code (POST).
	TwoFactorPath = "/account/2fa"
	// TwoFactorRecoveryPath makes a new set of recovery codes.
	TwoFactorRecoveryPath = "/account/2fa/recovery-codes"
	// TwoFactorDisablePath turns the second factor off.
	TwoFactorDisablePath = "/account/2fa/disable"
	// SecondFactorPath is the sign-in step after a first factor.
	SecondFactorPath = "/login/verify"
	// RecoveryCodeFieldName is the second step's recovery-code field; the
	// authenticator code travels in CodeFieldName.
	RecoveryCodeFieldName = "recovery_code"
	TwoFactorPanelID      = "two-factor-panel"
	SecondFactorPanelID   = "second-factor-panel"
)

// TwoFactorView is the state of the two-step verification page.
type TwoFactorView struct {
	Enabled      bool
	RecoveryLeft int
	Setup        *TOTPSetup   // an enrolment waiting for its first code (when not Enabled)
	Codes        []string     // recovery codes just made, shown this once
	Message      messages.Key // an error (a wrong code)
	Notice       messages.Key // a success
	Interactive  bool         // answering a Datastar request: focus moves by script
}

// TOTPSetup is what an authenticator app needs: the key as a QR code and
// as text.
type TOTPSetup struct {
	Secret string // grouped for typing, "ABCD EFGH …"
	QR     QRCode
}

// QRCode is a QR code as SVG path data: Size modules a side, Path the
// dark modules (rendered dark on light, whatever the theme, as scanners
// expect).
type QRCode struct {
	Size int
	Path string
}

// viewBox frames the code with the four-module quiet zone scanners need.
func (q QRCode) viewBox() string {
	return "-4 -4 " + strconv.Itoa(q.Size+8) + " " + strconv.Itoa(q.Size+8)
}

// Summary lists the error for the error summary.
func (v TwoFactorView) Summary(ctx context.Context) []string {
	if v.Message == "" {
		return nil
	}
	return []string{i18n.T(ctx, v.Message)}
}

// SecondFactorForm is the state of the second sign-in step.
type SecondFactorForm struct {
	Recovery    bool         // ask for a recovery code rather than an authenticator code
	Message     messages.Key // an error (a wrong code)
	Interactive bool
	Passkey     bool // the pending user has a passkey: offer it instead
}

// Summary lists the error for the error summary.
func (f SecondFactorForm) Summary(ctx context.Context) []string {
	if f.Message == "" {
		return nil
	}
	return []string{i18n.T(ctx, f.Message)}
}

// codeInputAttrs are a second-factor input's attributes: with Datastar,
// focus returns to it once a refusal is patched in.
func codeInputAttrs(testID string, interactive bool, refused messages.Key) templ.Attributes {
	attrs := templ.Attributes{"data-testid": testID, "autocapitalize": "off", "spellcheck": "false"}
	if interactive && refused != "" {
		attrs["data-init"] = "el.focus()"
	}
	return attrs
}

func recoveryLeft(ctx context.Context, n int) string {
	return i18n.F(ctx, messages.TwoFactorRecoveryLeft, "{count}", strconv.Itoa(n))
}
