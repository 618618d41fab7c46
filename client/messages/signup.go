package messages

// Verify-first signup by email: the code step every signup answers with,
// the link's confirm page, and what goes wrong on the way.
const (
	SignupCodeTitle     Key = "ui.signup_code.title"
	SignupCodeSent      Key = "signup.code_sent"
	SignupCodeSubmit    Key = "ui.signup_code.submit"
	SignupCodeRestart   Key = "ui.signup_code.restart"
	SignupAccountExists Key = "signup.account_exists"
	SignupLinkTitle     Key = "ui.signup_link.title"
	SignupLinkIntro     Key = "ui.signup_link.intro"
	SignupLinkWarning   Key = "ui.signup_link.warning"
	SignupLinkElsewhere Key = "ui.signup_link.elsewhere"
	SignupSetPassword   Key = "signup.set_password"
	SignupLinkConfirm   Key = "ui.signup_link.confirm"
	SignupLinkInvalid   Key = "signup.link_invalid"
	SignupLinkRestart   Key = "ui.signup_link.restart"

	EmailSignupCodeSubject     Key = "email.signup_code.subject"
	EmailSignupExistingSubject Key = "email.signup_existing.subject"
	EmailSignupExistingBody    Key = "email.signup_existing.body"
	EmailSignupExistingLogin   Key = "email.signup_existing.login"
	EmailSignupExistingReset   Key = "email.signup_existing.reset"
	EmailSignupExistingNotYou  Key = "email.signup_existing.not_you"
)

var signupCatalog = map[Key]string{
	SignupCodeTitle:     "Check your email",
	SignupCodeSent:      "We have sent an email to {email}. If it holds a code, enter it here to finish creating your account, or open the link in it. If you already have an account, the email tells you how to log in instead.",
	SignupCodeSubmit:    "Create account",
	SignupCodeRestart:   "Start over",
	SignupAccountExists: "An account with this email address exists already. Log in instead, or reset your password if you have forgotten it.",
	SignupLinkTitle:     "Finish creating your account",
	SignupLinkIntro:     "You opened a link from your email. Confirm to create your account and sign in on this browser.",
	SignupLinkWarning:   "Continue only if you started creating this account yourself, just now. If you did not, close this page: no account is created.",
	SignupLinkElsewhere: "This signup was started in another browser. Continue only if that was you. The password chosen there will not be kept: you will set one next.",
	SignupSetPassword:   "Your account is created and your email address confirmed. The signup was started in another browser, so the password chosen there was not kept: choose your password now.",
	SignupLinkConfirm:   "Create my account",
	SignupLinkInvalid:   "This link cannot be used: it is wrong, has expired or was used already. Sign up again to get a new one.",
	SignupLinkRestart:   "Sign up again",

	EmailSignupCodeSubject:     "Finish creating your {app} account: {code}",
	EmailSignupExistingSubject: "You already have a {app} account",
	EmailSignupExistingBody:    "Someone, probably you, tried to create a {app} account with this email address. You already have an account with it, so no new account was created.",
	EmailSignupExistingLogin:   "Log in",
	EmailSignupExistingReset:   "Forgot your password? Reset it",
	EmailSignupExistingNotYou:  "If this was not you, you can ignore this email: nothing has changed on your account.",
}

// The words of the signup emails.
const (
	EmailSignupCodeIntro  Key = "email.signup_code.intro"
	EmailSignupLinkIntro  Key = "email.signup_code.link_intro"
	EmailSignupButton     Key = "email.signup_code.button"
	EmailSignupCodeIgnore Key = "email.signup_code.ignore"
)

var signupEmailCatalog = map[Key]string{
	EmailSignupCodeIntro:  "Enter this code to finish creating your {app} account:",
	EmailSignupLinkIntro:  "Or finish with one click:",
	EmailSignupButton:     "Create my account",
	EmailSignupCodeIgnore: "If you did not try to create an account, ignore this email: no account is created.",
}
