package config

import "time"

// DefaultAuditRetention is how long audit events are kept when
// LATCH_AUDIT_RETENTION is unset: a year.
const DefaultAuditRetention = 365 * 24 * time.Hour

// loadAudit reads LATCH_AUDIT_RETENTION: how long audit events are kept
// (0 keeps them forever; otherwise at least 24h).
func (c *Config) loadAudit(p *parser) {
	c.AuditRetention = p.duration("LATCH_AUDIT_RETENTION", DefaultAuditRetention)
	if c.AuditRetention != 0 && c.AuditRetention < 24*time.Hour {
		p.fail("LATCH_AUDIT_RETENTION", "must be 0 (keep forever) or at least 24h")
	}
}
