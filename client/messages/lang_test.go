package messages_test

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/latch-dev/latch/client/messages"
)

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// placeholders returns the sorted {placeholders} of s.
func placeholders(s string) []string {
	p := placeholder.FindAllString(s, -1)
	slices.Sort(p)
	return p
}

// TestEveryLanguageHasEveryKey: every language has its own text for every
// key of the catalog, with the same {placeholders} as the English, keeps
// the browser's keys in its browser part (the only part the WebAssembly
// module carries), and has no key the catalog does not define. A key
// added in English fails here, named, until each language has it.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	t.Parallel()
	known := map[messages.Key]bool{}
	for _, k := range messages.Keys() {
		known[k] = true
	}
	keys := slices.Sorted(maps.Keys(known))
	browser := map[messages.Key]bool{}
	for _, k := range messages.BrowserKeys() {
		browser[k] = true
	}
	for _, l := range messages.Languages() {
		if l == messages.English {
			continue
		}
		t.Run(string(l), func(t *testing.T) {
			var missing, mismatched []string
			for _, k := range keys {
				if !l.Has(k) {
					missing = append(missing, string(k))
					continue
				}
				en, tr := placeholders(messages.Text(k)), placeholders(l.Text(k))
				if !slices.Equal(en, tr) {
					mismatched = append(mismatched, string(k)+" (English "+strings.Join(en, " ")+", "+string(l)+" "+strings.Join(tr, " ")+")")
				}
				if strings.TrimSpace(l.Text(k)) == "" {
					t.Errorf("%s: key %q has empty text", l, k)
				}
			}
			if len(missing) > 0 {
				t.Errorf("%s (%s) lacks %d of %d keys; translate them in client/messages/%s.go:\n\t%s",
					l.Text(messages.LangName), l, len(missing), len(keys), l, strings.Join(missing, "\n\t"))
			}
			if len(mismatched) > 0 {
				t.Errorf("%s: %d keys have other {placeholders} than the English:\n\t%s", l, len(mismatched), strings.Join(mismatched, "\n\t"))
			}
			for k := range l.BrowserPart() {
				if !browser[k] {
					t.Errorf("%s: key %q is in the browser part but is not a browser key: move it to the text map", l, k)
				}
			}
			for k := range browser {
				if _, ok := l.BrowserPart()[k]; !ok {
					t.Errorf("%s: browser key %q is not in the browser part, so the WebAssembly module would show English", l, k)
				}
			}
			for k := range l.Translation() {
				if !known[k] {
					t.Errorf("%s: key %q is not in the English catalog (renamed or removed?)", l, k)
				}
				if browser[k] {
					t.Errorf("%s: browser key %q is in the text map: move it to the browser part", l, k)
				}
			}
		})
	}
}

// TestLangFallsBackToEnglish: a language the catalog lacks, or a key a
// language lacks, reads English; an unknown key reads the internal error
// in the language.
func TestLangFallsBackToEnglish(t *testing.T) {
	t.Parallel()
	if got, want := messages.Lang("de").Text(messages.LoginTitle), messages.Text(messages.LoginTitle); got != want {
		t.Errorf("de LoginTitle = %q, want the English %q", got, want)
	}
	if got, want := messages.Lang("de").BrowserText(messages.EmailRequired), messages.BrowserText(messages.EmailRequired); got != want {
		t.Errorf("de BrowserText = %q, want %q", got, want)
	}
	if got := messages.French.Text(messages.LabelEmail); got != "Adresse e-mail" {
		t.Errorf("French LabelEmail = %q", got)
	}
	if got, want := messages.French.BrowserText(messages.EmailRequired), messages.French.Text(messages.EmailRequired); got != want || got == messages.Text(messages.EmailRequired) {
		t.Errorf("French BrowserText(EmailRequired) = %q, Text = %q", got, want)
	}
	if got, want := messages.French.BrowserText("no.such.key"), messages.French.Text(messages.InternalError); got != want {
		t.Errorf("French BrowserText(unknown) = %q, want %q", got, want)
	}
	if got := messages.French.Fill(messages.DeviceLabel, "{browser}", "Firefox", "{os}", "Linux"); got != "Firefox sur Linux" {
		t.Errorf("French DeviceLabel = %q", got)
	}
	if !messages.French.Supported() || messages.Lang("de").Supported() || messages.Lang("").Supported() {
		t.Error("Supported is wrong")
	}
}
