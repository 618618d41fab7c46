package web

import (
	"errors"
	"net/http"

	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

func (s *Server) signupPage(w http.ResponseWriter, r *http.Request) error {
	if s.sendSignedInHome(w, r) {
		return nil
	}
	s.render(w, r, http.StatusOK, pages.Signup(s.page(messages.SignupTitle, ""), pages.Credentials{PhoneLink: s.Phones != nil}))
	return nil
}

// signupPost creates an account. A new account is signed in, emailed a
// code and link that verify its address, and sent to the account page. An email that already has an account gets the same
// "check your inbox" answer as an address that cannot be used, never an
// "already registered" error.
func (s *Server) signupPost(w http.ResponseWriter, r *http.Request) error {
	form, err := s.readSendForm(r, "email", "password", pages.RememberFieldName)
	if err != nil {
		return err
	}
	remember := form[pages.RememberFieldName] != ""
	res, err := s.Accounts.Signup(r.Context(), s.AppID, form["email"], form["password"])
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := pages.Credentials{
			Email:       form["email"],
			EmailError:  ae.Fields[auth.FieldEmail],
			PassError:   ae.Fields[auth.FieldPassword],
			Remember:    remember,
			Interactive: isDatastar(r),
			PhoneLink:   s.Phones != nil,
		}
		if len(ae.Fields) == 0 {
			f.Message = ae.Code
		}
		return s.answer(w, r, http.StatusUnprocessableEntity, pages.SignupPanel(f), pages.Signup(s.page(messages.SignupTitle, ""), f))
	}
	if err != nil {
		return err
	}
	if !res.Created {
		return s.answer(w, r, http.StatusOK, pages.SignupSentPanel(), pages.SignupSent(s.page(messages.SignupSentTitle, "")))
	}
	s.sendVerification(r.Context(), res.User.ID)
	return s.signIn(w, r, res.User, remember, "", byNewAccount)
}

// redirect sends the browser to path: a 303 for a plain form post, a
// navigation patch for a Datastar request. path is always a server-chosen
// local path or a target redirect.Safe accepted.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, path string) error {
	if isDatastar(r) {
		return datastar.NewSSE(w, r).PatchElementTempl(pages.Navigate(path),
			datastar.WithSelector("body"), datastar.WithModeAppend())
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}
