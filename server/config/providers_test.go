package config_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/config"
	"github.com/latch-dev/latch/server/provider"
)

func TestProvidersOffByDefault(t *testing.T) {
	c, err := config.Load(env(map[string]string{"LATCH_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Providers) != 0 {
		t.Fatalf("providers = %+v, want none", c.Providers)
	}
}

func TestProviderSettings(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	p8 := filepath.Join(dir, "AuthKey.p8")
	if err := os.WriteFile(p8, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{
		"DATABASE_URL": "postgres://db/latch", "LATCH_PUBLIC_URL": "https://auth.example.com",
		"LATCH_PROVIDERS":                       "google, github,wechat, apple ,acme-sso",
		"LATCH_PROVIDER_GOOGLE_CLIENT_ID":       "g-id",
		"LATCH_PROVIDER_GOOGLE_CLIENT_SECRET":   "g-secret",
		"LATCH_PROVIDER_GOOGLE_TRUST_EMAIL":     "true",
		"LATCH_PROVIDER_GITHUB_CLIENT_ID":       "gh-id",
		"LATCH_PROVIDER_GITHUB_CLIENT_SECRET":   "gh-secret",
		"LATCH_PROVIDER_WECHAT_CLIENT_ID":       "wx123",
		"LATCH_PROVIDER_WECHAT_CLIENT_SECRET":   "wx-secret",
		"LATCH_PROVIDER_APPLE_CLIENT_ID":        "com.example.web",
		"LATCH_PROVIDER_APPLE_TEAM_ID":          "TEAM",
		"LATCH_PROVIDER_APPLE_KEY_ID":           "KEY",
		"LATCH_PROVIDER_APPLE_PRIVATE_KEY_FILE": p8,
		"LATCH_PROVIDER_ACME_SSO_KIND":          "oidc",
		"LATCH_PROVIDER_ACME_SSO_NAME":          "Acme SSO",
		"LATCH_PROVIDER_ACME_SSO_ISSUER":        "https://sso.acme.example",
		"LATCH_PROVIDER_ACME_SSO_CLIENT_ID":     "acme-id",
		"LATCH_PROVIDER_ACME_SSO_CLIENT_SECRET": "acme-secret",
		"LATCH_PROVIDER_ACME_SSO_SCOPES":        "groups, offline_access",
	}
	c, err := config.Load(env(m))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Providers) != 5 {
		t.Fatalf("providers = %+v", c.Providers)
	}
	g, acme := c.Providers[0], c.Providers[4]
	if g.Kind != provider.KindGoogle || !g.TrustEmail || g.RedirectURL != "https://auth.example.com/login/with/google/callback" {
		t.Fatalf("google = %+v", g)
	}
	if acme.Kind != provider.KindOIDC || acme.Name != "Acme SSO" || acme.Issuer != "https://sso.acme.example" ||
		strings.Join(acme.Scopes, " ") != "groups offline_access" || acme.TrustEmail {
		t.Fatalf("acme = %+v", acme)
	}
	if got := strings.Join(c.Features().Providers, ","); got != "google,github,wechat,apple,acme-sso" {
		t.Fatalf("features name providers %q", got)
	}
	if c.Providers[3].AppleKey == nil {
		t.Fatal("Apple's key was not read")
	}
	// Every provider the configuration describes can be built.
	for _, pc := range c.Providers {
		if _, err := provider.New(pc, nil, nil); err != nil {
			t.Errorf("%s: %v", pc.ID, err)
		}
	}

	bad := func(name, want string, kv ...string) {
		t.Helper()
		mm := map[string]string{}
		for k, v := range m {
			mm[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			mm[kv[i]] = kv[i+1]
		}
		_, err := config.Load(env(mm))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to name %s", name, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") && strings.Contains(err.Error(), "g-secret") {
			t.Errorf("%s: a secret was echoed", name)
		}
	}
	bad("bad id", "LATCH_PROVIDERS", "LATCH_PROVIDERS", "Google")
	bad("twice", "LATCH_PROVIDERS", "LATCH_PROVIDERS", "google,google")
	bad("unknown kind", "LATCH_PROVIDER_ACME_SSO_KIND", "LATCH_PROVIDER_ACME_SSO_KIND", "saml")
	bad("no secret", "LATCH_PROVIDER_GITHUB_CLIENT_SECRET", "LATCH_PROVIDER_GITHUB_CLIENT_SECRET", "")
	bad("no issuer", "LATCH_PROVIDER_ACME_SSO_ISSUER", "LATCH_PROVIDER_ACME_SSO_ISSUER", "")
	bad("http issuer", "LATCH_PROVIDER_ACME_SSO_ISSUER", "LATCH_PROVIDER_ACME_SSO_ISSUER", "http://sso.acme.example")
	bad("no Apple key", "LATCH_PROVIDER_APPLE_PRIVATE_KEY_FILE", "LATCH_PROVIDER_APPLE_PRIVATE_KEY_FILE", filepath.Join(dir, "missing.p8"))
	bad("WeChat trusted", "LATCH_PROVIDER_WECHAT_TRUST_EMAIL", "LATCH_PROVIDER_WECHAT_TRUST_EMAIL", "true")
	bad("tokens without a KEK", "LATCH_PROVIDER_GOOGLE_KEEP_TOKENS", "LATCH_PROVIDER_GOOGLE_KEEP_TOKENS", "true")
}
