// Package messages is Latch's one catalog of user-facing text.
//
// Every sentence a user can read has a stable Key. Handlers, validation rules
// and templates refer to keys, never to literal text, so a product team can
// reword or translate Latch by editing this file alone. The package uses only
// the standard library because the WebAssembly client imports it too.
package messages

import (
	"maps"
	"slices"
	"sync"
)

// Key names one user-facing message. Keys are stable: tests, logs and
// translations refer to them, so change the text, never the key.
type Key string

// Validation messages, shared by the browser (WebAssembly) and the server.
const (
	EmailRequired    Key = "email.required"
	EmailTooLong     Key = "email.too_long"
	EmailInvalid     Key = "email.invalid"
	PasswordRequired Key = "password.required"
	PasswordTooShort Key = "password.too_short"
	PasswordTooLong  Key = "password.too_long"
	PasswordHasEmail Key = "password.contains_email"
	PasswordCommon   Key = "password.common"
	PasswordInvalid  Key = "password.invalid_characters"
)

// Password length meter, shown beside a new password by the WebAssembly
// module: its accessible name and the one-line verdict under it.
const (
	PasswordStrengthLabel Key = "password.strength.label"
	PasswordStrengthShort Key = "password.strength.short"
	PasswordStrengthFair  Key = "password.strength.fair"
	PasswordStrengthGood  Key = "password.strength.good"
)

// Outcomes of account flows.
const (
	LoginFailed       Key = "login.failed"
	LoginThrottled    Key = "login.throttled"
	SignupCheckEmail  Key = "signup.check_email"
	LoggedOut         Key = "logout.done"
	SessionExpired    Key = "session.expired"
	TooManyAttempts   Key = "auth.too_many_attempts"
	AccountSuspended  Key = "account.unavailable"
	FormInvalid       Key = "form.invalid"
	FormTooLarge      Key = "form.too_large"
	FormMalformed     Key = "form.malformed"
	InternalError     Key = "error.internal"
	NotFound          Key = "error.not_found"
	MethodNotAllowed  Key = "error.method_not_allowed"
	CrossOriginDenied Key = "error.cross_origin"
	Busy              Key = "error.busy"
	CodeInvalid       Key = "code.invalid"
	CodeExhausted     Key = "code.exhausted"
	CodeSendLimited   Key = "code.send_limited"
	CodeSent          Key = "code.sent"
	LinkInvalid       Key = "link.invalid"
	LinkMalformed     Key = "link.malformed"
)

// Devices: the list of signed-in sessions, and "keep me signed in".
const (
	DeviceSignedOut          Key = "devices.signed_out"
	DevicesOthersSignedOut   Key = "devices.others_signed_out"
	DeviceNotFound           Key = "devices.not_found"
	SignedOutEverywhere      Key = "devices.signed_out_everywhere"
	DevicesTitle             Key = "ui.devices.title"
	DevicesIntro             Key = "ui.devices.intro"
	DevicesThisDevice        Key = "ui.devices.this_device"
	DevicesSignedInAt        Key = "ui.devices.signed_in_at"
	DevicesLastSeen          Key = "ui.devices.last_seen"
	DevicesIP                Key = "ui.devices.ip"
	DevicesNoOthers          Key = "ui.devices.no_others"
	DeviceLabel              Key = "ui.devices.label"
	DeviceUnknownBrowser     Key = "ui.devices.unknown_browser"
	DeviceUnknownOS          Key = "ui.devices.unknown_os"
	DeviceSignOut            Key = "ui.devices.sign_out"
	DeviceSignOutNamed       Key = "ui.devices.sign_out_named"
	DevicesSignOutOthers     Key = "ui.devices.sign_out_others"
	DevicesSignOutEverywhere Key = "ui.devices.sign_out_everywhere"
	DevicesEverywhereHint    Key = "ui.devices.everywhere_hint"
	NavDevices               Key = "ui.nav.devices"
	AccountDevicesLink       Key = "ui.account.devices_link"
	RememberMe               Key = "ui.remember_me"
	RememberMeHint           Key = "ui.remember_me.hint"
)

