package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/starfederation/datastar-go/datastar"
	"rsc.io/qr"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/session"
)

// TwoFactorFlows is what the web layer needs of two-step verification
// (auth.TwoFactor).
type TwoFactorFlows interface {
	Status(ctx context.Context, appID, userID uuid.UUID) (auth.TwoFactorStatus, error)
	BeginEnrolment(ctx context.Context, appID, userID uuid.UUID, account string) (auth.Enrolment, error)
	ConfirmEnrolment(ctx context.Context, appID, userID uuid.UUID, code string) ([]string, error)
	Disable(ctx context.Context, appID, userID uuid.UUID) error
	RegenerateRecoveryCodes(ctx context.Context, appID, userID uuid.UUID) ([]string, error)
	VerifySignIn(ctx context.Context, appID, userID uuid.UUID, sf auth.SecondFactor, firstMethod string) (string, error)
}

// Notices of the login page for a second step that could not go on.
const (
	fromSecondFactorExpired = "verify-expired"
	fromSecondFactorLocked  = "verify-locked"
)

// needFresh sends a user whose last proof of identity is older than
// ReauthWindow to prove it again, returning here afterwards. It reports
// whether it did.
func (s *Server) needFresh(w http.ResponseWriter, r *http.Request) (bool, error) {
	if s.fresh(r.Context()) {
		return false, nil
	}
	return true, s.redirect(w, r, ReauthPath+"?"+url.Values{pages.NextField: {pages.TwoFactorPath}}.Encode())
}

// twoFactorPage shows the second factor: its state when on; otherwise a
// new (or the pending) secret as a QR code and as text, and a field for
// the first code.
func (s *Server) twoFactorPage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	if sent, err := s.needFresh(w, r); sent {
		return err
	}
	return s.twoFactorAnswer(w, r, userID, http.StatusOK, pages.TwoFactorView{Notice: messages.Key(s.Sessions.PopFlash(r.Context()))})
}

// twoFactorConfirm turns the factor on with a first code from the app and
// shows the recovery codes, this once. The session gets a new token.
func (s *Server) twoFactorConfirm(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.CodeFieldName)
	if err != nil {
		return err
	}
	if sent, err := s.needFresh(w, r); sent {
		return err
	}
	codes, err := s.TwoFactor.ConfirmEnrolment(r.Context(), s.appID(r.Context()), userID, form[pages.CodeFieldName])
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && ae.Code == messages.TwoFactorAlreadyOn:
		return s.redirect(w, r, pages.TwoFactorPath)
	case errors.As(err, &ae) && ae.Code == messages.ChangeHeldAfterReset:
		return s.twoFactorAnswer(w, r, userID, http.StatusConflict, pages.TwoFactorView{Message: ae.Code, Interactive: isDatastar(r)})
	case errors.As(err, &ae):
		return s.twoFactorAnswer(w, r, userID, http.StatusUnprocessableEntity, pages.TwoFactorView{Message: ae.Code, Interactive: isDatastar(r)})
	case err != nil:
		return err
	}
	if err := s.Sessions.Renew(r.Context()); err != nil {
		return err
	}
	return s.twoFactorAnswer(w, r, userID, http.StatusOK, pages.TwoFactorView{Enabled: true, Codes: codes, Notice: messages.TwoFactorEnabled})
}

// twoFactorRegenerate voids the recovery codes and shows a new set; while
// the account is held after a password reset it says so and keeps them.
func (s *Server) twoFactorRegenerate(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	if _, err := readForm(r); err != nil {
		return err
	}
	if sent, err := s.needFresh(w, r); sent {
		return err
	}
	codes, err := s.TwoFactor.RegenerateRecoveryCodes(r.Context(), s.appID(r.Context()), userID)
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && ae.Code == messages.ChangeHeldAfterReset:
		return s.twoFactorAnswer(w, r, userID, http.StatusConflict, pages.TwoFactorView{Message: ae.Code, Interactive: isDatastar(r)})
	case errors.As(err, &ae):
		return s.redirect(w, r, pages.TwoFactorPath)
	}
	if err != nil {
		return err
	}
	return s.twoFactorAnswer(w, r, userID, http.StatusOK, pages.TwoFactorView{Enabled: true, Codes: codes, Notice: messages.TwoFactorRegenerated})
}

