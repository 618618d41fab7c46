package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/otp"
)

// Delayed recovery, for a user who lost access to their email address.
//
// Proving one other channel (a code sent to a verified phone, or a
// recovery code) does not hand over the account: it opens a request that
// waits (RecoveryOptions.Wait, 48 hours by default) while every channel
// the account has, the lost address included, is told, each with a link
// that cancels it in one click, and the account page of a signed-in owner
// shows it with a cancel button. Only after the wait, with no cancel, can
// the finish token set a new email address and password. Someone holding
// one channel therefore cannot take the account silently: the owner has
// the whole wait to notice and cancel from any other channel.

// Recovery request states, as RecoveryRequest.State reports them.
const (
	RecoveryWaiting   = "waiting"
	RecoveryReady     = "ready"
	RecoveryCancelled = "cancelled"
	RecoveryCompleted = "completed"
	RecoveryExpired   = "expired"
)

// RecoveryRequest is a started recovery.
type RecoveryRequest struct {
	ID          uuid.UUID
	AppID       uuid.UUID
	UserID      uuid.UUID
	Method      string // "sms" or "recovery_code"
	CreatedAt   time.Time
	ReadyAt     time.Time // the finish token works from then…
	ExpiresAt   time.Time // …until then
	CancelledAt *time.Time
	CompletedAt *time.Time
}

// State says where the request stands at now.
func (r RecoveryRequest) State(now time.Time) string {
	switch {
	case r.CancelledAt != nil:
		return RecoveryCancelled
	case r.CompletedAt != nil:
		return RecoveryCompleted
	case !now.Before(r.ExpiresAt):
		return RecoveryExpired
	case now.Before(r.ReadyAt):
		return RecoveryWaiting
	}
	return RecoveryReady
}

// RecoveryStart is what RecoveryStore.Create writes: the request, the
// hashes of its tokens, and the notices to queue in the same transaction.
type RecoveryStart struct {
	Request    RecoveryRequest
	FinishHash []byte
	CancelHash []byte
	Notices    []Message
}

// RecoveryFinish is what RecoveryStore.Complete writes in one transaction.
type RecoveryFinish struct {
	RequestID    uuid.UUID
	UserID       uuid.UUID
	AppID        uuid.UUID
	Email        string // the new address, replacing every email identity, unverified
	PasswordHash string
	At           time.Time
	Notices      []Message
}

// RecoveryStore keeps recovery requests.
type RecoveryStore interface {
	// Create stores a request and queues its notices. It returns
	// ErrRecoveryOpen when the user already has an open request.
	Create(ctx context.Context, r RecoveryStart) error
	// ByFinishHash and ByCancelHash find a request, or ErrNotFound.
	ByFinishHash(ctx context.Context, appID uuid.UUID, hash []byte) (RecoveryRequest, error)
	ByCancelHash(ctx context.Context, appID uuid.UUID, hash []byte) (RecoveryRequest, error)
	// Open returns the user's open (neither cancelled nor completed)
	// request, or ErrNotFound.
	Open(ctx context.Context, appID, userID uuid.UUID) (RecoveryRequest, error)
	// Cancel marks an open request cancelled; false when it was not open.
	Cancel(ctx context.Context, id uuid.UUID, at time.Time) (bool, error)
	// Complete finishes a ready request: the request completed, the
	// email replaced, the password set, every session deleted, every token
	// family revoked and the notices queued, all or nothing. It returns
	// ErrNotFound when the request is no longer open and
	// ErrIdentityTaken when the new email belongs to another user.
	Complete(ctx context.Context, f RecoveryFinish) error
}

// RecoveryCodes spends the recovery codes of the second factor.
type RecoveryCodes interface {
	// Redeem spends one of the user's recovery codes under attempt, which
	// the caller reserved under guard.RecoveryCode (nil: no guard), or
	// returns an error. It reserves nothing itself.
	Redeem(ctx context.Context, attempt *guard.Reservation, appID, userID uuid.UUID, code string) error
}

