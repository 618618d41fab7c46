package email

import (
	"fmt"
	"time"

	"github.com/a-h/templ"
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
func (e VerifyEmail) Subject() string {
	return fmt.Sprintf("Verify your email for %s: %s", e.Brand.AppName, e.Code)
}

// HTML is the HTML body.
func (e VerifyEmail) HTML() templ.Component {
	return verifyEmailHTML(e)
}

// Text is the plain-text body.
func (e VerifyEmail) Text() templ.Component {
	return TextLayout(e.Brand, PlainText(fmt.Sprintf(
		"Your %s verification code is:\n\n    %s\n\nOr open this link to verify your email address:\n%s\n\nBoth expire in %s. If you did not create an account, you can ignore this email.\n",
		e.Brand.AppName, e.Code, e.Link, minutes(e.ExpiresIn))))
}
