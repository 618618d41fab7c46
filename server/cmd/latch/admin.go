package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/roles"
)

// adminCommand runs `latch admin grant|revoke EMAIL ROLE` and `latch admin list`
// for the configured app (roles.Service.Command).
func adminCommand(ctx context.Context, cfg config.Config, bdb *bun.DB, args []string, stdout io.Writer, log *slog.Logger) error {
	appID, err := db.AppID(ctx, bdb, cfg.App)
	if err != nil {
		return err
	}
	svc := roles.New(db.NewRoles(bdb), db.NewAudit(bdb, nil), log)
	return svc.Command(ctx, db.NewUsers(bdb), appID, args, stdout)
}
