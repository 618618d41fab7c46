package web

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

// phoneAddPage asks the signed-in user for a number to add.
func (s *Server) phoneAddPage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	return s.phoneAddStep(w, r, userID, http.StatusOK, pages.PhoneCode{})
}

// phoneAddPost sends a code by SMS bound to this user. It is sent even if
// the number belongs to another account.
func (s *Server) phoneAddPost(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.PhoneFieldName)
	if err != nil {
		return err
	}
	number, err := s.Phones.RequestAdd(r.Context(), s.appID(r.Context()), userID, form[pages.PhoneFieldName])
	f, status, err := phoneRequestStep(r, form[pages.PhoneFieldName], number, messages.PhoneAddCodeSent, err, s.Phones.Cooldown())
	if err != nil {
		return err
	}
	return s.phoneAddStep(w, r, userID, status, f)
}

// phoneAddVerify spends the code and adds the number. A number of another
// account is refused here, once the code has proved the phone is at hand.
// The session gets a new token: the account gained a way to log in.
func (s *Server) phoneAddVerify(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.PhoneFieldName, pages.CodeFieldName)
	if err != nil {
		return err
	}
	number := form[pages.PhoneFieldName]
	added, err := s.Phones.VerifyAdd(r.Context(), s.appID(r.Context()), userID, number, form[pages.CodeFieldName])
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && ae.Code == messages.PhoneTaken:
		// The code is spent: start again from the number step.
		f := pages.PhoneCode{Number: number, NumberError: messages.PhoneTaken, Interactive: isDatastar(r)}
		return s.phoneAddStep(w, r, userID, http.StatusConflict, f)
	case errors.As(err, &ae):
		f := pages.PhoneCode{Number: number, Sent: true, Message: ae.Code, Interactive: isDatastar(r)}
		return s.phoneAddStep(w, r, userID, http.StatusUnauthorized, f)
	case err != nil:
		return err
	}
	if err := s.Sessions.Renew(r.Context()); err != nil {
		return err
	}
	notice := messages.PhoneAdded
	if !added {
		notice = messages.PhoneAlreadyYours
	}
	s.Sessions.Flash(r.Context(), string(notice))
	return s.redirect(w, r, "/account")
}

// phoneAddStep answers with f: the panel for Datastar, the whole page with
// status otherwise.
func (s *Server) phoneAddStep(w http.ResponseWriter, r *http.Request, userID uuid.UUID, status int, f pages.PhoneCode) error {
	f.Regions = s.PhoneRegions
	if isDatastar(r) {
		return datastar.NewSSE(w, r).PatchElementTempl(pages.PhoneAddPanel(f), datastar.WithModeReplace())
	}
	acct, err := s.Accounts.Account(r.Context(), s.appID(r.Context()), userID)
	if err != nil {
		return err
	}
	s.render(w, r, status, pages.PhoneAddPage(s.page(messages.PhoneAddTitle, accountLabel(i18n.LangOf(r.Context()), acct)), f))
	return nil
}

// accountLabel names the account in the page header: its email, or its
// first phone number for an account without one, or a plain "Account"
// for one reached only through sign-in providers.
func accountLabel(l messages.Lang, a auth.Account) string {
	if e := a.Email(); e != "" {
		return e
	}
	for _, id := range a.Identities {
		if id.Kind == auth.IdentityPhone {
			return id.Value
		}
	}
	if len(a.Identities) > 0 {
		// Reached only through a sign-in provider: no address to show.
		return l.Text(messages.NavAccount)
	}
	return ""
}
