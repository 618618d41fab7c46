package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/config"
)

const testKEK = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" // bytes 0..31

func TestTokenDefaults(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessTokenTTL != 5*time.Minute || c.RefreshTokenLifetime != 30*24*time.Hour || c.RefreshGrace != 10*time.Second {
		t.Fatalf("token defaults %v %v %v", c.AccessTokenTTL, c.RefreshTokenLifetime, c.RefreshGrace)
	}
	if c.TokenKEK != nil {
		t.Fatal("dev without LATCH_TOKEN_KEK should leave it to main")
	}
}

func TestTokenKEK(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_TOKEN_KEK": testKEK}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TokenKEK) != 32 || c.TokenKEK[31] != 31 {
		t.Fatalf("kek decoded to %d bytes", len(c.TokenKEK))
	}

	for _, bad := range []string{"not base64!", "c2hvcnQ=", testKEK + testKEK} {
		_, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_TOKEN_KEK": bad}))
		if err == nil || !strings.Contains(err.Error(), "LATCH_TOKEN_KEK") {
			t.Fatalf("KEK %q: %v", bad, err)
		}
		if strings.Contains(err.Error(), bad) {
			t.Fatalf("error echoes the key: %v", err)
		}
	}
}

func TestTokenDurationsBounded(t *testing.T) {
	for key, value := range map[string]string{
		"LATCH_ACCESS_TOKEN_TTL":       "2h",
		"LATCH_REFRESH_TOKEN_LIFETIME": "30m",
		"LATCH_REFRESH_GRACE":          "5m",
	} {
		_, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", key: value}))
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%s: %v", key, value, err)
		}
	}
}

func TestTokenAudience(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_PUBLIC_URL": "http://localhost:9000/"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenAudience != "http://localhost:9000" || c.TokenAudience != c.Origin() {
		t.Fatalf("default audience %q, want the public origin", c.TokenAudience)
	}
	c, err = config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_TOKEN_AUDIENCE": " https://api.example.com "}))
	if err != nil || c.TokenAudience != "https://api.example.com" {
		t.Fatalf("set audience: %q %v", c.TokenAudience, err)
	}
	for _, bad := range []string{"two words", "tab\there", strings.Repeat("a", 201)} {
		if _, err := config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_TOKEN_AUDIENCE": bad})); err == nil || !strings.Contains(err.Error(), "LATCH_TOKEN_AUDIENCE") {
			t.Errorf("audience %q: %v", bad, err)
		}
	}
}
