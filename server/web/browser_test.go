package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/session"
)

// browserJourneyLimit bounds a whole browser test and stepLimit each wait
// in it, so a hang fails the test instead of blocking the run.
const (
	browserJourneyLimit = 30 * time.Second
	stepLimit           = 10 * time.Second
)

// chromiumNames are the executables tried, in order, on PATH.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"}

// datastarReadyProbe runs at the start of every document and records when
// Datastar has applied itself to the page, so a test never submits a form
// before Datastar has taken it over.
const datastarReadyProbe = `document.addEventListener("datastar-ready", () => { window.__datastarReady = true; });`

// browser is one headless Chromium with one tab, pointed at a harness.
type browser struct {
	t    *testing.T
	h    *harness
	base string          // http://localhost:PORT
	ctx  context.Context // the tab, with the test's deadline

	mu       sync.Mutex
	problems []string // console errors and uncaught exceptions, in order
}

// chromiumPath finds the browser or fails the test: end-to-end coverage
// must not vanish silently on a machine without Chromium.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("Chromium not found on PATH (tried %s): the browser tests need it. "+
		"Install it with `apt-get install -y chromium`, or run .ci/run, which installs it "+
		"before the README's test command.", strings.Join(chromiumNames, ", "))
	return ""
}

// chromiumStarts bounds how many Chromium processes start at once across
// the package's parallel browser tests.
var chromiumStarts = make(chan struct{}, 2)

// newBrowser starts a fresh headless Chromium (the executable chromium)
// for t, with its own profile, pointed at h's server on localhost (not
// 127.0.0.1, so cookies and origins behave as in a real deployment). With
// javascript false, the tab runs no script at all, as a browser with
// JavaScript turned off.
func newBrowser(t *testing.T, chromium string, h *harness, javascript bool) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	// Cleanups run last-in first-out: the tab closes, then the browser
	// process ends and is waited for, then its profile directory goes.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)

	// The first Run starts the browser and ties its life to tabCtx, so it
	// cannot carry a deadline; a timer cancels it instead if start hangs.
	// Starts take turns: many Chromiums starting at once on a small
	// machine starve each other past the limit.
	chromiumStarts <- struct{}{}
	hung := time.AfterFunc(20*time.Second, cancelTab)
	err := chromedp.Do(tabCtx)
	<-chromiumStarts
	if !hung.Stop() {
		t.Fatalf("Chromium did not start within 20s: %v", err)
	}
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}

	return prepareTab(t, h, tabCtx, cancelTab, javascript)
}

// prepareTab wraps a started tab for t: its deadline, console watch and
// JavaScript setting, and a dump of the page when t fails.
func prepareTab(t *testing.T, h *harness, tabCtx context.Context, cancelTab context.CancelFunc, javascript bool) *browser {
	t.Helper()
	ctx, cancel := context.WithTimeout(tabCtx, browserJourneyLimit)
	t.Cleanup(cancel)
	b := &browser{t: t, h: h, base: strings.Replace(h.srv.URL, "127.0.0.1", "localhost", 1), ctx: ctx}
	t.Cleanup(func() {
		if t.Failed() {
			b.dump(tabCtx, cancelTab)
		}
	})

	b.watchConsole()
	var err error
	if javascript {
		_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: datastarReadyProbe})
	} else {
		_, err = chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true})
	}
	if err != nil {
		t.Fatalf("prepare tab: %v", err)
	}
	return b
}

// otherProfile opens a tab in a new browser context of b's Chromium: no
// cookies or storage shared with b, as another browser would be.
func (b *browser) otherProfile(javascript bool) *browser {
	b.t.Helper()
	tabCtx, cancelTab := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancelTab)
	if err := chromedp.Do(tabCtx); err != nil {
		b.t.Fatalf("open a second browser context: %v", err)
	}
	return prepareTab(b.t, b.h, tabCtx, cancelTab, javascript)
}

