package web

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/layout"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/admin"
	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/roles"
)

// Roles is what the web layer needs from roles and permissions
// (roles.Service): a permission check read from the database on every
// request, and grants and revokes.
type Roles interface {
	Allowed(ctx context.Context, userID uuid.UUID, permission string) (bool, error)
	Roles(ctx context.Context, userID uuid.UUID) ([]string, error)
	Grant(ctx context.Context, appID, userID uuid.UUID, role string) error
	Revoke(ctx context.Context, appID, userID uuid.UUID, role string) error
}

// AdminConsole is the admin console's reading and actions (admin.Console).
type AdminConsole interface {
	CanRemoveAuthenticator() bool
	CanResendVerification() bool
	Search(ctx context.Context, appID uuid.UUID, q string) ([]admin.Found, error)
	Profile(ctx context.Context, appID, userID uuid.UUID) (admin.Profile, error)
	Suspend(ctx context.Context, appID, actor, userID uuid.UUID) error
	Unsuspend(ctx context.Context, appID, actor, userID uuid.UUID) error
	Delete(ctx context.Context, appID, actor, userID uuid.UUID) (time.Time, error)
	SignOut(ctx context.Context, appID, actor, userID uuid.UUID, publicID string) error
	SignOutEverywhere(ctx context.Context, appID, actor, userID uuid.UUID) (int, error)
	ResendVerification(ctx context.Context, appID, actor, userID uuid.UUID) error
	CanRequirePasswordReset() bool
	RequirePasswordReset(ctx context.Context, appID, actor, userID uuid.UUID) error
	RemoveAuthenticator(ctx context.Context, appID, actor, userID uuid.UUID, reason string) error
	Events(ctx context.Context, appID uuid.UUID, f admin.Filter, limit int) ([]admin.Event, error)
	OutboxOn() bool
	Messages(ctx context.Context, failed bool) ([]outbox.Job, error)
	RetryMessage(ctx context.Context, appID, actor uuid.UUID, id int64) error
	CancelMessage(ctx context.Context, appID, actor uuid.UUID, id int64) error
	Limits(ctx context.Context, appID uuid.UUID) ([]admin.Limit, error)
	AppsOn() bool
	Apps(ctx context.Context) ([]apps.App, error)
	CreateApp(ctx context.Context, actor uuid.UUID, in apps.Input) (apps.App, error)
	RenameApp(ctx context.Context, actor uuid.UUID, slug, name string) (apps.App, error)
	ExportCSV(ctx context.Context, appID, actor uuid.UUID, f admin.Filter, w io.Writer) error
}

// adminOn reports whether the console is served: it needs roles, the
// console and re-authentication (every action needs a fresh proof).
func (s *Server) adminOn() bool { return s.Roles != nil && s.Admin != nil && s.Settings != nil }

// adminRoutes adds the console's routes with route, each behind its
// permission; every POST also needs a fresh proof of identity.
func (s *Server) adminRoutes(route func(method, path string, h handlerFunc)) {
	get := func(path, perm string, h userHandler) { route("GET", path, s.requirePermission(perm, h)) }
	post := func(path, perm string, h userHandler) {
		route("POST", path, s.requirePermission(perm, s.adminFresh(h)))
	}
	get(pages.AdminPath, roles.UsersRead, s.adminSearch)
	get(pages.AdminUserPattern, roles.UsersRead, s.adminUser)
	get(pages.AdminAuditPath, roles.AuditRead, s.adminAudit)
	post(pages.AdminAuditExportPath, roles.AuditRead, s.adminAuditExport)
	post(pages.AdminSuspendPath, roles.UsersSuspend, s.adminAction(s.adminSuspend))
	post(pages.AdminUnsuspendPath, roles.UsersSuspend, s.adminAction(s.adminUnsuspend))
	post(pages.AdminDeletePath, roles.UsersDelete, s.adminAction(s.adminDelete))
	post(pages.AdminSignOutPath, roles.SessionsRevoke, s.adminAction(s.adminSignOut))
	post(pages.AdminSignOutAllPath, roles.SessionsRevoke, s.adminAction(s.adminSignOutAll))
	post(pages.AdminVerifyResendPath, roles.UsersVerify, s.adminAction(s.adminResendVerification))
	post(pages.AdminPasswordResetPath, roles.UsersResetPassword, s.adminAction(s.adminRequirePasswordReset))
	post(pages.AdminFactorRemovePath, roles.FactorsRemove, s.adminAction(s.adminRemoveAuthenticator))
	post(pages.AdminRoleGrantPath, roles.RolesManage, s.adminAction(s.adminRoleGrant))
	post(pages.AdminRoleRevokePath, roles.RolesManage, s.adminAction(s.adminRoleRevoke))
	get(pages.AdminOutboxPath, roles.OutboxRead, s.adminOutbox)
	post(pages.AdminOutboxRetryPath, roles.OutboxManage, s.adminOutboxAction(true))
	post(pages.AdminOutboxCancelPath, roles.OutboxManage, s.adminOutboxAction(false))
	get(pages.AdminLimitsPath, roles.LimitsRead, s.adminLimits)
	get(pages.AdminAppsPath, roles.AppsManage, s.adminApps)
	post(pages.AdminAppCreatePath, roles.AppsManage, s.adminAppCreate)
	post(pages.AdminAppRenamePath, roles.AppsManage, s.adminAppRename)
}

