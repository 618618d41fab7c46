package layout

import (
	"context"
	"github.com/latch-dev/latch/components/brand"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

func render(t *testing.T, c templ.Component, body string) (string, *html.Node) {
	t.Helper()
	ctx := templ.WithChildren(context.Background(), templ.Raw(body))
	var b strings.Builder
	if err := c.Render(ctx, &b); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := html.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return b.String(), doc
}

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	all := findAll(n, match)
	if len(all) == 0 {
		return nil
	}
	return all[0]
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	if n.Type == html.ElementNode && match(n) {
		out = append(out, n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, findAll(c, match)...)
	}
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func withAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, ok := attr(n, key); return ok && v == val }
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

var page = Page{
	Title:   "Log in",
	CSS:     []string{"/static/css/theme.1a2b.css", "/static/css/app.3c4d.css"},
	Scripts: []string{"/static/vendor/datastar.5e6f.js"},
}

func TestBaseDocument(t *testing.T) {
	out, doc := render(t, Base(page), `<p id="content">Hi</p>`)

	if !strings.HasPrefix(strings.ToLower(out), "<!doctype html>") {
		t.Errorf("document starts %q", out[:min(len(out), 20)])
	}
	if v, _ := attr(find(doc, tag("html")), "lang"); v != "en" {
		t.Errorf("lang=%q", v)
	}
	if find(doc, withAttr("charset", "utf-8")) == nil {
		t.Error("no meta charset")
	}
	if find(doc, withAttr("name", "viewport")) == nil {
		t.Error("no meta viewport")
	}
	if got := textOf(find(doc, tag("title"))); got != "Log in · Latch" {
		t.Errorf("title %q", got)
	}

	links := findAll(doc, withAttr("rel", "stylesheet"))
	if len(links) != 2 {
		t.Fatalf("%d stylesheets, want 2", len(links))
	}
	for i, l := range links {
		if href, _ := attr(l, "href"); href != page.CSS[i] {
			t.Errorf("stylesheet %d href %q, want %q (order kept)", i, href, page.CSS[i])
		}
	}

	scripts := findAll(doc, tag("script"))
	if len(scripts) != 1 {
		t.Fatalf("%d scripts, want 1", len(scripts))
	}
	for key, want := range map[string]string{"type": "module", "src": page.Scripts[0], "defer": ""} {
		if v, ok := attr(scripts[0], key); !ok || v != want {
			t.Errorf("script %s=%q, want %q", key, v, want)
		}
	}

	skip := find(doc, withAttr("class", "skip-link"))
	if skip == nil {
		t.Fatal("no skip link")
	}
	if href, _ := attr(skip, "href"); href != "#main" {
		t.Errorf("skip link href %q", href)
	}
	main := find(doc, tag("main"))
	if id, _ := attr(main, "id"); id != "main" {
		t.Errorf("main id %q", id)
	}
	if find(main, withAttr("id", "content")) == nil {
		t.Error("children not inside <main>")
	}
	// The footer holds the language picker, and no words about Latch:
	// with no support or legal links set, no links either.
	if footer := find(doc, tag("footer")); footer == nil {
		t.Error("no footer with the language picker")
	} else if strings.Contains(textOf(footer), "Latch") || find(footer, tag("a")) != nil {
		t.Errorf("footer %q names Latch or links somewhere with no brand links set", textOf(footer))
	}
	brand := find(doc, withAttr("class", "site-brand"))
	if href, _ := attr(brand, "href"); href != "/" || textOf(brand) != "Latch" {
		t.Errorf("brand link href=%q text=%q", href, textOf(brand))
	}
}

// The request's brand names the page, draws the logo and favicon and
// links the product's support and legal pages in the footer.
func TestBaseShowsTheRequestsBrand(t *testing.T) {
	b := brand.Brand{Name: "Acme", Logo: "/static/acme.svg", LogoDark: "/static/acme-dark.svg", Favicon: "/static/acme.ico",
		Support: "help@acme.example", TermsURL: "https://acme.example/terms", PrivacyURL: "https://acme.example/privacy"}
	ctx := WithPath(brand.With(templ.WithChildren(context.Background(), templ.Raw("<p>x</p>")), b), "/account/devices")
	var out strings.Builder
	if err := Base(Page{Title: "Devices", UserEmail: "a@example.com"}).Render(ctx, &out); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(out.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got := textOf(find(doc, tag("title"))); got != "Devices · Acme" {
		t.Errorf("title %q", got)
	}
	if href, _ := attr(find(doc, withAttr("rel", "icon")), "href"); href != b.Favicon {
		t.Errorf("favicon %q", href)
	}
	if src, _ := attr(find(doc, withAttr("data-testid", "site-logo")), "src"); src != b.Logo {
		t.Errorf("logo %q", src)
	}
	if src, _ := attr(find(doc, tag("source")), "srcset"); src != b.LogoDark {
		t.Errorf("dark logo %q", src)
	}
	for id, want := range map[string]string{"footer-support": "mailto:help@acme.example", "footer-terms": b.TermsURL, "footer-privacy": b.PrivacyURL} {
		if href, _ := attr(find(doc, withAttr("data-testid", id)), "href"); href != want {
			t.Errorf("%s href %q, want %q", id, href, want)
		}
	}
	if strings.Contains(out.String(), "Latch") {
		t.Error("the page still names Latch")
	}
	if v, _ := attr(find(doc, withAttr("data-testid", "nav-devices")), "aria-current"); v != "page" {
		t.Errorf("devices link aria-current %q, want page", v)
	}
	if _, ok := attr(find(doc, withAttr("data-testid", "nav-account")), "aria-current"); ok {
		t.Error("account link marked current on the devices page")
	}
}

// A strict Content-Security-Policy forbids inline script and style.
func TestBaseHasNoInlineScriptOrStyle(t *testing.T) {
	for _, p := range []Page{page, {UserEmail: "a@example.com", Scripts: []string{"/a.js", "/b.js"}}} {
		_, doc := render(t, AuthCard(p, "Heading"), "<p>x</p>")
		for _, s := range findAll(doc, tag("script")) {
			if src, ok := attr(s, "src"); !ok || src == "" {
				t.Error("script without src")
			}
			if textOf(s) != "" {
				t.Errorf("script with inline content %q", textOf(s))
			}
		}
		if find(doc, tag("style")) != nil {
			t.Error("<style> element rendered")
		}
		if n := find(doc, func(n *html.Node) bool { _, ok := attr(n, "style"); return ok }); n != nil {
			t.Errorf("<%s> has a style attribute", n.Data)
		}
		if n := find(doc, func(n *html.Node) bool {
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					return true
				}
			}
			return false
		}); n != nil {
			t.Errorf("<%s> has an inline event handler", n.Data)
		}
	}
}

