package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/config"
)

func TestBreachRangeOffByDefault(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.BreachRangeURL != "" || c.BreachRangeTimeout != 2*time.Second {
		t.Fatalf("url %q timeout %v, want off and 2s", c.BreachRangeURL, c.BreachRangeTimeout)
	}
}

func TestBreachRangeSettings(t *testing.T) {
	prod := map[string]string{"DATABASE_URL": "postgres://db/latch", "LATCH_PUBLIC_URL": "https://auth.example.com"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range prod {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	c, err := config.Load(env(with("LATCH_BREACH_RANGE_URL", "https://api.pwnedpasswords.com/", "LATCH_BREACH_RANGE_TIMEOUT", "750ms")))
	if err != nil {
		t.Fatal(err)
	}
	if c.BreachRangeURL != "https://api.pwnedpasswords.com" || c.BreachRangeTimeout != 750*time.Millisecond {
		t.Fatalf("url %q timeout %v", c.BreachRangeURL, c.BreachRangeTimeout)
	}
	if _, err := config.Load(env(with("LATCH_BREACH_RANGE_URL", "http://127.0.0.1:9999"))); err != nil {
		t.Fatalf("loopback service over http: %v", err)
	}
	for name, m := range map[string]map[string]string{
		"not a URL":            with("LATCH_BREACH_RANGE_URL", "api.pwnedpasswords.com"),
		"credentials":          with("LATCH_BREACH_RANGE_URL", "https://u:p@range.example.com"),
		"query":                with("LATCH_BREACH_RANGE_URL", "https://range.example.com/?k=1"),
		"plain http in prod":   with("LATCH_BREACH_RANGE_URL", "http://range.example.com"),
		"timeout too long":     with("LATCH_BREACH_RANGE_TIMEOUT", "30s"),
		"timeout too short":    with("LATCH_BREACH_RANGE_TIMEOUT", "10ms"),
		"timeout not a number": with("LATCH_BREACH_RANGE_TIMEOUT", "soon"),
	} {
		_, err := config.Load(env(m))
		if err == nil || !strings.Contains(err.Error(), "LATCH_BREACH_RANGE_") {
			t.Errorf("%s: err = %v, want one naming LATCH_BREACH_RANGE_*", name, err)
		}
	}
}
