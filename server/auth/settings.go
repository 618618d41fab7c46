package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/password"
)

// Account settings: proving who you are again before a sensitive change
// (re-authentication), changing or adding the email address, removing an
// identity, deleting the account (with a grace period, then a purge),
// downloading your data and reading your own security events.

// SettingsStore is the storage the settings flows need.
type SettingsStore interface {
	// Account returns the user and identities, or ErrNotFound.
	Account(ctx context.Context, appID, userID uuid.UUID) (Account, error)
	// PasswordHash returns the user's password hash, or ErrNotFound when
	// the user has no password.
	PasswordHash(ctx context.Context, appID, userID uuid.UUID) (string, error)
	// ReplaceEmail makes email the user's one email identity, verified at
	// at, and queues notice (when not nil) in the same transaction. It
	// returns the address it replaced ("" when there was none), or
	// ErrIdentityTaken when another user of the app holds email, or
	// ErrNotFound when the user is not active.
	ReplaceEmail(ctx context.Context, appID, userID uuid.UUID, email string, at time.Time, notice func(old string) (*Message, error)) (string, error)
	// RemoveIdentity deletes the user's identity of kind and value if
	// allowed, called with the account as it stands, under a lock on the
	// user, returns nil. It returns ErrNotFound when the user holds no
	// such identity, or allowed's error.
	RemoveIdentity(ctx context.Context, appID, userID uuid.UUID, kind IdentityKind, value string, allowed func(Account, bool) error) error
	// BeginDeletion marks an active user deleted at at, to be purged after
	// purgeAfter, and in the same transaction deletes every session,
	// revokes every token family and voids every outstanding code of the
	// user. It returns how many sessions ended, or ErrNotFound when the
	// user is not active.
	BeginDeletion(ctx context.Context, appID, userID uuid.UUID, at, purgeAfter time.Time) (int, error)
	// PurgeDue purges at most limit users whose grace period ended before
	// now: identities, credentials, sessions, tokens and codes deleted,
	// audit events anonymised, the users row kept with purged_at set. Each
	// user is purged in its own transaction. It returns the users purged.
	PurgeDue(ctx context.Context, now time.Time, limit int) ([]User, error)
}

// SecurityEvent is one audit event of a user, as they may read it.
type SecurityEvent struct {
	ID        int64
	Name      string
	Outcome   Outcome
	IP        string
	UserAgent string
	Detail    map[string]string
	At        time.Time
}

// EventLog reads a user's own audit events.
type EventLog interface {
	// UserEvents returns at most limit events of the user with an id below
	// before (0: from the newest), newest first.
	UserEvents(ctx context.Context, appID, userID uuid.UUID, before int64, limit int) ([]SecurityEvent, error)
}

// SettingsMessages writes the messages of the settings flows.
type SettingsMessages interface {
	// ChangeEmailCode carries the code that proves a new address.
	ChangeEmailCode(ctx context.Context, to, code string, ttl time.Duration) (Message, error)
	// EmailChanged tells the old address the account's email changed to
	// masked (a masked form of the new one).
	EmailChanged(ctx context.Context, to, masked string) (Message, error)
	// ReauthCode carries a code proving it is the user, by email.
	ReauthCode(ctx context.Context, to, code string, ttl time.Duration) (Message, error)
}

// SettingsOptions tunes Settings; the zero value is usable.
type SettingsOptions struct {
	DeleteGrace time.Duration    // how long a deleted account can be restored; 14 days when zero
	CodeTTL     time.Duration    // how long codes work; 10 minutes when zero
	Clock       func() time.Time // time.Now when nil
	// ResetHold is how long after a password reset the account's email
	// and phone cannot change (DefaultResetHold when zero).
	ResetHold time.Duration
	Logger    *slog.Logger
	// SMS writes reauthentication codes sent by text message; nil leaves
	// phone numbers out of reauthentication.
	SMS SMSMessages
	// Email writes the settings emails; nil (no email delivery) leaves
	// changing the email and emailed reauthentication codes out.
	Email SettingsMessages
	// Guard bounds the passwords typed to re-authenticate, on the same
	// budget as the login form's; nil only in tests of one flow.
	Guard Guard
}

