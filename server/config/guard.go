package config

import (
	"github.com/latch-dev/latch/server/guard"
)

// loadGuard reads the guard's policy table: guard.DefaultPolicies with
// every LATCH_GUARD_<POLICY>_<SCOPE>=BUDGET/WINDOW applied (e.g.
// LATCH_GUARD_PASSWORD_ACCOUNT=10/15m), and LATCH_HASH_QUEUE, the number
// of password hashes that may wait for a slot.
func (c *Config) loadGuard(p *parser) {
	c.Guard = guard.DefaultPolicies()
	if err := c.Guard.ParseOverrides(p.getenv); err != nil {
		p.fail("LATCH_GUARD_*", err.Error())
	}
	c.HashQueue = p.int("LATCH_HASH_QUEUE", 64, 0, 100_000)
	c.HashQueueWait = p.duration("LATCH_HASH_QUEUE_WAIT", 2e9)
}
