package messages

// Sign-in providers (OpenID Connect, GitHub, WeChat): the login buttons,
// what went wrong at the provider, linking and unlinking. {provider} is
// the provider's configured name.
const (
	ProviderContinue           Key = "ui.provider.continue"
	ProviderOtherWays          Key = "ui.provider.other_ways"
	ProviderDenied             Key = "provider.denied"
	ProviderRejected           Key = "provider.rejected"
	ProviderUnavailable        Key = "provider.unavailable"
	ProviderExpired            Key = "provider.expired"
	ProviderThrottled          Key = "provider.throttled"
	ProviderUnknown            Key = "provider.unknown"
	ProviderAccountUnavailable Key = "provider.account_unavailable"
	ProviderLinkedElsewhere    Key = "provider.linked_elsewhere"
	ProviderOtherLinked        Key = "provider.other_linked"
	ProviderLinked             Key = "provider.linked"
	ProviderLinkedOnSignIn     Key = "provider.linked_on_sign_in"
	ProviderUnlinked           Key = "provider.unlinked"
	ProviderNotLinked          Key = "provider.not_linked"
	ProviderLastWayIn          Key = "provider.last_way_in"

	ProviderHeldTitle      Key = "ui.provider.held_title"
	ProviderHeldEmailInUse Key = "ui.provider.held_email_in_use"
	ProviderHeldNoEmail    Key = "ui.provider.held_no_email"
	ProviderHeldLogin      Key = "ui.provider.held_login"
	ProviderHeldSignup     Key = "ui.provider.held_signup"
	ProviderHeldCancel     Key = "ui.provider.held_cancel"
	ProviderHeldCancelled  Key = "provider.held_cancelled"
	ProviderConfirmTitle   Key = "ui.provider.confirm_title"
	ProviderConfirmBody    Key = "ui.provider.confirm_body"
	ProviderConfirmLink    Key = "ui.provider.confirm_link"
	ProviderConfirmDiscard Key = "ui.provider.confirm_discard"

	ReauthWithProvider  Key = "ui.reauth.with_provider"
	ProvidersTitle      Key = "ui.providers.title"
	ProvidersIntro      Key = "ui.providers.intro"
	ProvidersLinkedAs   Key = "ui.providers.linked_as"
	ProvidersLinked     Key = "ui.providers.linked"
	ProvidersNotLinked  Key = "ui.providers.not_linked"
	ProvidersLink       Key = "ui.providers.link"
	ProvidersUnlink     Key = "ui.providers.unlink"
	AccountProviderLink Key = "ui.account.providers_link"

	ActivityProviderSignIn Key = "activity.provider_sign_in"
	ActivityProviderLink   Key = "activity.provider_link"
	ActivityProviderUnlink Key = "activity.provider_unlink"
	ActivityProviderSignup Key = "activity.provider_signup"

	ActivityProviderSignInRefused Key = "activity.provider_sign_in_refused"
	ActivityProviderLinkRefused   Key = "activity.provider_link_refused"
	ActivityProviderUnlinkRefused Key = "activity.provider_unlink_refused"

	EmailProviderLinkedSubject Key = "email.provider_linked.subject"
	EmailProviderLinkedBody    Key = "email.provider_linked.body"
)

var providerCatalog = map[Key]string{
	ProviderContinue:           "Continue with {provider}",
	ProviderOtherWays:          "Or continue with",
	ProviderDenied:             "Signing in with {provider} was cancelled, so nothing changed. You can try again or use another way to log in.",
	ProviderRejected:           "Signing in with {provider} did not complete: its answer could not be checked. Please start again.",
	ProviderUnavailable:        "{provider} is not answering right now. Try again in a few minutes, or use another way to log in.",
	ProviderExpired:            "That sign-in attempt expired or was already used. Please start again.",
	ProviderThrottled:          "Too many sign-in attempts from here. Wait a few minutes, then try again.",
	ProviderUnknown:            "That way of signing in is not offered here.",
	ProviderAccountUnavailable: "The account linked to that {provider} account cannot be signed in to. If you think this is a mistake, contact support.",
	ProviderLinkedElsewhere:    "That {provider} account is already linked to another account here. Log in with {provider} to use that account, or unlink it there first.",
	ProviderOtherLinked:        "Your account is already linked to a different {provider} account. Unlink that one first.",
	ProviderLinked:             "{provider} is linked. You can log in with it from now on.",
	ProviderLinkedOnSignIn:     "The provider you signed in with is now linked to your account: you can log in with it from now on.",
	ProviderUnlinked:           "{provider} is unlinked. You can no longer log in with it.",
	ProviderNotLinked:          "That provider is not linked to your account.",
	ProviderLastWayIn:          "You cannot unlink {provider}: it is your last way to log in. Add and verify an email address or phone number, or link another provider, first.",

	ProviderHeldTitle:      "Finish signing in with {provider}",
	ProviderHeldEmailInUse: "An account here already uses the email address {provider} gave us. To use {provider} with it, log in to that account; you can then link {provider} in one step.",
	ProviderHeldNoEmail:    "{provider} did not give us an email address we can use to find or create your account. Log in to your account, or create one; you can then link {provider} in one step.",
	ProviderHeldLogin:      "Log in to my account",
	ProviderHeldSignup:     "Create an account",
	ProviderHeldCancel:     "Cancel",
	ProviderHeldCancelled:  "Nothing was linked.",
	ProviderConfirmTitle:   "Link {provider} to your account?",
	ProviderConfirmBody:    "You signed in with {provider}{as}. Link it, and you can log in to this account with {provider} from now on.",
	ProviderConfirmLink:    "Link {provider}",
	ProviderConfirmDiscard: "Not now",

	ReauthWithProvider:  "Confirm with {provider}",
	ProvidersTitle:      "Sign-in providers",
	ProvidersIntro:      "Log in with an account you already have elsewhere. Unlinking one leaves your other ways to log in as they are.",
	ProvidersLinkedAs:   "Linked as {who}",
	ProvidersLinked:     "Linked",
	ProvidersNotLinked:  "Not linked",
	ProvidersLink:       "Link {provider}",
	ProvidersUnlink:     "Unlink {provider}",
	AccountProviderLink: "Sign-in providers",

	ActivityProviderSignIn: "Signed in with a provider",
	ActivityProviderLink:   "Linked a sign-in provider",
	ActivityProviderUnlink: "Unlinked a sign-in provider",
	ActivityProviderSignup: "Created the account with a sign-in provider",

	ActivityProviderSignInRefused: "A sign-in with a provider was not let into this account",
	ActivityProviderLinkRefused:   "Linking a sign-in provider was refused",
	ActivityProviderUnlinkRefused: "Unlinking a sign-in provider was refused",

	EmailProviderLinkedSubject: "{provider} can now log in to your {app} account",
	EmailProviderLinkedBody:    "{provider} was linked to your account: whoever holds that {provider} account can now log in to yours.",
}
