package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/session"
)

// passkeyReauthOptions begins confirming it is you with a passkey on
// ReauthPath: the options for navigator.credentials.get, limited to the
// signed-in user's passkeys and asking for user verification; the
// challenge stays in this browser's session, for one answer.
func (s *Server) passkeyReauthOptions(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	if err := readEmptyJSON(r); err != nil {
		return err
	}
	c, err := s.Passkeys.BeginReauth(r.Context(), s.appID(r.Context()), userID)
	if err != nil {
		return passkeyError(err)
	}
	return s.sendCeremony(w, r, session.PasskeyReauth, c)
}

// passkeyReauth finishes a re-authentication begun by passkeyReauthOptions
// in this session (its challenge is spent, pass or fail): an assertion of
// one of the signed-in user's passkeys, with user verification, records
// the proof as the other ways do (a new session token, then
// Reauthenticated) and answers with the way to the checked next page.
//
// Errors: readPasskeyAnswer's; passkeyError's for a refused assertion
// (401 messages.PasskeyReauthNotVerified without user verification).
func (s *Server) passkeyReauth(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	in, err := readPasskeyAnswer(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	challenge := s.Sessions.TakePasskeyChallenge(ctx, session.PasskeyReauth)
	if err := s.Passkeys.FinishReauth(ctx, s.appID(ctx), userID, challenge, in.Credential); err != nil {
		return passkeyError(err)
	}
	if err := s.Sessions.Renew(ctx); err != nil {
		return err
	}
	s.Sessions.Reauthenticated(ctx)
	return s.redirect(w, r, landing(s.safeNext(r, in.Next)))
}
