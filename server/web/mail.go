package web

import (
	"context"
	"net/url"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/useragent"
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
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
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
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	link := m.Origin + pages.VerifyEmailPath + "?" + url.Values{pages.LinkTokenField: {linkToken}}.Encode()
	r, err := email.Render(ctx, email.VerifyEmail{Brand: m.Brand, Code: code, Link: link, ExpiresIn: ttl})
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: "verify_email"}, nil
}

// TwoFactorMessages writes the notices of two-step verification from
// components/email and the message catalog (auth.TwoFactorMessages).
type TwoFactorMessages struct {
	Brand email.Brand
}

var _ auth.TwoFactorMessages = TwoFactorMessages{}

func (m TwoFactorMessages) notice(ctx context.Context, to, purpose string, subject messages.Key, body string, warn bool) (auth.Message, error) {
	m.Brand, _ = appBrand(ctx, m.Brand, "")
	l := i18n.LangOf(ctx)
	n := email.Notice{Brand: m.Brand, Title: l.Fill(subject, "{app}", m.Brand.AppName), Lines: []string{body}}
	if warn {
		n.Warning = l.Text(messages.EmailNotYou)
	}
	r, err := email.Render(ctx, n)
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: purpose}, nil
}

// ChangeEmailCode is the email carrying the code that proves a new
// address (auth.SettingsMessages).
func (m CodeMessages) ChangeEmailCode(ctx context.Context, to, code string, ttl time.Duration) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	return m.render(ctx, to, "change_email_code", email.SettingsCode{Brand: m.Brand, Code: code, ExpiresIn: ttl})
}

// ReauthCode is the email carrying a code that proves it is the user.
func (m CodeMessages) ReauthCode(ctx context.Context, to, code string, ttl time.Duration) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	return m.render(ctx, to, "reauth_code", email.SettingsCode{Brand: m.Brand, Code: code, ExpiresIn: ttl, Reauth: true})
}

// EmailChanged is the notice to an account's old address.
func (m CodeMessages) EmailChanged(ctx context.Context, to, masked string) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	return m.render(ctx, to, "email_changed", email.EmailChanged{Brand: m.Brand, Masked: masked})
}

func (m CodeMessages) render(ctx context.Context, to, purpose string, e email.Email) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	r, err := email.Render(ctx, e)
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: purpose}, nil
}

// TwoFactorEnabled says two-step verification was turned on.
func (m TwoFactorMessages) TwoFactorEnabled(ctx context.Context, to string) (auth.Message, error) {
	m.Brand, _ = appBrand(ctx, m.Brand, "")
	ctx = inRecipientLang(ctx, to)
	l := i18n.LangOf(ctx)
	return m.notice(ctx, to, "two_factor_enabled", messages.EmailTwoFactorEnabledSubject, l.Text(messages.EmailTwoFactorEnabledBody), true)
}

// TwoFactorDisabled says two-step verification was turned off.
func (m TwoFactorMessages) TwoFactorDisabled(ctx context.Context, to string) (auth.Message, error) {
	m.Brand, _ = appBrand(ctx, m.Brand, "")
	ctx = inRecipientLang(ctx, to)
	l := i18n.LangOf(ctx)
	return m.notice(ctx, to, "two_factor_disabled", messages.EmailTwoFactorDisabledSubject, l.Text(messages.EmailTwoFactorDisabledBody), true)
}

// RecoveryCodesReplaced says a new set of recovery codes voided the old.
func (m TwoFactorMessages) RecoveryCodesReplaced(ctx context.Context, to string) (auth.Message, error) {
	m.Brand, _ = appBrand(ctx, m.Brand, "")
	ctx = inRecipientLang(ctx, to)
	l := i18n.LangOf(ctx)
	return m.notice(ctx, to, "recovery_codes_replaced", messages.EmailRecoveryReplacedSubject, l.Text(messages.EmailRecoveryReplacedBody), true)
}

// RecoveryCodeUsed says a recovery code signed someone in, and how many
// are left.
func (m TwoFactorMessages) RecoveryCodeUsed(ctx context.Context, to string, left int) (auth.Message, error) {
	m.Brand, _ = appBrand(ctx, m.Brand, "")
	ctx = inRecipientLang(ctx, to)
	l := i18n.LangOf(ctx)
	return m.notice(ctx, to, "recovery_code_used", messages.EmailRecoveryUsedSubject,
		l.Fill(messages.EmailRecoveryUsedBody, "{count}", i18n.Number(l, left)), true)
}

// SecondFactorFailed says someone passed the first factor and then failed
// the second too many times.
// It says how many wrong codes the account met in the last hour: at most
// one such notice goes out an hour, so it sums up the rest.
func (m TwoFactorMessages) SecondFactorFailed(ctx context.Context, to string, failures int) (auth.Message, error) {
	m.Brand, _ = appBrand(ctx, m.Brand, "")
	ctx = inRecipientLang(ctx, to)
	l := i18n.LangOf(ctx)
	body := l.Text(messages.EmailSecondFactorFailedBody)
	if failures > 0 {
		body += " " + l.Fill(messages.EmailSecondFactorFailedCount, "{count}", i18n.Number(l, failures))
	}
	return m.notice(ctx, to, "second_factor_failed", messages.EmailSecondFactorFailedSubject, body, true)
}

