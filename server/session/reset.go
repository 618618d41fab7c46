package session

import "context"

// resetKey holds the token of a password reset link this browser opened.
const resetKey = "reset_token"

// HoldResetToken keeps the token of a reset link this browser opened, so
// the browser can be sent on to an address without it: the token leaves
// the address bar (and the history, and any Referer) at once. It is not
// spent; the password form's POST spends it. A newer one replaces it.
func (m *Manager) HoldResetToken(ctx context.Context, token string) {
	m.sm.Put(ctx, resetKey, token)
}

// ResetToken returns the reset token HoldResetToken kept, or "".
func (m *Manager) ResetToken(ctx context.Context) string {
	return m.sm.GetString(ctx, resetKey)
}

// DropResetToken forgets the reset token, once used.
func (m *Manager) DropResetToken(ctx context.Context) {
	m.sm.Remove(ctx, resetKey)
}
