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
	// Decoy marks a message for an identity without an account: queued
	// like a real one, so the request takes as long, and never sent.
	Decoy bool
}

// CodeStore keeps one-time codes and links and queues the messages that
// carry them.
type CodeStore interface {
	// Issue stores the code (and link) and, when m is not nil, queues m in
	// the same transaction, so a code is never stored without its message
	// or sent without being stored. It returns a *otp.SendLimitError when
	// the identity was sent codes too recently or too often.
	Issue(ctx context.Context, in otp.Issue, m *Message) error
	// Verify spends a code: see db.OneTime.Verify for its errors.
	Verify(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, identity string, codeHash []byte) (otp.Record, error)
	// Cooldown is how long an identity waits between two codes.
	Cooldown() time.Duration
	// ConsumeLink spends a link: see db.OneTime.ConsumeLink for its errors.
	ConsumeLink(ctx context.Context, appID uuid.UUID, purpose otp.Purpose, selector string, verifierHash []byte) (otp.Record, error)
}

// LoginEmail is what a login email carries: always a code, and a magic
// link when LinkToken is set.
type LoginEmail struct {
	Code      string
	CodeTTL   time.Duration
	LinkToken string        // otp.Link.Token, or "" for a code-only email
	LinkTTL   time.Duration // with LinkToken
	Next      string        // a checked local target to carry in the link, or ""
}

// CodeMessages writes the messages that carry codes. It builds the link's
// URL from the token: only it knows the public origin and the route.
type CodeMessages interface {
	LoginCode(ctx context.Context, to string, e LoginEmail) (Message, error)
	// VerifyEmail carries a code and a link (built from the link token and
	// the public origin, never from a request) that prove an address.
	VerifyEmail(ctx context.Context, to, code, linkToken string, ttl time.Duration) (Message, error)
}

// Lifetimes are how long what a login email carries stays valid.
type Lifetimes struct {
	Code time.Duration // 10 minutes when zero
	Link time.Duration // 15 minutes when zero; never shorter than Code
}

// Codes runs login by a one-time code, and by a magic link, sent by email.
type Codes struct {
	users  UserStore
	store  CodeStore
	hasher *otp.Hasher
	msgs   CodeMessages
	audit  Auditor
	ttl    Lifetimes
	log    *slog.Logger
}

// NewCodes returns the one-time code and magic-link flows.
func NewCodes(users UserStore, store CodeStore, hasher *otp.Hasher, msgs CodeMessages, audit Auditor, ttl Lifetimes, log *slog.Logger) *Codes {
	if ttl.Code <= 0 {
		ttl.Code = 10 * time.Minute
	}
	if ttl.Link <= 0 {
		ttl.Link = 15 * time.Minute
	}
	ttl.Link = max(ttl.Link, ttl.Code)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Codes{users: users, store: store, hasher: hasher, msgs: msgs, audit: audit, ttl: ttl, log: log}
}

// RequestLogin sends a login code, without a link, to email when an active
// account holds it: the token API's clients type the code into an app,
// where a link would open the wrong place. The answer, the stored row and
// the send limits are the same whether or not an account holds it: a code
// is stored for unknown addresses too (and can never be used), only no
// message is queued.
//
// Errors: *Error with messages.FormInvalid and a field for a malformed
// email; *Error with messages.CodeSendLimited when the address was sent
// codes too recently or too often; anything else is internal.
func (c *Codes) RequestLogin(ctx context.Context, appID uuid.UUID, email string) error {
	_, err := c.request(ctx, appID, email, false, "")
	return err
}

// request stores a login code, and with link a magic link in the same row,
// and queues the email for an active account. It returns the link's
// selector ("" without link), the same for known and unknown addresses.
func (c *Codes) request(ctx context.Context, appID uuid.UUID, email string, link bool, next string) (string, error) {
	email, problem := validate.Email(email)
	if problem != "" {
		return "", &Error{Code: messages.FormInvalid, Fields: map[string]messages.Key{FieldEmail: problem}}
	}
	code := otp.NewCode()
	in := otp.Issue{AppID: appID, Purpose: otp.PurposeLogin, Channel: otp.ChannelEmail, Identity: email,
		CodeHash: c.hasher.Code(otp.PurposeLogin, email, code), TTL: c.ttl.Code}
	content := LoginEmail{Code: code, CodeTTL: c.ttl.Code}
	if link {
		l := otp.NewLink()
		in.Selector, in.VerifierHash = l.Selector, l.VerifierHash
		// One row, so using either the code or the link spends both; the
		// row lives as long as the link, the code ends sooner.
		in.TTL, in.CodeTTL = c.ttl.Link, c.ttl.Code
		content.LinkToken, content.LinkTTL, content.Next = l.Token, c.ttl.Link, next
	}
	u, err := c.users.UserByIdentity(ctx, appID, IdentityEmail, email)
	known := err == nil && u.CanSignIn(time.Now())
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", fmt.Errorf("auth: login code: %w", err)
	}
	if known {
		in.UserID = &u.ID
	}
	// The email is written and queued either way; for an address without
	// an account it is a decoy, completed unsent.
	m, err := c.msgs.LoginCode(ctx, email, content)
	if err != nil {
		return "", fmt.Errorf("auth: login code message: %w", err)
	}
	m.Expires, m.Decoy = time.Now().Add(in.TTL), !known
	msg := &m
	detail := map[string]string{"purpose": "login", "channel": "email"}
	if link {
		detail["link"] = "true"
	}
	err = c.store.Issue(ctx, in, msg)
	if errors.Is(err, otp.ErrSendLimited) {
		detail["reason"] = "limited"
		delete(detail, "channel")
		c.record(ctx, Event{AppID: appID, UserID: userID(in.UserID), Name: "code.send", Outcome: Failure, Detail: detail})
		return "", &Error{Code: messages.CodeSendLimited, Err: err}
	}
	if err != nil {
		return "", fmt.Errorf("auth: login code: %w", err)
	}
	if !known {
		detail["reason"] = "unknown_identity" // stored, never sent
	}
	c.record(ctx, Event{AppID: appID, UserID: userID(in.UserID), Name: "code.send", Outcome: Success, Detail: detail})
	return in.Selector, nil
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
		c.record(ctx, Event{AppID: appID, UserID: ownerOf(ctx, c.users, appID, email), Name: "code.use", Outcome: Failure, Detail: map[string]string{"reason": "exhausted", "purpose": "login"}})
		return User{}, &Error{Code: messages.CodeExhausted, Err: err}
	case errors.Is(err, otp.ErrInvalid), errors.Is(err, otp.ErrExpired), errors.Is(err, otp.ErrUsed):
		c.record(ctx, Event{AppID: appID, UserID: ownerOf(ctx, c.users, appID, email), Name: "code.use", Outcome: Failure, Detail: map[string]string{"reason": reason(err), "purpose": "login"}})
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
	if errors.Is(err, ErrNotFound) || (err == nil && !acct.User.CanSignIn(time.Now())) {
		return User{}, invalid
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: verify login code: %w", err)
	}
	c.record(ctx, Event{AppID: appID, UserID: acct.User.ID, Name: "code.use", Outcome: Success, Detail: map[string]string{"purpose": "login"}})
	acct.User.Claimed = c.proveByLogin(ctx, rec, acct, "login_code")
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
