package session

import "context"

// recoveryKey holds a recovery finish token between the link's arrival
// and the form that uses it, so the token leaves the URL at once.
const recoveryKey = "recovery_finish"

// RememberRecovery keeps a recovery finish token for this browser.
func (m *Manager) RememberRecovery(ctx context.Context, token string) {
	m.sm.Put(ctx, recoveryKey, token)
}

// RecoveryToken returns the finish token RememberRecovery kept, or "".
func (m *Manager) RecoveryToken(ctx context.Context) string {
	return m.sm.GetString(ctx, recoveryKey)
}

// ForgetRecovery drops the kept finish token.
func (m *Manager) ForgetRecovery(ctx context.Context) {
	m.sm.Remove(ctx, recoveryKey)
}
