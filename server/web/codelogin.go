package web

import (
	"errors"
	"net/http"

	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

// codeLoginPage asks for the email a login code should go to.
func (s *Server) codeLoginPage(w http.ResponseWriter, r *http.Request) error {
	if s.sendSignedInHome(w, r) {
		return nil
	}
	s.render(w, r, http.StatusOK, pages.CodeLoginPage(s.page(messages.CodeLoginTitle, ""), s.codeLoginForm(pages.CodeLogin{})))
	return nil
}

// codeLoginPost sends a login code and moves to the code step. The step
// reads the same whether or not an account holds the address; a send
// limit is shown on that step too, and a malformed email on the first.
func (s *Server) codeLoginPost(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(r, "email")
	if err != nil {
		return err
	}
	if s.usePhone(form["email"]) {
		return s.phoneLoginPost(w, r, form["email"])
	}
	f := pages.CodeLogin{Email: form["email"], Sent: true, Notice: messages.CodeSent, Interactive: isDatastar(r)}
	status := http.StatusOK
	err = s.Codes.RequestLogin(r.Context(), s.AppID, form["email"])
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && ae.Code == messages.CodeSendLimited:
		f.Notice, f.Message, status = "", messages.CodeSendLimited, http.StatusTooManyRequests
	case errors.As(err, &ae) && ae.Fields[auth.FieldEmail] != "":
		f = pages.CodeLogin{Email: form["email"], EmailError: ae.Fields[auth.FieldEmail], Interactive: isDatastar(r)}
		status = http.StatusUnprocessableEntity
	case err != nil:
		return err
	}
	return s.codeLoginStep(w, r, status, f)
}

// codeLoginVerify spends a login code and signs the browser in. A wrong,
// used or expired code, and one voided by too many wrong tries, keep the
// email and return to the code step.
func (s *Server) codeLoginVerify(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(r, "email", pages.CodeFieldName)
	if err != nil {
		return err
	}
	if s.usePhone(form["email"]) {
		return s.phoneLoginVerify(w, r, form["email"], form[pages.CodeFieldName])
	}
	u, err := s.Codes.VerifyLogin(r.Context(), s.AppID, form["email"], form[pages.CodeFieldName])
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := pages.CodeLogin{Email: form["email"], Sent: true, Message: ae.Code, Interactive: isDatastar(r)}
		return s.codeLoginStep(w, r, http.StatusUnauthorized, f)
	}
	if err != nil {
		return err
	}
	if err := s.Sessions.Login(r.Context(), u.ID, false); err != nil {
		return err
	}
	return s.redirect(w, r, "/account")
}

// codeLoginStep answers with f: a patch of the panel for Datastar, the
// whole page with status otherwise. The patch replaces the panel rather
// than morphing it, so the focus script of the field to fix runs again
// after every refusal.
func (s *Server) codeLoginStep(w http.ResponseWriter, r *http.Request, status int, f pages.CodeLogin) error {
	f = s.codeLoginForm(f)
	if isDatastar(r) {
		return datastar.NewSSE(w, r).PatchElementTempl(pages.CodeLoginPanel(f), datastar.WithModeReplace())
	}
	s.render(w, r, status, pages.CodeLoginPage(s.page(messages.CodeLoginTitle, ""), f))
	return nil
}
