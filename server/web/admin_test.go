package web_test

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/roles"
	"github.com/latch-dev/latch/server/web"
)

// adminRoute is one admin console route: its method, its registered
// pattern, the permission it needs, and a request that would change
// something if it were let through.
type adminRoute struct {
	method, pattern, perm string
	path                  string     // the path requested ("" is pattern)
	form                  url.Values // for a POST
}

// adminRoutes is every route of the console. A route registered under
// /admin that is missing here fails TestAdminRoutesRefuseWithoutPermission.
func adminRoutes(target uuid.UUID, session string) []adminRoute {
	user := func(extra ...string) url.Values {
		v := url.Values{pages.AdminUserField: {target.String()}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	return []adminRoute{
		{method: "GET", pattern: pages.AdminPath, perm: roles.UsersRead, path: pages.AdminPath + "?q=target"},
		{method: "GET", pattern: pages.AdminUserPattern, perm: roles.UsersRead, path: pages.AdminUserPath(target.String())},
		{method: "GET", pattern: pages.AdminAuditPath, perm: roles.AuditRead},
		{method: "POST", pattern: pages.AdminAuditExportPath, perm: roles.AuditRead, form: url.Values{}},
		{method: "POST", pattern: pages.AdminSuspendPath, perm: roles.UsersSuspend, form: user()},
		{method: "POST", pattern: pages.AdminUnsuspendPath, perm: roles.UsersSuspend, form: user()},
		{method: "POST", pattern: pages.AdminDeletePath, perm: roles.UsersDelete, form: user(pages.AdminConfirmField, "1")},
		{method: "POST", pattern: pages.AdminSignOutPath, perm: roles.SessionsRevoke, form: user(pages.AdminSessionField, session)},
		{method: "POST", pattern: pages.AdminSignOutAllPath, perm: roles.SessionsRevoke, form: user()},
		{method: "POST", pattern: pages.AdminVerifyResendPath, perm: roles.UsersVerify, form: user()},
		{method: "POST", pattern: pages.AdminPasswordResetPath, perm: roles.UsersResetPassword, form: user()},
		{method: "POST", pattern: pages.AdminFactorRemovePath, perm: roles.FactorsRemove, form: user(pages.AdminReasonField, "called back")},
		{method: "POST", pattern: pages.AdminRoleGrantPath, perm: roles.RolesManage, form: user(pages.AdminRoleField, roles.Admin)},
		{method: "POST", pattern: pages.AdminRoleRevokePath, perm: roles.RolesManage, form: user(pages.AdminRoleField, roles.Support)},
		{method: "GET", pattern: pages.AdminOutboxPath, perm: roles.OutboxRead, path: pages.AdminOutboxPath + "?state=failed"},
		{method: "POST", pattern: pages.AdminOutboxRetryPath, perm: roles.OutboxManage, form: url.Values{pages.AdminJobField: {"1"}}},
		{method: "POST", pattern: pages.AdminOutboxCancelPath, perm: roles.OutboxManage, form: url.Values{pages.AdminJobField: {"1"}}},
		{method: "GET", pattern: pages.AdminLimitsPath, perm: roles.LimitsRead},
		{method: "GET", pattern: pages.AdminAppsPath, perm: roles.AppsManage},
		{method: "POST", pattern: pages.AdminAppCreatePath, perm: roles.AppsManage, form: url.Values{pages.AdminAppSlugField: {"shop"},
			pages.AdminAppNameField: {"Shop"}, pages.AdminAppURLField: {"https://login.shop.example"}}},
		{method: "POST", pattern: pages.AdminAppRenamePath, perm: roles.AppsManage, form: url.Values{pages.AdminAppSlugField: {"default"},
			pages.AdminAppNameField: {"Renamed"}}},
	}
}

func (r adminRoute) request(t *testing.T, h *harness, c *http.Client) reply {
	t.Helper()
	path := r.path
	if path == "" {
		path = r.pattern
	}
	if r.method == "GET" {
		return h.get(c, path)
	}
	return h.post(c, path, r.form)
}

// userIDOf reads the id of the account with the email address.
func userIDOf(t *testing.T, h *harness, email string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := h.db.NewRaw("SELECT user_id FROM identities WHERE kind = 'email' AND value = ?", email).Scan(context.Background(), &id); err != nil {
		t.Fatalf("user id of %s: %v", email, err)
	}
	return id
}

// grant gives the account with email a role, as `latch admin grant` does.
func grant(t *testing.T, h *harness, email, role string) uuid.UUID {
	t.Helper()
	var out strings.Builder
	if err := h.roles.Command(context.Background(), dbUsers(h), h.appID, []string{"grant", email, role}, &out); err != nil {
		t.Fatalf("latch admin grant %s %s: %v", email, role, err)
	}
	return userIDOf(t, h, email)
}

// adminState is what an admin route could change, to prove a refused
// request changed nothing.
type adminState struct {
	status   string
	sessions int
	roles    int
	events   int
	jobs     string // the outbox's job states, in order
	apps     string // every app's slug and name, in order
}

func stateOf(t *testing.T, h *harness, target uuid.UUID) adminState {
	t.Helper()
	var s adminState
	ctx := context.Background()
	if err := h.db.NewRaw("SELECT status FROM users WHERE id = ?", target).Scan(ctx, &s.status); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql string
		to  *int
	}{
		{"SELECT count(*) FROM sessions WHERE user_id = ?", &s.sessions},
		{"SELECT count(*) FROM user_roles WHERE user_id = ?", &s.roles},
		{"SELECT count(*) FROM audit_events WHERE user_id = ? OR event LIKE 'admin.%'", &s.events},
	} {
		if err := h.db.NewRaw(q.sql, target).Scan(ctx, q.to); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.db.NewRaw(`SELECT string_agg(slug || ':' || name, ',' ORDER BY slug) FROM apps`).Scan(ctx, &s.apps); err != nil {
		t.Fatal(err)
	}
	var queue bool // the outbox's table exists only where delivery is on
	if err := h.db.NewRaw(`SELECT to_regclass('river_job') IS NOT NULL`).Scan(ctx, &queue); err != nil {
		t.Fatal(err)
	}
	if queue {
		if err := h.db.NewRaw(`SELECT coalesce(string_agg(id || ':' || state, ',' ORDER BY id), '') FROM river_job`).Scan(ctx, &s.jobs); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestAdminRoutesRefuseWithoutPermission walks every registered admin
// route: an anonymous visitor is sent to sign in, a signed-in user without
// the permission gets 403, and neither changes anything. The support role
// is refused the permissions it does not hold.
func TestAdminRoutesRefuseWithoutPermission(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true, codes: true})
	target := h.signupOn(uaFirefoxWindows, "target@example.com")
	targetID := userIDOf(t, h, "target@example.com")
	_, list := h.devices(target)
	plain := h.signupOn(uaFirefoxWindows, "plain@example.com")
	support := h.signupOn(uaFirefoxWindows, "support@example.com")
	grant(t, h, "support@example.com", roles.Support)
	if _, err := h.db.ExecContext(context.Background(), "INSERT INTO user_roles (app_id, user_id, role) VALUES (?, ?, 'support')", h.appID, targetID); err != nil {
		t.Fatal(err)
	}

	table := adminRoutes(targetID, list[0].publicID)
	var want []string
	for _, r := range table {
		want = append(want, r.method+" "+r.pattern)
	}
	srv := web.New(h.deps)
	srv.Handler()
	got := srv.AdminRoutes()
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Fatalf("admin routes registered:\n%v\nlisted in this test:\n%v\n(every admin route needs a row here)", got, want)
	}

	// Let the signup codes' deliveries finish, so the outbox holds still.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var busy int
		if err := h.db.NewRaw("SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded')").Scan(context.Background(), &busy); err != nil {
			t.Fatal(err)
		}
		if busy == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the outbox did not settle")
		}
	}
	before := stateOf(t, h, targetID)
	supportMay := map[string]bool{roles.UsersRead: true, roles.SessionsRevoke: true, roles.UsersVerify: true, roles.AuditRead: true,
		roles.OutboxRead: true, roles.LimitsRead: true}
	for _, r := range table {
		anon := r.request(t, h, h.browser())
		if anon.status != http.StatusSeeOther || !strings.HasPrefix(anon.header.Get("Location"), "/login") {
			t.Errorf("%s %s anonymous: %d %q, want 303 to /login", r.method, r.pattern, anon.status, anon.header.Get("Location"))
		}
		if got := r.request(t, h, plain); got.status != http.StatusForbidden || !strings.Contains(got.body, msg(messages.Forbidden)) {
			t.Errorf("%s %s without permission: %d, want 403 with the written refusal", r.method, r.pattern, got.status)
		}
		if !supportMay[r.perm] {
			if got := r.request(t, h, support); got.status != http.StatusForbidden {
				t.Errorf("%s %s as support (no %s): %d, want 403", r.method, r.pattern, r.perm, got.status)
			}
		}
	}
	if after := stateOf(t, h, targetID); after != before {
		t.Fatalf("refused requests changed the target: %+v → %+v", before, after)
	}
	if !h.signedIn(target) {
		t.Fatal("the target was signed out by a refused request")
	}
}

