package email

import (
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
)

// SignupCode asks a new address to prove itself before its account
// exists: a code to type on the signup page, and a link that finishes the
// signup in one click.
type SignupCode struct {
	Brand         Brand
	Code          string        // "123456"
	Link          string        // an absolute URL of the signup link's confirm page
	ExpiresIn     time.Duration // how long the code stays valid
	LinkExpiresIn time.Duration // how long the link stays valid
}

var _ Email = SignupCode{}

// Subject names the code, so it can be read from the notification.
func (e SignupCode) Subject(l messages.Lang) string {
	return l.Fill(messages.EmailSignupCodeSubject, "{app}", e.Brand.AppName, "{code}", e.Code)
}

// HTML is the HTML body.
func (e SignupCode) HTML() templ.Component { return signupCodeHTML(e) }

// Text is the plain-text body.
func (e SignupCode) Text(l messages.Lang) templ.Component {
	return TextLayout(e.Brand, PlainText(
		l.Fill(messages.EmailSignupCodeIntro, "{app}", e.Brand.AppName)+"\n\n    "+e.Code+"\n\n"+
			l.Text(messages.EmailSignupLinkIntro)+"\n"+e.Link+"\n\n"+
			e.expiry(l)+" "+l.Text(messages.EmailSignupCodeIgnore)+"\n"))
}

func (e SignupCode) expiry(l messages.Lang) string {
	return LoginCode{Code: e.Code, Link: e.Link, ExpiresIn: e.ExpiresIn, LinkExpiresIn: e.LinkExpiresIn}.expiry(l)
}

// SignupExisting tells an address that already has an account that a
// signup was tried with it, and how to log in or reset the password. It
// carries no code and nothing that changes the account.
type SignupExisting struct {
	Brand    Brand
	LoginURL string // an absolute URL of the login page on the public origin
	ResetURL string // an absolute URL of the forgotten-password page
}

var _ Email = SignupExisting{}

// Subject says there is an account already.
func (e SignupExisting) Subject(l messages.Lang) string {
	return l.Fill(messages.EmailSignupExistingSubject, "{app}", e.Brand.AppName)
}

// HTML is the HTML body.
func (e SignupExisting) HTML() templ.Component { return signupExistingHTML(e) }

// Text is the plain-text body.
func (e SignupExisting) Text(l messages.Lang) templ.Component {
	parts := []string{
		l.Fill(messages.EmailSignupExistingBody, "{app}", e.Brand.AppName),
		l.Text(messages.EmailSignupExistingLogin) + ":\n" + e.LoginURL,
		l.Text(messages.EmailSignupExistingReset) + ":\n" + e.ResetURL,
		l.Text(messages.EmailSignupExistingNotYou),
	}
	return TextLayout(e.Brand, PlainText(strings.Join(parts, "\n\n")+"\n"))
}
