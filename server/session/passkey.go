package session

import (
	"context"
	"time"
)

// PasskeyCeremony names a passkey ceremony a browser can have under way:
// each keeps its own challenge, so the login page's autofill request does
// not void a registration begun in another tab.
type PasskeyCeremony string

// The passkey ceremonies.
const (
	PasskeyRegister     PasskeyCeremony = "register"
	PasskeyLogin        PasskeyCeremony = "login"
	PasskeySecondFactor PasskeyCeremony = "second_factor"
	PasskeyReauth       PasskeyCeremony = "reauth"
)

// PasskeyChallengeTTL bounds a ceremony from its challenge to its answer.
const PasskeyChallengeTTL = 5 * time.Minute

func passkeyKey(c PasskeyCeremony) string   { return "passkey_" + string(c) }
func passkeyAtKey(c PasskeyCeremony) string { return "passkey_" + string(c) + "_at" }

// HoldPasskeyChallenge keeps a ceremony's session data (its challenge) in
// this browser's session, server-side, replacing any earlier one of the
// same ceremony. It never travels in a URL or a page.
func (m *Manager) HoldPasskeyChallenge(ctx context.Context, c PasskeyCeremony, data []byte) {
	m.sm.Put(ctx, passkeyKey(c), string(data))
	m.sm.Put(ctx, passkeyAtKey(c), m.clock().Unix())
}

// TakePasskeyChallenge returns the ceremony's session data and forgets it:
// a challenge answers once. It returns nil when there is none, or when it
// is older than PasskeyChallengeTTL.
func (m *Manager) TakePasskeyChallenge(ctx context.Context, c PasskeyCeremony) []byte {
	data := m.sm.PopString(ctx, passkeyKey(c))
	at, _ := m.sm.Pop(ctx, passkeyAtKey(c)).(int64)
	if data == "" || m.clock().Sub(time.Unix(at, 0)) > PasskeyChallengeTTL {
		return nil
	}
	return []byte(data)
}
