package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/password"
)

// Password reset and password change. A reset is asked for with an email
// address (one message carrying a code and a link, in one stored row, so
// using either spends both) or a verified mobile number (a code by SMS);
// unknown identifiers get the same answer, a stored row and a decoy
// message. The code or link is checked before the new password is hashed,
// and spent in the same transaction that stores the password, ends the
// user's other sessions, revokes their token families and queues the
// "your password was changed" notice: malformed input and refused
// passwords spend nothing.

// FieldCurrentPassword names the current password field in Error.Fields.
const FieldCurrentPassword = "current_password"

// PasswordChange is what PasswordStore.SetPassword writes, all in one
// transaction.
type PasswordChange struct {
	AppID  uuid.UUID
	UserID uuid.UUID
	Hash   string    // the new password's PHC string
	Spend  uuid.UUID // the one-time code or link row that proved a reset; uuid.Nil for none
	// EndSessions deletes every session of the user except Keep (a public
	// id; "" keeps none).
	EndSessions bool
	Keep        string
	Reason      string   // why token families are revoked: "password_reset", "password_change"
	Notice      *Message // queued with the change; nil for none
}

// PasswordChanged says what SetPassword ended.
type PasswordChanged struct {
	Sessions int // sessions deleted
	Families int // token families revoked
}

// PasswordStore stores passwords.
type PasswordStore interface {
	// PasswordHash returns the user's password hash, or ErrNotFound when
	// the user has no password.
	PasswordHash(ctx context.Context, appID, userID uuid.UUID) (string, error)
	// SetPassword writes c in one transaction. It returns otp.ErrUsed when
	// c.Spend is no longer usable, and ErrNotFound when the app has no such
	// active user.
	SetPassword(ctx context.Context, c PasswordChange) (PasswordChanged, error)
	// SpendProof spends a reset code or link without changing anything
	// else; otp.ErrUsed when it is no longer usable.
	SpendProof(ctx context.Context, id uuid.UUID) error
}

// SecondFactorRequirer says who must pass a second factor to sign in
// (TwoFactor.Required).
type SecondFactorRequirer interface {
	Required(ctx context.Context, appID, userID uuid.UUID) (bool, error)
}

// ResetCodes stores reset codes and links and queues their messages
// (db.Codes). Check and CheckLink never spend: SetPassword does.
type ResetCodes interface {
	Issue(ctx context.Context, in otp.Issue, m *Message) error
	Check(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, identity string, codeHash []byte) (otp.Record, error)
	CheckLink(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, selector string, verifierHash []byte) (otp.Record, error)
	Cooldown() time.Duration
}

// ResetUsers finds the account an identifier belongs to.
type ResetUsers interface {
	UserByIdentity(ctx context.Context, appID uuid.UUID, kind IdentityKind, value string) (User, error)
	UserByVerifiedPhone(ctx context.Context, appID uuid.UUID, number string) (User, error)
	Account(ctx context.Context, appID, userID uuid.UUID) (Account, error)
}

// PasswordMessages writes the messages of the reset and change flows. Links
// are built from the token and the configured public origin, never from a
// request.
type PasswordMessages interface {
	ResetEmail(ctx context.Context, to, code, linkToken string, ttl time.Duration) (Message, error)
	ResetSMS(ctx context.Context, to, code string, ttl time.Duration) (Message, error)
	// ResetSMSElsewhere answers a reset asked by SMS for an account that
	// also has a verified email address: no code, only where to go (the
	// email, or the delayed account recovery).
	ResetSMSElsewhere(ctx context.Context, to string) (Message, error)
	PasswordChangedEmail(ctx context.Context, to string, at time.Time) (Message, error)
	PasswordChangedSMS(ctx context.Context, to string, at time.Time) (Message, error)
}

// Passwords runs password reset and password change.
type Passwords struct {
	users     ResetUsers
	store     PasswordStore
	codes     ResetCodes
	otp       *otp.Hasher
	hasher    Hasher
	msgs      PasswordMessages
	audit     Auditor
	numbers   PhoneNumbers // nil: resets by SMS are off
	email     bool
	blocklist Blocklist
	guard     Guard
	second    SecondFactorRequirer
	ttl       time.Duration
	clock     func() time.Time
	log       *slog.Logger
}

