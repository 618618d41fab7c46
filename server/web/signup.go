package web

import (
	"encoding/json"
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
	f := pages.Credentials{PhoneLink: s.Phones != nil}
	if s.providerOn() {
		f.Providers = pages.ProviderButtons{Buttons: s.providerButtons(), Heading: messages.ProviderOtherWays}
	}
	s.render(w, r, http.StatusOK, pages.Signup(s.page(messages.SignupTitle, ""), f))
	return nil
}

// signupPost starts a signup. With email delivery (Signups) it is
// verify-first: every signup that passes the checks answers with the same
// code step, and the address is sent one email, a code and link that
// finish the signup or, for an address with an account, a note saying so;
// no account and no session exist until the address is proven. Without
// delivery, a new account is created and signed in at once, and an email
// that already has an account gets the same "check your inbox" answer as
// an address that cannot be used, never an "already registered" error.
func (s *Server) signupPost(w http.ResponseWriter, r *http.Request) error {
	form, err := s.readSendForm(r, "email", "password", pages.RememberFieldName)
	if err != nil {
		return err
	}
	remember := form[pages.RememberFieldName] != ""
	refused := func(ae *auth.Error) error {
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
	var ae *auth.Error
	if s.Signups != nil {
		started, err := s.Signups.Start(r.Context(), s.appID(r.Context()), form["email"], form["password"], remember)
		if started.Selector != "" {
			// The link's confirm page keeps the password only in this
			// browser. Every started signup has a selector (a new
			// address's link, a note's, one held by the cooldown), so
			// the cookie tells no address apart.
			s.noteAsked(w, r, started.Selector)
		}
		switch {
		case errors.As(err, &ae) && ae.Code == messages.CodeSendLimited:
			f := pages.SignupCode{Email: started.Email, ID: started.ID.String(), Message: ae.Code, Interactive: isDatastar(r), ResendIn: seconds(started.Wait)}
			return s.signupCodeStep(w, r, http.StatusTooManyRequests, f)
		case errors.As(err, &ae):
			return refused(ae)
		case err != nil:
			return err
		}
		f := pages.SignupCode{Email: started.Email, ID: started.ID.String(), Notice: messages.SignupCodeSent, Interactive: isDatastar(r), ResendIn: seconds(started.Wait)}
		return s.signupCodeStep(w, r, http.StatusOK, f)
	}
	res, err := s.Accounts.Signup(r.Context(), s.appID(r.Context()), form["email"], form["password"])
	if errors.As(err, &ae) {
		return refused(ae)
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
	if wantsJSON(r) {
		// A script's fetch (the passkey script): it navigates itself, so
		// the page it lands on is loaded once, by the browser.
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(map[string]string{"redirect": path})
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}