// DefaultDeleteGrace is how long a deleted account can be restored by
// signing in, unless configured (LATCH_DELETE_GRACE).
const DefaultDeleteGrace = 14 * 24 * time.Hour

// Settings runs the account settings flows. Build it with NewSettings.
type Settings struct {
	store    SettingsStore
	events   EventLog
	sessions SessionStore
	codes    CodeStore // nil without any delivery
	hasher   Hasher
	otp      *otp.Hasher
	audit    Auditor
	o        SettingsOptions
}

// NewSettings returns the settings flows. codes and otpHasher may be nil
// when no email or SMS can be delivered: then only a password proves who
// a user is, and the email cannot be changed.
func NewSettings(store SettingsStore, events EventLog, sessions SessionStore, codes CodeStore, otpHasher *otp.Hasher,
	hasher Hasher, audit Auditor, o SettingsOptions) *Settings {
	if o.DeleteGrace <= 0 {
		o.DeleteGrace = DefaultDeleteGrace
	}
	if o.CodeTTL <= 0 {
		o.CodeTTL = 10 * time.Minute
	}
	if o.ResetHold <= 0 {
		o.ResetHold = DefaultResetHold
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if codes == nil || otpHasher == nil {
		codes, o.Email, o.SMS = nil, nil, nil
	}
	return &Settings{store: store, events: events, sessions: sessions, codes: codes, otp: otpHasher, hasher: hasher, audit: audit, o: o}
}

// DeleteGrace is how long a deleted account can be restored.
func (s *Settings) DeleteGrace() time.Duration { return s.o.DeleteGrace }

// CanChangeEmail reports whether emails can be sent, which changing the
// address needs.
func (s *Settings) CanChangeEmail() bool { return s.o.Email != nil }

// Cooldown is how long an address waits between two codes of one flow.
func (s *Settings) Cooldown() time.Duration {
	if s.codes == nil {
		return 0
	}
	return s.codes.Cooldown()
}

// ReauthOption is how a user can prove who they are again: with their
// password, or else with a code sent to one verified identity.
type ReauthOption struct {
	Password bool
	Channel  otp.Channel // with !Password: where a code goes; "" when none can
	To       string      // the identity the code goes to (never shown whole)
	Masked   string      // To, masked for the page: "a***@example.com"
}

// Reauth returns how userID can prove who they are: the password when
// there is one; otherwise a code to the first verified email address, or
// else the first verified phone number, when such messages can be sent.
//
// Errors: ErrNotFound when the user is gone; anything else is internal.
func (s *Settings) Reauth(ctx context.Context, appID, userID uuid.UUID) (ReauthOption, error) {
	if _, err := s.store.PasswordHash(ctx, appID, userID); err == nil {
		return ReauthOption{Password: true}, nil
	} else if !errors.Is(err, ErrNotFound) {
		return ReauthOption{}, fmt.Errorf("auth: reauth: %w", err)
	}
	acct, err := s.store.Account(ctx, appID, userID)
	if err != nil {
		return ReauthOption{}, err
	}
	for _, kind := range []IdentityKind{IdentityEmail, IdentityPhone} {
		for _, id := range acct.Identities {
			if id.Kind != kind || id.VerifiedAt == nil {
				continue
			}
			if kind == IdentityEmail && s.o.Email != nil {
				return ReauthOption{Channel: otp.ChannelEmail, To: id.Value, Masked: MaskEmail(id.Value)}, nil
			}
			if kind == IdentityPhone && s.o.SMS != nil {
				return ReauthOption{Channel: otp.ChannelSMS, To: id.Value, Masked: MaskPhone(id.Value)}, nil
			}
		}
	}
	return ReauthOption{}, nil
}

// ReauthPassword checks the signed-in user's password.
//
// Errors: *Error with messages.ReauthFailed for a wrong password, a user
// without one or malformed input; ctx errors while waiting for the
// hasher; anything else is internal.
func (s *Settings) ReauthPassword(ctx context.Context, appID, userID uuid.UUID, plain string) error {
	failed := &Error{Code: messages.ReauthFailed}
	if plain == "" || len(plain) > validate.PasswordMaxBytes {
		s.record(ctx, Event{AppID: appID, UserID: userID, Name: "reauth", Outcome: Failure, Detail: map[string]string{"method": "password", "reason": "malformed_input"}})
		return failed
	}
	plain = password.Normalize(plain)
	attempt, err := reserve(ctx, s.o.Guard, guard.Password, subject(ctx, userID, ""), messages.LoginThrottled)
	if err != nil {
		if Refused(err) {
			s.record(ctx, Event{AppID: appID, UserID: userID, Name: "reauth", Outcome: Failure, Detail: map[string]string{"method": "password", "reason": "throttled"}})
		}
		return err
	}
	hash, err := s.store.PasswordHash(ctx, appID, userID)
	if errors.Is(err, ErrNotFound) {
		if _, err := s.hasher.VerifyDummy(ctx, plain); err != nil {
			return fmt.Errorf("auth: reauth: %w", err)
		}
		s.record(ctx, Event{AppID: appID, UserID: userID, Name: "reauth", Outcome: Failure, Detail: map[string]string{"method": "password", "reason": "no_password"}})
		return failed
	}
	if err != nil {
		return fmt.Errorf("auth: reauth: %w", err)
	}
	ok, _, err := s.hasher.Verify(ctx, plain, hash)
	if err != nil {
		attempt.Release(ctx)
		return fmt.Errorf("auth: reauth: verify: %w", err)
	}
	if !ok {
		s.record(ctx, Event{AppID: appID, UserID: userID, Name: "reauth", Outcome: Failure, Detail: map[string]string{"method": "password", "reason": "wrong_password"}})
		return failed
	}
	attempt.Succeeded(ctx)
	s.record(ctx, Event{AppID: appID, UserID: userID, Name: "reauth", Outcome: Success, Detail: map[string]string{"method": "password"}})
	return nil
}

// SendReauthCode sends a code to the identity Reauth chose, bound to the
// user, and returns that option.
//
// Errors: *Error with messages.ReauthNoMethod when no code can be sent
// (the user has a password, or no verified identity a message can reach);
// messages.CodeSendLimited (its Err a *otp.SendLimitError) when the
// identity was sent codes too recently; anything else is internal.
func (s *Settings) SendReauthCode(ctx context.Context, appID, userID uuid.UUID) (ReauthOption, error) {
	opt, err := s.Reauth(ctx, appID, userID)
	if err != nil {
		return ReauthOption{}, err
	}
	if opt.Password || opt.Channel == "" {
		return opt, &Error{Code: messages.ReauthNoMethod}
	}
	code := otp.NewCode()
	var m Message
	if opt.Channel == otp.ChannelEmail {
		m, err = s.o.Email.ReauthCode(ctx, opt.To, code, s.o.CodeTTL)
	} else {
		m, err = s.o.SMS.SMSCode(ctx, otp.PurposeReauth, opt.To, code, s.o.CodeTTL)
		m.SMS, m.To = true, opt.To
	}
	if err != nil {
		return ReauthOption{}, fmt.Errorf("auth: reauth message: %w", err)
	}
	m.Expires = s.o.Clock().Add(s.o.CodeTTL)
	in := otp.Issue{AppID: appID, UserID: &userID, Purpose: otp.PurposeReauth, Channel: opt.Channel, Identity: opt.To,
		CodeHash: s.otp.Code(otp.PurposeReauth, opt.To, code), TTL: s.o.CodeTTL}
	if err := s.issue(ctx, in, &m); err != nil {
		return opt, err
	}
	return opt, nil
}

// VerifyReauthCode spends a code SendReauthCode sent.
//
// Errors: *Error with messages.CodeInvalid for a wrong, expired, used or
// malformed code, or one for another user; messages.CodeExhausted once
// too many wrong codes voided it; messages.ReauthNoMethod when the user
// cannot be sent codes; anything else is internal.
func (s *Settings) VerifyReauthCode(ctx context.Context, appID, userID uuid.UUID, code string) error {
	opt, err := s.Reauth(ctx, appID, userID)
	if err != nil {
		return err
	}
	if opt.Password || opt.Channel == "" {
		return &Error{Code: messages.ReauthNoMethod}
	}
	if _, err := s.spend(ctx, appID, userID, otp.PurposeReauth, opt.To, code); err != nil {
		s.record(ctx, Event{AppID: appID, UserID: userID, Name: "reauth", Outcome: Failure, Detail: map[string]string{"method": string(opt.Channel) + "_code", "reason": "wrong_code"}})
		return err
	}
	s.record(ctx, Event{AppID: appID, UserID: userID, Name: "reauth", Outcome: Success, Detail: map[string]string{"method": string(opt.Channel) + "_code"}})
	return nil
}

// RecordReauth records a re-authentication decided elsewhere (another
// Reauthenticator, such as an authenticator app), with method naming it.
func (s *Settings) RecordReauth(ctx context.Context, appID, userID uuid.UUID, method string, ok bool) {
	e := Event{AppID: appID, UserID: userID, Name: "reauth", Outcome: Success, Detail: map[string]string{"method": method}}
	if !ok {
		e.Outcome, e.Detail["reason"] = Failure, "wrong_code"
	}
	s.record(ctx, e)
}

// FieldNewEmail names the new address field in Error.Fields.
const FieldNewEmail = "email"

// RequestEmailChange sends a code to newEmail, bound to the user and to
// the purpose change_email, and returns the address normalized. It is sent
// whether or not another account holds the address: that is refused only
// once the code proves the mailbox (VerifyEmailChange), so this step says
// nothing about other accounts.
//
// Errors: *Error with messages.FormInvalid and a FieldNewEmail problem for
// a malformed address, or messages.EmailChangeSame for the current one;
// messages.EmailChangeOff without email delivery;
// messages.CodeSendLimited when the address was sent codes too recently;
// ErrNotFound when the user is gone; anything else is internal.
func (s *Settings) RequestEmailChange(ctx context.Context, appID, userID uuid.UUID, newEmail string) (string, error) {
	if s.o.Email == nil {
		return "", &Error{Code: messages.EmailChangeOff}
	}
	email, problem := validate.Email(newEmail)
	if problem != "" {
		return "", &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldNewEmail: problem}}
	}
	acct, err := s.store.Account(ctx, appID, userID)
	if err != nil {
		return "", err
	}
	if acct.User.HeldAfterReset(s.o.Clock(), s.o.ResetHold) {
		s.record(ctx, Event{AppID: appID, UserID: userID, Name: "email.change", Outcome: Failure, Detail: map[string]string{"reason": "held_after_reset"}})
		return "", &Error{Code: messages.ChangeHeldAfterReset}
	}
	if acct.Email() == email {
		return email, &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldNewEmail: messages.EmailChangeSame}}
	}
	code := otp.NewCode()
	m, err := s.o.Email.ChangeEmailCode(ctx, email, code, s.o.CodeTTL)
	if err != nil {
		return "", fmt.Errorf("auth: change email message: %w", err)
	}
	m.Expires = s.o.Clock().Add(s.o.CodeTTL)
	in := otp.Issue{AppID: appID, UserID: &userID, Purpose: otp.PurposeChangeEmail, Channel: otp.ChannelEmail, Identity: email,
		CodeHash: s.otp.Code(otp.PurposeChangeEmail, email, code), TTL: s.o.CodeTTL}
	return email, s.issue(ctx, in, &m)
}