// TestAdminActionsNeedAFreshProof: an administrator whose proof of
// identity is older than the window is sent to confirm it is them, and
// the action waits; reading pages does not need it.
func TestAdminActionsNeedAFreshProof(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true})
	h.signupOn(uaFirefoxWindows, "target@example.com")
	targetID := userIDOf(t, h, "target@example.com")
	ops := h.signupOn(uaFirefoxWindows, "ops@example.com")
	grant(t, h, "ops@example.com", roles.Admin)
	h.clock.Advance(web.ReauthWindow + time.Minute)
	if r := h.get(ops, pages.AdminUserPath(targetID.String())); r.status != http.StatusOK {
		t.Fatalf("user page with a stale proof: %d", r.status)
	}
	before := stateOf(t, h, targetID)
	r := h.post(ops, pages.AdminSuspendPath, url.Values{pages.AdminUserField: {targetID.String()}})
	wantLoc := pages.ReauthPath + "?next=" + url.QueryEscape(pages.AdminUserPath(targetID.String()))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != wantLoc {
		t.Fatalf("suspend with a stale proof: %d %q, want 303 to %q", r.status, r.header.Get("Location"), wantLoc)
	}
	if after := stateOf(t, h, targetID); after != before {
		t.Fatalf("a stale proof changed the target: %+v → %+v", before, after)
	}
	if r := h.post(ops, pages.ReauthPath, url.Values{"password": {devicesPassword}, pages.NextField: {pages.AdminUserPath(targetID.String())}}); r.status != http.StatusSeeOther {
		t.Fatalf("re-authentication: %d", r.status)
	}
	if r := h.post(ops, pages.AdminSuspendPath, url.Values{pages.AdminUserField: {targetID.String()}}); r.status != http.StatusSeeOther ||
		r.header.Get("Location") != pages.AdminUserPath(targetID.String())+"?done=suspended" {
		t.Fatalf("suspend after re-authentication: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestRoleRevocationTakesEffectOnTheNextRequest: the permission is read
// from the database on every request, so a revoked admin is refused at
// once, with no sign-out needed; the next token refresh drops the role
// from the access token's roles claim.
func TestRoleRevocationTakesEffectOnTheNextRequest(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true})
	ops := h.signupOn(uaFirefoxWindows, "ops@example.com")
	opsID := grant(t, h, "ops@example.com", roles.Admin)
	if r := h.get(ops, pages.AdminPath); r.status != http.StatusOK {
		t.Fatalf("GET /admin as admin: %d", r.status)
	}
	tokenRoles := func(access string) []string {
		t.Helper()
		c, err := h.tok.ring.Verify(context.Background(), access)
		if err != nil {
			t.Fatal(err)
		}
		return c.Roles
	}
	app := h.apiLogin("ops@example.com", devicesPassword, uaCLI)
	if got := tokenRoles(app.AccessToken); !slices.Equal(got, []string{roles.Admin}) {
		t.Fatalf("access token roles = %v, want [admin]", got)
	}
	if err := h.roles.Revoke(auth.WithActor(context.Background(), "cli"), h.appID, opsID, roles.Admin); err != nil {
		t.Fatal(err)
	}
	if r := h.get(ops, pages.AdminPath); r.status != http.StatusForbidden {
		t.Fatalf("GET /admin the request after the revoke: %d, want 403", r.status)
	}
	if r := h.post(ops, pages.AdminSuspendPath, url.Values{pages.AdminUserField: {opsID.String()}}); r.status != http.StatusForbidden {
		t.Fatalf("POST suspend after the revoke: %d, want 403", r.status)
	}
	next := h.refresh(app.RefreshToken)
	if next.status != http.StatusOK {
		t.Fatalf("refresh: %d %s", next.status, next.body)
	}
	if got := tokenRoles(next.AccessToken); len(got) != 0 {
		t.Fatalf("access token roles after the revoke and a refresh = %v, want none", got)
	}
	e := lastEvent(t, h, "role.revoke")
	if e.Detail["role"] != roles.Admin || e.Detail["actor"] != "cli" || e.UserID == nil || *e.UserID != opsID {
		t.Fatalf("role.revoke event = %+v", e)
	}
}