// watchConsole records every error the page logs (a script error, a
// Content-Security-Policy violation) and every uncaught exception, for
// wantCleanConsole.
func (b *browser) watchConsole() {
	b.t.Helper()
	entries := chromedp.Events(b.ctx, cdplog.EntryAdded)
	exceptions := chromedp.Events(b.ctx, runtime.ExceptionThrown)
	if _, err := chromedp.Call(b.ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		b.t.Fatalf("enable the console log: %v", err)
	}
	record := func(format string, args ...any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.problems = append(b.problems, fmt.Sprintf(format, args...))
	}
	go func() {
		for ev, err := range entries {
			if err != nil {
				return
			}
			// Network errors are left out: the failed-form answers are
			// meant to be 401 and 422, and their pages are checked directly.
			if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError && e.Source != cdplog.EntrySourceNetwork {
				record("console %s error: %s (%s)", e.Source, e.Text, e.URL)
			}
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			if d := ev.ExceptionDetails; d != nil {
				msg := d.Text
				if d.Exception != nil && d.Exception.Description != "" {
					msg += " " + d.Exception.Description
				}
				record("uncaught exception: %s (%s:%d)", msg, d.URL, d.LineNumber+1)
			}
		}
	}()
}

// wantCleanConsole fails the test if the page logged an error or threw.
func (b *browser) wantCleanConsole() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Error(p)
	}
}

// dump logs what the page and the server looked like when a test failed.
func (b *browser) dump(tabCtx context.Context, closeTab context.CancelFunc) {
	ctx, cancel := context.WithTimeout(tabCtx, 3*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		b.t.Logf("page at failure: %s", loc)
	}
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body"))); err == nil {
		if len(html) > 6000 {
			html = html[:6000] + "…"
		}
		b.t.Logf("page body at failure:\n%s", html)
	}
	closeTab()
	b.h.srv.Close() // waits for in-flight requests, so their log lines are complete
	b.t.Logf("server log:\n%s", b.h.logs.String())
}

// do runs actions as one named step and fails the test if any fails.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// run runs one action that returns a value, as a named step.
func run[T any](b *browser, step string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	return v
}

// open loads path and waits for the page's load event.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
}

// navigateBy runs trigger and waits for the next page load it causes.
func (b *browser) navigateBy(step string, trigger chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepLimit)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, trigger)); err != nil {
		b.t.Fatalf("%s: no page load followed within %s: %v", step, stepLimit, err)
	}
}

// click clicks the first visible element matching the CSS selector.
func click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)
}

// typeInto replaces the value of the input with id by typing text.
func typeInto(id, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Clear(chromedp.ID(id)),
		chromedp.SendKeys(chromedp.ID(id), text),
	)
}

// location is the page's path and query.
func (b *browser) location() string {
	b.t.Helper()
	return run(b, "read location", chromedp.Evaluate[string]("location.pathname + location.search"))
}

func (b *browser) wantLocation(want string) {
	b.t.Helper()
	if got := b.location(); got != want {
		b.t.Fatalf("page is %s, want %s", got, want)
	}
}

// text is the visible text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, "read text of "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

func (b *browser) wantText(sel, want string) {
	b.t.Helper()
	if got := b.text(sel); !strings.Contains(got, want) {
		b.t.Fatalf("%s reads %q, want it to contain %q", sel, got, want)
	}
}

// value is the current value of the input with id.
func (b *browser) value(id string) string {
	b.t.Helper()
	return run(b, "read value of #"+id, chromedp.Value(chromedp.ID(id)))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s) // a string always marshals
	return string(q)
}