// The account page's API check, run by the browser module with the access
// token of the page's session.
const (
	APICheckTitle        Key = "ui.api_check.title"
	APICheckIntro        Key = "ui.api_check.intro"
	APICheckUserID       Key = "ui.api_check.user_id"
	APICheckAgain        Key = "ui.api_check.again"
	APICheckRunning      Key = "api_check.running"
	APICheckOK           Key = "api_check.ok"
	APICheckOtherAccount Key = "api_check.other_account"
	APICheckSignedOut    Key = "api_check.signed_out"
	APICheckFailed       Key = "api_check.failed"
)

// Email verification: the account page's prompt, the link's confirm page
// and the resend button.
const (
	EmailAlreadyVerified Key = "verify_email.already_verified"
	EmailVerified        Key = "verify_email.verified"
	EmailVerifySent      Key = "verify_email.sent"
	VerifyLinkInvalid    Key = "verify_link.invalid"
	VerifyEmailTitle     Key = "ui.verify_email.title"
	VerifyEmailIntro     Key = "ui.verify_email.intro"
	VerifyEmailSubmit    Key = "ui.verify_email.submit"
	VerifyLinkTitle      Key = "ui.verify_link.title"
	VerifyLinkIntro      Key = "ui.verify_link.intro"
	VerifyLinkSubmit     Key = "ui.verify_link.submit"
	VerifyLinkDoneTitle  Key = "ui.verify_link.done_title"
	VerifyLinkLogin      Key = "ui.verify_link.login"
	VerifyLinkAccount    Key = "ui.verify_link.account"
	VerifyLinkAgain      Key = "ui.verify_link.again"
	ResendCode           Key = "ui.resend.code"
	ResendCodeIn         Key = "ui.resend.code_in"
	HintVerifyCode       Key = "ui.hint.verify_code"
)

// The login email: a code and a sign-in link. {app}, {code}, {ttl},
// {code_ttl} and {link_ttl} are filled in; durations use the Duration keys.
const (
	EmailLoginSubject      Key = "email.login.subject"
	EmailLoginPreview      Key = "email.login.preview"
	EmailLoginCodeIntro    Key = "email.login.code_intro"
	EmailLoginLinkIntro    Key = "email.login.link_intro"
	EmailLoginButton       Key = "email.login.button"
	EmailLoginLinkFallback Key = "email.login.link_fallback"
	EmailLoginTextLink     Key = "email.login.text_link"
	EmailLoginExpires      Key = "email.login.expires"
	EmailLoginExpiresBoth  Key = "email.login.expires_both"
	EmailLoginIgnore       Key = "email.login.ignore"
	EmailAutomated         Key = "email.automated"
	EmailAutomatedFrom     Key = "email.automated_from"
	DurationMinute         Key = "duration.minute"
	DurationMinutes        Key = "duration.minutes"
	DurationHour           Key = "duration.hour"
	DurationHours          Key = "duration.hours"
)

// The sign-in link's confirmation page, and the dev mailbox's link list.
const (
	LinkLoginTitle     Key = "ui.link_login.title"
	LinkLoginIntro     Key = "ui.link_login.intro"
	LinkLoginConfirm   Key = "ui.link_login.confirm"
	LinkLoginElsewhere Key = "ui.link_login.elsewhere"
	LinkLoginNewCode   Key = "ui.link_login.new_code"
	DevMailboxLinks    Key = "ui.dev_mailbox.links"
)

