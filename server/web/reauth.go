package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

// Reauthenticator is one more way for a signed-in user to prove who they
// are on ReauthPath, beside the password or a code sent to them: a code
// from an authenticator app, say. Each one available to the user gets its
// own form on the page, posting its Name in the "method" field and what
// the user typed in the "code" field.
type Reauthenticator interface {
	// Name is stable and short ([a-z_]+, e.g. "totp"): the form's method
	// and the audit event's.
	Name() string
	// Label and Hint are the field's words, from the catalog.
	Label() messages.Key
	Hint() messages.Key
	// Available reports whether userID has this way set up.
	Available(ctx context.Context, appID, userID uuid.UUID) (bool, error)
	// Verify checks what the user typed: an *auth.Error refuses it (its
	// code is shown), any other error is internal.
	Verify(ctx context.Context, appID, userID uuid.UUID, code string) error
}

// Reauthenticators are the extra ways to prove who you are; nil offers
// none.
type Reauthenticators []Reauthenticator

func (rs Reauthenticators) find(name string) Reauthenticator {
	for _, r := range rs {
		if r != nil && r.Name() == name {
			return r
		}
	}
	return nil
}

// requireFresh runs h only for a user who proved who they are within
// ReauthWindow; anyone else is sent to ReauthPath, returning to back (the
// page the form lives on, for a post) or to the page asked for (a GET).
func (s *Server) requireFresh(back string, h userHandler) userHandler {
	return func(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
		if s.fresh(r.Context()) {
			return h(w, r, userID)
		}
		next := back
		if r.Method == http.MethodGet {
			next = r.URL.RequestURI()
		}
		return s.redirect(w, r, s.protect.ReauthURL(next))
	}
}

// sensitive is requireFresh when re-authentication is on (Settings set),
// and h unchanged otherwise.
func (s *Server) sensitive(back string, h userHandler) userHandler {
	if s.Settings == nil {
		return h
	}
	return s.requireFresh(back, h)
}

// reauthPage asks for the password, or offers a code, a passkey (with
// JavaScript: passkeyReauth), and any other way.
func (s *Server) reauthPage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	next := s.safeNext(r, queryValue(r, pages.NextField))
	return s.reauthAnswer(w, r, userID, http.StatusOK, pages.Reauth{Next: next})
}

// reauthPost checks a proof: the password, a code sent by reauthSend, or
// one of the Reauthenticators (by method). Success records the proof in
// the session (with a new token: a privilege change) and goes to next.
//
// Errors: readForm's; 400 messages.FormMalformed for an unknown method.
func (s *Server) reauthPost(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.NextField, pages.ReauthMethodField, "password", pages.CodeFieldName)
	if err != nil {
		return err
	}
	ctx := r.Context()
	next := s.safeNext(r, form[pages.NextField])
	method := form[pages.ReauthMethodField]
	switch method {
	case "", "password":
		method = "password"
		err = s.Settings.ReauthPassword(ctx, s.appID(ctx), userID, form["password"])
	case "code":
		err = s.Settings.VerifyReauthCode(ctx, s.appID(ctx), userID, form[pages.CodeFieldName])
	default:
		other := s.Reauthenticators.find(method)
		if other == nil {
			return statusError(http.StatusBadRequest, messages.FormMalformed)
		}
		if ok, aerr := other.Available(ctx, s.appID(ctx), userID); aerr != nil {
			return aerr
		} else if !ok {
			return statusError(http.StatusBadRequest, messages.FormMalformed)
		}
		err = other.Verify(ctx, s.appID(ctx), userID, form[pages.CodeFieldName])
		var ae *auth.Error
		if err == nil || errors.As(err, &ae) {
			s.Settings.RecordReauth(ctx, s.appID(ctx), userID, method, err == nil)
		}
	}
	var ae *auth.Error
	if errors.As(err, &ae) {
		v := pages.Reauth{Next: next, Message: ae.Code, Method: method, CodeSent: method == "code"}
		return s.reauthAnswer(w, r, userID, http.StatusUnauthorized, v)
	}
	if err != nil {
		return err
	}
	if err := s.Sessions.Renew(ctx); err != nil {
		return err
	}
	s.Sessions.Reauthenticated(ctx)
	return s.redirect(w, r, landing(next))
}

// reauthSend sends a code to the account without a password.
func (s *Server) reauthSend(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.NextField)
	if err != nil {
		return err
	}
	next := s.safeNext(r, form[pages.NextField])
	opt, err := s.Settings.SendReauthCode(r.Context(), s.appID(r.Context()), userID)
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && (ae.Code == messages.CodeSendLimited || auth.Refused(err)):
		v := pages.Reauth{Next: next, Message: ae.Code, Method: "code", CodeSent: true, ResendIn: resendIn(ae.Err, 0)}
		return s.reauthAnswer(w, r, userID, http.StatusTooManyRequests, v)
	case errors.As(err, &ae):
		return s.reauthAnswer(w, r, userID, http.StatusConflict, pages.Reauth{Next: next, Message: ae.Code})
	case err != nil:
		return err
	}
	v := pages.Reauth{Next: next, CodeSent: true, Notice: i18n.F(r.Context(), messages.ReauthCodeSent, "{to}", opt.Masked),
		ResendIn: seconds(s.Settings.Cooldown())}
	return s.reauthAnswer(w, r, userID, http.StatusOK, v)
}

// reauthAnswer fills in the ways userID can prove who they are and answers
// with v: the panel for Datastar, the page otherwise.
func (s *Server) reauthAnswer(w http.ResponseWriter, r *http.Request, userID uuid.UUID, status int, v pages.Reauth) error {
	ctx := r.Context()
	acct, ok, err := s.activeAccount(w, r, userID)
	if !ok {
		return err
	}
	opt, err := s.Settings.Reauth(ctx, s.appID(ctx), userID)
	if err != nil {
		return err
	}
	v.Password, v.CodeTo = opt.Password, opt.Masked
	for _, other := range s.Reauthenticators {
		if other == nil {
			continue
		}
		ok, err := other.Available(ctx, s.appID(ctx), userID)
		if err != nil {
			return err
		}
		if ok {
			v.Others = append(v.Others, pages.ReauthOther{Name: other.Name(), Label: i18n.T(r.Context(), other.Label()), Hint: i18n.T(r.Context(), other.Hint())})
		}
	}
	if s.providerOn() {
		links, err := s.Providers.Links(ctx, s.appID(ctx), userID)
		if err != nil {
			return err
		}
		for _, l := range links {
			if p := s.identityProvider(l.Provider); p != nil {
				v.Providers = append(v.Providers, pages.ProviderButton{ID: l.Provider, Name: p.Config().Name})
			}
		}
	}
	if s.Passkeys != nil {
		keys, err := s.Passkeys.List(ctx, s.appID(ctx), userID)
		if err != nil {
			return err
		}
		v.Passkey = len(keys) > 0
	}
	v.Interactive = isDatastar(r)
	page := s.page(messages.ReauthTitle, accountLabel(i18n.LangOf(r.Context()), acct))
	if v.Passkey {
		page = s.passkeyPage(messages.ReauthTitle, accountLabel(i18n.LangOf(r.Context()), acct))
	}
	return s.answer(w, r, status, pages.ReauthPanel(v), pages.ReauthPage(page, v), datastar.WithModeReplace())
}