// waitFor polls a JavaScript predicate in the page (JavaScript on only).
// A poll cut off by a navigation that was still settling (its document's
// execution context gone) starts again in the new document.
func (b *browser) waitFor(step, predicate string) {
	b.t.Helper()
	deadline := time.Now().Add(stepLimit)
	for {
		_, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "Cannot find context with specified id") || time.Now().After(deadline) {
			b.t.Fatalf("%s: %v", step, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitPageScripts waits until Datastar has taken over the page's forms and,
// on a page that loads the browser module, until the module runs (or has
// given up). The module writes meters and messages as it starts; on a busy
// machine it can start after the test has typed, and the shift it makes
// would move a button from under a click.
func (b *browser) waitPageScripts() {
	b.t.Helper()
	b.waitFor("wait for Datastar and the browser module", `window.__datastarReady === true &&
		(!document.querySelector('script[src*="/static/js/latch."]') ||
		 document.documentElement.hasAttribute("data-wasm-ready") ||
		 document.documentElement.hasAttribute("data-wasm-failed"))`)
}

// waitTextIn waits until the element matching sel contains want.
func (b *browser) waitTextIn(sel, want string) {
	b.t.Helper()
	b.waitFor("wait for "+sel+" to read "+want,
		"(document.querySelector("+jsString(sel)+")?.textContent || '').includes("+jsString(want)+")")
}

// markPage tags the current document; the tag survives in-place updates
// and is lost on any page load.
func (b *browser) markPage(v int) {
	b.t.Helper()
	b.do("mark page", chromedp.Evaluate[chromedp.Void]("window.__marker = "+strconv.Itoa(v)))
}

func (b *browser) wantMarker(v int) {
	b.t.Helper()
	if !run(b, "read marker", chromedp.Evaluate[bool]("window.__marker === "+strconv.Itoa(v))) {
		b.t.Fatal("the page reloaded: an in-place Datastar update was expected")
	}
}

// wantFocus waits until the element with id has focus. It polls from Go,
// so it works with JavaScript off too (autofocus is the browser's own).
func (b *browser) wantFocus(id string) {
	b.t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		got := run(b, "read focus", chromedp.Evaluate[string]("document.activeElement ? document.activeElement.id : ''"))
		if got == id {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("focus is on %q, want #%s", got, id)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// sessionCookie returns the browser's session cookie for the site, if any.
func (b *browser) sessionCookie() *network.Cookie {
	b.t.Helper()
	res := run(b, "read cookies", func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
	})
	for _, c := range res.Cookies {
		if c.Name == session.CookieName(false) {
			return c
		}
	}
	return nil
}

// accountUserID checks the account page shows email and a user id, and
// returns the id.
func (b *browser) accountUserID(email string) uuid.UUID {
	b.t.Helper()
	b.wantLocation("/account")
	b.wantText(`[data-testid="account-email"]`, email)
	raw := b.text(`[data-testid="account-user-id"]`)
	id, err := uuid.Parse(raw)
	if err != nil {
		b.t.Fatalf("account page shows user id %q: %v", raw, err)
	}
	return id
}

// signupUserID is the user id the audit log recorded for the signup.
func signupUserID(t *testing.T, h *harness) uuid.UUID {
	t.Helper()
	for _, e := range h.events(t) {
		if e.Event == "signup" && e.Outcome == "success" && e.UserID != nil {
			return *e.UserID
		}
	}
	t.Fatal("no successful signup in the audit log")
	return uuid.Nil
}

const (
	journeyEmail = "marguerite@example.com"
	// journeyBadPassword passes the browser's own checks (required, at
	// least 8 characters) but holds the email's local part, which the
	// server refuses.
	journeyBadPassword = "marguerite1234"
	journeyPassword    = "plum orchard at dusk"
)

func TestBrowserJourneyWithJavaScript(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t) // before the database, to fail fast
	h := newHarness(t)
	b := newBrowser(t, chromium, h, true)

	// A refused signup is answered in place: same document, email kept,
	// the message under the password, and focus on the password.
	b.open("/signup")
	b.waitPageScripts()
	b.markPage(1)
	b.do("submit a password holding the email",
		typeInto("signup-email", journeyEmail),
		typeInto("signup-password", journeyBadPassword),
		click(`[data-testid="signup-submit"]`),
	)
	b.waitTextIn("#signup-password-error", messages.Text(messages.PasswordHasEmail))
	b.wantMarker(1)
	b.wantLocation("/signup")
	b.wantText(`[data-testid="signup-errors"]`, messages.Text(messages.PasswordHasEmail))
	if got := b.value("signup-email"); got != journeyEmail {
		t.Fatalf("email field after refused signup = %q, want %q", got, journeyEmail)
	}
	b.wantFocus("signup-password")

	// A good signup is answered over SSE; the session cookie must arrive
	// with it, or the account page would send us back to login.
	b.navigateBy("sign up", chromedp.Steps(
		typeInto("signup-password", journeyPassword),
		click(`[data-testid="signup-submit"]`),
	))
	id := b.accountUserID(journeyEmail)
	if want := signupUserID(t, h); id != want {
		t.Fatalf("account page shows user id %s, audit log says %s", id, want)
	}

	// The session cookie exists but script cannot read it.
	ck := b.sessionCookie()
	if ck == nil {
		t.Fatal("no session cookie after signup")
	}
	if !ck.HTTPOnly || ck.SameSite != network.CookieSameSiteLax || ck.Path != "/" || !ck.Session {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/, no expiry", ck)
	}
	if jar := run(b, "read document.cookie", chromedp.Evaluate[string]("document.cookie")); strings.Contains(jar, ck.Name) || strings.Contains(jar, ck.Value) {
		t.Fatalf("document.cookie = %q exposes the session cookie", jar)
	}

	b.navigateBy("log out", click(`[data-testid="logout"]`))
	b.wantLocation("/login?from=logout")
	b.wantText(`[data-testid="login-notice"]`, messages.Text(messages.LoggedOut))
	if ck := b.sessionCookie(); ck != nil && ck.Value != "" {
		t.Fatalf("session cookie still set after logout: %+v", ck)
	}

	// A wrong password is answered in place too, keeping the email.
	b.waitPageScripts()
	b.markPage(2)
	b.do("log in with a wrong password",
		typeInto("login-email", journeyEmail),
		typeInto("login-password", "not the password at all"),
		click(`[data-testid="login-submit"]`),
	)
	b.waitTextIn(`[data-testid="login-errors"]`, messages.Text(messages.LoginFailed))
	b.wantMarker(2)
	b.wantLocation("/login?from=logout")
	if got := b.value("login-email"); got != journeyEmail {
		t.Fatalf("email field after failed login = %q, want %q", got, journeyEmail)
	}
	b.wantFocus("login-password")

	b.navigateBy("log in", chromedp.Steps(
		typeInto("login-password", journeyPassword),
		click(`[data-testid="login-submit"]`),
	))
	if again := b.accountUserID(journeyEmail); again != id {
		t.Fatalf("logged in as %s, signed up as %s", again, id)
	}
	b.wantCleanConsole()
}

func TestBrowserJourneyWithoutJavaScript(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t) // before the database, to fail fast
	h := newHarness(t)
	b := newBrowser(t, chromium, h, false)

	// Every post is a plain form post and a full page load: with script
	// off, a submit that caused no load would time out here.
	b.open("/signup")
	b.navigateBy("submit a password holding the email", chromedp.Steps(
		typeInto("signup-email", journeyEmail),
		typeInto("signup-password", journeyBadPassword),
		click(`[data-testid="signup-submit"]`),
	))
	b.wantLocation("/signup")
	b.wantText("#signup-password-error", messages.Text(messages.PasswordHasEmail))
	b.wantText(`[data-testid="signup-errors"]`, messages.Text(messages.PasswordHasEmail))
	if got := b.value("signup-email"); got != journeyEmail {
		t.Fatalf("email field after refused signup = %q, want %q", got, journeyEmail)
	}
	b.wantFocus("signup-password") // autofocus on the field to fix
	if got := b.value("signup-password"); got != "" {
		t.Fatalf("password field after refused signup = %q, want it empty", got)
	}

	b.navigateBy("sign up", chromedp.Steps(
		typeInto("signup-password", journeyPassword),
		click(`[data-testid="signup-submit"]`),
	))
	id := b.accountUserID(journeyEmail)
	if ck := b.sessionCookie(); ck == nil || !ck.HTTPOnly {
		t.Fatalf("session cookie after signup = %+v, want an HttpOnly cookie", ck)
	}

	b.navigateBy("log out", click(`[data-testid="logout"]`))
	b.wantLocation("/login?from=logout")
	b.wantText(`[data-testid="login-notice"]`, messages.Text(messages.LoggedOut))

	b.navigateBy("log in with a wrong password", chromedp.Steps(
		typeInto("login-email", journeyEmail),
		typeInto("login-password", "not the password at all"),
		click(`[data-testid="login-submit"]`),
	))
	b.wantLocation("/login")
	b.wantText(`[data-testid="login-errors"]`, messages.Text(messages.LoginFailed))
	if got := b.value("login-email"); got != journeyEmail {
		t.Fatalf("email field after failed login = %q, want %q", got, journeyEmail)
	}
	b.wantFocus("login-password")

	b.navigateBy("log in", chromedp.Steps(
		typeInto("login-password", journeyPassword),
		click(`[data-testid="login-submit"]`),
	))
	if again := b.accountUserID(journeyEmail); again != id {
		t.Fatalf("logged in as %s, signed up as %s", again, id)
	}
	b.wantCleanConsole()
}

// bothJavaScript runs f as two parallel subtests, "javascript on" and
// "javascript off": every browser journey must work both ways.
func bothJavaScript(t *testing.T, f func(t *testing.T, javascript bool)) {
	for _, javascript := range []bool{true, false} {
		name := "javascript off"
		if javascript {
			name = "javascript on"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, javascript)
		})
	}
}
