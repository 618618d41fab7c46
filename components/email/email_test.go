package email_test

import (
	"github.com/latch-dev/latch/components/theme"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/latch-dev/latch/components/email"
)

// byTestID returns the text inside, and the attributes of, the element
// with data-testid id.
func byTestID(t *testing.T, doc *html.Node, id string) (string, map[string]string) {
	t.Helper()
	var found *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for _, a := range n.Attr {
			if a.Key == "data-testid" && a.Val == id {
				found = n
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == nil {
		t.Fatalf("no element with data-testid=%q", id)
	}
	var text strings.Builder
	var collect func(*html.Node)
	collect = func(n *html.Node) {
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			collect(c)
		}
	}
	collect(found)
	attrs := map[string]string{}
	for _, a := range found.Attr {
		attrs[a.Key] = a.Val
	}
	return text.String(), attrs
}

func TestLoginCodeRendersBothBodies(t *testing.T) {
	t.Parallel()
	e := email.LoginCode{
		Brand:     email.Brand{AppName: "Latch & Co"},
		Code:      "042917",
		Link:      "https://latch.test/login/link?s=abc&v=def",
		ExpiresIn: 10 * time.Minute,
	}
	r, err := email.Render(t.Context(), e)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Your Latch & Co sign-in code: 042917" {
		t.Errorf("Subject = %q", r.Subject)
	}

	// Plain text is not HTML-escaped.
	for _, want := range []string{"    042917\n", "\nhttps://latch.test/login/link?s=abc&v=def\n", "expires in 10 minutes", "\n-- \nLatch & Co\n"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text body lacks %q:\n%s", want, r.Text)
		}
	}
	if strings.Contains(r.Text, "&amp;") || strings.Contains(r.Text, "<") {
		t.Errorf("text body holds HTML:\n%s", r.Text)
	}

	if !strings.HasPrefix(r.HTML, "<!doctype html>") && !strings.HasPrefix(r.HTML, "<!DOCTYPE html>") {
		t.Errorf("HTML body starts %q", r.HTML[:min(20, len(r.HTML))])
	}
	doc, err := html.Parse(strings.NewReader(r.HTML))
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := byTestID(t, doc, "email-code"); code != "042917" {
		t.Errorf("code element says %q", code)
	}
	label, link := byTestID(t, doc, "email-link")
	if link["href"] != e.Link || label != "Sign in to Latch & Co" {
		t.Errorf("link %q labelled %q", link["href"], label)
	}
	if !strings.Contains(link["style"], "background:"+theme.Default()["color-primary"]+";") {
		t.Errorf("link style %q lacks the theme's primary colour", link["style"])
	}
	if txt, _ := byTestID(t, doc, "email-link-text"); txt != e.Link {
		t.Errorf("fallback link text %q", txt)
	}
	if name, _ := byTestID(t, doc, "email-app-name"); name != "Latch & Co" {
		t.Errorf("app name %q", name)
	}
	if strings.Contains(r.HTML, "ZgotmplZ") || strings.Contains(r.HTML, "about:invalid") {
		t.Errorf("a style or URL was refused by templ:\n%s", r.HTML)
	}
}

func TestLoginCodeRefusesScriptLinks(t *testing.T) {
	t.Parallel()
	r, err := email.Render(t.Context(), email.LoginCode{Brand: email.Brand{AppName: "Latch"}, Code: "1", Link: "javascript:alert(1)", ExpiresIn: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, `href="javascript:`) {
		t.Errorf("rendered a javascript: link")
	}
	if !strings.Contains(r.Text, "expires in 1 hour") {
		t.Errorf("text body: %s", r.Text)
	}
}

func TestThemeIsApplied(t *testing.T) {
	t.Parallel()
	th := email.DefaultTheme()
	th.Primary = "#aa0000"
	r, err := email.Render(t.Context(), email.LoginCode{Brand: email.Brand{AppName: "X", Theme: th}, Code: "1", Link: "https://x.test/", ExpiresIn: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.HTML, "background:#aa0000") || strings.Contains(r.HTML, "#1f5fbf") {
		t.Errorf("theme not applied")
	}
}

func TestLoginCodeWithoutLink(t *testing.T) {
	t.Parallel()
	r, err := email.Render(t.Context(), email.LoginCode{Brand: email.Brand{AppName: "Latch"}, Code: "123456", ExpiresIn: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, `data-testid="email-link"`) || strings.Contains(r.Text, "open this link") {
		t.Errorf("an email without a link offers one:\n%s\n%s", r.HTML, r.Text)
	}
	if !strings.Contains(r.Text, "123456") || !strings.Contains(r.HTML, "123456") {
		t.Error("code missing")
	}
}

func TestLoginCodeSaysBothLifetimes(t *testing.T) {
	t.Parallel()
	e := email.LoginCode{Brand: email.Brand{AppName: "Latch"}, Code: "123456", Link: "https://x.test/login/link?token=t",
		ExpiresIn: 10 * time.Minute, LinkExpiresIn: 15 * time.Minute}
	r, err := email.Render(t.Context(), e)
	if err != nil {
		t.Fatal(err)
	}
	const want = "The code expires in 10 minutes, the link in 15 minutes."
	if !strings.Contains(r.Text, want) || !strings.Contains(r.HTML, want) {
		t.Errorf("bodies do not say both lifetimes:\n%s\n%s", r.Text, r.HTML)
	}
	// Without a link, only the code's lifetime is told.
	e.Link = ""
	if r, _ = email.Render(t.Context(), e); !strings.Contains(r.Text, "It expires in 10 minutes.") || strings.Contains(r.Text, "15") {
		t.Errorf("code-only text: %s", r.Text)
	}
}
