package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/otp"
)

// FieldPhone names the phone number field in Error.Fields.
const FieldPhone = "phone"

// PhoneUserStore is the storage the phone flows need.
type PhoneUserStore interface {
	// UserByVerifiedPhone returns the user holding the verified phone
	// identity number (E.164), or ErrNotFound.
	UserByVerifiedPhone(ctx context.Context, appID uuid.UUID, number string) (User, error)
	// CreatePhoneUser writes u and its phone identity, verified at
	// u.CreatedAt, in one transaction. It returns ErrIdentityTaken when
	// the number already belongs to a user of the app.
	CreatePhoneUser(ctx context.Context, u User, number string) error
	// AddVerifiedPhone gives the user the phone identity, verified at at.
	// It returns added false (and no error) when the user already holds
	// it, marking it verified, and ErrIdentityTaken when another user does.
	AddVerifiedPhone(ctx context.Context, appID, userID uuid.UUID, number string, at time.Time) (added bool, err error)
	// Account returns the user and identities, or ErrNotFound.
	Account(ctx context.Context, appID, userID uuid.UUID) (Account, error)
	// RestoreDeleted: see UserStore.
	RestoreDeleted(ctx context.Context, appID, userID uuid.UUID, now time.Time) (bool, error)
}

// PhoneNumbers normalises typed phone numbers to E.164 (phone.Numbers). It
// returns "" and the message key of the problem for a number it refuses.
type PhoneNumbers interface {
	Normalize(s string) (string, messages.Key)
}

// SMSMessages writes the text messages that carry codes.
type SMSMessages interface {
	SMSCode(ctx context.Context, purpose otp.Purpose, to, code string, ttl time.Duration) (Message, error)
}

// Phones runs the flows that prove a phone number by a code sent by SMS:
// login, passwordless signup, and adding a number to an account.
type Phones struct {
	users   PhoneUserStore
	store   CodeStore
	hasher  *otp.Hasher
	numbers PhoneNumbers
	msgs    SMSMessages
	audit   Auditor
	ttl     time.Duration
	hold    time.Duration
	clock   func() time.Time
	log     *slog.Logger
}

// PhonesOptions tunes Phones; the zero value is usable.
type PhonesOptions struct {
	TTL time.Duration // how long a code works; 10 minutes when zero
	// ResetHold is how long after a password reset no number can be added
	// (DefaultResetHold when zero).
	ResetHold time.Duration
	Clock     func() time.Time // time.Now when nil
	Logger    *slog.Logger
}

// NewPhones returns the phone flows.
func NewPhones(users PhoneUserStore, store CodeStore, hasher *otp.Hasher, numbers PhoneNumbers, msgs SMSMessages, audit Auditor, o PhonesOptions) *Phones {
	if o.TTL <= 0 {
		o.TTL = 10 * time.Minute
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ResetHold <= 0 {
		o.ResetHold = DefaultResetHold
	}
	return &Phones{users: users, store: store, hasher: hasher, numbers: numbers, msgs: msgs, audit: audit,
		ttl: o.TTL, hold: o.ResetHold, clock: o.Clock, log: o.Logger}
}

// RequestLogin sends a login code by SMS to number when an active account
// holds it as a verified identity, and returns the number in E.164. As
// with Codes.RequestLogin, the answer, the stored row and the send limits
// are the same whether or not one does: only no message is queued.
//
// Errors: *Error with messages.FormInvalid and a FieldPhone problem for a
// number that is malformed, not allowed or not a mobile;
// messages.CodeSendLimited when the number was sent codes too recently or
// too often; anything else is internal.
func (p *Phones) RequestLogin(ctx context.Context, appID uuid.UUID, input string) (string, error) {
	number, err := p.normalize(input)
	if err != nil {
		return "", err
	}
	var owner *uuid.UUID
	u, err := p.users.UserByVerifiedPhone(ctx, appID, number)
	switch {
	case err == nil && u.CanSignIn(p.clock()):
		owner = &u.ID
	case err != nil && !errors.Is(err, ErrNotFound):
		return "", fmt.Errorf("auth: phone login code: %w", err)
	}
	return number, p.issue(ctx, appID, otp.PurposeLogin, number, owner, owner != nil)
}

// VerifyLogin spends a login code sent by SMS and returns the user it
// proves.
//
// Errors: *Error with messages.CodeInvalid for a wrong, expired, used or
// malformed code, or one for a number without an active account;
// messages.CodeExhausted once too many wrong codes voided it; anything
// else is internal.
func (p *Phones) VerifyLogin(ctx context.Context, appID uuid.UUID, number, code string) (User, error) {
	rec, err := p.spend(ctx, appID, otp.PurposeLogin, number, code)
	if err != nil {
		return User{}, err
	}
	if rec.UserID == nil {
		p.record(ctx, Event{AppID: appID, Name: "code.use", Outcome: Failure, Detail: smsDetail(otp.PurposeLogin, "reason", "unknown_identity")})
		return User{}, &Error{Code: messages.CodeInvalid}
	}
	u, err := p.active(ctx, appID, *rec.UserID)
	if err != nil {
		return User{}, err
	}
	p.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "code.use", Outcome: Success, Detail: smsDetail(otp.PurposeLogin)})
	return u, nil
}

