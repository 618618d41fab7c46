package auth

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// NewPasswordUser is what UserStore.CreatePasswordUser writes.
type NewPasswordUser struct {
	User         User
	Email        string // normalized
	PasswordHash string // PHC string
}

// UserStore is the storage the account flows need.
type UserStore interface {
	// CreatePasswordUser writes the user, its email identity and its
	// password credential in one transaction. It returns ErrIdentityTaken
	// when the email already belongs to a user of the same app.
	CreatePasswordUser(ctx context.Context, u NewPasswordUser) error
	// PasswordLogin returns the user holding the identity and their stored
	// password hash. It returns ErrNotFound when no such identity exists or
	// the user has no password.
	PasswordLogin(ctx context.Context, appID uuid.UUID, kind IdentityKind, value string) (User, string, error)
	// UserByIdentity returns the user holding an identity, or ErrNotFound.
	UserByIdentity(ctx context.Context, appID uuid.UUID, kind IdentityKind, value string) (User, error)
	// SetPasswordHash replaces the stored hash of a user's password.
	SetPasswordHash(ctx context.Context, userID uuid.UUID, hash string) error
	// Account returns the user and identities, or ErrNotFound.
	Account(ctx context.Context, appID, userID uuid.UUID) (Account, error)
	// AccountOverview returns the account, whether a confirmed second
	// factor is on and the open recovery request in one statement, or
	// ErrNotFound.
	AccountOverview(ctx context.Context, appID, userID uuid.UUID) (AccountOverview, error)
	// SetStatus changes a user's status and, unless the new status is
	// active, deletes all of the user's sessions in the same transaction.
	// It returns how many sessions it deleted, or ErrNotFound.
	SetStatus(ctx context.Context, appID, userID uuid.UUID, status Status) (int, error)
	// MarkVerified records that the user proved an identity they hold,
	// keeping the first proof's time. It returns ErrNotFound when the user
	// of the app holds no such identity (it changed since the code went).
	MarkVerified(ctx context.Context, appID, userID uuid.UUID, kind IdentityKind, value string) error
	// ClaimByProof marks an email address verified, proven by someone not
	// signed in to the account; when it was not verified before, it ends
	// every session and token family and removes the password, in one
	// transaction (db.Users.ClaimByProof). ErrNotFound when the user holds
	// no such address.
	ClaimByProof(ctx context.Context, appID, userID uuid.UUID, email string) (ProofClaim, error)
	// RestoreDeleted makes a user pending deletion at now active again,
	// in one statement that also checks it still is. It returns false (and
	// no error) when it was not: restored already, purged, or never deleted.
	RestoreDeleted(ctx context.Context, appID, userID uuid.UUID, now time.Time) (bool, error)
}

// Hasher hashes and verifies passwords. Implementations bound their own
// concurrency and honour ctx while waiting.
type Hasher interface {
	Hash(ctx context.Context, plain string) (string, error)
	Verify(ctx context.Context, plain, encoded string) (ok, needsRehash bool, err error)
	// VerifyDummy costs what Verify costs and always fails, so unknown
	// users take as long as known ones.
	VerifyDummy(ctx context.Context, plain string) (bool, error)
}

// Outcome says whether an audited action succeeded.
type Outcome string

// The outcomes of an audited action.
const (
	Success Outcome = "success"
	Failure Outcome = "failure"
)

// Event is one security event. The Auditor adds the time and the Client
// found in the context.
type Event struct {
	AppID   uuid.UUID
	UserID  uuid.UUID // uuid.Nil when no user is known
	Name    string    // e.g. "login", "signup", "logout"
	Outcome Outcome
	Detail  map[string]string // never secrets or raw identifiers
}

// Auditor appends security events.
type Auditor interface {
	Record(ctx context.Context, e Event) error
}