// requirePermission is requireUser that also asks Roles, now, whether the
// user holds permission: 403 when not, and never a yes on an error. A
// role revoked a moment ago is refused on the very next request.
func (s *Server) requirePermission(permission string, h userHandler) handlerFunc {
	return s.requireUser(func(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
		ok, err := s.Roles.Allowed(r.Context(), userID, permission)
		if err != nil {
			return err
		}
		if !ok {
			return statusError(http.StatusForbidden, messages.Forbidden)
		}
		return h(w, r, userID)
	})
}

// adminFresh sends an action without a fresh proof of identity to the
// re-authentication page, which returns to the user's page (or the
// console) afterwards: the post itself is not replayed.
func (s *Server) adminFresh(h userHandler) userHandler {
	return func(w http.ResponseWriter, r *http.Request, userID uuid.UUID) error {
		if s.fresh(r.Context()) {
			return h(w, r, userID)
		}
		back := pages.AdminPath
		if strings.HasPrefix(r.URL.Path, pages.AdminAppsPath+"/") {
			back = pages.AdminAppsPath
		}
		if vs := r.PostFormValue(pages.AdminUserField); vs != "" {
			if id, err := uuid.Parse(vs); err == nil {
				back = pages.AdminUserPath(id.String())
			}
		}
		return s.redirect(w, r, s.protect.ReauthURL(back))
	}
}

// adminAnswer is what an action did: a notice for the reloaded page, or
// a problem shown on the user's page with status.
type adminAnswer struct {
	done    string       // a key of adminDone: success, reload with ?done=
	problem messages.Key // otherwise: why nothing happened
	status  int
}

// adminDone are the outcomes a reloaded user page reports.
var adminDone = map[string]messages.Key{
	"suspended":      messages.AdminSuspended,
	"unsuspended":    messages.AdminUnsuspended,
	"deleted":        messages.AdminDeleted,
	"signed_out":     messages.AdminSignedOut,
	"signed_out_all": messages.AdminSignedOutAll,
	"verification":   messages.AdminVerificationSent,
	"factor":         messages.AdminFactorRemoved,
	"password":       messages.AdminPasswordResetRequired,
	"granted":        messages.AdminRoleGranted,
	"revoked":        messages.AdminRoleRevoked,
}

type adminActionFunc func(r *http.Request, actor, target uuid.UUID, form map[string]string) (adminAnswer, error)

// adminAction reads the form (every action names its user; duplicated
// fields are refused), runs act, then answers: a 303 to the user's page
// with ?done= on success (post, redirect, get), the user's page with the
// problem otherwise.
func (s *Server) adminAction(act adminActionFunc) userHandler {
	return func(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
		form, err := readForm(r, pages.AdminUserField, pages.AdminSessionField, pages.AdminReasonField, pages.AdminRoleField, pages.AdminConfirmField)
		if err != nil {
			return err
		}
		target, err := uuid.Parse(form[pages.AdminUserField])
		if err != nil {
			return statusError(http.StatusNotFound, messages.AdminUserNotFound)
		}
		ans, err := act(r, actor, target, form)
		switch {
		case errors.Is(err, auth.ErrNotFound):
			return statusError(http.StatusNotFound, messages.AdminUserNotFound)
		case errors.Is(err, admin.ErrSelf):
			ans = adminAnswer{problem: messages.AdminNotYourself, status: http.StatusConflict}
		case err != nil:
			return err
		}
		if ans.problem != "" {
			return s.adminUserAnswer(w, r, actor, target, ans.status, "", ans.problem)
		}
		return s.redirect(w, r, pages.AdminUserPath(target.String())+"?done="+ans.done)
	}
}

