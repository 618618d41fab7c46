package messages

// The admin console: the user search, a user's page and its actions, the
// audit log, and the words a user's security activity uses for what an
// administrator did to their account.
const (
	AdminTitle               Key = "ui.admin.title"
	AdminNavLabel            Key = "ui.admin.nav"
	AdminNavUsers            Key = "ui.admin.nav_users"
	AdminNavAudit            Key = "ui.admin.nav_audit"
	AdminSearchLabel         Key = "ui.admin.search_label"
	AdminSearchHint          Key = "ui.admin.search_hint"
	AdminSearchSubmit        Key = "ui.admin.search_submit"
	AdminSearchNone          Key = "ui.admin.search_none"
	AdminSearchTooLong       Key = "admin.search_too_long"
	AdminStatusActive        Key = "ui.admin.status_active"
	AdminStatusSuspended     Key = "ui.admin.status_suspended"
	AdminStatusDeleted       Key = "ui.admin.status_deleted"
	AdminUserID              Key = "ui.admin.user_id"
	AdminUserStatus          Key = "ui.admin.user_status"
	AdminUserCreated         Key = "ui.admin.user_created"
	AdminIdentities          Key = "ui.admin.identities"
	AdminKindEmail           Key = "ui.admin.kind_email"
	AdminKindPhone           Key = "ui.admin.kind_phone"
	AdminKindProvider        Key = "ui.admin.kind_provider"
	AdminVerified            Key = "ui.admin.verified"
	AdminUnverified          Key = "ui.admin.unverified"
	AdminResendVerification  Key = "ui.admin.resend_verification"
	AdminFactors             Key = "ui.admin.factors"
	AdminAuthenticatorOn     Key = "ui.admin.authenticator_on"
	AdminAuthenticatorOff    Key = "ui.admin.authenticator_off"
	AdminPasskeys            Key = "ui.admin.passkeys"
	AdminRemoveAuthenticator Key = "ui.admin.remove_authenticator"
	AdminReasonLabel         Key = "ui.admin.reason_label"
	AdminReasonHint          Key = "ui.admin.reason_hint"
	AdminSessions            Key = "ui.admin.sessions"
	AdminNoSessions          Key = "ui.admin.no_sessions"
	AdminAPIClient           Key = "ui.admin.api_client"
	AdminSignOutEverywhere   Key = "ui.admin.sign_out_everywhere"
	AdminRoles               Key = "ui.admin.roles"
	AdminNoRoles             Key = "ui.admin.no_roles"
	AdminRoleLabel           Key = "ui.admin.role_label"
	AdminRoleGrant           Key = "ui.admin.role_grant"
	AdminRoleRevoke          Key = "ui.admin.role_revoke"
	AdminRoleRevokeNamed     Key = "ui.admin.role_revoke_named"
	AdminAccountActions      Key = "ui.admin.account_actions"
	AdminSuspend             Key = "ui.admin.suspend"
	AdminUnsuspend           Key = "ui.admin.unsuspend"
	AdminDelete              Key = "ui.admin.delete"
	AdminDeleteConfirm       Key = "ui.admin.delete_confirm"
	AdminTrail               Key = "ui.admin.trail"
	AdminTrailMore           Key = "ui.admin.trail_more"
	AdminEventsNone          Key = "ui.admin.events_none"
	AdminAuditTitle          Key = "ui.admin.audit_title"
	AdminFilterUser          Key = "ui.admin.filter_user"
	AdminFilterKind          Key = "ui.admin.filter_kind"
	AdminFilterKindHint      Key = "ui.admin.filter_kind_hint"
	AdminFilterFrom          Key = "ui.admin.filter_from"
	AdminFilterTo            Key = "ui.admin.filter_to"
	AdminAuditSubmit         Key = "ui.admin.audit_submit"
	AdminAuditExport         Key = "ui.admin.audit_export"
	AdminFilterBad           Key = "admin.filter_bad"
	AdminNavOutbox           Key = "ui.admin.nav_outbox"
	AdminNavLimits           Key = "ui.admin.nav_limits"
	AdminOutboxTitle         Key = "ui.admin.outbox_title"
	AdminOutboxOff           Key = "ui.admin.outbox_off"
	AdminOutboxWaiting       Key = "ui.admin.outbox_waiting"
	AdminOutboxFailed        Key = "ui.admin.outbox_failed"
	AdminOutboxEmpty         Key = "ui.admin.outbox_empty"
	AdminOutboxAttempts      Key = "ui.admin.outbox_attempts"
	AdminOutboxRetry         Key = "ui.admin.outbox_retry"
	AdminOutboxRetryNamed    Key = "ui.admin.outbox_retry_named"
	AdminOutboxCancel        Key = "ui.admin.outbox_cancel"
	AdminOutboxCancelNamed   Key = "ui.admin.outbox_cancel_named"
	AdminOutboxRetried       Key = "admin.outbox_retried"
	AdminOutboxCancelled     Key = "admin.outbox_cancelled"
	AdminOutboxNoJob         Key = "admin.outbox_no_job"
	AdminOutboxWrongState    Key = "admin.outbox_wrong_state"
	AdminLimitsTitle         Key = "ui.admin.limits_title"
	AdminLimitsIntro         Key = "ui.admin.limits_intro"
	AdminLimitsNone          Key = "ui.admin.limits_none"
	AdminLimitsUntil         Key = "ui.admin.limits_until"

	AdminRequirePasswordReset     Key = "ui.admin.require_password_reset"
	AdminRequirePasswordResetHint Key = "ui.admin.require_password_reset_hint"
	AdminPasswordResetRequired    Key = "admin.password_reset_required"
	AdminNoPassword               Key = "admin.no_password"
	AdminNoWayToReset             Key = "admin.no_way_to_reset"
	ActivityAdminPasswordReset    Key = "activity.admin.password_reset"
	AdminSuspended                Key = "admin.suspended"
	AdminUnsuspended              Key = "admin.unsuspended"
	AdminDeleted                  Key = "admin.deleted"
	AdminSignedOut                Key = "admin.signed_out"
	AdminSignedOutAll             Key = "admin.signed_out_all"
	AdminVerificationSent         Key = "admin.verification_sent"
	AdminAlreadyVerified          Key = "admin.already_verified"
	AdminFactorRemoved            Key = "admin.factor_removed"
	AdminRoleGranted              Key = "admin.role_granted"
	AdminRoleRevoked              Key = "admin.role_revoked"
	AdminReasonRequired           Key = "admin.reason_required"
	AdminNoFactor                 Key = "admin.no_factor"
	AdminNotYourself              Key = "admin.not_yourself"
	AdminUnknownRole              Key = "admin.unknown_role"
	AdminNoSuchSession            Key = "admin.no_such_session"
	AdminUnconfirmed              Key = "admin.unconfirmed"
	AdminUserNotFound             Key = "admin.user_not_found"
	Forbidden                     Key = "forbidden"

	ActivityAdminSuspended     Key = "activity.admin.suspended"
	ActivityAdminUnsuspended   Key = "activity.admin.unsuspended"
	ActivityAdminDeleted       Key = "activity.admin.deleted"
	ActivityAdminSignedOut     Key = "activity.admin.signed_out"
	ActivityAdminSignedOutAll  Key = "activity.admin.signed_out_all"
	ActivityAdminVerification  Key = "activity.admin.verification"
	ActivityAdminFactorRemoved Key = "activity.admin.factor_removed"
	ActivityAdminRoleGranted   Key = "activity.admin.role_granted"
	ActivityAdminRoleRevoked   Key = "activity.admin.role_revoked"
	ActivityAdminOther         Key = "activity.admin.other"
)