// activityLines is the user's security activity page, as text.
func activityLines(t *testing.T, h *harness, c *http.Client) string {
	t.Helper()
	r := h.get(c, pages.ActivityPath)
	if r.status != http.StatusOK {
		t.Fatalf("GET activity: %d", r.status)
	}
	return r.body
}

// TestAdminSuspendUnsuspendDelete drives the account actions over HTTP:
// suspending signs the user out everywhere at once (browser and API
// client), the audit events carry the actor, the user reads it in plain
// words, unsuspending lets them back in, and deleting follows the
// self-service grace period.
func TestAdminSuspendUnsuspendDelete(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true})
	target := h.signupOn(uaFirefoxWindows, "target@example.com")
	targetID := userIDOf(t, h, "target@example.com")
	app := h.apiLogin("target@example.com", devicesPassword, uaFirefoxWindows)
	ops := h.signupOn(uaFirefoxWindows, "ops@example.com")
	opsID := grant(t, h, "ops@example.com", roles.Admin)
	form := url.Values{pages.AdminUserField: {targetID.String()}}

	if r := h.post(ops, pages.AdminSuspendPath, url.Values{pages.AdminUserField: {opsID.String()}}); r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.AdminNotYourself)) {
		t.Fatalf("suspending oneself: %d", r.status)
	}
	if r := h.post(ops, pages.AdminSuspendPath, form); r.status != http.StatusSeeOther {
		t.Fatalf("suspend: %d %s", r.status, r.body)
	}
	if h.signedIn(target) {
		t.Fatal("the suspended user's browser is still signed in")
	}
	if _, err := h.tok.flows.RefreshGrant(context.Background(), h.appID, app.RefreshToken); err == nil {
		t.Fatal("the suspended user's API client still refreshes")
	}
	page := h.get(ops, pages.AdminUserPath(targetID.String())+"?done=suspended")
	if !strings.Contains(page.body, msg(messages.AdminSuspended)) || !strings.Contains(page.body, msg(messages.AdminStatusSuspended)) {
		t.Fatalf("user page after suspend lacks the notice or status: %s", page.body)
	}
	st := lastEvent(t, h, "user.status")
	if st.Detail["actor"] != opsID.String() || st.Detail["status"] != "suspended" {
		t.Fatalf("user.status event = %+v, want the actor", st)
	}
	if r := h.post(h.browser(), "/login", creds("target@example.com", devicesPassword)); r.status == http.StatusSeeOther && r.header.Get("Location") == "/account" {
		t.Fatal("a suspended user signed in")
	}

	if r := h.post(ops, pages.AdminUnsuspendPath, form); r.status != http.StatusSeeOther {
		t.Fatalf("unsuspend: %d", r.status)
	}
	back := h.loginOn(uaFirefoxWindows, "target@example.com")
	lines := activityLines(t, h, back)
	for _, k := range []messages.Key{messages.ActivityAdminSuspended, messages.ActivityAdminUnsuspended, messages.ActivityAdminSignedOutAll} {
		if !strings.Contains(lines, msg(k)) {
			t.Errorf("the user's activity lacks %q", messages.Text(k))
		}
	}

	if r := h.post(ops, pages.AdminDeletePath, form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg(messages.AdminUnconfirmed)) {
		t.Fatalf("delete without the confirmation: %d", r.status)
	}
	form.Set(pages.AdminConfirmField, "1")
	if r := h.post(ops, pages.AdminDeletePath, form); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	if h.signedIn(back) {
		t.Fatal("the deleted user is still signed in")
	}
	var status string
	var purgeAfter *time.Time
	if err := h.db.NewRaw("SELECT status, purge_after FROM users WHERE id = ?", targetID).Scan(context.Background(), &status, &purgeAfter); err != nil {
		t.Fatal(err)
	}
	if status != "deleted" || purgeAfter == nil || purgeAfter.Sub(h.clock.Now()) < 13*24*time.Hour {
		t.Fatalf("after delete: status %q purge_after %v, want deleted with the grace period", status, purgeAfter)
	}
	if d := lastEvent(t, h, "account.delete"); d.Detail["actor"] != opsID.String() {
		t.Fatalf("account.delete event = %+v, want the actor", d)
	}
	// Signing in during the grace period restores it, as after a
	// self-service deletion.
	restored := h.loginOn(uaFirefoxWindows, "target@example.com")
	if !strings.Contains(activityLines(t, h, restored), msg(messages.ActivityAdminDeleted)) {
		t.Fatal("the user's activity does not say an administrator deleted the account")
	}
}

