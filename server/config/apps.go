package config

// Apps are the settings of serving several apps from one deployment
// (server/apps): the default app is LATCH_APP.
type Apps struct {
	// TrustForwardedHost is LATCH_TRUST_FORWARDED_HOST: pick the request's
	// app by the last X-Forwarded-Host value instead of Host (default
	// false). Set it only behind a proxy that rewrites Host and sets
	// X-Forwarded-Host itself; otherwise a client could choose its app.
	TrustForwardedHost bool
}

func (c *Config) loadApps(p *parser) {
	c.TrustForwardedHost = p.bool("LATCH_TRUST_FORWARDED_HOST", false)
}
