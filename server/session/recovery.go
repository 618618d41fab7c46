package session

import (
	"context"
	"crypto/subtle"
)

// recoveryKey holds a recovery finish token for this browser: the one it
// started (its started page shows the link), or the one whose confirm page
// it submitted, for the finish form that follows.
const recoveryKey = "recovery_finish"

// RememberRecovery keeps a recovery finish token for this browser, sealed
// (Options.Sealer). Call it
// only from a POST (starting a recovery, or the finish link's confirm
// page), so no other site can plant a token.
func (m *Manager) RememberRecovery(ctx context.Context, token string) {
	m.putSealed(ctx, recoveryKey, token)
}

// RecoveryToken returns the finish token RememberRecovery kept, or "".
func (m *Manager) RecoveryToken(ctx context.Context) string {
	return m.sealed(ctx, recoveryKey)
}

// HoldsRecovery reports whether this browser keeps the finish token token:
// it started that recovery (or already confirmed its link). It changes
// nothing.
func (m *Manager) HoldsRecovery(ctx context.Context, token string) bool {
	kept := m.sealed(ctx, recoveryKey)
	return kept != "" && subtle.ConstantTimeCompare([]byte(kept), []byte(token)) == 1
}

// ForgetRecovery drops the kept finish token.
func (m *Manager) ForgetRecovery(ctx context.Context) {
	m.sm.Remove(ctx, recoveryKey)
}
