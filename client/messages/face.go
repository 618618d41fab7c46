package messages

// The page frame around every screen: navigation and the footer with the
// product's own support and legal links (the brand, components/brand).
const (
	NavLabel      Key = "ui.nav.label"
	FooterLabel   Key = "ui.footer.label"
	FooterSupport Key = "ui.footer.support"
	FooterTerms   Key = "ui.footer.terms"
	FooterPrivacy Key = "ui.footer.privacy"
)

var faceCatalog = map[Key]string{
	NavLabel:      "Main",
	FooterLabel:   "Help and legal",
	FooterSupport: "Help",
	FooterTerms:   "Terms",
	FooterPrivacy: "Privacy",
}
