package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/client/validate"
	"github.com/latch-dev/latch/server/otp"
)

// Verify-first signup by email: no account and no session exist until the
// address is proven. A signup stores only a pending signup (the address,
// the password's hash, "keep me signed in") bound to one emailed row
// holding a code and a link; the code typed in the browser that started,
// or the link opened anywhere, creates the account with its address
// already verified. The link proves the mailbox, not who typed the
// password: opened in a browser that did not start the signup, it creates
// the account without that password (its owner sets one next), so nobody
// can sign up with someone else's address and a password they know and
// wait for the owner to confirm it. An address that has an account gets a note instead
// ("you already have an account"), after the same work: the same checks,
// one hash, one stored row and one queued email, so neither the answer nor
// its timing tells the two apart.

// PasswordDroppedElsewhere is the "password" detail of a signup event whose
// account was created by a link opened in another browser than the one
// that started the signup, without the password chosen there.
const PasswordDroppedElsewhere = "dropped_elsewhere"

// PendingSignup is a signup waiting for its address to be proven.
type PendingSignup struct {
	ID           uuid.UUID // the handle the browser that started it carries to the code step
	AppID        uuid.UUID
	Email        string // normalised
	PasswordHash string // PHC
	Remember     bool
	Selector     string // the link selector of the emailed row it is bound to
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// SignupStore keeps pending signups (db.Signups).
type SignupStore interface {
	// Issue stores the row in and queues m, as CodeStore.Issue does, and in
	// the same transaction saves save (when not nil) bound to the row, or
	// rebinds the pending signup rebind (when not uuid.Nil) to it and
	// moves its expiry with it. Either way one transaction is committed,
	// so a signup for a new address costs what one for an address with an
	// account does. Errors: a *otp.SendLimitError, as CodeStore.Issue.
	Issue(ctx context.Context, in otp.Issue, m *Message, save *PendingSignup, rebind uuid.UUID) error
	// Pending returns the unexpired pending signup id of the app, or
	// ErrNotFound.
	Pending(ctx context.Context, appID, id uuid.UUID) (PendingSignup, error)
	// Hold stores p bound to no row (its selector is that of a send that
	// was refused, so no code or link finishes it) until a resend from its
	// code step binds it to one (Issue's rebind).
	Hold(ctx context.Context, p PendingSignup) error
	// Finish creates the account of the unexpired pending signup bound to
	// the spent one-time row tokenID (and, when id is not uuid.Nil, with
	// that id): u, its email identity already verified and, when
	// keepPassword, the password chosen at signup (without, the account
	// has no password until its owner sets one), in one transaction that
	// also deletes every pending signup of the address. It returns the
	// pending signup, ErrNotFound when none is bound, or ErrIdentityTaken
	// when an account holds the address by then (nothing is created; the
	// pending signups are dropped).
	Finish(ctx context.Context, appID, tokenID, id uuid.UUID, u User, keepPassword bool) (PendingSignup, error)
}

// SignupMessages writes the emails of verify-first signup.
type SignupMessages interface {
	// SignupCode carries a code and a link (built from the token and the
	// public origin) that finish creating the account.
	SignupCode(ctx context.Context, to, code, linkToken string, codeTTL, linkTTL time.Duration) (Message, error)
	// SignupExisting tells an address that already has an account how to
	// log in or reset its password. It carries no code and no link to act on.
	SignupExisting(ctx context.Context, to string) (Message, error)
}

// Signups runs verify-first signup by email. Build it with NewSignups.
type Signups struct {
	accounts *Service
	codes    *Codes
	store    SignupStore
	msgs     SignupMessages
}

// NewSignups returns verify-first signup over the account service (its
// rules, hasher, guard and audit), the code flows (their code store, which
// checks codes and links at the guard, their code hasher and lifetimes),
// the pending signup store (which stores and queues what is sent, after
// the send is reserved at the account service's guard) and the emails.
func NewSignups(accounts *Service, codes *Codes, store SignupStore, msgs SignupMessages) *Signups {
	return &Signups{accounts: accounts, codes: codes, store: store, msgs: msgs}
}

// SignupStarted is what Start answers, alike for a new address and one
// with an account.
type SignupStarted struct {
	ID    uuid.UUID     // the handle the code step carries: always new and random (unused for an address with an account)
	Email string        // the normalised address the email went to
	Wait  time.Duration // until another email may be asked for
	// Selector is the public half of the emailed link, for the browser
	// that asked to remember: always a fresh random selector, also when
	// the email is a note to an address with an account or none was sent
	// yet (the cooldown), so remembering it tells nothing apart.
	Selector string
}

// Start begins a signup: it checks the address and password, reserves a
// signup at the guard, hashes the password and sends one email: to a new
// address a code and a link that finish the signup (the pending signup is
// stored with them), to an address with an account a note saying so.
//
// Errors: *Error with messages.FormInvalid and Fields for input the rules
// refuse; messages.SignupThrottled or messages.SendThrottled when the
// guard refuses; messages.CodeSendLimited when the address was sent an
// email too recently (the SignupStarted is still filled in, with the
// wait); ctx errors while waiting for the hasher; anything else is
// internal.
func (s *Signups) Start(ctx context.Context, appID uuid.UUID, email, plain string, remember bool) (SignupStarted, error) {
	a := s.accounts
	email, plain, fields := a.checkSignup(ctx, email, plain)
	if len(fields) > 0 {
		return SignupStarted{}, &Error{Code: messages.FormInvalid, Fields: fields}
	}
	if err := a.reserveSignup(ctx, appID); err != nil {
		return SignupStarted{}, err
	}
	hash, err := a.hasher.Hash(ctx, plain)
	if err != nil {
		return SignupStarted{}, fmt.Errorf("auth: signup: hash: %w", err)
	}
	u, err := a.users.UserByIdentity(ctx, appID, IdentityEmail, email)
	existing := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return SignupStarted{}, fmt.Errorf("auth: signup: lookup: %w", err)
	}
	started := SignupStarted{ID: uuid.New(), Email: email}
	in, m, link, err := s.message(ctx, appID, email, u, existing, false)
	if err != nil {
		return SignupStarted{}, err
	}
	started.Selector = link.Selector
	now := a.clock().UTC()
	var save *PendingSignup
	if !existing {
		save = &PendingSignup{ID: started.ID, AppID: appID, Email: email, PasswordHash: hash, Remember: remember,
			Selector: link.Selector, CreatedAt: now, ExpiresAt: now.Add(in.TTL)}
	}
	if err := s.issue(ctx, in, m, save, uuid.Nil, &started); err != nil {
		var ae *Error
		if errors.As(err, &ae) && ae.Code == messages.CodeSendLimited && !existing {
			// A second signup within the cooldown gets no email yet, and
			// its own handle, never the earlier signup's: the answer is
			// the one an address with an account gets (a fresh id), and
			// the code sent to the earlier signup finishes nothing here.
			// Held, this signup is bound to an email by a resend from its
			// code step once the wait is over.
			if herr := s.store.Hold(ctx, *save); herr != nil {
				return SignupStarted{}, fmt.Errorf("auth: signup: hold: %w", herr)
			}
		}
		return started, err
	}
	if existing {
		a.record(ctx, Event{AppID: appID, UserID: u.ID, Name: "signup", Outcome: Failure, Detail: map[string]string{"reason": "identity_taken"}})
		return started, nil
	}
	a.record(ctx, Event{AppID: appID, Name: "signup", Outcome: Success, Detail: map[string]string{"method": "password", "step": "address_sent"}})
	return started, nil
}

