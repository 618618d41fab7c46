package email

import (
	"time"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// LoginCode is the email carrying a one-time sign-in code and, when Link is
// set, a magic link that does the same job. Its words come from the
// message catalog (the email.login.* keys).
type LoginCode struct {
	Brand         Brand
	Code          string        // "123456"
	Link          string        // an absolute URL that opens the sign-in confirmation, or ""
	ExpiresIn     time.Duration // how long the code stays valid
	LinkExpiresIn time.Duration // how long the link stays valid; zero means ExpiresIn
}

var _ Email = LoginCode{}

// Subject names the code: most clients show it in the notification.
func (e LoginCode) Subject(l messages.Lang) string {
	return l.Fill(messages.EmailLoginSubject, "{app}", e.Brand.AppName, "{code}", e.Code)
}

// HTML is the HTML body.
func (e LoginCode) HTML() templ.Component {
	return loginCodeHTML(e)
}

// Text is the plain-text body.
func (e LoginCode) Text(l messages.Lang) templ.Component {
	link := ""
	if e.Link != "" {
		link = l.Text(messages.EmailLoginTextLink) + "\n" + e.Link + "\n\n"
	}
	return TextLayout(e.Brand, PlainText(
		l.Text(messages.EmailLoginCodeIntro)+"\n\n    "+e.Code+"\n\n"+link+
			e.expiry(l)+" "+l.Text(messages.EmailLoginIgnore)+"\n"))
}

// expiry says how long the code, and the link if it lives longer, last.
func (e LoginCode) expiry(l messages.Lang) string {
	if e.Link == "" || e.LinkExpiresIn == 0 || minutes(l, e.LinkExpiresIn) == minutes(l, e.ExpiresIn) {
		return l.Fill(messages.EmailLoginExpires, "{ttl}", minutes(l, e.ExpiresIn))
	}
	return l.Fill(messages.EmailLoginExpiresBoth, "{code_ttl}", minutes(l, e.ExpiresIn), "{link_ttl}", minutes(l, e.LinkExpiresIn))
}

// minutes says d in words: "10 minutes", "1 hour" (i18n.Duration).
func minutes(l messages.Lang, d time.Duration) string { return i18n.Duration(l, d) }