func (s *Server) adminSuspend(r *http.Request, actor, target uuid.UUID, _ map[string]string) (adminAnswer, error) {
	return adminAnswer{done: "suspended"}, s.Admin.Suspend(r.Context(), s.appID(r.Context()), actor, target)
}

func (s *Server) adminUnsuspend(r *http.Request, actor, target uuid.UUID, _ map[string]string) (adminAnswer, error) {
	return adminAnswer{done: "unsuspended"}, s.Admin.Unsuspend(r.Context(), s.appID(r.Context()), actor, target)
}

func (s *Server) adminDelete(r *http.Request, actor, target uuid.UUID, form map[string]string) (adminAnswer, error) {
	if form[pages.AdminConfirmField] == "" {
		return adminAnswer{problem: messages.AdminUnconfirmed, status: http.StatusUnprocessableEntity}, nil
	}
	_, err := s.Admin.Delete(r.Context(), s.appID(r.Context()), actor, target)
	return adminAnswer{done: "deleted"}, err
}

func (s *Server) adminSignOut(r *http.Request, actor, target uuid.UUID, form map[string]string) (adminAnswer, error) {
	id := form[pages.AdminSessionField]
	if id == "" || len(id) > 64 {
		return adminAnswer{problem: messages.AdminNoSuchSession, status: http.StatusNotFound}, nil
	}
	err := s.Admin.SignOut(r.Context(), s.appID(r.Context()), actor, target, id)
	if errors.Is(err, auth.ErrNotFound) {
		// The user exists (checked first); the session does not.
		return adminAnswer{problem: messages.AdminNoSuchSession, status: http.StatusNotFound}, nil
	}
	return adminAnswer{done: "signed_out"}, err
}

func (s *Server) adminSignOutAll(r *http.Request, actor, target uuid.UUID, _ map[string]string) (adminAnswer, error) {
	_, err := s.Admin.SignOutEverywhere(r.Context(), s.appID(r.Context()), actor, target)
	return adminAnswer{done: "signed_out_all"}, err
}

func (s *Server) adminResendVerification(r *http.Request, actor, target uuid.UUID, _ map[string]string) (adminAnswer, error) {
	err := s.Admin.ResendVerification(r.Context(), s.appID(r.Context()), actor, target)
	var ae *auth.Error
	switch {
	case errors.As(err, &ae) && ae.Code == messages.EmailAlreadyVerified:
		return adminAnswer{problem: messages.AdminAlreadyVerified, status: http.StatusConflict}, nil
	case errors.As(err, &ae):
		return adminAnswer{problem: ae.Code, status: http.StatusTooManyRequests}, nil
	}
	return adminAnswer{done: "verification"}, err
}

func (s *Server) adminRequirePasswordReset(r *http.Request, actor, target uuid.UUID, _ map[string]string) (adminAnswer, error) {
	err := s.Admin.RequirePasswordReset(r.Context(), s.appID(r.Context()), actor, target)
	switch {
	case errors.Is(err, admin.ErrNoPassword):
		return adminAnswer{problem: messages.AdminNoPassword, status: http.StatusConflict}, nil
	case errors.Is(err, admin.ErrNoWayToReset):
		return adminAnswer{problem: messages.AdminNoWayToReset, status: http.StatusConflict}, nil
	}
	return adminAnswer{done: "password"}, err
}

func (s *Server) adminRemoveAuthenticator(r *http.Request, actor, target uuid.UUID, form map[string]string) (adminAnswer, error) {
	err := s.Admin.RemoveAuthenticator(r.Context(), s.appID(r.Context()), actor, target, form[pages.AdminReasonField])
	switch {
	case errors.Is(err, admin.ErrNoReason):
		return adminAnswer{problem: messages.AdminReasonRequired, status: http.StatusUnprocessableEntity}, nil
	case errors.Is(err, admin.ErrNoFactor):
		return adminAnswer{problem: messages.AdminNoFactor, status: http.StatusConflict}, nil
	}
	return adminAnswer{done: "factor"}, err
}