var adminCatalog = map[Key]string{
	AdminTitle:               "Users",
	AdminNavLabel:            "Admin console",
	AdminNavUsers:            "Users",
	AdminNavAudit:            "Audit log",
	AdminSearchLabel:         "Find a user",
	AdminSearchHint:          "An email address, a phone number, a user id, or a provider identity such as github:12345. The start of an address or number is enough.",
	AdminSearchSubmit:        "Search",
	AdminSearchNone:          "No user matches that search.",
	AdminSearchTooLong:       "That search is too long. Use at most 320 characters.",
	AdminStatusActive:        "Active",
	AdminStatusSuspended:     "Suspended",
	AdminStatusDeleted:       "Deleted",
	AdminUserID:              "User id",
	AdminUserStatus:          "Status",
	AdminUserCreated:         "Created",
	AdminIdentities:          "Ways in",
	AdminKindEmail:           "Email",
	AdminKindPhone:           "Phone",
	AdminKindProvider:        "Sign-in provider",
	AdminVerified:            "Verified",
	AdminUnverified:          "Not verified",
	AdminResendVerification:  "Send a new verification code",
	AdminFactors:             "Second factors",
	AdminAuthenticatorOn:     "Authenticator app: set up",
	AdminAuthenticatorOff:    "Authenticator app: none",
	AdminPasskeys:            "Passkeys: {count}",
	AdminRemoveAuthenticator: "Remove the authenticator app",
	AdminReasonLabel:         "How you checked who is asking",
	AdminReasonHint:          "Only after an identity check outside this site (a call back to a known number, a document). This is recorded.",
	AdminSessions:            "Sessions and apps",
	AdminNoSessions:          "Not signed in anywhere.",
	AdminAPIClient:           "App or API client",
	AdminSignOutEverywhere:   "Sign out everywhere",
	AdminRoles:               "Roles",
	AdminNoRoles:             "No roles.",
	AdminRoleLabel:           "Role",
	AdminRoleGrant:           "Grant the role",
	AdminRoleRevoke:          "Revoke",
	AdminRoleRevokeNamed:     "Revoke the role {role}",
	AdminAccountActions:      "Account",
	AdminSuspend:             "Suspend the account",
	AdminUnsuspend:           "Unsuspend the account",
	AdminDelete:              "Delete the account",
	AdminDeleteConfirm:       "I understand: the account is signed out now and its data is removed after the grace period, unless its owner signs in before then.",
	AdminTrail:               "Audit trail",
	AdminTrailMore:           "Search this user's whole audit trail",
	AdminEventsNone:          "No events.",
	AdminAuditTitle:          "Audit log",
	AdminFilterUser:          "User id",
	AdminFilterKind:          "Event",
	AdminFilterKindHint:      "An event name such as login, or a prefix ending in a dot such as session.",
	AdminFilterFrom:          "From (UTC)",
	AdminFilterTo:            "Until (UTC, inclusive)",
	AdminAuditSubmit:         "Search the log",
	AdminAuditExport:         "Download as CSV",
	AdminNavOutbox:           "Outbox",
	AdminNavLimits:           "Limits",
	AdminOutboxTitle:         "Outbox",
	AdminOutboxOff:           "No email or SMS delivery is configured, so there is no outbox.",
	AdminOutboxWaiting:       "Waiting",
	AdminOutboxFailed:        "Failed",
	AdminOutboxEmpty:         "No messages here.",
	AdminOutboxAttempts:      "{count} attempt(s)",
	AdminOutboxRetry:         "Send again",
	AdminOutboxRetryNamed:    "Send message {id} again",
	AdminOutboxCancel:        "Cancel",
	AdminOutboxCancelNamed:   "Cancel message {id}",
	AdminOutboxRetried:       "The message is queued to be sent again.",
	AdminOutboxCancelled:     "The message is cancelled.",
	AdminOutboxNoJob:         "That message does not exist.",
	AdminOutboxWrongState:    "That message cannot do that now: only failed messages are sent again, and only waiting ones cancelled.",
	AdminLimitsTitle:         "Limits",
	AdminLimitsIntro:         "Limits that reached their budget in the last hour, and so refused attempts: guessing, floods of sign-ups or messages, a spent SMS budget.",
	AdminLimitsNone:          "No limit was reached in the last hour.",
	AdminLimitsUntil:         "full until",
	AdminFilterBad:           "Check the filters: a user id, an event name of letters, digits, dots and underscores, and dates as YYYY-MM-DD.",

	AdminRequirePasswordReset:     "Require a new password",
	AdminRequirePasswordResetHint: "Removes the password and signs the account out everywhere. Its owner sets a new one with \"Forgot your password?\", through their verified email address or phone number.",
	AdminPasswordResetRequired:    "The password is removed and the account is signed out everywhere. Its owner sets a new one through \"Forgot your password?\".",
	AdminNoPassword:               "This account has no password.",
	AdminNoWayToReset:             "This account has no verified email address or phone number to reset through (or resets cannot be sent here): removing its password could lock its owner out.",
	ActivityAdminPasswordReset:    "An administrator asked you to choose a new password",
	AdminSuspended:                "The account is suspended and signed out everywhere.",
	AdminUnsuspended:              "The account is active again.",
	AdminDeleted:                  "The account is deleted and signed out everywhere. Its data is removed after the grace period unless its owner signs in.",
	AdminSignedOut:                "That session is signed out.",
	AdminSignedOutAll:             "The account is signed out everywhere.",
	AdminVerificationSent:         "A new verification code is on its way.",
	AdminAlreadyVerified:          "That email address is verified already.",
	AdminFactorRemoved:            "The authenticator app is removed. The owner can set up a new one from their account.",
	AdminRoleGranted:              "The role is granted.",
	AdminRoleRevoked:              "The role is revoked.",
	AdminReasonRequired:           "Write how you checked who is asking (at most 500 characters).",
	AdminNoFactor:                 "This account has no authenticator app.",
	AdminNotYourself:              "You cannot do that to your own account here.",
	AdminUnknownRole:              "That role does not exist.",
	AdminNoSuchSession:            "That session has ended already.",
	AdminUnconfirmed:              "Tick the box to confirm first.",
	AdminUserNotFound:             "That user does not exist.",
	Forbidden:                     "You do not have permission to do that.",

	ActivityAdminSuspended:     "An administrator suspended your account",
	ActivityAdminUnsuspended:   "An administrator made your account active again",
	ActivityAdminDeleted:       "An administrator deleted your account",
	ActivityAdminSignedOut:     "An administrator signed out one of your sessions",
	ActivityAdminSignedOutAll:  "An administrator signed you out everywhere",
	ActivityAdminVerification:  "An administrator sent you a new verification code",
	ActivityAdminFactorRemoved: "An administrator removed your authenticator app",
	ActivityAdminRoleGranted:   "An administrator gave you a role",
	ActivityAdminRoleRevoked:   "An administrator took a role from you",
	ActivityAdminOther:         "An administrator changed your account",

	// The apps page.
	AdminNavApps:        "Apps",
	AdminAppsTitle:      "Apps",
	AdminAppsIntro:      "The apps this deployment serves, each with its own accounts. A request's app is the one whose public URL has the request's host; any other host gets the default app. A running server sees a new app within a minute.",
	AdminAppsOff:        "Apps are managed here with the command line only (latch apps).",
	AdminAppDefault:     "default app",
	AdminAppSlug:        "Slug",
	AdminAppSlugHint:    "Lower-case letters, digits and hyphens, at most 63. It cannot be changed later.",
	AdminAppName:        "Name",
	AdminAppNameHint:    "Shown to operators, and the brand unless one is given. At most 200 characters.",
	AdminAppURL:         "Public URL",
	AdminAppURLHint:     "The origin the app's users reach, such as https://login.shop.example (no path). Plain http only on localhost.",
	AdminAppBrand:       "Brand (optional)",
	AdminAppBrandHint:   "The name the app's emails and pages carry; empty means the name. At most 100 characters.",
	AdminAppOrigins:     "Redirect origins (optional)",
	AdminAppOriginsHint: "One origin per line, at most 20: where the app may send users after sign-in, and which may call its token API from a browser.",
	AdminAppAudience:    "Token audience",
	AdminAppNone:        "none",
	AdminAppCreateTitle: "New app",
	AdminAppCreate:      "Create the app",
	AdminAppNewName:     "New name",
	AdminAppRename:      "Rename",
	AdminAppRenameNamed: "Rename {slug}",
	AdminAppCreated:     "The app is created. A running server answers at its public URL within a minute.",
	AdminAppRenamed:     "The app is renamed.",
	AdminAppSlugBad:     "The slug must be 1 to 63 lower-case letters, digits and hyphens, not starting with a hyphen.",
	AdminAppNameBad:     "The name must be 1 to 200 characters, without control characters.",
	AdminAppBrandBad:    "The brand must be at most 100 characters, without control characters.",
	AdminAppURLBad:      "The public URL must be an origin such as https://login.shop.example: no path, at most 200 characters, https unless on localhost.",
	AdminAppOriginBad:   "Each redirect origin must be an origin such as https://www.shop.example: no path, at most 200 characters, https unless on localhost; at most 20 of them.",
	AdminAppDuplicate:   "An app with this slug or public URL exists already.",
	AdminAppNotFound:    "That app does not exist.",
}

