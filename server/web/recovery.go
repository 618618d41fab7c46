package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

// RecoveryFlows runs delayed account recovery (auth.Recovery).
type RecoveryFlows interface {
	Wait() time.Duration
	BySMS() bool
	ByRecoveryCode() bool
	RequestSMS(ctx context.Context, appID uuid.UUID, input string) (string, error)
	StartBySMS(ctx context.Context, appID uuid.UUID, number, code string) (auth.RecoveryStarted, error)
	StartByRecoveryCode(ctx context.Context, appID uuid.UUID, email, code string) (auth.RecoveryStarted, error)
	Cancel(ctx context.Context, appID uuid.UUID, cancelToken string) (bool, error)
	CancelOpen(ctx context.Context, appID, userID uuid.UUID) (bool, error)
	Pending(ctx context.Context, appID, userID uuid.UUID) (auth.RecoveryRequest, bool, error)
	Status(ctx context.Context, appID uuid.UUID, finishToken string) (auth.RecoveryRequest, string, error)
	Finish(ctx context.Context, appID uuid.UUID, finishToken, email, password string) (auth.User, error)
	// CommitFinish completes a recovery Finish left pending for the
	// second factor (auth.Recovery.CommitFinish).
	CommitFinish(ctx context.Context, appID uuid.UUID, finishToken, email, hash string) error
}

// byRecovery is the first factor of a finished recovery.
const byRecovery firstFactor = "recovery"

// recoverStart is the start page's state with the ways on offer.
func (s *Server) recoverStart(r *http.Request, f pages.RecoverStart) pages.RecoverStart {
	f.BySMS, f.ByCode, f.Interactive = s.Recovery.BySMS(), s.Recovery.ByRecoveryCode(), isDatastar(r)
	f.Wait = hours(i18n.LangOf(r.Context()), s.Recovery.Wait())
	return f
}

func (s *Server) recoverAnswer(w http.ResponseWriter, r *http.Request, status int, f pages.RecoverStart) error {
	f = s.recoverStart(r, f)
	return s.answer(w, r, status, pages.RecoverPhonePanel(f), pages.RecoverPage(s.page(messages.RecoveryTitle, ""), f), datastar.WithModeReplace())
}

// recoverPage is the start of recovery. It changes nothing.
func (s *Server) recoverPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, pages.RecoverPage(s.page(messages.RecoveryTitle, ""), s.recoverStart(r, pages.RecoverStart{})))
	return nil
}

// recoverRequest texts a recovery code to a verified phone number; the
// answer is the same for numbers without an account.
func (s *Server) recoverRequest(w http.ResponseWriter, r *http.Request) error {
	form, err := s.readSendForm(r, pages.PhoneFieldName)
	if err != nil {
		return err
	}
	if !s.Recovery.BySMS() {
		return statusError(http.StatusNotFound, messages.NotFound)
	}
	number, err := s.Recovery.RequestSMS(r.Context(), s.appID(r.Context()), form[pages.PhoneFieldName])
	f := pages.RecoverStart{Phone: number, Sent: true, Notice: messages.RecoveryCodeSent}
	status := http.StatusOK
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && (ae.Code == messages.CodeSendLimited || auth.Refused(err)):
		f.Notice, f.Message, status = "", ae.Code, http.StatusTooManyRequests
	case errors.As(err, &ae) && ae.Fields[auth.FieldPhone] != "":
		f = pages.RecoverStart{Phone: form[pages.PhoneFieldName], PhoneError: ae.Fields[auth.FieldPhone]}
		status = http.StatusUnprocessableEntity
	case err != nil:
		return err
	}
	if f.Sent {
		f.ResendIn = resendIn(err, time.Minute)
	}
	return s.recoverAnswer(w, r, status, f)
}

// recoverVerify spends the phone's code and starts recovery.
func (s *Server) recoverVerify(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(r, pages.PhoneFieldName, pages.CodeFieldName)
	if err != nil {
		return err
	}
	started, err := s.Recovery.StartBySMS(r.Context(), s.appID(r.Context()), form[pages.PhoneFieldName], form[pages.CodeFieldName])
	var ae *auth.Error
	if errors.As(err, &ae) {
		return s.recoverAnswer(w, r, http.StatusUnauthorized, pages.RecoverStart{Phone: form[pages.PhoneFieldName], Sent: true, Message: ae.Code})
	}
	if err != nil {
		return err
	}
	return s.recoveryStarted(w, r, started)
}

