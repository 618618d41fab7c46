package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/otp"
)

// EmailVerifier proves email addresses with emailed codes and links
// (auth.Codes).
type EmailVerifier interface {
	RequestEmailVerification(ctx context.Context, appID, userID uuid.UUID) (auth.EmailVerification, error)
	VerifyEmailCode(ctx context.Context, appID, userID uuid.UUID, code string) error
	VerifyEmailLink(ctx context.Context, appID uuid.UUID, token string, viewer uuid.UUID) (uuid.UUID, error)
}

// sendVerification emails a new account its code and link. A failure is
// logged, not shown: the account exists, and its page offers a resend.
func (s *Server) sendVerification(ctx context.Context, userID uuid.UUID) {
	if s.Verifier == nil {
		return
	}
	if _, err := s.Verifier.RequestEmailVerification(ctx, s.appID(ctx), userID); err != nil {
		s.Logger.WarnContext(ctx, "verification email not queued", "user_id", userID, "err", err)
	}
}

// verifyEmailCode takes the code typed on the account page. Success goes
// back to the account page with a notice; a refusal keeps the panel with
// a written error.
func (s *Server) verifyEmailCode(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.CodeFieldName)
	if err != nil {
		return err
	}
	err = s.Verifier.VerifyEmailCode(r.Context(), s.appID(r.Context()), userID, form[pages.CodeFieldName])
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && ae.Code == messages.EmailAlreadyVerified:
		return s.redirect(w, r, "/account")
	case errors.As(err, &ae):
		status := http.StatusUnprocessableEntity
		if auth.Refused(err) {
			status = http.StatusTooManyRequests
		}
		return s.verifyPanel(w, r, userID, status, pages.VerifyEmailPrompt{Message: ae.Code})
	case err != nil:
		return err
	}
	s.Sessions.Flash(r.Context(), string(messages.EmailVerified))
	return s.redirect(w, r, "/account")
}

// resendVerification sends a new code and link, or says how long to wait.
func (s *Server) resendVerification(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	if _, err := readForm(r); err != nil {
		return err
	}
	sent, err := s.Verifier.RequestEmailVerification(r.Context(), s.appID(r.Context()), userID)
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && ae.Code == messages.EmailAlreadyVerified:
		return s.redirect(w, r, "/account")
	case errors.As(err, &ae) && (ae.Code == messages.CodeSendLimited || auth.Refused(err)):
		return s.verifyPanel(w, r, userID, http.StatusTooManyRequests,
			pages.VerifyEmailPrompt{Message: ae.Code, ResendIn: max(seconds(sent.Wait), resendIn(err, 0))})
	case err != nil:
		return err
	}
	return s.verifyPanel(w, r, userID, http.StatusOK,
		pages.VerifyEmailPrompt{Notice: messages.EmailVerifySent, ResendIn: seconds(sent.Wait)})
}

// verifyPanel answers with the verification panel in state v: a patch for
// Datastar (replacing the panel, so the focus script runs again), the
// whole account page with status otherwise.
func (s *Server) verifyPanel(w http.ResponseWriter, r *http.Request, userID uuid.UUID, status int, v pages.VerifyEmailPrompt) error {
	view, err := s.accountView(r.Context(), userID)
	if err != nil {
		return err
	}
	v.Email, v.Interactive = view.Email, isDatastar(r)
	if isDatastar(r) {
		return datastar.NewSSE(w, r).PatchElementTempl(pages.VerifyEmailPanel(v), datastar.WithModeReplace())
	}
	view.Verify = &v
	s.render(w, r, status, pages.Account(s.page(messages.AccountTitle, view.Label), view))
	return nil
}

// verifyLinkPage is where an emailed link lands. It changes nothing: it
// shows a button whose POST spends the link. The page sends no Referer, so
// the token in its URL goes nowhere else.
func (s *Server) verifyLinkPage(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	q := r.URL.Query()[pages.LinkTokenField]
	if len(q) != 1 {
		s.render(w, r, http.StatusBadRequest, pages.VerifyLinkPage(s.page(messages.VerifyLinkTitle, ""), pages.VerifyLink{Message: messages.VerifyLinkInvalid}))
		return nil
	}
	if _, _, err := otp.ParseLink(q[0]); err != nil {
		// Never reflect what is not a token Latch could have made.
		s.render(w, r, http.StatusBadRequest, pages.VerifyLinkPage(s.page(messages.VerifyLinkTitle, ""), pages.VerifyLink{Message: messages.VerifyLinkInvalid}))
		return nil
	}
	s.render(w, r, http.StatusOK, pages.VerifyLinkPage(s.page(messages.VerifyLinkTitle, ""), pages.VerifyLink{Token: q[0]}))
	return nil
}

// verifyLinkPost spends a verification link. It works in any browser:
// holding the link proves the mailbox. It signs nobody in; a browser
// already signed in to that account goes back to its account page.
func (s *Server) verifyLinkPost(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	form, err := readForm(r, pages.LinkTokenField)
	if err != nil {
		return err
	}
	viewer, _ := s.Sessions.UserID(r.Context())
	userID, err := s.Verifier.VerifyEmailLink(r.Context(), s.appID(r.Context()), form[pages.LinkTokenField], viewer)
	var ae *auth.Error
	if errors.As(err, &ae) {
		s.render(w, r, http.StatusBadRequest, pages.VerifyLinkPage(s.page(messages.VerifyLinkTitle, ""), pages.VerifyLink{Message: ae.Code}))
		return nil
	}
	if err != nil {
		return err
	}
	if current, ok := s.Sessions.UserID(r.Context()); ok && current == userID {
		s.Sessions.Flash(r.Context(), string(messages.EmailVerified))
		return s.redirect(w, r, "/account")
	}
	s.render(w, r, http.StatusOK, pages.VerifyLinkPage(s.page(messages.VerifyLinkDoneTitle, ""), pages.VerifyLink{Done: true}))
	return nil
}

// resendIn is how many seconds a "send a new code" button waits after a
// request that answered err: the limit's wait when it refused, the
// cooldown when it sent, nothing otherwise.
func resendIn(err error, cooldown time.Duration) int {
	var limited *otp.SendLimitError
	var refused *guard.Refused
	switch {
	case errors.As(err, &limited):
		return seconds(limited.Wait)
	case errors.As(err, &refused):
		return seconds(refused.RetryAfter)
	case err == nil:
		return seconds(cooldown)
	}
	return 0
}

// seconds rounds d up to whole seconds, for a countdown.
func seconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}
