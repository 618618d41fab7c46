package messages

// Account settings: re-authentication, changing the email address, the
// identity list, deleting the account, downloading your data and the
// security activity page, with the emails they send.
const (
	ReauthFailed       Key = "reauth.failed"
	ReauthNoMethod     Key = "reauth.no_method"
	ReauthTitle        Key = "ui.reauth.title"
	ReauthIntro        Key = "ui.reauth.intro"
	ReauthSubmit       Key = "ui.reauth.submit"
	ReauthCodeIntro    Key = "ui.reauth.code_intro"
	ReauthCodeSend     Key = "ui.reauth.code_send"
	ReauthCodeSent     Key = "reauth.code_sent"
	ReauthCodeHint     Key = "ui.reauth.code_hint"
	ReauthCodeSubmit   Key = "ui.reauth.code_submit"
	ReauthUnavailable  Key = "ui.reauth.unavailable"
	ReauthOther        Key = "ui.reauth.other"
	SMSReauthCode      Key = "sms.reauth_code"
	EmailChangeOff     Key = "email_change.off"
	EmailChangeSame    Key = "email_change.same"
	EmailTaken         Key = "email_change.taken"
	EmailChanged       Key = "email_change.done"
	EmailAdded         Key = "email_change.added"
	EmailChangeSent    Key = "email_change.sent"
	EmailChangeTitle   Key = "ui.email_change.title"
	EmailAddTitle      Key = "ui.email_change.add_title"
	EmailChangeIntro   Key = "ui.email_change.intro"
	EmailAddIntro      Key = "ui.email_change.add_intro"
	EmailChangeCurrent Key = "ui.email_change.current"
	LabelNewEmail      Key = "ui.label.new_email"
	EmailChangeRequest Key = "ui.email_change.request"
	EmailChangeSubmit  Key = "ui.email_change.submit"
	EmailChangeRestart Key = "ui.email_change.restart"
	HintEmailCode      Key = "ui.hint.email_code"
	BackToAccount      Key = "ui.account.back"

	IdentitiesTitle     Key = "ui.identities.title"
	IdentitiesIntro     Key = "ui.identities.intro"
	IdentityRemove      Key = "ui.identities.remove"
	IdentityRemoveNamed Key = "ui.identities.remove_named"
	IdentityRemoved     Key = "identities.removed"
	IdentityLastWayIn   Key = "identities.last_way_in"
	IdentityNotFound    Key = "identities.not_found"
	AccountChangeEmail  Key = "ui.account.change_email"
	AccountAddEmail     Key = "ui.account.add_email"
	AccountActivity     Key = "ui.account.activity_link"
	AccountExportLink   Key = "ui.account.export_link"
	AccountDeleteLink   Key = "ui.account.delete_link"
	AccountRestored     Key = "account.restored"
	AccountDeletedLogin Key = "account.deleted_login"

	DeleteTitle       Key = "ui.delete.title"
	DeleteIntro       Key = "ui.delete.intro"
	DeleteWhat        Key = "ui.delete.what"
	DeleteConfirm     Key = "ui.delete.confirm"
	DeleteSubmit      Key = "ui.delete.submit"
	DeleteUnconfirmed Key = "delete.unconfirmed"

	ExportTitle  Key = "ui.export.title"
	ExportIntro  Key = "ui.export.intro"
	ExportSubmit Key = "ui.export.submit"

	ActivityTitle    Key = "ui.activity.title"
	ActivityIntro    Key = "ui.activity.intro"
	ActivityEmpty    Key = "ui.activity.empty"
	ActivityOlder    Key = "ui.activity.older"
	ActivityNewest   Key = "ui.activity.newest"
	ActivityLine     Key = "activity.line"
	ActivityLineNoUA Key = "activity.line_no_device"
	ActivityFailed   Key = "activity.failed"

	ActivitySignup          Key = "activity.signup"
	ActivitySignupElsewhere Key = "activity.signup_elsewhere"
	ActivityLoginPassword   Key = "activity.login.password"
	ActivityLoginFailed     Key = "activity.login.failed"
	ActivityLoginCode       Key = "activity.login.code"
	ActivityLoginLink       Key = "activity.login.link"
	ActivityLogout          Key = "activity.logout"
	ActivityCodeSent        Key = "activity.code_sent"
	ActivityCodeRefused     Key = "activity.code_refused"
	ActivityEmailVerified   Key = "activity.email_verified"
	ActivityEmailChanged    Key = "activity.email_changed"
	ActivityEmailAdded      Key = "activity.email_added"
	ActivityPhoneAdded      Key = "activity.phone_added"
	ActivityIdentityRemoved Key = "activity.identity_removed"
	ActivityReauth          Key = "activity.reauth"
	ActivityReauthFailed    Key = "activity.reauth_failed"
	ActivitySignedOutOne    Key = "activity.revoke_one"
	ActivitySignedOutOthers Key = "activity.revoke_others"
	ActivitySignedOutAll    Key = "activity.revoke_all"
	ActivityDeleted         Key = "activity.deleted"
	ActivityRestored        Key = "activity.restored"
	ActivityExported        Key = "activity.exported"
	ActivityStatus          Key = "activity.status"
	ActivityTokens          Key = "activity.tokens"
	ActivityOther           Key = "activity.other"

	EmailChangeCodeSubject Key = "email.change_code.subject"
	EmailChangeCodeIntro   Key = "email.change_code.intro"
	EmailChangeCodeIgnore  Key = "email.change_code.ignore"
	EmailChangedSubject    Key = "email.changed.subject"
	EmailChangedBody       Key = "email.changed.body"
	EmailChangedNotYou     Key = "email.changed.not_you"
	EmailReauthSubject     Key = "email.reauth.subject"
	EmailReauthIntro       Key = "email.reauth.intro"
	EmailReauthIgnore      Key = "email.reauth.ignore"
)