// VerifyEmailChange spends a code RequestEmailChange sent to newEmail and
// makes newEmail the account's address, verified. The old address, if
// any, is sent a notice in the same transaction; an account without one
// (signed up by phone) simply gains the address. It returns the old
// address ("" when there was none).
//
// Errors: *Error with messages.CodeInvalid for a wrong, expired, used or
// malformed code, or one sent for another user or purpose;
// messages.CodeExhausted once too many wrong codes voided it;
// messages.EmailTaken when another account holds the address (the code is
// spent); ErrNotFound when the user is gone; anything else is internal.
func (s *Settings) VerifyEmailChange(ctx context.Context, appID, userID uuid.UUID, newEmail, code string) (string, error) {
	email, problem := validate.Email(newEmail)
	if problem != "" || s.o.Email == nil {
		return "", &Error{Code: messages.CodeInvalid}
	}
	if _, err := s.spend(ctx, appID, userID, otp.PurposeChangeEmail, email, code); err != nil {
		return "", err
	}
	old, err := s.store.ReplaceEmail(ctx, appID, userID, email, s.o.Clock(), func(old string) (*Message, error) {
		if old == "" || old == email {
			return nil, nil
		}
		m, err := s.o.Email.EmailChanged(ctx, old, MaskEmail(email))
		if err != nil {
			return nil, err
		}
		m.Expires = s.o.Clock().Add(24 * time.Hour)
		return &m, nil
	})
	if errors.Is(err, ErrIdentityTaken) {
		s.record(ctx, Event{AppID: appID, UserID: userID, Name: "email.change", Outcome: Failure, Detail: map[string]string{"reason": "identity_taken"}})
		return "", &Error{Code: messages.EmailTaken, Err: err}
	}
	if err != nil {
		return "", err
	}
	result := "changed"
	if old == "" {
		result = "added"
	}
	s.record(ctx, Event{AppID: appID, UserID: userID, Name: "email.change", Outcome: Success, Detail: map[string]string{"result": result}})
	return old, nil
}

