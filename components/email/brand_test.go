package email_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/i18n"
)

func TestLogoURLIsAbsoluteOrNothing(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name          string
		logo, baseURL string
		want          string
	}{
		{"no logo", "", "https://acme.example", ""},
		{"https URL", "https://cdn.acme.example/logo.png", "https://acme.example", "https://cdn.acme.example/logo.png"},
		{"https URL without a base", "https://cdn.acme.example/logo.png", "", "https://cdn.acme.example/logo.png"},
		{"http URL", "http://localhost:8080/brand/logo.png", "", "http://localhost:8080/brand/logo.png"},
		{"path", "/brand/logo.png", "https://acme.example", "https://acme.example/brand/logo.png"},
		{"path, base with a port", "/static/img/logo.png", "http://localhost:8080", "http://localhost:8080/static/img/logo.png"},
		{"path without a base", "/brand/logo.png", "", ""},
		{"protocol-relative", "//evil.example/logo.png", "https://acme.example", ""},
		{"data URL", "data:image/png;base64,iVBORw0KGgo=", "https://acme.example", ""},
		{"data URL, upper case", "DATA:image/svg+xml,<svg/>", "https://acme.example", ""},
		{"javascript", "javascript:alert(1)", "https://acme.example", ""},
		{"user info", "https://user:pw@acme.example/logo.png", "", ""},
		{"relative base", "/brand/logo.png", "acme.example", ""},
	} {
		got := email.Brand{Logo: c.logo, BaseURL: c.baseURL}.LogoURL()
		if got != c.want {
			t.Errorf("%s: LogoURL(%q against %q) = %q, want %q", c.name, c.logo, c.baseURL, got, c.want)
		}
	}
}

func TestEmailShowsTheBrandsLogoAboveItsName(t *testing.T) {
	t.Parallel()
	b := email.Brand{AppName: "Acme & Co", Logo: "/brand/logo.png", BaseURL: "https://acme.example"}
	r, err := email.Render(t.Context(), email.LoginCode{Brand: b, Code: "042917", ExpiresIn: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(r.HTML))
	if err != nil {
		t.Fatal(err)
	}
	_, img := byTestID(t, doc, "email-logo")
	want := map[string]string{"src": "https://acme.example/brand/logo.png", "alt": "Acme & Co", "width": "48", "height": "48"}
	for k, v := range want {
		if img[k] != v {
			t.Errorf("logo %s = %q, want %q", k, img[k], v)
		}
	}
	logoAt, nameAt := strings.Index(r.HTML, `data-testid="email-logo"`), strings.Index(r.HTML, `data-testid="email-app-name"`)
	if logoAt < 0 || nameAt < 0 || logoAt > nameAt {
		t.Errorf("the logo (at %d) is not above the name (at %d)", logoAt, nameAt)
	}

	for _, b := range []email.Brand{
		{AppName: "Acme"},
		{AppName: "Acme", Logo: "data:image/png;base64,iVBORw0KGgo=", BaseURL: "https://acme.example"},
		{AppName: "Acme", Logo: "/brand/logo.png"},
	} {
		r, err := email.Render(t.Context(), email.LoginCode{Brand: b, Code: "1", ExpiresIn: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(r.HTML, "<img") {
			t.Errorf("logo %q (base %q) gave an image: %s", b.Logo, b.BaseURL, r.HTML)
		}
	}
}

func TestEmailDocumentIsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang messages.Lang
		want string
	}{
		{messages.English, `<html lang="en" dir="ltr">`},
		{messages.French, `<html lang="fr" dir="ltr">`},
	} {
		ctx := i18n.WithLang(t.Context(), c.lang)
		r, err := email.Render(ctx, email.LoginCode{Brand: email.Brand{AppName: "Acme"}, Code: "1", ExpiresIn: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.HTML, c.want) {
			t.Errorf("%s email: want %s, got %.120s", c.lang, c.want, r.HTML)
		}
	}
	// A language written right to left gets dir="rtl" (none is in the
	// catalog yet; the words fall back to English).
	r, err := email.Render(i18n.WithLang(t.Context(), messages.Lang("ar")), email.LoginCode{Brand: email.Brand{AppName: "Acme"}, Code: "1", ExpiresIn: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.HTML, `<html lang="ar" dir="rtl">`) {
		t.Errorf("rtl email: got %.120s", r.HTML)
	}
}
