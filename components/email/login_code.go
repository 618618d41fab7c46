package email

import (
	"fmt"
	"time"

	"github.com/a-h/templ"
)

// LoginCode is the email carrying a one-time sign-in code and a link that
// does the same job.
type LoginCode struct {
	Brand     Brand
	Code      string        // "123456"
	Link      string        // an absolute https URL that confirms the sign-in
	ExpiresIn time.Duration // how long code and link stay valid
}

var _ Email = LoginCode{}

// Subject names the code: most clients show it in the notification.
func (e LoginCode) Subject() string {
	return fmt.Sprintf("Your %s sign-in code: %s", e.Brand.AppName, e.Code)
}

// HTML is the HTML body.
func (e LoginCode) HTML() templ.Component {
	return loginCodeHTML(e)
}

// Text is the plain-text body.
func (e LoginCode) Text() templ.Component {
	link := ""
	if e.Link != "" {
		link = "Or open this link to sign in:\n" + e.Link + "\n\n"
	}
	return TextLayout(e.Brand, PlainText(fmt.Sprintf(
		"Your %s sign-in code is:\n\n    %s\n\n%sIt expires in %s. If you did not ask to sign in, you can ignore this email: nobody can sign in without it.\n",
		e.Brand.AppName, e.Code, link, minutes(e.ExpiresIn))))
}

// minutes says d in words: "10 minutes", "1 hour".
func minutes(d time.Duration) string {
	switch m := int(d.Round(time.Minute) / time.Minute); {
	case m <= 1:
		return "1 minute"
	case m%60 == 0 && m/60 == 1:
		return "1 hour"
	case m%60 == 0:
		return fmt.Sprintf("%d hours", m/60)
	default:
		return fmt.Sprintf("%d minutes", m)
	}
}
