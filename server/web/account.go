package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/phone"
	"github.com/latch-dev/latch/server/protect"
)

// userHandler is a handler for a signed-in user.
type userHandler func(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error

// requireUser sends visitors without a session to the login page, which
// returns to the page asked for (the Protector's check and login URL, as
// for the product's pages); a Datastar request is sent there by a patch.
func (s *Server) requireUser(h userHandler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, ok := s.protect.Current(r)
		if !ok {
			return s.redirect(w, r, s.protect.LoginURL(protect.ReturnTo(r)))
		}
		return h(w, r.WithContext(protect.WithUser(r.Context(), u)), u.ID)
	}
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	view, err := s.accountView(r.Context(), userID)
	if errors.Is(err, errAccountGone) {
		// The account is gone or no longer active: end this session too.
		if err := s.Sessions.Logout(r.Context()); err != nil {
			return err
		}
		return s.redirect(w, r, "/login?from=expired")
	}
	if err != nil {
		return err
	}
	view.Notice = messages.Key(s.Sessions.PopFlash(r.Context()))
	s.render(w, r, http.StatusOK, pages.Account(s.page(messages.AccountTitle, view.Label), view))
	return nil
}

// errAccountGone is accountView's error for a user deleted or no longer
// active.
var errAccountGone = errors.New("web: account gone")

// accountView is what the account page shows of userID: with an email
// address still to verify, the panel that asks for its code.
func (s *Server) accountView(ctx context.Context, userID uuid.UUID) (pages.AccountView, error) {
	// One statement: the account, its second factor's state and its open
	// recovery request.
	ov, err := s.Accounts.AccountOverview(ctx, s.appID(ctx), userID)
	acct := ov.Account
	if errors.Is(err, auth.ErrNotFound) || (err == nil && acct.User.Status != auth.StatusActive) {
		return pages.AccountView{}, errAccountGone
	}
	if err != nil {
		return pages.AccountView{}, err
	}
	view := pages.AccountView{
		UserID:       acct.User.ID.String(),
		Email:        acct.Email(),
		MemberSince:  i18n.Date(i18n.LangOf(ctx), acct.User.CreatedAt),
		PhoneLink:    s.Phones != nil,
		PasswordLink: s.Passwords != nil,
		Label:        accountLabel(i18n.LangOf(ctx), acct),
		APICheck:     s.Dev,
	}
	for _, id := range acct.Identities {
		if id.Kind == auth.IdentityEmail && id.VerifiedAt != nil {
			view.EmailVerified = true
		}
		if id.Kind == auth.IdentityPhone {
			view.Phones = append(view.Phones, pages.PhoneIdentity{Number: id.Value, Verified: id.VerifiedAt != nil})
		}
		if id.Kind == auth.IdentityProvider {
			continue // on the providers page
		}
		display := ""
		if id.Kind == auth.IdentityPhone {
			display = phone.Display(id.Value, s.PhoneRegions.Default)
		}
		view.Identities.List = append(view.Identities.List, pages.IdentityView{
			Kind: string(id.Kind), Value: id.Value, Display: display, Verified: id.VerifiedAt != nil,
			Removable: s.Settings != nil && auth.CanRemove(acct, id.Kind, id.Value) == nil,
		})
	}
	if s.Settings != nil {
		view.Settings, view.EmailLink = true, s.Settings.CanChangeEmail()
	}
	if s.Recovery != nil && ov.Recovery != nil {
		view.Recovery = recoveryPendingView(ctx, *ov.Recovery)
	}
	if s.TwoFactor != nil {
		view.TwoFactor = &pages.TwoFactorState{Enabled: ov.TwoFactorOn}
	}
	if s.providerOn() {
		view.ProvidersLink = true
		if h, ok := s.heldForLinking(ctx); ok {
			view.ProviderConfirm = &pages.ProviderConfirm{Provider: s.providerName(h.Provider), As: cmp.Or(h.Email, h.Name)}
		}
	}
	if s.Passkeys != nil {
		view.Passkeys = &pages.PasskeysState{Count: acct.Passkeys}
	}
	if !view.EmailVerified && view.Email != "" && s.Verifier != nil {
		view.Verify = &pages.VerifyEmailPrompt{Email: view.Email}
	}
	return view, nil
}
