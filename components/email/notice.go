package email

import (
	"strings"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
)

// Notice tells an account holder about a change to their account (two-step
// verification turned on or off, a recovery code used, a recovery
// started). It carries no secret. Most notices carry no link either: a
// notice that asks to click something teaches people to click what
// phishers send. The one exception is an action that protects the account
// (cancelling a recovery someone else started), given as ActionURL.
type Notice struct {
	Brand       Brand
	Title       string   // the subject
	Lines       []string // paragraphs, in order
	Warning     string   // an optional last paragraph in bold ("If this was not you…")
	ActionLabel string   // the button's text, with ActionURL
	ActionURL   string   // an absolute URL on the public origin, or ""
}

var _ Email = Notice{}

// Subject is the notice's title.
func (n Notice) Subject(messages.Lang) string { return n.Title }

// HTML is the HTML body.
func (n Notice) HTML() templ.Component { return noticeHTML(n) }

// Text is the plain-text body.
func (n Notice) Text(messages.Lang) templ.Component {
	parts := append([]string(nil), n.Lines...)
	if n.Warning != "" {
		parts = append(parts, n.Warning)
	}
	if n.ActionURL != "" {
		parts = append(parts, n.ActionLabel+":\n"+n.ActionURL)
	}
	return TextLayout(n.Brand, PlainText(strings.Join(parts, "\n\n")+"\n"))
}
