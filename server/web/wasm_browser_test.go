package web_test

import (
	"html"
	"regexp"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
)

// Browser tests of the WebAssembly module (client/wasm): live validation
// that says what the server would say, a length meter, and pages that work
// the same when the module cannot load.

// waitWasm waits until the module has taken over the page and returns how
// long after navigation start it was ready, in milliseconds.
func (b *browser) waitWasm() float64 {
	b.t.Helper()
	b.waitFor("wait for the browser module", `document.documentElement.hasAttribute("data-wasm-ready")`)
	return run(b, "read the ready mark", chromedp.Evaluate[float64](
		`performance.getEntriesByName("latch:wasm-ready").at(-1)?.startTime ?? -1`))
}

// errorText is the text of the error line of the input with id, visible or
// not (an empty error line is hidden).
func (b *browser) errorText(id string) string {
	b.t.Helper()
	return run(b, "read #"+id+"-error", chromedp.Evaluate[string](
		`document.getElementById(`+jsString(id+"-error")+`).textContent.trim()`))
}

func (b *browser) wantError(id, want, why string) {
	b.t.Helper()
	if got := b.errorText(id); got != want {
		b.t.Fatalf("%s: #%s-error reads %q, want %q", why, id, got, want)
	}
	invalid := run(b, "read aria-invalid", chromedp.Evaluate[bool](
		`document.getElementById(`+jsString(id)+`).getAttribute("aria-invalid") === "true"`))
	if invalid != (want != "") {
		b.t.Fatalf("%s: #%s aria-invalid is %v with message %q", why, id, invalid, want)
	}
}

// meter reads the length meter of the input with id: its value, maximum,
// verdict and whether it is displayed.
func (b *browser) meter(id string) (value, max int, verdict string, shown bool) {
	b.t.Helper()
	type state struct {
		Value, Max int
		Verdict    string
		Shown      bool
	}
	s := run(b, "read the meter", chromedp.Evaluate[state](`(() => {
		const wrap = document.getElementById(`+jsString(id+"-strength")+`);
		const m = document.getElementById(`+jsString(id+"-strength-meter")+`);
		return {Value: m.value, Max: m.max, Verdict: document.getElementById(`+jsString(id+"-strength-text")+`).textContent.trim(),
			Shown: getComputedStyle(wrap).display !== "none"};
	})()`))
	return s.Value, s.Max, s.Verdict, s.Shown
}

// emptyInput empties an input without typing, as a fresh page would have it.
func emptyInput(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.getElementById(` + jsString(id) + `).value = ""`)
}

// serverSignupError posts a signup as a browser without JavaScript would
// and returns the text the server put in the error line of field.
func serverSignupError(t *testing.T, h *harness, email, password, field string) string {
	t.Helper()
	r := h.post(h.browser(), "/signup", creds(email, password))
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(field) + `-error"[^>]*>([^<]*)<`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("the server's signup page (%d) has no #%s-error", r.status, field)
	}
	return html.UnescapeString(m[1])
}