func (s *Server) adminRoleGrant(r *http.Request, actor, target uuid.UUID, form map[string]string) (adminAnswer, error) {
	err := s.Roles.Grant(auth.WithActor(r.Context(), actor.String()), s.appID(r.Context()), target, form[pages.AdminRoleField])
	if errors.Is(err, roles.ErrBadRole) || errors.Is(err, roles.ErrUnknownRole) {
		return adminAnswer{problem: messages.AdminUnknownRole, status: http.StatusUnprocessableEntity}, nil
	}
	return adminAnswer{done: "granted"}, err
}

func (s *Server) adminRoleRevoke(r *http.Request, actor, target uuid.UUID, form map[string]string) (adminAnswer, error) {
	if actor == target && form[pages.AdminRoleField] == roles.Admin {
		// The last way back in to the console is the command line.
		return adminAnswer{problem: messages.AdminNotYourself, status: http.StatusConflict}, nil
	}
	if _, err := s.Admin.Profile(r.Context(), s.appID(r.Context()), target); err != nil {
		return adminAnswer{}, err
	}
	err := s.Roles.Revoke(auth.WithActor(r.Context(), actor.String()), s.appID(r.Context()), target, form[pages.AdminRoleField])
	if errors.Is(err, roles.ErrBadRole) {
		return adminAnswer{problem: messages.AdminUnknownRole, status: http.StatusUnprocessableEntity}, nil
	}
	return adminAnswer{done: "revoked"}, err
}

// adminPage is the layout of a console page, headed with the admin's own
// account label.
func (s *Server) adminPage(r *http.Request, title string, actor uuid.UUID) (layout.Page, pages.AdminNav, error) {
	acct, err := s.Accounts.Account(r.Context(), s.appID(r.Context()), actor)
	if err != nil {
		return layout.Page{}, pages.AdminNav{}, err
	}
	p := s.page(messages.AdminTitle, accountLabel(i18n.LangOf(r.Context()), acct))
	p.Title = title
	nav := pages.AdminNav{Current: r.URL.Path}
	for _, c := range []struct {
		perm string
		to   *bool
	}{{roles.AuditRead, &nav.Audit}, {roles.OutboxRead, &nav.Outbox}, {roles.LimitsRead, &nav.Limits}, {roles.AppsManage, &nav.Apps}} {
		if *c.to, err = s.Roles.Allowed(r.Context(), actor, c.perm); err != nil {
			return p, nav, err
		}
	}
	return p, nav, nil
}

// adminSearch is the console's first page: a GET search form and its
// results. A search string over admin.MaxQuery is refused with a message.
func (s *Server) adminSearch(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
	v := pages.AdminSearch{}
	p, nav, err := s.adminPage(r, i18n.T(r.Context(), messages.AdminTitle), actor)
	if err != nil {
		return err
	}
	v.Nav = nav
	status := http.StatusOK
	q := r.URL.Query()[pages.AdminSearchField]
	switch {
	case len(q) > 1:
		return statusError(http.StatusBadRequest, messages.FormMalformed)
	case len(q) == 1:
		v.Query, v.Searched = q[0], true
		found, err := s.Admin.Search(r.Context(), s.appID(r.Context()), q[0])
		if errors.Is(err, admin.ErrQueryTooLong) {
			v.Query = ""
			v.Problem, status = messages.AdminSearchTooLong, http.StatusBadRequest
			break
		}
		if err != nil {
			return err
		}
		for _, f := range found {
			v.Results = append(v.Results, pages.AdminFound{ID: f.ID.String(), Email: f.Email, Phone: f.Phone,
				Status: statusKey(f.Status), Created: humanTime(i18n.LangOf(r.Context()), f.CreatedAt), CreatedISO: f.CreatedAt.UTC().Format(time.RFC3339)})
		}
	}
	s.render(w, r, status, pages.AdminSearchPage(p, v))
	return nil
}

func statusKey(st auth.Status) messages.Key {
	switch st {
	case auth.StatusSuspended:
		return messages.AdminStatusSuspended
	case auth.StatusDeleted:
		return messages.AdminStatusDeleted
	}
	return messages.AdminStatusActive
}

// adminUser is a user's page. An id that is not a UUID, or not a user of
// this app, is a 404.
func (s *Server) adminUser(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
	target, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return statusError(http.StatusNotFound, messages.AdminUserNotFound)
	}
	return s.adminUserAnswer(w, r, actor, target, http.StatusOK, adminDone[queryValue(r, "done")], "")
}

