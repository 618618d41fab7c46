package ui

import (
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

func TestCheckboxLinksLabelAndHint(t *testing.T) {
	_, doc := render(t, Checkbox(CheckboxProps{
		Props:           Props{ID: "login-remember", Class: "extra", Attributes: templ.Attributes{"data-testid": "remember-field"}},
		Label:           "Keep me signed in",
		Name:            "remember",
		Hint:            "Not on a shared computer.",
		Checked:         true,
		InputAttributes: templ.Attributes{"data-testid": "login-remember"},
	}))
	wrap := find(doc, func(n *html.Node) bool { v, _ := attr(n, "data-testid"); return v == "remember-field" })
	if wrap == nil {
		t.Fatal("no wrapper with the given attributes")
	}
	mustAttr(t, wrap, "class", "field field-checkbox extra")
	in := find(doc, byID("login-remember"))
	if in == nil || in.Data != "input" {
		t.Fatal("no input with the id")
	}
	mustAttr(t, in, "type", "checkbox")
	mustAttr(t, in, "name", "remember")
	mustAttr(t, in, "value", "1")
	mustAttr(t, in, "aria-describedby", "login-remember-hint")
	mustAttr(t, in, "data-testid", "login-remember")
	if _, ok := attr(in, "checked"); !ok {
		t.Error("checked box not checked")
	}
	label := find(doc, tag("label"))
	mustAttr(t, label, "for", "login-remember")
	if textOf(label) != "Keep me signed in" {
		t.Errorf("label %q", textOf(label))
	}
	if hint := find(doc, byID("login-remember-hint")); hint == nil || textOf(hint) != "Not on a shared computer." {
		t.Error("hint missing")
	}
}

func TestCheckboxOmitsUnsetOptions(t *testing.T) {
	out, doc := render(t, Checkbox(CheckboxProps{Label: "<b>x</b>", Name: "remember", Value: "yes"}))
	in := find(doc, tag("input"))
	mustAttr(t, in, "id", "remember")
	mustAttr(t, in, "value", "yes")
	noAttr(t, in, "checked")
	noAttr(t, in, "aria-describedby")
	if strings.Contains(out, "<b>x</b>") || strings.Contains(out, "-hint") {
		t.Fatalf("unescaped label or stray hint: %s", out)
	}
}
