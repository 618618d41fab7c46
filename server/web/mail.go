package web

import (
	"context"
	"net/url"
	"time"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
)

// CodeMessages writes the emails that carry one-time codes and magic links
// from the templ components in components/email (auth.CodeMessages).
type CodeMessages struct {
	Brand email.Brand
	// Origin is the configured public origin (scheme://host[:port]) links
	// point to. It never comes from a request's Host header, which a client
	// chooses: a link to an attacker's host would hand them the token.
	Origin string
}

// LoginCode is the email carrying a login code, and a magic link when e
// has one.
func (m CodeMessages) LoginCode(ctx context.Context, to string, e auth.LoginEmail) (auth.Message, error) {
	body := email.LoginCode{Brand: m.Brand, Code: e.Code, ExpiresIn: e.CodeTTL}
	purpose := "login_code"
	if e.LinkToken != "" {
		body.Link, body.LinkExpiresIn, purpose = m.LoginLink(e.LinkToken, e.Next), e.LinkTTL, "login_code_link"
	}
	r, err := email.Render(ctx, body)
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: purpose}, nil
}

// LoginLink is the URL of a magic link: {origin}/login/link?token=…[&next=…].
// The token travels in the query, which request logs never record, and the
// page it opens only asks to confirm.
func (m CodeMessages) LoginLink(token, next string) string {
	link := m.Origin + pages.LinkLoginPath + "?" + pages.LinkTokenField + "=" + url.QueryEscape(token)
	if next != "" {
		link += "&" + pages.NextField + "=" + url.QueryEscape(next)
	}
	return link
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

// ChangeEmailCode is the email carrying the code that proves a new
// address (auth.SettingsMessages).
func (m CodeMessages) ChangeEmailCode(ctx context.Context, to, code string, ttl time.Duration) (auth.Message, error) {
	return m.render(ctx, to, "change_email_code", email.SettingsCode{Brand: m.Brand, Code: code, ExpiresIn: ttl})
}

// ReauthCode is the email carrying a code that proves it is the user.
func (m CodeMessages) ReauthCode(ctx context.Context, to, code string, ttl time.Duration) (auth.Message, error) {
	return m.render(ctx, to, "reauth_code", email.SettingsCode{Brand: m.Brand, Code: code, ExpiresIn: ttl, Reauth: true})
}

// EmailChanged is the notice to an account's old address.
func (m CodeMessages) EmailChanged(ctx context.Context, to, masked string) (auth.Message, error) {
	return m.render(ctx, to, "email_changed", email.EmailChanged{Brand: m.Brand, Masked: masked})
}

func (m CodeMessages) render(ctx context.Context, to, purpose string, e email.Email) (auth.Message, error) {
	r, err := email.Render(ctx, e)
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: purpose}, nil
}
