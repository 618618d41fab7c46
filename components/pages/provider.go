package pages

import (
	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/ui"
)

// Sign-in provider paths. A provider's own paths are under /login/with/{id}:
// POST /login/with/{id} starts a sign-in there, and
// /login/with/{id}/callback is where it sends the browser back (the
// redirect URI registered with it).
const (
	ProviderStartPattern    = "/login/with/{provider}"
	ProviderCallbackPattern = "/login/with/{provider}/callback"
	ProviderHeldPath        = "/login/finish"              // GET: what to do with a held provider account; POST: forget it
	ProvidersPath           = "/account/providers"         // GET: linked and linkable providers
	ProviderLinkPath        = "/account/providers/link"    // POST provider=: link one (a fresh proof first)
	ProviderConfirmPath     = "/account/providers/confirm" // POST: link the provider account held in this browser
	ProviderUnlinkPath      = "/account/providers/unlink"  // POST provider=: unlink one
	ProviderReauthPath      = "/account/confirm/provider"  // POST provider=: prove who you are with a linked provider
	ProviderField           = "provider"
)

// ProviderStartPath is where a provider's button posts to.
func ProviderStartPath(id string) string { return "/login/with/" + id }

// ProviderButton is one provider offered on a page.
type ProviderButton struct {
	ID   string
	Name string
}

// ProviderButtons lists the providers to offer, with where each posts and
// the checked next to carry.
type ProviderButtons struct {
	Buttons []ProviderButton
	Next    string
	// Action, when set, is the path every button posts to with a provider
	// field (linking, re-authentication); else each posts to its own
	// ProviderStartPath.
	Action string
	// Label is the buttons' words ({provider} filled in); ProviderContinue
	// when empty.
	Label messages.Key
	// Heading, when set, heads the list ("Or continue with").
	Heading messages.Key
	// Prefix makes the buttons' test ids unique on a page.
	Prefix string
}

// ProviderHeld is the page that says why a provider sign-in chose no
// account, and offers to log in or sign up and then link.
type ProviderHeld struct {
	Provider string // its name
	Reason   messages.Key
	Signup   bool // offer to create an account
}

// ProviderConfirm offers to link the provider account held in the browser
// to the signed-in account.
type ProviderConfirm struct {
	Provider string // its name
	As       string // who the provider says it is ("sam@example.com"), or ""
	// Secondary puts the link button in the secondary style, on a page
	// whose primary action is another (the account page asking for the
	// email's code): a view has one primary action.
	Secondary bool
}

func (c ProviderConfirm) linkVariant() string {
	if c.Secondary {
		return ui.ButtonSecondary
	}
	return ui.ButtonPrimary
}

// ProvidersView is the sign-in providers page.
type ProvidersView struct {
	Rows    []ProviderRow
	Confirm *ProviderConfirm
	Notice  string // a success, in words
	Problem string // a refusal, in words
}

// ProviderRow is one configured provider on the providers page.
type ProviderRow struct {
	ID     string
	Name   string
	Linked bool
	As     string // the linked account's email or name, or ""
}

// bareProviders is b inside a group that has its own heading ("Other ways
// to sign in"): no heading of its own.
func bareProviders(b ProviderButtons) ProviderButtons {
	b.Heading = ""
	return b
}