// PasswordsOptions tune Passwords.
type PasswordsOptions struct {
	Email     bool          // resets by email are on (email delivery exists)
	Numbers   PhoneNumbers  // resets by SMS to a verified number are on when set
	TTL       time.Duration // how long a reset code or link works; 15 minutes when zero
	Blocklist Blocklist
	Guard     Guard // bounds the current password typed to change it, on the login budget
	// SecondFactors (nil: nobody) names the accounts whose reset commits
	// only after their second factor (User.PendingPassword).
	SecondFactors SecondFactorRequirer
	Clock         func() time.Time
	Logger        *slog.Logger
}

// NewPasswords returns the reset and change flows.
func NewPasswords(users ResetUsers, store PasswordStore, codes ResetCodes, codeHasher *otp.Hasher, hasher Hasher,
	msgs PasswordMessages, audit Auditor, o PasswordsOptions) *Passwords {
	if o.TTL <= 0 {
		o.TTL = 15 * time.Minute
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Passwords{users: users, store: store, codes: codes, otp: codeHasher, hasher: hasher, msgs: msgs, audit: audit,
		numbers: o.Numbers, email: o.Email, blocklist: o.Blocklist, guard: o.Guard, second: o.SecondFactors, ttl: o.TTL, clock: o.Clock, log: o.Logger}
}

// ResetByEmail and ResetBySMS report which identifiers a reset may be
// asked with.
func (p *Passwords) ResetByEmail() bool { return p.email }

// ResetBySMS reports whether a verified mobile number may ask for a reset.
func (p *Passwords) ResetBySMS() bool { return p.numbers != nil }

// Cooldown is how long an identifier waits between two reset messages.
func (p *Passwords) Cooldown() time.Duration { return p.codes.Cooldown() }

// ResetSent is what RequestReset did: the identifier normalised (the
// address, or the number in E.164), whether it went by SMS, and how long
// until another may be asked for.
type ResetSent struct {
	Identity string
	SMS      bool
	Wait     time.Duration
	Selector string // the emailed link's selector (its public half), "" by SMS
}

// RequestReset sends a reset code and link by email (sms false) or a code
// by SMS to a verified number (sms true). The answer, the work (a stored
// row and a message written and queued) and the limits are the same
// whether or not an active account holds the identifier; for one that
// none does the message is a decoy, never sent.
//
// Errors: *Error with messages.FormInvalid and a FieldEmail or FieldPhone
// problem for a malformed identifier (nothing stored); *Error with
// messages.CodeSendLimited when the identifier was sent codes too recently
// or too often (its Err a *otp.SendLimitError with the wait); anything
// else is internal.
func (p *Passwords) RequestReset(ctx context.Context, appID uuid.UUID, input string, sms bool) (ResetSent, error) {
	sent := ResetSent{SMS: sms}
	in := otp.Issue{AppID: appID, Purpose: otp.PurposeResetPassword, TTL: p.ttl}
	code := otp.NewCode()
	if sms {
		if p.numbers == nil {
			return sent, &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldPhone: messages.PhoneInvalid}}
		}
		number, problem := p.numbers.Normalize(input)
		if problem != "" {
			return sent, &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldPhone: problem}}
		}
		sent.Identity, in.Channel, in.Identity = number, otp.ChannelSMS, number
		in.CodeHash = p.otp.Code(otp.PurposeResetPassword, number, code)
		owner, lookupErr := p.users.UserByVerifiedPhone(ctx, appID, number)
		if lookupErr == nil {
			// One weak channel cannot take an account: a number alone
			// resets only an account it is the only way into. Any other
			// gets no code, only where to go; the answer is the same.
			acct, err := p.users.Account(ctx, appID, owner.ID)
			if err != nil {
				return sent, fmt.Errorf("auth: reset: %w", err)
			}
			if verifiedEmail(acct) {
				return p.resetElsewhere(ctx, sent, in, owner.ID)
			}
		}
		m, err := p.msgs.ResetSMS(ctx, number, code, p.ttl)
		if err != nil {
			return sent, fmt.Errorf("auth: reset message: %w", err)
		}
		m.SMS, m.To = true, number
		return p.issueReset(ctx, sent, in, owner, lookupErr, m)
	}
	email, problem := validate.Email(input)
	if problem != "" {
		return sent, &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldEmail: problem}}
	}
	link := otp.NewLink()
	sent.Identity, sent.Selector, in.Channel, in.Identity = email, link.Selector, otp.ChannelEmail, email
	in.CodeHash = p.otp.Code(otp.PurposeResetPassword, email, code)
	in.Selector, in.VerifierHash = link.Selector, link.VerifierHash
	owner, lookupErr := p.users.UserByIdentity(ctx, appID, IdentityEmail, email)
	m, err := p.msgs.ResetEmail(ctx, email, code, link.Token, p.ttl)
	if err != nil {
		return sent, fmt.Errorf("auth: reset message: %w", err)
	}
	m.To = email
	return p.issueReset(ctx, sent, in, owner, lookupErr, m)
}

