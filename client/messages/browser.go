package messages

// browserCatalog is the part of the catalog the browser module
// (client/wasm) shows. The module reads it with BrowserText, which looks in
// nothing else, so the rest of the catalog (over 30 KB of text, and the
// maps that hold it) stays out of the module's download. Text reads it too.
// It is a list, not a map: static data, with no code to build it.
var browserCatalog = []entry{
	// Validation, shown by the live checks as fields are typed.
	{EmailRequired, "Enter your email address."},
	{EmailTooLong, "That email address is too long. Use a shorter one."},
	{EmailInvalid, "Enter an email address like name@example.com."},
	{PasswordRequired, "Enter a password."},
	{PasswordTooShort, "Use at least 8 characters. 15 or more is better."},
	{PasswordTooLong, "Use at most 128 characters."},
	{PasswordHasEmail, "Choose a password that does not contain your email address."},
	{PasswordCommon, "That password is too common. Choose one that is harder to guess."},
	{PasswordInvalid, "Passwords cannot contain control characters."},

	// The password length meter.
	{PasswordStrengthLabel, "Password length"},
	{PasswordStrengthShort, "Too short: use at least 8 characters."},
	{PasswordStrengthFair, "Long enough. 15 or more characters is stronger."},
	{PasswordStrengthGood, "A strong length."},

	// The account page's API check (client/wasm/apicheck.go).
	{APICheckRunning, "Calling the API…"},
	{APICheckOK, "The API answered for this account."},
	{APICheckOtherAccount, "The API answered for another account: someone has signed in to another account in this browser. Reload the page."},
	{APICheckSignedOut, "This browser is no longer signed in. Log in again to use the API."},
	{APICheckFailed, "The API could not be reached. Try again in a moment."},

	// The fallback of Text and BrowserText for an unknown key.
	{InternalError, "Something went wrong on our side. Try again in a moment."},
}

// BrowserText returns the text for k from the browser's part of the
// catalog: what Text returns for the same key. A key outside that part
// returns the generic internal error text.
func BrowserText(k Key) string { return English.BrowserText(k) }

// BrowserText returns the text for k from the browser's part of the
// catalog in l: what l.Text returns for the same key. A key l lacks falls
// back to English, and a key outside the browser's part to the generic
// internal error text.
func (l Lang) BrowserText(k Key) string {
	if s, ok := lookup(l.browser(), k); ok {
		return s
	}
	if s, ok := browserText(k); ok {
		return s
	}
	if s, ok := lookup(l.browser(), InternalError); ok {
		return s
	}
	s, _ := browserText(InternalError)
	return s
}

// BrowserKeys lists the keys BrowserText knows, for tests.
func BrowserKeys() []Key {
	keys := make([]Key, len(browserCatalog))
	for i, e := range browserCatalog {
		keys[i] = e.key
	}
	return keys
}

// entry is one key and its text.
type entry struct {
	key  Key
	text string
}

func browserText(k Key) (string, bool) { return lookup(browserCatalog, k) }

// lookup finds k in part.
func lookup(part []entry, k Key) (string, bool) {
	for _, e := range part {
		if e.key == k {
			return e.text, true
		}
	}
	return "", false
}
