package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/phone"
)

// PasswordFlows resets and changes passwords (auth.Passwords).
type PasswordFlows interface {
	ResetByEmail() bool
	ResetBySMS() bool
	Cooldown() time.Duration
	RequestReset(ctx context.Context, appID uuid.UUID, input string, sms bool) (auth.ResetSent, error)
	Reset(ctx context.Context, appID uuid.UUID, proof auth.ResetProof, plain string, cur auth.CurrentSession) (auth.User, error)
	// CommitReset stores a reset's new password once the second factor
	// passed (auth.Passwords.CommitReset).
	CommitReset(ctx context.Context, appID, userID uuid.UUID, hash string) error
	HasPassword(ctx context.Context, appID, userID uuid.UUID) (bool, error)
	Change(ctx context.Context, appID uuid.UUID, req auth.PasswordChangeRequest) error
}

// resetOn reports whether a forgotten password can be reset: password
// flows exist and some channel can carry the code.
func (s *Server) resetOn() bool {
	return s.Passwords != nil && (s.Passwords.ResetByEmail() || s.Passwords.ResetBySMS())
}

// resetHeaders keep the pages of the reset flow from sending a Referer (a
// reset link's token must go nowhere else) and out of caches.
func resetHeaders(w http.ResponseWriter) {
	noReferrer(w)
	w.Header().Set("Cache-Control", "no-store")
}

// forgotForm fills in which identifiers the reset accepts.
func (s *Server) forgotForm(f pages.PasswordForgot) pages.PasswordForgot {
	f.Phone, f.NoEmail = s.Passwords.ResetBySMS(), !s.Passwords.ResetByEmail()
	return f
}

// forgotPage asks for the email address (or verified number) of the
// account whose password was forgotten.
func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request) error {
	resetHeaders(w)
	f := s.forgotForm(pages.PasswordForgot{})
	s.render(w, r, http.StatusOK, pages.ForgotPage(s.page(messages.ForgotTitle, ""), f))
	return nil
}

// forgotPost sends a reset code (and, by email, a link) and moves to the
// code step, which reads the same whether or not an account holds the
// identifier. A malformed identifier stays on the first step.
func (s *Server) forgotPost(w http.ResponseWriter, r *http.Request) error {
	resetHeaders(w)
	form, err := s.readSendForm(r, pages.IdentifierField)
	if err != nil {
		return err
	}
	input := form[pages.IdentifierField]
	sms := s.Passwords.ResetBySMS() && (!s.Passwords.ResetByEmail() || phone.Looks(input))
	sent, err := s.Passwords.RequestReset(r.Context(), s.appID(r.Context()), input, sms)
	if err == nil && sent.Selector != "" {
		s.noteAsked(w, r, sent.Selector) // the link's confirm page warns in other browsers
	}
	f := pages.PasswordForgot{Identifier: sent.Identity, SMS: sms, Sent: true, Interactive: isDatastar(r), ResendIn: seconds(sent.Wait),
		Notice: messages.ResetSent}
	if sms {
		f.Notice = messages.ResetSentPhone
	}
	status := http.StatusOK
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && (ae.Code == messages.CodeSendLimited || auth.Refused(err)):
		f.Notice, f.Message, status = "", ae.Code, http.StatusTooManyRequests
	case errors.As(err, &ae) && len(ae.Fields) > 0:
		problem := ae.Fields[auth.FieldEmail]
		if problem == "" {
			problem = ae.Fields[auth.FieldPhone]
		}
		f = pages.PasswordForgot{Identifier: input, IdentifierError: problem, Interactive: isDatastar(r)}
		status = http.StatusUnprocessableEntity
	case err != nil:
		return err
	}
	return s.forgotStep(w, r, status, f)
}

// resetCodePost takes the code and the new password in one form. A refused
// password or code keeps the step, with its message; a malformed one
// spends nothing.
func (s *Server) resetCodePost(w http.ResponseWriter, r *http.Request) error {
	resetHeaders(w)
	form, err := readForm(r, pages.ResetIdentityField, pages.ResetChannelField, pages.CodeFieldName, pages.NewPasswordField)
	if err != nil {
		return err
	}
	sms := form[pages.ResetChannelField] == pages.ResetChannelSMS
	proof := auth.ResetProof{Identity: form[pages.ResetIdentityField], SMS: sms, Code: form[pages.CodeFieldName]}
	u, err := s.Passwords.Reset(r.Context(), s.appID(r.Context()), proof, form[pages.NewPasswordField], s.currentSession(r.Context()))
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := pages.PasswordForgot{Identifier: proof.Identity, SMS: sms, Sent: true, Interactive: isDatastar(r), Message: ae.Code}
		status := http.StatusUnauthorized
		if p := ae.Fields[auth.FieldPassword]; p != "" {
			f.Message, f.PassError, status = "", p, http.StatusUnprocessableEntity
		}
		return s.forgotStep(w, r, status, f)
	}
	if err != nil {
		return err
	}
	return s.afterReset(w, r, u)
}

// afterReset ends a reset: the held link is forgotten and the user signed
// in, through their second factor when they have one.
func (s *Server) afterReset(w http.ResponseWriter, r *http.Request, u auth.User) error {
	s.Sessions.DropResetToken(r.Context())
	s.Sessions.Flash(r.Context(), string(messages.PasswordResetDone))
	return s.signIn(w, r, u, false, "", byReset)
}

