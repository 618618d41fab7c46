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

// Magic links: a login email carries a six-digit code and a link that does
// the same job, stored as one row (see request), so whichever is used
// first spends both. The link's token is a selector and a 256-bit verifier
// (otp.NewLink); only the verifier's hash is stored. It is valid for
// Lifetimes.Link, single use, and its wrong verifiers count against the
// same attempt limit as wrong codes.

// RequestLoginLink sends a login email with a code and a magic link to
// email when an active account holds it, as RequestLogin does for a code.
// next, already checked by the caller as a safe local target, is carried
// in the link. It returns the link's selector, which the caller may keep
// to recognise, later, the browser that asked; it is returned, and a row
// stored, for unknown addresses too, so the answer never differs.
//
// Errors: as RequestLogin.
func (c *Codes) RequestLoginLink(ctx context.Context, appID uuid.UUID, email, next string) (selector string, err error) {
	return c.request(ctx, appID, email, true, next)
}

// LinkSelector returns the selector of a presented link token, to compare
// with the one kept by the browser that asked, and false for a token that
// is not well formed. It reads nothing and changes nothing.
func LinkSelector(token string) (string, bool) {
	sel, _, err := otp.ParseLink(token)
	return sel, err == nil
}

// ConsumeLoginLink spends a magic link and returns the user it proves.
// A malformed token is refused before the store is asked, so it spends
// nothing and counts no attempt.
//
// Errors: *Error with messages.LinkMalformed for a token that is not one
// Latch could have made (the wrong length or alphabet: a truncated copy);
// *Error with messages.LinkInvalid for a wrong, expired, used or voided
// link, or one for an address without an active account, all alike;
// anything else is internal.
func (c *Codes) ConsumeLoginLink(ctx context.Context, appID uuid.UUID, token string) (User, error) {
	fail := func(reason string, err error) (User, error) {
		c.record(ctx, Event{AppID: appID, Name: "link.use", Outcome: Failure, Detail: map[string]string{"reason": reason, "purpose": "login"}})
		return User{}, &Error{Code: messages.LinkInvalid, Err: err}
	}
	sel, verifierHash, err := otp.ParseLink(token)
	if err != nil {
		c.record(ctx, Event{AppID: appID, Name: "link.use", Outcome: Failure, Detail: map[string]string{"reason": "malformed", "purpose": "login"}})
		return User{}, &Error{Code: messages.LinkMalformed, Err: err}
	}
	rec, err := c.store.ConsumeLink(ctx, appID, otp.PurposeLogin, sel, verifierHash)
	switch {
	case errors.Is(err, otp.ErrExhausted):
		return fail("exhausted", err)
	case errors.Is(err, otp.ErrExpired):
		return fail("expired", err)
	case errors.Is(err, otp.ErrUsed):
		return fail("used", err)
	case errors.Is(err, otp.ErrInvalid):
		return fail("wrong", err)
	case err != nil:
		return User{}, fmt.Errorf("auth: consume login link: %w", err)
	}
	if rec.UserID == nil {
		return fail("unknown_identity", nil)
	}
	acct, err := c.users.Account(ctx, appID, *rec.UserID)
	if errors.Is(err, ErrNotFound) || (err == nil && !acct.User.CanSignIn(time.Now())) {
		return fail("inactive", nil)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: consume login link: %w", err)
	}
	c.record(ctx, Event{AppID: appID, UserID: acct.User.ID, Name: "link.use", Outcome: Success, Detail: map[string]string{"purpose": "login"}})
	acct.User.Claimed = c.proveByLogin(ctx, rec, acct, "login_link")
	return acct.User, nil
}
