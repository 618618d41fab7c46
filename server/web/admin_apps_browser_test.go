package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

// TestBrowserAdminApps: in Chromium, with JavaScript on and off, the
// operator opens the apps page from the console's navigation, is refused
// a bad slug with the written reason beside the field (what was typed
// kept), corrects it, creates the app and renames it; axe finds nothing
// on the page, its refusal or its notice.
func TestBrowserAdminApps(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		j := newAdminJourney(t, javascript)
		ops := j.ops
		ops.open(pages.AdminPath)
		ops.navigateBy("open the apps page", click(`[data-testid="admin-nav-apps"]`))
		ops.wantLocation(pages.AdminAppsPath)
		j.axe("the apps page")

		ops.navigateBy("create with a bad slug", chromedp.Steps(
			typeInto("admin-app-slug", "The Shop"),
			typeInto("admin-app-name", "Shop"),
			typeInto("admin-app-url", "https://login.shop.example"),
			typeInto("admin-app-brand", "Shop & Co"),
			// An empty textarea has no text to clear: type into it.
			chromedp.SendKeys(chromedp.ID("admin-app-origins"), "https://www.shop.example"),
			click(`[data-testid="admin-app-create"]`),
		))
		ops.wantText(`[data-testid="admin-app-slug-error"]`, messages.Text(messages.AdminAppSlugBad))
		if got := ops.value("admin-app-url"); got != "https://login.shop.example" {
			t.Fatalf("the refused form lost the URL: %q", got)
		}
		j.axe("the apps page with a refused slug")

		ops.navigateBy("create", chromedp.Steps(
			typeInto("admin-app-slug", "shop"),
			click(`[data-testid="admin-app-create"]`),
		))
		ops.wantLocation(pages.AdminAppsPath + "?done=created")
		ops.wantText(`[data-testid="admin-notice"]`, messages.Text(messages.AdminAppCreated))
		ops.wantText(`[data-testid="admin-apps"]`, "Shop & Co")
		ops.wantText(`[data-testid="admin-apps"]`, "https://www.shop.example")
		j.axe("the apps page with a new app")

		ops.navigateBy("rename", chromedp.Steps(
			typeInto("admin-app-name-shop", "The Shop"),
			click(`[aria-label="Rename shop"]`),
		))
		ops.wantText(`[data-testid="admin-notice"]`, messages.Text(messages.AdminAppRenamed))
		if got := ops.value("admin-app-name-shop"); got != "The Shop" {
			t.Fatalf("the renamed app's name field: %q", got)
		}
		ops.wantCleanConsole()
	})
}
