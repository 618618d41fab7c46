package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
)

// isolatedTab opens a tab in a new browser context of b's Chromium: its
// own cookies and storage, as a second device would have. ua, when set,
// replaces the tab's User-Agent.
func (b *browser) isolatedTab(javascript bool, ua string) *browser {
	t := b.t
	t.Helper()
	tabCtx, cancelTab := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("open an isolated tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tabCtx, browserJourneyLimit)
	t.Cleanup(cancel)
	nb := &browser{t: t, h: b.h, base: b.base, ctx: ctx}
	t.Cleanup(func() {
		if t.Failed() {
			dctx, dcancel := context.WithTimeout(tabCtx, 3*time.Second)
			defer dcancel()
			if loc, err := chromedp.Run(dctx, chromedp.Location()); err == nil {
				t.Logf("second device at failure: %s", loc)
			}
		}
	})
	nb.watchConsole()
	var err error
	if javascript {
		_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: datastarReadyProbe})
	} else {
		_, err = chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true})
	}
	if err == nil && ua != "" {
		_, err = chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua})
	}
	if err != nil {
		t.Fatalf("prepare the second tab: %v", err)
	}
	return nb
}

// logIn signs in from the login page with the given email and password.
func (b *browser) logIn(email, password string) {
	b.t.Helper()
	b.open("/login")
	b.navigateBy("log in", chromedp.Steps(
		typeInto("login-email", email),
		typeInto("login-password", password),
		click(`[data-testid="login-submit"]`),
	))
	b.wantLocation("/account")
}

// deviceCount is how many devices the page lists.
func (b *browser) deviceCount() int {
	b.t.Helper()
	return run(b, "count devices", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="device"]').length`))
}

const otherDeviceSignOut = `[data-testid="device"]:not([data-current]) [data-testid="device-sign-out"]`

func TestBrowserSignOutAnotherDevice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		javascript bool
	}{{"with JavaScript", true}, {"without JavaScript", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			chromium := chromiumPath(t) // before the database, to fail fast
			h := newHarness(t)
			mine := newBrowser(t, chromium, h, tc.javascript)
			theirs := mine.isolatedTab(tc.javascript, uaFirefoxWindows)

			mine.open("/signup")
			mine.navigateBy("sign up", chromedp.Steps(
				typeInto("signup-email", journeyEmail),
				typeInto("signup-password", journeyPassword),
				click(`[data-testid="signup-submit"]`),
			))
			id := mine.accountUserID(journeyEmail)
			theirs.logIn(journeyEmail, journeyPassword)
			if again := theirs.accountUserID(journeyEmail); again != id {
				t.Fatalf("second device signed in as %s, want %s", again, id)
			}
			// The second device opens its own device list and stays there.
			theirs.navigateBy("open devices", click(`[data-testid="nav-devices"]`))
			theirs.wantLocation("/account/devices")

			mine.navigateBy("open devices", click(`[data-testid="nav-devices"]`))
			mine.wantLocation("/account/devices")
			if n := mine.deviceCount(); n != 2 {
				t.Fatalf("devices listed: %d, want 2", n)
			}
			mine.wantText(`[data-testid="device"][data-current] [data-testid="device-current"]`, messages.Text(messages.DevicesThisDevice))
			mine.wantText(`[data-testid="device"]:not([data-current]) [data-testid="device-name"]`, "Firefox on Windows")

			if tc.javascript {
				mine.waitPageScripts()
				mine.markPage(1)
				mine.do("sign out the other device", click(otherDeviceSignOut))
				mine.waitTextIn("#devices-notice", messages.Text(messages.DeviceSignedOut))
				mine.wantMarker(1)
				mine.wantFocus("devices-notice")
			} else {
				mine.navigateBy("sign out the other device", click(otherDeviceSignOut))
				mine.wantLocation("/account/devices?done=one")
				mine.wantText("#devices-notice", messages.Text(messages.DeviceSignedOut))
			}
			if n := mine.deviceCount(); n != 1 {
				t.Fatalf("devices listed after the sign-out: %d, want 1", n)
			}

			// The other device's next click, a sign-out of its own, lands on
			// the login page and does nothing.
			if tc.javascript {
				theirs.waitPageScripts()
			}
			theirs.navigateBy("next click on the signed-out device", click(`[data-testid="devices-sign-out-others"]`))
			theirs.wantLocation("/login")
			if ck := theirs.sessionCookie(); ck != nil && ck.Value != "" {
				if h.signedIn(h.withToken(ck.Value)) {
					t.Fatal("the signed-out device's cookie still signs in")
				}
			}

			mine.open("/account")
			if again := mine.accountUserID(journeyEmail); again != id {
				t.Fatalf("this device is signed in as %s, want %s", again, id)
			}
			mine.wantCleanConsole()
			theirs.wantCleanConsole()
		})
	}
}
