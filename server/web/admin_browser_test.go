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

// adminJourney starts a console journey: an operator (granted admin by
// the command, as `latch admin grant` does) and a user, each signed in in
// their own browser; axe checks a page where scripts run.
type adminJourney struct {
	h      *harness
	ops    *browser
	user   *browser
	userID string
	axe    func(what string)
}

func newAdminJourney(t *testing.T, javascript bool) adminJourney {
	t.Helper()
	chromium := chromiumPath(t)
	h := newHarnessWith(t, harnessOptions{admin: true})
	ops := newBrowser(t, chromium, h, javascript)
	user := ops.isolatedTab(javascript, uaFirefoxWindows)
	ops.signUpInBrowser("ops@example.com", journeyPassword, javascript)
	grant(t, h, "ops@example.com", roles.Admin) // `latch admin grant ops@example.com admin`
	user.signUpInBrowser(journeyEmail, journeyPassword, javascript)
	return adminJourney{h: h, ops: ops, user: user, userID: userIDOf(t, h, journeyEmail).String(), axe: func(what string) {
		// axe is a script: it runs where scripts do. The pages are the
		// same server-rendered HTML either way.
		if javascript {
			ops.wantNoAxeViolations(what)
		}
	}}
}

// wantSignedOut checks the browser's next page is the login page.
func (b *browser) wantSignedOut(who string) {
	b.t.Helper()
	b.open("/account")
	if loc := b.location(); !strings.HasPrefix(loc, "/login") {
		b.t.Fatalf("%s's browser is at %s, want the login page", who, loc)
	}
}

// TestBrowserAdminSuspend is the operator's journey in Chromium, with
// JavaScript on and off: the first admin, granted by the command, finds a
// user, suspends them (their other browser is signed out at once) and
// unsuspends them; axe finds nothing on the console's pages.
func TestBrowserAdminSuspend(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		j := newAdminJourney(t, javascript)
		ops := j.ops
		ops.open(pages.AdminPath)
		j.axe("the admin search page")
		ops.navigateBy("search", chromedp.Steps(
			typeInto("admin-search", "MARGUERITE@"),
			click(`[data-testid="admin-search-submit"]`),
		))
		ops.wantText(`[data-testid="admin-result-link"]`, journeyEmail)
		j.axe("the admin search results")
		ops.navigateBy("open the user", click(`[data-testid="admin-result-link"]`))
		ops.wantLocation(pages.AdminUserPath(j.userID))
		ops.wantText(`[data-testid="admin-user-status"]`, messages.Text(messages.AdminStatusActive))
		j.axe("the admin user page")

		ops.navigateBy("suspend", click(`[data-testid="admin-suspend"]`))
		ops.wantLocation(pages.AdminUserPath(j.userID) + "?done=suspended")
		ops.wantText(`[data-testid="admin-notice"]`, messages.Text(messages.AdminSuspended))
		ops.wantText(`[data-testid="admin-user-status"]`, messages.Text(messages.AdminStatusSuspended))
		// The user's other browser is signed out at once.
		j.user.wantSignedOut("the suspended user")

		ops.navigateBy("unsuspend", click(`[data-testid="admin-unsuspend"]`))
		ops.wantText(`[data-testid="admin-notice"]`, messages.Text(messages.AdminUnsuspended))
		j.user.logIn(journeyEmail, journeyPassword)
		ops.wantCleanConsole()
	})
}

// TestBrowserAdminExportAndDelete: the operator reads the user's audit
// trail in the audit log, downloads it as CSV, and deletes the account,
// which signs the user's browser out; axe finds nothing on the log.
func TestBrowserAdminExportAndDelete(t *testing.T) {
	t.Parallel()
	bothJavaScript(t, func(t *testing.T, javascript bool) {
		j := newAdminJourney(t, javascript)
		ops := j.ops
		dir := t.TempDir()
		enabled := true
		if _, err := chromedp.Call(ops.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &enabled}); err != nil {
			t.Fatal(err)
		}
		ops.open(pages.AdminUserPath(j.userID))
		ops.navigateBy("open the audit log", click(`[data-testid="admin-nav-audit"]`))
		ops.wantLocation(pages.AdminAuditPath)
		j.axe("the audit log")
		ops.navigateBy("filter by user", chromedp.Steps(
			typeInto("admin-filter-user", j.userID),
			click(`[data-testid="admin-audit-submit"]`),
		))
		ops.wantText(`[data-testid="admin-events"]`, "signup")
		ops.do("export", click(`[data-testid="admin-audit-export"]`))
		csv := waitDownload(t, dir)
		if !strings.HasPrefix(csv, "id,time,user_id,event") || !strings.Contains(csv, "signup") || !strings.Contains(csv, j.userID) {
			t.Fatalf("the exported CSV: %q", csv)
		}

		ops.open(pages.AdminUserPath(j.userID))
		ops.do("confirm the deletion", click(`[data-testid="admin-delete-confirm"]`))
		ops.navigateBy("delete", click(`[data-testid="admin-delete"]`))
		ops.wantText(`[data-testid="admin-notice"]`, messages.Text(messages.AdminDeleted))
		ops.wantText(`[data-testid="admin-user-status"]`, messages.Text(messages.AdminStatusDeleted))
		j.user.wantSignedOut("the deleted user")
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
