package web_test

import (
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/web"
)

// newSettings wires the settings flows as main does: with the code flows'
// store and queue when the harness has them (email and SMS codes), with
// the password alone otherwise.
func newSettings(bdb *bun.DB, sessions *db.Sessions, hasher auth.Hasher, audit *db.Audit, clk *clock, log *slog.Logger, d settingsDelivery, o harnessOptions, g *guard.Guard) *auth.Settings {
	opt := auth.SettingsOptions{DeleteGrace: o.deleteGrace, Clock: clk.Now, Logger: log, Guard: g}
	var codes auth.CodeStore
	var queue db.Enqueuer
	if d.store != nil {
		codes, queue = d.store, d.queue
		opt.Email = web.CodeMessages{Brand: email.Brand{AppName: "Latch"}, Origin: d.origin}
		if o.phones {
			opt.SMS = web.SMSMessages{AppName: "Latch"}
		}
	}
	return auth.NewSettings(db.NewSettings(bdb, queue), audit, sessions, codes, d.hasher, hasher, audit, opt)
}