// message builds the row and the email of one send: a code and a link
// for a new address (a decoy, queued and never sent, with decoy), a note
// for an address with an account. The row holds a code and a link either
// way, so every send costs the same and meets the same limits.
func (s *Signups) message(ctx context.Context, appID uuid.UUID, email string, u User, existing, decoy bool) (otp.Issue, *Message, otp.Link, error) {
	ttl := s.codes.ttl
	code, link := otp.NewCode(), otp.NewLink()
	in := otp.Issue{AppID: appID, Purpose: otp.PurposeSignupEmail, Channel: otp.ChannelEmail, Identity: email,
		CodeHash: s.codes.hasher.Code(otp.PurposeSignupEmail, email, code), Selector: link.Selector, VerifierHash: link.VerifierHash,
		TTL: ttl.Link, CodeTTL: ttl.Code}
	var m Message
	var err error
	if existing {
		in.UserID = &u.ID
		m, err = s.msgs.SignupExisting(ctx, email)
	} else {
		m, err = s.msgs.SignupCode(ctx, email, code, link.Token, ttl.Code, ttl.Link)
	}
	if err != nil {
		return otp.Issue{}, nil, otp.Link{}, fmt.Errorf("auth: signup message: %w", err)
	}
	m.Expires, m.Decoy = time.Now().Add(ttl.Link), decoy
	return in, &m, link, nil
}