// TestAdminSessionsAndRoles signs out one session and all, and grants and
// revokes a role, from the console.
func TestAdminSessionsAndRoles(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true})
	first := h.signupOn(uaFirefoxWindows, "target@example.com")
	second := h.loginOn(uaChromeAndroid, "target@example.com")
	targetID := userIDOf(t, h, "target@example.com")
	ops := h.signupOn(uaFirefoxWindows, "ops@example.com")
	grant(t, h, "ops@example.com", roles.Admin)
	_, list := h.devices(first)
	other := ""
	for _, d := range list {
		if !d.current {
			other = d.publicID
		}
	}
	form := url.Values{pages.AdminUserField: {targetID.String()}, pages.AdminSessionField: {other}}
	if r := h.post(ops, pages.AdminSignOutPath, form); r.status != http.StatusSeeOther {
		t.Fatalf("sign out one: %d %s", r.status, r.body)
	}
	if h.signedIn(second) || !h.signedIn(first) {
		t.Fatal("signing out one session did not end exactly that one")
	}
	if r := h.post(ops, pages.AdminSignOutPath, form); r.status != http.StatusNotFound || !strings.Contains(r.body, msg(messages.AdminNoSuchSession)) {
		t.Fatalf("signing out an ended session: %d", r.status)
	}
	if r := h.post(ops, pages.AdminSignOutAllPath, form); r.status != http.StatusSeeOther || h.signedIn(first) {
		t.Fatalf("sign out everywhere: %d", r.status)
	}

	grantForm := url.Values{pages.AdminUserField: {targetID.String()}, pages.AdminRoleField: {roles.Support}}
	if r := h.post(ops, pages.AdminRoleGrantPath, grantForm); r.status != http.StatusSeeOther {
		t.Fatalf("grant: %d", r.status)
	}
	if got, _ := h.roles.Roles(context.Background(), targetID); !slices.Equal(got, []string{roles.Support}) {
		t.Fatalf("roles after grant = %v", got)
	}
	for _, bad := range []string{"", "ghost", "Admin", strings.Repeat("a", 100), "<script>"} {
		if r := h.post(ops, pages.AdminRoleGrantPath, url.Values{pages.AdminUserField: {targetID.String()}, pages.AdminRoleField: {bad}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("grant %q: %d, want 422", bad, r.status)
		}
	}
	if r := h.post(ops, pages.AdminRoleRevokePath, grantForm); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if got, _ := h.roles.Roles(context.Background(), targetID); len(got) != 0 {
		t.Fatalf("roles after revoke = %v", got)
	}
	if e := lastEvent(t, h, "role.revoke"); e.Detail["actor"] == "" {
		t.Fatalf("role.revoke from the console has no actor: %+v", e)
	}
	again := h.loginOn(uaFirefoxWindows, "target@example.com")
	lines := activityLines(t, h, again)
	for _, k := range []messages.Key{messages.ActivityAdminSignedOut, messages.ActivityAdminSignedOutAll, messages.ActivityAdminRoleGranted, messages.ActivityAdminRoleRevoked} {
		if !strings.Contains(lines, msg(k)) {
			t.Errorf("the user's activity lacks %q", messages.Text(k))
		}
	}
}

