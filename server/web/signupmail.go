package web

import (
	"context"
	"net/url"
	"time"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

var _ auth.SignupMessages = CodeMessages{}

// SignupLink is the URL of a signup link: {origin}/signup/link?token=….
func (m CodeMessages) SignupLink(token string) string {
	return m.Origin + pages.SignupLinkPath + "?" + url.Values{pages.LinkTokenField: {token}}.Encode()
}

// SignupCode is the email that finishes a signup: a code and a link.
func (m CodeMessages) SignupCode(ctx context.Context, to, code, linkToken string, codeTTL, linkTTL time.Duration) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	return m.render(ctx, to, "signup_code", email.SignupCode{Brand: m.Brand, Code: code, Link: m.SignupLink(linkToken),
		ExpiresIn: codeTTL, LinkExpiresIn: linkTTL})
}

// SignupExisting is the note to an address that already has an account:
// links to log in and to reset the password, on the public origin.
func (m CodeMessages) SignupExisting(ctx context.Context, to string) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	return m.render(ctx, to, "signup_existing", email.SignupExisting{Brand: m.Brand,
		LoginURL: m.Origin + "/login", ResetURL: m.Origin + pages.ForgotPath})
}
