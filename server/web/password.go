package web

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

// changeReauth is where an account without a password goes to prove who
// it is before choosing one.
const changeReauth = ReauthPath + "?next=" + pages.ChangePasswordPath

// changePasswordPage shows the change-password form: current and new
// password, or for an account without a password, only the new one (which
// needs a recent proof of identity instead).
func (s *Server) changePasswordPage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	has, err := s.Passwords.HasPassword(r.Context(), s.appID(r.Context()), userID)
	if err != nil {
		return err
	}
	if !has && !s.fresh(r.Context()) {
		return s.redirect(w, r, changeReauth)
	}
	view, err := s.accountView(r.Context(), userID)
	if err != nil {
		return s.accountGone(w, r, err)
	}
	// A notice from the step before, as on the other account pages: a
	// signup finished by a link in another browser lands here without
	// the password chosen at signup, and says why.
	f := pages.PasswordChange{HasCurrent: has, SignOutOthers: true, Notice: messages.Key(s.Sessions.PopFlash(r.Context()))}
	s.render(w, r, http.StatusOK, pages.ChangePasswordPage(s.page(messages.ChangeTitle, view.Label), f))
	return nil
}

// changePasswordPost changes the password. Success renews this session's
// token (a privilege change), signs out the other devices when asked, and
// goes back to the account page with a notice.
func (s *Server) changePasswordPost(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.CurrentPassField, pages.NewPasswordField, pages.SignOutOthersField)
	if err != nil {
		return err
	}
	ctx := r.Context()
	has, err := s.Passwords.HasPassword(ctx, s.appID(ctx), userID)
	if err != nil {
		return err
	}
	endOthers := form[pages.SignOutOthersField] != ""
	err = s.Passwords.Change(ctx, s.appID(ctx), auth.PasswordChangeRequest{
		UserID: userID, Current: form[pages.CurrentPassField], New: form[pages.NewPasswordField],
		EndOthers: endOthers, Keep: s.Sessions.PublicID(ctx), Fresh: s.fresh(ctx),
	})
	var ae *auth.Error
	switch {
	case errors.Is(err, auth.ErrReauthRequired):
		return s.redirect(w, r, changeReauth)
	case errors.Is(err, auth.ErrNotFound):
		return s.accountGone(w, r, errAccountGone)
	case errors.As(err, &ae):
		f := pages.PasswordChange{HasCurrent: has, SignOutOthers: endOthers, Interactive: isDatastar(r),
			CurrentError: ae.Fields[auth.FieldCurrentPassword], PassError: ae.Fields[auth.FieldPassword]}
		if len(ae.Fields) == 0 {
			f.Message = ae.Code
		}
		view, err := s.accountView(ctx, userID)
		if err != nil {
			return s.accountGone(w, r, err)
		}
		return s.answer(w, r, http.StatusUnprocessableEntity, pages.ChangePasswordPanel(f),
			pages.ChangePasswordPage(s.page(messages.ChangeTitle, view.Label), f), datastar.WithModeReplace())
	case err != nil:
		return err
	}
	if err := s.Sessions.Renew(ctx); err != nil {
		return err
	}
	if has {
		s.Sessions.Reauthenticated(ctx) // the current password was just proved
	}
	s.Sessions.Flash(ctx, string(messages.PasswordChanged))
	return s.redirect(w, r, "/account")
}

// accountGone ends the session of an account deleted or no longer active
// (errAccountGone), or returns err.
func (s *Server) accountGone(w http.ResponseWriter, r *http.Request, err error) error {
	if !errors.Is(err, errAccountGone) {
		return err
	}
	if err := s.Sessions.Logout(r.Context()); err != nil {
		return err
	}
	return s.redirect(w, r, "/login?from=expired")
}
