package messages

// Phone numbers and SMS codes: the refusals of a number, the steps of
// login, signup and adding a number by a code sent by text message, and
// the text messages themselves.
const (
	PhoneRequired          Key = "phone.required"
	PhoneTooLong           Key = "phone.too_long"
	PhoneInvalid           Key = "phone.invalid"
	PhoneCountryNotAllowed Key = "phone.country_not_allowed"
	PhoneNotMobile         Key = "phone.not_mobile"
	PhoneTaken             Key = "phone.taken"
	PhoneAdded             Key = "phone.added"
	PhoneAlreadyYours      Key = "phone.already_yours"
	PhoneCodeSent          Key = "phone.code_sent"
	PhoneAddCodeSent       Key = "phone.add_code_sent"

	LabelPhone            Key = "ui.label.phone"
	HintPhone             Key = "ui.hint.phone"
	LabelEmailOrPhone     Key = "ui.label.email_or_phone"
	HintSMSCode           Key = "ui.hint.sms_code"
	CodeLoginIntroPhone   Key = "ui.code_login.intro_phone"
	CodeLoginRequestPhone Key = "ui.code_login.request_phone"
	PhoneSignupTitle      Key = "ui.phone_signup.title"
	PhoneSignupIntro      Key = "ui.phone_signup.intro"
	PhoneSignupRequest    Key = "ui.phone_signup.request"
	PhoneSignupSubmit     Key = "ui.phone_signup.submit"
	PhoneSignupRestart    Key = "ui.phone_signup.restart"
	SignupUsePhone        Key = "ui.signup.use_phone"
	PhoneSignupUseEmail   Key = "ui.phone_signup.use_email"
	PhoneAddTitle         Key = "ui.phone_add.title"
	PhoneAddIntro         Key = "ui.phone_add.intro"
	PhoneAddRequest       Key = "ui.phone_add.request"
	PhoneAddSubmit        Key = "ui.phone_add.submit"
	PhoneAddRestart       Key = "ui.phone_add.restart"
	AccountPhone          Key = "ui.account.phone"
	AccountAddPhone       Key = "ui.account.add_phone"
	DevMailboxSMS         Key = "ui.dev_mailbox.sms"

	SMSLoginCode  Key = "sms.login_code"
	SMSSignupCode Key = "sms.signup_code"
	SMSVerifyCode Key = "sms.verify_code"
)

var phoneCatalog = map[Key]string{
	PhoneRequired:          "Enter your mobile phone number.",
	PhoneTooLong:           "That phone number is too long. Enter just the number.",
	PhoneInvalid:           "Enter a valid mobile number, using digits only. For a number from another country, start with + and its country code, like +44 7400 123456.",
	PhoneCountryNotAllowed: "We cannot send text messages to numbers in that country yet. Use a mobile number from one of the countries listed under the field.",
	PhoneNotMobile:         "That number cannot receive text messages. Enter a mobile number.",
	PhoneTaken:             "That number belongs to another account. Log in with it there, or use a different number.",
	PhoneAdded:             "Your phone number is added and verified.",
	PhoneAlreadyYours:      "That number is already on your account.",
	PhoneCodeSent:          "If that number can be used, a code is on its way by text message. It works for 10 minutes.",
	PhoneAddCodeSent:       "A code is on its way by text message. It works for 10 minutes.",

	LabelPhone:            "Mobile phone number",
	HintPhone:             "Numbers without a country code are read as {region} numbers. We text numbers in: {regions}.",
	LabelEmailOrPhone:     "Email address or mobile number",
	HintSMSCode:           "The 6 digits from the text message we sent to {phone}.",
	CodeLoginIntroPhone:   "Enter your email address or mobile number and we will send you a 6-digit code to log in with.",
	CodeLoginRequestPhone: "Send me a code",
	PhoneSignupTitle:      "Sign up with your phone",
	PhoneSignupIntro:      "Enter your mobile number and we will text you a 6-digit code. No password needed.",
	PhoneSignupRequest:    "Text me a code",
	PhoneSignupSubmit:     "Continue",
	PhoneSignupRestart:    "Use a different number",
	SignupUsePhone:        "Sign up with a phone number instead",
	PhoneSignupUseEmail:   "Sign up with email and a password instead",
	PhoneAddTitle:         "Add a phone number",
	PhoneAddIntro:         "Enter your mobile number. We will text you a code to check it is yours; then you can log in with it.",
	PhoneAddRequest:       "Text me a code",
	PhoneAddSubmit:        "Add number",
	PhoneAddRestart:       "Use a different number",
	AccountPhone:          "Phone",
	AccountAddPhone:       "Add a phone number",
	DevMailboxSMS:         "Text message",

	SMSLoginCode:  "{code} is your {app} login code. It expires in {minutes} minutes. Never share it.",
	SMSSignupCode: "{code} is your {app} code to sign up or log in. It expires in {minutes} minutes. Never share it.",
	SMSVerifyCode: "{code} is your {app} code to add this number to your account. It expires in {minutes} minutes. Never share it.",
}