// twoFactorDisable turns the factor off and voids the recovery codes.
func (s *Server) twoFactorDisable(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	if _, err := readForm(r); err != nil {
		return err
	}
	if sent, err := s.needFresh(w, r); sent {
		return err
	}
	if err := s.TwoFactor.Disable(r.Context(), s.appID(r.Context()), userID); err != nil {
		return err
	}
	if err := s.Sessions.Renew(r.Context()); err != nil {
		return err
	}
	s.Sessions.Flash(r.Context(), string(messages.TwoFactorDisabled))
	return s.redirect(w, r, "/account")
}

// twoFactorAnswer fills v with the factor's state (unless it shows new
// recovery codes) and answers: the panel for Datastar, the whole page with
// status otherwise.
func (s *Server) twoFactorAnswer(w http.ResponseWriter, r *http.Request, userID uuid.UUID, status int, v pages.TwoFactorView) error {
	ctx := r.Context()
	acct, err := s.Accounts.Account(ctx, s.appID(ctx), userID)
	if err != nil {
		return err
	}
	if len(v.Codes) == 0 {
		st, err := s.TwoFactor.Status(ctx, s.appID(ctx), userID)
		if err != nil {
			return err
		}
		v.Enabled, v.RecoveryLeft = st.Enabled, st.RecoveryLeft
		if !st.Enabled {
			e, err := s.TwoFactor.BeginEnrolment(ctx, s.appID(ctx), userID, accountLabel(i18n.LangOf(r.Context()), acct))
			var ae *auth.Error
			switch {
			case errors.As(err, &ae) && ae.Code == messages.ChangeHeldAfterReset:
				// Held after a password reset: no key to scan, the
				// refusal in words instead.
				v.Message = ae.Code
			case err != nil:
				return err
			default:
				code, err := qrCode(e.URI)
				if err != nil {
					return err
				}
				v.Setup = &pages.TOTPSetup{Secret: otp.GroupTOTPSecret(e.Secret), QR: code}
			}
		}
	}
	if isDatastar(r) {
		return datastar.NewSSE(w, r).PatchElementTempl(pages.TwoFactorPanel(v), datastar.WithModeReplace())
	}
	s.render(w, r, status, pages.TwoFactorPage(s.page(messages.TwoFactorTitle, accountLabel(i18n.LangOf(r.Context()), acct)), v))
	return nil
}

// qrCode encodes text as a QR code drawn as SVG path data: one subpath per
// run of dark modules in a row.
func qrCode(text string) (pages.QRCode, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return pages.QRCode{}, err
	}
	var b strings.Builder
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < c.Size && c.Black(x+run, y) {
				run++
			}
			n := strconv.Itoa(run)
			b.WriteString("M" + strconv.Itoa(x) + " " + strconv.Itoa(y) + "h" + n + "v1h-" + n + "z")
			x += run
		}
	}
	return pages.QRCode{Size: c.Size, Path: b.String()}, nil
}

// secondFactorPage asks a half-signed-in user for their second factor.
func (s *Server) secondFactorPage(w http.ResponseWriter, r *http.Request) error {
	if _, ok := s.Sessions.PendingSignIn(r.Context()); !ok {
		if s.sendSignedInHome(w, r) {
			return nil
		}
		return s.redirect(w, r, "/login?from="+fromSecondFactorExpired)
	}
	f := pages.SecondFactorForm{Recovery: queryValue(r, "recovery") == "1"}
	page := s.page(messages.SecondFactorTitle, "")
	if p, _ := s.Sessions.PendingSignIn(r.Context()); s.Passkeys != nil {
		keys, err := s.Passkeys.List(r.Context(), s.appID(r.Context()), p.UserID)
		if err != nil {
			return err
		}
		f.Passkey = len(keys) > 0 && passkeyMaySecond(p)
		page = s.passkeyPage(messages.SecondFactorTitle, "")
	}
	s.render(w, r, http.StatusOK, pages.SecondFactorPage(page, f))
	return nil
}

