package email

import (
	"time"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
)

// ResetPassword carries a code and a link that let the holder of an
// address choose a new password. Its words come from the catalog
// (email.reset.*).
type ResetPassword struct {
	Brand     Brand
	Code      string        // "123456"
	Link      string        // an absolute URL on the public origin
	ExpiresIn time.Duration // how long code and link stay valid
}

var _ Email = ResetPassword{}

// Subject names the code, so it can be read from the notification.
func (e ResetPassword) Subject(l messages.Lang) string {
	return l.Fill(messages.EmailResetSubject, "{app}", e.Brand.AppName, "{code}", e.Code)
}

// HTML is the HTML body.
func (e ResetPassword) HTML() templ.Component { return resetPasswordHTML(e) }

// Text is the plain-text body.
func (e ResetPassword) Text(l messages.Lang) templ.Component {
	return TextLayout(e.Brand, PlainText(
		l.Text(messages.EmailResetIntro)+"\n\n    "+e.Code+"\n\n"+
			l.Text(messages.EmailResetLinkText)+"\n"+e.Link+"\n\n"+
			e.expiry(l)+" "+l.Text(messages.EmailResetIgnore)+"\n"))
}

func (e ResetPassword) expiry(l messages.Lang) string {
	return l.Fill(messages.EmailResetExpires, "{ttl}", minutes(l, e.ExpiresIn))
}

// PasswordChanged tells the holder of an account that its password was
// changed, and where to go if they did not do it. It carries no secret.
type PasswordChanged struct {
	Brand    Brand
	At       string // when, in words ("2 January 2026 at 15:04 UTC")
	ResetURL string // the forgot-password page on the public origin
}

var _ Email = PasswordChanged{}

// Subject says what happened.
func (e PasswordChanged) Subject(l messages.Lang) string {
	return l.Fill(messages.PasswordChangedSubject, "{app}", e.Brand.AppName)
}

// HTML is the HTML body.
func (e PasswordChanged) HTML() templ.Component { return passwordChangedHTML(e) }

// Text is the plain-text body.
func (e PasswordChanged) Text(l messages.Lang) templ.Component {
	return TextLayout(e.Brand, PlainText(e.body(l)+"\n\n"+e.notYou(l)+"\n"))
}

func (e PasswordChanged) body(l messages.Lang) string {
	return l.Fill(messages.PasswordChangedBody, "{app}", e.Brand.AppName, "{time}", e.At)
}

func (e PasswordChanged) notYou(l messages.Lang) string {
	return l.Fill(messages.PasswordChangedNotYou, "{url}", e.ResetURL)
}
