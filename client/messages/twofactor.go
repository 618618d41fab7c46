package messages

// Two-step verification: enrolling an authenticator app, recovery codes,
// the second sign-in step, and the notices emailed about them.
const (
	TwoFactorAlreadyOn   Key = "two_factor.already_on"
	TwoFactorNotOn       Key = "two_factor.not_on"
	TwoFactorNoEnrolment Key = "two_factor.no_enrolment"
	TwoFactorCodeInvalid Key = "two_factor.code_invalid"
	TwoFactorLocked      Key = "two_factor.locked"
	TwoFactorEnabled     Key = "two_factor.enabled"
	TwoFactorDisabled    Key = "two_factor.disabled"
	TwoFactorRegenerated Key = "two_factor.regenerated"
	SecondFactorExpired  Key = "two_factor.pending_expired"

	TwoFactorTitle          Key = "ui.two_factor.title"
	TwoFactorSetupIntro     Key = "ui.two_factor.setup_intro"
	TwoFactorQRLabel        Key = "ui.two_factor.qr_label"
	TwoFactorSecretLabel    Key = "ui.two_factor.secret_label"
	TwoFactorConfirmSubmit  Key = "ui.two_factor.confirm_submit"
	TwoFactorOnIntro        Key = "ui.two_factor.on_intro"
	TwoFactorRecoveryTitle  Key = "ui.two_factor.recovery_title"
	TwoFactorRecoveryIntro  Key = "ui.two_factor.recovery_intro"
	TwoFactorRecoveryLeft   Key = "ui.two_factor.recovery_left"
	TwoFactorRegenerate     Key = "ui.two_factor.regenerate"
	TwoFactorRegenerateHint Key = "ui.two_factor.regenerate_hint"
	TwoFactorDisable        Key = "ui.two_factor.disable"
	TwoFactorDisableHint    Key = "ui.two_factor.disable_hint"
	TwoFactorSaved          Key = "ui.two_factor.saved"
	LabelAuthCode           Key = "ui.label.auth_code"
	HintAuthCode            Key = "ui.hint.auth_code"
	LabelRecoveryCode       Key = "ui.label.recovery_code"
	HintRecoveryCode        Key = "ui.hint.recovery_code"

	AccountTwoFactor      Key = "ui.account.two_factor"
	AccountTwoFactorOn    Key = "ui.account.two_factor_on"
	AccountTwoFactorOff   Key = "ui.account.two_factor_off"
	AccountTwoFactorLink  Key = "ui.account.two_factor_link"
	AccountTwoFactorSetUp Key = "ui.account.two_factor_set_up"

	SecondFactorTitle         Key = "ui.second_factor.title"
	SecondFactorIntro         Key = "ui.second_factor.intro"
	SecondFactorRecoveryIntro Key = "ui.second_factor.recovery_intro"
	SecondFactorSubmit        Key = "ui.second_factor.submit"
	SecondFactorUseRecovery   Key = "ui.second_factor.use_recovery"
	SecondFactorUseApp        Key = "ui.second_factor.use_app"
	SecondFactorRestart       Key = "ui.second_factor.restart"

	EmailTwoFactorEnabledSubject   Key = "email.two_factor.enabled_subject"
	EmailTwoFactorEnabledBody      Key = "email.two_factor.enabled_body"
	EmailTwoFactorDisabledSubject  Key = "email.two_factor.disabled_subject"
	EmailTwoFactorDisabledBody     Key = "email.two_factor.disabled_body"
	EmailRecoveryReplacedSubject   Key = "email.two_factor.recovery_replaced_subject"
	EmailRecoveryReplacedBody      Key = "email.two_factor.recovery_replaced_body"
	EmailRecoveryUsedSubject       Key = "email.two_factor.recovery_used_subject"
	EmailRecoveryUsedBody          Key = "email.two_factor.recovery_used_body"
	EmailSecondFactorFailedSubject Key = "email.two_factor.failed_subject"
	EmailSecondFactorFailedBody    Key = "email.two_factor.failed_body"
	EmailNotYou                    Key = "email.two_factor.not_you"
)

