package config_test

import (
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/config"
)

func TestBrandSettings(t *testing.T) {
	env := func(kv map[string]string) func(string) string {
		return func(k string) string {
			if k == "DATABASE_URL" {
				return "postgres://x/y"
			}
			return kv[k]
		}
	}
	c, err := config.Load(env(map[string]string{
		"LATCH_BRAND_NAME": "Acme", "LATCH_BRAND_LOGO": "/brand/acme.svg", "LATCH_BRAND_FAVICON": "https://cdn.example.com/icon.png",
		"LATCH_BRAND_SUPPORT": "help@acme.example", "LATCH_BRAND_TERMS_URL": "https://acme.example/terms",
		"LATCH_BRAND_PRIVACY_URL": "https://acme.example/privacy",
	}))
	if err != nil {
		t.Fatal(err)
	}
	b := c.Brand
	if b.Name != "Acme" || b.Logo != "/brand/acme.svg" || b.SupportHref() != "mailto:help@acme.example" || b.TermsURL != "https://acme.example/terms" {
		t.Errorf("brand = %+v", b)
	}
	if got := b.ImageOrigins(); len(got) != 1 || got[0] != "https://cdn.example.com" {
		t.Errorf("image origins = %v, want the favicon's origin only", got)
	}
	if c, err := config.Load(env(nil)); err != nil || c.Brand.Name != "Latch" {
		t.Errorf("default brand name = %q, %v", c.Brand.Name, err)
	}

	for key, v := range map[string]string{
		"LATCH_BRAND_NAME":        strings.Repeat("x", 61),
		"LATCH_BRAND_LOGO":        "//evil.example/logo.svg",
		"LATCH_BRAND_LOGO_DARK":   "javascript:alert(1)",
		"LATCH_BRAND_FAVICON":     "http://cdn.example.com/icon.png",
		"LATCH_BRAND_SUPPORT":     "Help <help@example.com>",
		"LATCH_BRAND_TERMS_URL":   "/terms",
		"LATCH_BRAND_PRIVACY_URL": "https://user:pw@example.com/privacy",
	} {
		_, err := config.Load(env(map[string]string{key: v}))
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%q: err = %v, want one naming the key", key, v, err)
		}
	}
}