// TestAdminHostileInput: oversized and duplicated search strings, bad
// ids, duplicated form fields and a CSV-injection payload in the audit
// export.
func TestAdminHostileInput(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true})
	h.signupOn("=HYPERLINK(\"http://evil.example\",\"x\")", "target@example.com")
	targetID := userIDOf(t, h, "target@example.com")
	ops := h.signupOn(uaFirefoxWindows, "ops@example.com")
	grant(t, h, "ops@example.com", roles.Admin)

	if r := h.get(ops, pages.AdminPath+"?q="+strings.Repeat("a", 5000)); r.status != http.StatusBadRequest || !strings.Contains(r.body, msg(messages.AdminSearchTooLong)) {
		t.Fatalf("oversized search: %d", r.status)
	}
	if r := h.get(ops, pages.AdminPath+"?q=a&q=b"); r.status != http.StatusBadRequest {
		t.Fatalf("duplicated search: %d", r.status)
	}
	for _, q := range []string{"%", "_", "\\", "' OR 1=1 --", "\x00", "\xff\xfe"} {
		r := h.get(ops, pages.AdminPath+"?q="+url.QueryEscape(q))
		if r.status >= 500 || strings.Contains(r.body, "target@example.com") {
			t.Errorf("search %q: %d, found the target: %v", q, r.status, strings.Contains(r.body, "target@example.com"))
		}
	}
	for _, q := range []string{"TARGET@", targetID.String()} {
		if r := h.get(ops, pages.AdminPath+"?q="+url.QueryEscape(q)); r.status != http.StatusOK || !strings.Contains(r.body, "target@example.com") {
			t.Errorf("search %q: %d, target not found", q, r.status)
		}
	}
	for _, p := range []string{"/admin/users/not-a-uuid", "/admin/users/" + uuid.NewString(), "/admin/users/%00"} {
		if r := h.get(ops, p); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.status)
		}
	}
	before := stateOf(t, h, targetID)
	for _, body := range []string{
		"user=not-a-uuid",
		"user=" + uuid.NewString(),
		"user=" + targetID.String() + "&user=" + targetID.String(),
		"user=" + targetID.String() + "&confirm=1&confirm=1",
	} {
		r := h.postRaw(ops, pages.AdminDeletePath, body, "Content-Type", "application/x-www-form-urlencoded")
		if r.status != http.StatusBadRequest && r.status != http.StatusNotFound {
			t.Errorf("delete with %q: %d, want 400 or 404", body, r.status)
		}
	}
	if after := stateOf(t, h, targetID); after != before {
		t.Fatalf("hostile posts changed the target: %+v → %+v", before, after)
	}
	for _, q := range []string{"user=nope", "kind=DROP%20TABLE", "from=yesterday", "to=2026-13-40", "before=-1", "kind=a&kind=b"} {
		if r := h.get(ops, pages.AdminAuditPath+"?"+q); r.status != http.StatusBadRequest || !strings.Contains(r.body, msg(messages.AdminFilterBad)) {
			t.Errorf("audit filter %q: %d", q, r.status)
		}
	}

	r := h.post(ops, pages.AdminAuditExportPath, url.Values{pages.AdminFilterUserField: {targetID.String()}})
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %q %q", r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("export is not CSV with rows: %v (%d rows)", err, len(rows))
	}
	for _, row := range rows[1:] {
		if row[2] != targetID.String() {
			t.Fatalf("export row of another user: %v", row)
		}
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Fatalf("export cell %q would run as a formula", cell)
			}
		}
	}
	if !strings.Contains(r.body, `'=HYPERLINK(`) {
		t.Fatalf("the hostile user agent is not in the export, quoted: %s", r.body)
	}
	if e := lastEvent(t, h, "admin.audit_export"); e.Detail["actor"] == "" {
		t.Fatalf("the export is not audited with its actor: %+v", e)
	}
}

// dbUsers finds accounts by email, for the admin command.
func dbUsers(h *harness) roles.Users { return db.NewUsers(h.db) }

