package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/otp"
)

// TOTPFactor is a user's stored authenticator-app secret.
type TOTPFactor struct {
	UserID      uuid.UUID
	Sealed      []byte     // the secret, sealed and bound to the user id
	ConfirmedAt *time.Time // nil while the enrolment waits for its first code
	LastStep    int64      // the newest time step accepted
}

// TwoFactorStore keeps second factors: the TOTP secret and recovery codes.
type TwoFactorStore interface {
	// TOTP returns the user's factor, or ErrNotFound.
	TOTP(ctx context.Context, appID, userID uuid.UUID) (TOTPFactor, error)
	// BeginTOTP stores an unconfirmed secret, replacing an unconfirmed one.
	// It returns ErrTOTPActive when a confirmed factor exists.
	BeginTOTP(ctx context.Context, appID, userID uuid.UUID, sealed []byte, at time.Time) error
	// ConfirmTOTP turns the unconfirmed factor on, with step as its first
	// used step, and replaces the recovery codes with hashes, in one
	// transaction. It returns ErrNotFound when no unconfirmed factor
	// exists (none, or confirmed meanwhile).
	ConfirmTOTP(ctx context.Context, appID, userID uuid.UUID, step int64, recovery [][]byte, at time.Time) error
	// UseTOTPStep records step as used and clears the failure count,
	// reporting false (and writing nothing) unless the factor is confirmed
	// and step is later than the last used one.
	UseTOTPStep(ctx context.Context, appID, userID uuid.UUID, step int64) (bool, error)
	// UseRecoveryCode spends the unused recovery code with hash and clears
	// the failure count. It reports whether one was spent and how many
	// unused codes are left.
	UseRecoveryCode(ctx context.Context, appID, userID uuid.UUID, hash []byte, at time.Time) (ok bool, left int, err error)
	// ReplaceRecoveryCodes voids every recovery code and stores hashes. It
	// returns ErrNotFound without a confirmed factor.
	ReplaceRecoveryCodes(ctx context.Context, appID, userID uuid.UUID, hashes [][]byte, at time.Time) error
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, appID, userID uuid.UUID) (int, error)
	// DeleteTOTP removes the factor and the recovery codes, reporting
	// whether a confirmed factor was removed.
	DeleteTOTP(ctx context.Context, appID, userID uuid.UUID) (bool, error)
	// AddFailure counts one wrong second factor. Reaching limit resets the
	// count and reports locked.
	AddFailure(ctx context.Context, appID, userID uuid.UUID, limit int) (locked bool, err error)
}

// ErrTOTPActive is TwoFactorStore.BeginTOTP's error for a user whose
// factor is already on.
var ErrTOTPActive = errors.New("auth: totp already active")

// TwoFactorMessages writes the notices second factors send.
type TwoFactorMessages interface {
	TwoFactorEnabled(ctx context.Context, to string) (Message, error)
	TwoFactorDisabled(ctx context.Context, to string) (Message, error)
	RecoveryCodesReplaced(ctx context.Context, to string) (Message, error)
	RecoveryCodeUsed(ctx context.Context, to string, left int) (Message, error)
	// SecondFactorFailed says someone passed the first factor and then
	// failed the second; failures is how many wrong second factors the
	// account met in the last hour (0: not known).
	SecondFactorFailed(ctx context.Context, to string, failures int) (Message, error)
}

// FailureCounter counts the wrong second factors an account met since a
// time, from the audit log (db.Audit).
type FailureCounter interface {
	SecondFactorFailures(ctx context.Context, appID, userID uuid.UUID, since time.Time) (int, error)
}

// Notifier queues a notice that carries no secret.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// SecondFactorLimit is how many wrong second factors in a row void a
// half-finished sign-in.
const SecondFactorLimit = 5

// The second factors a sign-in can end with, as audit events name them.
const (
	MethodTOTP         = "totp"
	MethodRecoveryCode = "recovery_code"
)

// TwoFactorOptions are the optional parts of TwoFactor.
type TwoFactorOptions struct {
	Issuer   string            // the name authenticator apps show, "Latch" when empty
	Messages TwoFactorMessages // nil with Notifier nil: no notices
	Notifier Notifier          // nil: no notices (no email delivery)
	Guard    Guard             // bounds authenticator and recovery codes; nil only in tests of one flow
	Failures FailureCounter    // counts failures for the lockout notice's summary; nil: not counted
	Clock    func() time.Time  // nil means time.Now
	Logger   *slog.Logger
	// ResetHold is how long after a password reset the factor cannot be
	// turned on and no new recovery codes made, like the email, phone and
	// passkeys (DefaultResetHold when zero): whoever reset the password
	// through one channel cannot take the second step for themselves.
	ResetHold time.Duration
}

