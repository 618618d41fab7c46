package messages

// The page frame around every screen: navigation and the footer with the
// product's own support and legal links (the brand, components/brand).
const (
	NavLabel      Key = "ui.nav.label"
	FooterLabel   Key = "ui.footer.label"
	FooterSupport Key = "ui.footer.support"
	FooterTerms   Key = "ui.footer.terms"
	FooterPrivacy Key = "ui.footer.privacy"
	// NavBackToAccount is the way back from a settings page.
	NavBackToAccount Key = "ui.nav.back_to_account"
	// LoginOtherWays heads the sign-in alternatives to a password.
	LoginOtherWays Key = "ui.login.other_ways"
	// DevBannerLabel names the development banner's landmark.
	DevBannerLabel Key = "ui.dev_banner.label"
)

var faceCatalog = map[Key]string{
	NavLabel:         "Main",
	FooterLabel:      "Help and legal",
	FooterSupport:    "Help",
	FooterTerms:      "Terms",
	FooterPrivacy:    "Privacy",
	NavBackToAccount: "Account",
	LoginOtherWays:   "Other ways to sign in",
	DevBannerLabel:   "Development",
}

// The account overview: its sections and the rows in them.
const (
	AccountProfileTitle    Key = "ui.account.profile_title"
	AccountSignInTitle     Key = "ui.account.sign_in_title"
	AccountSecurityTitle   Key = "ui.account.security_title"
	AccountDataTitle       Key = "ui.account.data_title"
	AccountPasswordName    Key = "ui.account.password_name"
	AccountPasswordHint    Key = "ui.account.password_hint"
	AccountProvidersHint   Key = "ui.account.providers_hint"
	AccountProvidersManage Key = "ui.account.providers_manage"
	AccountActivityName    Key = "ui.account.activity_name"
	AccountActivityHint    Key = "ui.account.activity_hint"
	AccountDevicesName     Key = "ui.account.devices_name"
	AccountDevicesHint     Key = "ui.account.devices_hint"
	AccountExportName      Key = "ui.account.export_name"
	AccountExportHint      Key = "ui.account.export_hint"
	AccountDeleteName      Key = "ui.account.delete_name"
	AccountDeleteHint      Key = "ui.account.delete_hint"
)

var accountOverviewCatalog = map[Key]string{
	AccountProfileTitle:    "Profile",
	AccountSignInTitle:     "How you sign in",
	AccountSecurityTitle:   "Security",
	AccountDataTitle:       "Your data",
	AccountPasswordName:    "Password",
	AccountPasswordHint:    "Signs you in with your email address or phone number.",
	AccountProvidersHint:   "Accounts at other services you can sign in with.",
	AccountProvidersManage: "Manage sign-in providers",
	AccountActivityName:    "Security activity",
	AccountActivityHint:    "Sign-ins, changes and failed attempts, newest first.",
	AccountDevicesName:     "Devices",
	AccountDevicesHint:     "Browsers and apps signed in to your account.",
	AccountExportName:      "Download your data",
	AccountExportHint:      "A copy of what this account holds, as a file.",
	AccountDeleteName:      "Delete account",
	AccountDeleteHint:      "Closes your account; signing in again within the grace period restores it.",
}

// The security activity page's tag on a failed attempt its words do not
// already call one.
const ActivityFailedTag Key = "ui.activity.failed_tag"

var activityFaceCatalog = map[Key]string{
	ActivityFailedTag: "Did not go through",
}

// Controls: the show/hide button of a password field, copy, download and
// print of recovery codes, copy of the authenticator key.
const (
	PasswordShow      Key = "ui.password.show"
	PasswordHide      Key = "ui.password.hide"
	PasswordShowLabel Key = "ui.password.show_label"
	PasswordHideLabel Key = "ui.password.hide_label"
	CopyButton        Key = "ui.copy.button"
	CopyDone          Key = "ui.copy.done"
	CopyFailed        Key = "ui.copy.failed"
	CopyKeyLabel      Key = "ui.copy.key_label"
	CopyCodesLabel    Key = "ui.copy.codes_label"
	DownloadCodes     Key = "ui.recovery_codes.download"
	PrintCodes        Key = "ui.recovery_codes.print"
)

var controlsCatalog = map[Key]string{
	PasswordShow:      "Show",
	PasswordHide:      "Hide",
	PasswordShowLabel: "Show password",
	PasswordHideLabel: "Hide password",
	CopyButton:        "Copy",
	CopyDone:          "Copied.",
	CopyFailed:        "Could not copy: select the text and copy it yourself.",
	CopyKeyLabel:      "Copy the key",
	CopyCodesLabel:    "Copy the codes",
	DownloadCodes:     "Download as a text file",
	PrintCodes:        "Print",
}
