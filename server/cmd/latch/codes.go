package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/theme"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/outbox/smtp"
	"github.com/latch-dev/latch/server/outbox/twilio"
	"github.com/latch-dev/latch/server/phone"
	"github.com/latch-dev/latch/server/token"
	"github.com/latch-dev/latch/server/web"
)

// codeParts are the one-time code flows and the outbox worker delivering
// their messages.
type codeParts struct {
	codes  *auth.Codes  // login by email code; nil without email delivery
	phones *auth.Phones // login, signup and numbers by SMS code; nil without SMS delivery
	// passwords resets (by whichever channel delivers) and changes
	// passwords; nil without any delivery, as its notices need one.
	passwords *auth.Passwords
	worker    *outbox.Worker
	pool      *pgxpool.Pool
	// notices queues emails that carry no code (two-step verification
	// notices); nil without email delivery.
	notices auth.Notifier
	// recoveries stores account recoveries, queueing their notices.
	recoveries *db.Recoveries
	// For the settings flows: the code store, its hasher and the queue
	// their notices go on; nil without any delivery.
	store *auth.GuardedCodes
	otp   *otp.Hasher
	queue *outbox.Queue
	// audit records security events (counted, with metrics on).
	audit auth.Auditor
}

// codeFlows wires the one-time code flows: the River outbox (its schema
// migrated and a worker started) and the code store. Emails go through
// SMTP and text messages through Twilio; in dev, whichever is not
// configured lands in the local mailbox table. In production, a channel
// without delivery is off: no SMTP, no email codes (nil codes); no
// Twilio, no phone flows (nil phones, and their routes are absent). With
// neither, there is no worker.
func codeFlows(ctx context.Context, cfg config.Config, bdb *bun.DB, dsn string, kek []byte, passwordHasher auth.Hasher, blocklist auth.Blocklist, g auth.Guard, audit auth.Auditor, deliveries outbox.Metrics, log *slog.Logger) (codeParts, error) {
	var senders outbox.Senders
	features := cfg.Features()
	switch features.Email {
	case config.DeliverySMTP:
		s, err := smtp.New(smtp.Config{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS})
		if err != nil {
			return codeParts{}, fmt.Errorf("config: SMTP: %w", err)
		}
		senders.Email = s
	case config.DeliveryDevMailbox:
		senders.Email = outbox.NewMailbox(bdb, nil)
		log.Info("LATCH_SMTP_HOST is not set: emails go to the outbox_dev_mailbox table")
	default:
		log.Warn("LATCH_SMTP_HOST is not set: login by email code is off")
	}
	switch features.SMS {
	case config.DeliveryTwilio:
		s, err := twilio.New(twilio.Config{BaseURL: cfg.TwilioBaseURL, AccountSID: cfg.TwilioAccountSID,
			AuthToken: cfg.TwilioAuthToken, From: cfg.TwilioFrom})
		if err != nil {
			return codeParts{}, fmt.Errorf("config: Twilio: %w", err)
		}
		senders.SMS = s
	case config.DeliveryDevMailbox:
		senders.SMS = outbox.NewMailbox(bdb, nil)
		log.Info("LATCH_TWILIO_ACCOUNT_SID is not set: text messages go to the outbox_dev_mailbox table")
	default:
		log.Warn("LATCH_TWILIO_ACCOUNT_SID is not set: login, signup and numbers by SMS code are off")
	}
	if senders.Email == nil && senders.SMS == nil {
		return codeParts{}, nil
	}
	numbers, err := phone.New(cfg.PhoneDefaultRegion, cfg.PhoneRegions)
	if err != nil {
		return codeParts{}, fmt.Errorf("config: %w", err)
	}
	pool, err := riverPool(ctx, dsn)
	if err != nil {
		return codeParts{}, err
	}
	fail := func(err error) (codeParts, error) {
		pool.Close()
		return codeParts{}, err
	}
	if _, err := outbox.MigrateRiver(ctx, pool, log); err != nil {
		return fail(err)
	}
	// Message bodies carry codes: they wait in the queue sealed.
	sealer, err := token.NewSealer(kek, token.PurposeOutbox)
	if err != nil {
		return fail(err)
	}
	queue, err := outbox.NewQueue(bdb.DB, outbox.QueueConfig{Sealer: sealer})
	if err != nil {
		return fail(err)
	}
	worker, err := outbox.NewWorker(pool, senders, outbox.WorkerConfig{Logger: log, Sealer: sealer, Metrics: deliveries})
	if err != nil {
		return fail(err)
	}
	key, err := otp.DeriveKey(kek)
	if err != nil {
		return fail(err)
	}
	hasher, err := otp.NewHasher(key)
	if err != nil {
		return fail(err)
	}
	users := db.NewUsers(bdb)
	onetime := db.NewOneTime(bdb, db.DefaultSendLimits, nil)
	// Every code sent or checked, for any flow, passes the guard.
	store := auth.NewGuardedCodes(db.NewCodes(onetime, queue), users, g)
	parts := codeParts{worker: worker, pool: pool, recoveries: db.NewRecoveries(bdb, queue), store: store, otp: hasher, queue: queue, audit: audit}
	resetOptions := auth.PasswordsOptions{Email: senders.Email != nil, TTL: cfg.ResetTTL, Logger: log, Blocklist: blocklist, Guard: g,
		SecondFactors: auth.TOTPRequired{Store: db.NewTwoFactor(bdb)}}
	if senders.SMS != nil {
		resetOptions.Numbers = numbers
	}
	parts.passwords = auth.NewPasswords(users, db.NewPasswords(bdb, onetime, queue, nil), store, hasher, passwordHasher,
		web.PasswordMessages{Brand: mailBrand(cfg), Origin: cfg.Origin()}, audit, resetOptions)
	if senders.Email != nil {
		parts.notices = db.NewNotices(bdb, queue)
		parts.codes = auth.NewCodes(users, store, hasher,
			web.CodeMessages{Brand: mailBrand(cfg), Origin: cfg.Origin()}, audit,
			auth.Lifetimes{Code: cfg.CodeTTL, Link: cfg.LinkTTL}, log)
	}
	if senders.SMS != nil {
		parts.phones = auth.NewPhones(users, store, hasher, numbers, web.SMSMessages{AppName: cfg.Brand.Name}, audit,
			auth.PhonesOptions{TTL: cfg.CodeTTL, Logger: log, ResetHold: cfg.RecoveryWait})
	}
	return parts, nil
}

