package layout

import (
	"strings"
	"testing"
)

func TestSettingsPageFrame(t *testing.T) {
	_, doc := render(t, SettingsPage(page, "Devices", "Where you are signed in."), "")
	col := find(doc, withAttr("data-testid", "settings-page"))
	if col == nil {
		t.Fatal("no settings frame")
	}
	back := find(col, withAttr("data-testid", "page-back"))
	if back == nil {
		t.Fatal("no way back to the account overview")
	}
	if href, _ := attr(back, "href"); href != "/account" {
		t.Errorf("back link goes to %q", href)
	}
	if h := findAll(doc, tag("h1")); len(h) != 1 || textOf(h[0]) != "Devices" {
		t.Error("want one h1 with the heading")
	}
	if l := find(col, withAttr("data-testid", "settings-lede")); l == nil || textOf(l) != "Where you are signed in." {
		t.Error("no lede")
	}
	_, doc = render(t, SettingsPage(page, "Devices", ""), "")
	if find(doc, withAttr("data-testid", "settings-lede")) != nil {
		t.Error("an empty lede is rendered")
	}
}

func TestSettingsSectionIsANamedCard(t *testing.T) {
	_, doc := render(t, SettingsSection("sessions", "Signed-in devices"), `<p id="inner">x</p>`)
	card := find(doc, withAttr("id", "sessions"))
	if card == nil || card.Data != "section" {
		t.Fatal("no section card")
	}
	if c, _ := attr(card, "class"); !strings.Contains(c, "card") || !strings.Contains(c, "settings-section") {
		t.Errorf("card class %q", c)
	}
	if l, _ := attr(card, "aria-labelledby"); l != "sessions-heading" {
		t.Errorf("aria-labelledby %q", l)
	}
	if h := find(card, tag("h2")); h == nil || textOf(h) != "Signed-in devices" {
		t.Error("no h2 naming the card")
	} else if id, _ := attr(h, "id"); id != "sessions-heading" {
		t.Errorf("heading id %q", id)
	}
	if find(card, withAttr("id", "inner")) == nil {
		t.Error("children not inside the card")
	}

	_, doc = render(t, SettingsSection("form", ""), `<p id="inner">x</p>`)
	card = find(doc, withAttr("id", "form"))
	if card == nil {
		t.Fatal("no untitled card")
	}
	if _, ok := attr(card, "aria-labelledby"); ok || find(card, tag("h2")) != nil {
		t.Error("an untitled card points at a heading it does not have")
	}
}

func TestEmptyState(t *testing.T) {
	_, doc := render(t, EmptyState("none", "Nothing yet."), "")
	p := find(doc, withAttr("data-testid", "none"))
	if p == nil || textOf(p) != "Nothing yet." {
		t.Fatal("no empty state")
	}
	if c, _ := attr(p, "class"); c != "empty-state" {
		t.Errorf("class %q", c)
	}
}
