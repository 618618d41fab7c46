package ui

import (
	"testing"

	"github.com/a-h/templ"
)

func TestPasswordStrength(t *testing.T) {
	_, doc := render(t, PasswordStrength(StrengthProps{
		Props: Props{Class: "wide", Attributes: templ.Attributes{"data-x": "1"}},
		For:   "signup-password", Label: "Password length", Min: 8, Target: 15,
	}))
	wrap := find(doc, byID("signup-password-strength"))
	if wrap == nil {
		t.Fatal("no element with id signup-password-strength, where the module looks for the meter")
	}
	mustAttr(t, wrap, "class", "strength wide")
	mustAttr(t, wrap, "data-x", "1")
	mustAttr(t, wrap, "data-testid", "signup-password-strength")
	m := find(doc, byID("signup-password-strength-meter"))
	if m == nil || m.Data != "meter" {
		t.Fatal("no <meter id=signup-password-strength-meter>")
	}
	// Below 8 is the low region, 8 to 14 fair, 15 (the optimum) the best.
	for key, want := range map[string]string{
		"min": "0", "max": "15", "low": "8", "high": "14", "optimum": "15", "value": "0",
		"aria-label": "Password length", "aria-describedby": "signup-password-strength-text",
	} {
		mustAttr(t, m, key, want)
	}
	text := find(doc, byID("signup-password-strength-text"))
	if text == nil {
		t.Fatal("no verdict line")
	}
	mustAttr(t, text, "aria-live", "polite")
	if textOf(text) != "" {
		t.Errorf("verdict %q before anything is typed", textOf(text))
	}
}

func TestPasswordStrengthOwnID(t *testing.T) {
	_, doc := render(t, PasswordStrength(StrengthProps{Props: Props{ID: "meter"}, For: "pw", Min: 8, Target: 8}))
	if find(doc, byID("meter")) == nil || find(doc, byID("meter-meter")) == nil || find(doc, byID("meter-text")) == nil {
		t.Fatal("Props.ID does not name the meter's elements")
	}
	mustAttr(t, find(doc, byID("meter-meter")), "high", "8")
}