// CanRemove is the identity removal rule: an account must keep at least
// one way in that needs nothing else: a verified identity (which can
// receive a code that signs in or recovers a forgotten password; or a
// linked sign-in provider) or a passkey. A password does not count on its
// own: it signs in only together with an email address, and an unverified
// address cannot receive the code that would recover a forgotten
// password. So removing an identity is allowed when another verified
// identity (an email address, a phone number or a sign-in provider) or a
// passkey remains.
//
// Errors: *Error with messages.IdentityLastWayIn when it would not.
func CanRemove(a Account, kind IdentityKind, value string) error {
	if a.Passkeys > 0 {
		return nil
	}
	for _, id := range a.Identities {
		if id.Kind == kind && id.Value == value {
			continue
		}
		if id.VerifiedAt != nil {
			return nil
		}
	}
	return &Error{Code: messages.IdentityLastWayIn}
}

// CanRemovePasskey is the same rule for a passkey: removing one is allowed
// while another passkey or a verified identity remains.
//
// Errors: *Error with messages.PasskeyLastWayIn when it would not.
func CanRemovePasskey(a Account) error {
	if a.Passkeys > 1 {
		return nil
	}
	for _, id := range a.Identities {
		if id.VerifiedAt != nil {
			return nil
		}
	}
	return &Error{Code: messages.PasskeyLastWayIn}
}

