package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/otp"
)

// Email verification: one message carries a six-digit code (typed on the
// account page, by the signed-in user) and a link (opened anywhere: it
// proves the mailbox, it does not sign anyone in). Both live in one stored
// row, so using either spends the other, and both expire with the code.

// EmailVerification is what RequestEmailVerification sent.
type EmailVerification struct {
	Email string        // the address the message went to
	Wait  time.Duration // until another may be asked for
}

// RequestEmailVerification sends the signed-in user's email address a code
// and a link that prove it.
//
// Errors: *Error with messages.EmailAlreadyVerified when there is nothing
// to prove; messages.CodeSendLimited (its Err a *otp.SendLimitError with
// the wait) when the address was sent codes too recently or too often;
// ErrNotFound when the user has no email address; anything else is
// internal.
func (c *Codes) RequestEmailVerification(ctx context.Context, appID, userID uuid.UUID) (EmailVerification, error) {
	email, verified, err := c.email(ctx, appID, userID)
	if err != nil {
		return EmailVerification{}, err
	}
	if verified {
		return EmailVerification{Email: email}, &Error{Code: messages.EmailAlreadyVerified}
	}
	code, link := otp.NewCode(), otp.NewLink()
	m, err := c.msgs.VerifyEmail(ctx, email, code, link.Token, c.ttl.Code)
	if err != nil {
		return EmailVerification{}, fmt.Errorf("auth: verification message: %w", err)
	}
	m.Expires = time.Now().Add(c.ttl.Code)
	in := otp.Issue{AppID: appID, UserID: &userID, Purpose: otp.PurposeVerifyEmail, Channel: otp.ChannelEmail, Identity: email,
		CodeHash: c.hasher.Code(otp.PurposeVerifyEmail, email, code), Selector: link.Selector, VerifierHash: link.VerifierHash, TTL: c.ttl.Code}
	err = c.store.Issue(ctx, in, &m)
	var limited *otp.SendLimitError
	if errors.As(err, &limited) {
		c.record(ctx, Event{AppID: appID, UserID: userID, Name: "code.send", Outcome: Failure, Detail: map[string]string{"reason": "limited", "purpose": "verify_email"}})
		return EmailVerification{Email: email, Wait: limited.Wait}, &Error{Code: messages.CodeSendLimited, Err: err}
	}
	if err != nil {
		return EmailVerification{}, fmt.Errorf("auth: verification code: %w", err)
	}
	c.record(ctx, Event{AppID: appID, UserID: userID, Name: "code.send", Outcome: Success, Detail: map[string]string{"purpose": "verify_email", "channel": "email", "link": "yes"}})
	return EmailVerification{Email: email, Wait: c.store.Cooldown()}, nil
}

// VerifyEmailCode spends a verification code typed by the signed-in user
// and marks their email address verified.
//
// Errors: *Error with messages.CodeInvalid for a wrong, expired, used or
// malformed code; messages.CodeExhausted once too many wrong codes voided
// it; messages.EmailAlreadyVerified when there was nothing to prove;
// anything else is internal.
func (c *Codes) VerifyEmailCode(ctx context.Context, appID, userID uuid.UUID, code string) error {
	email, verified, err := c.email(ctx, appID, userID)
	if errors.Is(err, ErrNotFound) {
		return &Error{Code: messages.CodeInvalid, Err: err}
	}
	if err != nil {
		return err
	}
	if verified {
		return &Error{Code: messages.EmailAlreadyVerified}
	}
	code, err = otp.NormalizeCode(code)
	if err != nil {
		return &Error{Code: messages.CodeInvalid, Err: err}
	}
	rec, err := c.store.Verify(ctx, appID, otp.PurposeVerifyEmail, email, c.hasher.Code(otp.PurposeVerifyEmail, email, code))
	if err != nil {
		return c.spendFailed(ctx, appID, userID, "verify_email", "code", err)
	}
	if rec.UserID == nil || *rec.UserID != userID {
		c.record(ctx, Event{AppID: appID, UserID: userID, Name: "code.use", Outcome: Failure, Detail: map[string]string{"reason": "other_user", "purpose": "verify_email"}})
		return &Error{Code: messages.CodeInvalid}
	}
	return c.markEmailVerified(ctx, rec, "code")
}

