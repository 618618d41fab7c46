package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/config"
)

func TestLifetimesDefaultsAndBounds(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Lifetimes{ReauthWindow: 5 * time.Minute, CodeTTL: 10 * time.Minute, LinkTTL: 15 * time.Minute,
		ResetTTL: 15 * time.Minute, PurgeInterval: time.Hour, PruneInterval: 5 * time.Minute, KeyReloadInterval: time.Minute,
		SecondFactorTTL: 10 * time.Minute, ProviderTTL: 10 * time.Minute}
	if c.Lifetimes != want {
		t.Fatalf("defaults %+v, want %+v", c.Lifetimes, want)
	}
	c, err = config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_REAUTH_WINDOW": "2m", "LATCH_CODE_TTL": "5m"}))
	if err != nil || c.ReauthWindow != 2*time.Minute || c.CodeTTL != 5*time.Minute {
		t.Fatalf("set: %+v %v", c.Lifetimes, err)
	}
	for key, bad := range map[string]string{"LATCH_REAUTH_WINDOW": "2h", "LATCH_CODE_TTL": "30s", "LATCH_LINK_TTL": "48h",
		"LATCH_RESET_TTL": "1m", "LATCH_PURGE_INTERVAL": "1s", "LATCH_PRUNE_INTERVAL": "2h", "LATCH_KEY_RELOAD_INTERVAL": "1ms",
		"LATCH_SECOND_FACTOR_TTL": "2h", "LATCH_PROVIDER_TTL": "10s"} {
		if _, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", key: bad})); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%s: %v", key, bad, err)
		}
	}
}

func TestCORSOriginsAreExact(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_CORS_ORIGINS": "https://App.example.com, http://localhost:5173"}))
	if err != nil || strings.Join(c.CORSOrigins, " ") != "https://app.example.com http://localhost:5173" {
		t.Fatalf("origins %q %v", c.CORSOrigins, err)
	}
	for _, bad := range []string{"*", "https://*.example.com", "https://app.example.com/path", "app.example.com",
		"https://user@app.example.com", "ftp://app.example.com", "https://app.example.com?x=1"} {
		if _, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_CORS_ORIGINS": bad})); err == nil || !strings.Contains(err.Error(), "LATCH_CORS_ORIGINS") {
			t.Errorf("LATCH_CORS_ORIGINS=%s accepted: %v", bad, err)
		}
	}
	prod := map[string]string{"DATABASE_URL": "postgres://x", "LATCH_PUBLIC_URL": "https://auth.example.com", "LATCH_CORS_ORIGINS": "http://app.example.com"}
	if _, err := config.Load(env(prod)); err == nil {
		t.Error("plain http origin accepted in production")
	}
	prod["LATCH_CORS_ORIGINS"] = "http://127.0.0.1:5173"
	if _, err := config.Load(env(prod)); err != nil {
		t.Errorf("loopback origin in production: %v", err)
	}
}

func TestFeaturesAreNamedFromConfiguration(t *testing.T) {
	dev, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	if f := dev.Features(); f.Email != config.DeliveryDevMailbox || f.SMS != config.DeliveryDevMailbox || !f.DevMailbox || !f.PasswordReset || !f.StaticFromDisk || f.CORS {
		t.Fatalf("dev features %+v", f)
	}
	prod, err := config.Load(env(map[string]string{"DATABASE_URL": "postgres://x", "LATCH_PUBLIC_URL": "https://a.example"}))
	if err != nil {
		t.Fatal(err)
	}
	if f := prod.Features(); f.Email != config.DeliveryOff || f.SMS != config.DeliveryOff || f.DevMailbox || f.PasswordReset || f.AccountRecovery || f.StaticFromDisk {
		t.Fatalf("bare production features %+v", f)
	}
	mail, err := config.Load(env(map[string]string{"DATABASE_URL": "postgres://x", "LATCH_PUBLIC_URL": "https://a.example",
		"LATCH_SMTP_HOST": "smtp.example.com", "LATCH_SMTP_FROM": "a@example.com", "LATCH_CORS_ORIGINS": "https://app.example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	if f := mail.Features(); f.Email != config.DeliverySMTP || f.SMS != config.DeliveryOff || !f.PasswordReset || !f.CORS || f.DevMailbox {
		t.Fatalf("production with SMTP %+v", f)
	}
}
