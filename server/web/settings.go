package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/useragent"
)

// AccountSettings is what the web layer needs from the settings flows
// (auth.Settings).
type AccountSettings interface {
	Reauth(ctx context.Context, appID, userID uuid.UUID) (auth.ReauthOption, error)
	ReauthPassword(ctx context.Context, appID, userID uuid.UUID, plain string) error
	SendReauthCode(ctx context.Context, appID, userID uuid.UUID) (auth.ReauthOption, error)
	VerifyReauthCode(ctx context.Context, appID, userID uuid.UUID, code string) error
	RecordReauth(ctx context.Context, appID, userID uuid.UUID, method string, ok bool)
	Cooldown() time.Duration
	CanChangeEmail() bool
	RequestEmailChange(ctx context.Context, appID, userID uuid.UUID, email string) (string, error)
	VerifyEmailChange(ctx context.Context, appID, userID uuid.UUID, email, code string) (string, error)
	RemoveIdentity(ctx context.Context, appID, userID uuid.UUID, kind auth.IdentityKind, value string) error
	DeleteGrace() time.Duration
	DeleteAccount(ctx context.Context, appID, userID uuid.UUID) (time.Time, error)
	Export(ctx context.Context, appID, userID uuid.UUID) (auth.Export, error)
	Activity(ctx context.Context, appID, userID uuid.UUID, before int64, limit int) ([]auth.SecurityEvent, error)
}

// emailChangePage asks for the new address (or, for an account without
// one, the address to add).
func (s *Server) emailChangePage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	return s.emailChangeStep(w, r, userID, http.StatusOK, pages.EmailChange{})
}

// emailChangePost sends a code to the new address, bound to this user.
// It is sent even when another account holds the address.
func (s *Server) emailChangePost(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, "email")
	if err != nil {
		return err
	}
	email, err := s.Settings.RequestEmailChange(r.Context(), s.appID(r.Context()), userID, form["email"])
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && ae.Code == messages.FormInvalid:
		c := pages.EmailChange{Email: form["email"], EmailError: ae.Fields[auth.FieldNewEmail]}
		return s.emailChangeStep(w, r, userID, http.StatusUnprocessableEntity, c)
	case errors.As(err, &ae) && ae.Code == messages.ChangeHeldAfterReset:
		c := pages.EmailChange{Email: form["email"], EmailError: ae.Code}
		return s.emailChangeStep(w, r, userID, http.StatusConflict, c)
	case errors.As(err, &ae) && (ae.Code == messages.CodeSendLimited || auth.Refused(err)):
		c := pages.EmailChange{Email: email, Sent: true, Message: ae.Code, ResendIn: resendIn(ae.Err, 0)}
		return s.emailChangeStep(w, r, userID, http.StatusTooManyRequests, c)
	case err != nil:
		return err
	}
	c := pages.EmailChange{Email: email, Sent: true, Notice: i18n.F(r.Context(), messages.EmailChangeSent, "{email}", email),
		ResendIn: seconds(s.Settings.Cooldown())}
	return s.emailChangeStep(w, r, userID, http.StatusOK, c)
}

// emailChangeCode spends the code and replaces (or adds) the address. An
// address of another account is refused here, once the code has proved
// the mailbox. The session gets a new token: the account changed how it
// logs in.
func (s *Server) emailChangeCode(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, "email", pages.CodeFieldName)
	if err != nil {
		return err
	}
	old, err := s.Settings.VerifyEmailChange(r.Context(), s.appID(r.Context()), userID, form["email"], form[pages.CodeFieldName])
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && ae.Code == messages.EmailTaken:
		c := pages.EmailChange{Email: form["email"], EmailError: ae.Code}
		return s.emailChangeStep(w, r, userID, http.StatusConflict, c)
	case errors.As(err, &ae):
		c := pages.EmailChange{Email: form["email"], Sent: true, Message: ae.Code}
		return s.emailChangeStep(w, r, userID, http.StatusUnauthorized, c)
	case err != nil:
		return err
	}
	if err := s.Sessions.Renew(r.Context()); err != nil {
		return err
	}
	notice := messages.EmailChanged
	if old == "" {
		notice = messages.EmailAdded
	}
	s.Sessions.Flash(r.Context(), string(notice))
	return s.redirect(w, r, "/account")
}