// Page text: titles, labels, hints and buttons.
const (
	LoginTitle        Key = "ui.login.title"
	LoginSubmit       Key = "ui.login.submit"
	LoginNoAccount    Key = "ui.login.no_account"
	SignupTitle       Key = "ui.signup.title"
	SignupSubmit      Key = "ui.signup.submit"
	SignupHaveAccount Key = "ui.signup.have_account"
	SignupSentTitle   Key = "ui.signup.sent_title"
	AccountTitle      Key = "ui.account.title"
	AccountUserID     Key = "ui.account.user_id"
	AccountEmail      Key = "ui.account.email"
	AccountCreated    Key = "ui.account.created"
	AccountVerified   Key = "ui.account.verified"
	AccountUnverified Key = "ui.account.unverified"
	LabelEmail        Key = "ui.label.email"
	LabelPassword     Key = "ui.label.password"
	LabelNewPassword  Key = "ui.label.new_password"
	HintNewPassword   Key = "ui.hint.new_password"
	NavLogin          Key = "ui.nav.login"
	CodeLoginTitle    Key = "ui.code_login.title"
	CodeLoginIntro    Key = "ui.code_login.intro"
	CodeLoginRequest  Key = "ui.code_login.request"
	CodeLoginSubmit   Key = "ui.code_login.submit"
	CodeLoginRestart  Key = "ui.code_login.restart"
	CodeLoginPassword Key = "ui.code_login.use_password"
	LoginUseCode      Key = "ui.login.use_code"
	LabelCode         Key = "ui.label.code"
	HintCode          Key = "ui.hint.code"
	DevMailboxTitle   Key = "ui.dev_mailbox.title"
	DevMailboxIntro   Key = "ui.dev_mailbox.intro"
	DevMailboxEmpty   Key = "ui.dev_mailbox.empty"
	DevMailboxTo      Key = "ui.dev_mailbox.to"
	DevBanner         Key = "ui.dev_banner"
	DevBannerLink     Key = "ui.dev_banner.link"
	NavSignup         Key = "ui.nav.signup"
	NavAccount        Key = "ui.nav.account"
	NavLogout         Key = "ui.nav.logout"
	ErrorTitle        Key = "ui.error.title"
	ErrorBackHome     Key = "ui.error.back_home"
	SkipToContent     Key = "ui.skip_to_content"
	// HoneypotLabel names the form field only scripts fill in
	// (components/ui.BotCheck); people never see it.
	HoneypotLabel Key = "ui.honeypot.label"
)

