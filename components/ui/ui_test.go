package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

// render renders c (with children, if given) and returns the HTML and its
// parsed tree.
func render(t *testing.T, c templ.Component, children ...templ.Component) (string, *html.Node) {
	t.Helper()
	ctx := context.Background()
	if len(children) > 0 {
		ctx = templ.WithChildren(ctx, children[0])
	}
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

func text(s string) templ.Component { return templ.Raw(templ.EscapeString(s)) }

// find returns the first element (depth first) for which match is true.
func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, match); f != nil {
			return f
		}
	}
	return nil
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

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id }
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func mustAttr(t *testing.T, n *html.Node, key, want string) {
	t.Helper()
	got, ok := attr(n, key)
	if !ok {
		t.Errorf("<%s> has no %s attribute, want %q", n.Data, key, want)
		return
	}
	if got != want {
		t.Errorf("<%s %s=%q>, want %q", n.Data, key, got, want)
	}
}

func noAttr(t *testing.T, n *html.Node, key string) {
	t.Helper()
	if v, ok := attr(n, key); ok {
		t.Errorf("<%s> has %s=%q, want none", n.Data, key, v)
	}
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

func TestFieldLinksLabelHintAndError(t *testing.T) {
	_, doc := render(t, Field(FieldProps{
		Props: Props{ID: "signup-email", Class: "wide", Attributes: templ.Attributes{"data-testid": "email-field"}},
		Label: "Email address", Name: "email", Type: "email", Value: "a@example.com",
		Autocomplete: "email", Hint: "We never share it.", InputMode: "email",
		Required: true, Autofocus: true, MaxLength: 254, MinLength: 3,
		InputAttributes: templ.Attributes{"data-testid": "email-input"},
	}))

	wrapper := find(doc, tag("div"))
	mustAttr(t, wrapper, "class", "field wide")
	mustAttr(t, wrapper, "data-testid", "email-field")

	label := find(doc, tag("label"))
	mustAttr(t, label, "for", "signup-email")
	if got := textOf(label); got != "Email address" {
		t.Errorf("label text %q", got)
	}

	hint := find(doc, byID("signup-email-hint"))
	if hint == nil || textOf(hint) != "We never share it." {
		t.Fatalf("hint missing or wrong: %v", hint)
	}

	input := find(doc, tag("input"))
	for key, want := range map[string]string{
		"id": "signup-email", "name": "email", "type": "email", "value": "a@example.com",
		"autocomplete": "email", "inputmode": "email", "maxlength": "254", "minlength": "3",
		"required": "", "autofocus": "", "data-testid": "email-input",
		"aria-describedby": "signup-email-hint signup-email-error",
	} {
		mustAttr(t, input, key, want)
	}
	noAttr(t, input, "aria-invalid")

	errLine := find(doc, byID("signup-email-error"))
	if errLine == nil {
		t.Fatal("error container missing")
	}
	if errLine.Data != "p" || textOf(errLine) != "" {
		t.Errorf("error container is <%s> with text %q, want an empty <p>", errLine.Data, textOf(errLine))
	}
	mustAttr(t, errLine, "class", "field-error")
	mustAttr(t, errLine, "data-testid", "signup-email-error")
}

func TestFieldWithErrorIsInvalid(t *testing.T) {
	_, doc := render(t, Field(FieldProps{
		Props: Props{ID: "login-email"}, Label: "Email", Name: "email", Type: "email",
		Error: "Enter your email address.",
	}))
	input := find(doc, tag("input"))
	mustAttr(t, input, "aria-invalid", "true")
	mustAttr(t, input, "aria-describedby", "login-email-error")
	if find(doc, byID("login-email-hint")) != nil {
		t.Error("hint rendered without Hint")
	}
	if got := textOf(find(doc, byID("login-email-error"))); got != "Enter your email address." {
		t.Errorf("error text %q", got)
	}
}

func TestFieldOmitsUnsetOptions(t *testing.T) {
	_, doc := render(t, Field(FieldProps{Props: Props{ID: "name"}, Label: "Name", Name: "name"}))
	input := find(doc, tag("input"))
	mustAttr(t, input, "type", "text")
	for _, key := range []string{"value", "autocomplete", "inputmode", "maxlength", "minlength", "required", "autofocus", "aria-invalid"} {
		noAttr(t, input, key)
	}
	mustAttr(t, find(doc, tag("div")), "class", "field")
}

func TestFieldNeverRendersPasswordValue(t *testing.T) {
	for _, typ := range []string{"password", "PASSWORD"} {
		out, doc := render(t, Field(FieldProps{
			Props: Props{ID: "pw"}, Label: "Password", Name: "password", Type: typ,
			Value: "hunter2-secret", Error: "Too short.",
		}))
		if strings.Contains(out, "hunter2-secret") {
			t.Errorf("type %q: password value rendered: %s", typ, out)
		}
		noAttr(t, find(doc, tag("input")), "value")
	}
}

func TestFieldEscapesHostileText(t *testing.T) {
	const hostile = `"><script>alert(1)</script>`
	out, doc := render(t, Field(FieldProps{
		Props: Props{ID: "q"}, Label: hostile, Name: "q", Value: hostile, Hint: hostile, Error: hostile,
	}))
	if strings.Contains(out, "<script") {
		t.Fatalf("markup injected: %s", out)
	}
	if find(doc, tag("script")) != nil {
		t.Fatal("parsed a <script> element")
	}
	mustAttr(t, find(doc, tag("input")), "value", hostile)
	if got := textOf(find(doc, byID("q-error"))); got != hostile {
		t.Errorf("error text %q, want it verbatim", got)
	}
}

func TestButton(t *testing.T) {
	tests := []struct {
		name      string
		props     ButtonProps
		wantClass string
		wantType  string
	}{
		{"default", ButtonProps{}, "btn btn-primary", "submit"},
		{"secondary", ButtonProps{Variant: "secondary"}, "btn btn-secondary", "submit"},
		{"danger", ButtonProps{Variant: "danger"}, "btn btn-danger", "submit"},
		{"link", ButtonProps{Variant: "link", Type: "button"}, "btn btn-link", "button"},
		{"unknown variant", ButtonProps{Variant: "fancy"}, "btn btn-primary", "submit"},
		{"unknown type", ButtonProps{Type: "image"}, "btn btn-primary", "submit"},
		{"extra class", ButtonProps{Props: Props{Class: "wide"}}, "btn btn-primary wide", "submit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := render(t, Button(tt.props), text("Go"))
			b := find(doc, tag("button"))
			mustAttr(t, b, "class", tt.wantClass)
			mustAttr(t, b, "type", tt.wantType)
			for _, key := range []string{"id", "name", "value", "disabled"} {
				noAttr(t, b, key)
			}
			if textOf(b) != "Go" {
				t.Errorf("children not rendered: %q", textOf(b))
			}
		})
	}

	_, doc := render(t, Button(ButtonProps{
		Props: Props{ID: "save", Attributes: templ.Attributes{"data-testid": "save"}},
		Name:  "action", Value: `a"b`, Disabled: true,
	}), text("Save"))
	b := find(doc, tag("button"))
	mustAttr(t, b, "id", "save")
	mustAttr(t, b, "name", "action")
	mustAttr(t, b, "value", `a"b`)
	mustAttr(t, b, "disabled", "")
	mustAttr(t, b, "data-testid", "save")
}

