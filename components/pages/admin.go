package pages

import "github.com/latch-dev/latch/client/messages"

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
	AdminRoleGrantPath     = "/admin/roles/grant"
	AdminRoleRevokePath    = "/admin/roles/revoke"
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
	Audit bool // audit.read
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
	Suspend, Delete, SignOut, Verify, RemoveFactor, Roles, Audit bool
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
