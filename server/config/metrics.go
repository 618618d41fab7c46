package config

import "strings"

// Metrics are the Prometheus exposition's settings.
type Metrics struct {
	// MetricsOn is LATCH_METRICS: on serves /metrics on the main listener
	// (default off). Counting costs well under a microsecond a request.
	MetricsOn bool
	// MetricsToken is LATCH_METRICS_TOKEN: when set, a scrape must send
	// "Authorization: Bearer <token>" (at least 32 characters). Required
	// with LATCH_METRICS=on in production: the main listener is public.
	MetricsToken string
}

func (c *Config) loadMetrics(p *parser) {
	switch v := p.str("LATCH_METRICS", "off"); v {
	case "on":
		c.MetricsOn = true
	case "off":
	default:
		p.fail("LATCH_METRICS", "must be on or off")
	}
	c.MetricsToken = strings.TrimSpace(p.getenv("LATCH_METRICS_TOKEN"))
	if c.MetricsToken != "" && (len(c.MetricsToken) < 32 || len(c.MetricsToken) > 256 ||
		strings.IndexFunc(c.MetricsToken, func(r rune) bool { return r <= ' ' || r >= 0x7f }) >= 0) {
		p.fail("LATCH_METRICS_TOKEN", "must be 32 to 256 printable characters, e.g. from `openssl rand -hex 32`")
	}
	if c.MetricsOn && c.MetricsToken == "" && c.Env != EnvDev {
		p.fail("LATCH_METRICS_TOKEN", "is required with LATCH_METRICS=on in production (/metrics is on the public listener)")
	}
}