var catalog = map[Key]string{
	LoginFailed:       "That email and password do not match an account. Check them and try again.",
	LoginThrottled:    "Too many failed attempts. Wait a few minutes and try again, or reset your password.",
	SignupCheckEmail:  "Check your inbox. If this address can be used, we have sent it the next step. Already have an account? Log in instead.",
	LoggedOut:         "You are signed out.",
	SessionExpired:    "Your session has ended. Log in again to continue.",
	TooManyAttempts:   "Too many attempts. Wait a minute and try again.",
	AccountSuspended:  "That email and password do not match an account. Check them and try again.",
	FormInvalid:       "Some fields need your attention.",
	FormTooLarge:      "That form was too large to read. Shorten what you typed and try again.",
	FormMalformed:     "That form could not be read. Reload the page and try again.",
	NotFound:          "There is nothing at this address.",
	MethodNotAllowed:  "This page cannot be used that way.",
	CrossOriginDenied: "This request came from another site and was refused. Reload the page and try again.",
	Busy:              "We are busy right now. Try again in a moment.",
	CodeInvalid:       "That code is wrong or has expired. Check it, or ask for a new one.",
	CodeExhausted:     "Too many wrong codes. Ask for a new one.",
	CodeSendLimited:   "A code was sent a moment ago. Wait a minute before asking for another.",
	CodeSent:          "If that address can sign in, an email with a code and a sign-in link is on its way. The code works for 10 minutes, the link for 15.",
	LinkInvalid:       "This sign-in link does not work: it may have expired or been used already. Ask for a new code to sign in.",
	LinkMalformed:     "This sign-in link is incomplete. Copy the whole link from the email, or ask for a new code.",

	DeviceSignedOut:          "That device is signed out. It will need to log in again.",
	DevicesOthersSignedOut:   "Every other device is signed out. This one stays signed in.",
	DeviceNotFound:           "That device is already signed out.",
	SignedOutEverywhere:      "You are signed out on every device.",
	DevicesTitle:             "Your devices",
	DevicesIntro:             "These devices are signed in to your account. If you do not recognise one, sign it out and change your password.",
	DevicesThisDevice:        "This device",
	DevicesSignedInAt:        "Signed in",
	DevicesLastSeen:          "Last active",
	DevicesIP:                "IP address",
	DevicesNoOthers:          "No other device is signed in.",
	DeviceLabel:              "{browser} on {os}",
	DeviceUnknownBrowser:     "Unknown browser",
	DeviceUnknownOS:          "an unknown system",
	DeviceSignOut:            "Sign out",
	DeviceSignOutNamed:       "Sign out {device}",
	DevicesSignOutOthers:     "Sign out all other devices",
	DevicesSignOutEverywhere: "Sign out everywhere",
	DevicesEverywhereHint:    "Signs out every device and app, this one included.",
	NavDevices:               "Devices",
	AccountDevicesLink:       "Manage devices",
	RememberMe:               "Keep me signed in",
	RememberMeHint:           "Stay signed in on this device after closing the browser. Leave it unticked on a shared computer.",

	APICheckTitle:  "API access",
	APICheckIntro:  "This page calls Latch's API with a short-lived access token for this browser session. The token is kept in the page's memory only, never stored, and renewed while the page uses it.",
	APICheckUserID: "Account ID from the API",
	APICheckAgain:  "Check again",

	EmailAlreadyVerified: "Your email address is already verified.",
	EmailVerified:        "Your email address is verified. Thank you.",
	EmailVerifySent:      "We sent a new code and link to {email}. They work for 10 minutes.",
	VerifyLinkInvalid:    "That link is wrong, already used or has expired. Ask for a new one.",
	VerifyEmailTitle:     "Verify your email address",
	VerifyEmailIntro:     "We sent a 6-digit code and a link to {email}. Enter the code here, or open the link from the email.",
	VerifyEmailSubmit:    "Verify",
	VerifyLinkTitle:      "Confirm your email address",
	VerifyLinkIntro:      "Press the button to confirm that this email address is yours.",
	VerifyLinkSubmit:     "Confirm my email address",
	VerifyLinkDoneTitle:  "Email address verified",
	VerifyLinkLogin:      "Log in",
	VerifyLinkAccount:    "Go to your account",
	VerifyLinkAgain:      "Log in to ask for a new link from your account page",
	ResendCode:           "Send a new code",
	ResendCodeIn:         "Send a new code in {seconds} s",
	HintVerifyCode:       "The 6 digits from the email we sent to {email}.",

	EmailLoginSubject:      "Your {app} sign-in code: {code}",
	EmailLoginPreview:      "Your sign-in code is {code}",
	EmailLoginCodeIntro:    "Your sign-in code is:",
	EmailLoginLinkIntro:    "Or sign in with one click:",
	EmailLoginButton:       "Sign in to {app}",
	EmailLoginLinkFallback: "If the button does not work, copy this address into your browser:",
	EmailLoginTextLink:     "Or open this link to sign in:",
	EmailLoginExpires:      "It expires in {ttl}.",
	EmailLoginExpiresBoth:  "The code expires in {code_ttl}, the link in {link_ttl}.",
	EmailLoginIgnore:       "If you did not ask to sign in, you can ignore this email: nobody can sign in without it.",
	EmailAutomated:         "This is an automated message; replies are not read.",
	EmailAutomatedFrom:     "This is an automated message from {app}; replies are not read.",
	DurationMinute:         "1 minute",
	DurationMinutes:        "{n} minutes",
	DurationHour:           "1 hour",
	DurationHours:          "{n} hours",

	LinkLoginTitle:     "Sign in with your link",
	LinkLoginIntro:     "You opened a sign-in link from your email. Confirm to sign in on this browser.",
	LinkLoginConfirm:   "Sign in",
	LinkLoginElsewhere: "This sign-in link was requested from another browser or device. Continue only if you asked for it just now.",
	LinkLoginNewCode:   "Ask for a new code",
	DevMailboxLinks:    "Links in this email",

	LoginTitle:        "Log in",
	LoginSubmit:       "Log in",
	LoginNoAccount:    "New here? Create an account",
	SignupTitle:       "Create your account",
	SignupSubmit:      "Create account",
	SignupHaveAccount: "Already have an account? Log in",
	SignupSentTitle:   "Check your inbox",
	AccountTitle:      "Your account",
	AccountUserID:     "Account ID",
	AccountEmail:      "Email",
	AccountCreated:    "Member since",
	AccountVerified:   "Verified",
	AccountUnverified: "Not verified yet",
	LabelEmail:        "Email address",
	LabelPassword:     "Password",
	LabelNewPassword:  "New password",
	HintNewPassword:   "At least 8 characters; 15 or more is stronger. Spaces and any characters are welcome.",
	NavLogin:          "Log in",
	CodeLoginTitle:    "Log in with a code",
	CodeLoginIntro:    "Enter your email address and we will send you a 6-digit code to log in with.",
	CodeLoginRequest:  "Email me a code",
	CodeLoginSubmit:   "Log in",
	CodeLoginRestart:  "Start over",
	CodeLoginPassword: "Log in with your password instead",
	LoginUseCode:      "Email me a sign-in code or link",
	LabelCode:         "Code",
	HintCode:          "The 6 digits from the email we sent to {email}.",
	DevMailboxTitle:   "Dev mailbox",
	DevMailboxIntro:   "The latest emails and text messages Latch would have sent, newest first. This page exists only in development, without SMTP or an SMS gateway.",
	DevMailboxEmpty:   "No messages yet.",
	DevMailboxTo:      "To",
	DevBanner:         "Development mode: emails and text messages are not sent.",
	DevBannerLink:     "Open the dev mailbox",
	NavSignup:         "Sign up",
	NavAccount:        "Account",
	NavLogout:         "Log out",
	ErrorTitle:        "Something is not right",
	ErrorBackHome:     "Back to the start",
	SkipToContent:     "Skip to main content",
	HoneypotLabel:     "Leave this field empty",
}

