package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/config"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestDefaultsInDev(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.Origin() != "http://localhost:8080" || c.Secure() {
		t.Fatalf("addr %q origin %q secure %v", c.Addr, c.Origin(), c.Secure())
	}
	if c.Argon2MemoryKiB != 19456 || c.Argon2Iterations != 2 || c.Argon2Parallelism != 1 {
		t.Fatalf("argon2 defaults %d/%d/%d", c.Argon2MemoryKiB, c.Argon2Iterations, c.Argon2Parallelism)
	}
	if c.SessionIdleTimeout != 30*time.Minute || c.SessionLifetime != 12*time.Hour {
		t.Fatalf("session defaults %v %v", c.SessionIdleTimeout, c.SessionLifetime)
	}
	if c.App != "default" || c.LogFormat != "text" || c.DatabaseURL != "" || c.HashConcurrency < 1 {
		t.Fatalf("config %+v", c)
	}
}

func TestProductionNeedsDatabaseAndTLS(t *testing.T) {
	_, err := config.Load(env(map[string]string{"LATCH_PUBLIC_URL": "http://auth.example.com"}))
	if err == nil {
		t.Fatal("production without DATABASE_URL and with plain http accepted")
	}
	for _, key := range []string{"DATABASE_URL", "LATCH_PUBLIC_URL"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
	c, err := config.Load(env(map[string]string{
		"DATABASE_URL":     "postgres://u:secret@db/latch",
		"LATCH_PUBLIC_URL": "https://auth.example.com",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Secure() || c.LogFormat != "json" || c.Origin() != "https://auth.example.com" {
		t.Fatalf("secure %v format %q origin %q", c.Secure(), c.LogFormat, c.Origin())
	}
}

func TestInvalidValuesAreNamed(t *testing.T) {
	cases := map[string]string{
		"LATCH_ENV":                  "staging",
		"LATCH_ADDR":                 "8080",
		"LATCH_PUBLIC_URL":           "https://auth.example.com/path?x=1",
		"LATCH_APP":                  "Bad Slug",
		"LATCH_SESSION_IDLE_TIMEOUT": "forever",
		"LATCH_SESSION_LIFETIME":     "-1h",
		"LATCH_ARGON2_MEMORY_KIB":    "12",
		"LATCH_ARGON2_ITERATIONS":    "0",
		"LATCH_HASH_CONCURRENCY":     "lots",
		"LATCH_TRUST_PROXY_HEADERS":  "maybe",
		"LATCH_LOG_LEVEL":            "loud",
		"LATCH_LOG_FORMAT":           "xml",
		"LATCH_DB_MAX_CONNS":         "0",
	}
	for key, value := range cases {
		t.Run(key, func(t *testing.T) {
			_, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", key: value}))
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Fatalf("%s=%q: error %v, want one naming the key", key, value, err)
			}
		})
	}
}

func TestDatabaseURLIsNeverEchoed(t *testing.T) {
	_, err := config.Load(env(map[string]string{"DATABASE_URL": "postgres://u:hunter2@db/latch", "LATCH_ENV": "bogus"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v", err)
	}
}

func TestIdleLongerThanLifetimeRefused(t *testing.T) {
	_, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_SESSION_IDLE_TIMEOUT": "2h", "LATCH_SESSION_LIFETIME": "1h"}))
	if err == nil || !strings.Contains(err.Error(), "LATCH_SESSION_LIFETIME") {
		t.Fatalf("error %v", err)
	}
}

func TestSMTPSettings(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_SMTP_HOST": "smtp.example.com", "LATCH_SMTP_FROM": "Latch <no-reply@example.com>"}))
	if err != nil || c.SMTPPort != 587 || c.SMTPTLS != "mandatory" {
		t.Fatalf("smtp defaults: %+v %v", c, err)
	}
	for key, cfg := range map[string]map[string]string{
		"LATCH_SMTP_FROM": {"LATCH_SMTP_HOST": "smtp.example.com"},
		"LATCH_SMTP_TLS":  {"LATCH_SMTP_TLS": "sometimes"},
		"LATCH_SMTP_PORT": {"LATCH_SMTP_PORT": "70000"},
	} {
		cfg["LATCH_ENV"] = "dev"
		if _, err := config.Load(env(cfg)); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%v: error %v, want one naming %s", cfg, err, key)
		}
	}
}