var settingsCatalog = map[Key]string{
	ReauthFailed:       "That password is not right. Check it and try again.",
	ReauthNoMethod:     "We cannot send you a code: this account has no verified email address or phone number we can reach.",
	ReauthTitle:        "Confirm it is you",
	ReauthIntro:        "For your security, enter your password again before you continue.",
	ReauthSubmit:       "Continue",
	ReauthCodeIntro:    "For your security, we will send a 6-digit code to {to} before you continue.",
	ReauthCodeSend:     "Send me a code",
	ReauthCodeSent:     "A code is on its way to {to}. It works for 10 minutes.",
	ReauthCodeHint:     "The 6 digits we sent to {to}.",
	ReauthCodeSubmit:   "Continue",
	ReauthUnavailable:  "This account has no password and no verified email address or phone number we can send a code to, so it cannot confirm it is you right now.",
	ReauthOther:        "Or use another way",
	SMSReauthCode:      "{code} is your {app} code to confirm it is you. It expires in {minutes} minutes. Never share it.",
	EmailChangeOff:     "Email addresses cannot be changed right now.",
	EmailChangeSame:    "That is already your email address.",
	EmailTaken:         "That email address belongs to another account. Use a different one.",
	EmailChanged:       "Your email address is changed. We told your old address, in case it was not you.",
	EmailAdded:         "Your email address is added and verified.",
	EmailChangeSent:    "We sent a 6-digit code to {email}. It works for 10 minutes.",
	EmailChangeTitle:   "Change your email address",
	EmailAddTitle:      "Add an email address",
	EmailChangeIntro:   "Enter your new address. We will send it a code to check it is yours; your address stays {email} until you enter it.",
	EmailAddIntro:      "Enter your email address. We will send it a code to check it is yours; then you can log in with it.",
	EmailChangeCurrent: "Current address",
	LabelNewEmail:      "New email address",
	EmailChangeRequest: "Email me a code",
	EmailChangeSubmit:  "Confirm the new address",
	EmailChangeRestart: "Use a different address",
	HintEmailCode:      "The 6 digits from the email we sent to {email}.",
	BackToAccount:      "Back to your account",

	IdentitiesTitle:     "Email addresses and phone numbers",
	IdentitiesIntro:     "Your email addresses and phone numbers. You can remove one as long as another verified one remains.",
	IdentityRemove:      "Remove",
	IdentityRemoveNamed: "Remove {identity}",
	IdentityRemoved:     "It is removed from your account.",
	IdentityLastWayIn:   "You cannot remove that one: it is your last verified way to log in. Add and verify another email address or phone number first.",
	IdentityNotFound:    "That is not on your account any more.",
	AccountChangeEmail:  "Change your email address",
	AccountAddEmail:     "Add an email address",
	AccountActivity:     "See your recent security activity",
	AccountExportLink:   "Download your data",
	AccountDeleteLink:   "Delete your account",
	AccountRestored:     "Welcome back. Your account was going to be deleted; signing in has restored it.",
	AccountDeletedLogin: "Your account is deleted and you are signed out everywhere. Changed your mind? Log in again before the grace period ends and your account comes back.",

	DeleteTitle:       "Delete your account",
	DeleteIntro:       "Deleting your account signs you out everywhere at once. For {days} days you can still change your mind: log in again and your account comes back as it was.",
	DeleteWhat:        "After {days} days we remove your email addresses, phone numbers, password and sessions for good. A record of security events stays, without your IP addresses or devices.",
	DeleteConfirm:     "I understand: delete my account",
	DeleteSubmit:      "Delete my account",
	DeleteUnconfirmed: "Tick the box to confirm that you want to delete your account.",

	ExportTitle:  "Download your data",
	ExportIntro:  "A JSON file with your account, email addresses and phone numbers, signed-in devices and security events. It holds no password, token or code.",
	ExportSubmit: "Download my data",

	ActivityTitle:    "Security activity",
	ActivityIntro:    "Recent security events on your account, newest first. If you do not recognise one, change your password and sign out your other devices.",
	ActivityEmpty:    "Nothing to show yet.",
	ActivityOlder:    "Older events",
	ActivityNewest:   "Newest events",
	ActivityLine:     "{what} from {device}, {when}",
	ActivityLineNoUA: "{what}, {when}",
	ActivityFailed:   "(failed)",

	ActivitySignup:          "Created the account",
	ActivitySignupElsewhere: "Created the account by a link opened in another browser than the signup's (the password chosen at signup was not kept)",
	ActivityLoginPassword:   "Signed in with a password",
	ActivityLoginFailed:     "A sign-in with your password failed",
	ActivityLoginCode:       "Signed in with a code",
	ActivityLoginLink:       "Signed in with a sign-in link",
	ActivityLogout:          "Signed out",
	ActivityCodeSent:        "A code was sent",
	ActivityCodeRefused:     "A wrong or expired code was entered",
	ActivityEmailVerified:   "Verified the email address",
	ActivityEmailChanged:    "Changed the email address",
	ActivityEmailAdded:      "Added an email address",
	ActivityPhoneAdded:      "Added a phone number",
	ActivityIdentityRemoved: "Removed an email address or phone number",
	ActivityReauth:          "Confirmed it was you",
	ActivityReauthFailed:    "Failed to confirm it was you",
	ActivitySignedOutOne:    "Signed out a device",
	ActivitySignedOutOthers: "Signed out all other devices",
	ActivitySignedOutAll:    "Signed out everywhere",
	ActivityDeleted:         "Asked to delete the account",
	ActivityRestored:        "Restored the account by signing in",
	ActivityExported:        "Downloaded the account's data",
	ActivityStatus:          "The account's status changed",
	ActivityTokens:          "An app signed in or renewed its access",
	ActivityOther:           "Another security event",

	EmailChangeCodeSubject: "Your {app} code to change your email: {code}",
	EmailChangeCodeIntro:   "Enter this code to make this your {app} email address:",
	EmailChangeCodeIgnore:  "It expires in {ttl}. If you did not ask to use this address, you can ignore this email: nothing changes without the code.",
	EmailChangedSubject:    "Your {app} email address was changed",
	EmailChangedBody:       "The email address of your {app} account was changed to {new}. This address will no longer receive sign-in codes.",
	EmailChangedNotYou:     "If this was not you, someone may have access to your account: contact our support team right away. Replies to this email are not read.",
	EmailReauthSubject:     "Your {app} code to confirm it is you: {code}",
	EmailReauthIntro:       "Enter this code to confirm it is you before changing your account:",
	EmailReauthIgnore:      "It expires in {ttl}. If this was not you, do not share the code with anyone.",
}
