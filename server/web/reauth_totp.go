package web

import (
	"context"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/auth"
)

// AppCodeReauth lets a signed-in user with two-step verification on prove
// who they are with a code from their authenticator app (Reauthenticator).
type AppCodeReauth struct {
	TwoFactor interface {
		Status(ctx context.Context, appID, userID uuid.UUID) (auth.TwoFactorStatus, error)
		VerifyTOTP(ctx context.Context, appID, userID uuid.UUID, code string) error
	}
}

var _ Reauthenticator = AppCodeReauth{}

// Name is the form's method and the audit event's.
func (AppCodeReauth) Name() string { return "totp" }

// Label is the code field's label.
func (AppCodeReauth) Label() messages.Key { return messages.LabelAuthCode }

// Hint is the code field's hint.
func (AppCodeReauth) Hint() messages.Key { return messages.HintAuthCode }

// Available reports whether the user has two-step verification on.
func (a AppCodeReauth) Available(ctx context.Context, appID, userID uuid.UUID) (bool, error) {
	st, err := a.TwoFactor.Status(ctx, appID, userID)
	return st.Enabled, err
}

// Verify spends an app code of the user (each code works once).
func (a AppCodeReauth) Verify(ctx context.Context, appID, userID uuid.UUID, code string) error {
	return a.TwoFactor.VerifyTOTP(ctx, appID, userID, code)
}