// issueReset stores the row and queues m: to owner when lookupErr is nil
// and the account active, as a decoy otherwise.
// verifiedEmail reports whether the account has a verified email address.
func verifiedEmail(a Account) bool {
	for _, id := range a.Identities {
		if id.Kind == IdentityEmail && id.VerifiedAt != nil {
			return true
		}
	}
	return false
}

// resetElsewhere texts a number whose account has a verified email where
// to reset instead. A row is still stored (the send limits and cooldown
// count it, the answer reads the same), holding no user: its code, never
// sent, can reset nothing.
func (p *Passwords) resetElsewhere(ctx context.Context, sent ResetSent, in otp.Issue, owner uuid.UUID) (ResetSent, error) {
	m, err := p.msgs.ResetSMSElsewhere(ctx, in.Identity)
	if err != nil {
		return sent, fmt.Errorf("auth: reset message: %w", err)
	}
	m.SMS, m.To, m.Expires = true, in.Identity, p.clock().Add(p.ttl)
	detail := map[string]string{"purpose": string(otp.PurposeResetPassword), "channel": string(otp.ChannelSMS), "reason": "other_channel"}
	err = p.codes.Issue(ctx, in, &m)
	var limited *otp.SendLimitError
	if errors.As(err, &limited) {
		detail["reason"] = "limited"
		p.record(ctx, Event{AppID: in.AppID, UserID: owner, Name: "code.send", Outcome: Failure, Detail: detail})
		sent.Wait = limited.Wait
		return sent, &Error{Code: messages.CodeSendLimited, Err: err}
	}
	if err != nil {
		return sent, fmt.Errorf("auth: reset: %w", err)
	}
	p.record(ctx, Event{AppID: in.AppID, UserID: owner, Name: "code.send", Outcome: Success, Detail: detail})
	sent.Wait = p.codes.Cooldown()
	return sent, nil
}

func (p *Passwords) issueReset(ctx context.Context, sent ResetSent, in otp.Issue, owner User, lookupErr error, m Message) (ResetSent, error) {
	if lookupErr != nil && !errors.Is(lookupErr, ErrNotFound) {
		return sent, fmt.Errorf("auth: reset: %w", lookupErr)
	}
	known := lookupErr == nil && owner.Status == StatusActive
	if known {
		in.UserID = &owner.ID
	}
	m.Expires, m.Decoy = p.clock().Add(p.ttl), !known
	detail := map[string]string{"purpose": string(otp.PurposeResetPassword), "channel": string(in.Channel)}
	err := p.codes.Issue(ctx, in, &m)
	var limited *otp.SendLimitError
	if errors.As(err, &limited) {
		detail["reason"] = "limited"
		p.record(ctx, Event{AppID: in.AppID, UserID: userID(in.UserID), Name: "code.send", Outcome: Failure, Detail: detail})
		sent.Wait = limited.Wait
		return sent, &Error{Code: messages.CodeSendLimited, Err: err}
	}
	if err != nil {
		return sent, fmt.Errorf("auth: reset: %w", err)
	}
	if !known {
		detail["reason"] = "unknown_identity" // stored and queued as a decoy, never sent
	}
	p.record(ctx, Event{AppID: in.AppID, UserID: userID(in.UserID), Name: "code.send", Outcome: Success, Detail: detail})
	sent.Wait = p.codes.Cooldown()
	return sent, nil
}

