package main

import (
	"log/slog"

	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/blocklist"
	"github.com/latch-dev/latch/server/breach"
	"github.com/latch-dev/latch/server/config"
)

// passwordChecks is the blocklist every new password goes through, on
// every path that sets one: the embedded common-password list and the
// context words (the product's name, the account's email), then, when
// LATCH_BREACH_RANGE_URL is set, the breach range service, which fails open.
func passwordChecks(cfg config.Config, log *slog.Logger) auth.Blocklist {
	list := blocklist.New(cfg.Brand.Name)
	checks := auth.Blocklists{list}
	attrs := []any{"passwords", list.Len(), "bytes", list.Size()}
	if cfg.BreachRangeURL != "" {
		checks = append(checks, breach.New(cfg.BreachRangeURL, breach.Options{Timeout: cfg.BreachRangeTimeout, Logger: log}))
		attrs = append(attrs, "breach_range", cfg.BreachRangeURL)
	}
	log.Info("password blocklist", attrs...)
	return checks
}
