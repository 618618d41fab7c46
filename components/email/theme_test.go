package email_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/theme"
)

// Every colour, font and radius of an email is a token of the page theme:
// the drift between the two (an email's own #1f5fbf beside the pages'
// #2450c8) cannot come back.
func TestEmailsUseOnlyThePageThemesTokens(t *testing.T) {
	t.Parallel()
	tokens := theme.Default()
	allowed := map[string]bool{}
	for _, v := range tokens {
		allowed[strings.ToLower(v)] = true
	}
	emails := []email.Email{
		email.LoginCode{Brand: email.Brand{AppName: "Latch"}, Code: "123456", Link: "https://x.test/l", ExpiresIn: time.Minute},
		email.ResetPassword{Brand: email.Brand{AppName: "Latch"}, Code: "123456", Link: "https://x.test/r", ExpiresIn: time.Minute},
		email.VerifyEmail{Brand: email.Brand{AppName: "Latch"}, Code: "123456", Link: "https://x.test/v", ExpiresIn: time.Minute},
		email.Notice{Brand: email.Brand{AppName: "Latch"}, Title: "t", Lines: []string{"l"}, ActionURL: "https://x.test/a", ActionLabel: "Go"},
	}
	hex := regexp.MustCompile(`#[0-9a-fA-F]{3,8}\b`)
	for _, e := range emails {
		r, err := email.Render(t.Context(), e)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range hex.FindAllString(r.HTML, -1) {
			if !allowed[strings.ToLower(c)] {
				t.Errorf("%T uses colour %s, which is no token of theme.css", e, c)
			}
		}
		for _, want := range []string{"background:" + tokens["color-bg"], "background:" + tokens["color-surface"],
			"border-radius:" + theme.Pixels(tokens["radius"]), "font-family:system-ui"} {
			if !strings.Contains(r.HTML, want) {
				t.Errorf("%T lacks %q from the theme", e, want)
			}
		}
	}
}

// A reskin is the theme file alone: change its primary colour, font and
// radius, and an email rendered from it follows.
func TestEmailFollowsAnEditedThemeFile(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../../static/css/theme.css")
	if err != nil {
		t.Fatal(err)
	}
	edited := regexp.MustCompile(`--color-primary:\s*[^;]+;`).ReplaceAllString(string(src), "--color-primary: #7a1fa2;")
	edited = regexp.MustCompile(`--font-sans:\s*[^;]+;`).ReplaceAllString(edited, `--font-sans: Georgia, "Times New Roman", serif;`)
	edited = regexp.MustCompile(`--radius:\s*[^;]+;`).ReplaceAllString(edited, "--radius: 1.5rem;")
	tokens, err := theme.Parse([]byte(edited))
	if err != nil {
		t.Fatal(err)
	}
	th, err := email.ThemeFrom(tokens)
	if err != nil {
		t.Fatal(err)
	}
	r, err := email.Render(t.Context(), email.LoginCode{Brand: email.Brand{AppName: "Acme", Theme: th}, Code: "1", Link: "https://x.test/", ExpiresIn: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"background:#7a1fa2", "font-family:Georgia, Times New Roman, serif", "border-radius:24px"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("email lacks %q from the edited theme", want)
		}
	}
	if strings.Contains(r.HTML, theme.Default()["color-primary"]) {
		t.Error("email still uses the built-in primary colour")
	}
}

// A theme that renamed a property an email needs is refused with its name.
func TestThemeMissingATokenIsRefused(t *testing.T) {
	t.Parallel()
	tokens, err := theme.Parse([]byte(":root { --color-bg: #fff; }"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := email.ThemeFrom(tokens); err == nil || !strings.Contains(err.Error(), "--color-primary") {
		t.Errorf("err = %v", err)
	}
}

// The brand's help and legal links close every HTML email; without them
// there is no such line.
func TestEmailFooterLinksTheBrandsPages(t *testing.T) {
	t.Parallel()
	b := email.Brand{AppName: "Acme", Support: "mailto:help@acme.example", Terms: "https://acme.example/terms"}
	r, err := email.Render(t.Context(), email.LoginCode{Brand: b, Code: "1", ExpiresIn: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="mailto:help@acme.example"`, `href="https://acme.example/terms"`, `data-testid="email-footer-links"`} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("email lacks %s", want)
		}
	}
	if strings.Contains(r.HTML, "Privacy") {
		t.Error("email links a privacy page the brand does not have")
	}
	r, _ = email.Render(t.Context(), email.LoginCode{Brand: email.Brand{AppName: "Acme"}, Code: "1", ExpiresIn: time.Minute})
	if strings.Contains(r.HTML, "email-footer-links") {
		t.Error("a footer line with no links")
	}
}
