package pages

import "github.com/latch-dev/latch/client/messages"

// Path and field of the magic link's confirmation. LinkTokenField carries
// every emailed link's token (sign-in and verification): in the URL's query
// and in its confirm page's hidden field.
const (
	LinkLoginPath  = "/login/link"
	LinkTokenField = "token"
)

// LinkLogin is the state of the page a magic link opens. The token sits in
// a hidden field of a POST form: opening the page spends nothing, and the
// button's POST spends it and leaves the URL.
type LinkLogin struct {
	Token     string
	Next      string       // a checked local target, or ""
	Elsewhere bool         // another browser asked for this link: warn before the button
	Message   messages.Key // the link cannot be used: no form, a way to ask again
}
