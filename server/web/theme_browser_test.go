package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/components/brand"
	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/theme"
)

// copyStatic copies the static folder to a temporary one a test may edit.
func copyStatic(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir("../../static", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../../static", path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestBrowserThemeFileReskinsPagesAndEmails edits only the theme file (a
// copy of static/ served from disk, as dev does): its primary colour,
// radius and font change what Chromium draws on the login page, and what
// an email built from the same file inlines. The brand setting renames the
// page and gives it the product's footer links.
func TestBrowserThemeFileReskinsPagesAndEmails(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	dir := copyStatic(t)
	themeFile := filepath.Join(dir, "css", "theme.css")
	src, err := os.ReadFile(themeFile)
	if err != nil {
		t.Fatal(err)
	}
	// Only the first (light) value of each token is replaced.
	edit := func(s, token, value string) string {
		re := regexp.MustCompile(`--` + token + `:\s*[^;]+;`)
		loc := re.FindStringIndex(s)
		if loc == nil {
			t.Fatalf("theme.css has no --%s", token)
		}
		return s[:loc[0]] + "--" + token + ": " + value + ";" + s[loc[1]:]
	}
	edited := edit(string(src), "color-primary", "#7a1fa2")
	edited = edit(edited, "radius", "1.5rem")
	edited = edit(edited, "font-sans", `Georgia, "Times New Roman", serif`)
	if err := os.WriteFile(themeFile, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}

	h := newHarnessWith(t, harnessOptions{staticDir: dir, brand: brand.Brand{
		Name: "Acme", Support: "help@acme.example", TermsURL: "https://acme.example/terms", PrivacyURL: "https://acme.example/privacy",
	}})
	b := newBrowser(t, chromium, h, true)
	b.open("/login")
	style := run(b, "read computed styles", chromedp.Evaluate[map[string]string](`(() => {
		const btn = document.querySelector('form button[type="submit"].btn-primary') || document.querySelector('form button[type="submit"]');
		const card = document.querySelector('.card');
		return {button: getComputedStyle(btn).backgroundColor, radius: getComputedStyle(card).borderTopLeftRadius,
			font: getComputedStyle(document.body).fontFamily, title: document.title,
			logo: String(document.querySelector('[data-testid="site-logo"]').naturalWidth)};
	})()`))
	for k, want := range map[string]string{"button": "rgb(122, 31, 162)", "radius": "24px", "title": "Log in · Acme"} {
		if style[k] != want {
			t.Errorf("%s = %q, want %q", k, style[k], want)
		}
	}
	if !strings.HasPrefix(style["font"], "Georgia") {
		t.Errorf("font = %q, want the edited theme's Georgia", style["font"])
	}
	if style["logo"] == "0" {
		t.Error("the built-in logo did not load")
	}
	b.wantText(`[data-testid="footer-support"]`, "Help")
	if body := b.text("body"); strings.Contains(body, "Latch") {
		t.Errorf("the page still names Latch: %q", body)
	}
	b.wantNoAxeViolations("login page with an edited theme and brand")
	b.wantCleanConsole()

	tokens, err := theme.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	th, err := email.ThemeFrom(tokens)
	if err != nil {
		t.Fatal(err)
	}
	r, err := email.Render(t.Context(), email.LoginCode{Brand: email.Brand{AppName: "Acme", Theme: th}, Code: "123456", Link: "https://x.test/l", ExpiresIn: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"background:#7a1fa2", "border-radius:24px", "font-family:Georgia, Times New Roman, serif"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("the email lacks %q from the edited theme file", want)
		}
	}
}