// RemoveIdentity removes one of the user's identities, if CanRemove
// allows it at that moment (decided under a lock on the user, so two
// removals cannot each leave the other as the last).
//
// Errors: *Error with messages.IdentityLastWayIn;
// messages.ChangeHeldAfterReset within ResetHold of a password reset;
// messages.IdentityNotFound when the user holds no such identity; anything
// else is internal.
func (s *Settings) RemoveIdentity(ctx context.Context, appID, userID uuid.UUID, kind IdentityKind, value string) error {
	if kind != IdentityEmail && kind != IdentityPhone {
		return &Error{Code: messages.IdentityNotFound}
	}
	reason := "last_way_in"
	err := s.store.RemoveIdentity(ctx, appID, userID, kind, value, func(a Account, _ bool) error {
		if a.User.HeldAfterReset(s.o.Clock(), s.o.ResetHold) {
			reason = "held_after_reset"
			return &Error{Code: messages.ChangeHeldAfterReset}
		}
		return CanRemove(a, kind, value)
	})
	var ae *Error
	switch {
	case errors.As(err, &ae):
		s.record(ctx, Event{AppID: appID, UserID: userID, Name: "identity.remove", Outcome: Failure, Detail: map[string]string{"kind": string(kind), "reason": reason}})
		return err
	case errors.Is(err, ErrNotFound):
		return &Error{Code: messages.IdentityNotFound, Err: err}
	case err != nil:
		return fmt.Errorf("auth: remove identity: %w", err)
	}
	s.record(ctx, Event{AppID: appID, UserID: userID, Name: "identity.remove", Outcome: Success, Detail: map[string]string{"kind": string(kind)}})
	return nil
}

