package email

import (
	"strings"

	"github.com/a-h/templ"
)

// Notice is a security notice: a few paragraphs and, optionally, one
// action link (to cancel what the notice reports, say). It carries no
// secret other than the action link's token.
type Notice struct {
	Brand       Brand
	Title       string   // the subject
	Paragraphs  []string // plain text, escaped when rendered
	ActionLabel string   // the button's text, with ActionURL
	ActionURL   string   // an absolute URL on the public origin, or ""
}

var _ Email = Notice{}

// Subject is the notice's title.
func (n Notice) Subject() string { return n.Title }

// HTML is the HTML body.
func (n Notice) HTML() templ.Component { return noticeHTML(n) }

// Text is the plain-text body.
func (n Notice) Text() templ.Component {
	var b strings.Builder
	for _, p := range n.Paragraphs {
		b.WriteString(p)
		b.WriteString("\n\n")
	}
	if n.ActionURL != "" {
		b.WriteString(n.ActionLabel + ":\n" + n.ActionURL + "\n")
	}
	return TextLayout(n.Brand, PlainText(b.String()))
}