// The console's apps page: the apps one deployment serves, created and
// renamed with the rules `latch apps` follows.
const (
	AdminNavApps        Key = "ui.admin.nav_apps"
	AdminAppsTitle      Key = "ui.admin.apps_title"
	AdminAppsIntro      Key = "ui.admin.apps_intro"
	AdminAppsOff        Key = "ui.admin.apps_off"
	AdminAppDefault     Key = "ui.admin.app_default"
	AdminAppSlug        Key = "ui.admin.app_slug"
	AdminAppSlugHint    Key = "ui.admin.app_slug_hint"
	AdminAppName        Key = "ui.admin.app_name"
	AdminAppNameHint    Key = "ui.admin.app_name_hint"
	AdminAppURL         Key = "ui.admin.app_url"
	AdminAppURLHint     Key = "ui.admin.app_url_hint"
	AdminAppBrand       Key = "ui.admin.app_brand"
	AdminAppBrandHint   Key = "ui.admin.app_brand_hint"
	AdminAppOrigins     Key = "ui.admin.app_origins"
	AdminAppOriginsHint Key = "ui.admin.app_origins_hint"
	AdminAppAudience    Key = "ui.admin.app_audience"
	AdminAppNone        Key = "ui.admin.app_none"
	AdminAppCreateTitle Key = "ui.admin.app_create_title"
	AdminAppCreate      Key = "ui.admin.app_create"
	AdminAppNewName     Key = "ui.admin.app_new_name"
	AdminAppRename      Key = "ui.admin.app_rename"
	AdminAppRenameNamed Key = "ui.admin.app_rename_named"
	AdminAppCreated     Key = "admin.app_created"
	AdminAppRenamed     Key = "admin.app_renamed"
	AdminAppSlugBad     Key = "admin.app_slug_bad"
	AdminAppNameBad     Key = "admin.app_name_bad"
	AdminAppBrandBad    Key = "admin.app_brand_bad"
	AdminAppURLBad      Key = "admin.app_url_bad"
	AdminAppOriginBad   Key = "admin.app_origin_bad"
	AdminAppDuplicate   Key = "admin.app_duplicate"
	AdminAppNotFound    Key = "admin.app_not_found"
)
