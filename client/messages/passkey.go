package messages

// Passkeys: registering one on the account page, signing in with one
// (button or autofill), using one as the second factor, and every way a
// ceremony can fail, in our words.
const (
	PasskeyNotAccepted       Key = "passkey.not_accepted"
	PasskeyAlreadyRegistered Key = "passkey.already_registered"
	PasskeyCancelled         Key = "passkey.cancelled"
	PasskeyUnsupported       Key = "passkey.unsupported"
	PasskeyNeedsJavaScript   Key = "passkey.needs_javascript"
	PasskeyExpired           Key = "passkey.expired"
	PasskeyNameInvalid       Key = "passkey.name_invalid"
	PasskeyNotFound          Key = "passkey.not_found"
	PasskeyNone              Key = "passkey.none"
	PasskeyLastWayIn         Key = "passkey.last_way_in"
	PasskeyThrottled         Key = "passkey.throttled"
	PasskeyFailed            Key = "passkey.failed"
	PasskeyAdded             Key = "passkey.added"
	PasskeyRenamed           Key = "passkey.renamed"
	PasskeyRemoved           Key = "passkey.removed"
	PasskeyWorking           Key = "passkey.working"
	PasskeyReauthNotVerified Key = "passkey.reauth_not_verified"
	PasskeyNotTwice          Key = "passkey.not_twice"

	PasskeysTitle        Key = "ui.passkeys.title"
	PasskeysIntro        Key = "ui.passkeys.intro"
	PasskeysEmpty        Key = "ui.passkeys.empty"
	PasskeysListLabel    Key = "ui.passkeys.list_label"
	PasskeyNameLabel     Key = "ui.passkeys.name_label"
	PasskeyNameHint      Key = "ui.passkeys.name_hint"
	PasskeyAdd           Key = "ui.passkeys.add"
	PasskeyAddTitle      Key = "ui.passkeys.add_title"
	PasskeyRename        Key = "ui.passkeys.rename"
	PasskeyRenameLabel   Key = "ui.passkeys.rename_label"
	PasskeyRemove        Key = "ui.passkeys.remove"
	PasskeyRemoveNamed   Key = "ui.passkeys.remove_named"
	PasskeyCreated       Key = "ui.passkeys.created"
	PasskeyLastUsed      Key = "ui.passkeys.last_used"
	PasskeyNeverUsed     Key = "ui.passkeys.never_used"
	PasskeySynced        Key = "ui.passkeys.synced"
	PasskeyDefaultName   Key = "ui.passkeys.default_name"
	PasskeySignIn        Key = "ui.passkeys.sign_in"
	PasskeyOr            Key = "ui.passkeys.or"
	PasskeySecondFactor  Key = "ui.passkeys.second_factor"
	PasskeyReauth        Key = "ui.passkeys.reauth"
	PasskeyReauthIntro   Key = "ui.passkeys.reauth_intro"
	AccountPasskeys      Key = "ui.account.passkeys"
	AccountPasskeysLink  Key = "ui.account.passkeys_link"
	AccountPasskeysCount Key = "ui.account.passkeys_count"
	AccountPasskeysNone  Key = "ui.account.passkeys_none"

	EmailPasskeyAddedSubject Key = "email.passkey.added_subject"
	EmailPasskeyAddedBody    Key = "email.passkey.added_body"

	ActivityPasskeyAdded      Key = "activity.passkey_added"
	ActivityLoginPasskey      Key = "activity.login_passkey"
	ActivityPasskeyRefused    Key = "activity.passkey_refused"
	ActivityPasskeyUsed       Key = "activity.passkey_used"
	ActivityPasskeyRejected   Key = "activity.passkey_rejected"
	ActivityPasskeyRenamed    Key = "activity.passkey_renamed"
	ActivityPasskeyRemoved    Key = "activity.passkey_removed"
	ActivityPasskeyKept       Key = "activity.passkey_kept"
	ActivityPasskeyNotChanged Key = "activity.passkey_not_changed"
)

