package web

import (
	"context"
	"errors"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/starfederation/datastar-go/datastar"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/session"
)

// Devices is what the web layer needs from the device list (auth.Devices).
type Devices interface {
	List(ctx context.Context, userID uuid.UUID, current string) ([]auth.Session, error)
	APIClients(ctx context.Context, appID, userID uuid.UUID) ([]auth.APIClient, error)
	SignOut(ctx context.Context, appID, userID uuid.UUID, publicID string) (auth.Session, error)
	SignOutAPIClient(ctx context.Context, appID, userID uuid.UUID, publicID string) (auth.APIClient, error)
	SignOutOthers(ctx context.Context, appID, userID uuid.UUID, current string, apiClients bool) (int, error)
	SignOutEverywhere(ctx context.Context, appID, userID uuid.UUID) (int, error)
}

// devicesPath is the devices page; after a plain form post it is reloaded
// with ?done= naming what happened.
const devicesPath = "/account/devices"

// Outcomes a plain form post reports to the reloaded devices page.
var devicesDone = map[string]messages.Key{
	"one":        messages.DeviceSignedOut,
	"api_client": messages.APIClientSignedOut,
	"others":     messages.DevicesOthersSignedOut,
}

// devicesPage lists the user's sessions with the forms that end them.
func (s *Server) devicesPage(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	acct, ok, err := s.activeAccount(w, r, userID)
	if !ok {
		return err
	}
	v, err := s.devicesView(r, userID)
	if err != nil {
		return err
	}
	v.Notice = devicesDone[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, pages.Devices(s.page(messages.DevicesTitle, accountLabel(i18n.LangOf(r.Context()), acct)), v))
	return nil
}

// deviceSignOut ends one of the user's sessions, chosen by public id. A
// public id that is not the user's (signed out already, or someone else's)
// is answered with messages.DeviceNotFound and changes nothing. Signing out
// the current session this way logs out.
//
// Errors: readForm's; 400 messages.FormMalformed for a missing or malformed
// public id.
func (s *Server) deviceSignOut(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, "session")
	if err != nil {
		return err
	}
	publicID := form["session"]
	if !session.IsPublicID(publicID) {
		return statusError(http.StatusBadRequest, messages.FormMalformed)
	}
	ctx := r.Context()
	_, err = s.Devices.SignOut(ctx, s.appID(ctx), userID, publicID)
	var ae *auth.Error
	if errors.As(err, &ae) {
		return s.devicesAnswer(w, r, userID, http.StatusNotFound, "", ae.Code)
	}
	if err != nil {
		return err
	}
	if publicID == s.Sessions.PublicID(ctx) {
		if err := s.Sessions.Logout(ctx); err != nil {
			return err
		}
		return s.redirect(w, r, "/login?from=logout")
	}
	return s.devicesAnswer(w, r, userID, http.StatusSeeOther, "one", "")
}

// apiClientSignOut revokes one of the user's API clients (a refresh
// family), chosen by public id: its refresh token is refused from now on
// and its access tokens stop working on Latch's API at once. A public id
// that is not one of the user's live API clients is answered with
// messages.APIClientNotFound and changes nothing.
//
// Errors: readForm's; 400 messages.FormMalformed for a missing or
// malformed public id.
func (s *Server) apiClientSignOut(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.APIClientField)
	if err != nil {
		return err
	}
	publicID := form[pages.APIClientField]
	if !session.IsPublicID(publicID) {
		return statusError(http.StatusBadRequest, messages.FormMalformed)
	}
	_, err = s.Devices.SignOutAPIClient(r.Context(), s.appID(r.Context()), userID, publicID)
	var ae *auth.Error
	if errors.As(err, &ae) {
		return s.devicesAnswer(w, r, userID, http.StatusNotFound, "", ae.Code)
	}
	if err != nil {
		return err
	}
	return s.devicesAnswer(w, r, userID, http.StatusSeeOther, "api_client", "")
}

// devicesSignOutOthers ends every session of the user but this one (and,
// with the box ticked, every API client), then renews this one's token: a
// copy of this device's cookie held elsewhere dies with the others.
//
// Errors: readForm's.
func (s *Server) devicesSignOutOthers(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	form, err := readForm(r, pages.SignOutAPIClientsField)
	if err != nil {
		return err
	}
	ctx := r.Context()
	apiClients := form[pages.SignOutAPIClientsField] != ""
	if _, err := s.Devices.SignOutOthers(ctx, s.appID(ctx), userID, s.Sessions.PublicID(ctx), apiClients); err != nil {
		return err
	}
	// List before renewing: the renewed session is stored only when the
	// response starts.
	var v pages.DevicesView
	if isDatastar(r) {
		var err error
		if v, err = s.devicesView(r, userID); err != nil {
			return err
		}
	}
	if err := s.Sessions.Renew(ctx); err != nil {
		return err
	}
	if isDatastar(r) {
		v.Notice, v.Interactive = messages.DevicesOthersSignedOut, true
		return datastar.NewSSE(w, r).PatchElementTempl(pages.DevicesPanel(v))
	}
	http.Redirect(w, r, devicesPath+"?done=others", http.StatusSeeOther)
	return nil
}