// TestAdminResendVerificationAndRemoveAuthenticator: the console sends a
// new verification code within the same send budget as the owner's own
// resend, and removes an authenticator app only with a written reason,
// audited with the actor; the owner reads both in their activity.
func TestAdminResendVerificationAndRemoveAuthenticator(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true, codes: true, twoFactor: true})
	ctx := context.Background()
	// An account whose address is not verified (made before verify-first
	// signup, as an import would).
	unverified := uuid.Must(uuid.NewV7())
	if _, err := h.db.ExecContext(ctx, "INSERT INTO users (id, app_id) VALUES (?, ?)", unverified, h.appID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.ExecContext(ctx, "INSERT INTO identities (id, app_id, user_id, kind, value) VALUES (?, ?, ?, 'email', 'new@example.com')", uuid.Must(uuid.NewV7()), h.appID, unverified); err != nil {
		t.Fatal(err)
	}
	target := h.signup("target@example.com", devicesPassword)
	targetID := userIDOf(t, h, "target@example.com")
	h.enrolTOTP(t, target)
	ops := h.signup("ops@example.com", devicesPassword)
	grant(t, h, "ops@example.com", roles.Admin)

	if r := h.post(ops, pages.AdminVerifyResendPath, url.Values{pages.AdminUserField: {unverified.String()}}); r.status != http.StatusSeeOther {
		t.Fatalf("resend verification: %d %s", r.status, r.body)
	}
	h.awaitMail(t, "new@example.com", "verify_email")
	if e := lastEvent(t, h, "code.send"); e.Detail["actor"] == "" {
		t.Fatalf("the code.send of the console has no actor: %+v", e)
	}
	if r := h.post(ops, pages.AdminVerifyResendPath, url.Values{pages.AdminUserField: {targetID.String()}}); r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.AdminAlreadyVerified)) {
		t.Fatalf("resend to a verified address: %d", r.status)
	}

	page := h.get(ops, pages.AdminUserPath(targetID.String()))
	if !strings.Contains(page.body, msg(messages.AdminAuthenticatorOn)) {
		t.Fatal("the user page does not say an authenticator app is set up")
	}
	remove := url.Values{pages.AdminUserField: {targetID.String()}}
	for _, reason := range []string{"", "   ", strings.Repeat("x", 501)} {
		remove.Set(pages.AdminReasonField, reason)
		if r := h.post(ops, pages.AdminFactorRemovePath, remove); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg(messages.AdminReasonRequired)) {
			t.Fatalf("remove with reason %q: %d", reason, r.status)
		}
	}
	remove.Set(pages.AdminReasonField, "Called back the number on file; matched the ID document")
	if r := h.post(ops, pages.AdminFactorRemovePath, remove); r.status != http.StatusSeeOther {
		t.Fatalf("remove the authenticator: %d %s", r.status, r.body)
	}
	if r := h.post(ops, pages.AdminFactorRemovePath, remove); r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.AdminNoFactor)) {
		t.Fatalf("removing it twice: %d", r.status)
	}
	e := lastEvent(t, h, "admin.factor_remove")
	if e.Detail["actor"] == "" || !strings.HasPrefix(e.Detail["reason"], "Called back") {
		t.Fatalf("admin.factor_remove event = %+v", e)
	}
	// The owner signs in with the password alone now.
	again := h.loginOn(uaFirefoxWindows, "target@example.com")
	if !strings.Contains(activityLines(t, h, again), msg(messages.ActivityAdminFactorRemoved)) {
		t.Fatal("the owner's activity does not say an administrator removed the authenticator app")
	}
}