// devMailbox is the mailbox /dev/mailbox reads: only in dev with SMTP or
// Twilio not configured, where those messages land in the
// outbox_dev_mailbox table. Anywhere else it is nil and the page does not
// exist.
func devMailbox(cfg config.Config, bdb *bun.DB) web.DevMailbox {
	if !cfg.Features().DevMailbox {
		return nil
	}
	return outbox.NewMailbox(bdb, nil)
}

// riverPool opens the small pgx pool the outbox worker listens and works on.
func riverPool(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("db: parse DATABASE_URL: invalid connection string")
	}
	pc.MaxConns = 5
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("db: outbox pool: %w", err)
	}
	return pool, nil
}

// twoFactor wires two-step verification: TOTP secrets sealed under the
// KEK (their own purpose), recovery codes hashed under a key derived from
// it, and notices by email when email delivery is on (notices nil: none).
func twoFactor(cfg config.Config, bdb *bun.DB, kek []byte, audit auth.Auditor, notices auth.Notifier, g auth.Guard, log *slog.Logger) (*auth.TwoFactor, error) {
	sealer, err := token.NewSealer(kek, token.PurposeTOTP)
	if err != nil {
		return nil, err
	}
	key, err := otp.DeriveKey(kek)
	if err != nil {
		return nil, err
	}
	hasher, err := otp.NewHasher(key)
	if err != nil {
		return nil, err
	}
	return auth.NewTwoFactor(db.NewUsers(bdb), db.NewTwoFactor(bdb), sealer, hasher, audit, auth.TwoFactorOptions{
		Issuer: cfg.Brand.Name, Messages: web.TwoFactorMessages{Brand: mailBrand(cfg)}, Notifier: notices, Guard: g, Failures: db.NewAudit(bdb, nil), Logger: log,
		ResetHold: cfg.RecoveryWait,
	}), nil
}

// mailBrand is what every email and its text body say about who sent it
// and how it looks: the configured product name (LATCH_BRAND_NAME) and logo
// (LATCH_BRAND_LOGO, a path read against LATCH_PUBLIC_URL) and the page
// theme's colours, fonts and radii (emailTheme).
func mailBrand(cfg config.Config) email.Brand {
	th, err := emailTheme(cfg)
	if err != nil {
		th = email.DefaultTheme() // serve refuses to start on this error first
	}
	return email.Brand{AppName: cfg.Brand.Name, Theme: th,
		Support: cfg.Brand.SupportHref(), Terms: cfg.Brand.TermsURL, Privacy: cfg.Brand.PrivacyURL,
		Logo: cfg.Brand.Logo, BaseURL: cfg.Origin()}
}

// emailTheme is the emails' theme, taken from the same theme file as the
// pages: the built-in one, or in dev with LATCH_STATIC_DIR the one on disk.
//
// Errors: the theme file on disk cannot be read or lacks a token emails use.
func emailTheme(cfg config.Config) (email.Theme, error) {
	if cfg.StaticDir == "" {
		return email.DefaultTheme(), nil
	}
	t, err := theme.Load(os.DirFS(staticDir(cfg)))
	if err != nil {
		return email.Theme{}, err
	}
	return email.ThemeFrom(t)
}