func (s *Server) adminUserAnswer(w http.ResponseWriter, r *http.Request, actor, target uuid.UUID, status int, notice, problem messages.Key) error {
	prof, err := s.Admin.Profile(r.Context(), s.appID(r.Context()), target)
	if errors.Is(err, auth.ErrNotFound) {
		return statusError(http.StatusNotFound, messages.AdminUserNotFound)
	}
	if err != nil {
		return err
	}
	label := accountLabel(i18n.LangOf(r.Context()), prof.Account)
	p, nav, err := s.adminPage(r, label, actor)
	if err != nil {
		return err
	}
	u := prof.Account.User
	v := pages.AdminUser{Nav: nav, ID: u.ID.String(), Label: label, Status: statusKey(u.Status),
		Suspended: u.Status == auth.StatusSuspended, Active: u.Status == auth.StatusActive,
		Created: humanTime(i18n.LangOf(r.Context()), u.CreatedAt), CreatedISO: u.CreatedAt.UTC().Format(time.RFC3339),
		Authenticator: prof.Authenticator, Passkeys: prof.Account.Passkeys, Roles: prof.Roles,
		Notice: notice, Problem: problem}
	for _, id := range prof.Account.Identities {
		kind := messages.AdminKindProvider
		switch id.Kind {
		case auth.IdentityEmail:
			kind = messages.AdminKindEmail
		case auth.IdentityPhone:
			kind = messages.AdminKindPhone
		}
		v.Identities = append(v.Identities, pages.AdminIdentity{Kind: kind, Value: id.Value, Verified: id.VerifiedAt != nil})
	}
	for _, d := range prof.Sessions {
		v.Sessions = append(v.Sessions, pages.AdminSession{PublicID: d.PublicID, Label: deviceLabel(i18n.LangOf(r.Context()), d), IP: d.IP,
			LastSeen: humanTime(i18n.LangOf(r.Context()), d.LastSeenAt), LastSeenISO: d.LastSeenAt.UTC().Format(time.RFC3339)})
	}
	for _, c := range prof.APIClients {
		seen := c.CreatedAt
		if c.LastRefreshAt != nil {
			seen = *c.LastRefreshAt
		}
		v.APIClients = append(v.APIClients, pages.AdminSession{PublicID: c.PublicID, Label: agentLabel(i18n.LangOf(r.Context()), c.Browser, c.OS), IP: c.IP,
			LastSeen: humanTime(i18n.LangOf(r.Context()), seen), LastSeenISO: seen.UTC().Format(time.RFC3339)})
	}
	for _, role := range []string{roles.Admin, roles.Support} {
		if !slices.Contains(prof.Roles, role) {
			v.Grantable = append(v.Grantable, role)
		}
	}
	v.Trail = adminEvents(i18n.LangOf(r.Context()), prof.Trail)
	can := func(perm string) bool {
		ok, err2 := s.Roles.Allowed(r.Context(), actor, perm)
		if err2 != nil {
			err = err2
		}
		return ok
	}
	v.Can = pages.AdminCan{Suspend: can(roles.UsersSuspend), Delete: can(roles.UsersDelete), SignOut: can(roles.SessionsRevoke),
		Verify: s.Admin.CanResendVerification() && can(roles.UsersVerify), RemoveFactor: s.Admin.CanRemoveAuthenticator() && can(roles.FactorsRemove),
		Roles: can(roles.RolesManage), Audit: nav.Audit,
		ResetPassword: s.Admin.CanRequirePasswordReset() && can(roles.UsersResetPassword)}
	if err != nil {
		return err
	}
	s.render(w, r, status, pages.AdminUserPage(p, v))
	return nil
}

func adminEvents(l messages.Lang, events []admin.Event) []pages.AdminEvent {
	out := make([]pages.AdminEvent, len(events))
	for i, e := range events {
		uid := ""
		if e.UserID != nil {
			uid = e.UserID.String()
		}
		out[i] = pages.AdminEvent{ID: strconv.FormatInt(e.ID, 10), Time: humanTime(l, e.At), ISO: e.At.UTC().Format(time.RFC3339),
			Name: e.Name, Outcome: e.Outcome, Failure: e.Outcome == string(auth.Failure), UserID: uid, IP: e.IP, Detail: adminDetail(e.Detail)}
	}
	return out
}