// devicesSignOutEverywhere ends every session of the user, this one
// included, revokes every API client, and sends the browser to the login
// page.
//
// Errors: readForm's.
func (s *Server) devicesSignOutEverywhere(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
	if _, err := readForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := s.Devices.SignOutEverywhere(ctx, s.appID(ctx), userID); err != nil {
		return err
	}
	if err := s.Sessions.Logout(ctx); err != nil {
		return err
	}
	return s.redirect(w, r, "/login?from=everywhere")
}

// devicesAnswer answers a devices post: over Datastar, the refreshed panel
// with the notice (done) or problem; otherwise a redirect to the page with
// ?done= (status 303), or the page itself with the problem and status.
func (s *Server) devicesAnswer(w http.ResponseWriter, r *http.Request, userID uuid.UUID, status int, done string, problem messages.Key) error {
	if !isDatastar(r) && problem == "" {
		http.Redirect(w, r, devicesPath+"?done="+done, http.StatusSeeOther)
		return nil
	}
	var email string
	if !isDatastar(r) {
		acct, ok, err := s.activeAccount(w, r, userID)
		if !ok {
			return err
		}
		email = accountLabel(i18n.LangOf(r.Context()), acct)
	}
	v, err := s.devicesView(r, userID)
	if err != nil {
		return err
	}
	v.Notice, v.Problem, v.Interactive = devicesDone[done], problem, isDatastar(r)
	if isDatastar(r) {
		return datastar.NewSSE(w, r).PatchElementTempl(pages.DevicesPanel(v))
	}
	s.render(w, r, status, pages.Devices(s.page(messages.DevicesTitle, email), v))
	return nil
}

// devicesView lists the user's sessions for the page, this one first, and
// the user's API clients.
func (s *Server) devicesView(r *http.Request, userID uuid.UUID) (pages.DevicesView, error) {
	list, err := s.Devices.List(r.Context(), userID, s.Sessions.PublicID(r.Context()))
	if err != nil {
		return pages.DevicesView{}, err
	}
	clients, err := s.Devices.APIClients(r.Context(), s.appID(r.Context()), userID)
	if err != nil {
		return pages.DevicesView{}, err
	}
	v := pages.DevicesView{Devices: make([]pages.DeviceView, len(list)), APIClients: make([]pages.APIClientView, len(clients))}
	for i, c := range clients {
		cv := pages.APIClientView{
			PublicID:    c.PublicID,
			Label:       agentLabel(i18n.LangOf(r.Context()), c.Browser, c.OS),
			UserAgent:   shorten(c.UserAgent, 120),
			IP:          c.IP,
			SignedIn:    humanTime(i18n.LangOf(r.Context()), c.CreatedAt),
			SignedInISO: c.CreatedAt.UTC().Format(time.RFC3339),
			LastRefresh: i18n.T(r.Context(), messages.APIClientNeverRefreshed),
		}
		if c.LastRefreshAt != nil {
			cv.LastRefresh, cv.LastRefreshISO = humanTime(i18n.LangOf(r.Context()), *c.LastRefreshAt), c.LastRefreshAt.UTC().Format(time.RFC3339)
		}
		v.APIClients[i] = cv
	}
	for i, d := range list {
		v.Devices[i] = pages.DeviceView{
			PublicID:    d.PublicID,
			Label:       deviceLabel(i18n.LangOf(r.Context()), d),
			IP:          d.IP,
			SignedIn:    humanTime(i18n.LangOf(r.Context()), d.CreatedAt),
			SignedInISO: d.CreatedAt.UTC().Format(time.RFC3339),
			LastSeen:    humanTime(i18n.LangOf(r.Context()), d.LastSeenAt),
			LastSeenISO: d.LastSeenAt.UTC().Format(time.RFC3339),
			Current:     d.Current,
		}
	}
	return v, nil
}

// deviceLabel names a session's device: "Firefox on Windows", with the
// catalog's words for a browser or system the user agent did not reveal.
func deviceLabel(l messages.Lang, d auth.Session) string { return agentLabel(l, d.Browser, d.OS) }

// agentLabel is deviceLabel for a browser and system named from a user
// agent, of a session or an API client.
func agentLabel(l messages.Lang, browser, os string) string {
	if browser == "" {
		browser = l.Text(messages.DeviceUnknownBrowser)
	}
	if os == "" {
		os = l.Text(messages.DeviceUnknownOS)
	}
	return l.Fill(messages.DeviceLabel, "{browser}", browser, "{os}", os)
}

// humanTime writes t for people, in l: "2 January 2006, 15:04 UTC".
func humanTime(l messages.Lang, t time.Time) string { return i18n.DateTime(l, t) }

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// activeAccount returns the signed-in user's account. A user who is gone or
// no longer active is logged out and sent to the login page; ok is false
// then, and err says whether that failed.
func (s *Server) activeAccount(w http.ResponseWriter, r *http.Request, userID uuid.UUID) (auth.Account, bool, error) {
	acct, err := s.Accounts.Account(r.Context(), s.appID(r.Context()), userID)
	if errors.Is(err, auth.ErrNotFound) || (err == nil && acct.User.Status != auth.StatusActive) {
		if err := s.Sessions.Logout(r.Context()); err != nil {
			return auth.Account{}, false, err
		}
		return auth.Account{}, false, s.redirect(w, r, "/login?from=expired")
	}
	if err != nil {
		return auth.Account{}, false, err
	}
	return acct, true, nil
}
