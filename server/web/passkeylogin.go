package web

import (
	"net/http"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/session"
)

// passkeyLoginOptions begins a sign-in with a discoverable passkey: the
// options for navigator.credentials.get (no allowCredentials), used by the
// "Sign in with a passkey" button and by the login field's autofill.
func (s *Server) passkeyLoginOptions(w http.ResponseWriter, r *http.Request) error {
	if err := readEmptyJSON(r); err != nil {
		return err
	}
	c, err := s.Passkeys.BeginLogin(r.Context())
	if err != nil {
		return err
	}
	return s.sendCeremony(w, r, session.PasskeyLogin, c)
}

// passkeyLogin finishes a passkey sign-in begun in this session. A passkey
// whose authenticator verified the user (UV) is both factors: the session
// is granted at once. Without UV it is one factor, like a password: a user
// with a second factor goes on to the second step.
func (s *Server) passkeyLogin(w http.ResponseWriter, r *http.Request) error {
	in, err := readPasskeyAnswer(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	challenge := s.Sessions.TakePasskeyChallenge(ctx, session.PasskeyLogin)
	got, err := s.Passkeys.FinishLogin(ctx, s.appID(ctx), challenge, in.Credential)
	if err != nil {
		return passkeyError(err)
	}
	factors := oneFactor
	if got.Verified {
		factors = bothFactors
	}
	return s.signInWith(w, r, got.User, in.Remember, "", byPasskey, factors)
}

// passkeyMaySecond reports whether a passkey may be the second factor of
// the pending sign-in p: not when its first factor was a passkey without
// user verification. Two possessions are not two factors, and the same
// authenticator would pass both steps without its PIN.
func passkeyMaySecond(p session.Pending) bool {
	return p.Method != string(byPasskey)
}

// passkeySecondOptions begins the second step with one of the pending
// user's passkeys.
func (s *Server) passkeySecondOptions(w http.ResponseWriter, r *http.Request) error {
	if err := readEmptyJSON(r); err != nil {
		return err
	}
	ctx := r.Context()
	p, ok := s.Sessions.PendingSignIn(ctx)
	if !ok {
		return statusError(http.StatusBadRequest, messages.SecondFactorExpired)
	}
	if !passkeyMaySecond(p) {
		return statusError(http.StatusBadRequest, messages.PasskeyNotTwice)
	}
	c, err := s.Passkeys.BeginSecondFactor(ctx, s.appID(ctx), p.UserID)
	if err != nil {
		return passkeyError(err)
	}
	return s.sendCeremony(w, r, session.PasskeySecondFactor, c)
}

// passkeySecond finishes the second step with a passkey of the pending
// user (a credential of anyone else is refused) and completes the sign-in
// as the authenticator-code step does.
func (s *Server) passkeySecond(w http.ResponseWriter, r *http.Request) error {
	in, err := readPasskeyAnswer(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	challenge := s.Sessions.TakePasskeyChallenge(ctx, session.PasskeySecondFactor)
	p, ok := s.Sessions.PendingSignIn(ctx)
	if !ok {
		return statusError(http.StatusBadRequest, messages.SecondFactorExpired)
	}
	if !passkeyMaySecond(p) {
		return statusError(http.StatusBadRequest, messages.PasskeyNotTwice)
	}
	if err := s.Passkeys.FinishSecondFactor(ctx, s.appID(ctx), p.UserID, challenge, in.Credential, p.Method); err != nil {
		return passkeyError(err)
	}
	return s.completeSecondFactor(w, r, p)
}