// adminDetail is an event's detail as "key=value" pairs, in key order.
func adminDetail(d map[string]string) string {
	out := ""
	for i, k := range slices.Sorted(maps.Keys(d)) {
		if i > 0 {
			out += " "
		}
		out += k + "=" + d[k]
	}
	return out
}

// auditPageSize is how many events one page of the audit log shows.
const auditPageSize = 100

var eventKind = regexp.MustCompile(`^[a-z][a-z0-9_.]{0,63}$`)

// auditFilter reads the audit filter from values (the query, or the
// export form): a user id, an event name or prefix, and dates (UTC) as
// YYYY-MM-DD, "to" inclusive. Anything else is messages.AdminFilterBad.
func auditFilter(vals url.Values) (admin.Filter, pages.AdminAudit, bool) {
	one := func(k string) (string, bool) {
		switch vs := vals[k]; len(vs) {
		case 0:
			return "", true
		case 1:
			return vs[0], len(vs[0]) <= 64
		}
		return "", false
	}
	var f admin.Filter
	var v pages.AdminAudit
	ok := true
	var good bool
	if v.User, good = one(pages.AdminFilterUserField); !good {
		ok = false
	} else if v.User != "" {
		id, err := uuid.Parse(v.User)
		if err != nil {
			ok = false
		} else {
			f.UserID = &id
		}
	}
	if v.Kind, good = one(pages.AdminFilterKindField); !good || (v.Kind != "" && !eventKind.MatchString(v.Kind)) {
		ok = false
	} else {
		f.Kind = v.Kind
	}
	if v.From, good = one(pages.AdminFilterFromField); !good {
		ok = false
	} else if v.From != "" {
		t, err := time.Parse(time.DateOnly, v.From)
		if err != nil {
			ok = false
		}
		f.From = t
	}
	if v.To, good = one(pages.AdminFilterToField); !good {
		ok = false
	} else if v.To != "" {
		t, err := time.Parse(time.DateOnly, v.To)
		if err != nil {
			ok = false
		}
		f.To = t.AddDate(0, 0, 1)
	}
	if b, good := one(pages.AdminFilterBeforeField); !good {
		ok = false
	} else if b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			ok = false
		}
		f.Before = n
	}
	if !ok {
		return admin.Filter{}, pages.AdminAudit{}, false
	}
	return f, v, true
}

// adminAudit searches the audit log, a page at a time, newest first.
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
	p, nav, err := s.adminPage(r, i18n.T(r.Context(), messages.AdminAuditTitle), actor)
	if err != nil {
		return err
	}
	f, v, ok := auditFilter(r.URL.Query())
	v.Nav = nav
	if !ok {
		v.Problem = messages.AdminFilterBad
		s.render(w, r, http.StatusBadRequest, pages.AdminAuditPage(p, v))
		return nil
	}
	events, err := s.Admin.Events(r.Context(), s.appID(r.Context()), f, auditPageSize)
	if err != nil {
		return err
	}
	v.Events = adminEvents(i18n.LangOf(r.Context()), events)
	if len(events) == auditPageSize {
		q := url.Values{}
		for k, val := range map[string]string{pages.AdminFilterUserField: v.User, pages.AdminFilterKindField: v.Kind,
			pages.AdminFilterFromField: v.From, pages.AdminFilterToField: v.To} {
			if val != "" {
				q.Set(k, val)
			}
		}
		q.Set(pages.AdminFilterBeforeField, strconv.FormatInt(events[len(events)-1].ID, 10))
		v.Older = pages.AdminAuditPath + "?" + q.Encode()
	}
	s.render(w, r, http.StatusOK, pages.AdminAuditPage(p, v))
	return nil
}

// adminAuditExport streams the audit events matching the posted filter as
// CSV (at most admin.ExportLimit rows, formula-safe cells). It is a POST
// with a fresh proof, like every action: the export is itself audited.
func (s *Server) adminAuditExport(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
	if _, err := readForm(r); err != nil {
		return err
	}
	f, _, ok := auditFilter(r.PostForm)
	if !ok {
		return statusError(http.StatusBadRequest, messages.AdminFilterBad)
	}
	f.Before = 0
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="latch-audit-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Admin.ExportCSV(r.Context(), s.appID(r.Context()), actor, f, w); err != nil {
		// Headers and rows may be out already: the log has the cause.
		s.Logger.ErrorContext(r.Context(), "audit export failed", "err", err, "request_id", auth.ClientFrom(r.Context()).RequestID)
	}
	return nil
}