// emailChangeStep answers with c: the panel for Datastar, the page
// otherwise.
func (s *Server) emailChangeStep(w http.ResponseWriter, r *http.Request, userID uuid.UUID, status int, c pages.EmailChange) error {
	acct, ok, err := s.activeAccount(w, r, userID)
	if !ok {
		return err
	}
	if !s.Settings.CanChangeEmail() {
		return statusError(http.StatusNotFound, messages.NotFound)
	}
	c.Current, c.Interactive = acct.Email(), isDatastar(r)
	return s.answer(w, r, status, pages.EmailChangePanel(c), pages.EmailChangePage(s.page(messages.EmailChangeTitle, accountLabel(i18n.LangOf(r.Context()), acct)), c), datastar.WithModeReplace())
}

// identityRemove removes one of the user's email addresses or numbers,
// if another verified way to log in remains (auth.CanRemove).
//
// Errors: readForm's; 400 messages.FormMalformed for an unknown kind.
func (s *Server) identityRemove(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.KindField, pages.ValueField)
	if err != nil {
		return err
	}
	kind := auth.IdentityKind(form[pages.KindField])
	if (kind != auth.IdentityEmail && kind != auth.IdentityPhone) || form[pages.ValueField] == "" || len(form[pages.ValueField]) > 320 {
		return statusError(http.StatusBadRequest, messages.FormMalformed)
	}
	err = s.Settings.RemoveIdentity(r.Context(), s.appID(r.Context()), userID, kind, form[pages.ValueField])
	var ae *auth.Error
	if errors.As(err, &ae) {
		status := http.StatusConflict
		if ae.Code == messages.IdentityNotFound {
			status = http.StatusNotFound
		}
		if isDatastar(r) {
			view, err := s.accountView(r.Context(), userID)
			if err != nil {
				return err
			}
			view.Identities.Problem, view.Identities.Interactive = ae.Code, true
			return datastar.NewSSE(w, r).PatchElementTempl(pages.IdentitiesPanel(view.Identities), datastar.WithModeReplace())
		}
		view, err := s.accountView(r.Context(), userID)
		if err != nil {
			return err
		}
		view.Identities.Problem = ae.Code
		s.render(w, r, status, pages.Account(s.page(messages.AccountTitle, view.Label), view))
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.Sessions.Renew(r.Context()); err != nil {
		return err
	}
	s.Sessions.Flash(r.Context(), string(messages.IdentityRemoved))
	return s.redirect(w, r, "/account")
}

// deletePage asks to confirm the deletion.
func (s *Server) deletePage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	return s.deleteAnswer(w, r, userID, http.StatusOK, "")
}

// deletePost deletes the account, restorable by logging in during the
// grace period, ends this session with all the others and sends the
// browser to the login page, which says how to come back.
func (s *Server) deletePost(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.DeleteConfirmField)
	if err != nil {
		return err
	}
	if form[pages.DeleteConfirmField] != "yes" {
		return s.deleteAnswer(w, r, userID, http.StatusUnprocessableEntity, messages.DeleteUnconfirmed)
	}
	ctx := r.Context()
	if _, err := s.Settings.DeleteAccount(ctx, s.appID(ctx), userID); errors.Is(err, auth.ErrNotFound) {
		return s.redirect(w, r, "/login?from=expired")
	} else if err != nil {
		return err
	}
	if err := s.Sessions.Logout(ctx); err != nil {
		return err
	}
	return s.redirect(w, r, "/login?from=deleted")
}

func (s *Server) deleteAnswer(w http.ResponseWriter, r *http.Request, userID uuid.UUID, status int, problem messages.Key) error {
	acct, ok, err := s.activeAccount(w, r, userID)
	if !ok {
		return err
	}
	d := pages.DeleteAccount{GraceDays: graceDays(s.Settings.DeleteGrace()), Problem: problem, Interactive: isDatastar(r)}
	return s.answer(w, r, status, pages.DeletePanel(d), pages.DeletePage(s.page(messages.DeleteTitle, accountLabel(i18n.LangOf(r.Context()), acct)), d), datastar.WithModeReplace())
}

