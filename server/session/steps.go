package session

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Keys of the sign-in steps in the session data.
const (
	authAtKey               = "auth_at"                // unix seconds of the last proof of identity
	pendingUserKey          = "pending_user"           // a user who passed the first factor only
	pendingRememberKey      = "pending_remember"       // "keep me signed in" asked at the first step
	pendingNextKey          = "pending_next"           // where to land once signed in (checked)
	pendingMethodKey        = "pending_method"         // the first factor used, for audit
	pendingAtKey            = "pending_at"             // unix seconds the first factor passed
	pendingPasswordKey      = "pending_password"       // a reset's new password hash, stored after the second step
	pendingRecoveryEmailKey = "pending_recovery_email" // a recovery's new email, stored after the second step
	pendingRestoreKey       = "pending_restore"        // the account is pending deletion: restore after the second step
)

// DefaultPendingTTL bounds the time between a first factor and the second,
// unless configured (Options.PendingTTL, LATCH_SECOND_FACTOR_TTL): after
// it the pending sign-in is void and the first factor must be shown again.
const DefaultPendingTTL = 10 * time.Minute

// Pending is a sign-in waiting for its second factor: the first factor
// (password, code or link) has passed, nobody is signed in yet.
type Pending struct {
	UserID   uuid.UUID
	Remember bool
	Next     string // a checked local target, or ""
	Method   string // "password", "email_code", "login_link", "sms_code"…
	Since    time.Time
	// Restore: the account is pending deletion, to be restored only once
	// the second factor has passed.
	Restore bool
	// PasswordHash is a reset's or a recovery's new password, stored only
	// once the second factor has passed.
	PasswordHash string
	// RecoveryEmail is a recovery's new email address, stored with
	// PasswordHash once the second factor has passed.
	RecoveryEmail string
}

// BeginPending records a sign-in waiting for its second factor, in a
// session with a new token (the first factor is a privilege change too).
// It replaces any earlier pending sign-in and signs nobody in: a browser
// signed in as someone else is signed out, so it never stays signed in as
// one user while another user's second step is pending.
func (m *Manager) BeginPending(ctx context.Context, p Pending) error {
	if err := m.sm.RenewToken(ctx); err != nil {
		return err
	}
	for _, k := range []string{UserKey, PublicIDKey, authAtKey, rememberKey, seenKey} {
		m.sm.Remove(ctx, k)
	}
	m.sm.Put(ctx, pendingUserKey, p.UserID.String())
	m.sm.Put(ctx, pendingRememberKey, p.Remember)
	m.sm.Put(ctx, pendingNextKey, p.Next)
	m.sm.Put(ctx, pendingMethodKey, p.Method)
	m.sm.Put(ctx, pendingRestoreKey, p.Restore)
	m.sm.Put(ctx, pendingPasswordKey, p.PasswordHash)
	m.sm.Put(ctx, pendingRecoveryEmailKey, p.RecoveryEmail)
	m.sm.Put(ctx, pendingAtKey, m.clock().Unix())
	return nil
}

// PendingSignIn returns the sign-in waiting for its second factor, if
// there is one younger than the pending TTL (Options.PendingTTL).
func (m *Manager) PendingSignIn(ctx context.Context) (Pending, bool) {
	id, err := uuid.Parse(m.sm.GetString(ctx, pendingUserKey))
	if err != nil {
		return Pending{}, false
	}
	since := time.Unix(m.sm.GetInt64(ctx, pendingAtKey), 0)
	if m.clock().Sub(since) > m.pendingTTL {
		return Pending{}, false
	}
	return Pending{UserID: id, Remember: m.sm.GetBool(ctx, pendingRememberKey),
		Next: m.sm.GetString(ctx, pendingNextKey), Method: m.sm.GetString(ctx, pendingMethodKey), Since: since,
		Restore: m.sm.GetBool(ctx, pendingRestoreKey), PasswordHash: m.sm.GetString(ctx, pendingPasswordKey),
		RecoveryEmail: m.sm.GetString(ctx, pendingRecoveryEmailKey)}, true
}

// ClearPending forgets a pending sign-in (abandoned, voided by too many
// wrong second factors, or completed).
func (m *Manager) ClearPending(ctx context.Context) {
	for _, k := range []string{pendingUserKey, pendingRememberKey, pendingNextKey, pendingMethodKey, pendingRestoreKey, pendingPasswordKey, pendingRecoveryEmailKey, pendingAtKey} {
		m.sm.Remove(ctx, k)
	}
}

// CompletePending signs in the pending user once the second factor has
// passed: Login with the first step's "keep me signed in". It returns
// ErrNoUser when nothing is pending.
func (m *Manager) CompletePending(ctx context.Context) (Pending, error) {
	p, ok := m.PendingSignIn(ctx)
	if !ok {
		return Pending{}, ErrNoUser
	}
	m.ClearPending(ctx)
	return p, m.Login(ctx, p.UserID, p.Remember)
}

// Reauthenticated records that the signed-in user proved who they are
// again just now (a password, a code, a second factor), opening the
// window in which sensitive changes are allowed.
func (m *Manager) Reauthenticated(ctx context.Context) {
	m.sm.Put(ctx, authAtKey, m.clock().Unix())
}

// NotAProof records that the sign-in just made does not count as a proof
// of who the user is: sensitive changes ask for one first (a sign-in by
// a channel that must not take the account alone).
func (m *Manager) NotAProof(ctx context.Context) {
	m.sm.Remove(ctx, authAtKey)
}

// AuthAge is how long ago the signed-in user last proved who they are:
// at login or by Reauthenticated. It is very large when never.
func (m *Manager) AuthAge(ctx context.Context) time.Duration {
	at := m.sm.GetInt64(ctx, authAtKey)
	if at == 0 {
		return time.Duration(1<<63 - 1)
	}
	return m.clock().Sub(time.Unix(at, 0))
}
