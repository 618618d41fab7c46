package web

import (
	"errors"
	"net/http"

	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/redirect"
)

// codeLoginPage asks for the email a login code should go to. A ?next=
// that redirect.Safe accepts is carried through both steps and into the
// emailed link; any other is ignored.
func (s *Server) codeLoginPage(w http.ResponseWriter, r *http.Request) error {
	if s.sendSignedInHome(w, r) {
		return nil
	}
	f := s.codeLoginForm(pages.CodeLogin{Next: s.safeNext(r, queryValue(r, pages.NextField))})
	s.render(w, r, http.StatusOK, pages.CodeLoginPage(s.page(messages.CodeLoginTitle, ""), f))
	return nil
}

// codeLoginPost sends an email with a login code and a magic link, and
// moves to the code step. The step reads the same whether or not an
// account holds the address; a send limit is shown on that step too, and a
// malformed email on the first. This browser's session remembers the
// link's selector, so the link's page can tell whether it is opened where
// it was asked for.
func (s *Server) codeLoginPost(w http.ResponseWriter, r *http.Request) error {
	form, err := s.readSendForm(r, "email", pages.NextField)
	if err != nil {
		return err
	}
	next := s.safeNext(r, form[pages.NextField])
	if s.usePhone(form["email"]) {
		return s.phoneLoginPost(w, r, form["email"], next)
	}
	f := pages.CodeLogin{Email: form["email"], Next: next, Sent: true, Notice: messages.CodeSent, Interactive: isDatastar(r)}
	status := http.StatusOK
	selector, err := s.Codes.RequestLoginLink(r.Context(), s.appID(r.Context()), form["email"], next)
	if err == nil {
		s.noteAsked(w, r, selector)
	}
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && (ae.Code == messages.CodeSendLimited || auth.Refused(err)):
		f.Notice, f.Message, status = "", ae.Code, http.StatusTooManyRequests
	case errors.As(err, &ae) && ae.Fields[auth.FieldEmail] != "":
		f = pages.CodeLogin{Email: form["email"], Next: next, EmailError: ae.Fields[auth.FieldEmail], Interactive: isDatastar(r)}
		status = http.StatusUnprocessableEntity
	case err != nil:
		return err
	}
	if f.Sent {
		f.ResendIn = resendIn(err, s.Codes.Cooldown())
	}
	return s.codeLoginStep(w, r, status, f)
}

// codeLoginVerify spends a login code and signs the browser in, sending it
// to the checked next target (the account page without one). A wrong,
// used or expired code, and one voided by too many wrong tries, keep the
// email and return to the code step.
func (s *Server) codeLoginVerify(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(r, "email", pages.CodeFieldName, pages.NextField)
	if err != nil {
		return err
	}
	next := s.safeNext(r, form[pages.NextField])
	if s.usePhone(form["email"]) {
		return s.phoneLoginVerify(w, r, form["email"], form[pages.CodeFieldName], next)
	}
	u, err := s.Codes.VerifyLogin(r.Context(), s.appID(r.Context()), form["email"], form[pages.CodeFieldName])
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := pages.CodeLogin{Email: form["email"], Next: next, Sent: true, Message: ae.Code, Interactive: isDatastar(r)}
		return s.codeLoginStep(w, r, http.StatusUnauthorized, f)
	}
	if err != nil {
		return err
	}
	return s.signIn(w, r, u, false, next, byEmailCode)
}

// safeNext returns next if redirect.Safe accepts it (a path on this site,
// or a URL on the request's app's public origin or one of its redirect
// origins), cleaned, and "" for anything else: a refused target is
// dropped, never replaced by the fallback, so it is not carried further.
func (s *Server) safeNext(r *http.Request, next string) string {
	if next == "" {
		return ""
	}
	a := s.appOf(r.Context())
	var origins []string
	if a.PublicURL != "" {
		origins = append(origins, a.PublicURL)
	}
	origins = append(origins, a.RedirectOrigins...)
	target, ok := redirect.Safe(next, origins)
	if !ok {
		return ""
	}
	return target
}

// landing is where a sign-in ends: next, checked by safeNext, or the
// account page.
func landing(next string) string {
	if next == "" {
		return redirect.Fallback
	}
	return next
}

// queryValue returns the query parameter name when it appears exactly
// once, and "" otherwise: a repeated parameter is not guessed at.
func queryValue(r *http.Request, name string) string {
	if vs := r.URL.Query()[name]; len(vs) == 1 {
		return vs[0]
	}
	return ""
}

// codeLoginStep answers with f: a patch of the panel for Datastar, the
// whole page with status otherwise. The patch replaces the panel rather
// than morphing it, so the focus script of the field to fix runs again
// after every refusal.
func (s *Server) codeLoginStep(w http.ResponseWriter, r *http.Request, status int, f pages.CodeLogin) error {
	f = s.codeLoginForm(f)
	return s.answer(w, r, status, pages.CodeLoginPanel(f), pages.CodeLoginPage(s.page(messages.CodeLoginTitle, ""), f), datastar.WithModeReplace())
}
