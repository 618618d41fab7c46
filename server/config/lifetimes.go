package config

import (
	"net/url"
	"strings"
	"time"
)

// Lifetimes are the policy durations and background intervals that are
// not part of a flow's own settings above: every one has a default and a
// LATCH_ key (see .env.example), and main passes each to the part that
// uses it.
type Lifetimes struct {
	// ReauthWindow is LATCH_REAUTH_WINDOW: how long a proof of identity lets
	// a signed-in user make sensitive changes (default 5m, 1m to 1h).
	ReauthWindow time.Duration
	// CodeTTL is LATCH_CODE_TTL: how long an emailed or texted sign-in,
	// verification or re-authentication code works (default 10m, 2m to 1h).
	CodeTTL time.Duration
	// LinkTTL is LATCH_LINK_TTL: how long a sign-in or verification link
	// works (default 15m, 2m to 24h).
	LinkTTL time.Duration
	// ResetTTL is LATCH_RESET_TTL: how long a password-reset code or link
	// works (default 15m, 2m to 24h).
	ResetTTL time.Duration
	// PurgeInterval is LATCH_PURGE_INTERVAL: how often a running server
	// purges deleted accounts past their grace (default 1h, 1m to 24h).
	PurgeInterval time.Duration
	// PruneInterval is LATCH_PRUNE_INTERVAL: how often expired sessions,
	// codes, proofs, guard entries and refresh tokens are removed
	// (default 5m, 10s to 1h).
	PruneInterval time.Duration
	// KeyReloadInterval is LATCH_KEY_RELOAD_INTERVAL: how often the
	// signing keys are reloaded, so a rotation by one instance reaches all
	// (default 1m, 100ms to 1h).
	KeyReloadInterval time.Duration
	// SecondFactorTTL is LATCH_SECOND_FACTOR_TTL: how long a sign-in that
	// passed its first factor waits for the second (default 10m, 1m to 1h).
	SecondFactorTTL time.Duration
	// ProviderTTL is LATCH_PROVIDER_TTL: how long a sign-in at a provider
	// may take to come back, and how long a provider account is held for
	// linking (default 10m, 1m to 1h).
	ProviderTTL time.Duration
}

// loadLifetimes reads Lifetimes, each within its bounds.
func (c *Config) loadLifetimes(p *parser) {
	read := func(key string, def, lo, hi time.Duration, hint string) time.Duration {
		d := p.duration(key, def)
		if d < lo || d > hi {
			p.fail(key, "must be from "+hint)
		}
		return d
	}
	c.ReauthWindow = read("LATCH_REAUTH_WINDOW", 5*time.Minute, time.Minute, time.Hour, "1m to 1h")
	c.CodeTTL = read("LATCH_CODE_TTL", 10*time.Minute, 2*time.Minute, time.Hour, "2m to 1h")
	c.LinkTTL = read("LATCH_LINK_TTL", 15*time.Minute, 2*time.Minute, 24*time.Hour, "2m to 24h")
	c.ResetTTL = read("LATCH_RESET_TTL", 15*time.Minute, 2*time.Minute, 24*time.Hour, "2m to 24h")
	c.PurgeInterval = read("LATCH_PURGE_INTERVAL", time.Hour, time.Minute, 24*time.Hour, "1m to 24h")
	c.PruneInterval = read("LATCH_PRUNE_INTERVAL", 5*time.Minute, 10*time.Second, time.Hour, "10s to 1h")
	c.SecondFactorTTL = read("LATCH_SECOND_FACTOR_TTL", 10*time.Minute, time.Minute, time.Hour, "1m to 1h")
	c.ProviderTTL = read("LATCH_PROVIDER_TTL", 10*time.Minute, time.Minute, time.Hour, "1m to 1h")
	c.KeyReloadInterval = read("LATCH_KEY_RELOAD_INTERVAL", time.Minute, 100*time.Millisecond, time.Hour, "100ms to 1h")
}

// loadCORS reads LATCH_CORS_ORIGINS: the exact origins (comma-separated
// scheme://host[:port], no path, no wildcard) whose pages may call the
// token API from a browser. Empty: no cross-origin calls.
func (c *Config) loadCORS(p *parser) {
	raw := strings.TrimSpace(p.getenv("LATCH_CORS_ORIGINS"))
	if raw == "" {
		return
	}
	for _, o := range strings.Split(raw, ",") {
		o = strings.TrimSpace(o)
		u, err := url.Parse(o)
		if o == "*" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.Contains(u.Host, "*") {
			p.fail("LATCH_CORS_ORIGINS", "must be exact origins such as https://app.example.com, comma-separated (no wildcard, no path)")
			return
		}
		if u.Scheme == "http" && c.Env != EnvDev && !loopbackHost(u.Hostname()) {
			p.fail("LATCH_CORS_ORIGINS", "must use https in production, except on loopback")
			return
		}
		c.CORSOrigins = append(c.CORSOrigins, strings.ToLower(u.Scheme+"://"+u.Host))
	}
}

func loopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || strings.HasPrefix(h, "127.")
}