// A reset link confirms before it acts. The emailed link opens
// GET /password/reset?token=…, which only shows a confirm page with the
// token in a hidden field: it reads nothing from the store, writes nothing
// to the session and spends nothing, so neither a mail scanner nor another
// site linking here can use or plant a token (a planted one would set the
// password of the attacker's account and sign the victim in to it). The
// confirm page's POST (resetConfirmPost, behind cross-origin protection)
// keeps the token in this browser's session and answers 303 to
// /password/reset, so the token leaves the address bar; that page asks
// for the new password, and its POST (resetPost) spends the token. Keeping
// the token in the session rather than carrying it in the password form
// leaves the flow's later steps as they were: only the way in changed.
//
// The browser that asked for the reset keeps the link's selector
// (forgotPost); opened in any other browser, the confirm page warns in
// writing before the button.

// resetPage is where a reset link lands. With the token in the address it
// shows the confirm page (a malformed token is refused in writing, 400)
// and changes nothing; without, it asks for the new password for the
// token this browser confirmed, or says there is none.
func (s *Server) resetPage(w http.ResponseWriter, r *http.Request) error {
	resetHeaders(w)
	if _, ok := r.URL.Query()[pages.ResetTokenParameter]; ok {
		token := queryValue(r, pages.ResetTokenParameter)
		selector, _, err := otp.ParseLink(token)
		if err != nil {
			s.render(w, r, http.StatusBadRequest, pages.ResetPage(s.page(messages.ResetTitle, ""), pages.PasswordReset{Message: messages.ResetLinkMalformed}))
			return nil
		}
		f := pages.PasswordReset{Token: token, Elsewhere: !s.asked(r, selector)}
		s.render(w, r, http.StatusOK, pages.ResetPage(s.page(messages.ResetTitle, ""), f))
		return nil
	}
	f := pages.PasswordReset{HasToken: s.Sessions.ResetToken(r.Context()) != ""}
	status := http.StatusOK
	if !f.HasToken {
		f.Message = messages.ResetNoLink
	}
	s.render(w, r, status, pages.ResetPage(s.page(messages.ResetTitle, ""), f))
	return nil
}

// resetConfirmPost is the confirm page's POST: it keeps the link's token
// in this browser's session (spending nothing, checking nothing but its
// form) and sends the browser to the password form. A malformed token is
// refused in writing (400) and anything held before is kept.
func (s *Server) resetConfirmPost(w http.ResponseWriter, r *http.Request) error {
	resetHeaders(w)
	form, err := readForm(r, pages.LinkTokenField)
	if err != nil {
		return err
	}
	token := form[pages.LinkTokenField]
	if _, _, err := otp.ParseLink(token); err != nil {
		return s.resetStep(w, r, http.StatusBadRequest, pages.PasswordReset{Message: messages.ResetLinkMalformed})
	}
	s.Sessions.HoldResetToken(r.Context(), token)
	return s.redirect(w, r, pages.ResetPath)
}

// resetPost spends the held link and sets the new password. A refused
// password keeps the link for another try; a link that does not work is
// forgotten, with a way to ask again.
func (s *Server) resetPost(w http.ResponseWriter, r *http.Request) error {
	resetHeaders(w)
	form, err := readForm(r, pages.NewPasswordField)
	if err != nil {
		return err
	}
	token := s.Sessions.ResetToken(r.Context())
	if token == "" {
		return s.resetStep(w, r, http.StatusBadRequest, pages.PasswordReset{Message: messages.ResetNoLink})
	}
	u, err := s.Passwords.Reset(r.Context(), s.appID(r.Context()), auth.ResetProof{Token: token}, form[pages.NewPasswordField], s.currentSession(r.Context()))
	var ae *auth.Error
	if errors.As(err, &ae) {
		if p := ae.Fields[auth.FieldPassword]; p != "" {
			return s.resetStep(w, r, http.StatusUnprocessableEntity, pages.PasswordReset{HasToken: true, PassError: p})
		}
		s.Sessions.DropResetToken(r.Context())
		return s.resetStep(w, r, http.StatusGone, pages.PasswordReset{Message: ae.Code})
	}
	if err != nil {
		return err
	}
	return s.afterReset(w, r, u)
}

// currentSession names this browser's signed-in session, if any.
func (s *Server) currentSession(ctx context.Context) auth.CurrentSession {
	id, ok := s.Sessions.UserID(ctx)
	if !ok {
		return auth.CurrentSession{}
	}
	return auth.CurrentSession{UserID: id, PublicID: s.Sessions.PublicID(ctx)}
}

func (s *Server) forgotStep(w http.ResponseWriter, r *http.Request, status int, f pages.PasswordForgot) error {
	f = s.forgotForm(f)
	return s.answer(w, r, status, pages.ForgotPanel(f), pages.ForgotPage(s.page(messages.ForgotTitle, ""), f), datastar.WithModeReplace())
}

func (s *Server) resetStep(w http.ResponseWriter, r *http.Request, status int, f pages.PasswordReset) error {
	f.Interactive = isDatastar(r)
	return s.answer(w, r, status, pages.ResetPanel(f), pages.ResetPage(s.page(messages.ResetTitle, ""), f), datastar.WithModeReplace())
}
