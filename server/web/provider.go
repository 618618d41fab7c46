package web

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/provider"
	"github.com/latch-dev/latch/server/session"
)

// ProviderFlows is what the web layer needs from the provider domain
// (auth.Providers).
type ProviderFlows interface {
	Settings(id string) (auth.ProviderSettings, bool)
	Answer(ctx context.Context, provider string) (*guard.Reservation, error)
	SignIn(ctx context.Context, appID uuid.UUID, prof auth.ProviderProfile) (auth.ProviderSignIn, error)
	Link(ctx context.Context, appID, userID uuid.UUID, prof auth.ProviderProfile, how string) error
	Unlink(ctx context.Context, appID, userID uuid.UUID, provider string) error
	Links(ctx context.Context, appID, userID uuid.UUID) ([]auth.ProviderLink, error)
	Reauthenticate(ctx context.Context, appID, userID uuid.UUID, prof auth.ProviderProfile) error
	CompleteTrustedLink(ctx context.Context, appID, userID uuid.UUID, prof auth.ProviderProfile) (bool, error)
}

// byProvider is a first factor at a sign-in provider.
const byProvider firstFactor = "provider"

// providerOn reports whether any sign-in provider is configured.
func (s *Server) providerOn() bool { return s.Providers != nil && len(s.IdentityProviders) > 0 }

// identityProvider returns the configured provider id, or nil.
func (s *Server) identityProvider(id string) provider.Provider {
	for _, p := range s.IdentityProviders {
		if p.Config().ID == id {
			return p
		}
	}
	return nil
}

// providerButtons lists every configured provider, for a page.
func (s *Server) providerButtons() []pages.ProviderButton {
	out := make([]pages.ProviderButton, 0, len(s.IdentityProviders))
	for _, p := range s.IdentityProviders {
		out = append(out, pages.ProviderButton{ID: p.Config().ID, Name: p.Config().Name})
	}
	return out
}

// providerName is the configured name of provider id (or the id).
func (s *Server) providerName(id string) string {
	if p := s.identityProvider(id); p != nil {
		return p.Config().Name
	}
	return id
}

// providerStart sends the browser to a provider to sign in: a fresh
// state, nonce and PKCE verifier are kept in this browser's session, the
// checked next with them.
func (s *Server) providerStart(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(r, pages.NextField)
	if err != nil {
		return err
	}
	p := s.identityProvider(r.PathValue("provider"))
	if p == nil {
		return statusError(http.StatusNotFound, messages.ProviderUnknown)
	}
	return s.sendToProvider(w, r, p, session.ProviderFlow{Next: s.safeNext(r, form[pages.NextField])})
}

// providerLinkStart sends a signed-in user who just proved who they are
// to a provider, to link it.
func (s *Server) providerLinkStart(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.ProviderField)
	if err != nil {
		return err
	}
	p := s.identityProvider(form[pages.ProviderField])
	if p == nil {
		return statusError(http.StatusNotFound, messages.ProviderUnknown)
	}
	return s.sendToProvider(w, r, p, session.ProviderFlow{Link: userID, Next: pages.ProvidersPath})
}

// providerReauthStart sends a signed-in user to a provider linked to their
// account, as a proof of who they are before a sensitive change.
func (s *Server) providerReauthStart(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.ProviderField, pages.NextField)
	if err != nil {
		return err
	}
	p := s.identityProvider(form[pages.ProviderField])
	if p == nil {
		return statusError(http.StatusNotFound, messages.ProviderUnknown)
	}
	return s.sendToProvider(w, r, p, session.ProviderFlow{Link: userID, Reauth: true, Next: s.safeNext(r, form[pages.NextField])})
}