// outboxDone are the outcomes a reloaded outbox page reports.
var outboxDone = map[string]messages.Key{"retried": messages.AdminOutboxRetried, "cancelled": messages.AdminOutboxCancelled}

// adminOutbox lists the messages waiting to be sent (?state=failed: those
// that failed), with retry and cancel for those whose state allows it.
func (s *Server) adminOutbox(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
	return s.adminOutboxAnswer(w, r, actor, http.StatusOK, queryValue(r, "state") == "failed", outboxDone[queryValue(r, "done")], "")
}

func (s *Server) adminOutboxAnswer(w http.ResponseWriter, r *http.Request, actor uuid.UUID, status int, failed bool, notice, problem messages.Key) error {
	p, nav, err := s.adminPage(r, i18n.T(r.Context(), messages.AdminOutboxTitle), actor)
	if err != nil {
		return err
	}
	v := pages.AdminOutbox{Nav: nav, Failed: failed, Off: !s.Admin.OutboxOn(), Notice: notice, Problem: problem}
	if v.CanManage, err = s.Roles.Allowed(r.Context(), actor, roles.OutboxManage); err != nil {
		return err
	}
	if !v.Off {
		jobs, err := s.Admin.Messages(r.Context(), failed)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			v.Jobs = append(v.Jobs, pages.AdminJob{ID: strconv.FormatInt(j.ID, 10), Kind: string(j.Kind), To: j.To, Purpose: j.Purpose,
				State: j.State, LastError: j.LastError, Attempts: j.Attempts, Created: humanTime(i18n.LangOf(r.Context()), j.CreatedAt), CreatedISO: j.CreatedAt.UTC().Format(time.RFC3339),
				Retry: slices.Contains(outbox.Failed, j.State), Cancel: j.State != "running" && slices.Contains(outbox.Waiting, j.State)})
		}
	}
	s.render(w, r, status, pages.AdminOutboxPage(p, v))
	return nil
}

// adminOutboxAction retries (a failed message) or cancels (a waiting one)
// the job named in the form, then reloads the list it was on.
func (s *Server) adminOutboxAction(retry bool) userHandler {
	return func(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
		form, err := readForm(r, pages.AdminJobField)
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(form[pages.AdminJobField], 10, 64)
		if err != nil || id <= 0 {
			return s.adminOutboxAnswer(w, r, actor, http.StatusNotFound, retry, "", messages.AdminOutboxNoJob)
		}
		done := "cancelled"
		if retry {
			done = "retried"
			err = s.Admin.RetryMessage(r.Context(), s.appID(r.Context()), actor, id)
		} else {
			err = s.Admin.CancelMessage(r.Context(), s.appID(r.Context()), actor, id)
		}
		switch {
		case errors.Is(err, outbox.ErrNoJob), errors.Is(err, admin.ErrNoOutbox):
			return s.adminOutboxAnswer(w, r, actor, http.StatusNotFound, retry, "", messages.AdminOutboxNoJob)
		case errors.Is(err, outbox.ErrNotRetryable):
			return s.adminOutboxAnswer(w, r, actor, http.StatusConflict, retry, "", messages.AdminOutboxWrongState)
		case err != nil:
			return err
		}
		next := pages.AdminOutboxPath + "?done=" + done
		if retry {
			next += "&state=failed"
		}
		return s.redirect(w, r, next)
	}
}

// adminLimits lists the guard limits that were full in the last hour.
func (s *Server) adminLimits(w http.ResponseWriter, r *http.Request, actor uuid.UUID) error {
	p, nav, err := s.adminPage(r, i18n.T(r.Context(), messages.AdminLimitsTitle), actor)
	if err != nil {
		return err
	}
	limits, err := s.Admin.Limits(r.Context(), s.appID(r.Context()))
	if err != nil {
		return err
	}
	v := pages.AdminLimits{Nav: nav}
	for _, l := range limits {
		v.Limits = append(v.Limits, pages.AdminLimit{Policy: l.Policy, Scope: l.Scope, Value: l.Value,
			Rate: strconv.Itoa(l.Budget) + " / " + l.Window.String(), Until: humanTime(i18n.LangOf(r.Context()), l.FullUntil), UntilISO: l.FullUntil.UTC().Format(time.RFC3339)})
	}
	s.render(w, r, http.StatusOK, pages.AdminLimitsPage(p, v))
	return nil
}
