package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

// SignupFlows runs verify-first signup by email (auth.Signups). Without
// email delivery it is nil, and signup creates the account at once.
type SignupFlows interface {
	Start(ctx context.Context, appID uuid.UUID, email, password string, remember bool) (auth.SignupStarted, error)
	Resend(ctx context.Context, appID uuid.UUID, email string, id uuid.UUID) (auth.SignupStarted, error)
	FinishByCode(ctx context.Context, appID uuid.UUID, email, code string, id uuid.UUID) (auth.User, bool, error)
	FinishByLink(ctx context.Context, appID uuid.UUID, token string, asked bool) (auth.User, bool, error)
}

// signupVerify takes the code typed on the signup's code step: the right
// one creates the account, its address verified, and signs this browser
// in. A wrong, expired or used code keeps the step with a written error.
func (s *Server) signupVerify(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(r, "email", pages.CodeFieldName, pages.SignupIDField)
	if err != nil {
		return err
	}
	id, _ := uuid.Parse(form[pages.SignupIDField])
	u, remember, err := s.Signups.FinishByCode(r.Context(), s.appID(r.Context()), form["email"], form[pages.CodeFieldName], id)
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := pages.SignupCode{Email: form["email"], ID: form[pages.SignupIDField], Message: ae.Code, Interactive: isDatastar(r),
			Exists: ae.Code == messages.SignupAccountExists}
		status := http.StatusUnauthorized
		if f.Exists {
			status = http.StatusConflict
		}
		return s.signupCodeStep(w, r, status, f)
	}
	if err != nil {
		return err
	}
	return s.signIn(w, r, u, remember, "", byNewAccount)
}

// signupResend sends the code step's address a new email (auth.Signups.Resend),
// or says how long to wait. This browser remembers the new link's
// selector (noteAsked), as signupPost does, whatever the address.
func (s *Server) signupResend(w http.ResponseWriter, r *http.Request) error {
	form, err := s.readSendForm(r, "email", pages.SignupIDField)
	if err != nil {
		return err
	}
	id, _ := uuid.Parse(form[pages.SignupIDField])
	f := pages.SignupCode{Email: form["email"], ID: form[pages.SignupIDField], Interactive: isDatastar(r)}
	sent, err := s.Signups.Resend(r.Context(), s.appID(r.Context()), form["email"], id)
	if sent.Selector != "" {
		s.noteAsked(w, r, sent.Selector)
	}
	wait := sent.Wait
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && (ae.Code == messages.CodeSendLimited || auth.Refused(err)):
		f.Message, f.ResendIn = ae.Code, max(seconds(wait), resendIn(err, 0))
		return s.signupCodeStep(w, r, http.StatusTooManyRequests, f)
	case errors.As(err, &ae):
		return s.redirect(w, r, "/signup") // a tampered step: start again
	case err != nil:
		return err
	}
	f.Notice, f.ResendIn = messages.SignupCodeSent, seconds(wait)
	return s.signupCodeStep(w, r, http.StatusOK, f)
}

// signupLinkPage is where an emailed signup link lands. It reads nothing
// and changes nothing: it shows a button whose POST finishes the signup,
// and, in a browser that did not start the signup (it does not hold the
// link's selector: signupPost, signupResend), says so and that the
// password chosen there will not be kept. The page sends no Referer, so
// the token in its URL goes nowhere else.
func (s *Server) signupLinkPage(w http.ResponseWriter, r *http.Request) error {
	noReferrer(w)
	token := queryValue(r, pages.LinkTokenField)
	selector, ok := auth.LinkSelector(token)
	if !ok {
		s.render(w, r, http.StatusBadRequest, pages.SignupLinkPage(s.page(messages.SignupLinkTitle, ""), pages.SignupLink{Message: messages.SignupLinkInvalid}))
		return nil
	}
	f := pages.SignupLink{Token: token, Elsewhere: !s.asked(r, selector)}
	s.render(w, r, http.StatusOK, pages.SignupLinkPage(s.page(messages.SignupLinkTitle, ""), f))
	return nil
}

// signupLinkPost spends the link, creates the account and signs this
// browser in: holding the link proves the mailbox, in any browser. It
// does not prove who typed the password: in the browser that started the
// signup the account keeps it; in any other the account is created
// without it (auth.Signups.FinishByLink), and the browser is sent to set
// one, with a notice saying why. Otherwise anyone could sign up with
// someone else's address and a password of theirs, and wait for the
// address's owner to confirm the link.
func (s *Server) signupLinkPost(w http.ResponseWriter, r *http.Request) error {
	noReferrer(w)
	form, err := readForm(r, pages.LinkTokenField)
	if err != nil {
		return err
	}
	token := form[pages.LinkTokenField]
	selector, _ := auth.LinkSelector(token)
	asked := selector != "" && s.asked(r, selector)
	u, remember, err := s.Signups.FinishByLink(r.Context(), s.appID(r.Context()), token, asked)
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := pages.SignupLink{Message: ae.Code, Exists: ae.Code == messages.SignupAccountExists}
		status := http.StatusGone
		switch {
		case f.Exists:
			status = http.StatusConflict
		case auth.Refused(err):
			status = http.StatusTooManyRequests
		}
		s.render(w, r, status, pages.SignupLinkPage(s.page(messages.SignupLinkTitle, ""), f))
		return nil
	}
	if err != nil {
		return err
	}
	if !asked {
		// Not kept signed in on the word of the browser that started.
		if s.Passwords == nil { // no password page to send it to
			return s.signIn(w, r, u, false, "", byNewAccount)
		}
		s.Sessions.Flash(r.Context(), string(messages.SignupSetPassword))
		return s.signIn(w, r, u, false, pages.ChangePasswordPath, byNewAccount)
	}
	return s.signIn(w, r, u, remember, "", byNewAccount)
}

// signupCodeStep answers with f: the panel for Datastar, replaced so the
// focus script runs again; the whole page with status otherwise.
func (s *Server) signupCodeStep(w http.ResponseWriter, r *http.Request, status int, f pages.SignupCode) error {
	return s.answer(w, r, status, pages.SignupCodePanel(f), pages.SignupCodePage(s.page(messages.SignupCodeTitle, ""), f), datastar.WithModeReplace())
}