// RequestSignup sends a signup code by SMS to number, whether or not an
// account already holds it (verifying the code then logs in to that
// account), and returns the number in E.164. The answer is the same
// either way.
//
// Errors: as RequestLogin.
func (p *Phones) RequestSignup(ctx context.Context, appID uuid.UUID, input string) (string, error) {
	number, err := p.normalize(input)
	if err != nil {
		return "", err
	}
	return number, p.issue(ctx, appID, otp.PurposeSignup, number, nil, true)
}

// VerifySignup spends a signup code. When an account already holds the
// number it returns that account's user (created false); otherwise it
// creates a user whose one identity is the number, verified. Two signups
// racing for one number make one user: the loser logs in to the winner's.
//
// Errors: as VerifyLogin; a number held by an account that is not active
// is messages.CodeInvalid.
func (p *Phones) VerifySignup(ctx context.Context, appID uuid.UUID, number, code string) (u User, created bool, err error) {
	if _, err := p.spend(ctx, appID, otp.PurposeSignup, number, code); err != nil {
		return User{}, false, err
	}
	for range 2 {
		existing, err := p.users.UserByVerifiedPhone(ctx, appID, number)
		switch {
		case err == nil:
			u, err := p.active(ctx, appID, existing.ID)
			if err != nil {
				return User{}, false, err
			}
			p.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "code.use", Outcome: Success, Detail: smsDetail(otp.PurposeSignup, "result", "existing_account")})
			return u, false, nil
		case !errors.Is(err, ErrNotFound):
			return User{}, false, fmt.Errorf("auth: phone signup: %w", err)
		}
		id, err := uuid.NewV7()
		if err != nil {
			return User{}, false, err
		}
		u = User{ID: id, AppID: appID, Status: StatusActive, CreatedAt: p.clock().UTC().Truncate(time.Microsecond)}
		err = p.users.CreatePhoneUser(ctx, u, number)
		if errors.Is(err, ErrIdentityTaken) {
			continue // a concurrent signup won: log in to its account
		}
		if err != nil {
			return User{}, false, fmt.Errorf("auth: phone signup: %w", err)
		}
		p.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "code.use", Outcome: Success, Detail: smsDetail(otp.PurposeSignup, "result", "new_account")})
		p.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "signup", Outcome: Success, Detail: map[string]string{"method": "phone"}})
		return u, true, nil
	}
	// The number was taken, then its identity vanished: a deleted
	// account at that very moment. Asking again will work.
	return User{}, false, errors.New("auth: phone signup: identity taken but not found")
}

// RequestAdd sends a code by SMS proving number, bound to the signed-in
// user, and returns the number in E.164. It is sent even when another
// account holds the number: that is refused only once the code proves
// possession (VerifyAdd), so this step says nothing about other accounts.
//
// Errors: as RequestLogin.
func (p *Phones) RequestAdd(ctx context.Context, appID, userID uuid.UUID, input string) (string, error) {
	number, err := p.normalize(input)
	if err != nil {
		return "", err
	}
	acct, err := p.users.Account(ctx, appID, userID)
	if err != nil {
		return "", fmt.Errorf("auth: add phone: %w", err)
	}
	if acct.User.HeldAfterReset(p.clock(), p.hold) {
		p.record(ctx, Event{AppID: appID, UserID: userID, Name: "phone.add", Outcome: Failure, Detail: map[string]string{"reason": "held_after_reset"}})
		return "", &Error{Code: messages.ChangeHeldAfterReset}
	}
	return number, p.issue(ctx, appID, otp.PurposeVerifyPhone, number, &userID, true)
}

// VerifyAdd spends a code from RequestAdd and adds the number, verified, to
// the user. It returns added false when the user already held it.
//
// Errors: as VerifyLogin (a code issued to another user is
// messages.CodeInvalid); *Error with messages.PhoneTaken when the code is
// right but another account holds the number; anything else is internal.
func (p *Phones) VerifyAdd(ctx context.Context, appID, userID uuid.UUID, number, code string) (added bool, err error) {
	rec, err := p.spend(ctx, appID, otp.PurposeVerifyPhone, number, code)
	if err != nil {
		return false, err
	}
	if rec.UserID == nil || *rec.UserID != userID {
		p.record(ctx, Event{AppID: appID, UserID: userID, Name: "code.use", Outcome: Failure, Detail: smsDetail(otp.PurposeVerifyPhone, "reason", "other_user")})
		return false, &Error{Code: messages.CodeInvalid}
	}
	p.record(ctx, Event{AppID: appID, UserID: userID, Name: "code.use", Outcome: Success, Detail: smsDetail(otp.PurposeVerifyPhone)})
	added, err = p.users.AddVerifiedPhone(ctx, appID, userID, number, p.clock().UTC())
	if errors.Is(err, ErrIdentityTaken) {
		p.record(ctx, Event{AppID: appID, UserID: userID, Name: "phone.add", Outcome: Failure, Detail: map[string]string{"reason": "identity_taken"}})
		return false, &Error{Code: messages.PhoneTaken, Fields: map[string]messages.Key{FieldPhone: messages.PhoneTaken}, Err: err}
	}
	if err != nil {
		return false, fmt.Errorf("auth: add phone: %w", err)
	}
	if added {
		p.record(ctx, Event{AppID: appID, UserID: userID, Name: "phone.add", Outcome: Success})
	}
	return added, nil
}