// PasswordMessages writes the messages of password reset and change
// (auth.PasswordMessages): emails from components/email, text messages
// from the catalog. Links point at Origin, the configured public origin,
// never at a request's Host.
type PasswordMessages struct {
	Brand  email.Brand
	Origin string
}

// ResetLink is the URL of a reset link: {origin}/password/reset?token=….
func (m PasswordMessages) ResetLink(token string) string {
	return m.Origin + pages.ResetPath + "?" + url.Values{pages.ResetTokenParameter: {token}}.Encode()
}

// ResetEmail carries a reset code and link.
func (m PasswordMessages) ResetEmail(ctx context.Context, to, code, linkToken string, ttl time.Duration) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	r, err := email.Render(ctx, email.ResetPassword{Brand: m.Brand, Code: code, Link: m.ResetLink(linkToken), ExpiresIn: ttl})
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: "reset_password"}, nil
}

// ResetSMS carries a reset code by text message.
func (m PasswordMessages) ResetSMS(ctx context.Context, to, code string, ttl time.Duration) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	l := i18n.LangOf(ctx)
	text := l.Fill(messages.SMSResetCode, "{code}", code, "{app}", m.Brand.AppName, "{minutes}", i18n.Number(l, int(ttl.Minutes())))
	return auth.Message{SMS: true, To: to, Text: text, Purpose: "reset_password_sms_code"}, nil
}

// ResetSMSElsewhere tells a number whose account also has an email address
// to reset by email, or to recover the account, with no code.
func (m PasswordMessages) ResetSMSElsewhere(ctx context.Context, to string) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	l := i18n.LangOf(ctx)
	text := l.Fill(messages.SMSResetElsewhere, "{app}", m.Brand.AppName, "{url}", m.Origin+pages.RecoverPath)
	return auth.Message{SMS: true, To: to, Text: text, Purpose: "reset_password_sms_elsewhere"}, nil
}

// PasswordChangedEmail tells an address its account's password changed.
func (m PasswordMessages) PasswordChangedEmail(ctx context.Context, to string, at time.Time) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	l := i18n.LangOf(ctx)
	r, err := email.Render(ctx, email.PasswordChanged{Brand: m.Brand, At: i18n.DateAt(l, at),
		ResetURL: m.Origin + pages.ForgotPath})
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: "password_changed"}, nil
}

// PasswordChangedSMS tells a number its account's password changed.
func (m PasswordMessages) PasswordChangedSMS(ctx context.Context, to string, _ time.Time) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	l := i18n.LangOf(ctx)
	text := l.Fill(messages.SMSPasswordChanged, "{app}", m.Brand.AppName, "{url}", m.Origin+pages.ForgotPath)
	return auth.Message{SMS: true, To: to, Text: text, Purpose: "password_changed_sms"}, nil
}

// SignInMessages writes the "new sign-in" notice (auth.SignInMessages).
// Its one link goes to the devices page on Origin, where the holder can
// sign the browser out.
type SignInMessages struct {
	Brand  email.Brand
	Origin string
}

// NewSignIn names the browser and system, the address and the time.
func (m SignInMessages) NewSignIn(ctx context.Context, to string, s auth.NewSignIn) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	return m.write(ctx, to, s, "new_sign_in", messages.EmailNewSignInSubject, messages.EmailNewSignInBody)
}

// Restored says a sign-in restored the deleted account, from where.
func (m SignInMessages) Restored(ctx context.Context, to string, s auth.NewSignIn) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	return m.write(ctx, to, s, "account_restored", messages.EmailRestoredSubject, messages.EmailRestoredBody)
}

// ProviderLinked says which provider can now sign in, from where.
func (m SignInMessages) ProviderLinked(ctx context.Context, to, provider string, s auth.NewSignIn) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, to)
	return m.write(ctx, to, s, "provider_linked", messages.EmailProviderLinkedSubject, messages.EmailProviderLinkedBody, "{provider}", provider)
}

func (m SignInMessages) write(ctx context.Context, to string, s auth.NewSignIn, purpose string, subject, body messages.Key, fill ...string) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	l := i18n.LangOf(ctx)
	ua := useragent.Parse(s.UserAgent)
	browser := l.Text(messages.UnknownBrowser)
	if ua.Browser != "" || ua.OS != "" {
		browser = deviceLabel(l, auth.Session{Browser: ua.Browser, OS: ua.OS})
	}
	n := email.Notice{Brand: m.Brand, Title: l.Fill(subject, append([]string{"{app}", m.Brand.AppName}, fill...)...),
		Lines: []string{l.Fill(body, fill...),
			l.Fill(messages.EmailNewSignInWhere, "{browser}", browser, "{ip}", s.IP, "{time}", i18n.DateTime(l, s.At))},
		Warning:     l.Text(messages.EmailNotYou),
		ActionLabel: l.Text(messages.EmailNewSignInAction), ActionURL: m.Origin + devicesPath}
	r, err := email.Render(ctx, n)
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: purpose}, nil
}
