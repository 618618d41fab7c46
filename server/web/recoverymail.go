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
)

// RecoveryMessages writes the notices of delayed recovery
// (auth.RecoveryMessages): emails from components/email, text messages
// from the catalog. Links are built on Origin, never a request's Host.
type RecoveryMessages struct {
	Brand  email.Brand
	Origin string
}

// when formats a moment for a notice, in UTC.
func when(l messages.Lang, t time.Time) string { return i18n.DateTime(l, t) }

func (m RecoveryMessages) link(path, token string) string {
	return m.Origin + path + "?" + url.Values{pages.LinkTokenField: {token}}.Encode()
}

// Started tells one channel of the account that recovery began, with the
// link that cancels it.
func (m RecoveryMessages) Started(ctx context.Context, kind auth.IdentityKind, addr, cancelToken string, readyAt time.Time) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, addr)
	l := i18n.LangOf(ctx)
	app, link := m.Brand.AppName, m.link(pages.RecoveryCancelPath, cancelToken)
	if kind == auth.IdentityPhone {
		return auth.Message{SMS: true, To: addr, Purpose: "recovery_started",
			Text: l.Fill(messages.SMSRecoveryStarted, "{app}", app, "{link}", link)}, nil
	}
	return m.email(ctx, addr, "recovery_started", email.Notice{Brand: m.Brand,
		Title: l.Fill(messages.EmailRecoveryStartedSubject, "{app}", app),
		Lines: []string{
			l.Fill(messages.EmailRecoveryStartedBody, "{app}", app, "{ready}", when(l, readyAt)),
			l.Text(messages.EmailRecoveryStartedIgnore),
		},
		ActionLabel: l.Text(messages.EmailRecoveryCancel), ActionURL: link})
}

// FinishLink texts the one who proved a phone the link that finishes.
func (m RecoveryMessages) FinishLink(ctx context.Context, number, finishToken string, readyAt time.Time) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, number)
	l := i18n.LangOf(ctx)
	return auth.Message{SMS: true, To: number, Purpose: "recovery_finish_link",
		Text: l.Fill(messages.SMSRecoveryFinishLink, "{app}", m.Brand.AppName, "{ready}", when(l, readyAt),
			"{link}", m.link(pages.RecoveryFinishPath, finishToken))}, nil
}

// Completed tells a former channel of the account that it was recovered.
func (m RecoveryMessages) Completed(ctx context.Context, kind auth.IdentityKind, addr string) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	ctx = inRecipientLang(ctx, addr)
	l := i18n.LangOf(ctx)
	app := m.Brand.AppName
	if kind == auth.IdentityPhone {
		return auth.Message{SMS: true, To: addr, Purpose: "recovery_completed",
			Text: l.Fill(messages.SMSRecoveryCompleted, "{app}", app)}, nil
	}
	return m.email(ctx, addr, "recovery_completed", email.Notice{Brand: m.Brand,
		Title: l.Fill(messages.EmailRecoveryCompletedSubject, "{app}", app),
		Lines: []string{l.Fill(messages.EmailRecoveryCompletedBody, "{app}", app)}})
}

func (m RecoveryMessages) email(ctx context.Context, to, purpose string, n email.Notice) (auth.Message, error) {
	m.Brand, m.Origin = appBrand(ctx, m.Brand, m.Origin)
	r, err := email.Render(ctx, n)
	if err != nil {
		return auth.Message{}, err
	}
	return auth.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Purpose: purpose}, nil
}