func TestAlertRoles(t *testing.T) {
	tests := []struct{ variant, wantRole, wantClass string }{
		{"", "status", "alert alert-info"},
		{"info", "status", "alert alert-info"},
		{"success", "status", "alert alert-success"},
		{"danger", "alert", "alert alert-danger"},
		{"unknown", "status", "alert alert-info"},
	}
	for _, tt := range tests {
		_, doc := render(t, Alert(AlertProps{Variant: tt.variant, Props: Props{ID: "note"}}), text("Hello"))
		d := find(doc, byID("note"))
		if d == nil {
			t.Fatalf("variant %q: no element with the id", tt.variant)
		}
		mustAttr(t, d, "role", tt.wantRole)
		mustAttr(t, d, "class", tt.wantClass)
		if textOf(d) != "Hello" {
			t.Errorf("variant %q: children %q", tt.variant, textOf(d))
		}
	}
}

func TestCard(t *testing.T) {
	_, doc := render(t, Card(Props{ID: "c", Class: "auth-card", Attributes: templ.Attributes{"aria-labelledby": "h"}}), text("Body"))
	s := find(doc, tag("section"))
	mustAttr(t, s, "class", "card auth-card")
	mustAttr(t, s, "id", "c")
	mustAttr(t, s, "aria-labelledby", "h")
	if textOf(s) != "Body" {
		t.Errorf("children %q", textOf(s))
	}
}