// VerifyEmailLink spends a verification link, wherever it is opened, and
// marks the address it was sent to verified for the user it was sent for.
// It returns that user's id.
//
// Errors: *Error with messages.VerifyLinkInvalid for a malformed, wrong,
// expired or used link, or one whose address has since left the account;
// messages.CodeExhausted for a link voided by wrong codes; anything else
// is internal.
//
// viewer is the user the browser presenting the link is signed in as
// (uuid.Nil when none): a link opened anywhere else is a proof by someone
// not signed in to the account, which undoes what was set up before a
// first proof (claim).
func (c *Codes) VerifyEmailLink(ctx context.Context, appID uuid.UUID, token string, viewer uuid.UUID) (uuid.UUID, error) {
	selector, verifierHash, err := otp.ParseLink(token)
	if err != nil {
		c.record(ctx, Event{AppID: appID, Name: "link.use", Outcome: Failure, Detail: map[string]string{"reason": "malformed", "purpose": "verify_email"}})
		return uuid.Nil, &Error{Code: messages.VerifyLinkInvalid, Err: err}
	}
	rec, err := c.store.ConsumeLink(ctx, appID, otp.PurposeVerifyEmail, selector, verifierHash)
	if err != nil {
		err = c.spendFailed(ctx, appID, uuid.Nil, "verify_email", "link", err)
		if ae := (*Error)(nil); errors.As(err, &ae) && ae.Code == messages.CodeInvalid {
			ae.Code = messages.VerifyLinkInvalid
		}
		return uuid.Nil, err
	}
	if rec.UserID == nil {
		return uuid.Nil, &Error{Code: messages.VerifyLinkInvalid}
	}
	method := "link"
	if viewer == *rec.UserID {
		method = "link_signed_in"
	}
	if err := c.markEmailVerified(ctx, rec, method); err != nil {
		if ae := (*Error)(nil); errors.As(err, &ae) {
			ae.Code = messages.VerifyLinkInvalid
		}
		return uuid.Nil, err
	}
	return *rec.UserID, nil
}

// ProofClaim is what proving an address undid (UserStore.ClaimByProof).
type ProofClaim struct {
	First           bool // the address had never been proven
	Sessions        int  // sessions ended
	Families        int  // token families revoked
	PasswordRemoved bool // a password set before the proof was removed
	// ProvidersUnlinked counts sign-in providers linked before the proof,
	// now unlinked.
	ProvidersUnlinked int
}

// claim records that rec proved its address, by someone not signed in to
// the account: a first proof undoes what was set up before it (see
// UserStore.ClaimByProof) and is audited with what it ended.
func (c *Codes) claim(ctx context.Context, rec otp.Record, method string) (ProofClaim, error) {
	cl, err := c.users.ClaimByProof(ctx, rec.AppID, *rec.UserID, rec.Identity)
	if err != nil {
		return cl, err
	}
	if cl.First {
		c.record(ctx, Event{AppID: rec.AppID, UserID: *rec.UserID, Name: "email.verify", Outcome: Success, Detail: map[string]string{
			"method": method, "first_proof": "true", "sessions_ended": fmt.Sprint(cl.Sessions),
			"families_revoked": fmt.Sprint(cl.Families), "password_removed": fmt.Sprint(cl.PasswordRemoved),
			"providers_unlinked": fmt.Sprint(cl.ProvidersUnlinked)}})
	}
	return cl, nil
}

