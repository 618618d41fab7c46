package web

import (
	"context"
	"net/url"
	"time"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

// CodeMessages writes the emails that carry one-time codes from the templ
// components in components/email (auth.CodeMessages).
type CodeMessages struct {
	Brand email.Brand
	// Origin is the public origin (config LATCH_PUBLIC_URL) links are
	// built on. Never a request's Host: a forged Host header would make
	// Latch mail out links to an attacker's site.
	Origin string
}

// LoginCode is the email carrying a login code.
func (m CodeMessages) LoginCode(ctx context.Context, to, code string, ttl time.Duration) (auth.Message, error) {
	r, err := email.Render(ctx, email.LoginCode{Brand: m.Brand, Code: code, ExpiresIn: ttl})
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: "login_code"}, nil
}

// VerifyEmail is the email carrying a code and a link that prove an
// address. The link opens the confirm page VerifyEmailPath.
func (m CodeMessages) VerifyEmail(ctx context.Context, to, code, linkToken string, ttl time.Duration) (auth.Message, error) {
	link := m.Origin + pages.VerifyEmailPath + "?" + url.Values{pages.LinkTokenField: {linkToken}}.Encode()
	r, err := email.Render(ctx, email.VerifyEmail{Brand: m.Brand, Code: code, Link: link, ExpiresIn: ttl})
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: "verify_email"}, nil
}
