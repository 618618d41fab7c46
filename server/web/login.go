package web

import (
	"errors"
	"net/http"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	if !s.sendSignedInHome(w, r) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
	return nil
}

// sendSignedInHome redirects a signed-in visitor to the account page and
// reports whether it did.
func (s *Server) sendSignedInHome(w http.ResponseWriter, r *http.Request) bool {
	if _, ok := s.Sessions.UserID(r.Context()); ok {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return true
	}
	return false
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if s.sendSignedInHome(w, r) {
		return nil
	}
	f := s.loginCredentials()
	switch r.URL.Query().Get("from") {
	case "logout":
		f.Notice = messages.LoggedOut
	case "expired":
		f.Notice = messages.SessionExpired
	case "everywhere":
		f.Notice = messages.SignedOutEverywhere
	case fromSecondFactorExpired:
		f.Notice = messages.SecondFactorExpired
	case fromSecondFactorLocked:
		f.Message = messages.TwoFactorLocked
	case "deleted":
		f.Notice = messages.AccountDeletedLogin
	}
	page := s.page(messages.LoginTitle, "")
	if f.Passkey {
		page = s.passkeyPage(messages.LoginTitle, "")
	}
	s.render(w, r, http.StatusOK, pages.Login(page, f))
	return nil
}

// loginPost checks an email and password. Every refusal reads the same
// (messages.LoginFailed); the email typed is kept, the password never is.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(r, "email", "password", pages.RememberFieldName)
	if err != nil {
		return err
	}
	remember := form[pages.RememberFieldName] != ""
	u, err := s.Accounts.Login(r.Context(), s.AppID, form["email"], form["password"])
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := s.loginCredentials()
		f.Email, f.Message, f.Remember, f.Interactive = form["email"], ae.Code, remember, isDatastar(r)
		status := http.StatusUnauthorized
		if ae.Code == messages.LoginThrottled {
			status = http.StatusTooManyRequests
		}
		page := s.page(messages.LoginTitle, "")
		if f.Passkey {
			page = s.passkeyPage(messages.LoginTitle, "")
		}
		return s.answer(w, r, status, pages.LoginPanel(f), pages.Login(page, f))
	}
	if err != nil {
		return err
	}
	return s.signIn(w, r, u, remember, "", byPassword)
}

// logoutPost ends the session. It needs no session: logging out twice, or
// with an expired one, lands on the same page.
func (s *Server) logoutPost(w http.ResponseWriter, r *http.Request) error {
	if id, ok := s.Sessions.UserID(r.Context()); ok {
		s.Accounts.Logout(r.Context(), s.AppID, id)
	}
	if err := s.Sessions.Logout(r.Context()); err != nil {
		return err
	}
	return s.redirect(w, r, "/login?from=logout")
}