func (s *Server) sendToProvider(w http.ResponseWriter, r *http.Request, p provider.Provider, f session.ProviderFlow) error {
	start := provider.NewStart()
	to, err := p.AuthURL(r.Context(), start)
	if err != nil {
		s.Logger.WarnContext(r.Context(), "provider unavailable", "provider", p.Config().ID, "err", err)
		return s.providerProblem(w, r, f, http.StatusServiceUnavailable, messages.ProviderUnavailable, p.Config().Name)
	}
	f.Provider, f.State, f.Nonce, f.Verifier = p.Config().ID, start.State, start.Nonce, start.Verifier
	s.Sessions.BeginProviderFlow(r.Context(), f)
	// The provider's URL is built from configuration, never from input.
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// providerFormPost takes a provider's answer posted from its own site
// (Apple's response_mode=form_post) and sends the browser on to the
// callback as a same-site GET, which carries this browser's session
// cookie (a cross-site POST does not). Nothing is checked or kept here.
func (s *Server) providerFormPost(w http.ResponseWriter, r *http.Request) error {
	p := s.identityProvider(r.PathValue("provider"))
	if p == nil || !p.FormPost() {
		return statusError(http.StatusNotFound, messages.ProviderUnknown)
	}
	form, err := readForm(r, "code", "state", "error", "error_description")
	if err != nil {
		return err
	}
	q := url.Values{}
	for _, k := range []string{"code", "state", "error", "error_description"} {
		if v := form[k]; v != "" {
			q.Set(k, v)
		}
	}
	http.Redirect(w, r, pages.ProviderStartPath(p.Config().ID)+"/callback?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// providerCallback checks a provider's answer and acts on it: a sign-in
// (by the linking policy, auth.Providers.SignIn, then the one sign-in
// path, so a second factor still applies), a link, or a proof of who the
// user is. The answer must come back to the browser that left, with the
// state kept in its session, once.
//
// This GET changes state, as OAuth 2 callbacks do: it is bound to this
// browser's session (state), to this attempt (PKCE verifier, nonce), and
// spent by its first use, so a link to it that anyone else opens does
// nothing.
func (s *Server) providerCallback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("provider")
	p := s.identityProvider(id)
	if p == nil {
		return statusError(http.StatusNotFound, messages.ProviderUnknown)
	}
	name := p.Config().Name
	res, err := s.Providers.Answer(ctx, id)
	if err != nil {
		return err
	}
	guard.Note(ctx, guard.UseGuess, "provider state", guard.Provider)
	flow, ok := s.Sessions.TakeProviderFlow(ctx)
	state := queryValue(r, "state")
	if !ok || flow.Provider != id || state == "" || subtle.ConstantTimeCompare([]byte(flow.State), []byte(state)) != 1 {
		s.Logger.InfoContext(ctx, "provider answer refused", "provider", id, "reason", "state", "flow", ok)
		return s.providerProblem(w, r, flow, http.StatusBadRequest, messages.ProviderExpired, name)
	}
	if err := provider.CallbackError(queryValue(r, "error"), queryValue(r, "error_description")); err != nil {
		return s.providerFailed(w, r, flow, name, err)
	}
	code := queryValue(r, "code")
	if code == "" || len(code) > 2048 {
		return s.providerFailed(w, r, flow, name, provider.ErrRejected)
	}
	prof, err := p.Exchange(ctx, code, provider.Start{State: flow.State, Nonce: flow.Nonce, Verifier: flow.Verifier})
	if err != nil {
		return s.providerFailed(w, r, flow, name, err)
	}
	res.Succeeded(ctx)
	ap := auth.ProviderProfile{Provider: id, Subject: prof.Subject, Email: prof.Email, EmailVerified: prof.EmailVerified, Name: prof.Name}
	if set, _ := s.Providers.Settings(id); set.KeepTokens && prof.Token != nil {
		ap.Tokens, _ = json.Marshal(prof.Token)
	}
	switch {
	case flow.Reauth:
		return s.providerReauthed(w, r, flow, ap, name)
	case flow.Link != uuid.Nil:
		return s.providerLinked(w, r, flow, ap, name)
	}
	out, err := s.Providers.SignIn(ctx, s.appID(ctx), ap)
	var ae *auth.Error
	if errors.As(err, &ae) {
		return s.providerProblem(w, r, flow, http.StatusForbidden, ae.Code, name)
	}
	if err != nil {
		return err
	}
	if out.Held != "" {
		s.Sessions.HoldProvider(ctx, session.HeldProvider{Provider: id, Subject: ap.Subject, Email: ap.Email,
			Name: ap.Name, Reason: string(out.Held)})
		return s.redirect(w, r, pages.ProviderHeldPath)
	}
	if out.Linked {
		s.Sessions.Flash(ctx, string(messages.ProviderLinkedOnSignIn))
	}
	if out.LinkAfterSecondFactor {
		// Made by commitPending once the second factor has passed.
		s.Sessions.HoldProvider(ctx, session.HeldProvider{Provider: id, Subject: ap.Subject, Email: ap.Email,
			Name: ap.Name, For: out.User.ID})
	}
	if out.Created && !out.EmailVerified {
		s.sendVerification(ctx, out.User.ID)
	}
	return s.signIn(w, r, out.User, false, flow.Next, byProvider)
}

// providerLinked links what the provider answered to the user who asked,
// if they are still the one signed in.
func (s *Server) providerLinked(w http.ResponseWriter, r *http.Request, flow session.ProviderFlow, prof auth.ProviderProfile, name string) error {
	ctx := r.Context()
	if id, ok := s.Sessions.UserID(ctx); !ok || id != flow.Link {
		return s.providerProblem(w, r, session.ProviderFlow{}, http.StatusBadRequest, messages.ProviderExpired, name)
	}
	err := s.Providers.Link(ctx, s.appID(ctx), flow.Link, prof, "signed_in")
	var ae *auth.Error
	if errors.As(err, &ae) {
		return s.providersAnswer(w, r, flow.Link, http.StatusConflict, "", i18n.F(r.Context(), ae.Code, "{provider}", name))
	}
	if err != nil {
		return err
	}
	// A new way in changes what the session's holder can do: a new token.
	if err := s.Sessions.Renew(ctx); err != nil {
		return err
	}
	s.flashProvider(ctx, messages.ProviderLinked, prof.Provider)
	return s.redirect(w, r, pages.ProvidersPath)
}

// flashProvider keeps a notice about provider id for the providers page,
// which fills in its name.
func (s *Server) flashProvider(ctx context.Context, k messages.Key, id string) {
	s.Sessions.Flash(ctx, string(k)+"\n"+id)
}

// providerReauthed records a proof of who the user is, when the provider
// account that answered is linked to them.
func (s *Server) providerReauthed(w http.ResponseWriter, r *http.Request, flow session.ProviderFlow, prof auth.ProviderProfile, name string) error {
	ctx := r.Context()
	if id, ok := s.Sessions.UserID(ctx); !ok || id != flow.Link {
		return s.providerProblem(w, r, session.ProviderFlow{}, http.StatusBadRequest, messages.ProviderExpired, name)
	}
	err := s.Providers.Reauthenticate(ctx, s.appID(ctx), flow.Link, prof)
	var ae *auth.Error
	if errors.As(err, &ae) {
		return s.providerProblem(w, r, flow, http.StatusForbidden, ae.Code, name)
	}
	if err != nil {
		return err
	}
	// A fresh proof is a privilege: it goes with a new session token.
	if err := s.Sessions.Renew(ctx); err != nil {
		return err
	}
	s.Sessions.Reauthenticated(ctx)
	return s.redirect(w, r, landing(flow.Next))
}

// providerFailed answers a provider's refusal or an answer that did not
// check out, in our words; the provider's own go to the log.
func (s *Server) providerFailed(w http.ResponseWriter, r *http.Request, flow session.ProviderFlow, name string, err error) error {
	s.Logger.InfoContext(r.Context(), "provider answer refused", "provider", flow.Provider, "err", err)
	switch {
	case errors.Is(err, provider.ErrDenied):
		return s.providerProblem(w, r, flow, http.StatusForbidden, messages.ProviderDenied, name)
	case errors.Is(err, provider.ErrUnavailable):
		return s.providerProblem(w, r, flow, http.StatusBadGateway, messages.ProviderUnavailable, name)
	}
	return s.providerProblem(w, r, flow, http.StatusBadRequest, messages.ProviderRejected, name)
}

// providerProblem shows what went wrong where the flow began: the
// providers page for a link, the re-authentication page for a proof, the
// login page for a sign-in.
func (s *Server) providerProblem(w http.ResponseWriter, r *http.Request, flow session.ProviderFlow, status int, code messages.Key, name string) error {
	problem := i18n.F(r.Context(), code, "{provider}", name)
	if flow.Link != uuid.Nil && !flow.Reauth {
		if id, ok := s.Sessions.UserID(r.Context()); ok && id == flow.Link {
			return s.providersAnswer(w, r, id, status, "", problem)
		}
	}
	f := s.loginCredentials()
	f.Problem = problem
	page := s.page(messages.LoginTitle, "")
	if f.Passkey {
		page = s.passkeyPage(messages.LoginTitle, "")
	}
	s.render(w, r, status, pages.Login(page, f))
	return nil
}

// heldForLinking returns the provider account held in this browser for
// its holder to link by hand, if there is one (not a link a sign-in
// leaves for its second factor).
func (s *Server) heldForLinking(ctx context.Context) (session.HeldProvider, bool) {
	h, ok := s.Sessions.HeldProvider(ctx)
	return h, ok && h.For == uuid.Nil
}

// commitProviderLink makes the link a sign-in by a trusted provider's
// verified address left for the last factor, now that it has passed. A
// refusal is logged; the sign-in stands.
func (s *Server) commitProviderLink(ctx context.Context, userID uuid.UUID) {
	if s.Providers == nil {
		return
	}
	h, ok := s.Sessions.HeldProvider(ctx)
	if !ok || h.For != userID {
		return
	}
	s.Sessions.DropHeldProvider(ctx)
	linked, err := s.Providers.CompleteTrustedLink(ctx, s.appID(ctx), userID,
		auth.ProviderProfile{Provider: h.Provider, Subject: h.Subject, Email: h.Email, Name: h.Name})
	if err != nil {
		s.Logger.WarnContext(ctx, "provider link after the second factor not made", "user_id", userID, "provider", h.Provider, "err", err)
		return
	}
	if linked {
		s.Sessions.Flash(ctx, string(messages.ProviderLinkedOnSignIn))
	}
}

// providerHeldPage says why a provider sign-in is held, and how to go on.
func (s *Server) providerHeldPage(w http.ResponseWriter, r *http.Request) error {
	h, ok := s.heldForLinking(r.Context())
	if !ok {
		return s.redirect(w, r, "/login")
	}
	reason := messages.ProviderHeldNoEmail
	if h.Reason == string(auth.HeldEmailInUse) {
		reason = messages.ProviderHeldEmailInUse
	}
	name := s.providerName(h.Provider)
	s.render(w, r, http.StatusOK, pages.ProviderHeldPage(s.page(messages.ProviderHeldTitle, ""),
		pages.ProviderHeld{Provider: name, Reason: reason, Signup: h.Reason != string(auth.HeldEmailInUse)}))
	return nil
}

// providerHeldDiscard forgets the provider account held in this browser.
func (s *Server) providerHeldDiscard(w http.ResponseWriter, r *http.Request) error {
	if _, err := readForm(r); err != nil {
		return err
	}
	s.Sessions.DropHeldProvider(r.Context())
	if _, ok := s.Sessions.UserID(r.Context()); ok {
		s.Sessions.Flash(r.Context(), string(messages.ProviderHeldCancelled))
		return s.redirect(w, r, pages.ProvidersPath)
	}
	return s.redirect(w, r, "/login")
}

// providerConfirm links the provider account held in this browser to the
// signed-in user, who proved who they are recently (requireFresh).
func (s *Server) providerConfirm(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	ctx := r.Context()
	if _, err := readForm(r); err != nil {
		return err
	}
	h, ok := s.heldForLinking(ctx)
	if !ok {
		return s.providersAnswer(w, r, userID, http.StatusBadRequest, "", i18n.T(r.Context(), messages.ProviderExpired))
	}
	name := s.providerName(h.Provider)
	err := s.Providers.Link(ctx, s.appID(ctx), userID, auth.ProviderProfile{Provider: h.Provider, Subject: h.Subject,
		Email: h.Email, Name: h.Name}, "confirmed")
	var ae *auth.Error
	if errors.As(err, &ae) {
		s.Sessions.DropHeldProvider(ctx)
		return s.providersAnswer(w, r, userID, http.StatusConflict, "", i18n.F(r.Context(), ae.Code, "{provider}", name))
	}
	if err != nil {
		return err
	}
	s.Sessions.DropHeldProvider(ctx)
	if err := s.Sessions.Renew(ctx); err != nil {
		return err
	}
	s.flashProvider(ctx, messages.ProviderLinked, h.Provider)
	return s.redirect(w, r, pages.ProvidersPath)
}

// providerUnlink unlinks a provider, while another way in remains.
func (s *Server) providerUnlink(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.ProviderField)
	if err != nil {
		return err
	}
	id := form[pages.ProviderField]
	if !provider.ValidID(id) {
		return statusError(http.StatusBadRequest, messages.FormMalformed)
	}
	name := s.providerName(id)
	err = s.Providers.Unlink(r.Context(), s.appID(r.Context()), userID, id)
	var ae *auth.Error
	if errors.As(err, &ae) {
		status := http.StatusConflict
		if ae.Code == messages.ProviderNotLinked {
			status = http.StatusNotFound
		}
		return s.providersAnswer(w, r, userID, status, "", i18n.F(r.Context(), ae.Code, "{provider}", name))
	}
	if err != nil {
		return err
	}
	s.flashProvider(r.Context(), messages.ProviderUnlinked, id)
	return s.redirect(w, r, pages.ProvidersPath)
}

// providersPage lists the configured providers, linked or not, and offers
// to link the provider account held in this browser.
func (s *Server) providersPage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	notice := s.Sessions.PopFlash(r.Context())
	if k, id, ok := strings.Cut(notice, "\n"); ok {
		notice = i18n.F(r.Context(), messages.Key(k), "{provider}", s.providerName(id))
	} else if notice != "" {
		notice = i18n.T(r.Context(), messages.Key(notice))
	}
	return s.providersAnswer(w, r, userID, http.StatusOK, notice, "")
}

func (s *Server) providersAnswer(w http.ResponseWriter, r *http.Request, userID uuid.UUID, status int, notice, problem string) error {
	ctx := r.Context()
	links, err := s.Providers.Links(ctx, s.appID(ctx), userID)
	if err != nil {
		return err
	}
	v := pages.ProvidersView{Problem: problem, Notice: notice}
	for _, p := range s.IdentityProviders {
		row := pages.ProviderRow{ID: p.Config().ID, Name: p.Config().Name}
		for _, l := range links {
			if l.Provider == row.ID {
				row.Linked, row.As = true, cmp.Or(l.Email, l.Name)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	if h, ok := s.heldForLinking(ctx); ok {
		v.Confirm = &pages.ProviderConfirm{Provider: s.providerName(h.Provider), As: cmp.Or(h.Email, h.Name)}
	}
	acct, err := s.Accounts.Account(ctx, s.appID(ctx), userID)
	if err != nil {
		return err
	}
	s.render(w, r, status, pages.ProvidersPage(s.page(messages.ProvidersTitle, accountLabel(i18n.LangOf(r.Context()), acct)), v))
	return nil
}