var passkeyCatalog = map[Key]string{
	PasskeyNotAccepted:       "That passkey was not accepted. Try again, or sign in another way.",
	PasskeyNotTwice:          "You began with a passkey, so finish with a code from your authenticator app or a recovery code.",
	PasskeyAlreadyRegistered: "This passkey is already registered.",
	PasskeyCancelled:         "The passkey request was cancelled. Nothing was changed.",
	PasskeyUnsupported:       "This browser does not support passkeys. Use another way to sign in, or another browser.",
	PasskeyNeedsJavaScript:   "Passkeys need JavaScript. Turn it on to use a passkey, or use another way.",
	PasskeyExpired:           "That passkey request expired or was already used. Try again.",
	PasskeyNameInvalid:       "Give the passkey a name of 1 to 64 characters.",
	PasskeyNotFound:          "That passkey is not on your account.",
	PasskeyNone:              "You have no passkey on this account.",
	PasskeyLastWayIn:         "You cannot remove that passkey: it is your last way to sign in. Verify an email address or phone number, or add another passkey, first.",
	PasskeyThrottled:         "Too many passkey attempts. Wait a few minutes and try again.",
	PasskeyFailed:            "The passkey could not be used. Try again, or use another way.",
	PasskeyAdded:             "Your passkey was added. You can sign in with it now.",
	PasskeyRenamed:           "The passkey was renamed.",
	PasskeyRemoved:           "The passkey was removed. It no longer signs in to this account.",
	PasskeyWorking:           "Waiting for your passkey…",
	PasskeyReauthNotVerified: "Your passkey did not check that it is you (no screen lock, fingerprint, face or PIN), so it cannot confirm it is you. Use a passkey on a device with a screen lock, or another way.",

	PasskeysTitle:        "Passkeys",
	PasskeysIntro:        "A passkey signs you in with your device's screen lock, fingerprint or face, or a security key: nothing to type, and nothing a fake site can reuse.",
	PasskeysEmpty:        "You have no passkeys yet.",
	PasskeysListLabel:    "Your passkeys",
	PasskeyNameLabel:     "Name for the new passkey",
	PasskeyNameHint:      "So you can tell your passkeys apart, such as \"Work laptop\" (up to 64 characters).",
	PasskeyAdd:           "Add a passkey",
	PasskeyAddTitle:      "Add a passkey",
	PasskeyRename:        "Rename",
	PasskeyRenameLabel:   "Name of the passkey \"{name}\"",
	PasskeyRemove:        "Remove",
	PasskeyRemoveNamed:   "Remove passkey {name}",
	PasskeyCreated:       "Added {date}",
	PasskeyLastUsed:      "Last used {date}",
	PasskeyNeverUsed:     "Not used yet",
	PasskeySynced:        "Synced",
	PasskeyDefaultName:   "My passkey",
	PasskeySignIn:        "Sign in with a passkey",
	PasskeyOr:            "or",
	PasskeySecondFactor:  "Use a passkey",
	PasskeyReauth:        "Confirm with a passkey",
	PasskeyReauthIntro:   "For your security, confirm it is you with one of your passkeys before you continue.",
	AccountPasskeys:      "Passkeys",
	AccountPasskeysLink:  "Manage passkeys",
	AccountPasskeysCount: "{count} registered",
	AccountPasskeysNone:  "None",

	EmailPasskeyAddedSubject: "A passkey was added to your {app} account",
	EmailPasskeyAddedBody:    "A passkey named \"{name}\" was added to your account. It can now sign in without your password.",

	ActivityPasskeyAdded:      "A passkey was added",
	ActivityLoginPasskey:      "Signed in with a passkey",
	ActivityPasskeyRefused:    "A passkey could not be added",
	ActivityPasskeyUsed:       "A passkey was used to sign in",
	ActivityPasskeyRejected:   "A passkey was refused",
	ActivityPasskeyRenamed:    "A passkey was renamed",
	ActivityPasskeyRemoved:    "A passkey was removed",
	ActivityPasskeyKept:       "A passkey was not removed: it was the last way in",
	ActivityPasskeyNotChanged: "A change to a passkey was refused",
}
