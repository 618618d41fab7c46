package web

import (
	"errors"
	"net/http"
	"net/url"

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
	next := s.safeNext(r, queryValue(r, pages.NextField))
	if _, ok := s.Sessions.UserID(r.Context()); ok {
		http.Redirect(w, r, landing(next), http.StatusSeeOther)
		return nil
	}
	f := s.loginCredentials()
	f.Next = next
	f.Providers.Next = next
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
	form, err := readForm(r, "email", "password", pages.RememberFieldName, pages.NextField)
	if err != nil {
		return err
	}
	remember := form[pages.RememberFieldName] != ""
	next := s.safeNext(r, form[pages.NextField])
	u, err := s.Accounts.Login(r.Context(), s.appID(r.Context()), form["email"], form["password"])
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := s.loginCredentials()
		f.Email, f.Message, f.Remember, f.Interactive = form["email"], ae.Code, remember, isDatastar(r)
		f.Next = next
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
	return s.signIn(w, r, u, remember, next, byPassword)
}

// loginFrom is the login page with a notice (from) and the page to return
// to (next, checked; dropped when refused).
func (s *Server) loginFrom(r *http.Request, from, next string) string {
	v := url.Values{"from": {from}}
	if next = s.safeNext(r, next); next != "" {
		v.Set(pages.NextField, next)
	}
	return "/login?" + v.Encode()
}

// logoutPost ends the session. It needs no session: logging out twice, or
// with an expired one, lands on the same page.
func (s *Server) logoutPost(w http.ResponseWriter, r *http.Request) error {
	if id, ok := s.Sessions.UserID(r.Context()); ok {
		s.Accounts.Logout(r.Context(), s.appID(r.Context()), id)
	}
	if err := s.Sessions.Logout(r.Context()); err != nil {
		return err
	}
	return s.redirect(w, r, "/login?from=logout")
}

// loginCredentials is the login page's form with the other ways in offered.
func (s *Server) loginCredentials() pages.Credentials {
	f := pages.Credentials{CodeLink: s.Codes != nil || s.Phones != nil, ForgotLink: s.resetOn(), Recover: s.Recovery != nil, Passkey: s.Passkeys != nil}
	if s.providerOn() {
		f.Providers = pages.ProviderButtons{Buttons: s.providerButtons(), Heading: messages.ProviderOtherWays}
	}
	return f
}
