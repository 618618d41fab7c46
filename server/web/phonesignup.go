package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

// phoneSignupPage asks for the number to sign up with.
func (s *Server) phoneSignupPage(w http.ResponseWriter, r *http.Request) error {
	if s.sendSignedInHome(w, r) {
		return nil
	}
	return s.phoneSignupStep(w, r, http.StatusOK, pages.PhoneCode{})
}

// phoneSignupPost sends a signup code by SMS. The code goes out whether or
// not the number already has an account, and the step reads the same.
func (s *Server) phoneSignupPost(w http.ResponseWriter, r *http.Request) error {
	form, err := s.readSendForm(r, pages.PhoneFieldName)
	if err != nil {
		return err
	}
	number, err := s.Phones.RequestSignup(r.Context(), s.appID(r.Context()), form[pages.PhoneFieldName])
	f, status, err := phoneRequestStep(r, form[pages.PhoneFieldName], number, messages.PhoneCodeSent, err, s.Phones.Cooldown())
	if err != nil {
		return err
	}
	return s.phoneSignupStep(w, r, status, f)
}

// phoneSignupVerify spends the code: a new number becomes a new account, a
// number with an account logs in to it. Either way the browser is signed
// in, with the same answer.
func (s *Server) phoneSignupVerify(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(r, pages.PhoneFieldName, pages.CodeFieldName)
	if err != nil {
		return err
	}
	u, _, err := s.Phones.VerifySignup(r.Context(), s.appID(r.Context()), form[pages.PhoneFieldName], form[pages.CodeFieldName])
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := pages.PhoneCode{Number: form[pages.PhoneFieldName], Sent: true, Message: ae.Code, Interactive: isDatastar(r)}
		return s.phoneSignupStep(w, r, http.StatusUnauthorized, f)
	}
	if err != nil {
		return err
	}
	// An existing number signs in to its account: its second factor, if
	// any, is asked for like after any other first factor.
	return s.signIn(w, r, u, false, "", byPhoneSignup)
}

// phoneRequestStep is the step after asking for a code: the code step,
// with notice, or the number step again with the number's problem. A
// send limit shows on the code step. Other errors are returned.
func phoneRequestStep(r *http.Request, input, number string, notice messages.Key, err error, cooldown time.Duration) (pages.PhoneCode, int, error) {
	f := pages.PhoneCode{Number: number, Sent: true, Notice: notice, Interactive: isDatastar(r), ResendIn: resendIn(err, cooldown)}
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && (ae.Code == messages.CodeSendLimited || auth.Refused(err)):
		f.Notice, f.Message = "", ae.Code
		return f, http.StatusTooManyRequests, nil
	case errors.As(err, &ae) && ae.Fields[auth.FieldPhone] != "":
		return pages.PhoneCode{Number: input, NumberError: ae.Fields[auth.FieldPhone], Interactive: isDatastar(r)}, http.StatusUnprocessableEntity, nil
	case errors.As(err, &ae) && ae.Code == messages.ChangeHeldAfterReset:
		return pages.PhoneCode{Number: input, NumberError: ae.Code, Interactive: isDatastar(r)}, http.StatusConflict, nil
	case err != nil:
		return pages.PhoneCode{}, 0, err
	}
	return f, http.StatusOK, nil
}

// phoneSignupStep answers with f: the panel for Datastar, replaced so the
// focus script runs again; the whole page with status otherwise.
func (s *Server) phoneSignupStep(w http.ResponseWriter, r *http.Request, status int, f pages.PhoneCode) error {
	f.Regions = s.PhoneRegions
	return s.answer(w, r, status, pages.PhoneSignupPanel(f), pages.PhoneSignupPage(s.page(messages.PhoneSignupTitle, ""), f), datastar.WithModeReplace())
}
