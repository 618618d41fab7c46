package email

import (
	"time"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
)

// VerifyEmail asks the holder of an address to prove it, with a code to
// type on the account page and a link that does the same in one click.
type VerifyEmail struct {
	Brand     Brand
	Code      string        // "123456"
	Link      string        // an absolute URL of the confirm page
	ExpiresIn time.Duration // how long code and link stay valid
}

var _ Email = VerifyEmail{}

// Subject names the code, so it can be read from the notification.
func (e VerifyEmail) Subject(l messages.Lang) string {
	return l.Fill(messages.EmailVerifySubject, "{app}", e.Brand.AppName, "{code}", e.Code)
}

// HTML is the HTML body.
func (e VerifyEmail) HTML() templ.Component {
	return verifyEmailHTML(e)
}

// Text is the plain-text body.
func (e VerifyEmail) Text(l messages.Lang) templ.Component {
	return TextLayout(e.Brand, PlainText(
		l.Fill(messages.EmailVerifyTextIntro, "{app}", e.Brand.AppName)+"\n\n    "+e.Code+"\n\n"+
			l.Text(messages.EmailVerifyTextLink)+"\n"+e.Link+"\n\n"+
			l.Fill(messages.EmailVerifyExpires, "{ttl}", minutes(l, e.ExpiresIn))+"\n"))
}
