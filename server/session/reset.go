package session

import (
	"context"
)

// resetKey keeps the token of a reset link this browser confirmed. (The
// selector of a link this browser asked for is a cookie: see web.noteAsked.)
const resetKey = "reset_token"

// HoldResetToken keeps the token of a reset link (sealed: Options.Sealer)
// whose confirm page this browser submitted (a POST, so no other site can plant one), for the
// password form that follows: the token leaves the address bar at once. It
// is not spent; the password form's POST spends it. A newer one replaces it.
func (m *Manager) HoldResetToken(ctx context.Context, token string) {
	m.putSealed(ctx, resetKey, token)
}

// ResetToken returns the reset token HoldResetToken kept, or "".
func (m *Manager) ResetToken(ctx context.Context) string {
	return m.sealed(ctx, resetKey)
}

// DropResetToken forgets the reset token, once used.
func (m *Manager) DropResetToken(ctx context.Context) {
	m.sm.Remove(ctx, resetKey)
}
