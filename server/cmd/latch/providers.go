package main

import (
	"fmt"
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/provider"
	"github.com/latch-dev/latch/server/token"
	"github.com/latch-dev/latch/server/web"
)

// providerFlows builds the configured sign-in providers and the linking
// policy over them; nil and none when LATCH_PROVIDERS is empty. A link by
// email to an account with a second factor (second) waits for it. A
// "provider linked" notice goes through notices when email is delivered.
func providerFlows(cfg config.Config, bdb *bun.DB, kek []byte, g auth.Guard, second auth.SecondFactorRequirer, notices *auth.SignInNotices, audit auth.Auditor, log *slog.Logger) (web.ProviderFlows, []provider.Provider, error) {
	if len(cfg.Providers) == 0 {
		return nil, nil, nil
	}
	client := provider.HTTPClient()
	var (
		list     []provider.Provider
		settings []auth.ProviderSettings
	)
	for _, pc := range cfg.Providers {
		p, err := provider.New(pc, client, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("config: %w", err)
		}
		list = append(list, p)
		c := p.Config()
		settings = append(settings, auth.ProviderSettings{ID: c.ID, Name: c.Name, TrustEmail: c.TrustEmail, KeepTokens: c.KeepTokens})
	}
	sealer, err := token.NewSealer(kek, token.PurposeProviderTokens)
	if err != nil {
		return nil, nil, err
	}
	o := auth.ProvidersOptions{Sealer: sealer, Guard: g, SecondFactors: second, Logger: log, ResetHold: cfg.RecoveryWait}
	if notices != nil {
		o.Notices = notices
	}
	flows := auth.NewProviders(db.NewProviders(bdb), settings, audit, o)
	return flows, list, nil
}
