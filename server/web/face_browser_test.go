package web_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/components/pages"
)

// A viewport the face is checked (and photographed) at.
type viewport struct {
	name   string // "desktop", "mobile"
	width  int64
	height int64
	mobile bool
}

var viewports = []viewport{{"desktop", 1280, 900, false}, {"mobile", 390, 844, true}}

// colorSchemes are the values of prefers-color-scheme the face is checked in.
var colorSchemes = []string{"light", "dark"}

// look sets the tab's viewport and colour scheme.
func (b *browser) look(v viewport, scheme string) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: v.width, Height: v.height, DeviceScaleFactor: 1, Mobile: v.mobile,
	}); err != nil {
		b.t.Fatalf("set viewport %s: %v", v.name, err)
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		b.t.Fatalf("set colour scheme %s: %v", scheme, err)
	}
}

// wantNoSidewaysScroll fails when the page is wider than the viewport.
func (b *browser) wantNoSidewaysScroll(what string) {
	b.t.Helper()
	wide := run(b, "measure "+what, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if wide[0] > wide[1] {
		b.t.Errorf("%s scrolls sideways: %d px of content in a %d px viewport", what, wide[0], wide[1])
	}
}

// headerRows is how many rows the site header's parts sit on.
func (b *browser) headerRows() int {
	b.t.Helper()
	return run(b, "count header rows", chromedp.Evaluate[int](`(() => {
		const tops = new Set();
		for (const el of document.querySelectorAll('.site-brand, .site-nav > *')) {
			const r = el.getBoundingClientRect();
			if (r.width > 0) tops.add(Math.round(r.top + r.height / 2));
		}
		const rows = [...tops].sort((a, b) => a - b);
		let n = 0, last = -100;
		for (const t of rows) { if (t - last > 12) { n++; last = t; } }
		return n;
	})()`))
}

// screenshot saves the whole page as name.png under LATCH_SCREENSHOTS,
// when it is set (go tool -modfile=go.tool.mod task screenshots).
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("LATCH_SCREENSHOTS")
	if dir == "" || !photographed[strings.SplitN(name, "-", 2)[0]] {
		return
	}
	png := run(b, "capture "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// photographed are the pages the README shows.
var photographed = map[string]bool{"login": true, "signup": true, "account": true, "two": true, "activity": true, "password": true, "devices": true}

// TestBrowserFaceAtEveryWidth walks the sign-in pages and the signed-in
// area at 1280 and 390 px, light and dark: no page scrolls sideways, the
// signed-in header stays within two rows, axe finds nothing, and with
// LATCH_SCREENSHOTS set each view is saved for the README.
func TestBrowserFaceAtEveryWidth(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	h := newHarnessWith(t, harnessOptions{codes: true, phones: true, passwords: true, recovery: true, twoFactor: true, passkeys: true})
	const addr = "a-rather-long-address.for-the-header@example.com"
	h.signup(addr, journeyPassword) // its emails fill the dev mailbox
	b := newBrowser(t, chromium, h, true)

	signedOut := []struct{ name, path string }{
		{"login", "/login"}, {"signup", "/signup"}, {"recover", pages.RecoverPath},
	}
	for _, v := range viewports {
		for _, scheme := range colorSchemes {
			b.look(v, scheme)
			for _, p := range signedOut {
				b.open(p.path)
				what := p.path + " at " + strconv.Itoa(int(v.width)) + " px, " + scheme
				b.wantNoSidewaysScroll(what)
				b.wantNoAxeViolations(what)
				b.screenshot(p.name + "-" + v.name + "-" + scheme)
			}
		}
	}

	b.look(viewports[0], "light")
	b.logIn(addr, journeyPassword)

	signedIn := []struct{ name, path string }{
		{"account", "/account"}, {"two-factor", pages.TwoFactorPath}, {"activity", pages.ActivityPath}, {"devices", "/account/devices"},
		{"password", pages.ChangePasswordPath},
	}
	for _, v := range viewports {
		for _, scheme := range colorSchemes {
			b.look(v, scheme)
			for _, p := range signedIn {
				b.open(p.path)
				what := p.path + " at " + strconv.Itoa(int(v.width)) + " px, " + scheme
				b.wantNoSidewaysScroll(what)
				if rows := b.headerRows(); rows > 2 {
					t.Errorf("%s: the signed-in header wraps to %d rows", what, rows)
				}
				b.wantNoAxeViolations(what)
				b.screenshot(p.name + "-" + v.name + "-" + scheme)
			}
		}
	}
	b.look(viewports[0], "light")
	b.open("/account")
	if cur := run(b, "read aria-current", chromedp.Evaluate[string](`document.querySelector('[data-testid="nav-account"]').getAttribute('aria-current') || ''`)); cur != "page" {
		t.Errorf("account link aria-current = %q on the account page", cur)
	}
	for _, id := range []string{"account-profile", "account-security", "identities"} {
		if got := b.text(`[data-testid="` + id + `"]`); strings.TrimSpace(got) == "" {
			t.Errorf("account overview section %s is empty", id)
		}
	}
	b.wantCleanConsole()
}

// TestBrowserDevMailboxFitsEveryWidth: the development mailbox, holding a
// real message with a long link, never scrolls sideways, and passes axe.
func TestBrowserDevMailboxFitsEveryWidth(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true})
	h.signup("mailbox-width@example.com", journeyPassword)
	b := newBrowser(t, chromium, h, true)
	for _, v := range []viewport{viewports[0], viewports[1], {"narrow", 320, 640, true}} {
		b.look(v, "light")
		b.open("/dev/mailbox")
		what := "/dev/mailbox at " + strconv.Itoa(int(v.width)) + " px"
		if n := run(b, "count messages", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="dev-mailbox-message"]').length`)); n == 0 {
			t.Fatalf("%s: no message to measure", what)
		}
		b.wantNoSidewaysScroll(what)
		b.wantNoAxeViolations(what)
	}
}