// TestAdminOutboxAndLimits: the outbox lists waiting and failed messages
// (recipients masked, never a body), retries a failed one (it is
// delivered again) and cancels a waiting one; the limits page shows a
// limit that guessing tripped, with the account's address masked.
func TestAdminOutboxAndLimits(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{admin: true, codes: true})
	ctx := context.Background()
	ops := h.signup("ops@example.com", devicesPassword)
	grant(t, h, "ops@example.com", roles.Admin)
	h.signup("victim@example.com", devicesPassword)
	var sent int64
	for deadline := time.Now().Add(10 * time.Second); sent == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the victim's signup code was not delivered")
		}
		_ = h.db.NewRaw("SELECT id FROM river_job WHERE args->>'to' = 'victim@example.com' AND state = 'completed' ORDER BY id LIMIT 1").Scan(ctx, &sent)
	}
	// As if its last attempt had failed.
	if _, err := h.db.ExecContext(ctx, "UPDATE river_job SET state = 'discarded', finalized_at = now() WHERE id = ?", sent); err != nil {
		t.Fatal(err)
	}
	page := h.get(ops, pages.AdminOutboxPath+"?state=failed")
	if page.status != http.StatusOK || !strings.Contains(page.body, `data-testid="admin-job-retry"`) || strings.Contains(page.body, "victim@example.com") {
		t.Fatalf("failed outbox: %d, retry offered %v, address unmasked %v", page.status,
			strings.Contains(page.body, `data-testid="admin-job-retry"`), strings.Contains(page.body, "victim@example.com"))
	}
	id := url.Values{pages.AdminJobField: {fmt.Sprint(sent)}}
	if r := h.post(ops, pages.AdminOutboxCancelPath, id); r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.AdminOutboxWrongState)) {
		t.Fatalf("cancelling a failed message: %d", r.status)
	}
	before := len(mailTo(t, h, "victim@example.com"))
	if r := h.post(ops, pages.AdminOutboxRetryPath, id); r.status != http.StatusSeeOther {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(mailTo(t, h, "victim@example.com")) == before {
		if time.Now().After(deadline) {
			t.Fatal("the retried message was not delivered again")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := h.post(ops, pages.AdminOutboxRetryPath, id); r.status != http.StatusConflict {
		t.Fatalf("retrying a delivered message: %d, want 409 (never sent twice)", r.status)
	}
	for _, bad := range []string{"0", "-1", "abc", "99999999"} {
		if r := h.post(ops, pages.AdminOutboxRetryPath, url.Values{pages.AdminJobField: {bad}}); r.status != http.StatusNotFound {
			t.Errorf("retry job %q: %d, want 404", bad, r.status)
		}
	}
	// A message waiting for later is cancelled.
	if _, err := h.db.ExecContext(ctx, "UPDATE river_job SET state = 'scheduled', scheduled_at = now() + interval '1 hour', finalized_at = NULL WHERE id = ?", sent); err != nil {
		t.Fatal(err)
	}
	if r := h.post(ops, pages.AdminOutboxCancelPath, id); r.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	var state string
	if err := h.db.NewRaw("SELECT state FROM river_job WHERE id = ?", sent).Scan(ctx, &state); err != nil || state != "cancelled" {
		t.Fatalf("state after cancel = %q %v", state, err)
	}
	if e := lastEvent(t, h, "admin.outbox_cancel"); e.Detail["actor"] == "" || e.Detail["job"] != fmt.Sprint(sent) {
		t.Fatalf("admin.outbox_cancel event = %+v", e)
	}

	// Guessing the victim's password until the guard refuses.
	guesser := h.browser()
	refused := false
	for i := 0; i < 60 && !refused; i++ {
		refused = h.post(guesser, "/login", creds("victim@example.com", fmt.Sprintf("wrong guess %d", i))).status == http.StatusTooManyRequests
	}
	if !refused {
		t.Fatal("the guard never refused the guesses")
	}
	limits := h.get(ops, pages.AdminLimitsPath)
	if limits.status != http.StatusOK || !strings.Contains(limits.body, `data-testid="admin-limit"`) || strings.Contains(limits.body, "victim@example.com") {
		t.Fatalf("limits page: %d, lists a limit %v, address unmasked %v", limits.status,
			strings.Contains(limits.body, `data-testid="admin-limit"`), strings.Contains(limits.body, "victim@example.com"))
	}
}

// mailTo lists the messages the mailbox holds for addr.
func mailTo(t *testing.T, h *harness, addr string) []string {
	t.Helper()
	msgs, err := h.mailbox.List(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if m.To == addr {
			out = append(out, m.Purpose)
		}
	}
	return out
}

// TestAdminRequirePasswordReset: the password stops working at once and
// every session ends; the owner sets a new one through "forgot password"
// and reads what happened. An account with no verified address or number
// keeps its password (it would be locked out).
func TestAdminRequirePasswordReset(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{admin: true})
	ctx := context.Background()
	target := h.signup("target@example.com", resetOld)
	targetID := userIDOf(t, h, "target@example.com")
	ops := h.signup("ops@example.com", resetOld)
	grant(t, h, "ops@example.com", roles.Admin)
	if r := h.get(ops, pages.AdminUserPath(targetID.String())); !strings.Contains(r.body, `data-testid="admin-require-password-reset"`) {
		t.Fatal("the user page does not offer to require a new password")
	}
	form := url.Values{pages.AdminUserField: {targetID.String()}}
	if r := h.post(ops, pages.AdminPasswordResetPath, form); r.status != http.StatusSeeOther {
		t.Fatalf("require a reset: %d %s", r.status, r.body)
	}
	if h.signedIn(target) {
		t.Fatal("the user is still signed in")
	}
	if r := h.post(h.browser(), "/login", creds("target@example.com", resetOld)); r.status == http.StatusSeeOther {
		t.Fatal("the removed password still signs in")
	}
	if r := h.post(ops, pages.AdminPasswordResetPath, form); r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.AdminNoPassword)) {
		t.Fatalf("requiring it twice: %d", r.status)
	}
	c := h.browser()
	if r := h.forgot(t, c, "target@example.com"); r.status != http.StatusOK {
		t.Fatalf("forgot: %d", r.status)
	}
	code, _ := h.awaitReset(t, "target@example.com")
	if r := h.post(c, "/password/forgot/code", url.Values{"identity": {"target@example.com"}, "code": {code}, "password": {resetNew}}); r.status != http.StatusSeeOther {
		t.Fatalf("reset by code: %d %s", r.status, r.body)
	}
	back := h.browser()
	if r := h.post(back, "/login", creds("target@example.com", resetNew)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("login with the new password: %d %q", r.status, r.header.Get("Location"))
	}
	if !strings.Contains(activityLines(t, h, back), msg(messages.ActivityAdminPasswordReset)) {
		t.Fatal("the owner's activity does not say an administrator asked for a new password")
	}

	// An imported account whose address was never verified.
	lone := uuid.Must(uuid.NewV7())
	if _, err := h.db.ExecContext(ctx, "INSERT INTO users (id, app_id) VALUES (?, ?)", lone, h.appID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.ExecContext(ctx, "INSERT INTO identities (id, app_id, user_id, kind, value) VALUES (?, ?, ?, 'email', 'lone@example.com')", uuid.Must(uuid.NewV7()), h.appID, lone); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.ExecContext(ctx, "INSERT INTO password_credentials (user_id, hash) VALUES (?, '$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA')", lone); err != nil {
		t.Fatal(err)
	}
	if r := h.post(ops, pages.AdminPasswordResetPath, url.Values{pages.AdminUserField: {lone.String()}}); r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.AdminNoWayToReset)) {
		t.Fatalf("an account with nothing verified: %d", r.status)
	}
	var n int
	if err := h.db.NewRaw("SELECT count(*) FROM password_credentials WHERE user_id = ?", lone).Scan(ctx, &n); err != nil || n != 1 {
		t.Fatalf("the lone account's password was removed: %d %v", n, err)
	}
}