// markEmailVerified marks the address rec proved, for the user it was
// sent for, and records it. A link (opened by anyone) is a proof by
// someone who may not be signed in: it claims the address (claim); a code
// is typed by the signed-in user, whose account it already is.
func (c *Codes) markEmailVerified(ctx context.Context, rec otp.Record, method string) error {
	var err error
	if method == "link" {
		var cl ProofClaim
		if cl, err = c.claim(ctx, rec, method); err == nil && cl.First {
			return nil // recorded by claim
		}
	} else {
		err = c.users.MarkVerified(ctx, rec.AppID, *rec.UserID, IdentityEmail, rec.Identity)
	}
	if errors.Is(err, ErrNotFound) {
		// The address left the account after the message was sent.
		c.record(ctx, Event{AppID: rec.AppID, UserID: *rec.UserID, Name: "email.verify", Outcome: Failure, Detail: map[string]string{"reason": "identity_changed", "method": method}})
		return &Error{Code: messages.CodeInvalid, Err: err}
	}
	if err != nil {
		return fmt.Errorf("auth: verify email: %w", err)
	}
	c.record(ctx, Event{AppID: rec.AppID, UserID: *rec.UserID, Name: "email.verify", Outcome: Success, Detail: map[string]string{"method": method}})
	return nil
}

// proveByLogin marks the email address a login code or link was sent to
// verified, if it was not: receiving it proved the mailbox as well as a
// verification email would, and whoever signs in this way is the owner, so
// everything set up before the proof ends (claim). It reports whether a
// first proof did so. A failure is logged; the login stands.
func (c *Codes) proveByLogin(ctx context.Context, rec otp.Record, acct Account, method string) bool {
	if rec.Channel != otp.ChannelEmail {
		return false
	}
	for _, id := range acct.Identities {
		if id.Kind != IdentityEmail || id.Value != rec.Identity || id.VerifiedAt != nil {
			continue
		}
		rec.UserID = &acct.User.ID
		cl, err := c.claim(ctx, rec, method)
		if err != nil {
			c.log.WarnContext(ctx, "email not marked verified after login", "user_id", acct.User.ID, "err", err)
			return false
		}
		return cl.First
	}
	return false
}

// Cooldown is how long an address waits between two codes of one flow.
func (c *Codes) Cooldown() time.Duration { return c.store.Cooldown() }

// spendFailed records a refused code or link and returns the error to
// show: messages.CodeExhausted for a voided one, messages.CodeInvalid for
// a wrong, expired or used one (one message, so nothing tells them apart),
// the error itself when it is internal.
func (c *Codes) spendFailed(ctx context.Context, appID, userID uuid.UUID, purpose, kind string, err error) error {
	name := kind + ".use"
	switch {
	case errors.Is(err, otp.ErrExhausted):
		c.record(ctx, Event{AppID: appID, UserID: userID, Name: name, Outcome: Failure, Detail: map[string]string{"reason": "exhausted", "purpose": purpose}})
		return &Error{Code: messages.CodeExhausted, Err: err}
	case errors.Is(err, otp.ErrInvalid), errors.Is(err, otp.ErrExpired), errors.Is(err, otp.ErrUsed):
		c.record(ctx, Event{AppID: appID, UserID: userID, Name: name, Outcome: Failure, Detail: map[string]string{"reason": reason(err), "purpose": purpose}})
		return &Error{Code: messages.CodeInvalid, Err: err}
	}
	return fmt.Errorf("auth: %s %s: %w", purpose, kind, err)
}

// email returns the user's email address and whether it is verified, or
// ErrNotFound when the user has none.
func (c *Codes) email(ctx context.Context, appID, userID uuid.UUID) (string, bool, error) {
	acct, err := c.users.Account(ctx, appID, userID)
	if err != nil {
		return "", false, err
	}
	for _, id := range acct.Identities {
		if id.Kind == IdentityEmail {
			return id.Value, id.VerifiedAt != nil, nil
		}
	}
	return "", false, ErrNotFound
}