// secondFactorPost checks an authenticator code or a recovery code for the
// pending sign-in and, when it passes, signs the user in. Wrong codes are
// refused in writing; the SecondFactorLimit-th in a row voids the pending
// sign-in, so the first factor must be passed again.
func (s *Server) secondFactorPost(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(r, pages.CodeFieldName, pages.RecoveryCodeFieldName)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, ok := s.Sessions.PendingSignIn(ctx)
	if !ok {
		return s.redirect(w, r, "/login?from="+fromSecondFactorExpired)
	}
	sf := auth.SecondFactor{TOTP: form[pages.CodeFieldName], RecoveryCode: form[pages.RecoveryCodeFieldName]}
	_, err = s.TwoFactor.VerifySignIn(ctx, s.appID(ctx), p.UserID, sf, p.Method)
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && ae.Code == messages.TwoFactorLocked:
		s.Sessions.ClearPending(ctx)
		return s.redirect(w, r, s.loginFrom(r, fromSecondFactorLocked, p.Next))
	case errors.As(err, &ae):
		msg := messages.TwoFactorCodeInvalid
		if auth.Refused(err) {
			msg = ae.Code // how long to wait, or that codes are locked
		}
		f := pages.SecondFactorForm{Recovery: sf.RecoveryCode != "", Message: msg, Interactive: isDatastar(r)}
		return s.answer(w, r, http.StatusUnauthorized, pages.SecondFactorPanel(f),
			pages.SecondFactorPage(s.page(messages.SecondFactorTitle, ""), f), datastar.WithModeReplace())
	case err != nil:
		return err
	}
	return s.completeSecondFactor(w, r, p)
}

// pendingStillStands returns the user of the pending sign-in p and
// whether they may still be signed in now that the second factor has
// passed: the account was not suspended or purged meanwhile, and its
// password was not reset after the first factor (which then proved a
// password that is gone). The half-finished sign-in lives only in the
// browser's session, where suspending the account or signing it out
// everywhere cannot reach it.
func (s *Server) pendingStillStands(ctx context.Context, p session.Pending) (auth.User, bool, error) {
	acct, err := s.Accounts.Account(ctx, s.appID(ctx), p.UserID)
	if errors.Is(err, auth.ErrNotFound) {
		return auth.User{}, false, nil
	}
	if err != nil {
		return auth.User{}, false, err
	}
	u := acct.User
	if u.Status != auth.StatusActive && !(p.Restore && u.Status == auth.StatusDeleted) {
		return u, false, nil
	}
	if u.PasswordResetAt != nil && u.PasswordResetAt.After(p.Since) {
		return u, false, nil
	}
	return u, true, nil
}

// completeSecondFactor signs in the pending user once their second factor
// (an authenticator code, a recovery code or a passkey) has passed:
// whatever a reset or recovery left for the last factor is committed, an
// account pending deletion is restored, and the session is granted.
func (s *Server) completeSecondFactor(w http.ResponseWriter, r *http.Request, p session.Pending) error {
	ctx := r.Context()
	user, ok, err := s.pendingStillStands(ctx, p)
	if err != nil {
		return err
	}
	if !ok {
		s.Sessions.ClearPending(ctx)
		return s.redirect(w, r, s.loginFrom(r, fromSecondFactorExpired, p.Next))
	}
	if err := s.commitPending(ctx, p.UserID, p.RecoveryEmail, p.PasswordHash); err != nil {
		var ae *auth.Error
		if errors.As(err, &ae) {
			// The recovery was cancelled or ended meanwhile: say so, sign
			// nobody in.
			s.Sessions.ClearPending(ctx)
			s.Sessions.ForgetRecovery(ctx)
			return statusError(http.StatusConflict, ae.Code)
		}
		return err
	}
	if p.Restore {
		u, err := s.Accounts.Restore(ctx, user, p.Method)
		if err != nil {
			return err
		}
		if u.Restored {
			s.Sessions.Flash(ctx, string(messages.AccountRestored))
		}
	}
	if _, err := s.Sessions.CompletePending(ctx); err != nil {
		return err
	}
	s.countSignIn(firstFactor(p.Method), "success")
	s.signedIn(w, r, p.UserID)
	return s.redirect(w, r, landing(p.Next))
}