// normalize returns input in E.164 or the form error for it.
// Cooldown is how long a number waits between two codes of one flow.
func (p *Phones) Cooldown() time.Duration { return p.store.Cooldown() }

func (p *Phones) normalize(input string) (string, error) {
	number, problem := p.numbers.Normalize(input)
	if problem != "" {
		return "", &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldPhone: problem}}
	}
	return number, nil
}

// issue stores a code for number and queues the SMS carrying it in the
// same transaction: sent when send, otherwise a decoy (queued like a real
// one, so the request takes as long, and never sent).
func (p *Phones) issue(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, number string, owner *uuid.UUID, send bool) error {
	code := otp.NewCode()
	in := otp.Issue{AppID: appID, UserID: owner, Purpose: purpose, Channel: otp.ChannelSMS, Identity: number,
		CodeHash: p.hasher.Code(purpose, number, code), TTL: p.ttl}
	m, err := p.msgs.SMSCode(ctx, purpose, number, code, p.ttl)
	if err != nil {
		return fmt.Errorf("auth: SMS code message: %w", err)
	}
	m.SMS, m.To, m.Expires, m.Decoy = true, number, p.clock().Add(p.ttl), !send
	err = p.store.Issue(ctx, in, &m)
	if errors.Is(err, otp.ErrSendLimited) {
		p.record(ctx, Event{AppID: appID, UserID: userID(owner), Name: "code.send", Outcome: Failure, Detail: smsDetail(purpose, "reason", "limited")})
		return &Error{Code: messages.CodeSendLimited, Err: err}
	}
	if err != nil {
		return fmt.Errorf("auth: SMS code: %w", err)
	}
	detail := smsDetail(purpose)
	if !send {
		detail["reason"] = "unknown_identity" // stored, never sent
	}
	p.record(ctx, Event{AppID: appID, UserID: userID(owner), Name: "code.send", Outcome: Success, Detail: detail})
	return nil
}

// ownerOf returns the user holding the verified number, or uuid.Nil: a
// failure against an account is audited under its user.
func (p *Phones) ownerOf(ctx context.Context, appID uuid.UUID, number string) uuid.UUID {
	u, err := p.users.UserByVerifiedPhone(ctx, appID, number)
	if err != nil {
		return uuid.Nil
	}
	return u.ID
}

// spend checks a code for purpose and number and consumes it.
func (p *Phones) spend(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, number, code string) (otp.Record, error) {
	invalid := &Error{Code: messages.CodeInvalid}
	code, err := otp.NormalizeCode(code)
	// number came back from a form: it must still be what Normalize makes.
	if n, problem := p.numbers.Normalize(number); err != nil || problem != "" || n != number {
		return otp.Record{}, invalid
	}
	rec, err := p.store.Verify(ctx, appID, purpose, number, p.hasher.Code(purpose, number, code))
	switch {
	case errors.Is(err, otp.ErrExhausted):
		p.record(ctx, Event{AppID: appID, UserID: p.ownerOf(ctx, appID, number), Name: "code.use", Outcome: Failure, Detail: smsDetail(purpose, "reason", "exhausted")})
		return otp.Record{}, &Error{Code: messages.CodeExhausted, Err: err}
	case errors.Is(err, otp.ErrInvalid), errors.Is(err, otp.ErrExpired), errors.Is(err, otp.ErrUsed):
		p.record(ctx, Event{AppID: appID, UserID: p.ownerOf(ctx, appID, number), Name: "code.use", Outcome: Failure, Detail: smsDetail(purpose, "reason", reason(err))})
		invalid.Err = err
		return otp.Record{}, invalid
	case err != nil:
		return otp.Record{}, fmt.Errorf("auth: verify SMS code: %w", err)
	}
	return rec, nil
}

// active returns the user if the account may sign in (active, or pending
// deletion: the sign-in restores it once its last factor has passed, see
// Service.Restore), and messages.CodeInvalid if not.
func (p *Phones) active(ctx context.Context, appID, id uuid.UUID) (User, error) {
	acct, err := p.users.Account(ctx, appID, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !acct.User.CanSignIn(p.clock())) {
		return User{}, &Error{Code: messages.CodeInvalid}
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: phone account: %w", err)
	}
	return acct.User, nil
}

func smsDetail(purpose otp.Purpose, kv ...string) map[string]string {
	d := map[string]string{"purpose": string(purpose), "channel": string(otp.ChannelSMS)}
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i]] = kv[i+1]
	}
	return d
}

func (p *Phones) record(ctx context.Context, e Event) {
	if err := p.audit.Record(ctx, e); err != nil {
		p.log.ErrorContext(ctx, "audit write failed", "event", e.Name, "err", err)
	}
}