// recoverByCode spends a recovery code and starts recovery.
func (s *Server) recoverByCode(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(r, "email", pages.CodeFieldName)
	if err != nil {
		return err
	}
	started, err := s.Recovery.StartByRecoveryCode(r.Context(), s.appID(r.Context()), form["email"], form[pages.CodeFieldName])
	var ae *auth.Error
	if errors.As(err, &ae) {
		f := s.recoverStart(r, pages.RecoverStart{Email: form["email"], CodeMessage: ae.Code})
		s.render(w, r, http.StatusUnauthorized, pages.RecoverPage(s.page(messages.RecoveryTitle, ""), f))
		return nil
	}
	if err != nil {
		return err
	}
	return s.recoveryStarted(w, r, started)
}

// recoveryStarted keeps the finish token in this browser's session and
// sends it to the page that shows the finish link.
func (s *Server) recoveryStarted(w http.ResponseWriter, r *http.Request, started auth.RecoveryStarted) error {
	s.Sessions.RememberRecovery(r.Context(), started.FinishToken)
	return s.redirect(w, r, pages.RecoveryStartedPath)
}

// recoveryStartedPage shows the link that finishes this browser's
// recovery, with when it can be used. It changes nothing.
func (s *Server) recoveryStartedPage(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := s.Sessions.RecoveryToken(r.Context())
	req, state, err := s.Recovery.Status(r.Context(), s.appID(r.Context()), token)
	if errors.As(err, new(*auth.Error)) || (err == nil && state != auth.RecoveryWaiting && state != auth.RecoveryReady) {
		http.Redirect(w, r, pages.RecoverPath, http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	v := pages.RecoveryStartedView{Ready: when(i18n.LangOf(r.Context()), req.ReadyAt),
		FinishURL: RecoveryMessages{Origin: s.PublicOrigin}.link(pages.RecoveryFinishPath, token)}
	s.render(w, r, http.StatusOK, pages.RecoveryStartedPage(s.page(messages.RecoveryStartedTitle, ""), v))
	return nil
}

// recoveryCancelPage is where a notice's cancel link lands. It changes
// nothing and never echoes what is not a token.
func (s *Server) recoveryCancelPage(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := queryValue(r, pages.LinkTokenField)
	v := pages.RecoveryCancelView{Token: token}
	status := http.StatusOK
	if !auth.ValidRecoveryToken(token) {
		v, status = pages.RecoveryCancelView{Message: messages.RecoveryLinkInvalid}, http.StatusBadRequest
	}
	s.render(w, r, status, pages.RecoveryCancelPage(s.page(messages.RecoveryCancelTitle, ""), v))
	return nil
}

// recoveryCancelPost cancels the recovery the link names.
func (s *Server) recoveryCancelPost(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	form, err := readForm(r, pages.LinkTokenField)
	if err != nil {
		return err
	}
	done, err := s.Recovery.Cancel(r.Context(), s.appID(r.Context()), form[pages.LinkTokenField])
	var ae *auth.Error
	if errors.As(err, &ae) {
		s.render(w, r, http.StatusBadRequest, pages.RecoveryCancelPage(s.page(messages.RecoveryCancelTitle, ""), pages.RecoveryCancelView{Message: ae.Code}))
		return nil
	}
	if err != nil {
		return err
	}
	v := pages.RecoveryCancelView{Done: messages.RecoveryCancelled}
	if !done {
		v.Done = messages.RecoveryNothingOpen
	}
	s.render(w, r, http.StatusOK, pages.RecoveryCancelPage(s.page(messages.RecoveryCancelTitle, ""), v))
	return nil
}

// accountRecoveryCancel lets the signed-in owner cancel a recovery of
// their account from the account page.
func (s *Server) accountRecoveryCancel(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	if _, err := readForm(r); err != nil {
		return err
	}
	done, err := s.Recovery.CancelOpen(r.Context(), s.appID(r.Context()), userID)
	if err != nil {
		return err
	}
	notice := messages.RecoveryCancelled
	if !done {
		notice = messages.RecoveryNothingOpen
	}
	s.Sessions.Flash(r.Context(), string(notice))
	return s.redirect(w, r, "/account")
}

// The finish link confirms before it acts, as a reset link does (see
// resetPage): GET /recover/finish?token=… shows a confirm page with the
// token in a hidden field and changes nothing (no session write, no store
// read, so no guard attempt either), warning in writing when this browser
// did not start the recovery: it would finish someone else's recovery and
// sign this browser in to their account. The confirm page's POST
// (recoveryConfirmPost) keeps the token in this browser's session and
// answers 303 to /recover/finish, which shows the form (or the wait) for
// the kept token; its POST finishes.

// recoveryFinishPage shows the finish link's confirm page (a token that
// is not one is refused in writing, 400); without a token in the address,
// the form for the kept token, or why it cannot be used yet.
func (s *Server) recoveryFinishPage(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	if _, ok := r.URL.Query()[pages.LinkTokenField]; ok {
		token := queryValue(r, pages.LinkTokenField)
		v, status := pages.RecoveryFinishView{Token: token, Elsewhere: !s.Sessions.HoldsRecovery(r.Context(), token)}, http.StatusOK
		if !auth.ValidRecoveryToken(token) {
			v, status = pages.RecoveryFinishView{Message: messages.RecoveryLinkInvalid}, http.StatusBadRequest
		}
		s.render(w, r, status, pages.RecoveryFinishPage(s.page(messages.RecoveryFinishTitle, ""), v))
		return nil
	}
	return s.recoveryFinishForm(w, r, http.StatusOK, pages.RecoveryFinishView{})
}

// recoveryConfirmPost is the confirm page's POST: it keeps the finish
// token in this browser's session (checking only its form) and sends the
// browser to the finish form. A token that is not one is refused in
// writing (400), and what was kept before stays.
func (s *Server) recoveryConfirmPost(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	form, err := readForm(r, pages.LinkTokenField)
	if err != nil {
		return err
	}
	token := form[pages.LinkTokenField]
	if !auth.ValidRecoveryToken(token) {
		s.render(w, r, http.StatusBadRequest, pages.RecoveryFinishPage(s.page(messages.RecoveryFinishTitle, ""),
			pages.RecoveryFinishView{Message: messages.RecoveryLinkInvalid}))
		return nil
	}
	s.Sessions.RememberRecovery(r.Context(), token)
	return s.redirect(w, r, pages.RecoveryFinishPath)
}

// recoveryFinishForm renders the finish page for the kept token.
func (s *Server) recoveryFinishForm(w http.ResponseWriter, r *http.Request, status int, v pages.RecoveryFinishView) error {
	req, state, err := s.Recovery.Status(r.Context(), s.appID(r.Context()), s.Sessions.RecoveryToken(r.Context()))
	var ae *auth.Error
	switch {
	case errors.As(err, &ae):
		v, status = pages.RecoveryFinishView{Message: ae.Code}, http.StatusBadRequest
	case err != nil:
		return err
	case state == auth.RecoveryWaiting:
		v = pages.RecoveryFinishView{Waiting: true, Ready: when(i18n.LangOf(r.Context()), req.ReadyAt)}
	case state == auth.RecoveryCancelled:
		v, status = pages.RecoveryFinishView{Message: messages.RecoveryWasCancelled}, http.StatusGone
	case state != auth.RecoveryReady:
		v, status = pages.RecoveryFinishView{Message: messages.RecoveryLinkInvalid}, http.StatusGone
	}
	s.render(w, r, status, pages.RecoveryFinishPage(s.page(messages.RecoveryFinishTitle, ""), v))
	return nil
}

// recoveryFinishPost sets the new email address and password, signs out
// every device, and signs this browser in — through the second factor, if
// the account has one.
func (s *Server) recoveryFinishPost(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	form, err := readForm(r, "email", "password")
	if err != nil {
		return err
	}
	u, err := s.Recovery.Finish(r.Context(), s.appID(r.Context()), s.Sessions.RecoveryToken(r.Context()), form["email"], form["password"])
	var ae *auth.Error
	if errors.As(err, &ae) && len(ae.Fields) > 0 {
		v := pages.RecoveryFinishView{Email: form["email"], EmailError: ae.Fields[auth.FieldNewEmail], PassError: ae.Fields[auth.FieldPassword]}
		return s.recoveryFinishForm(w, r, http.StatusUnprocessableEntity, v)
	}
	if errors.As(err, &ae) {
		return s.recoveryFinishForm(w, r, http.StatusBadRequest, pages.RecoveryFinishView{})
	}
	if err != nil {
		return err
	}
	if u.PendingEmail == "" {
		s.Sessions.ForgetRecovery(r.Context())
		s.sendVerification(r.Context(), u.ID)
	} // else the finish token stays in this session until the second step commits it
	return s.signIn(w, r, u, false, "", byRecovery)
}

// recoveryPendingView is the account page's notice of an open recovery.
func recoveryPendingView(ctx context.Context, req auth.RecoveryRequest) *pages.RecoveryPending {
	return &pages.RecoveryPending{Started: when(i18n.LangOf(ctx), req.CreatedAt), Ready: when(i18n.LangOf(ctx), req.ReadyAt)}
}

// hours says a wait in words: "48 hours", "1 hour", "30 minutes".
func hours(l messages.Lang, d time.Duration) string { return i18n.Duration(l, d) }