// DeleteAccount deletes the user's account, restorable by signing in for
// DeleteGrace: every session ends and every token is revoked at once. It
// returns when the grace period ends.
//
// Errors: ErrNotFound when the user is gone or not active; anything else
// is internal.
func (s *Settings) DeleteAccount(ctx context.Context, appID, userID uuid.UUID) (time.Time, error) {
	now := s.o.Clock().UTC().Truncate(time.Microsecond)
	until := now.Add(s.o.DeleteGrace)
	n, err := s.store.BeginDeletion(ctx, appID, userID, now, until)
	if errors.Is(err, ErrNotFound) {
		return time.Time{}, err
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("auth: delete account: %w", err)
	}
	s.record(ctx, Event{AppID: appID, UserID: userID, Name: "account.delete", Outcome: Success,
		Detail: map[string]string{"purge_after": until.Format(time.RFC3339)}})
	s.record(ctx, Event{AppID: appID, UserID: userID, Name: "session.revoke", Outcome: Success,
		Detail: map[string]string{"scope": RevokeAll, "count": fmt.Sprint(n), "reason": "account_deleted"}})
	return until, nil
}

// Purge removes the personal data of every account whose grace period has
// ended, in batches, and records an "account.purge" event for each. It
// returns how many it purged.
func (s *Settings) Purge(ctx context.Context) (int, error) {
	total := 0
	for {
		users, err := s.store.PurgeDue(ctx, s.o.Clock(), 100)
		if err != nil {
			return total, fmt.Errorf("auth: purge: %w", err)
		}
		for _, u := range users {
			s.record(ctx, Event{AppID: u.AppID, UserID: u.ID, Name: "account.purge", Outcome: Success})
		}
		total += len(users)
		if len(users) < 100 {
			return total, nil
		}
	}
}

