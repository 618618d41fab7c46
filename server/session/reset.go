package session

import (
	"context"
	"crypto/subtle"
)

// Keys of a password reset: the token of a link this browser confirmed,
// and the selector of the link this browser asked for.
const (
	resetKey        = "reset_token"
	resetRequestKey = "reset_selector"
)

// HoldResetToken keeps the token of a reset link whose confirm page this
// browser submitted (a POST, so no other site can plant one), for the
// password form that follows: the token leaves the address bar at once. It
// is not spent; the password form's POST spends it. A newer one replaces it.
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

// NoteResetRequest remembers that this browser asked for the reset link
// with selector, replacing any earlier one (a newer link voids the older).
// The selector is the public half of the token: it resets nothing.
func (m *Manager) NoteResetRequest(ctx context.Context, selector string) {
	m.sm.Put(ctx, resetRequestKey, selector)
}

// RequestedReset reports whether this browser asked for the reset link
// with selector (see NoteResetRequest). It changes nothing.
func (m *Manager) RequestedReset(ctx context.Context, selector string) bool {
	kept := m.sm.GetString(ctx, resetRequestKey)
	return kept != "" && subtle.ConstantTimeCompare([]byte(kept), []byte(selector)) == 1
}