func TestBrowserWasmLiveValidation(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t) // before the database, to fail fast
	h := newHarness(t)
	b := newBrowser(t, chromium, h, true)

	b.open("/signup")
	ready := b.waitWasm()
	t.Logf("browser module ready %.0f ms after navigation start", ready)
	b.waitPageScripts()
	if _, max, verdict, shown := b.meter("signup-password"); !shown || max != 15 || verdict != "" {
		t.Fatalf("length meter once the module is ready: shown %v, max %d, verdict %q; want shown, 15, empty", shown, max, verdict)
	}

	// The first keystrokes are not nagged about: too short is for later.
	b.do("type one character", chromedp.SendKeys(chromedp.ID("signup-password"), "m"))
	b.wantError("signup-password", "", "after one keystroke")
	if v, _, verdict, _ := b.meter("signup-password"); v != 1 || verdict != messages.Text(messages.PasswordStrengthShort) {
		t.Fatalf("meter after one character: %d %q", v, verdict)
	}

	// A password holding the email's local part is flagged while typing:
	// more characters cannot fix it.
	b.do("type the email, then a password holding it",
		typeInto("signup-email", journeyEmail),
		emptyInput("signup-password"),
		chromedp.SendKeys(chromedp.ID("signup-password"), journeyBadPassword),
	)
	hasEmail := messages.Text(messages.PasswordHasEmail)
	b.wantError("signup-password", hasEmail, "while typing a password holding the email")
	b.wantError("signup-email", "", "a good email left behind")
	if server := serverSignupError(t, h, journeyEmail, journeyBadPassword, "signup-password"); server != hasEmail {
		t.Fatalf("module says %q, server says %q for the same input", hasEmail, server)
	}
	// The same input, sent: the server's patch says the same words.
	b.do("submit", click(`[data-testid="signup-submit"]`))
	b.waitTextIn(`[data-testid="signup-errors"]`, hasEmail)
	b.wantError("signup-password", hasEmail, "after the server's answer")
	// The summary announces the server's words; the field's line, which
	// the module had made live, holds them as plain text.
	b.wantEachMessageInOneLiveRegion("signup after the server's answer")
	// The patch re-renders the meter at zero; it must follow what the
	// browser kept in the password field.
	if v, _, _, _ := b.meter("signup-password"); v != utf8.RuneCountInString(b.value("signup-password")) {
		t.Fatalf("meter reads %d after the server's answer, the password field holds %q", v, b.value("signup-password"))
	}

	// Too short: said once the field is left, and cleared live as soon
	// as the password is long enough.
	b.do("type a short password", emptyInput("signup-password"), chromedp.SendKeys(chromedp.ID("signup-password"), "short"))
	b.wantError("signup-password", "", "while typing a short password")
	b.do("leave the password", click("#signup-email"))
	tooShort := messages.Text(messages.PasswordTooShort)
	b.wantError("signup-password", tooShort, "after leaving a short password")
	if server := serverSignupError(t, h, journeyEmail, "short", "signup-password"); server != tooShort {
		t.Fatalf("module says %q, server says %q for the same input", tooShort, server)
	}
	// The meter's verdict (a live region too) gives way to the error line:
	// one message, announced once. The summary that held the server's
	// earlier words no longer announces: the field speaks for itself now.
	if v, _, verdict, _ := b.meter("signup-password"); v != 5 || verdict != "" {
		t.Fatalf("meter at 5 characters, with the error shown: %d %q, want no verdict", v, verdict)
	}
	b.wantEachMessageInOneLiveRegion("signup after leaving a short password")
	if live := run(b, "is the summary still live", chromedp.Evaluate[bool](`document.getElementById("signup-errors").getAttribute("role") === "alert"`)); live {
		t.Error("the error summary still announces once the module speaks for the field")
	}
	b.do("type on", chromedp.SendKeys(chromedp.ID("signup-password"), " and"))
	b.wantError("signup-password", "", "once the password reaches 8 characters")
	if v, _, verdict, _ := b.meter("signup-password"); v != 9 || verdict != messages.Text(messages.PasswordStrengthFair) {
		t.Fatalf("meter at 9 characters: %d %q", v, verdict)
	}
	b.do("type to the target", chromedp.SendKeys(chromedp.ID("signup-password"), " sweet"))
	if v, _, verdict, _ := b.meter("signup-password"); v != 15 || verdict != messages.Text(messages.PasswordStrengthGood) {
		t.Fatalf("meter at 15 characters: %d %q", v, verdict)
	}

	// Passwords are NFKC-normalised before the rules, as on the server:
	// fullwidth letters spell the local part too.
	const fullwidth = "ｍａｒｇｕｅｒｉｔｅ 1234"
	b.do("type a fullwidth password", emptyInput("signup-password"), chromedp.SendKeys(chromedp.ID("signup-password"), fullwidth))
	b.wantError("signup-password", hasEmail, "a fullwidth password holding the email")
	if server := serverSignupError(t, h, journeyEmail, fullwidth, "signup-password"); server != hasEmail {
		t.Fatalf("module says %q, server says %q for the fullwidth password", hasEmail, server)
	}

	// Changing the email re-checks the password against it.
	b.do("change the email", typeInto("signup-email", "someone.else@example.com"))
	b.wantError("signup-password", "", "after the email changed")

	// An email is judged once left, never half typed.
	b.do("type half an email", typeInto("signup-email", "marguerite@"))
	b.wantError("signup-email", "", "while typing an email")
	b.do("leave the email", click("#signup-password"))
	invalid := messages.Text(messages.EmailInvalid)
	b.wantError("signup-email", invalid, "after leaving a half-typed email")
	if server := serverSignupError(t, h, "marguerite@", "plum orchard at dusk", "signup-email"); server != invalid {
		t.Fatalf("module says %q, server says %q for the same email", invalid, server)
	}

	// Login: the module never judges a current password's length.
	b.open("/login")
	b.waitWasm()
	b.do("type a short current password and leave it",
		chromedp.SendKeys(chromedp.ID("login-password"), "abc"),
		click("#login-email"),
	)
	b.wantError("login-password", "", "a short current password")
	b.wantCleanConsole()
}

// TestBrowserWorksWithoutWasm fails every request for the module: pages
// load, forms submit and are answered by the server, and nothing breaks.
func TestBrowserWorksWithoutWasm(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t) // before the database, to fail fast
	h := newHarness(t)
	b := newBrowser(t, chromium, h, true)

	var mu sync.Mutex
	var failed []string
	paused := chromedp.Events(b.ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*.wasm"}},
	}); err != nil {
		t.Fatalf("intercept requests: %v", err)
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			mu.Lock()
			failed = append(failed, ev.Request.URL)
			mu.Unlock()
			_, _ = chromedp.Call(b.ctx, fetch.FailRequest, fetch.FailRequestParams{
				RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient,
			})
		}
	}()

	b.open("/signup")
	b.waitPageScripts()
	b.waitFor("wait for the loader to give up", `document.documentElement.hasAttribute("data-wasm-failed")`)
	mu.Lock()
	if len(failed) == 0 {
		t.Error("the page never asked for the module")
	}
	mu.Unlock()
	if run(b, "read the ready flag", chromedp.Evaluate[bool](`document.documentElement.hasAttribute("data-wasm-ready")`)) {
		t.Fatal("the module is marked ready though it could not load")
	}
	if _, _, _, shown := b.meter("signup-password"); shown {
		t.Fatal("the length meter is shown without the module to move it")
	}

	// Nothing is checked while typing; the server answers the submit.
	b.do("submit a password holding the email",
		typeInto("signup-email", journeyEmail),
		typeInto("signup-password", journeyBadPassword),
	)
	b.wantError("signup-password", "", "without the module, before submitting")
	b.do("submit", click(`[data-testid="signup-submit"]`))
	b.waitTextIn("#signup-password-error", messages.Text(messages.PasswordHasEmail))

	b.navigateBy("sign up", chromedp.Steps(
		typeInto("signup-password", journeyPassword),
		click(`[data-testid="signup-submit"]`),
	))
	b.accountUserID(journeyEmail)
	b.wantCleanConsole()
}
