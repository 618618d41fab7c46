package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// loadBreach reads the optional breach range service. Its URL must be an
// http(s) base URL without credentials, query or fragment, using https
// outside dev unless it is on loopback (a password's hash prefix travels
// with every lookup); the timeout is from 100ms to 10s, so a slow service
// delays a signup by that at most.
func (c *Config) loadBreach(p *parser) {
	c.BreachRangeURL = strings.TrimRight(strings.TrimSpace(p.getenv("LATCH_BREACH_RANGE_URL")), "/")
	c.BreachRangeTimeout = p.duration("LATCH_BREACH_RANGE_TIMEOUT", 2*time.Second)
	if c.BreachRangeTimeout < 100*time.Millisecond || c.BreachRangeTimeout > 10*time.Second {
		p.fail("LATCH_BREACH_RANGE_TIMEOUT", "must be from 100ms to 10s")
	}
	if c.BreachRangeURL == "" {
		return
	}
	u, err := url.Parse(c.BreachRangeURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		p.fail("LATCH_BREACH_RANGE_URL", fmt.Sprintf("must be an http(s) base URL such as https://api.pwnedpasswords.com, got %q", c.BreachRangeURL))
	case u.Scheme == "http" && c.Env != EnvDev && !isLoopback(u.Hostname()):
		p.fail("LATCH_BREACH_RANGE_URL", "must use https in production (plain http is allowed only for localhost)")
	}
}
