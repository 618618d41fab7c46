package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/config"
)

func TestRememberedSessionDefaults(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionRememberLifetime != 30*24*time.Hour || c.SessionRememberIdleTimeout != 7*24*time.Hour {
		t.Fatalf("remember defaults: lifetime %v idle %v", c.SessionRememberLifetime, c.SessionRememberIdleTimeout)
	}
	c, err = config.Load(env(map[string]string{
		"LATCH_ENV": "dev", "LATCH_SESSION_REMEMBER_LIFETIME": "2160h", "LATCH_SESSION_REMEMBER_IDLE_TIMEOUT": "24h",
	}))
	if err != nil || c.SessionRememberLifetime != 90*24*time.Hour || c.SessionRememberIdleTimeout != 24*time.Hour {
		t.Fatalf("remember overrides: %v %v %v", c.SessionRememberLifetime, c.SessionRememberIdleTimeout, err)
	}
}

func TestRememberedSessionLimitsAreChecked(t *testing.T) {
	cases := []struct {
		name string
		kv   map[string]string
		key  string
	}{
		{"not a duration", map[string]string{"LATCH_SESSION_REMEMBER_LIFETIME": "30d"}, "LATCH_SESSION_REMEMBER_LIFETIME"},
		{"negative", map[string]string{"LATCH_SESSION_REMEMBER_IDLE_TIMEOUT": "-1h"}, "LATCH_SESSION_REMEMBER_IDLE_TIMEOUT"},
		{"idle shorter than the plain idle", map[string]string{"LATCH_SESSION_IDLE_TIMEOUT": "2h", "LATCH_SESSION_REMEMBER_IDLE_TIMEOUT": "1h"}, "LATCH_SESSION_REMEMBER_IDLE_TIMEOUT"},
		{"lifetime shorter than its idle", map[string]string{"LATCH_SESSION_REMEMBER_LIFETIME": "24h", "LATCH_SESSION_REMEMBER_IDLE_TIMEOUT": "48h"}, "LATCH_SESSION_REMEMBER_LIFETIME"},
		{"lifetime shorter than the plain lifetime", map[string]string{"LATCH_SESSION_LIFETIME": "48h", "LATCH_SESSION_REMEMBER_LIFETIME": "24h", "LATCH_SESSION_REMEMBER_IDLE_TIMEOUT": "1h"}, "LATCH_SESSION_REMEMBER_LIFETIME"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.kv["LATCH_ENV"] = "dev"
			_, err := config.Load(env(tc.kv))
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err = %v, want one naming %s", err, tc.key)
			}
		})
	}
}
