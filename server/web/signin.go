package web

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/session"
)

// SecondFactors says which users must pass a second factor before a
// session is granted.
type SecondFactors interface {
	Required(ctx context.Context, appID, userID uuid.UUID) (bool, error)
}

// SecondFactorPath is the sign-in step after a first factor, for users
// with a second factor turned on.
const SecondFactorPath = pages.SecondFactorPath

// ReauthPath is where a signed-in user proves who they are again before a
// sensitive change, when their last proof is older than ReauthWindow. It
// takes ?next= (checked) to return to.
const ReauthPath = "/account/confirm"

// firstFactor names how a user proved who they are, for the audit log.
type firstFactor string

// The first factors Latch accepts.
const (
	byPassword    firstFactor = "password"
	byEmailCode   firstFactor = "email_code"
	byLoginLink   firstFactor = "login_link"
	bySMSCode     firstFactor = "sms_code"
	byPhoneSignup firstFactor = "phone_signup"
	byNewAccount  firstFactor = "signup"
	byReset       firstFactor = "password_reset"
	byPasskey     firstFactor = "passkey"
)

// factors says how much a first factor proved on its own.
type factors bool

// What a first factor proves.
const (
	// oneFactor: something the user has or knows; a user with a second
	// factor goes on to the second step.
	oneFactor factors = false
	// bothFactors: a passkey whose authenticator verified the user (UV, a
	// PIN or biometric): something they have and something they are or
	// know, in one step. Nothing else proves both.
	bothFactors factors = true
)

// signIn ends every successful first factor, whatever it was: a user with
// a second factor goes on to SecondFactorPath with nothing granted yet
// (the session only remembers who is half-way, for the pending TTL, LATCH_SECOND_FACTOR_TTL);
// anyone else is signed in and sent to next (checked; the account page
// without one). No handler calls Sessions.Login itself, so no first
// factor can skip the second.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, u auth.User, remember bool, next string, how firstFactor) error {
	return s.signInWith(w, r, u, remember, next, how, oneFactor)
}

// signInWith is signIn for a first factor that says how much it proved:
// with bothFactors the second step is already satisfied and the session is
// granted at once, even for a user with a second factor turned on.
func (s *Server) signInWith(w http.ResponseWriter, r *http.Request, u auth.User, remember bool, next string, how firstFactor, proved factors) error {
	ctx := r.Context()
	if s.SecondFactors != nil && proved != bothFactors {
		need, err := s.SecondFactors.Required(ctx, s.appID(ctx), u.ID)
		if err != nil {
			return err
		}
		if need {
			// Nothing is committed before the last factor: an account
			// pending deletion stays deleted until the second step.
			err := s.Sessions.BeginPending(ctx, session.Pending{UserID: u.ID, Remember: remember, Next: next, Method: string(how),
				Restore: u.Status == auth.StatusDeleted, PasswordHash: u.PendingPassword, RecoveryEmail: u.PendingEmail})
			if err != nil {
				return err
			}
			s.countSignIn(how, "second_factor_required")
			return s.redirect(w, r, SecondFactorPath)
		}
	}
	if err := s.commitPending(ctx, u.ID, u.PendingEmail, u.PendingPassword); err != nil {
		// The second factor was turned off since the change began, and
		// committing it failed: nothing is signed in.
		return err
	}
	u, err := s.Accounts.Restore(ctx, u, string(how))
	if err != nil {
		return err
	}
	if err := s.Sessions.Login(ctx, u.ID, remember); err != nil {
		return err
	}
	if err := s.phoneIsNotAProof(ctx, u.ID, how); err != nil {
		return err
	}
	s.countSignIn(how, "success")
	if how == byNewAccount {
		s.rememberDevice(w, r, u.ID)
	} else {
		s.signedIn(w, r, u.ID)
	}
	if u.Restored {
		s.Sessions.Flash(ctx, string(messages.AccountRestored))
	}
	if u.Claimed {
		s.Sessions.Flash(ctx, string(messages.AddressClaimed))
	}
	return s.redirect(w, r, landing(next))
}

// phoneIsNotAProof keeps a sign-in by a texted code from counting as a
// proof of identity on an account with a verified email address: the
// phone alone may sign in, but removing or changing the address, the
// password or a second factor asks for the password, a code to the
// address or another factor first (the email outranks the phone, as for
// resets). With a second factor passed too, the sign-in is a proof.
func (s *Server) phoneIsNotAProof(ctx context.Context, userID uuid.UUID, how firstFactor) error {
	if how != bySMSCode && how != byPhoneSignup {
		return nil
	}
	acct, err := s.Accounts.Account(ctx, s.appID(ctx), userID)
	if err != nil {
		return err
	}
	for _, id := range acct.Identities {
		if id.Kind == auth.IdentityEmail && id.VerifiedAt != nil {
			s.Sessions.NotAProof(ctx)
			return nil
		}
	}
	return nil
}

// signedIn ends every complete sign-in: the browser becomes a known device
// of the account (its own budgets at the guard from now on), and when it
// was not one, the account holder is told of a new sign-in. A notice that
// fails is logged; the sign-in stands.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, userID uuid.UUID) {
	if s.rememberDevice(w, r, userID) || s.SignInNotices == nil {
		return
	}
	if err := s.SignInNotices.NewSignIn(r.Context(), s.appID(r.Context()), userID); err != nil {
		s.Logger.WarnContext(r.Context(), "new sign-in notice not queued", "user_id", userID, "err", err)
	}
}

// commitPending stores what a first factor left for the last: a
// recovery's new email and password (email set), or a reset's new password
// (hash alone), and a link by a trusted provider's verified address.
// Nothing pending is nothing to do.
func (s *Server) commitPending(ctx context.Context, userID uuid.UUID, email, hash string) error {
	s.commitProviderLink(ctx, userID)
	switch {
	case email != "" && s.Recovery != nil:
		if err := s.Recovery.CommitFinish(ctx, s.appID(ctx), s.Sessions.RecoveryToken(ctx), email, hash); err != nil {
			return err
		}
		s.Sessions.ForgetRecovery(ctx)
		s.sendVerification(ctx, userID)
	case hash != "" && s.Passwords != nil:
		return s.Passwords.CommitReset(ctx, s.appID(ctx), userID, hash)
	}
	return nil
}

// ReauthWindow is how long a proof of identity lets a signed-in user make
// sensitive changes (a password, an email, a second factor, deleting the
// account, signing out everywhere) before they are asked again: the
// default of Deps.ReauthWindow (LATCH_REAUTH_WINDOW).
const ReauthWindow = 5 * time.Minute

// fresh reports whether the signed-in user proved who they are within
// Deps.ReauthWindow.
func (s *Server) fresh(ctx context.Context) bool {
	return s.Sessions.AuthAge(ctx) <= s.protect.FreshFor()
}