// RecoveryMessages writes the recovery notices; the links are built from
// the tokens and the public origin.
type RecoveryMessages interface {
	// Started tells a channel of the account that recovery began, with a
	// link that cancels it.
	Started(ctx context.Context, to IdentityKind, addr, cancelToken string, readyAt time.Time) (Message, error)
	// FinishLink sends the one who proved a phone the link that finishes,
	// usable from readyAt.
	FinishLink(ctx context.Context, number, finishToken string, readyAt time.Time) (Message, error)
	// Completed tells a former channel that the account was recovered.
	Completed(ctx context.Context, to IdentityKind, addr string) (Message, error)
}

// ErrRecoveryOpen is RecoveryStore.Create's error when a request is open.
var ErrRecoveryOpen = errors.New("auth: a recovery is already open")

// RecoveryOptions tune Recovery; the zero value is usable.
type RecoveryOptions struct {
	Wait   time.Duration    // between start and finish; 48 hours when zero
	Window time.Duration    // how long the finish works once ready; 7 days when zero
	Clock  func() time.Time // time.Now when nil
	// Blocklist (nil: none) refuses the new password as on every other path.
	Blocklist Blocklist
	// Guard bounds every recovery code typed to start a recovery, for an
	// address with an account or without; nil only in tests.
	Guard Guard
	// SecondFactors (nil: nobody) names the accounts whose recovery
	// commits only after their second factor (User.PendingEmail).
	SecondFactors SecondFactorRequirer
}

// Recovery runs delayed account recovery. Build it with NewRecovery.
type Recovery struct {
	store    RecoveryStore
	users    UserStore
	phones   *Phones
	codes    RecoveryCodes // nil: recovery by recovery code is off
	msgs     RecoveryMessages
	hasher   Hasher
	audit    Auditor
	wait     time.Duration
	window   time.Duration
	clock    func() time.Time
	recorder func(context.Context, Event)
	// blocklist (nil: none) refuses easily guessed new passwords.
	blocklist Blocklist
	guard     Guard
	second    SecondFactorRequirer
}

