// Package auth is Latch's account domain: users, their identities, the
// flows that create and prove them (signup, login), and the list of their
// signed-in sessions (Devices).
//
// It declares the small interfaces it needs (UserStore, SessionStore,
// Hasher, Auditor) and imports neither net/http nor the database: the web
// package drives it and the db package implements its storage.
package auth

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
)

// Status is the lifecycle state of a user. Only active users may log in.
type Status string

// The statuses a user can be in.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusDeleted   Status = "deleted"
)

// IdentityKind names a way a user is known.
type IdentityKind string

// The identity kinds Latch stores.
const (
	IdentityEmail IdentityKind = "email"
	IdentityPhone IdentityKind = "phone"
)

// User is an account. ID is stable and never derived from a credential.
type User struct {
	ID        uuid.UUID
	AppID     uuid.UUID
	Status    Status
	CreatedAt time.Time
	// PurgeAfter is set for an account its owner deleted: until then a
	// successful sign-in restores it (see PendingDeletion), after it the
	// purge removes its personal data.
	PurgeAfter *time.Time
	// Restored is set by a first factor that just brought the account
	// back from pending deletion, so the page can say so.
	Restored bool
	// PendingPassword is the hash of the new password a reset of an
	// account with a second factor left to store once that factor passes
	// (Passwords.CommitReset); "" otherwise. Nothing else carries it.
	PendingPassword string `json:"-"`
	// PendingEmail, with PendingPassword, is the new email address a
	// recovery of an account with a second factor left to store once that
	// factor passes (Recovery.CommitFinish).
	PendingEmail string `json:"-"`
	// PasswordResetAt is when the password was last reset (by a code or
	// link, not changed by its signed-in holder), or nil.
	PasswordResetAt *time.Time
	// Claimed is set by a login code or link that proved the account's
	// address for the first time: every earlier session and token family
	// ended and a password set before the proof was removed.
	Claimed bool
}

// PendingDeletion reports whether u was deleted by its owner and may still
// be restored by signing in at now.
func (u User) PendingDeletion(now time.Time) bool {
	return u.Status == StatusDeleted && u.PurgeAfter != nil && now.Before(*u.PurgeAfter)
}

// DefaultResetHold is how long after a password reset the ways into an
// account (its email and phone) cannot change, unless configured: as long
// as a recovery waits, so a reset cannot shortcut the recovery's wait.
const DefaultResetHold = 48 * time.Hour

// HeldAfterReset reports whether u's ways in may not change at now: its
// password was reset less than hold ago.
func (u User) HeldAfterReset(now time.Time, hold time.Duration) bool {
	return u.PasswordResetAt != nil && now.Before(u.PasswordResetAt.Add(hold))
}

// CanSignIn reports whether u may pass a first factor at now: an active
// account, or one pending deletion (which signing in restores).
func (u User) CanSignIn(now time.Time) bool {
	return u.Status == StatusActive || u.PendingDeletion(now)
}

// Identity is one normalized identifier of a user, unique within an app.
type Identity struct {
	Kind       IdentityKind
	Value      string
	VerifiedAt *time.Time
}

// Account is a user with their identities, as the account page shows it.
type Account struct {
	User       User
	Identities []Identity
	// Passkeys counts the user's registered passkeys: each is a way in
	// on its own (see CanRemove).
	Passkeys int
}

// AccountOverview is what the account page shows of an account, read in
// one statement (UserStore.AccountOverview): the account, whether a
// confirmed second factor is on, and the recovery request still open.
type AccountOverview struct {
	Account
	TwoFactorOn bool
	// Recovery is the open request (not cancelled nor completed), or nil;
	// Service.AccountOverview keeps it only while waiting or ready.
	Recovery *RecoveryRequest
}

// Email returns the account's email identity value, or "".
func (a Account) Email() string {
	for _, id := range a.Identities {
		if id.Kind == IdentityEmail {
			return id.Value
		}
	}
	return ""
}

// Storage errors the UserStore returns; anything else is treated as internal.
var (
	ErrNotFound      = errors.New("auth: not found")
	ErrIdentityTaken = errors.New("auth: identity already in use")
)

// Error is a failure a user may read about: Code names the message shown,
// Fields names per-field problems for forms. Err, when set, is the cause for
// the log only. Any error that is not an *Error is shown as
// messages.InternalError.
type Error struct {
	Code   messages.Key
	Fields map[string]messages.Key
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return string(e.Code) + ": " + e.Err.Error()
	}
	return string(e.Code)
}

func (e *Error) Unwrap() error { return e.Err }

// Code returns the message key for err: its own code for an *Error,
// messages.InternalError for anything else.
func Code(err error) messages.Key {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return messages.InternalError
}

// Client describes who is on the other end of a request, for audit events
// and the session list. The web layer puts it in the context.
type Client struct {
	IP        string
	UserAgent string
	RequestID string
	// Device is the browser's device id (from its device cookie), "" for
	// API clients and browsers that refuse cookies.
	Device string
	// Session is the public id of the browser's session, or "".
	Session string
	// KnownTo reports whether this browser has signed in to the user
	// before (its device cookie carries a tag for them); nil: never.
	KnownTo func(userID uuid.UUID) bool `json:"-"`
	// Proof reports that a valid proof of work came with the request.
	Proof bool
}

type clientKey struct{}

// WithClient returns ctx carrying c.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the Client in ctx, or the zero Client.
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

type actorKey struct{}

// WithActor returns ctx naming who acts on another user's account: an
// administrator's user id, or "cli" for the command line. Every audit
// event recorded under it carries the actor (detail "actor"), so the
// affected user's security activity can say an administrator did it.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor WithActor put in ctx, "" for none: the user
// acts on their own account.
func ActorFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}