// graceDays is the grace period in whole days, rounded up.
func graceDays(d time.Duration) int {
	return int((d + 24*time.Hour - 1) / (24 * time.Hour))
}

// exportPage offers the download.
func (s *Server) exportPage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	acct, ok, err := s.activeAccount(w, r, userID)
	if !ok {
		return err
	}
	s.render(w, r, http.StatusOK, pages.ExportPage(s.page(messages.ExportTitle, accountLabel(i18n.LangOf(r.Context()), acct))))
	return nil
}

// exportJSON is the downloaded file: stable field names, no secrets.
type exportJSON struct {
	Format     string           `json:"format"`
	ExportedAt time.Time        `json:"exported_at"`
	User       exportUser       `json:"user"`
	Identities []exportIdentity `json:"identities"`
	Sessions   []exportSession  `json:"sessions"`
	Events     []exportEvent    `json:"security_events"`
}

type exportUser struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	HasPassword bool      `json:"has_password"`
}

type exportIdentity struct {
	Kind       string     `json:"kind"`
	Value      string     `json:"value"`
	VerifiedAt *time.Time `json:"verified_at"`
}

type exportSession struct {
	Device     string    `json:"device"`
	IP         string    `json:"ip"`
	SignedInAt time.Time `json:"signed_in_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	Current    bool      `json:"current"`
}

type exportEvent struct {
	Event     string            `json:"event"`
	Outcome   string            `json:"outcome"`
	At        time.Time         `json:"at"`
	IP        string            `json:"ip"`
	UserAgent string            `json:"user_agent"`
	Detail    map[string]string `json:"detail"`
}

// exportPost answers with the user's data as a JSON attachment, never
// cached.
func (s *Server) exportPost(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	if _, err := readForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	e, err := s.Settings.Export(ctx, s.appID(ctx), userID)
	if err != nil {
		return err
	}
	current := s.Sessions.PublicID(ctx)
	out := exportJSON{Format: "latch-export/1", ExportedAt: time.Now().UTC(),
		User:       exportUser{ID: e.User.ID.String(), Status: string(e.User.Status), CreatedAt: e.User.CreatedAt.UTC(), HasPassword: e.HasPassword},
		Identities: []exportIdentity{}, Sessions: []exportSession{}, Events: []exportEvent{}}
	for _, id := range e.Identities {
		out.Identities = append(out.Identities, exportIdentity{Kind: string(id.Kind), Value: id.Value, VerifiedAt: id.VerifiedAt})
	}
	for _, d := range e.Sessions {
		out.Sessions = append(out.Sessions, exportSession{Device: deviceLabel(i18n.LangOf(r.Context()), d), IP: d.IP, SignedInAt: d.CreatedAt.UTC(),
			LastSeenAt: d.LastSeenAt.UTC(), Current: d.PublicID == current})
	}
	for _, ev := range e.Events {
		detail := ev.Detail
		if detail == nil {
			detail = map[string]string{}
		}
		out.Events = append(out.Events, exportEvent{Event: ev.Name, Outcome: string(ev.Outcome), At: ev.At.UTC(),
			IP: ev.IP, UserAgent: ev.UserAgent, Detail: detail})
	}
	body, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="latch-data-`+time.Now().UTC().Format("2006-01-02")+`.json"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}

// activityPageSize is how many events a page of the activity list shows.
const activityPageSize = 25

// activityPage lists the user's own security events in words, newest
// first, a page at a time (?before= an event id).
func (s *Server) activityPage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	acct, ok, err := s.activeAccount(w, r, userID)
	if !ok {
		return err
	}
	var before int64
	if b := queryValue(r, "before"); b != "" {
		before, err = strconv.ParseInt(b, 10, 64)
		if err != nil || before <= 0 {
			return statusError(http.StatusBadRequest, messages.FormMalformed)
		}
	}
	events, err := s.Settings.Activity(r.Context(), s.appID(r.Context()), userID, before, activityPageSize+1)
	if err != nil {
		return err
	}
	a := pages.Activity{First: before == 0}
	if len(events) > activityPageSize {
		events = events[:activityPageSize]
		a.Older = pages.ActivityPath + "?" + url.Values{"before": {strconv.FormatInt(events[len(events)-1].ID, 10)}}.Encode()
	}
	l := i18n.LangOf(r.Context())
	for _, e := range events {
		day := i18n.Date(l, e.At)
		if n := len(a.Days); n == 0 || a.Days[n-1].Label != day {
			a.Days = append(a.Days, pages.ActivityDay{Label: day})
		}
		d := &a.Days[len(a.Days)-1]
		d.Lines = append(d.Lines, activityLine(l, e))
	}
	s.render(w, r, http.StatusOK, pages.ActivityPage(s.page(messages.ActivityTitle, accountLabel(i18n.LangOf(r.Context()), acct)), a))
	return nil
}

// activityLine says an event in words: what happened ("Signed in with a
// password"), from which browser ("Firefox on Linux") and at what time of
// its day; a failure the words do not already tell is tagged as one.
func activityLine(lang messages.Lang, e auth.SecurityEvent) pages.ActivityLine {
	l := pages.ActivityLine{
		What: lang.Text(activityKey(e)), Time: e.At.UTC().Format("15:04 UTC"), ISO: e.At.UTC().Format(time.RFC3339),
		Failure: e.Outcome == auth.Failure, FailureTag: e.Outcome == auth.Failure && !failureWorded(e),
	}
	if ua := useragent.Parse(e.UserAgent); ua.Browser != "" || ua.OS != "" {
		l.Device = deviceLabel(lang, auth.Session{Browser: ua.Browser, OS: ua.OS})
	}
	return l
}

// failureWorded reports whether activityKey already says e failed.
func failureWorded(e auth.SecurityEvent) bool {
	switch e.Name {
	case "login", "reauth", "code.use", "link.use":
		return true
	}
	return false
}

// activityKey is the catalog key naming an event.
func activityKey(e auth.SecurityEvent) messages.Key {
	if k, ok := adminActivityKey(e); ok {
		return k
	}
	ok := e.Outcome == auth.Success
	d := e.Detail
	if !ok && d["reason"] == "held_after_reset" {
		return messages.ActivityChangeHeld
	}
	switch e.Name {
	case "signup":
		if d["method"] == "provider" {
			return messages.ActivityProviderSignup
		}
		if ok && d["password"] == auth.PasswordDroppedElsewhere {
			return messages.ActivitySignupElsewhere
		}
		return messages.ActivitySignup
	case "login":
		if ok && d["method"] == auth.MethodPasskey {
			return messages.ActivityLoginPasskey
		}
		if ok {
			return messages.ActivityLoginPassword
		}
		return messages.ActivityLoginFailed
	case "code.use":
		if !ok {
			return messages.ActivityCodeRefused
		}
		if d["purpose"] == "login" || d["purpose"] == "signup" {
			return messages.ActivityLoginCode
		}
		return messages.ActivityCodeSent
	case "link.use":
		if !ok {
			return messages.ActivityCodeRefused
		}
		return messages.ActivityLoginLink
	case "code.send":
		return messages.ActivityCodeSent
	case "logout":
		return messages.ActivityLogout
	case "email.verify":
		return messages.ActivityEmailVerified
	case "email.change":
		if d["result"] == "added" {
			return messages.ActivityEmailAdded
		}
		return messages.ActivityEmailChanged
	case "phone.add":
		return messages.ActivityPhoneAdded
	case "identity.remove":
		return messages.ActivityIdentityRemoved
	case "reauth":
		if ok {
			return messages.ActivityReauth
		}
		return messages.ActivityReauthFailed
	case "session.revoke":
		switch d["scope"] {
		case auth.RevokeOne:
			if d["kind"] == auth.RevokeKindAPIClient {
				return messages.ActivitySignedOutClient
			}
			return messages.ActivitySignedOutOne
		case auth.RevokeOthers:
			return messages.ActivitySignedOutOthers
		}
		return messages.ActivitySignedOutAll
	case "account.delete":
		return messages.ActivityDeleted
	case "account.restore":
		return messages.ActivityRestored
	case "account.export":
		return messages.ActivityExported
	case "user.status":
		return messages.ActivityStatus
	case "token.issue", "token.refresh", "token.reuse", "token.logout":
		return messages.ActivityTokens
	}
	return factorActivityKey(e)
}
