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
func (e ResetPassword) Subject() string {
	return messages.Fill(messages.EmailResetSubject, "{app}", e.Brand.AppName, "{code}", e.Code)
}

// HTML is the HTML body.
func (e ResetPassword) HTML() templ.Component { return resetPasswordHTML(e) }

// Text is the plain-text body.
func (e ResetPassword) Text() templ.Component {
	return TextLayout(e.Brand, PlainText(
		messages.Text(messages.EmailResetIntro)+"\n\n    "+e.Code+"\n\n"+
			messages.Text(messages.EmailResetLinkText)+"\n"+e.Link+"\n\n"+
			e.expiry()+" "+messages.Text(messages.EmailResetIgnore)+"\n"))
}

func (e ResetPassword) expiry() string {
	return messages.Fill(messages.EmailResetExpires, "{ttl}", minutes(e.ExpiresIn))
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
func (e PasswordChanged) Subject() string {
	return messages.Fill(messages.PasswordChangedSubject, "{app}", e.Brand.AppName)
}

// HTML is the HTML body.
func (e PasswordChanged) HTML() templ.Component { return passwordChangedHTML(e) }

// Text is the plain-text body.
func (e PasswordChanged) Text() templ.Component {
	return TextLayout(e.Brand, PlainText(e.body()+"\n\n"+e.notYou()+"\n"))
}

func (e PasswordChanged) body() string {
	return messages.Fill(messages.PasswordChangedBody, "{app}", e.Brand.AppName, "{time}", e.At)
}

func (e PasswordChanged) notYou() string {
	return messages.Fill(messages.PasswordChangedNotYou, "{url}", e.ResetURL)
}
