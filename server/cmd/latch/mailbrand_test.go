package main

import (
	"testing"

	"github.com/latch-dev/latch/server/config"
)

// TestMailBrandCarriesTheLogo: the configured logo reaches every email's
// brand, a path read against the public URL, and with no logo configured
// emails show the name only (the built-in SVG is not for mail).
func TestMailBrandCarriesTheLogo(t *testing.T) {
	for _, c := range []struct {
		logo, want string
	}{
		{"/brand/logo.png", "https://acme.example/brand/logo.png"},
		{"https://cdn.acme.example/logo.png", "https://cdn.acme.example/logo.png"},
		{"", ""},
	} {
		env := map[string]string{
			"DATABASE_URL":     "postgres://localhost/latch",
			"LATCH_PUBLIC_URL": "https://acme.example",
			"LATCH_BRAND_LOGO": c.logo,
		}
		cfg, err := config.Load(func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("logo %q: %v", c.logo, err)
		}
		if got := mailBrand(cfg).LogoURL(); got != c.want {
			t.Errorf("logo %q: the emails' logo is %q, want %q", c.logo, got, c.want)
		}
	}
}
