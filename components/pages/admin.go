package pages

import (
	"context"
	"strings"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// Paths of the admin console. Every action is a POST naming the user in
// AdminUserField, so each has one entry in the route guard table.
const (
	AdminPath              = "/admin"
	AdminUserPattern       = "/admin/users/{id}"
	AdminAuditPath         = "/admin/audit"
	AdminAuditExportPath   = "/admin/audit/export"
	AdminSuspendPath       = "/admin/suspend"
	AdminUnsuspendPath     = "/admin/unsuspend"
	AdminDeletePath        = "/admin/delete"
	AdminSignOutPath       = "/admin/sign-out"
	AdminSignOutAllPath    = "/admin/sign-out-everywhere"
	AdminVerifyResendPath  = "/admin/resend-verification"
	AdminFactorRemovePath  = "/admin/remove-authenticator"
	AdminPasswordResetPath = "/admin/require-password-reset"
	AdminRoleGrantPath     = "/admin/roles/grant"
	AdminRoleRevokePath    = "/admin/roles/revoke"
	AdminOutboxPath        = "/admin/outbox"
	AdminOutboxRetryPath   = "/admin/outbox/retry"
	AdminOutboxCancelPath  = "/admin/outbox/cancel"
	AdminLimitsPath        = "/admin/limits"
	AdminAppsPath          = "/admin/apps"
	AdminAppCreatePath     = "/admin/apps/create"
	AdminAppRenamePath     = "/admin/apps/rename"
	AdminAppSlugField      = "slug"
	AdminAppNameField      = "name"
	AdminAppURLField       = "url"
	AdminAppBrandField     = "brand"
	AdminAppOriginsField   = "redirect_origins"
	AdminJobField          = "job"
	AdminSearchField       = "q"
	AdminUserField         = "user"
	AdminSessionField      = "session"
	AdminReasonField       = "reason"
	AdminRoleField         = "role"
	AdminConfirmField      = "confirm"
	AdminFilterUserField   = "user"
	AdminFilterKindField   = "kind"
	AdminFilterFromField   = "from"
	AdminFilterToField     = "to"
	AdminFilterBeforeField = "before"
)

// AdminUserPath is the page of the user with id.
func AdminUserPath(id string) string { return "/admin/users/" + id }

// AdminNav says which console links to show.
type AdminNav struct {
	Audit  bool // audit.read
	Outbox bool // outbox.read
	Limits bool // limits.read
	Apps   bool // apps.manage
	// Current is the path of the page shown: its link carries
	// aria-current="page".
	Current string
}

// current reports whether the link to path is the page shown (a user's
// page is under the users' link): it carries aria-current="page".
func (n AdminNav) current(path string) bool {
	return n.Current == path || (path == AdminPath && strings.HasPrefix(n.Current, "/admin/users/"))
}

// AdminApps is the apps page: every app, the form creating one (kept as
// typed when it is refused) and the rename forms.
type AdminApps struct {
	Nav     AdminNav
	Off     bool // no app store: apps are managed with the command line only
	Apps    []AdminApp
	Create  AdminAppForm
	Notice  messages.Key
	Problem messages.Key
	// ProblemField is the create form's field Problem is about ("" when
	// it is about none of them, or about a rename).
	ProblemField string
	// RenameSlug is the app whose rename was refused with Problem, and
	// RenameName the name refused.
	RenameSlug, RenameName string
}

// AdminApp is one app as the apps page lists it.
type AdminApp struct {
	Slug, Name, PublicURL, Brand, Audience string
	RedirectOrigins                        []string
	Default                                bool
}

// AdminAppForm is what the create form holds.
type AdminAppForm struct {
	Slug, Name, URL, Brand, Origins string
}

// AdminSearch is the console's first page: the user search.
type AdminSearch struct {
	Nav      AdminNav
	Query    string
	Problem  messages.Key
	Searched bool
	Results  []AdminFound
}

// AdminFound is one user a search found.
type AdminFound struct {
	ID, Email, Phone string
	Status           messages.Key
	Created          string
	CreatedISO       string
}

// AdminUser is a user's page.
type AdminUser struct {
	Nav           AdminNav
	ID            string
	Label         string // the email, the phone, or the id
	Status        messages.Key
	Suspended     bool
	Active        bool
	Created       string
	CreatedISO    string
	Identities    []AdminIdentity
	Sessions      []AdminSession
	APIClients    []AdminSession
	Authenticator bool
	Passkeys      int
	Roles         []string
	Grantable     []string // roles the actor may grant that the user lacks
	Trail         []AdminEvent
	Notice        messages.Key
	Problem       messages.Key
	// Can says which actions the actor holds the permission for.
	Can AdminCan
}

// AdminCan is which of a user page's actions to offer.
type AdminCan struct {
	Suspend, Delete, SignOut, Verify, RemoveFactor, Roles, Audit, ResetPassword bool
}

// AdminIdentity is one way into an account.
type AdminIdentity struct {
	Kind     messages.Key
	Value    string
	Verified bool
}

// AdminSession is a browser session or an API client.
type AdminSession struct {
	PublicID    string
	Label       string
	IP          string
	LastSeen    string
	LastSeenISO string
}

// AdminEvent is one audit event in words for operators.
type AdminEvent struct {
	ID      string
	Time    string
	ISO     string
	Name    string
	Outcome string
	Failure bool
	UserID  string
	IP      string
	Detail  string
}

// AdminAudit is the audit log search.
type AdminAudit struct {
	Nav                  AdminNav
	User, Kind, From, To string
	Problem              messages.Key
	Events               []AdminEvent
	Older                string // the next page's URL, "" at the end
	ExportQuery          string // the filter, for the export form
}

// AdminOutbox lists queued messages: waiting, or failed.
type AdminOutbox struct {
	Nav       AdminNav
	Failed    bool // the failed list, not the waiting one
	Off       bool // no message delivery is configured
	CanManage bool
	Jobs      []AdminJob
	Notice    messages.Key
	Problem   messages.Key
}

// AdminJob is one queued message, never its body.
type AdminJob struct {
	ID, Kind, To, Purpose, State, LastError string
	Attempts                                int
	Created, CreatedISO                     string
	Retry, Cancel                           bool // the actions its state allows
}

// AdminLimits lists the guard limits that were full recently.
type AdminLimits struct {
	Nav    AdminNav
	Limits []AdminLimit
}

// AdminLimit is one full limit.
type AdminLimit struct {
	Policy, Scope, Value, Rate string
	Until, UntilISO            string
}

// createError is the create form's error line for field: the problem when
// it is about that field.
func createError(ctx context.Context, v AdminApps, field string) string {
	if v.ProblemField != field || v.RenameSlug != "" {
		return ""
	}
	return problemText(ctx, v.Problem)
}

// renameError is the rename form's error line of the app with slug.
func renameError(ctx context.Context, v AdminApps, slug string) string {
	if v.RenameSlug != slug {
		return ""
	}
	return problemText(ctx, v.Problem)
}

// renameValue is what the rename field of app a holds: the refused name
// when its rename was refused, else its name.
func renameValue(v AdminApps, a AdminApp) string {
	if v.RenameSlug == a.Slug {
		return v.RenameName
	}
	return a.Name
}

// dashIfEmpty is s, or "none" when s is empty.
func dashIfEmpty(ctx context.Context, s string) string {
	if s == "" {
		return i18n.T(ctx, messages.AdminAppNone)
	}
	return s
}