// ResetProof is what proves a reset: a code sent to Identity (by SMS when
// SMS), or the token of an emailed link.
type ResetProof struct {
	Identity string
	SMS      bool
	Code     string
	Token    string // a link token; when set, Identity and Code are ignored
}

// CurrentSession is the session of the browser asking: it survives a reset
// when it is signed in as the user whose password is reset.
type CurrentSession struct {
	UserID   uuid.UUID
	PublicID string
}

// Reset sets a new password for the user a reset code or link proves,
// ends every other session of that user, revokes their token families and
// queues the notice. It returns the user, for the caller to sign in (with
// their second factor, when they have one).
//
// Errors: *Error with messages.FormInvalid and a FieldPassword problem for
// a password the rules refuse (nothing spent); messages.CodeInvalid for a
// wrong, expired, used or malformed code, or one sent to an identifier
// without an active account; messages.CodeExhausted once wrong codes
// voided it; messages.ResetLinkInvalid for a link that is wrong, expired,
// used or voided; messages.ResetLinkMalformed for a token Latch could not
// have made (no lookup); anything else is internal.
func (p *Passwords) Reset(ctx context.Context, appID uuid.UUID, proof ResetProof, plain string, cur CurrentSession) (User, error) {
	method := "code"
	invalid := messages.CodeInvalid
	if proof.Token != "" {
		method, invalid = "link", messages.ResetLinkInvalid
	}
	fail := func(reason string, code messages.Key, err error) (User, error) {
		p.record(ctx, Event{AppID: appID, Name: "password.reset", Outcome: Failure, Detail: map[string]string{"reason": reason, "method": method}})
		return User{}, &Error{Code: code, Err: err}
	}
	// Shape first: nothing malformed reaches the store.
	var (
		selector     string
		verifierHash []byte
		code         string
		contextEmail string // known before the lookup for a code sent by email
		err          error
	)
	if proof.Token != "" {
		if selector, verifierHash, err = otp.ParseLink(proof.Token); err != nil {
			return fail("malformed", messages.ResetLinkMalformed, err)
		}
	} else {
		if code, err = otp.NormalizeCode(proof.Code); err != nil {
			return fail("malformed", messages.CodeInvalid, err)
		}
		if !p.wellFormed(proof.Identity, proof.SMS) {
			return fail("malformed", messages.CodeInvalid, nil)
		}
		if !proof.SMS {
			contextEmail = proof.Identity
		}
	}
	plain, problem := p.checkNew(ctx, plain, contextEmail)
	if problem != "" {
		return p.refusePassword(ctx, appID, uuid.Nil, "password.reset", method, problem)
	}
	var rec otp.Record
	if proof.Token != "" {
		rec, err = p.codes.CheckLink(ctx, appID, otp.PurposeResetPassword, selector, verifierHash)
	} else {
		rec, err = p.codes.Check(ctx, appID, otp.PurposeResetPassword, proof.Identity,
			p.otp.Code(otp.PurposeResetPassword, proof.Identity, code))
	}
	switch {
	case errors.Is(err, otp.ErrExhausted):
		if method == "link" {
			return fail("exhausted", invalid, err)
		}
		return fail("exhausted", messages.CodeExhausted, err)
	case errors.Is(err, otp.ErrInvalid), errors.Is(err, otp.ErrExpired), errors.Is(err, otp.ErrUsed):
		return fail(reason(err), invalid, err)
	case err != nil:
		return User{}, fmt.Errorf("auth: reset: %w", err)
	}
	if rec.UserID == nil {
		return fail("unknown_identity", invalid, nil)
	}
	acct, err := p.users.Account(ctx, appID, *rec.UserID)
	if errors.Is(err, ErrNotFound) || (err == nil && acct.User.Status != StatusActive) {
		return fail("inactive", invalid, err)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: reset: %w", err)
	}
	// Now the account is known, the password is checked against its
	// address too: still nothing is spent if it is refused.
	if _, problem := p.checkNew(ctx, plain, acct.Email()); problem != "" {
		return p.refusePassword(ctx, appID, acct.User.ID, "password.reset", method, problem)
	}
	if p.second != nil {
		need, err := p.second.Required(ctx, appID, acct.User.ID)
		if err != nil {
			return User{}, fmt.Errorf("auth: reset: %w", err)
		}
		if need {
			return p.deferReset(ctx, acct, plain, rec, method)
		}
	}
	keep := ""
	if cur.UserID == acct.User.ID {
		keep = cur.PublicID
	}
	changed, err := p.set(ctx, acct, plain, rec.ID, true, keep, "password_reset")
	if errors.Is(err, otp.ErrUsed) || errors.Is(err, ErrNotFound) {
		return fail("used", invalid, err)
	}
	if err != nil {
		return User{}, err
	}
	p.record(ctx, Event{AppID: appID, UserID: acct.User.ID, Name: "password.reset", Outcome: Success,
		Detail: map[string]string{"method": method, "channel": string(rec.Channel), "families_revoked": strconv.Itoa(changed.Families)}})
	p.recordRevoke(ctx, appID, acct.User.ID, keep, changed.Sessions, "password_reset")
	return acct.User, nil
}

