package messages

// Keys of the guard's refusals: every budget a request can run out of has
// its own words, and each says what the person can do next.
const (
	SendThrottled        Key = "guard.send_throttled"
	CodeGuessThrottled   Key = "guard.code_guess_throttled"
	TwoFactorThrottled   Key = "guard.two_factor_throttled"
	TwoFactorCodesLocked Key = "guard.two_factor_codes_locked"
	RecoveryThrottled    Key = "guard.recovery_code_throttled"
	SignupThrottled      Key = "guard.signup_throttled"
	PasswordThrottled    Key = "guard.password_throttled"
)

var guardCatalog = map[Key]string{
	SendThrottled:        "Too many messages were asked for. Wait a while before asking for another, or use another way to sign in.",
	CodeGuessThrottled:   "Too many wrong codes. Wait a few minutes and try again, or ask for a new code.",
	TwoFactorThrottled:   "Too many wrong codes. Wait a few minutes and try again, or use a recovery code.",
	TwoFactorCodesLocked: "Too many wrong codes: authenticator codes are locked for this account. Use a recovery code, or recover your account.",
	RecoveryThrottled:    "Too many wrong recovery codes. Wait a few minutes and try again.",
	SignupThrottled:      "Too many accounts were created from here. Wait a while and try again.",
	PasswordThrottled:    "Too many wrong passwords. Wait a few minutes and try again.",
}

// Keys of the "new sign-in" notice.
const (
	EmailNewSignInSubject Key = "email.new_sign_in.subject"
	EmailNewSignInBody    Key = "email.new_sign_in.body"
	EmailNewSignInWhere   Key = "email.new_sign_in.where"
	EmailNewSignInAction  Key = "email.new_sign_in.action"
	UnknownBrowser        Key = "device.unknown_browser"
	EmailRestoredSubject  Key = "email.restored.subject"
	EmailRestoredBody     Key = "email.restored.body"
)

var signInCatalog = map[Key]string{
	EmailNewSignInSubject: "New sign-in to your {app} account",
	EmailNewSignInBody:    "Your account was just signed in to from a browser it has not been used from before.",
	EmailNewSignInWhere:   "{browser}, from the address {ip}, at {time}.",
	EmailNewSignInAction:  "Review your devices",
	UnknownBrowser:        "An unknown browser",
	EmailRestoredSubject:  "Your {app} account was restored",
	EmailRestoredBody:     "Your account was going to be deleted. Someone signed in to it, so it is active again and will not be deleted.",
}

// ChangeHeldAfterReset refuses a change to the account's ways in (email,
// phone, passkeys, sign-in providers, two-step verification and its
// recovery codes) shortly after a password reset.
const ChangeHeldAfterReset Key = "account.change_held_after_reset"

// EmailSecondFactorFailedCount sums up the lockout notice: at most one goes
// out an hour.
const EmailSecondFactorFailedCount Key = "email.two_factor.failed_count"

// AddressClaimed is shown after a sign-in that proved the account's email
// address for the first time, undoing what was set up before.
const AddressClaimed Key = "account.address_claimed"

// SMSResetElsewhere answers a reset asked by SMS for an account that also
// has an email address: the number alone cannot reset it.
const SMSResetElsewhere Key = "sms.reset_elsewhere"

// Security activity wording for passwords, second factors and recovery.
const (
	ActivityPasswordChanged      Key = "activity.password_changed"
	ActivityPasswordChangeFailed Key = "activity.password_change_failed"
	ActivityPasswordReset        Key = "activity.password_reset"
	ActivityPasswordResetPending Key = "activity.password_reset_pending"
	ActivityPasswordResetFailed  Key = "activity.password_reset_failed"
	ActivityTOTPEnabled          Key = "activity.totp_enabled"
	ActivityTOTPDisabled         Key = "activity.totp_disabled"
	ActivityTOTPUsed             Key = "activity.totp_used"
	ActivityTOTPRefused          Key = "activity.totp_refused"
	ActivityRecoveryCodeUsed     Key = "activity.recovery_code_used"
	ActivityRecoveryCodesNew     Key = "activity.recovery_codes_new"
	ActivityRecoveryStarted      Key = "activity.recovery_started"
	ActivityRecoveryRefused      Key = "activity.recovery_refused"
	ActivityRecoveryCancelled    Key = "activity.recovery_cancelled"
	ActivityRecoveryCompleted    Key = "activity.recovery_completed"
	// ActivityChangeHeld words any change to the ways in refused because
	// the password was reset recently (reason held_after_reset).
	ActivityChangeHeld Key = "activity.change_held_after_reset"
)

var factorActivityCatalog = map[Key]string{
	EmailSecondFactorFailedCount: "In the last hour, {count} wrong two-step verification codes were entered for your account. We send at most one such notice an hour.",
	ChangeHeldAfterReset:         "For your safety, the ways into an account cannot change for a while after its password was reset: no new email address, phone number or passkey, no passkey removed, no sign-in provider linked or unlinked, no two-step verification turned on and no new recovery codes (as long as an account recovery waits, 48 hours unless configured). If you did not reset it, change your password now.",
	AddressClaimed:               "Your email address is now confirmed. Anything set up on this account before it was (other sign-ins, a password) has been removed: set a password on the account page if you want one.",
	SMSResetElsewhere:            "{app}: a password reset was asked for this number. Your account also has an email address: reset your password from it, or recover your account at {url}",
	ActivityPasswordChanged:      "Your password was changed",
	ActivityPasswordChangeFailed: "A password change was refused",
	ActivityPasswordReset:        "Your password was reset",
	ActivityPasswordResetPending: "A password reset waited for your second step",
	ActivityPasswordResetFailed:  "A password reset was refused",
	ActivityTOTPEnabled:          "Two-step verification was turned on",
	ActivityTOTPDisabled:         "Two-step verification was turned off",
	ActivityTOTPUsed:             "An authenticator code confirmed it was you",
	ActivityTOTPRefused:          "A wrong authenticator code was refused",
	ActivityRecoveryCodeUsed:     "A recovery code was used",
	ActivityRecoveryCodesNew:     "New recovery codes were made",
	ActivityChangeHeld:           "A change to how you sign in was refused: your password was reset recently",
	ActivityRecoveryStarted:      "An account recovery was started",
	ActivityRecoveryRefused:      "An account recovery was refused",
	ActivityRecoveryCancelled:    "An account recovery was cancelled",
	ActivityRecoveryCompleted:    "Your account was recovered",
}
