package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/password"
)

// Service runs the account flows. Build it with NewService.
type Service struct {
	users     UserStore
	hasher    Hasher
	audit     Auditor
	blocklist Blocklist
	guard     Guard
	restored  RestoreNotifier
	clock     func() time.Time
	log       *slog.Logger
}

// Options are the optional parts of a Service.
type Options struct {
	Blocklist Blocklist        // nil allows every password the rules accept
	Guard     Guard            // bounds password guesses and sign-ups; nil only in tests of one flow
	Restored  RestoreNotifier  // tells holders their deleted account was restored; nil: no notice
	Clock     func() time.Time // nil means time.Now
	Logger    *slog.Logger     // nil discards
}

// NewService returns a Service over the given storage, hasher and auditor.
func NewService(users UserStore, hasher Hasher, audit Auditor, opt Options) *Service {
	s := &Service{users: users, hasher: hasher, audit: audit, blocklist: opt.Blocklist, guard: opt.Guard, restored: opt.Restored, clock: opt.Clock, log: opt.Logger}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Form field names used in Error.Fields.
const (
	FieldEmail    = "email"
	FieldPassword = "password"
)

// SignupResult says what Signup did. Created is false when the email was
// already taken: callers must answer exactly as if it were created but
// without a session, so the page never reveals that an account exists.
type SignupResult struct {
	User    User
	Created bool
}

// Signup creates an active user with an email identity and a password,
// its address not yet proven. It is the fallback without email delivery;
// with delivery, Signups proves the address before any account exists.
//
// Errors: *Error with messages.FormInvalid and Fields for input the rules
// refuse; ctx errors while waiting for the hasher; anything else is internal.
// A taken email is not an error (see SignupResult).
func (s *Service) Signup(ctx context.Context, appID uuid.UUID, email, plain string) (SignupResult, error) {
	email, plain, fields := s.checkSignup(ctx, email, plain)
	if len(fields) > 0 {
		return SignupResult{}, &Error{Code: messages.FormInvalid, Fields: fields}
	}

	if err := s.reserveSignup(ctx, appID); err != nil {
		return SignupResult{}, err
	}
	// Hash before touching the database: a transaction must never be held
	// open across the slow hash.
	hash, err := s.hasher.Hash(ctx, plain)
	if err != nil {
		return SignupResult{}, fmt.Errorf("auth: signup: hash: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return SignupResult{}, fmt.Errorf("auth: signup: new id: %w", err)
	}
	u := User{ID: id, AppID: appID, Status: StatusActive, CreatedAt: s.clock().UTC()}
	err = s.users.CreatePasswordUser(ctx, NewPasswordUser{User: u, Email: email, PasswordHash: hash})
	switch {
	case errors.Is(err, ErrIdentityTaken):
		s.record(ctx, Event{AppID: appID, Name: "signup", Outcome: Failure, Detail: map[string]string{"reason": "identity_taken"}})
		return SignupResult{}, nil
	case err != nil:
		return SignupResult{}, fmt.Errorf("auth: signup: store: %w", err)
	}
	s.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "signup", Outcome: Success, Detail: map[string]string{"method": "password"}})
	return SignupResult{User: u, Created: true}, nil
}

// reserveSignup reserves one signup at the guard: every sign-up costs a
// hash and an email, budgeted per client. A refusal is audited.
func (s *Service) reserveSignup(ctx context.Context, appID uuid.UUID) error {
	if _, err := reserve(ctx, s.guard, guard.Signup, subject(ctx, uuid.Nil, ""), messages.SignupThrottled); err != nil {
		if Refused(err) {
			s.record(ctx, Event{AppID: appID, Name: "signup", Outcome: Failure, Detail: map[string]string{"reason": "throttled"}})
		}
		return err
	}
	return nil
}

func (s *Service) checkSignup(ctx context.Context, email, plain string) (string, string, map[string]messages.Key) {
	fields := map[string]messages.Key{}
	email, problem := validate.Email(email)
	if problem != "" {
		fields[FieldEmail] = problem
	}
	plain, problem = checkNewPassword(ctx, plain, email, s.blocklist)
	if problem != "" {
		fields[FieldPassword] = problem
	}
	return email, plain, fields
}

