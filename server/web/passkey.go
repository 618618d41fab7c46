package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/layout"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/session"
)

// PasskeyFlows is what the web layer needs of passkeys (auth.Passkeys).
type PasskeyFlows interface {
	List(ctx context.Context, appID, userID uuid.UUID) ([]auth.Passkey, error)
	BeginRegistration(ctx context.Context, appID, userID uuid.UUID) (auth.Ceremony, error)
	FinishRegistration(ctx context.Context, appID, userID uuid.UUID, session, response []byte, name string) (auth.Passkey, error)
	BeginLogin(ctx context.Context) (auth.Ceremony, error)
	FinishLogin(ctx context.Context, appID uuid.UUID, session, response []byte) (auth.PasskeyLogin, error)
	BeginSecondFactor(ctx context.Context, appID, userID uuid.UUID) (auth.Ceremony, error)
	FinishSecondFactor(ctx context.Context, appID, userID uuid.UUID, session, response []byte, firstMethod string) error
	BeginReauth(ctx context.Context, appID, userID uuid.UUID) (auth.Ceremony, error)
	FinishReauth(ctx context.Context, appID, userID uuid.UUID, session, response []byte) error
	Rename(ctx context.Context, appID, userID, id uuid.UUID, name string) error
	Remove(ctx context.Context, appID, userID, id uuid.UUID) error
}

// passkeyPage is s.page with the passkey script (static/js/passkey.js).
func (s *Server) passkeyPage(title messages.Key, userEmail string) layout.Page {
	p := s.page(title, userEmail)
	if s.passkeyScript != "" {
		p.Scripts = append(append([]string(nil), p.Scripts...), s.passkeyScript)
	}
	return p
}

// passkeysPage lists the account's passkeys and offers to add one. It is
// behind a fresh proof of identity (requireFresh), as adding a way in is.
func (s *Server) passkeysPage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	return s.passkeysAnswer(w, r, userID, http.StatusOK, pages.PasskeysView{Notice: messages.Key(s.Sessions.PopFlash(r.Context()))})
}

func (s *Server) passkeysAnswer(w http.ResponseWriter, r *http.Request, userID uuid.UUID, status int, v pages.PasskeysView) error {
	ctx := r.Context()
	acct, err := s.Accounts.Account(ctx, s.appID(ctx), userID)
	if err != nil {
		return err
	}
	keys, err := s.Passkeys.List(ctx, s.appID(ctx), userID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		item := pages.PasskeyItem{ID: k.ID.String(), Name: k.Name, Created: passkeyDate(i18n.LangOf(r.Context()), k.CreatedAt), Synced: k.BackupState}
		if k.LastUsedAt != nil {
			item.LastUsed = humanTime(i18n.LangOf(r.Context()), *k.LastUsedAt)
		}
		v.Keys = append(v.Keys, item)
	}
	acct.Passkeys = len(keys)
	v.Removable = auth.CanRemovePasskey(acct) == nil
	s.render(w, r, status, pages.PasskeysPage(s.passkeyPage(messages.PasskeysTitle, accountLabel(i18n.LangOf(r.Context()), acct)), v))
	return nil
}

// passkeyRegisterOptions begins registering a passkey: the options for
// navigator.credentials.create as JSON; the challenge stays in the session.
func (s *Server) passkeyRegisterOptions(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	if err := readEmptyJSON(r); err != nil {
		return err
	}
	c, err := s.Passkeys.BeginRegistration(r.Context(), s.appID(r.Context()), userID)
	if err != nil {
		return passkeyError(err)
	}
	return s.sendCeremony(w, r, session.PasskeyRegister, c)
}

// passkeyRegister finishes a registration begun by passkeyRegisterOptions
// in this session (its challenge is spent, pass or fail) and lands on the
// passkeys page with a notice; the account holder is emailed.
func (s *Server) passkeyRegister(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	in, err := readPasskeyAnswer(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	challenge := s.Sessions.TakePasskeyChallenge(ctx, session.PasskeyRegister)
	if _, err := s.Passkeys.FinishRegistration(ctx, s.appID(ctx), userID, challenge, in.Credential, in.Name); err != nil {
		return passkeyError(err)
	}
	// A new way in is a privilege change.
	if err := s.Sessions.Renew(ctx); err != nil {
		return err
	}
	s.Sessions.Flash(ctx, string(messages.PasskeyAdded))
	return s.redirect(w, r, pages.PasskeysPath)
}

// passkeyRename renames one of the user's passkeys (a plain form).
func (s *Server) passkeyRename(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.PasskeyIDField, pages.PasskeyNameField)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(form[pages.PasskeyIDField])
	if err != nil {
		return statusError(http.StatusBadRequest, messages.FormMalformed)
	}
	err = s.Passkeys.Rename(r.Context(), s.appID(r.Context()), userID, id, form[pages.PasskeyNameField])
	var ae *auth.Error
	if errors.As(err, &ae) {
		return s.passkeysAnswer(w, r, userID, passkeyStatus(ae.Code), pages.PasskeysView{Message: ae.Code})
	}
	if err != nil {
		return err
	}
	s.Sessions.Flash(r.Context(), string(messages.PasskeyRenamed))
	return s.redirect(w, r, pages.PasskeysPath)
}

// passkeyRemove removes one of the user's passkeys while another way in
// remains (auth.CanRemovePasskey) and the account is not held after a
// password reset; either refusal is in writing.
func (s *Server) passkeyRemove(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.PasskeyIDField)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(form[pages.PasskeyIDField])
	if err != nil {
		return statusError(http.StatusBadRequest, messages.FormMalformed)
	}
	err = s.Passkeys.Remove(r.Context(), s.appID(r.Context()), userID, id)
	var ae *auth.Error
	if errors.As(err, &ae) {
		return s.passkeysAnswer(w, r, userID, passkeyStatus(ae.Code), pages.PasskeysView{Message: ae.Code})
	}
	if err != nil {
		return err
	}
	if err := s.Sessions.Renew(r.Context()); err != nil {
		return err
	}
	s.Sessions.Flash(r.Context(), string(messages.PasskeyRemoved))
	return s.redirect(w, r, pages.PasskeysPath)
}

