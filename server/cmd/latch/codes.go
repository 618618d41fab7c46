package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/otp"
	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/outbox/smtp"
	"github.com/latch-dev/latch/server/token"
	"github.com/latch-dev/latch/server/web"
)

// codeFlows wires login by one-time email codes and magic links: the
// River outbox (its schema migrated and a worker started) and the code
// store. Links point to the configured public origin, never to a request's
// Host. With no SMTP configured, dev delivers to the local mailbox table
// and production offers no code login (nil Codes, no worker).
func codeFlows(ctx context.Context, cfg config.Config, bdb *bun.DB, dsn string, kek []byte, audit auth.Auditor, log *slog.Logger) (*auth.Codes, *outbox.Worker, *pgxpool.Pool, error) {
	var sender outbox.Sender
	switch {
	case cfg.SMTPHost != "":
		s, err := smtp.New(smtp.Config{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("config: SMTP: %w", err)
		}
		sender = s
	case cfg.Env == config.EnvDev:
		sender = outbox.NewMailbox(bdb, nil)
		log.Info("LATCH_SMTP_HOST is not set: emails go to the outbox_dev_mailbox table")
	default:
		log.Warn("LATCH_SMTP_HOST is not set: login by email code is off")
		return nil, nil, nil, nil
	}
	pool, err := riverPool(ctx, dsn)
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := outbox.MigrateRiver(ctx, pool, log); err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	// Message bodies carry codes: they wait in the queue sealed.
	sealer, err := token.NewSealer(kek, token.PurposeOutbox)
	if err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	queue, err := outbox.NewQueue(bdb.DB, outbox.QueueConfig{Sealer: sealer})
	if err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	worker, err := outbox.NewWorker(pool, outbox.Senders{Email: sender}, outbox.WorkerConfig{Logger: log, Sealer: sealer})
	if err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	key, err := otp.DeriveKey(kek)
	if err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	hasher, err := otp.NewHasher(key)
	if err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	onetime := db.NewOneTime(bdb, db.DefaultSendLimits, nil)
	codes := auth.NewCodes(db.NewUsers(bdb), db.NewCodes(onetime, queue), hasher,
		web.CodeMessages{Brand: email.Brand{AppName: "Latch"}, Origin: cfg.Origin()}, audit,
		auth.Lifetimes{Code: 10 * time.Minute, Link: 15 * time.Minute}, log)
	return codes, worker, pool, nil
}

// devMailbox is the mailbox /dev/mailbox reads: only in dev with no SMTP
// configured, where emails land in the outbox_dev_mailbox table. Anywhere
// else it is nil and the page does not exist.
func devMailbox(cfg config.Config, bdb *bun.DB) web.DevMailbox {
	if cfg.Env != config.EnvDev || cfg.SMTPHost != "" {
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