// TwoFactor runs the second factor: enrolling an authenticator app (TOTP,
// RFC 6238), recovery codes, and checking either at sign-in.
type TwoFactor struct {
	users  UserStore
	store  TwoFactorStore
	sealer Sealer
	hasher *otp.Hasher
	audit  Auditor
	opt    TwoFactorOptions
}

// NewTwoFactor returns the second-factor flows. sealer seals TOTP secrets
// (token.PurposeTOTP); hasher hashes recovery codes.
func NewTwoFactor(users UserStore, store TwoFactorStore, sealer Sealer, hasher *otp.Hasher, audit Auditor, opt TwoFactorOptions) *TwoFactor {
	if opt.Issuer == "" {
		opt.Issuer = "Latch"
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.ResetHold <= 0 {
		opt.ResetHold = DefaultResetHold
	}
	return &TwoFactor{users: users, store: store, sealer: sealer, hasher: hasher, audit: audit, opt: opt}
}

// TwoFactorStatus is what the account page shows of a user's second factor.
type TwoFactorStatus struct {
	Enabled      bool
	RecoveryLeft int
}

// Required reports whether userID must pass a second factor to sign in: a
// confirmed TOTP factor is on.
func (t *TwoFactor) Required(ctx context.Context, appID, userID uuid.UUID) (bool, error) {
	return TOTPRequired{Store: t.store}.Required(ctx, appID, userID)
}

// TOTPRequired answers TwoFactor.Required from the store alone, for flows
// wired before the second factor itself (password reset).
type TOTPRequired struct {
	Store interface {
		TOTP(ctx context.Context, appID, userID uuid.UUID) (TOTPFactor, error)
	}
}

// Required reports whether userID has a confirmed TOTP factor.
func (r TOTPRequired) Required(ctx context.Context, appID, userID uuid.UUID) (bool, error) {
	f, err := r.Store.TOTP(ctx, appID, userID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("auth: second factor: %w", err)
	}
	return f.ConfirmedAt != nil, nil
}

// Status returns whether the second factor is on and how many recovery
// codes are left.
func (t *TwoFactor) Status(ctx context.Context, appID, userID uuid.UUID) (TwoFactorStatus, error) {
	on, err := t.Required(ctx, appID, userID)
	if err != nil || !on {
		return TwoFactorStatus{}, err
	}
	left, err := t.store.RecoveryCodesLeft(ctx, appID, userID)
	if err != nil {
		return TwoFactorStatus{}, fmt.Errorf("auth: recovery codes: %w", err)
	}
	return TwoFactorStatus{Enabled: true, RecoveryLeft: left}, nil
}

// Enrolment is a secret waiting for its first code: what the enrolment
// page shows (as a QR code of URI, and as text).
type Enrolment struct {
	Secret string // base32, as apps take it typed
	URI    string // otpauth://totp/…
}

// BeginEnrolment returns the user's unconfirmed secret, making one if
// there is none, so reloading the page keeps the secret already scanned.
//
// Errors: *Error with messages.TwoFactorAlreadyOn when the factor is on;
// messages.ChangeHeldAfterReset within ResetHold of a password reset (no
// secret is made or shown); ErrNotFound when the user is gone; anything
// else is internal.
func (t *TwoFactor) BeginEnrolment(ctx context.Context, appID, userID uuid.UUID, account string) (Enrolment, error) {
	// Only shown: the page asks again on every view, so nothing is audited
	// until a code is submitted.
	if err := t.heldAfterReset(ctx, appID, userID, ""); err != nil {
		return Enrolment{}, err
	}
	f, err := t.store.TOTP(ctx, appID, userID)
	switch {
	case err == nil && f.ConfirmedAt != nil:
		return Enrolment{}, &Error{Code: messages.TwoFactorAlreadyOn}
	case err == nil:
		secret, err := t.open(userID, f.Sealed)
		if err != nil {
			return Enrolment{}, err
		}
		return t.enrolment(account, secret), nil
	case !errors.Is(err, ErrNotFound):
		return Enrolment{}, fmt.Errorf("auth: totp: %w", err)
	}
	secret := otp.NewTOTPSecret()
	sealed, err := t.sealer.Seal(secret, totpAAD(userID))
	if err != nil {
		return Enrolment{}, err
	}
	err = t.store.BeginTOTP(ctx, appID, userID, sealed, t.opt.Clock().UTC())
	if errors.Is(err, ErrTOTPActive) {
		return Enrolment{}, &Error{Code: messages.TwoFactorAlreadyOn, Err: err}
	}
	if err != nil {
		return Enrolment{}, fmt.Errorf("auth: begin totp: %w", err)
	}
	return t.enrolment(account, secret), nil
}

// heldAfterReset refuses a change to the user's second factor within
// ResetHold of a password reset (User.HeldAfterReset), auditing event
// (unless "") as failed.
//
// Errors: *Error with messages.ChangeHeldAfterReset; ErrNotFound when the
// user is gone; anything else is internal.
func (t *TwoFactor) heldAfterReset(ctx context.Context, appID, userID uuid.UUID, event string) error {
	acct, err := t.users.Account(ctx, appID, userID)
	if err != nil {
		return err
	}
	if acct.User.HeldAfterReset(t.opt.Clock(), t.opt.ResetHold) {
		if event == "" {
			return &Error{Code: messages.ChangeHeldAfterReset}
		}
		t.record(ctx, Event{AppID: appID, UserID: userID, Name: event, Outcome: Failure, Detail: map[string]string{"reason": "held_after_reset"}})
		return &Error{Code: messages.ChangeHeldAfterReset}
	}
	return nil
}

func (t *TwoFactor) enrolment(account string, secret []byte) Enrolment {
	return Enrolment{Secret: otp.EncodeTOTPSecret(secret), URI: otp.TOTPURI(t.opt.Issuer, account, secret)}
}

// ConfirmEnrolment turns the factor on once code proves the app holds the
// secret, and returns the recovery codes, shown this once.
//
// Errors: *Error with messages.TwoFactorCodeInvalid for a wrong or
// malformed code; messages.TwoFactorAlreadyOn when it is on already;
// messages.TwoFactorNoEnrolment when no enrolment was started;
// messages.ChangeHeldAfterReset within ResetHold of a password reset
// (checked before the code, so it spends no guess); ErrNotFound when the
// user is gone; anything else is internal.
func (t *TwoFactor) ConfirmEnrolment(ctx context.Context, appID, userID uuid.UUID, code string) ([]string, error) {
	if err := t.heldAfterReset(ctx, appID, userID, "totp.enable"); err != nil {
		return nil, err
	}
	f, err := t.store.TOTP(ctx, appID, userID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, &Error{Code: messages.TwoFactorNoEnrolment}
	case err != nil:
		return nil, fmt.Errorf("auth: totp: %w", err)
	case f.ConfirmedAt != nil:
		return nil, &Error{Code: messages.TwoFactorAlreadyOn}
	}
	secret, err := t.open(userID, f.Sealed)
	if err != nil {
		return nil, err
	}
	code, cerr := otp.NormalizeCode(code)
	if cerr != nil {
		t.record(ctx, Event{AppID: appID, UserID: userID, Name: "totp.enable", Outcome: Failure, Detail: map[string]string{"reason": "wrong_code"}})
		return nil, &Error{Code: messages.TwoFactorCodeInvalid}
	}
	// A code for the new key is a guess like any other: same budget.
	attempt, err := reserve(ctx, t.opt.Guard, guard.TOTP, subject(ctx, userID, ""), messages.TwoFactorThrottled)
	if err != nil {
		return nil, err
	}
	guard.Note(ctx, guard.UseGuess, "totp enrolment", guard.TOTP)
	step, ok := otp.MatchTOTP(secret, code, t.opt.Clock(), 0)
	if ok {
		attempt.Succeeded(ctx)
	}
	if !ok {
		t.record(ctx, Event{AppID: appID, UserID: userID, Name: "totp.enable", Outcome: Failure, Detail: map[string]string{"reason": "wrong_code"}})
		return nil, &Error{Code: messages.TwoFactorCodeInvalid}
	}
	codes, hashes := t.newRecovery(userID)
	err = t.store.ConfirmTOTP(ctx, appID, userID, step, hashes, t.opt.Clock().UTC())
	if errors.Is(err, ErrNotFound) {
		return nil, &Error{Code: messages.TwoFactorAlreadyOn, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("auth: confirm totp: %w", err)
	}
	t.record(ctx, Event{AppID: appID, UserID: userID, Name: "totp.enable", Outcome: Success})
	t.notify(ctx, appID, userID, TwoFactorMessages.TwoFactorEnabled)
	return codes, nil
}

// Disable turns the second factor off and voids the recovery codes. The
// caller has checked a fresh proof of identity.
func (t *TwoFactor) Disable(ctx context.Context, appID, userID uuid.UUID) error {
	was, err := t.store.DeleteTOTP(ctx, appID, userID)
	if err != nil {
		return fmt.Errorf("auth: disable totp: %w", err)
	}
	if was {
		t.record(ctx, Event{AppID: appID, UserID: userID, Name: "totp.disable", Outcome: Success})
		t.notify(ctx, appID, userID, TwoFactorMessages.TwoFactorDisabled)
	}
	return nil
}

// RegenerateRecoveryCodes voids every recovery code and returns a new set,
// shown this once. The caller has checked a fresh proof of identity.
//
// Errors: *Error with messages.TwoFactorNotOn without the factor on;
// messages.ChangeHeldAfterReset within ResetHold of a password reset (the
// codes held stay good); ErrNotFound when the user is gone; anything else
// is internal.
func (t *TwoFactor) RegenerateRecoveryCodes(ctx context.Context, appID, userID uuid.UUID) ([]string, error) {
	if err := t.heldAfterReset(ctx, appID, userID, "recovery_codes.regenerate"); err != nil {
		return nil, err
	}
	codes, hashes := t.newRecovery(userID)
	err := t.store.ReplaceRecoveryCodes(ctx, appID, userID, hashes, t.opt.Clock().UTC())
	if errors.Is(err, ErrNotFound) {
		return nil, &Error{Code: messages.TwoFactorNotOn, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("auth: recovery codes: %w", err)
	}
	t.record(ctx, Event{AppID: appID, UserID: userID, Name: "recovery_codes.regenerate", Outcome: Success})
	t.notify(ctx, appID, userID, TwoFactorMessages.RecoveryCodesReplaced)
	return codes, nil
}

// VerifyTOTP checks an authenticator code of a signed-in user, for a page
// that asks them to prove who they are again. The code is spent: it works
// once. Wrong codes are audited, not counted towards the sign-in lockout.
//
// Errors: *Error with messages.TwoFactorCodeInvalid for a wrong, used or
// malformed code, or a user without the factor on; anything else is
// internal.
func (t *TwoFactor) VerifyTOTP(ctx context.Context, appID, userID uuid.UUID, code string) error {
	ok, err := t.checkTOTP(ctx, appID, userID, code)
	if err != nil {
		return err
	}
	if !ok {
		t.record(ctx, Event{AppID: appID, UserID: userID, Name: "totp.verify", Outcome: Failure, Detail: map[string]string{"reason": "wrong_code"}})
		return &Error{Code: messages.TwoFactorCodeInvalid}
	}
	t.record(ctx, Event{AppID: appID, UserID: userID, Name: "totp.verify", Outcome: Success})
	return nil
}

// SecondFactor is what a sign-in's second step presents: an authenticator
// code or a recovery code (one of them).
type SecondFactor struct {
	TOTP         string
	RecoveryCode string
}

// VerifySignIn checks the second factor of a sign-in whose first factor
// (firstMethod, for the audit log) passed, and on success records the
// login as firstMethod plus the second factor's method, which it returns.
// A recovery code is spent and its owner told by email.
//
// Errors: *Error with messages.TwoFactorCodeInvalid for a wrong, used or
// malformed code (counted); messages.TwoFactorLocked when that failure was
// the SecondFactorLimit-th in a row: the sign-in must start again, and the
// user is told by email that someone passed their first factor;
// messages.FormInvalid when neither or both are given; anything else is
// internal.
func (t *TwoFactor) VerifySignIn(ctx context.Context, appID, userID uuid.UUID, sf SecondFactor, firstMethod string) (string, error) {
	if (sf.TOTP == "") == (sf.RecoveryCode == "") {
		return "", &Error{Code: messages.FormInvalid}
	}
	method, ok := MethodTOTP, false
	var err error
	if sf.TOTP != "" {
		ok, err = t.checkTOTP(ctx, appID, userID, sf.TOTP)
	} else {
		method = MethodRecoveryCode
		ok, err = t.useRecovery(ctx, appID, userID, sf.RecoveryCode)
	}
	if err != nil {
		return "", err
	}
	if ok {
		t.record(ctx, Event{AppID: appID, UserID: userID, Name: "login", Outcome: Success,
			Detail: map[string]string{"method": firstMethod, "second_factor": method}})
		return method, nil
	}
	locked, err := t.store.AddFailure(ctx, appID, userID, SecondFactorLimit)
	if err != nil {
		return "", fmt.Errorf("auth: second factor failure: %w", err)
	}
	detail := map[string]string{"method": firstMethod, "second_factor": method, "reason": "wrong_code"}
	if !locked {
		t.record(ctx, Event{AppID: appID, UserID: userID, Name: "login", Outcome: Failure, Detail: detail})
		return "", &Error{Code: messages.TwoFactorCodeInvalid}
	}
	detail["reason"] = "second_factor_locked"
	t.record(ctx, Event{AppID: appID, UserID: userID, Name: "login", Outcome: Failure, Detail: detail})
	// At most one such notice an hour per account: an attacker holding
	// the password cannot turn failures into a flood of email.
	if _, err := reserve(ctx, t.opt.Guard, guard.Notice, guard.Subject{Account: accountKey(userID, "") + ":second_factor_failed"}, messages.TooManyAttempts); err == nil {
		failures := 0
		if t.opt.Failures != nil {
			n, err := t.opt.Failures.SecondFactorFailures(ctx, appID, userID, t.opt.Clock().Add(-time.Hour))
			if err != nil {
				t.opt.Logger.WarnContext(ctx, "second-factor failures not counted", "user_id", userID, "err", err)
			}
			failures = n
		}
		t.notify(ctx, appID, userID, func(m TwoFactorMessages, ctx context.Context, to string) (Message, error) {
			return m.SecondFactorFailed(ctx, to, failures)
		})
	} else if !Refused(err) {
		t.opt.Logger.WarnContext(ctx, "second-factor notice not budgeted", "user_id", userID, "err", err)
	}
	return "", &Error{Code: messages.TwoFactorLocked}
}

// checkTOTP reports whether code is a good, unused authenticator code of
// userID's confirmed factor, spending its time step if so. Every check,
// wherever it comes from (second step, re-authentication, token API),
// passes the guard's TOTP budget first: failures count per account across
// sign-ins, back off as they accumulate, and lock the factor at 100 in a
// row until a right answer or a recovery.
//
// Errors: *Error with messages.TwoFactorThrottled or
// messages.TwoFactorCodesLocked when the guard refuses; internal ones.
func (t *TwoFactor) checkTOTP(ctx context.Context, appID, userID uuid.UUID, code string) (bool, error) {
	code, err := otp.NormalizeCode(code)
	if err != nil {
		return false, nil
	}
	attempt, err := reserve(ctx, t.opt.Guard, guard.TOTP, subject(ctx, userID, ""), messages.TwoFactorThrottled)
	if err != nil {
		return false, err
	}
	guard.Note(ctx, guard.UseGuess, "totp", guard.TOTP)
	ok, err := t.matchTOTP(ctx, appID, userID, code)
	switch {
	case err != nil:
		attempt.Release(ctx)
	case ok:
		attempt.Succeeded(ctx)
	}
	return ok, err
}

func (t *TwoFactor) matchTOTP(ctx context.Context, appID, userID uuid.UUID, code string) (bool, error) {
	f, err := t.store.TOTP(ctx, appID, userID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("auth: totp: %w", err)
	}
	if f.ConfirmedAt == nil {
		return false, nil
	}
	secret, err := t.open(userID, f.Sealed)
	if err != nil {
		return false, err
	}
	step, ok := otp.MatchTOTP(secret, code, t.opt.Clock(), f.LastStep)
	if !ok {
		return false, nil
	}
	// The store refuses a step not later than the last one, so two
	// requests racing with the same code cannot both pass.
	used, err := t.store.UseTOTPStep(ctx, appID, userID, step)
	if err != nil {
		return false, fmt.Errorf("auth: totp step: %w", err)
	}
	return used, nil
}

// useRecovery reports whether code is an unused recovery code of userID
// (at the second sign-in step), spending it if so. A well-formed code for
// an account with a second factor passes the guard's recovery-code budget
// first.
func (t *TwoFactor) useRecovery(ctx context.Context, appID, userID uuid.UUID, code string) (bool, error) {
	code, err := otp.NormalizeRecoveryCode(code)
	if err != nil {
		return false, nil
	}
	if on, err := t.Required(ctx, appID, userID); err != nil || !on {
		return false, err
	}
	attempt, err := reserve(ctx, t.opt.Guard, guard.RecoveryCode, subject(ctx, userID, ""), messages.RecoveryThrottled)
	if err != nil {
		return false, err
	}
	return t.spendRecovery(ctx, attempt, appID, userID, code)
}

// spendRecovery checks code (normalised) against the recovery codes of
// userID (whose second factor is on) under attempt, a reservation of
// guard.RecoveryCode the caller made, and spends it when it is one: a
// right code settles attempt, an internal failure releases it, a wrong
// one leaves it counted.
func (t *TwoFactor) spendRecovery(ctx context.Context, attempt *guard.Reservation, appID, userID uuid.UUID, code string) (bool, error) {
	guard.Note(ctx, guard.UseGuess, "recovery code", guard.RecoveryCode)
	ok, left, err := t.store.UseRecoveryCode(ctx, appID, userID, t.hasher.Recovery(userID, code), t.opt.Clock().UTC())
	if err != nil {
		attempt.Release(ctx)
		return false, fmt.Errorf("auth: recovery code: %w", err)
	}
	if ok {
		attempt.Succeeded(ctx)
		// A recovery code proves the account: it lifts a TOTP lock.
		if err := clearGuard(ctx, t.opt.Guard, guard.TOTP, subject(ctx, userID, "")); err != nil {
			t.opt.Logger.WarnContext(ctx, "totp lock not cleared", "user_id", userID, "err", err)
		}
	}
	if ok {
		t.record(ctx, Event{AppID: appID, UserID: userID, Name: "recovery_code.use", Outcome: Success,
			Detail: map[string]string{"left": fmt.Sprint(left)}})
		t.notify(ctx, appID, userID, func(m TwoFactorMessages, ctx context.Context, to string) (Message, error) {
			return m.RecoveryCodeUsed(ctx, to, left)
		})
	}
	return ok, nil
}

func (t *TwoFactor) newRecovery(userID uuid.UUID) ([]string, [][]byte) {
	codes := otp.NewRecoveryCodes(otp.RecoveryCodeCount)
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		n, _ := otp.NormalizeRecoveryCode(c)
		hashes[i] = t.hasher.Recovery(userID, n)
	}
	return codes, hashes
}

func (t *TwoFactor) open(userID uuid.UUID, sealed []byte) ([]byte, error) {
	secret, err := t.sealer.Open(sealed, totpAAD(userID))
	if err != nil {
		return nil, fmt.Errorf("auth: open totp secret: %w", err)
	}
	return secret, nil
}

// totpAAD binds a sealed secret to its user: copied to another row, it
// does not open.
func totpAAD(userID uuid.UUID) []byte { return append([]byte("totp:"), userID[:]...) }

// notify emails the user a notice written by write, when notices are on
// and the account has an email address. A failure is logged: the change
// it reports has happened.
func (t *TwoFactor) notify(ctx context.Context, appID, userID uuid.UUID, write func(TwoFactorMessages, context.Context, string) (Message, error)) {
	if t.opt.Notifier == nil || t.opt.Messages == nil {
		return
	}
	acct, err := t.users.Account(ctx, appID, userID)
	if err != nil || acct.Email() == "" {
		if err != nil {
			t.opt.Logger.WarnContext(ctx, "second-factor notice not sent", "user_id", userID, "err", err)
		}
		return
	}
	m, err := write(t.opt.Messages, ctx, acct.Email())
	if err == nil {
		m.Expires = t.opt.Clock().Add(24 * time.Hour)
		err = t.opt.Notifier.Notify(ctx, m)
	}
	if err != nil {
		t.opt.Logger.WarnContext(ctx, "second-factor notice not queued", "user_id", userID, "err", err)
	}
}

func (t *TwoFactor) record(ctx context.Context, e Event) {
	if err := t.audit.Record(ctx, e); err != nil {
		t.opt.Logger.ErrorContext(ctx, "audit failed", "event", e.Name, "err", err)
	}
}
