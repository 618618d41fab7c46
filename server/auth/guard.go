package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/phone"
)

// Guard bounds guesses at secrets and costly actions (guard.Guard). Every
// flow that checks a secret, sends a message or hashes a password reserves
// first.
type Guard interface {
	Reserve(ctx context.Context, name guard.Name, s guard.Subject) (*guard.Reservation, error)
}

// accountKey is the guard's name for the account aimed at: the user when
// one is known, else the identifier typed, so that limits behave alike
// whether or not an account exists.
func accountKey(userID uuid.UUID, identity string) string {
	if userID != uuid.Nil {
		return "user:" + userID.String()
	}
	return "id:" + identity
}

// subject describes an attempt at the account of userID (uuid.Nil when
// none holds identity) from the request's client.
func subject(ctx context.Context, userID uuid.UUID, identity string) guard.Subject {
	c := ClientFrom(ctx)
	s := guard.Subject{Account: accountKey(userID, identity), Device: c.Device, IP: c.IP, Session: c.Session, Proof: c.Proof}
	if userID != uuid.Nil && c.KnownTo != nil {
		s.Known = c.KnownTo(userID)
	}
	return s
}

// reserve asks g to allow an attempt of name by s. A refusal comes back
// as an *Error with code (wrapping the *guard.Refused, which carries the
// wait); a failure of the ledger is returned as is (internal: fail
// closed). A nil g allows everything: only tests of a single flow build
// flows without a guard.
func reserve(ctx context.Context, g Guard, name guard.Name, s guard.Subject, code messages.Key) (*guard.Reservation, error) {
	if g == nil {
		return nil, nil
	}
	r, err := g.Reserve(ctx, name, s)
	var refused *guard.Refused
	if errors.As(err, &refused) {
		if refused.Past == guard.Lock && code == messages.TwoFactorThrottled {
			code = messages.TwoFactorCodesLocked
		}
		return nil, &Error{Code: code, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return r, nil
}

// clearGuard forgets every attempt g counted by policy name against the
// account of s, after a proof that lifts its locks. A failure is logged by
// the caller's logger through the returned error.
func clearGuard(ctx context.Context, g Guard, name guard.Name, s guard.Subject) error {
	c, ok := g.(interface {
		Clear(context.Context, guard.Name, guard.Subject) error
	})
	if !ok {
		return nil
	}
	return c.Clear(ctx, name, s)
}

// identityKind is the kind of a normalised identity: E.164 numbers start
// with "+", which no email address does.
func identityKind(identity string) IdentityKind {
	if strings.HasPrefix(identity, "+") {
		return IdentityPhone
	}
	return IdentityEmail
}

// ownerOf returns the user holding identity (an email address, or an
// E.164 number), or uuid.Nil: failures against an account are audited
// under its user, so the holder sees attacks on their codes.
func ownerOf(ctx context.Context, users IdentityUsers, appID uuid.UUID, identity string) uuid.UUID {
	u, err := users.UserByIdentity(ctx, appID, identityKind(identity), identity)
	if err != nil {
		return uuid.Nil
	}
	return u.ID
}

// Refused reports whether err is an attempt the guard refused.
func Refused(err error) bool {
	var refused *guard.Refused
	return errors.As(err, &refused)
}

// GuardedCodes is a code store whose every send and every check passes
// the guard first: sends against the email or SMS budgets, codes against
// the code budget (the account's known browsers each apart from everyone
// else), links against the link budget.
type GuardedCodes struct {
	store CodeChecker
	users IdentityUsers
	guard Guard
}

// CodeChecker is a code store that can also check codes and links
// without spending them (db.Codes).
type CodeChecker interface {
	CodeStore
	Check(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, identity string, codeHash []byte) (otp.Record, error)
	CheckLink(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, selector string, verifierHash []byte) (otp.Record, error)
}

// IdentityUsers finds the user holding an identity (UserStore does).
type IdentityUsers interface {
	UserByIdentity(ctx context.Context, appID uuid.UUID, kind IdentityKind, value string) (User, error)
}

// NewGuardedCodes returns store behind g; users tells whose codes are
// guessed at, so that the account's known browsers meet their own budget.
func NewGuardedCodes(store CodeChecker, users IdentityUsers, g Guard) *GuardedCodes {
	return &GuardedCodes{store: store, users: users, guard: g}
}

var _ CodeStore = (*GuardedCodes)(nil)

// Issue reserves a send (email or SMS, by the channel) for the client and
// the destination, then stores the code and queues m.
//
// Errors: *Error with messages.SendThrottled when a budget is spent; those
// of the store's Issue.
func (c *GuardedCodes) Issue(ctx context.Context, in otp.Issue, m *Message) error {
	return guardedSend(ctx, c.guard, in, func() error { return c.store.Issue(ctx, in, m) })
}

// guardedSend reserves a send of in (email or SMS, by the channel) for
// the client and the destination, then runs send, which stores in and
// queues its message; the reservation is released when send fails.
func guardedSend(ctx context.Context, g Guard, in otp.Issue, send func() error) error {
	name, key := guard.SendEmail, messages.SendThrottled
	s := subject(ctx, userID(in.UserID), in.Identity)
	s.Destination = in.Identity
	if in.Channel == otp.ChannelSMS {
		name = guard.SendSMS
		s.Country = phone.CallingCode(in.Identity)
	}
	r, err := reserve(ctx, g, name, s, key)
	if err != nil {
		return err
	}
	guard.Note(ctx, guard.UseSend, string(in.Purpose), name)
	err = send()
	if err != nil {
		r.Release(ctx) // nothing was sent
	}
	return err
}

// Verify reserves a guess at the identity's codes, then spends the code.
func (c *GuardedCodes) Verify(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, identity string, codeHash []byte) (otp.Record, error) {
	return c.code(ctx, appID, purpose, identity, func() (otp.Record, error) {
		return c.store.Verify(ctx, appID, purpose, identity, codeHash)
	})
}

// Check reserves a guess at the identity's codes, then checks the code
// without spending it.
func (c *GuardedCodes) Check(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, identity string, codeHash []byte) (otp.Record, error) {
	return c.code(ctx, appID, purpose, identity, func() (otp.Record, error) {
		return c.store.Check(ctx, appID, purpose, identity, codeHash)
	})
}

// ConsumeLink reserves a guess at a link, then spends it.
func (c *GuardedCodes) ConsumeLink(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, selector string, verifierHash []byte) (otp.Record, error) {
	return c.link(ctx, func() (otp.Record, error) {
		return c.store.ConsumeLink(ctx, appID, purpose, selector, verifierHash)
	})
}

// CheckLink reserves a guess at a link, then checks it without spending.
func (c *GuardedCodes) CheckLink(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, selector string, verifierHash []byte) (otp.Record, error) {
	return c.link(ctx, func() (otp.Record, error) {
		return c.store.CheckLink(ctx, appID, purpose, selector, verifierHash)
	})
}

// Cooldown is the store's.
func (c *GuardedCodes) Cooldown() time.Duration { return c.store.Cooldown() }

// code runs check as one guess at identity's codes. A known browser of
// the account holding identity meets its own budget; every other client
// shares one (and a cap of 100 in a row until the owner next succeeds),
// so strangers can neither void the owner's code nor spend the guesses of
// the owner's browsers. Guesses at an identity without an account are
// counted alike.
func (c *GuardedCodes) code(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, identity string, check func() (otp.Record, error)) (otp.Record, error) {
	var owner uuid.UUID
	u, err := c.users.UserByIdentity(ctx, appID, identityKind(identity), identity)
	switch {
	case err == nil:
		owner = u.ID
	case !errors.Is(err, ErrNotFound):
		return otp.Record{}, fmt.Errorf("auth: code: %w", err)
	}
	cl := ClientFrom(ctx)
	s := guard.Subject{Account: "id:" + identity, IP: cl.IP, Session: cl.Session, Device: cl.Device}
	s.Known = owner != uuid.Nil && cl.KnownTo != nil && cl.KnownTo(owner)
	r, err := reserve(ctx, c.guard, guard.Code, s, messages.CodeGuessThrottled)
	if err != nil {
		return otp.Record{}, err
	}
	guard.Note(ctx, guard.UseGuess, "code "+string(purpose), guard.Code)
	rec, err := check()
	switch {
	case err == nil:
		r.Succeeded(ctx)
		// The owner got in: strangers' failures at this identity start
		// from nothing again.
		_ = clearGuard(ctx, c.guard, guard.Code, guard.Subject{Account: s.Account})
	case errors.Is(err, otp.ErrInvalid), errors.Is(err, otp.ErrExhausted), errors.Is(err, otp.ErrExpired), errors.Is(err, otp.ErrUsed):
		// A guess, counted.
	default:
		r.Release(ctx)
	}
	return rec, err
}

func (c *GuardedCodes) link(ctx context.Context, check func() (otp.Record, error)) (otp.Record, error) {
	cl := ClientFrom(ctx)
	r, err := reserve(ctx, c.guard, guard.Link, guard.Subject{IP: cl.IP}, messages.TooManyAttempts)
	if err != nil {
		return otp.Record{}, err
	}
	guard.Note(ctx, guard.UseGuess, "link", guard.Link)
	rec, err := check()
	if err == nil || !(errors.Is(err, otp.ErrInvalid) || errors.Is(err, otp.ErrExhausted)) {
		r.Succeeded(ctx) // only a wrong token is a guess
	}
	return rec, err
}
