package web

import (
	"context"
	"testing"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/server/apps"
)

// TestAppBrandReadsTheLogoOnTheAppsHost: an app with its own public URL
// sends emails whose logo path is read against that URL, never the
// default app's; the default app keeps the configured one.
func TestAppBrandReadsTheLogoOnTheAppsHost(t *testing.T) {
	t.Parallel()
	configured := email.Brand{AppName: "Latch", Logo: "/brand/logo.png", BaseURL: "https://latch.example"}
	b, origin := appBrand(context.Background(), configured, "https://latch.example")
	if got := b.LogoURL(); got != "https://latch.example/brand/logo.png" || origin != "https://latch.example" {
		t.Errorf("default app: logo %q, origin %q", got, origin)
	}
	ctx := apps.WithApp(context.Background(), apps.App{Name: "Shop", PublicURL: "https://shop.example", Host: "shop.example"})
	b, origin = appBrand(ctx, configured, "https://latch.example")
	if got := b.LogoURL(); got != "https://shop.example/brand/logo.png" || origin != "https://shop.example" {
		t.Errorf("an app with its own host: logo %q, origin %q", got, origin)
	}
}
