package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/web"
)

// A running server purges accounts whose deletion grace period has ended
// every LATCH_PURGE_INTERVAL. A ticker in each instance is enough: the
// purge locks each account it takes (SKIP LOCKED), so instances never
// purge one twice, and a purge late by an hour harms nobody.

// settingsFlows wires re-authentication and the account settings. parts
// holds the code flows' store and queue; without any delivery (zero
// parts) only a password can prove who a user is and the email cannot be
// changed.
func settingsFlows(cfg config.Config, bdb *bun.DB, parts codeParts, hasher auth.Hasher, g auth.Guard, log *slog.Logger) *auth.Settings {
	o := auth.SettingsOptions{DeleteGrace: cfg.DeleteGrace, CodeTTL: cfg.CodeTTL, Logger: log, Guard: g, ResetHold: cfg.RecoveryWait}
	var codes auth.CodeStore
	var queue db.Enqueuer
	if parts.store != nil {
		codes, queue = parts.store, parts.queue
		if parts.codes != nil {
			o.Email = web.CodeMessages{Brand: mailBrand(cfg), Origin: cfg.Origin()}
		}
		if parts.phones != nil {
			o.SMS = web.SMSMessages{AppName: cfg.Brand.Name}
		}
	}
	sessions := db.NewSessions(bdb, db.SessionKeys{}, nil)
	var audit auth.Auditor = db.NewAudit(bdb, nil)
	if parts.audit != nil {
		audit = parts.audit
	}
	return auth.NewSettings(db.NewSettings(bdb, queue), db.NewAudit(bdb, nil), sessions, codes, parts.otp, hasher, audit, o)
}

// purge runs the purge of deleted accounts once: `latch purge`.
func purge(ctx context.Context, cfg config.Config, bdb *bun.DB, stdout io.Writer, log *slog.Logger) error {
	s := settingsFlows(cfg, bdb, codeParts{}, nil, nil, log)
	n, err := s.Purge(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "purge: %d deleted account(s) past their grace period purged\n", n)
	return nil
}