// TestAdminActsOnlyInItsApp: an administrator of one app, at that app's
// host, acts on that app's accounts and on no other's. The user page is
// a 404 for another app's account, and so is every action on it; the
// same action on an account of its own app is done.
func TestAdminActsOnlyInItsApp(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{multiApp: true, admin: true})
	ctx := context.Background()
	shop, err := apps.New(apps.Input{Slug: "shop", Name: "Shop", PublicURL: "http://shop.localhost"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.NewApps(h.db).CreateApp(ctx, shop); err != nil {
		t.Fatal(err)
	}
	const host = "shop.localhost"
	// signupAt signs up at shop's host, code step included, and returns
	// the signed-in session's Cookie header.
	signupAt := func(email, password string) string {
		jar := map[string]string{}
		keep := func(r tokenReply) {
			for _, ck := range r.header.Values("Set-Cookie") {
				name, value, _ := strings.Cut(strings.SplitN(ck, ";", 2)[0], "=")
				jar[name] = value
			}
		}
		cookie := func() string {
			var c string
			for name, value := range jar {
				c += name + "=" + value + "; "
			}
			return c
		}
		r := h.onHost(h.browser(), host, http.MethodPost, "/signup", creds(email, password))
		if r.status != http.StatusOK {
			t.Fatalf("signup of %s at shop: %d %s", email, r.status, r.body)
		}
		keep(r)
		r = h.onHost(h.browser(), host, http.MethodPost, pages.SignupVerifyPath, url.Values{"email": {email},
			pages.CodeFieldName: {h.awaitSignupCode(email)}, pages.SignupIDField: {signupID(t, r.body)}}, "Cookie", cookie())
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
			t.Fatalf("signup code of %s at shop: %d %q", email, r.status, r.header.Get("Location"))
		}
		keep(r)
		return cookie()
	}
	ops := signupAt("ops@example.com", resetOld)
	var out strings.Builder
	if err := h.roles.Command(ctx, dbUsers(h), shop.ID, []string{"grant", "ops@example.com", roles.Admin}, &out); err != nil {
		t.Fatalf("grant admin at shop: %v", err)
	}
	// An account of the default app, and one of shop's.
	home := h.signup("home@example.com", resetOld)
	homeID := userIDOf(t, h, "home@example.com")
	signupAt("customer@example.com", resetOld)
	var customerID uuid.UUID
	if err := h.db.NewSelect().TableExpr("identities").Column("user_id").
		Where("app_id = ? AND kind = 'email' AND value = 'customer@example.com'", shop.ID).Scan(ctx, &customerID); err != nil {
		t.Fatal(err)
	}

	_, list := h.devices(home)
	before := stateOf(t, h, homeID)
	tried := 0
	for _, r := range adminRoutes(homeID, list[0].publicID) {
		if r.form.Get(pages.AdminUserField) == "" && r.pattern != pages.AdminUserPattern {
			continue // not about one account
		}
		tried++
		path := cmp.Or(r.path, r.pattern)
		if got := h.onHost(h.browser(), host, r.method, path, r.form, "Cookie", ops); got.status != http.StatusNotFound {
			t.Errorf("shop's administrator: %s %s for the default app's account: %d, want 404", r.method, r.pattern, got.status)
		}
	}
	if tried < 11 {
		t.Fatalf("%d routes about one account tried, want every one", tried)
	}
	// The outbox delivers the signup codes meanwhile: its jobs are not
	// the account's.
	after := stateOf(t, h, homeID)
	after.jobs, before.jobs = "", ""
	if after != before {
		t.Errorf("the default app's account changed: %+v, was %+v", after, before)
	}
	if !h.signedIn(home) {
		t.Error("the default app's account was signed out by shop's administrator")
	}
	if r := h.post(h.browser(), "/login", creds("home@example.com", resetOld)); r.status != http.StatusSeeOther {
		t.Errorf("the default app's password no longer signs in: %d", r.status)
	}

	r := h.onHost(h.browser(), host, http.MethodPost, pages.AdminPasswordResetPath, url.Values{pages.AdminUserField: {customerID.String()}}, "Cookie", ops)
	if r.status != http.StatusSeeOther {
		t.Fatalf("shop's administrator requires a new password of shop's customer: %d %s", r.status, r.body)
	}
	if l := h.onHost(h.browser(), host, http.MethodPost, "/login", creds("customer@example.com", resetOld)); l.status == http.StatusSeeOther {
		t.Error("the customer's removed password still signs in at shop")
	}
}