func passkeyStatus(code messages.Key) int {
	switch code {
	case messages.PasskeyNotFound:
		return http.StatusNotFound
	case messages.PasskeyLastWayIn, messages.PasskeyAlreadyRegistered, messages.ChangeHeldAfterReset:
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// passkeyError maps a ceremony's refusal to its status, written message
// kept: 409 for a passkey registered already, 400 for a ceremony that was
// not started (or was spent), 401 for an answer not accepted; a guard
// refusal stays a 429.
func passkeyError(err error) error {
	var ae *auth.Error
	if !errors.As(err, &ae) || auth.Refused(err) {
		return err
	}
	status := http.StatusUnauthorized
	switch ae.Code {
	case messages.PasskeyAlreadyRegistered:
		status = http.StatusConflict
	case messages.PasskeyExpired:
		status = http.StatusBadRequest
	case messages.PasskeyNameInvalid, messages.PasskeyNone:
		status = http.StatusUnprocessableEntity
	case messages.ChangeHeldAfterReset:
		status = http.StatusForbidden
	}
	return &httpError{status: status, code: ae.Code, cause: err}
}

// sendCeremony keeps c's session data in this browser's session, for the
// ceremony's one answer, and sends its options as JSON.
func (s *Server) sendCeremony(w http.ResponseWriter, r *http.Request, which session.PasskeyCeremony, c auth.Ceremony) error {
	s.Sessions.HoldPasskeyChallenge(r.Context(), which, c.Session)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(c.Options)
	return err
}

// passkeyAnswer is the body the passkey script posts to a finish path:
// the credential as navigator.credentials returned it (binary fields in
// base64url), and for registration the name chosen, for sign-in "keep me
// signed in", for re-authentication the page to go on to (checked with
// safeNext).
type passkeyAnswer struct {
	Name       string          `json:"name"`
	Remember   bool            `json:"remember"`
	Next       string          `json:"next"`
	Credential json.RawMessage `json:"credential"`
}

// readPasskeyAnswer reads a finish path's JSON body strictly.
//
// Errors: 415 messages.FormMalformed for another content type; 413
// messages.FormTooLarge past the body cap; 400 messages.FormMalformed for
// a body that is not one JSON object, repeats a key at any depth, has an
// unknown field, or lacks the credential.
func readPasskeyAnswer(r *http.Request) (passkeyAnswer, error) {
	var in passkeyAnswer
	b, err := readJSONBody(r)
	if err != nil {
		return in, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || len(in.Credential) < 2 || in.Credential[0] != '{' {
		return in, &httpError{status: http.StatusBadRequest, code: messages.FormMalformed, cause: err}
	}
	return in, nil
}

// readEmptyJSON reads the body of an options path: nothing, or an empty
// JSON object.
func readEmptyJSON(r *http.Request) error {
	b, err := readJSONBody(r)
	if err != nil {
		return err
	}
	if t := bytes.TrimSpace(b); len(t) != 0 && !bytes.Equal(t, []byte("{}")) {
		return statusError(http.StatusBadRequest, messages.FormMalformed)
	}
	return nil
}

func readJSONBody(r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, statusError(http.StatusUnsupportedMediaType, messages.FormMalformed)
	}
	b, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, statusError(http.StatusRequestEntityTooLarge, messages.FormTooLarge)
	}
	if err != nil {
		return nil, &httpError{status: http.StatusBadRequest, code: messages.FormMalformed, cause: err}
	}
	if len(bytes.TrimSpace(b)) > 0 && !strictJSON(b) {
		return nil, statusError(http.StatusBadRequest, messages.FormMalformed)
	}
	return b, nil
}

// strictJSON reports whether b is one JSON value with no object repeating
// a key: a duplicated key is refused rather than guessed at (the standard
// decoder would silently keep the last).
func strictJSON(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if !strictValue(dec, 0) {
		return false
	}
	_, err := dec.Token()
	return err == io.EOF
}

func strictValue(dec *json.Decoder, depth int) bool {
	if depth > 32 {
		return false
	}
	t, err := dec.Token()
	if err != nil {
		return false
	}
	switch t {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			key, ok := k.(string)
			if err != nil || !ok || seen[key] {
				return false
			}
			seen[key] = true
			if !strictValue(dec, depth+1) {
				return false
			}
		}
		_, err := dec.Token()
		return err == nil
	case json.Delim('['):
		for dec.More() {
			if !strictValue(dec, depth+1) {
				return false
			}
		}
		_, err := dec.Token()
		return err == nil
	}
	return true
}

// passkeyDate formats a passkey's time for its list.
func passkeyDate(l messages.Lang, t time.Time) string { return i18n.Date(l, t) }

// PasskeyMessages writes the notice a new passkey sends
// (auth.PasskeyMessages).
type PasskeyMessages struct {
	Brand email.Brand
}

// PasskeyAdded says a passkey named name was added to the account.
func (m PasskeyMessages) PasskeyAdded(ctx context.Context, to, name string) (auth.Message, error) {
	ctx = inRecipientLang(ctx, to)
	return TwoFactorMessages{Brand: m.Brand}.notice(ctx, to, "passkey_added", messages.EmailPasskeyAddedSubject,
		i18n.F(ctx, messages.EmailPasskeyAddedBody, "{name}", name), true)
}
