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
)

var signInCatalog = map[Key]string{
	EmailNewSignInSubject: "New sign-in to your {app} account",
	EmailNewSignInBody:    "Your account was just signed in to from a browser it has not been used from before.",
	EmailNewSignInWhere:   "{browser}, from the address {ip}, at {time}.",
	EmailNewSignInAction:  "Review your devices",
	UnknownBrowser:        "An unknown browser",
}
