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
	"github.com/latch-dev/latch/server/otp"
)

// Message is an email or SMS a flow asks to deliver. Its body carries a
// secret (a code), so it is never logged.
type Message struct {
	SMS     bool
	To      string
	Subject string
	Text    string
	HTML    string
	Purpose string // for operators, e.g. "login_code"
	Expires time.Time
}

// CodeStore keeps one-time codes and queues the messages that carry them.
type CodeStore interface {
	// Issue stores the code and, when m is not nil, queues m in the same
	// transaction, so a code is never stored without its message or sent
	// without being stored. It returns a *otp.SendLimitError when the
	// identity was sent codes too recently or too often.
	Issue(ctx context.Context, in otp.Issue, m *Message) error
	// Verify spends a code: see db.OneTime.Verify for its errors.
	Verify(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, identity string, codeHash []byte) (otp.Record, error)
	// Cooldown is how long an identity waits between two codes.
	Cooldown() time.Duration
	// ConsumeLink spends a magic link: see db.OneTime.ConsumeLink.
	ConsumeLink(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, selector string, verifierHash []byte) (otp.Record, error)
}

// CodeMessages writes the messages that carry codes.
type CodeMessages interface {
	LoginCode(ctx context.Context, to, code string, ttl time.Duration) (Message, error)
	// VerifyEmail carries a code and a link (built from the link token and
	// the public origin, never from a request) that prove an address.
	VerifyEmail(ctx context.Context, to, code, linkToken string, ttl time.Duration) (Message, error)
}

// Codes runs login by a one-time code sent by email.
type Codes struct {
	users  UserStore
	store  CodeStore
	hasher *otp.Hasher
	msgs   CodeMessages
	audit  Auditor
	ttl    time.Duration
	log    *slog.Logger
}

// NewCodes returns the one-time code flows. Codes are valid for ttl (10
// minutes when zero).
func NewCodes(users UserStore, store CodeStore, hasher *otp.Hasher, msgs CodeMessages, audit Auditor, ttl time.Duration, log *slog.Logger) *Codes {
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Codes{users: users, store: store, hasher: hasher, msgs: msgs, audit: audit, ttl: ttl, log: log}
}

// RequestLogin sends a login code to email when an active account holds
// it. The answer, the stored row and the send limits are the same whether
// or not it does: a code is stored for unknown addresses too (and can never
// be used), only no message is queued.
//
// Errors: *Error with messages.FormInvalid and a field for a malformed
// email; *Error with messages.CodeSendLimited when the address was sent
// codes too recently or too often; anything else is internal.
func (c *Codes) RequestLogin(ctx context.Context, appID uuid.UUID, email string) error {
	email, problem := validate.Email(email)
	if problem != "" {
		return &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldEmail: problem}}
	}
	code := otp.NewCode()
	in := otp.Issue{AppID: appID, Purpose: otp.PurposeLogin, Channel: otp.ChannelEmail, Identity: email,
		CodeHash: c.hasher.Code(otp.PurposeLogin, email, code), TTL: c.ttl}
	var msg *Message
	u, err := c.users.UserByIdentity(ctx, appID, IdentityEmail, email)
	switch {
	case err == nil && u.Status == StatusActive:
		in.UserID = &u.ID
		m, err := c.msgs.LoginCode(ctx, email, code, c.ttl)
		if err != nil {
			return fmt.Errorf("auth: login code message: %w", err)
		}
		m.Expires = time.Now().Add(c.ttl)
		msg = &m
	case err != nil && !errors.Is(err, ErrNotFound):
		return fmt.Errorf("auth: login code: %w", err)
	}
	err = c.store.Issue(ctx, in, msg)
	if errors.Is(err, otp.ErrSendLimited) {
		c.record(ctx, Event{AppID: appID, UserID: userID(in.UserID), Name: "code.send", Outcome: Failure, Detail: map[string]string{"reason": "limited", "purpose": "login"}})
		return &Error{Code: messages.CodeSendLimited, Err: err}
	}
	if err != nil {
		return fmt.Errorf("auth: login code: %w", err)
	}
	detail := map[string]string{"purpose": "login", "channel": "email"}
	if msg == nil {
		detail["reason"] = "unknown_identity" // stored, never sent
	}
	c.record(ctx, Event{AppID: appID, UserID: userID(in.UserID), Name: "code.send", Outcome: Success, Detail: detail})
	return nil
}

// VerifyLogin spends a login code and returns the user it proves.
//
// Errors: *Error with messages.CodeInvalid for a wrong, expired, used or
// malformed code, or one for an address without an active account;
// messages.CodeExhausted once too many wrong codes voided it; anything
// else is internal.
func (c *Codes) VerifyLogin(ctx context.Context, appID uuid.UUID, email, code string) (User, error) {
	invalid := &Error{Code: messages.CodeInvalid}
	email, problem := validate.Email(email)
	code, err := otp.NormalizeCode(code)
	if problem != "" || err != nil {
		return User{}, invalid
	}
	rec, err := c.store.Verify(ctx, appID, otp.PurposeLogin, email, c.hasher.Code(otp.PurposeLogin, email, code))
	switch {
	case errors.Is(err, otp.ErrExhausted):
		c.record(ctx, Event{AppID: appID, Name: "code.use", Outcome: Failure, Detail: map[string]string{"reason": "exhausted", "purpose": "login"}})
		return User{}, &Error{Code: messages.CodeExhausted, Err: err}
	case errors.Is(err, otp.ErrInvalid), errors.Is(err, otp.ErrExpired), errors.Is(err, otp.ErrUsed):
		c.record(ctx, Event{AppID: appID, Name: "code.use", Outcome: Failure, Detail: map[string]string{"reason": reason(err), "purpose": "login"}})
		invalid.Err = err
		return User{}, invalid
	case err != nil:
		return User{}, fmt.Errorf("auth: verify login code: %w", err)
	}
	if rec.UserID == nil {
		c.record(ctx, Event{AppID: appID, Name: "code.use", Outcome: Failure, Detail: map[string]string{"reason": "unknown_identity", "purpose": "login"}})
		return User{}, invalid
	}
	acct, err := c.users.Account(ctx, appID, *rec.UserID)
	if errors.Is(err, ErrNotFound) || (err == nil && acct.User.Status != StatusActive) {
		return User{}, invalid
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: verify login code: %w", err)
	}
	c.record(ctx, Event{AppID: appID, UserID: acct.User.ID, Name: "code.use", Outcome: Success, Detail: map[string]string{"purpose": "login"}})
	return acct.User, nil
}

func reason(err error) string {
	switch {
	case errors.Is(err, otp.ErrExpired):
		return "expired"
	case errors.Is(err, otp.ErrUsed):
		return "used"
	}
	return "wrong_code"
}

func userID(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func (c *Codes) record(ctx context.Context, e Event) {
	if err := c.audit.Record(ctx, e); err != nil {
		c.log.ErrorContext(ctx, "audit write failed", "event", e.Name, "err", err)
	}
}