// NewRecovery returns the recovery flows. phones (nil: no SMS) proves a
// phone; codes (nil: none) spends recovery codes.
func NewRecovery(store RecoveryStore, users UserStore, phones *Phones, codes RecoveryCodes, msgs RecoveryMessages, hasher Hasher, audit Auditor, o RecoveryOptions) *Recovery {
	if o.Wait <= 0 {
		o.Wait = 48 * time.Hour
	}
	if o.Window <= 0 {
		o.Window = 7 * 24 * time.Hour
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	r := &Recovery{store: store, users: users, phones: phones, codes: codes, msgs: msgs, hasher: hasher, audit: audit,
		wait: o.Wait, window: o.Window, clock: o.Clock, blocklist: o.Blocklist, guard: o.Guard, second: o.SecondFactors}
	r.recorder = func(ctx context.Context, e Event) { _ = audit.Record(ctx, e) }
	return r
}

// Wait is how long a started recovery waits before it can finish.
func (r *Recovery) Wait() time.Duration { return r.wait }

// BySMS reports whether recovery by a code to a verified phone is on.
func (r *Recovery) BySMS() bool { return r.phones != nil }

// ByRecoveryCode reports whether recovery by a recovery code is on.
func (r *Recovery) ByRecoveryCode() bool { return r.codes != nil }

// RecoveryStarted is what a started recovery gives the one who started it.
type RecoveryStarted struct {
	FinishToken string
	ReadyAt     time.Time
}

// RequestSMS sends a recovery code to a verified phone number and returns
// the number in E.164. An unknown number gets the same answer, the same
// stored row and a decoy message (see Phones.issue).
func (r *Recovery) RequestSMS(ctx context.Context, appID uuid.UUID, input string) (string, error) {
	if r.phones == nil {
		return "", &Error{Code: messages.RecoveryUnavailable}
	}
	number, err := r.phones.normalize(input)
	if err != nil {
		return "", err
	}
	var owner *uuid.UUID
	u, err := r.phones.users.UserByVerifiedPhone(ctx, appID, number)
	switch {
	case err == nil && u.Status == StatusActive:
		owner = &u.ID
	case err != nil && !errors.Is(err, ErrNotFound):
		return "", fmt.Errorf("auth: recovery code: %w", err)
	}
	return number, r.phones.issue(ctx, appID, otp.PurposeRecover, number, owner, owner != nil)
}

// StartBySMS spends the recovery code sent to number and starts recovery
// of the account holding it. The finish link also goes to that number.
//
// Errors: *Error with messages.CodeInvalid / CodeExhausted for a refused
// code (the same for numbers without an account); messages.RecoveryOpen
// when a recovery is already under way; anything else is internal.
func (r *Recovery) StartBySMS(ctx context.Context, appID uuid.UUID, number, code string) (RecoveryStarted, error) {
	if r.phones == nil {
		return RecoveryStarted{}, &Error{Code: messages.RecoveryUnavailable}
	}
	rec, err := r.phones.spend(ctx, appID, otp.PurposeRecover, number, code)
	if err != nil {
		return RecoveryStarted{}, err
	}
	if rec.UserID == nil {
		return RecoveryStarted{}, &Error{Code: messages.CodeInvalid}
	}
	return r.start(ctx, appID, *rec.UserID, "sms", number)
}

// StartByRecoveryCode spends one of the account's recovery codes and
// starts recovery of the account holding email.
//
// Errors: *Error with messages.RecoveryCodeInvalid for an unknown address
// or a wrong code (one message: nothing tells them apart);
// messages.RecoveryOpen when a recovery is already under way.
func (r *Recovery) StartByRecoveryCode(ctx context.Context, appID uuid.UUID, email, code string) (RecoveryStarted, error) {
	invalid := &Error{Code: messages.RecoveryCodeInvalid}
	if r.codes == nil {
		return RecoveryStarted{}, &Error{Code: messages.RecoveryUnavailable}
	}
	email, problem := validate.Email(email)
	if problem != "" {
		return RecoveryStarted{}, invalid
	}
	u, err := r.users.UserByIdentity(ctx, appID, IdentityEmail, email)
	known := err == nil && u.Status == StatusActive
	if err != nil && !errors.Is(err, ErrNotFound) {
		return RecoveryStarted{}, fmt.Errorf("auth: recovery: %w", err)
	}
	// One reservation for every attempt, before the code is looked at:
	// an unknown address, an account without a second factor and a
	// malformed code meet the same budget as a wrong code for an account,
	// so neither a refusal nor its absence says which addresses have one.
	// An account's attempts count against its own recovery-code budget,
	// shared with the second sign-in step; the address's otherwise.
	who := subject(ctx, uuid.Nil, email)
	if known {
		who = subject(ctx, u.ID, "")
	}
	attempt, err := reserve(ctx, r.guard, guard.RecoveryCode, who, messages.RecoveryThrottled)
	if err != nil {
		return RecoveryStarted{}, err
	}
	if !known {
		r.recorder(ctx, Event{AppID: appID, Name: "recovery.start", Outcome: Failure, Detail: map[string]string{"reason": "unknown_identity", "method": "recovery_code"}})
		return RecoveryStarted{}, invalid
	}
	if err := r.codes.Redeem(ctx, attempt, appID, u.ID, code); err != nil {
		if Refused(err) {
			return RecoveryStarted{}, err
		}
		r.recorder(ctx, Event{AppID: appID, UserID: u.ID, Name: "recovery.start", Outcome: Failure, Detail: map[string]string{"reason": "wrong_code", "method": "recovery_code"}})
		invalid.Err = err
		return RecoveryStarted{}, invalid
	}
	return r.start(ctx, appID, u.ID, "recovery_code", "")
}

// start opens a request for userID and queues a notice to every channel
// of the account, and the finish link to number when there is one.
func (r *Recovery) start(ctx context.Context, appID, userID uuid.UUID, method, number string) (RecoveryStarted, error) {
	acct, err := r.users.Account(ctx, appID, userID)
	if err != nil {
		return RecoveryStarted{}, fmt.Errorf("auth: recovery: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return RecoveryStarted{}, err
	}
	finish, finishHash := newRecoveryToken()
	cancel, cancelHash := newRecoveryToken()
	now := r.clock().UTC().Truncate(time.Microsecond)
	req := RecoveryRequest{ID: id, AppID: appID, UserID: userID, Method: method, CreatedAt: now,
		ReadyAt: now.Add(r.wait), ExpiresAt: now.Add(r.wait + r.window)}
	var notices []Message
	for _, ident := range acct.Identities {
		m, err := r.msgs.Started(ctx, ident.Kind, ident.Value, cancel, req.ReadyAt)
		if err != nil {
			return RecoveryStarted{}, fmt.Errorf("auth: recovery notice: %w", err)
		}
		notices = append(notices, m)
	}
	if number != "" {
		m, err := r.msgs.FinishLink(ctx, number, finish, req.ReadyAt)
		if err != nil {
			return RecoveryStarted{}, fmt.Errorf("auth: recovery link: %w", err)
		}
		notices = append(notices, m)
	}
	err = r.store.Create(ctx, RecoveryStart{Request: req, FinishHash: finishHash, CancelHash: cancelHash, Notices: notices})
	if errors.Is(err, ErrRecoveryOpen) {
		r.recorder(ctx, Event{AppID: appID, UserID: userID, Name: "recovery.start", Outcome: Failure, Detail: map[string]string{"reason": "already_open", "method": method}})
		return RecoveryStarted{}, &Error{Code: messages.RecoveryOpen, Err: err}
	}
	if err != nil {
		return RecoveryStarted{}, fmt.Errorf("auth: recovery: %w", err)
	}
	r.recorder(ctx, Event{AppID: appID, UserID: userID, Name: "recovery.start", Outcome: Success, Detail: map[string]string{"method": method, "notified": fmt.Sprint(len(acct.Identities))}})
	return RecoveryStarted{FinishToken: finish, ReadyAt: req.ReadyAt}, nil
}

// Cancel cancels the request a notice's cancel link names.
//
// Errors: *Error with messages.RecoveryLinkInvalid for a malformed or
// unknown link; a request already cancelled, completed or expired is not
// an error (cancelling is idempotent) and reports false.
func (r *Recovery) Cancel(ctx context.Context, appID uuid.UUID, cancelToken string) (bool, error) {
	hash, ok := hashRecoveryToken(cancelToken)
	if !ok {
		return false, &Error{Code: messages.RecoveryLinkInvalid}
	}
	attempt, err := r.reserveLink(ctx)
	if err != nil {
		return false, err
	}
	req, err := r.store.ByCancelHash(ctx, appID, hash)
	if errors.Is(err, ErrNotFound) {
		return false, &Error{Code: messages.RecoveryLinkInvalid}
	}
	attempt.Succeeded(ctx)
	if err != nil {
		return false, fmt.Errorf("auth: cancel recovery: %w", err)
	}
	return r.cancel(ctx, req, "link")
}

// CancelOpen cancels the signed-in user's open request, if any.
func (r *Recovery) CancelOpen(ctx context.Context, appID, userID uuid.UUID) (bool, error) {
	req, err := r.store.Open(ctx, appID, userID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("auth: cancel recovery: %w", err)
	}
	return r.cancel(ctx, req, "account")
}

func (r *Recovery) cancel(ctx context.Context, req RecoveryRequest, via string) (bool, error) {
	if s := req.State(r.clock()); s != RecoveryWaiting && s != RecoveryReady {
		return false, nil
	}
	done, err := r.store.Cancel(ctx, req.ID, r.clock().UTC())
	if err != nil {
		return false, fmt.Errorf("auth: cancel recovery: %w", err)
	}
	if done {
		r.recorder(ctx, Event{AppID: req.AppID, UserID: req.UserID, Name: "recovery.cancel", Outcome: Success, Detail: map[string]string{"via": via}})
	}
	return done, nil
}

// reserveLink counts a presented recovery link against the guard's link
// budget (per client); a link that finds its request is refunded.
func (r *Recovery) reserveLink(ctx context.Context) (*guard.Reservation, error) {
	attempt, err := reserve(ctx, r.guard, guard.Link, guard.Subject{IP: ClientFrom(ctx).IP}, messages.TooManyAttempts)
	if err == nil {
		guard.Note(ctx, guard.UseGuess, "recovery link", guard.Link)
	}
	return attempt, err
}

// Pending returns the user's open recovery, for the account page.
func (r *Recovery) Pending(ctx context.Context, appID, userID uuid.UUID) (RecoveryRequest, bool, error) {
	req, err := r.store.Open(ctx, appID, userID)
	if errors.Is(err, ErrNotFound) {
		return RecoveryRequest{}, false, nil
	}
	if err != nil {
		return RecoveryRequest{}, false, err
	}
	s := req.State(r.clock())
	return req, s == RecoveryWaiting || s == RecoveryReady, nil
}

// Status returns the request a finish token names and its state now.
//
// Errors: *Error with messages.RecoveryLinkInvalid for a malformed or
// unknown token.
func (r *Recovery) Status(ctx context.Context, appID uuid.UUID, finishToken string) (RecoveryRequest, string, error) {
	hash, ok := hashRecoveryToken(finishToken)
	if !ok {
		return RecoveryRequest{}, "", &Error{Code: messages.RecoveryLinkInvalid}
	}
	attempt, err := r.reserveLink(ctx)
	if err != nil {
		return RecoveryRequest{}, "", err
	}
	req, err := r.store.ByFinishHash(ctx, appID, hash)
	if errors.Is(err, ErrNotFound) {
		return RecoveryRequest{}, "", &Error{Code: messages.RecoveryLinkInvalid}
	}
	attempt.Succeeded(ctx)
	if err != nil {
		return RecoveryRequest{}, "", fmt.Errorf("auth: recovery status: %w", err)
	}
	return req, req.State(r.clock()), nil
}

// Finish sets a new email address and password for a ready request and
// returns the user, now signed out everywhere; the caller signs this
// browser in (through the second factor, if one is on).
//
// Errors: *Error with messages.RecoveryLinkInvalid for a bad token;
// messages.RecoveryNotReady, RecoveryCancelledMsg, RecoveryExpiredMsg for
// a request in those states; messages.FormInvalid with Fields for a new
// email or password the rules refuse, or an email of another account.
func (r *Recovery) Finish(ctx context.Context, appID uuid.UUID, finishToken, email, plain string) (User, error) {
	req, state, err := r.Status(ctx, appID, finishToken)
	if err != nil {
		return User{}, err
	}
	switch state {
	case RecoveryWaiting:
		return User{}, &Error{Code: messages.RecoveryNotReady}
	case RecoveryCancelled:
		return User{}, &Error{Code: messages.RecoveryWasCancelled}
	case RecoveryCompleted, RecoveryExpired:
		return User{}, &Error{Code: messages.RecoveryLinkInvalid}
	}
	fields := map[string]messages.Key{}
	email, problem := validate.Email(email)
	if problem != "" {
		fields[FieldNewEmail] = problem
	}
	plain, problem = checkNewPassword(ctx, plain, email, r.blocklist)
	if problem != "" {
		fields[FieldPassword] = problem
	}
	if len(fields) > 0 {
		return User{}, &Error{Code: messages.FormInvalid, Fields: fields}
	}
	acct, err := r.users.Account(ctx, appID, req.UserID)
	if err != nil {
		return User{}, fmt.Errorf("auth: recovery: %w", err)
	}
	if _, err := reserve(ctx, r.guard, guard.SetPassword, subject(ctx, req.UserID, ""), messages.TooManyAttempts); err != nil {
		return User{}, err
	}
	hash, err := r.hasher.Hash(ctx, plain)
	if err != nil {
		return User{}, fmt.Errorf("auth: recovery: hash: %w", err)
	}
	if r.second != nil {
		need, err := r.second.Required(ctx, appID, req.UserID)
		if err != nil {
			return User{}, fmt.Errorf("auth: recovery: %w", err)
		}
		if need {
			// Nothing changes until the second factor passes: the new
			// email and password ride in the half-finished sign-in.
			r.recorder(ctx, Event{AppID: appID, UserID: req.UserID, Name: "recovery.complete", Outcome: Success,
				Detail: map[string]string{"method": req.Method, "committed": "after_second_factor"}})
			u := acct.User
			u.PendingEmail, u.PendingPassword = email, hash
			return u, nil
		}
	}
	if err := r.complete(ctx, appID, req, acct, email, hash); err != nil {
		return User{}, err
	}
	return acct.User, nil
}

// CommitFinish completes the recovery finishToken names, with the new
// email and password hash Finish left pending, once the account's second
// factor has passed. The request must still be ready: one cancelled in
// the meantime completes nothing.
//
// Errors: as Finish.
func (r *Recovery) CommitFinish(ctx context.Context, appID uuid.UUID, finishToken, email, hash string) error {
	req, state, err := r.Status(ctx, appID, finishToken)
	if err != nil {
		return err
	}
	switch state {
	case RecoveryWaiting:
		return &Error{Code: messages.RecoveryNotReady}
	case RecoveryCancelled:
		return &Error{Code: messages.RecoveryWasCancelled}
	case RecoveryCompleted, RecoveryExpired:
		return &Error{Code: messages.RecoveryLinkInvalid}
	}
	acct, err := r.users.Account(ctx, appID, req.UserID)
	if err != nil {
		return fmt.Errorf("auth: recovery: %w", err)
	}
	return r.complete(ctx, appID, req, acct, email, hash)
}

// complete stores the new email and password of a ready request and
// tells every former channel.
func (r *Recovery) complete(ctx context.Context, appID uuid.UUID, req RecoveryRequest, acct Account, email, hash string) error {
	var notices []Message
	for _, ident := range acct.Identities {
		m, err := r.msgs.Completed(ctx, ident.Kind, ident.Value)
		if err != nil {
			return fmt.Errorf("auth: recovery notice: %w", err)
		}
		notices = append(notices, m)
	}
	err := r.store.Complete(ctx, RecoveryFinish{RequestID: req.ID, UserID: req.UserID, AppID: appID, Email: email,
		PasswordHash: hash, At: r.clock().UTC(), Notices: notices})
	switch {
	case errors.Is(err, ErrIdentityTaken):
		return &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldNewEmail: messages.RecoveryEmailTaken}}
	case errors.Is(err, ErrNotFound):
		return &Error{Code: messages.RecoveryLinkInvalid}
	case err != nil:
		return fmt.Errorf("auth: recovery: %w", err)
	}
	r.recorder(ctx, Event{AppID: appID, UserID: req.UserID, Name: "recovery.complete", Outcome: Success, Detail: map[string]string{"method": req.Method}})
	return nil
}

