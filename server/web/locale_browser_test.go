package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
)

// acceptLanguage makes the tab send Accept-Language: v with every request.
func (b *browser) acceptLanguage(v string) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatalf("enable network: %v", err)
	}
	if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": v}}); err != nil {
		b.t.Fatalf("set Accept-Language: %v", err)
	}
}

// wantTitle checks the document's title starts with want.
func (b *browser) wantTitle(want string) {
	b.t.Helper()
	if got := run(b, "read the title", chromedp.Evaluate[string](`document.title`)); !strings.HasPrefix(got, want) {
		b.t.Fatalf("title %q, want it to start with %q", got, want)
	}
}

// TestBrowserFrenchByAcceptLanguage: a browser that asks for French gets
// the login page in French (<html lang="fr">, its words, axe clean), and
// the browser module checks the signup form in French too.
func TestBrowserFrenchByAcceptLanguage(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	h := newHarness(t)
	b := newBrowser(t, chromium, h, true)
	b.acceptLanguage("fr-FR,fr;q=0.9")

	b.open("/login")
	if lang := run(b, "read <html lang>", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "fr" {
		t.Fatalf("<html lang> = %q, want fr", lang)
	}
	b.wantText("body", messages.French.Text(messages.LabelEmail))
	b.wantText("body", "Se connecter")
	b.wantTitle(messages.French.Text(messages.LoginTitle))
	b.wantNoAxeViolations("the French login page")

	b.open("/signup")
	b.waitWasm()
	b.do("type half an email", typeInto("signup-email", "marguerite@"))
	b.do("leave the email", click("#signup-password"))
	b.wantError("signup-email", messages.French.BrowserText(messages.EmailInvalid), "a French page, a bad email")
	if fr, en := messages.French.BrowserText(messages.EmailInvalid), messages.BrowserText(messages.EmailInvalid); fr == en {
		t.Fatal("the French validation text is the English one")
	}
	b.do("type a short password", chromedp.SendKeys(chromedp.ID("signup-password"), "court"))
	b.do("leave the password", click("#signup-email"))
	b.wantError("signup-password", messages.French.BrowserText(messages.PasswordTooShort), "a French page, a short password")
	if _, _, verdict, _ := b.meter("signup-password"); verdict != "" {
		t.Errorf("the meter says %q beside the error; want it silent (one message, announced once)", verdict)
	}
	b.do("type on", chromedp.SendKeys(chromedp.ID("signup-password"), " et long"))
	b.wantError("signup-password", "", "a French page, a long enough password")
	if _, _, verdict, _ := b.meter("signup-password"); verdict != messages.French.BrowserText(messages.PasswordStrengthFair) {
		t.Errorf("the meter says %q in French", verdict)
	}
	b.wantNoAxeViolations("the French signup page with errors")
	b.wantCleanConsole()
}

// TestBrowserLanguagePickerWithoutJavaScript: the footer's picker works
// with JavaScript off: choosing Français returns to the same page, in
// French, and the choice outlives the page.
func TestBrowserLanguagePickerWithoutJavaScript(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	h := newHarness(t)
	b := newBrowser(t, chromium, h, false)
	b.acceptLanguage("en")
	b.open("/signup")
	b.wantTitle(messages.Text(messages.SignupTitle))
	b.navigateBy("choose French", chromedp.Steps(
		chromedp.SetValue(chromedp.CSS(`[data-testid="footer-lang-select"]`), "fr"),
		click(`[data-testid="footer-lang-submit"]`),
	))
	b.wantLocation("/signup")
	if lang := run(b, "read <html lang>", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "fr" {
		t.Fatalf("<html lang> after choosing = %q", lang)
	}
	b.wantTitle(messages.French.Text(messages.SignupTitle))
	selected := run(b, "read the picker", chromedp.Evaluate[string](`document.querySelector('[data-testid="footer-lang-select"]').value`))
	if selected != "fr" {
		t.Errorf("the picker shows %q", selected)
	}
	b.open("/login")
	if body := b.text("body"); !strings.Contains(body, "Se connecter") {
		t.Errorf("the next page is not French: %.200s", body)
	}
}