func TestFormWithoutDatastarIsPlain(t *testing.T) {
	_, doc := render(t, Form(FormProps{Props: Props{ID: "f"}, Action: "/login"}), text("x"))
	f := find(doc, tag("form"))
	mustAttr(t, f, "method", "post")
	mustAttr(t, f, "action", "/login")
	mustAttr(t, f, "id", "f")
	mustAttr(t, f, "class", "form")
	noAttr(t, f, "novalidate")
	for _, a := range f.Attr {
		if strings.HasPrefix(a.Key, "data-") || a.Key == "aria-busy" {
			t.Errorf("plain form has %s=%q", a.Key, a.Val)
		}
	}
}

func TestFormWithDatastar(t *testing.T) {
	_, doc := render(t, Form(FormProps{Props: Props{ID: "login-form"}, Action: "/login", Datastar: true}), text("x"))
	f := find(doc, tag("form"))
	mustAttr(t, f, "method", "post")
	mustAttr(t, f, "action", "/login")
	mustAttr(t, f, "id", "login-form")
	noAttr(t, f, "novalidate")
	mustAttr(t, f, "data-on:submit", `@post("/login", {contentType: 'form'})`)
	mustAttr(t, f, "data-indicator:_busy", "")
	mustAttr(t, f, "data-attr:aria-busy", `$_busy ? 'true' : null`)

	// The indicator must come before anything that reads its signal.
	var order []string
	for _, a := range f.Attr {
		order = append(order, a.Key)
	}
	if indexOf(order, "data-indicator:_busy") > indexOf(order, "data-attr:aria-busy") {
		t.Errorf("attribute order %v: data-indicator must precede data-attr", order)
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func TestFormActionIsQuotedInExpression(t *testing.T) {
	const action = `/x'"); alert(1); ("</script>`
	out, doc := render(t, Form(FormProps{Action: action, Datastar: true}), text("x"))
	if strings.Contains(out, "</script>") {
		t.Fatalf("markup injected: %s", out)
	}
	expr, _ := attr(find(doc, tag("form")), "data-on:submit")
	const prefix, suffix = "@post(", ", {contentType: 'form'})"
	if !strings.HasPrefix(expr, prefix) || !strings.HasSuffix(expr, suffix) {
		t.Fatalf("expression %q", expr)
	}
	var got string
	if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimPrefix(expr, prefix), suffix)), &got); err != nil {
		t.Fatalf("action argument is not one string literal: %v (%q)", err, expr)
	}
	if got != action {
		t.Errorf("action argument decodes to %q, want %q", got, action)
	}
}

func TestErrorSummary(t *testing.T) {
	_, doc := render(t, ErrorSummary("login-errors", nil))
	d := find(doc, byID("login-errors"))
	if d == nil {
		t.Fatal("empty summary has no element with the id")
	}
	noAttr(t, d, "role")
	noAttr(t, d, "tabindex")
	mustAttr(t, d, "data-testid", "login-errors")
	if d.FirstChild != nil {
		t.Error("empty summary has content")
	}

	const hostile = "<b>bold</b>"
	out, doc := render(t, ErrorSummary("login-errors", []string{"Enter your email address.", hostile}))
	d = find(doc, byID("login-errors"))
	mustAttr(t, d, "role", "alert")
	mustAttr(t, d, "tabindex", "-1")
	mustAttr(t, d, "data-testid", "login-errors")
	items := findAll(d, tag("li"))
	if len(items) != 2 || textOf(items[0]) != "Enter your email address." || textOf(items[1]) != hostile {
		t.Errorf("items %v", items)
	}
	if strings.Contains(out, "<b>") {
		t.Errorf("message not escaped: %s", out)
	}
}