// The email that proves an address by code and link (components/email
// VerifyEmail).
const (
	EmailVerifySubject   Key = "email.verify.subject"
	EmailVerifyPreview   Key = "email.verify.preview"
	EmailVerifyCodeIntro Key = "email.verify.code_intro"
	EmailVerifyTextIntro Key = "email.verify.text_intro"
	EmailVerifyLinkIntro Key = "email.verify.link_intro"
	EmailVerifyTextLink  Key = "email.verify.text_link"
	EmailVerifyButton    Key = "email.verify.button"
	EmailVerifyExpires   Key = "email.verify.expires"
)

var verifyEmailCatalog = map[Key]string{
	EmailVerifySubject:   "Verify your email for {app}: {code}",
	EmailVerifyPreview:   "Your verification code is {code}",
	EmailVerifyCodeIntro: "Enter this code to verify your email address:",
	EmailVerifyTextIntro: "Your {app} verification code is:",
	EmailVerifyLinkIntro: "Or verify it with one click:",
	EmailVerifyTextLink:  "Or open this link to verify your email address:",
	EmailVerifyButton:    "Verify my email address",
	EmailVerifyExpires:   "Both expire in {ttl}. If you did not create an account, you can ignore this email.",
}

// catalogs returns every part of the catalog, one per area. It is a
// function, not a variable, so package initialisation refers to no part:
// a program that never calls Text or Keys (the browser module, which
// uses BrowserText) leaves them all out.
func catalogs() []map[Key]string {
	return []map[Key]string{catalog, phoneCatalog, twoFactorCatalog, passwordCatalog, settingsCatalog, guardCatalog, signInCatalog, recoveryCatalog, apiClientCatalog, factorActivityCatalog, signupCatalog, signupEmailCatalog, providerCatalog, passkeyCatalog, adminCatalog, localeCatalog, verifyEmailCatalog, faceCatalog, accountOverviewCatalog, activityFaceCatalog, controlsCatalog}
}

// Text returns the text for k. An unknown key returns the generic internal
// error text, so a typo can never show a raw key or an empty message.
func Text(k Key) string {
	if s, ok := english()[k]; ok {
		return s
	}
	return BrowserText(InternalError)
}

// english is every English part in one map, built on first use: the
// browser part wins over the catalogs, and an earlier catalog over a
// later one, as a search in that order would find them. Nothing refers to
// it at package initialisation, so the browser module, which never calls
// Text, carries none of it.
func english() map[Key]string {
	englishOnce.Do(func() {
		m := make(map[Key]string, 1024)
		for _, c := range slices.Backward(catalogs()) {
			maps.Copy(m, c)
		}
		for _, e := range browserCatalog {
			m[e.key] = e.text
		}
		englishIndex = m
	})
	return englishIndex
}

var (
	englishOnce  sync.Once
	englishIndex map[Key]string
)

// Keys lists every key in the catalog, for tests that check each has text.
func Keys() []Key {
	var keys []Key
	keys = append(keys, BrowserKeys()...)
	for _, c := range catalogs() {
		for k := range c {
			keys = append(keys, k)
		}
	}
	for k := range settingsCatalog {
		keys = append(keys, k)
	}
	return keys
}