// wellFormed reports whether a code step's identifier is what
// RequestReset returned: an address validate.Email leaves as it is, or a
// number in E.164.
func (p *Passwords) wellFormed(identity string, sms bool) bool {
	if sms {
		if p.numbers == nil {
			return false
		}
		n, problem := p.numbers.Normalize(identity)
		return problem == "" && n == identity
	}
	e, problem := validate.Email(identity)
	return problem == "" && e == identity
}

// ErrReauthRequired is returned by Change for an account without a
// password whose session has not proved who they are recently: the caller
// sends them to prove it first.
var ErrReauthRequired = errors.New("auth: a recent proof of identity is required")

// PasswordChangeRequest is a signed-in user's password change.
type PasswordChangeRequest struct {
	UserID  uuid.UUID
	Current string // the current password; ignored for an account without one
	New     string
	// EndOthers signs out every other session; Keep is this session's
	// public id.
	EndOthers bool
	Keep      string
	// Fresh says the session proved who they are recently: required, in
	// place of a current password, for an account without one.
	Fresh bool
}

// HasPassword reports whether the user has a password.
func (p *Passwords) HasPassword(ctx context.Context, appID, userID uuid.UUID) (bool, error) {
	_, err := p.store.PasswordHash(ctx, appID, userID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Change sets a signed-in user's new password. With a password, the
// current one must be given (and counts as a fresh proof: a wrong one is
// audited as a failed login); without, the session must be fresh. Every
// token family of the user is revoked, other sessions end when asked, and
// the notice is queued.
//
// Errors: *Error with messages.FormInvalid and FieldCurrentPassword and/or
// FieldPassword problems; ErrReauthRequired; ErrNotFound when the user is
// gone or inactive; ctx errors while waiting for the hasher; anything else
// is internal.
func (p *Passwords) Change(ctx context.Context, appID uuid.UUID, req PasswordChangeRequest) error {
	acct, err := p.users.Account(ctx, appID, req.UserID)
	if errors.Is(err, ErrNotFound) || (err == nil && acct.User.Status != StatusActive) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	hash, err := p.store.PasswordHash(ctx, appID, req.UserID)
	has := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if !has && !req.Fresh {
		return ErrReauthRequired
	}
	fields := map[string]messages.Key{}
	plain, problem := p.checkNew(ctx, req.New, acct.Email())
	if problem != "" {
		fields[FieldPassword] = problem
	}
	if has {
		switch {
		case req.Current == "":
			fields[FieldCurrentPassword] = messages.CurrentPasswordEmpty
		case len(req.Current) > validate.PasswordMaxBytes:
			fields[FieldCurrentPassword] = messages.CurrentPasswordWrong
		default:
			attempt, err := reserve(ctx, p.guard, guard.Password, subject(ctx, req.UserID, ""), messages.LoginThrottled)
			if err != nil {
				return err
			}
			ok, _, err := p.hasher.Verify(ctx, password.Normalize(req.Current), hash)
			if err != nil {
				attempt.Release(ctx)
				return fmt.Errorf("auth: change password: verify: %w", err)
			}
			if ok {
				attempt.Succeeded(ctx)
			} else {
				fields[FieldCurrentPassword] = messages.CurrentPasswordWrong
				p.record(ctx, Event{AppID: appID, UserID: req.UserID, Name: "login", Outcome: Failure,
					Detail: map[string]string{"reason": "wrong_password", "method": "password_change"}})
			}
		}
	}
	if len(fields) > 0 {
		reason := "password_rules"
		if fields[FieldCurrentPassword] != "" {
			reason = "wrong_current_password"
		}
		p.record(ctx, Event{AppID: appID, UserID: req.UserID, Name: "password.change", Outcome: Failure, Detail: map[string]string{"reason": reason}})
		return &Error{Code: messages.FormInvalid, Fields: fields}
	}
	keep := req.Keep
	changed, err := p.set(ctx, acct, plain, uuid.Nil, req.EndOthers && keep != "", keep, "password_change")
	if err != nil {
		return err
	}
	detail := map[string]string{"families_revoked": strconv.Itoa(changed.Families), "had_password": strconv.FormatBool(has)}
	p.record(ctx, Event{AppID: appID, UserID: req.UserID, Name: "password.change", Outcome: Success, Detail: detail})
	if req.EndOthers && keep != "" {
		p.recordRevoke(ctx, appID, req.UserID, keep, changed.Sessions, "password_change")
	}
	return nil
}

// deferReset is a reset of an account with a second factor: the proof is
// spent and the new password hashed, but nothing of the account changes
// (its password, sessions and token families stay) until the second
// factor passes and the caller commits User.PendingPassword with
// CommitReset. A reset that never finishes changes nothing.
func (p *Passwords) deferReset(ctx context.Context, acct Account, plain string, rec otp.Record, method string) (User, error) {
	if _, err := reserve(ctx, p.guard, guard.SetPassword, subject(ctx, acct.User.ID, ""), messages.TooManyAttempts); err != nil {
		return User{}, err
	}
	hash, err := p.hasher.Hash(ctx, plain)
	if err != nil {
		return User{}, fmt.Errorf("auth: reset: hash: %w", err)
	}
	if err := p.store.SpendProof(ctx, rec.ID); err != nil {
		if errors.Is(err, otp.ErrUsed) {
			p.record(ctx, Event{AppID: acct.User.AppID, UserID: acct.User.ID, Name: "password.reset", Outcome: Failure, Detail: map[string]string{"reason": "used", "method": method}})
			return User{}, &Error{Code: messages.CodeInvalid, Err: err}
		}
		return User{}, fmt.Errorf("auth: reset: %w", err)
	}
	p.record(ctx, Event{AppID: acct.User.AppID, UserID: acct.User.ID, Name: "password.reset", Outcome: Success,
		Detail: map[string]string{"method": method, "channel": string(rec.Channel), "committed": "after_second_factor"}})
	u := acct.User
	u.PendingPassword = hash
	return u, nil
}

// CommitReset stores the new password a reset left pending (its hash, as
// User.PendingPassword carried it) once the account's second factor has
// passed: every session and token family ends, reset links still out are
// voided, and the holder is told.
//
// Errors: ErrNotFound when the account is gone or not active; internal
// ones.
func (p *Passwords) CommitReset(ctx context.Context, appID, userID uuid.UUID, hash string) error {
	acct, err := p.users.Account(ctx, appID, userID)
	if err != nil {
		return err
	}
	notice, err := p.notice(ctx, acct)
	if err != nil {
		return fmt.Errorf("auth: reset: notice: %w", err)
	}
	changed, err := p.store.SetPassword(ctx, PasswordChange{AppID: appID, UserID: userID, Hash: hash,
		EndSessions: true, Reason: "password_reset", Notice: notice})
	if err != nil {
		return fmt.Errorf("auth: reset: %w", err)
	}
	p.record(ctx, Event{AppID: appID, UserID: userID, Name: "password.reset", Outcome: Success,
		Detail: map[string]string{"committed": "second_factor_passed", "families_revoked": strconv.Itoa(changed.Families)}})
	p.recordRevoke(ctx, appID, userID, "", changed.Sessions, "password_reset")
	return nil
}

// set hashes plain (before any transaction opens) and stores it with what
// goes with it: spend, sessions ended, families revoked, the notice.
func (p *Passwords) set(ctx context.Context, acct Account, plain string, spend uuid.UUID, endSessions bool, keep, reason string) (PasswordChanged, error) {
	if _, err := reserve(ctx, p.guard, guard.SetPassword, subject(ctx, acct.User.ID, ""), messages.TooManyAttempts); err != nil {
		return PasswordChanged{}, err
	}
	hash, err := p.hasher.Hash(ctx, plain)
	if err != nil {
		return PasswordChanged{}, fmt.Errorf("auth: %s: hash: %w", reason, err)
	}
	notice, err := p.notice(ctx, acct)
	if err != nil {
		return PasswordChanged{}, fmt.Errorf("auth: %s: notice: %w", reason, err)
	}
	changed, err := p.store.SetPassword(ctx, PasswordChange{AppID: acct.User.AppID, UserID: acct.User.ID, Hash: hash, Spend: spend,
		EndSessions: endSessions, Keep: keep, Reason: reason, Notice: notice})
	if errors.Is(err, otp.ErrUsed) || errors.Is(err, ErrNotFound) {
		return PasswordChanged{}, err
	}
	if err != nil {
		return PasswordChanged{}, fmt.Errorf("auth: %s: %w", reason, err)
	}
	return changed, nil
}

// notice is the "your password was changed" message: an email to the
// account's address, or, for an account without one, an SMS to its
// verified number; nil for an account with neither.
func (p *Passwords) notice(ctx context.Context, acct Account) (*Message, error) {
	at := p.clock()
	if email := acct.Email(); email != "" {
		m, err := p.msgs.PasswordChangedEmail(ctx, email, at)
		if err != nil {
			return nil, err
		}
		m.To, m.Expires = email, at.Add(24*time.Hour)
		return &m, nil
	}
	for _, id := range acct.Identities {
		if id.Kind == IdentityPhone && id.VerifiedAt != nil {
			m, err := p.msgs.PasswordChangedSMS(ctx, id.Value, at)
			if err != nil {
				return nil, err
			}
			m.SMS, m.To, m.Expires = true, id.Value, at.Add(24*time.Hour)
			return &m, nil
		}
	}
	return nil, nil
}

// checkNew normalises a new password and returns the problem the rules
// (and the blocklist) find with it, as signup does.
func (p *Passwords) checkNew(ctx context.Context, plain, email string) (string, messages.Key) {
	return checkNewPassword(ctx, plain, email, p.blocklist)
}

func (p *Passwords) refusePassword(ctx context.Context, appID, userID uuid.UUID, event, method string, problem messages.Key) (User, error) {
	p.record(ctx, Event{AppID: appID, UserID: userID, Name: event, Outcome: Failure, Detail: map[string]string{"reason": "password_rules", "method": method}})
	return User{}, &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldPassword: problem}}
}

func (p *Passwords) recordRevoke(ctx context.Context, appID, userID uuid.UUID, keep string, n int, reason string) {
	scope := RevokeAll
	if keep != "" {
		scope = RevokeOthers
	}
	p.record(ctx, Event{AppID: appID, UserID: userID, Name: "session.revoke", Outcome: Success,
		Detail: map[string]string{"scope": scope, "count": strconv.Itoa(n), "reason": reason}})
}

func (p *Passwords) record(ctx context.Context, e Event) {
	if err := p.audit.Record(ctx, e); err != nil {
		p.log.ErrorContext(ctx, "audit write failed", "event", e.Name, "outcome", e.Outcome, "err", err)
	}
}