// issue reserves the send at the guard, stores the row, queues m and
// saves or rebinds the pending signup in one transaction, and sets the
// wait until the next send.
func (s *Signups) issue(ctx context.Context, in otp.Issue, m *Message, save *PendingSignup, rebind uuid.UUID, started *SignupStarted) error {
	err := guardedSend(ctx, s.accounts.guard, in, func() error { return s.store.Issue(ctx, in, m, save, rebind) })
	var limited *otp.SendLimitError
	if errors.As(err, &limited) {
		started.Wait = limited.Wait
		s.codes.record(ctx, Event{AppID: in.AppID, UserID: userID(in.UserID), Name: "code.send", Outcome: Failure, Detail: map[string]string{"reason": "limited", "purpose": string(in.Purpose)}})
		return &Error{Code: messages.CodeSendLimited, Err: err}
	}
	if err != nil {
		return err // a guard refusal is an *Error already; anything else is internal
	}
	started.Wait = s.codes.store.Cooldown()
	s.codes.record(ctx, Event{AppID: in.AppID, UserID: userID(in.UserID), Name: "code.send", Outcome: Success, Detail: map[string]string{"purpose": string(in.Purpose), "channel": "email", "link": "yes"}})
	return nil
}

// Resend sends the code step's address a new email: a new code and link
// bound to the pending signup id when it is still waiting for that
// address, the note again when the address has an account, and otherwise
// a decoy (queued, never sent). The answer (the wait and a fresh link
// selector, as Start's) is the same in every case.
//
// Errors: *Error with messages.FormInvalid for a malformed address;
// messages.SendThrottled when the guard refuses; messages.CodeSendLimited
// with the wait when the address was sent an email too recently; anything
// else is internal.
func (s *Signups) Resend(ctx context.Context, appID uuid.UUID, email string, id uuid.UUID) (SignupStarted, error) {
	email, problem := validate.Email(email)
	if problem != "" {
		return SignupStarted{}, &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldEmail: problem}}
	}
	p, err := s.store.Pending(ctx, appID, id)
	waiting := err == nil && p.Email == email
	if err != nil && !errors.Is(err, ErrNotFound) {
		return SignupStarted{}, fmt.Errorf("auth: signup resend: %w", err)
	}
	u, err := s.accounts.users.UserByIdentity(ctx, appID, IdentityEmail, email)
	existing := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return SignupStarted{}, fmt.Errorf("auth: signup resend: lookup: %w", err)
	}
	in, m, link, err := s.message(ctx, appID, email, u, existing, !existing && !waiting)
	if err != nil {
		return SignupStarted{}, err
	}
	rebind := uuid.Nil
	if waiting && !existing {
		rebind = p.ID
	}
	started := SignupStarted{ID: id, Email: email, Selector: link.Selector}
	err = s.issue(ctx, in, m, nil, rebind, &started)
	return started, err
}

// FinishByCode spends a signup code typed in the browser that started the
// signup (id is the handle its code step carries) and creates the account,
// its address verified. It returns the new user and whether the signup
// asked to keep the browser signed in.
//
// Errors: *Error with messages.CodeInvalid for a wrong, expired, used or
// malformed code, or one that belongs to another signup of the address;
// messages.CodeExhausted once too many wrong codes voided it;
// messages.CodeGuessThrottled when the guard refuses; messages.SignupAccountExists
// when the address got an account meanwhile (nothing is created); anything
// else is internal.
func (s *Signups) FinishByCode(ctx context.Context, appID uuid.UUID, email, code string, id uuid.UUID) (User, bool, error) {
	email, problem := validate.Email(email)
	code, err := otp.NormalizeCode(code)
	if problem != "" || err != nil || id == uuid.Nil {
		return User{}, false, &Error{Code: messages.CodeInvalid}
	}
	rec, err := s.codes.store.Verify(ctx, appID, otp.PurposeSignupEmail, email, s.codes.hasher.Code(otp.PurposeSignupEmail, email, code))
	if err != nil {
		if ae := (*Error)(nil); errors.As(err, &ae) {
			return User{}, false, err // refused by the guard
		}
		return User{}, false, s.codes.spendFailed(ctx, appID, uuid.Nil, string(otp.PurposeSignupEmail), "code", err)
	}
	return s.finish(ctx, rec, id, "code", true)
}

