package email

import (
	"strings"

	"github.com/a-h/templ"
)

// Notice tells an account holder about a change to their account (two-step
// verification turned on or off, a recovery code used). It carries no
// secret and no link: a notice that asks to click something teaches
// people to click what phishers send.
type Notice struct {
	Brand   Brand
	Title   string   // the subject
	Lines   []string // paragraphs, in order
	Warning string   // an optional last paragraph in bold ("If this was not you…")
}

var _ Email = Notice{}

// Subject is the notice's title.
func (n Notice) Subject() string { return n.Title }

// HTML is the HTML body.
func (n Notice) HTML() templ.Component { return noticeHTML(n) }

// Text is the plain-text body.
func (n Notice) Text() templ.Component {
	parts := append([]string(nil), n.Lines...)
	if n.Warning != "" {
		parts = append(parts, n.Warning)
	}
	return TextLayout(n.Brand, PlainText(strings.Join(parts, "\n\n")+"\n"))
}