func TestBaseSignedOut(t *testing.T) {
	_, doc := render(t, Base(Page{}), "")
	if got := textOf(find(doc, tag("title"))); got != "Latch" {
		t.Errorf("title %q", got)
	}
	nav := find(doc, tag("nav"))
	for href, text := range map[string]string{"/login": "Log in", "/signup": "Sign up"} {
		a := find(nav, withAttr("href", href))
		if a == nil || textOf(a) != text {
			t.Errorf("no %q link to %s", text, href)
		}
	}
	if find(doc, withAttr("data-testid", "logout")) != nil || find(doc, withAttr("action", "/logout")) != nil {
		t.Error("logout shown when signed out")
	}
	if find(doc, withAttr("href", "/account")) != nil {
		t.Error("account link shown when signed out")
	}
}

func TestBaseSignedIn(t *testing.T) {
	_, doc := render(t, Base(Page{UserEmail: "ada@example.com", MainID: "content"}), "")
	nav := find(doc, tag("nav"))
	if !strings.Contains(textOf(nav), "ada@example.com") {
		t.Errorf("nav text %q lacks the email", textOf(nav))
	}
	if a := find(nav, withAttr("href", "/account")); a == nil || textOf(a) != "Account" {
		t.Error("no Account link")
	}
	form := find(nav, withAttr("action", "/logout"))
	if form == nil || form.Data != "form" {
		t.Fatal("no logout form")
	}
	if m, _ := attr(form, "method"); m != "post" {
		t.Errorf("logout form method %q", m)
	}
	btn := find(form, withAttr("data-testid", "logout"))
	if btn == nil || btn.Data != "button" || textOf(btn) != "Log out" {
		t.Fatal("no Log out button")
	}
	if typ, _ := attr(btn, "type"); typ != "submit" {
		t.Errorf("logout button type %q", typ)
	}
	if find(nav, withAttr("href", "/login")) != nil || find(nav, withAttr("href", "/signup")) != nil {
		t.Error("login/signup links shown when signed in")
	}
	if id, _ := attr(find(doc, tag("main")), "id"); id != "content" {
		t.Errorf("main id %q, want the custom one", id)
	}
	if href, _ := attr(find(doc, withAttr("class", "skip-link")), "href"); href != "#content" {
		t.Errorf("skip link href %q", href)
	}
}

func TestBaseEscapesUserText(t *testing.T) {
	const hostile = `"><script>alert(1)</script>`
	out, doc := render(t, AuthCard(Page{Title: hostile, UserEmail: hostile}, hostile), "")
	if strings.Contains(out, "<script>alert") {
		t.Fatalf("markup injected: %s", out)
	}
	if n := len(findAll(doc, tag("script"))); n != 0 {
		t.Errorf("%d script elements parsed, want 0", n)
	}
	if got := textOf(find(doc, tag("h1"))); got != hostile {
		t.Errorf("heading %q, want it verbatim", got)
	}
}

func TestBaseRefusesScriptURLs(t *testing.T) {
	out, _ := render(t, Base(Page{CSS: []string{"javascript:alert(1)"}, Scripts: []string{"javascript:alert(2)"}}), "")
	if strings.Contains(out, "javascript:") {
		t.Errorf("javascript: URL rendered: %s", out)
	}
}

func TestAuthCardAndAppShell(t *testing.T) {
	_, doc := render(t, AuthCard(page, "Log in"), `<p id="inner">x</p>`)
	card := find(doc, tag("section"))
	if card == nil {
		t.Fatal("no card")
	}
	if c, _ := attr(card, "class"); c != "card auth-card" {
		t.Errorf("card class %q", c)
	}
	if h := find(card, tag("h1")); h == nil || textOf(h) != "Log in" {
		t.Error("card has no h1 with the heading")
	}
	if find(card, withAttr("id", "inner")) == nil {
		t.Error("children not inside the card")
	}
	if len(findAll(doc, tag("h1"))) != 1 {
		t.Error("want exactly one h1")
	}

	_, doc = render(t, AppShell(page, "Your account"), `<p id="inner">x</p>`)
	col := find(doc, withAttr("class", "app-layout"))
	if col == nil {
		t.Fatal("no content column")
	}
	if h := find(col, tag("h1")); h == nil || textOf(h) != "Your account" {
		t.Error("column has no h1 with the heading")
	}
	if find(col, withAttr("id", "inner")) == nil {
		t.Error("children not inside the column")
	}
}
