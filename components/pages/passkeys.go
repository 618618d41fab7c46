package pages

import (
	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/ui"
)

// Paths of the passkey flows. The options paths begin a ceremony (a POST:
// they keep a challenge in the session); the others finish one, or change
// a passkey.
const (
	PasskeysPath               = "/account/passkeys"
	PasskeyRegisterOptionsPath = "/account/passkeys/options"
	PasskeyRegisterPath        = "/account/passkeys/add"
	PasskeyRenamePath          = "/account/passkeys/rename"
	PasskeyRemovePath          = "/account/passkeys/remove"
	PasskeyLoginOptionsPath    = "/login/passkey/options"
	PasskeyLoginPath           = "/login/passkey"
	PasskeySecondOptionsPath   = "/login/verify/passkey/options"
	PasskeySecondFactorFinish  = "/login/verify/passkey"
	PasskeyReauthOptionsPath   = "/account/confirm/passkey/options"
	PasskeyReauthPath          = "/account/confirm/passkey"
	PasskeyIDField             = "passkey"
	PasskeyNameField           = "name"
	PasskeyNameMaxLength       = 64
)

// PasskeyItem is one passkey as the passkeys page lists it.
type PasskeyItem struct {
	ID       string // public: the passkey row's id, never the credential id
	Name     string
	Created  string
	LastUsed string // "" when never used
	Synced   bool   // backed up (BS): a synced passkey
}

// PasskeysView is what the passkeys page shows.
type PasskeysView struct {
	Keys    []PasskeyItem
	Notice  messages.Key // a one-off success
	Message messages.Key // a refusal (rename, remove)
	// Removable says whether removing a passkey is allowed now: another
	// passkey or a verified identity remains.
	Removable bool
}

// PasskeyControl is a passkey button driven by static/js/passkey.js: the
// ceremony it starts (Options then Finish), and, for sign-in, whether the
// browser's autofill is asked too (conditional mediation).
type PasskeyControl struct {
	ID          string // the wrapper's id, and the prefix of its parts' ids
	Ceremony    string // "register", "login", "second_factor" or "reauth"
	Options     string // the path that begins the ceremony
	Finish      string // the path the answer is posted to
	Label       messages.Key
	Conditional bool   // also start an autofill request on page load
	Form        string // for sign-in: the id of the form whose "keep me signed in" box to read
	NameField   string // for registration: the id of the name input
	Next        string // for re-authentication: the checked page to go on to, posted back
	// Primary makes the button the page's primary action (adding a
	// passkey on the passkeys page); elsewhere it is one of several ways,
	// in the secondary style.
	Primary bool
}

func (c PasskeyControl) variant() string {
	if c.Primary {
		return ui.ButtonPrimary
	}
	return ui.ButtonSecondary
}