// Login checks an email and password and returns the user they prove.
//
// Errors: *Error with messages.LoginFailed for every kind of refusal (unknown
// email, wrong password, inactive user, malformed input), so the answer never
// reveals whether an account exists; unknown emails cost a dummy hash so the
// timing does not either. ctx errors while waiting for the hasher; anything
// else is internal.
func (s *Service) Login(ctx context.Context, appID uuid.UUID, email, plain string) (User, error) {
	failed := &Error{Code: messages.LoginFailed}
	email, problem := validate.Email(email)
	if problem != "" || plain == "" || len(plain) > validate.PasswordMaxBytes {
		s.record(ctx, Event{AppID: appID, Name: "login", Outcome: Failure, Detail: map[string]string{"reason": "malformed_input"}})
		return User{}, failed
	}
	plain = password.Normalize(plain)

	// The lookup comes first so that the guard counts the account, not
	// the address typed, and a known device of it meets its own budget;
	// an unknown address is counted under its own name alike.
	u, hash, err := s.users.PasswordLogin(ctx, appID, IdentityEmail, email)
	known := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, fmt.Errorf("auth: login: lookup: %w", err)
	}
	attempt, err := reserve(ctx, s.guard, guard.Password, subject(ctx, u.ID, email), messages.LoginThrottled)
	if err != nil {
		if Refused(err) {
			// Refused before any hash, alike for every address.
			s.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "login", Outcome: Failure, Detail: map[string]string{"reason": "throttled"}})
		}
		return User{}, err
	}
	if !known {
		if _, err := s.hasher.VerifyDummy(ctx, plain); err != nil {
			attempt.Release(ctx)
			return User{}, fmt.Errorf("auth: login: %w", err)
		}
		s.record(ctx, Event{AppID: appID, Name: "login", Outcome: Failure, Detail: map[string]string{"reason": "unknown_identity"}})
		return User{}, failed
	}

	ok, rehash, err := s.hasher.Verify(ctx, plain, hash)
	if err != nil {
		attempt.Release(ctx)
		return User{}, fmt.Errorf("auth: login: verify: %w", err)
	}
	if !ok {
		s.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "login", Outcome: Failure, Detail: map[string]string{"reason": "wrong_password"}})
		return User{}, failed
	}
	attempt.Succeeded(ctx)
	// An account pending deletion may sign in; it is restored only once
	// the sign-in's last factor has passed (Restore).
	if !u.CanSignIn(s.clock()) {
		s.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "login", Outcome: Failure, Detail: map[string]string{"reason": "status_" + string(u.Status)}})
		return User{}, failed
	}
	if rehash {
		s.rehash(ctx, u.ID, plain)
	}
	s.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "login", Outcome: Success, Detail: map[string]string{"method": "password"}})
	return u, nil
}

// rehash upgrades a stored hash to the current parameters. A failure is
// logged, never fatal: the login itself was valid.
func (s *Service) rehash(ctx context.Context, userID uuid.UUID, plain string) {
	hash, err := s.hasher.Hash(ctx, plain)
	if err == nil {
		err = s.users.SetPasswordHash(ctx, userID, hash)
	}
	if err != nil {
		s.log.WarnContext(ctx, "password rehash failed", "user_id", userID, "err", err)
	}
}

// RestoreNotifier tells an account holder their account was restored.
type RestoreNotifier interface {
	Restored(ctx context.Context, appID, userID uuid.UUID) error
}

// Restore ends a sign-in whose last factor has passed: an account pending
// deletion is made active again (audited as account.restore with method,
// the holder notified), and the user returned with Restored set. Any
// other user is returned as is. No first factor restores an account by
// itself: an account with a second factor stays deleted until that factor
// passes.
//
// Errors: a failure to restore; a notice that cannot be queued is logged.
func (s *Service) Restore(ctx context.Context, u User, method string) (User, error) {
	r, err := restoreIfPending(ctx, s.users, s.audit, s.log, u, s.clock(), method)
	if err != nil || !r.Restored {
		return r, err
	}
	if s.restored != nil {
		if err := s.restored.Restored(ctx, u.AppID, u.ID); err != nil {
			s.log.WarnContext(ctx, "restore notice not queued", "user_id", u.ID, "err", err)
		}
	}
	return r, nil
}

// Logout records that a user ended their session.
func (s *Service) Logout(ctx context.Context, appID, userID uuid.UUID) {
	s.record(ctx, Event{AppID: appID, UserID: userID, Name: "logout", Outcome: Success})
}

// Account returns the user and identities for the account page.
//
// Errors: ErrNotFound when the user is gone; anything else is internal.
func (s *Service) Account(ctx context.Context, appID, userID uuid.UUID) (Account, error) {
	return s.users.Account(ctx, appID, userID)
}

// AccountOverview returns the account page's account, second factor
// state and open recovery request in one statement; a recovery request
// past its expiry is left out, as Recovery.Pending leaves it.
//
// Errors: ErrNotFound when the user is gone; anything else is internal.
func (s *Service) AccountOverview(ctx context.Context, appID, userID uuid.UUID) (AccountOverview, error) {
	ov, err := s.users.AccountOverview(ctx, appID, userID)
	if err != nil {
		return AccountOverview{}, err
	}
	if ov.Recovery != nil {
		if st := ov.Recovery.State(s.clock()); st != RecoveryWaiting && st != RecoveryReady {
			ov.Recovery = nil
		}
	}
	return ov, nil
}

// record appends an audit event. Auditing failures are logged: they must be
// seen by operators but do not undo what the user already did.
func (s *Service) record(ctx context.Context, e Event) {
	if err := s.audit.Record(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit write failed", "event", e.Name, "outcome", e.Outcome, "err", err)
	}
}
