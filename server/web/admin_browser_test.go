package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/roles"
)

// TestBrowserAdminConsole is the operator's journey in Chromium, with
// JavaScript on and off: the first admin is granted by the command, then
// finds a user, suspends them (their other browser is signed out at
// once), unsuspends them, exports the audit log as CSV and deletes the
// account; axe finds nothing on the console's pages.
func TestBrowserAdminConsole(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		chromium := chromiumPath(t)
		h := newHarnessWith(t, harnessOptions{admin: true})
		ops := newBrowser(t, chromium, h, javascript)
		user := ops.isolatedTab(javascript, uaFirefoxWindows)

		ops.signUpInBrowser("ops@example.com", journeyPassword, javascript)
		grant(t, h, "ops@example.com", roles.Admin) // `latch admin grant ops@example.com admin`
		user.signUpInBrowser(journeyEmail, journeyPassword, javascript)
		userID := userIDOf(t, h, journeyEmail)
		axe := func(what string) {
			// axe is a script: it runs where scripts do. The pages are the
			// same server-rendered HTML either way.
			if javascript {
				ops.wantNoAxeViolations(what)
			}
		}

		ops.open(pages.AdminPath)
		axe("the admin search page")
		ops.navigateBy("search", chromedp.Steps(
			typeInto("admin-search", "MARGUERITE@"),
			click(`[data-testid="admin-search-submit"]`),
		))
		ops.wantText(`[data-testid="admin-result-link"]`, journeyEmail)
		axe("the admin search results")
		ops.navigateBy("open the user", click(`[data-testid="admin-result-link"]`))
		ops.wantLocation(pages.AdminUserPath(userID.String()))
		ops.wantText(`[data-testid="admin-user-status"]`, messages.Text(messages.AdminStatusActive))
		axe("the admin user page")

		ops.navigateBy("suspend", click(`[data-testid="admin-suspend"]`))
		ops.wantLocation(pages.AdminUserPath(userID.String()) + "?done=suspended")
		ops.wantText(`[data-testid="admin-notice"]`, messages.Text(messages.AdminSuspended))
		ops.wantText(`[data-testid="admin-user-status"]`, messages.Text(messages.AdminStatusSuspended))
		// The user's other browser is signed out at once: its next page
		// is the login page.
		user.open("/account")
		if loc := user.location(); !strings.HasPrefix(loc, "/login") {
			t.Fatalf("the suspended user's browser is at %s, want the login page", loc)
		}

		ops.navigateBy("unsuspend", click(`[data-testid="admin-unsuspend"]`))
		ops.wantText(`[data-testid="admin-notice"]`, messages.Text(messages.AdminUnsuspended))
		user.logIn(journeyEmail, journeyPassword)

		// The audit log, exported as CSV: a download, streamed.
		dir := t.TempDir()
		enabled := true
		if _, err := chromedp.Call(ops.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &enabled}); err != nil {
			t.Fatal(err)
		}
		ops.navigateBy("open the audit log", click(`[data-testid="admin-nav-audit"]`))
		ops.wantLocation(pages.AdminAuditPath)
		axe("the audit log")
		ops.navigateBy("filter by user", chromedp.Steps(
			typeInto("admin-filter-user", userID.String()),
			click(`[data-testid="admin-audit-submit"]`),
		))
		ops.wantText(`[data-testid="admin-events"]`, "user.status")
		ops.do("export", click(`[data-testid="admin-audit-export"]`))
		csv := waitDownload(t, dir)
		if !strings.HasPrefix(csv, "id,time,user_id,event") || !strings.Contains(csv, "user.status") || !strings.Contains(csv, userID.String()) {
			t.Fatalf("the exported CSV: %q", csv)
		}

		ops.open(pages.AdminUserPath(userID.String()))
		ops.do("confirm the deletion", click(`[data-testid="admin-delete-confirm"]`))
		ops.navigateBy("delete", click(`[data-testid="admin-delete"]`))
		ops.wantText(`[data-testid="admin-notice"]`, messages.Text(messages.AdminDeleted))
		ops.wantText(`[data-testid="admin-user-status"]`, messages.Text(messages.AdminStatusDeleted))
		user.open("/account")
		if loc := user.location(); !strings.HasPrefix(loc, "/login") {
			t.Fatalf("the deleted user's browser is at %s, want the login page", loc)
		}
		ops.wantCleanConsole()
	})
}

// waitDownload returns the text of the first file downloaded into dir.
func waitDownload(t *testing.T, dir string) string {
	t.Helper()
	deadline := time.Now().Add(stepLimit)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".crdownload") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil && len(b) > 0 {
				return string(b)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no download arrived")
	return ""
}
