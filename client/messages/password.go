package messages

// Password reset (forgot password: a code and a link by email, a code by
// SMS) and password change on the account page, with the notice sent after
// either.
const (
	ResetSent            Key = "reset.sent"
	ResetSentPhone       Key = "reset.sent_phone"
	ResetLinkInvalid     Key = "reset.link_invalid"
	ResetLinkMalformed   Key = "reset.link_malformed"
	ResetNoLink          Key = "reset.no_link"
	PasswordResetDone    Key = "reset.done"
	PasswordChanged      Key = "password_change.done"
	CurrentPasswordWrong Key = "password_change.current_wrong"
	CurrentPasswordEmpty Key = "password_change.current_required"

	ForgotTitle          Key = "ui.forgot.title"
	ForgotIntro          Key = "ui.forgot.intro"
	ForgotIntroPhone     Key = "ui.forgot.intro_phone"
	ForgotRequest        Key = "ui.forgot.request"
	ForgotRestart        Key = "ui.forgot.restart"
	ForgotCodeIntro      Key = "ui.forgot.code_intro"
	ForgotLink           Key = "ui.login.forgot"
	ResetTitle           Key = "ui.reset.title"
	ResetIntro           Key = "ui.reset.intro"
	ResetSubmit          Key = "ui.reset.submit"
	ResetConfirmIntro    Key = "ui.reset.confirm_intro"
	ResetConfirm         Key = "ui.reset.confirm"
	ResetElsewhere       Key = "ui.reset.elsewhere"
	ResetAskAgain        Key = "ui.reset.ask_again"
	ChangeTitle          Key = "ui.password_change.title"
	ChangeIntro          Key = "ui.password_change.intro"
	ChangeIntroNoCurrent Key = "ui.password_change.intro_no_current"
	LabelCurrentPassword Key = "ui.label.current_password"
	ChangeSignOutOthers  Key = "ui.password_change.sign_out_others"
	ChangeSignOutHint    Key = "ui.password_change.sign_out_hint"
	ChangeSubmit         Key = "ui.password_change.submit"
	AccountPasswordLink  Key = "ui.account.password_link"

	EmailResetSubject  Key = "email.reset.subject"
	EmailResetPreview  Key = "email.reset.preview"
	EmailResetIntro    Key = "email.reset.intro"
	EmailResetLinkText Key = "email.reset.link_intro"
	EmailResetButton   Key = "email.reset.button"
	EmailResetExpires  Key = "email.reset.expires"
	EmailResetIgnore   Key = "email.reset.ignore"

	PasswordChangedSubject Key = "email.password_changed.subject"
	PasswordChangedBody    Key = "email.password_changed.body"
	PasswordChangedNotYou  Key = "email.password_changed.not_you"

	SMSResetCode       Key = "sms.reset_code"
	SMSPasswordChanged Key = "sms.password_changed"
)

// New passwords refused by the server's checks beyond validate.Password:
// one built from the product's name or the email's parts, and one a breach
// service has seen leaked (messages.PasswordCommon is the common list's).
const (
	PasswordHasContext Key = "password.contains_context"
	PasswordBreached   Key = "password.breached"
)

var passwordCatalog = map[Key]string{
	ResetSent:            "If that address has an account, an email with a code and a link to reset its password is on its way. Both work for 15 minutes.",
	ResetSentPhone:       "If that number belongs to an account, a code to reset its password is on its way by text message. It works for 15 minutes.",
	ResetLinkInvalid:     "This reset link does not work: it may have expired or been used already. Ask for a new one.",
	ResetLinkMalformed:   "This reset link is incomplete. Copy the whole link from the email, or ask for a new one.",
	ResetNoLink:          "Open the link from your reset email, or ask for a new one.",
	PasswordResetDone:    "Your password is changed. Every other device was signed out.",
	PasswordChanged:      "Your password is changed.",
	CurrentPasswordWrong: "That is not your current password. Check it and try again.",
	CurrentPasswordEmpty: "Enter your current password.",

	ForgotTitle:          "Reset your password",
	ForgotIntro:          "Enter your email address and we will send you a code and a link to choose a new password.",
	ForgotIntroPhone:     "Enter your email address, or a mobile number you verified, and we will send you a code to choose a new password.",
	ForgotRequest:        "Send me a reset code",
	ForgotRestart:        "Start over",
	ForgotCodeIntro:      "Enter the 6-digit code we sent and choose a new password.",
	ForgotLink:           "Forgot your password?",
	ResetTitle:           "Choose a new password",
	ResetIntro:           "Choose a new password for your account. Every other device will be signed out.",
	ResetSubmit:          "Change my password",
	ResetConfirmIntro:    "You opened a link to reset a password. Continue to choose the new password on this browser.",
	ResetConfirm:         "Continue",
	ResetElsewhere:       "This reset was asked for from another browser or device. Continue only if you asked for it yourself: a link someone else sent you would set the password of their account, and sign you in to it.",
	ResetAskAgain:        "Ask for a new reset code",
	ChangeTitle:          "Change your password",
	ChangeIntro:          "Enter your current password, then choose a new one.",
	ChangeIntroNoCurrent: "Your account has no password yet. Choose one to log in with your email address or number and a password.",
	LabelCurrentPassword: "Current password",
	ChangeSignOutOthers:  "Sign out of all other devices",
	ChangeSignOutHint:    "This device stays signed in.",
	ChangeSubmit:         "Change password",
	AccountPasswordLink:  "Change your password",

	EmailResetSubject:  "Reset your {app} password: {code}",
	EmailResetPreview:  "Your password reset code is {code}",
	EmailResetIntro:    "Your password reset code is:",
	EmailResetLinkText: "Or choose a new password with this link:",
	EmailResetButton:   "Choose a new password",
	EmailResetExpires:  "The code and the link expire in {ttl} and work once.",
	EmailResetIgnore:   "If you did not ask to reset your password, you can ignore this email: your password stays as it is.",

	PasswordChangedSubject: "Your {app} password was changed",
	PasswordChangedBody:    "The password of your {app} account was changed on {time}.",
	PasswordChangedNotYou:  "If you did not do this, reset your password now at {url} and check the devices signed in to your account.",

	SMSResetCode:       "{code} is your {app} password reset code. It expires in {minutes} minutes. If you did not ask for it, ignore this message.",
	SMSPasswordChanged: "Your {app} password was changed. If you did not do this, reset it now at {url}",

	PasswordHasContext: "Choose a password that is not built from your email address or the name of this site.",
	PasswordBreached:   "That password has appeared in a data breach, so attackers try it first. Choose a different one.",
}
