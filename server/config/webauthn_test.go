package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/config"
)

func TestWebAuthnRelyingParty(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.WebAuthnRPID != "localhost" || !slices.Equal(c.WebAuthnOrigins, []string{"http://localhost:8080"}) {
		t.Fatalf("dev defaults: RP ID %q origins %v", c.WebAuthnRPID, c.WebAuthnOrigins)
	}
	c, err = config.Load(env(map[string]string{"DATABASE_URL": "postgres://x", "LATCH_PUBLIC_URL": "https://auth.example.com",
		"LATCH_WEBAUTHN_RP_ID": "Example.com", "LATCH_WEBAUTHN_ORIGINS": "https://auth.example.com, https://example.com/"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.WebAuthnRPID != "example.com" || !slices.Equal(c.WebAuthnOrigins, []string{"https://auth.example.com", "https://example.com"}) {
		t.Fatalf("overrides: RP ID %q origins %v", c.WebAuthnRPID, c.WebAuthnOrigins)
	}
	c, err = config.Load(env(map[string]string{"LATCH_ENV": "dev", "LATCH_PUBLIC_URL": "http://127.0.0.1:9090"}))
	if err != nil || c.WebAuthnRPID != "localhost" || !slices.Equal(c.WebAuthnOrigins, []string{"http://localhost:9090"}) {
		t.Fatalf("a loopback IP public URL: %q %v %v", c.WebAuthnRPID, c.WebAuthnOrigins, err)
	}
	c, err = config.Load(env(map[string]string{"DATABASE_URL": "postgres://x", "LATCH_PUBLIC_URL": "https://auth.example.com"}))
	if err != nil || c.WebAuthnRPID != "auth.example.com" || !slices.Equal(c.WebAuthnOrigins, []string{"https://auth.example.com"}) {
		t.Fatalf("production defaults: %q %v %v", c.WebAuthnRPID, c.WebAuthnOrigins, err)
	}
}

func TestWebAuthnRelyingPartyIsChecked(t *testing.T) {
	cases := []struct {
		name string
		kv   map[string]string
		want string
	}{
		{"an IP as RP ID", map[string]string{"LATCH_WEBAUTHN_RP_ID": "127.0.0.1"}, "LATCH_WEBAUTHN_RP_ID"},
		{"a URL as RP ID", map[string]string{"LATCH_WEBAUTHN_RP_ID": "https://example.com"}, "LATCH_WEBAUTHN_RP_ID"},
		{"an origin off the RP ID", map[string]string{"LATCH_WEBAUTHN_ORIGINS": "https://evil.example"}, "not on the RP ID"},
		{"a look-alike suffix", map[string]string{"LATCH_WEBAUTHN_RP_ID": "example.com", "LATCH_WEBAUTHN_ORIGINS": "https://notexample.com"}, "not on the RP ID"},
		{"plain http off localhost", map[string]string{"LATCH_WEBAUTHN_RP_ID": "example.com", "LATCH_WEBAUTHN_ORIGINS": "http://auth.example.com"}, "must use https"},
		{"not an origin", map[string]string{"LATCH_WEBAUTHN_ORIGINS": "https://localhost:8080/path?x=1"}, "LATCH_WEBAUTHN_ORIGINS"},
	}
	for _, tc := range cases {
		kv := map[string]string{"LATCH_ENV": "dev"}
		for k, v := range tc.kv {
			kv[k] = v
		}
		_, err := config.Load(env(kv))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error mentioning %q", tc.name, err, tc.want)
		}
	}
}
