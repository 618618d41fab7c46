package config_test

import (
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/config"
)

func TestMetricsSettings(t *testing.T) {
	prod := map[string]string{"DATABASE_URL": "postgres://x@localhost/latch"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	c, err := config.Load(env(prod))
	if err != nil || c.MetricsOn || c.TrustForwardedHost {
		t.Fatalf("defaults: on=%v forwarded=%v %v", c.MetricsOn, c.TrustForwardedHost, err)
	}
	token := strings.Repeat("t", 32)
	c, err = config.Load(env(with(prod, "LATCH_METRICS", "on", "LATCH_METRICS_TOKEN", token)))
	if err != nil || !c.MetricsOn || c.MetricsToken != token {
		t.Fatalf("on with a token: %+v %v", c.Metrics, err)
	}
	if c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_METRICS": "on"})); err != nil || !c.MetricsOn {
		t.Fatalf("dev may serve metrics without a token: %v", err)
	}
	for _, bad := range []map[string]string{
		with(prod, "LATCH_METRICS", "on"), // public listener, no token
		with(prod, "LATCH_METRICS", "yes"),
		with(prod, "LATCH_METRICS", "on", "LATCH_METRICS_TOKEN", "short"),
		with(prod, "LATCH_METRICS", "on", "LATCH_METRICS_TOKEN", token+" with spaces"),
		with(prod, "LATCH_METRICS", "on", "LATCH_METRICS_TOKEN", strings.Repeat("t", 257)),
	} {
		if _, err := config.Load(env(bad)); err == nil || !strings.Contains(err.Error(), "LATCH_METRICS") {
			t.Errorf("%v: %v", bad, err)
		}
	}
}