// FinishByLink spends a signup link, wherever it is opened (holding it
// proves the mailbox), and creates the account, its address verified. In
// the browser that started the signup (asked) the account keeps the
// password chosen there; in any other browser it is created without it,
// since the link proves the mailbox and not who typed the password, and
// its owner sets one next. It returns the new user and whether the signup
// asked to keep the browser signed in (never in another browser). A
// malformed token is refused before the store is asked.
//
// Errors: *Error with messages.SignupLinkInvalid for a malformed, wrong,
// expired or used link; messages.CodeExhausted for one voided by wrong
// codes; messages.TooManyAttempts when the guard refuses;
// messages.SignupAccountExists when the address got an account meanwhile;
// anything else is internal.
func (s *Signups) FinishByLink(ctx context.Context, appID uuid.UUID, token string, asked bool) (User, bool, error) {
	selector, verifierHash, err := otp.ParseLink(token)
	if err != nil {
		s.codes.record(ctx, Event{AppID: appID, Name: "link.use", Outcome: Failure, Detail: map[string]string{"reason": "malformed", "purpose": string(otp.PurposeSignupEmail)}})
		return User{}, false, &Error{Code: messages.SignupLinkInvalid, Err: err}
	}
	rec, err := s.codes.store.ConsumeLink(ctx, appID, otp.PurposeSignupEmail, selector, verifierHash)
	if err != nil {
		if ae := (*Error)(nil); errors.As(err, &ae) {
			return User{}, false, err
		}
		err = s.codes.spendFailed(ctx, appID, uuid.Nil, string(otp.PurposeSignupEmail), "link", err)
		if ae := (*Error)(nil); errors.As(err, &ae) && ae.Code == messages.CodeInvalid {
			ae.Code = messages.SignupLinkInvalid
		}
		return User{}, false, err
	}
	u, remember, err := s.finish(ctx, rec, uuid.Nil, "link", asked)
	if ae := (*Error)(nil); errors.As(err, &ae) && ae.Code == messages.CodeInvalid {
		ae.Code = messages.SignupLinkInvalid
	}
	return u, remember, err
}

// finish creates the account of the pending signup bound to the spent
// row rec, with the password chosen at signup when keepPassword.
func (s *Signups) finish(ctx context.Context, rec otp.Record, id uuid.UUID, proof string, keepPassword bool) (User, bool, error) {
	a := s.accounts
	if rec.UserID != nil {
		// The row of a note to an address with an account: its code was
		// never sent to anyone.
		s.codes.record(ctx, Event{AppID: rec.AppID, UserID: *rec.UserID, Name: "signup", Outcome: Failure, Detail: map[string]string{"reason": "identity_taken", "proof": proof}})
		return User{}, false, &Error{Code: messages.CodeInvalid}
	}
	uid, err := uuid.NewV7()
	if err != nil {
		return User{}, false, fmt.Errorf("auth: signup: new id: %w", err)
	}
	u := User{ID: uid, AppID: rec.AppID, Status: StatusActive, CreatedAt: a.clock().UTC()}
	p, err := s.store.Finish(ctx, rec.AppID, rec.ID, id, u, keepPassword)
	switch {
	case errors.Is(err, ErrNotFound):
		// Expired, or the code of another signup of the address (someone
		// else started one since): it creates nothing here.
		a.record(ctx, Event{AppID: rec.AppID, Name: "signup", Outcome: Failure, Detail: map[string]string{"reason": "no_pending_signup", "proof": proof}})
		return User{}, false, &Error{Code: messages.CodeInvalid, Err: err}
	case errors.Is(err, ErrIdentityTaken):
		a.record(ctx, Event{AppID: rec.AppID, Name: "signup", Outcome: Failure, Detail: map[string]string{"reason": "identity_taken", "proof": proof}})
		return User{}, false, &Error{Code: messages.SignupAccountExists, Err: err}
	case err != nil:
		return User{}, false, fmt.Errorf("auth: signup: finish: %w", err)
	}
	detail, remember := map[string]string{"method": "password", "proof": proof}, p.Remember
	if !keepPassword {
		// Another browser than the one that started spent the link: the
		// account has no password yet, and that browser is not kept
		// signed in on the word of the one that started.
		detail["password"], remember = PasswordDroppedElsewhere, false
	}
	a.record(ctx, Event{AppID: rec.AppID, UserID: u.ID, Name: "signup", Outcome: Success, Detail: detail})
	return u, remember, nil
}
