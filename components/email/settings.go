package email

import (
	"time"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
)

// SettingsCode is an email carrying a code for an account change: proving
// a new address (ChangeEmailCode) or proving it is the user before a
// sensitive change (ReauthCode). Its words come from the catalog.
type SettingsCode struct {
	Brand     Brand
	Code      string
	ExpiresIn time.Duration
	Reauth    bool // a re-authentication code; otherwise a new address's code
}

var _ Email = SettingsCode{}

func (e SettingsCode) keys() (subject, intro, ignore messages.Key) {
	if e.Reauth {
		return messages.EmailReauthSubject, messages.EmailReauthIntro, messages.EmailReauthIgnore
	}
	return messages.EmailChangeCodeSubject, messages.EmailChangeCodeIntro, messages.EmailChangeCodeIgnore
}

// Subject names the code.
func (e SettingsCode) Subject(l messages.Lang) string {
	subject, _, _ := e.keys()
	return l.Fill(subject, "{app}", e.Brand.AppName, "{code}", e.Code)
}

func (e SettingsCode) intro(l messages.Lang) string {
	_, intro, _ := e.keys()
	return l.Fill(intro, "{app}", e.Brand.AppName)
}

func (e SettingsCode) ignore(l messages.Lang) string {
	_, _, ignore := e.keys()
	return l.Fill(ignore, "{ttl}", minutes(l, e.ExpiresIn))
}

// HTML is the HTML body.
func (e SettingsCode) HTML() templ.Component { return settingsCodeHTML(e) }

// Text is the plain-text body.
func (e SettingsCode) Text(l messages.Lang) templ.Component {
	return TextLayout(e.Brand, PlainText(e.intro(l)+"\n\n    "+e.Code+"\n\n"+e.ignore(l)+"\n"))
}

// EmailChanged tells an account's old address that the email was changed,
// naming the new one only masked ("n***@example.com").
type EmailChanged struct {
	Brand  Brand
	Masked string
}

var _ Email = EmailChanged{}

// Subject says what happened.
func (e EmailChanged) Subject(l messages.Lang) string {
	return l.Fill(messages.EmailChangedSubject, "{app}", e.Brand.AppName)
}

func (e EmailChanged) body(l messages.Lang) string {
	return l.Fill(messages.EmailChangedBody, "{app}", e.Brand.AppName, "{new}", e.Masked)
}

// HTML is the HTML body.
func (e EmailChanged) HTML() templ.Component { return emailChangedHTML(e) }

// Text is the plain-text body.
func (e EmailChanged) Text(l messages.Lang) templ.Component {
	return TextLayout(e.Brand, PlainText(e.body(l)+"\n\n"+l.Text(messages.EmailChangedNotYou)+"\n"))
}
