package messages_test

import (
	"testing"

	"github.com/latch-dev/latch/client/messages"
)

// TestCatalogPartsDoNotOverlap: a key lives in one part of the catalog
// only, so Text and BrowserText can never disagree about it.
func TestCatalogPartsDoNotOverlap(t *testing.T) {
	t.Parallel()
	seen := map[messages.Key]int{}
	for _, part := range messages.CatalogParts() {
		for k := range part {
			seen[k]++
		}
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("key %q is in %d parts of the catalog", k, n)
		}
	}
}

// TestBrowserTextIsText: the browser's part of the catalog is part of the
// catalog, with the same words.
func TestBrowserTextIsText(t *testing.T) {
	t.Parallel()
	keys := messages.BrowserKeys()
	if len(keys) == 0 {
		t.Fatal("the browser's part of the catalog is empty")
	}
	for _, k := range keys {
		if got, want := messages.BrowserText(k), messages.Text(k); got != want || got == "" {
			t.Errorf("BrowserText(%q) = %q, Text = %q", k, got, want)
		}
	}
	const unknown = messages.Key("no.such.key")
	if got, want := messages.BrowserText(unknown), messages.Text(messages.InternalError); got != want {
		t.Errorf("BrowserText(unknown) = %q, want the internal error text %q", got, want)
	}
	if got, want := messages.Text(unknown), messages.Text(messages.InternalError); got != want {
		t.Errorf("Text(unknown) = %q, want %q", got, want)
	}
}