// newRecoveryToken returns a 256-bit token for a URL and its SHA-256.
func newRecoveryToken() (string, []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails; crashes the program instead
	sum := sha256.Sum256(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:]), sum[:]
}

// hashRecoveryToken returns the SHA-256 of a token newRecoveryToken could
// have made, or false.
func hashRecoveryToken(token string) ([]byte, bool) {
	if len(token) != base64.RawURLEncoding.EncodedLen(32) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != 32 {
		return nil, false
	}
	sum := sha256.Sum256(b)
	return sum[:], true
}

// ValidRecoveryToken reports whether token has the shape of a recovery
// token, so pages never echo anything else.
func ValidRecoveryToken(token string) bool {
	_, ok := hashRecoveryToken(token)
	return ok
}

// Redeem spends one of the user's recovery codes for account recovery
// (RecoveryCodes) under attempt, reserved by the caller: the same codes,
// audited and notified as at sign-in. A malformed code, or an account
// without a second factor, is a wrong code (attempt stays counted).
func (t *TwoFactor) Redeem(ctx context.Context, attempt *guard.Reservation, appID, userID uuid.UUID, code string) error {
	wrong := errors.New("auth: wrong recovery code")
	code, err := otp.NormalizeRecoveryCode(code)
	if err != nil {
		return wrong
	}
	on, err := t.Required(ctx, appID, userID)
	if err != nil {
		attempt.Release(ctx)
		return err
	}
	if !on {
		return wrong
	}
	ok, err := t.spendRecovery(ctx, attempt, appID, userID, code)
	if err != nil {
		return err
	}
	if !ok {
		return wrong
	}
	return nil
}