// RunPurge calls Purge every interval until ctx ends, logging failures.
func (s *Settings) RunPurge(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Purge(ctx); err != nil {
			s.o.Logger.ErrorContext(ctx, "purge of deleted accounts failed", "err", err)
		} else if n > 0 {
			s.o.Logger.InfoContext(ctx, "deleted accounts purged", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Export is everything Latch holds about a user that they may download:
// never a password hash, token or code.
type Export struct {
	User        User
	HasPassword bool
	Identities  []Identity
	Sessions    []Session
	Events      []SecurityEvent
}

// ExportLimit caps the security events in an export.
const ExportLimit = 1000

// Export returns the user's data for download and records an
// "account.export" event.
//
// Errors: ErrNotFound when the user is gone; anything else is internal.
func (s *Settings) Export(ctx context.Context, appID, userID uuid.UUID) (Export, error) {
	acct, err := s.store.Account(ctx, appID, userID)
	if err != nil {
		return Export{}, err
	}
	_, err = s.store.PasswordHash(ctx, appID, userID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Export{}, fmt.Errorf("auth: export: %w", err)
	}
	sessions, err := s.sessions.UserSessions(ctx, userID)
	if err != nil {
		return Export{}, fmt.Errorf("auth: export: %w", err)
	}
	events, err := s.events.UserEvents(ctx, appID, userID, 0, ExportLimit)
	if err != nil {
		return Export{}, fmt.Errorf("auth: export: %w", err)
	}
	s.record(ctx, Event{AppID: appID, UserID: userID, Name: "account.export", Outcome: Success})
	return Export{User: acct.User, HasPassword: err == nil, Identities: acct.Identities, Sessions: sessions, Events: events}, nil
}

// Activity returns a page of the user's own security events, newest
// first: at most limit with an id below before (0: from the newest).
func (s *Settings) Activity(ctx context.Context, appID, userID uuid.UUID, before int64, limit int) ([]SecurityEvent, error) {
	return s.events.UserEvents(ctx, appID, userID, before, limit)
}

// issue stores a code and queues its message, mapping a send limit.
func (s *Settings) issue(ctx context.Context, in otp.Issue, m *Message) error {
	detail := map[string]string{"purpose": string(in.Purpose), "channel": string(in.Channel)}
	err := s.codes.Issue(ctx, in, m)
	if errors.Is(err, otp.ErrSendLimited) {
		detail["reason"] = "limited"
		s.record(ctx, Event{AppID: in.AppID, UserID: userID(in.UserID), Name: "code.send", Outcome: Failure, Detail: detail})
		return &Error{Code: messages.CodeSendLimited, Err: err}
	}
	if err != nil {
		return fmt.Errorf("auth: %s code: %w", in.Purpose, err)
	}
	s.record(ctx, Event{AppID: in.AppID, UserID: userID(in.UserID), Name: "code.send", Outcome: Success, Detail: detail})
	return nil
}

// spend checks a code for purpose and identity, bound to userID.
func (s *Settings) spend(ctx context.Context, appID, uid uuid.UUID, purpose otp.Purpose, identity, code string) (otp.Record, error) {
	if s.codes == nil {
		return otp.Record{}, &Error{Code: messages.CodeInvalid}
	}
	code, err := otp.NormalizeCode(code)
	if err != nil {
		return otp.Record{}, &Error{Code: messages.CodeInvalid, Err: err}
	}
	rec, err := s.codes.Verify(ctx, appID, purpose, identity, s.otp.Code(purpose, identity, code))
	detail := map[string]string{"purpose": string(purpose)}
	switch {
	case errors.Is(err, otp.ErrExhausted):
		detail["reason"] = "exhausted"
		s.record(ctx, Event{AppID: appID, UserID: uid, Name: "code.use", Outcome: Failure, Detail: detail})
		return otp.Record{}, &Error{Code: messages.CodeExhausted, Err: err}
	case errors.Is(err, otp.ErrInvalid), errors.Is(err, otp.ErrExpired), errors.Is(err, otp.ErrUsed):
		detail["reason"] = reason(err)
		s.record(ctx, Event{AppID: appID, UserID: uid, Name: "code.use", Outcome: Failure, Detail: detail})
		return otp.Record{}, &Error{Code: messages.CodeInvalid, Err: err}
	case err != nil:
		return otp.Record{}, fmt.Errorf("auth: verify %s code: %w", purpose, err)
	}
	if rec.UserID == nil || *rec.UserID != uid {
		detail["reason"] = "other_user"
		s.record(ctx, Event{AppID: appID, UserID: uid, Name: "code.use", Outcome: Failure, Detail: detail})
		return otp.Record{}, &Error{Code: messages.CodeInvalid}
	}
	s.record(ctx, Event{AppID: appID, UserID: uid, Name: "code.use", Outcome: Success, Detail: detail})
	return rec, nil
}

func (s *Settings) record(ctx context.Context, e Event) {
	if err := s.audit.Record(ctx, e); err != nil {
		s.o.Logger.ErrorContext(ctx, "audit write failed", "event", e.Name, "err", err)
	}
}

// MaskEmail hides most of an address's local part: "ada@example.com"
// becomes "a***@example.com".
func MaskEmail(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		return "***"
	}
	first := []rune(email[:at])[0]
	return string(first) + "***" + email[at:]
}

// MaskPhone hides all but the country code's start and the last two digits
// of a number in E.164: "+447400123456" becomes "+44 ••• ••• •56".
func MaskPhone(number string) string {
	if len(number) < 6 {
		return "•••"
	}
	return number[:3] + " ••• ••• •" + number[len(number)-2:]
}