var twoFactorCatalog = map[Key]string{
	TwoFactorAlreadyOn:   "Two-step verification is already on.",
	TwoFactorNotOn:       "Two-step verification is not on.",
	TwoFactorNoEnrolment: "Start again: open the two-step verification page to get a new key.",
	TwoFactorCodeInvalid: "That code is wrong or was already used. Enter the current code from your app, or a recovery code you have not used.",
	TwoFactorLocked:      "Too many wrong codes. For your safety, log in again from the start.",
	TwoFactorEnabled:     "Two-step verification is on. Keep your recovery codes somewhere safe.",
	TwoFactorDisabled:    "Two-step verification is off.",
	TwoFactorRegenerated: "New recovery codes are ready. The old ones no longer work.",
	SecondFactorExpired:  "That sign-in was not started or took too long. Log in again.",

	TwoFactorTitle:          "Two-step verification",
	TwoFactorSetupIntro:     "Scan this QR code with an authenticator app (such as Google Authenticator, 1Password or Aegis), then enter the 6-digit code it shows.",
	TwoFactorQRLabel:        "QR code holding the key for your authenticator app",
	TwoFactorSecretLabel:    "Cannot scan? Type this key into the app instead:",
	TwoFactorConfirmSubmit:  "Turn on two-step verification",
	TwoFactorOnIntro:        "Two-step verification is on: after your password or sign-in code, you enter a code from your authenticator app.",
	TwoFactorRecoveryTitle:  "Your recovery codes",
	TwoFactorRecoveryIntro:  "If you lose your phone, each of these codes lets you sign in once. Save them somewhere safe now: they are not shown again.",
	TwoFactorRecoveryLeft:   "Recovery codes left: {count} of 10.",
	TwoFactorRegenerate:     "Make new recovery codes",
	TwoFactorRegenerateHint: "The codes you have now stop working.",
	TwoFactorDisable:        "Turn off two-step verification",
	TwoFactorDisableHint:    "Your account will be protected by your password or sign-in code alone.",
	TwoFactorSaved:          "I have saved my codes",
	LabelAuthCode:           "Authentication code",
	HintAuthCode:            "The 6-digit code your authenticator app shows now.",
	LabelRecoveryCode:       "Recovery code",
	HintRecoveryCode:        "One of the codes you saved when you turned on two-step verification, like abcde-fghjk.",

	AccountTwoFactor:      "Two-step verification",
	AccountTwoFactorOn:    "On",
	AccountTwoFactorOff:   "Off",
	AccountTwoFactorLink:  "Manage two-step verification",
	AccountTwoFactorSetUp: "Turn on two-step verification",

	SecondFactorTitle:         "Two-step verification",
	SecondFactorIntro:         "Enter the 6-digit code from your authenticator app to finish signing in.",
	SecondFactorRecoveryIntro: "Enter one of your recovery codes to finish signing in. Each works once.",
	SecondFactorSubmit:        "Verify",
	SecondFactorUseRecovery:   "Use a recovery code instead",
	SecondFactorUseApp:        "Use your authenticator app instead",
	SecondFactorRestart:       "Start over",

	EmailTwoFactorEnabledSubject:   "Two-step verification was turned on for your {app} account",
	EmailTwoFactorEnabledBody:      "Two-step verification was turned on for your account. From now on, signing in also asks for a code from your authenticator app.",
	EmailTwoFactorDisabledSubject:  "Two-step verification was turned off for your {app} account",
	EmailTwoFactorDisabledBody:     "Two-step verification was turned off for your account. Signing in now needs only your password or a sign-in code.",
	EmailRecoveryReplacedSubject:   "New recovery codes for your {app} account",
	EmailRecoveryReplacedBody:      "New recovery codes were made for your account. The old ones no longer work.",
	EmailRecoveryUsedSubject:       "A recovery code was used to sign in to your {app} account",
	EmailRecoveryUsedBody:          "A recovery code was just used to sign in to your account. You have {count} left.",
	EmailSecondFactorFailedSubject: "Someone could not finish signing in to your {app} account",
	EmailSecondFactorFailedBody:    "Someone signed in to your account with your password or a sign-in code, then entered a wrong two-step verification code too many times. The sign-in was stopped.",
	EmailNotYou:                    "If this was not you, change your password now.",
}
