package messages

import (
	"maps"
	"slices"
	"sync"
)

// Lang is a language the catalog is written in, as a BCP 47 tag ("en").
type Lang string

// English is the catalog's first language and the default of every
// request that asks for none the catalog has.
const English Lang = "en"

// Languages lists the languages the catalog is written in, English first:
// the languages a request can be answered in, in the order the language
// picker shows them. Adding a language is one file (fr.go is the model:
// a Lang constant, its text map and its browser part) and one line here
// and in each switch below; TestEveryLanguageHasEveryKey then names every
// key the new file still lacks.
func Languages() []Lang { return []Lang{English, French} }

// translation returns the text of l beside the browser's part: nil for
// English, whose text is the catalog itself.
func (l Lang) translation() map[Key]string {
	switch l {
	case French:
		return frenchText
	}
	return nil
}

// areas returns the rest of l's text, kept in one file per area of the
// product (the admin console, the page frame): nil for English, whose
// text is the catalog itself.
func (l Lang) areas() []map[Key]string {
	switch l {
	case French:
		return []map[Key]string{frenchAdmin, frenchFace}
	}
	return nil
}

// browser returns the browser's part of the catalog in l, English for a
// language the catalog does not have. It holds only static lists, so the
// browser module carries every language's short part and nothing else.
func (l Lang) browser() []entry {
	switch l {
	case French:
		return frenchBrowser
	}
	return browserCatalog
}

// Supported reports whether the catalog is written in l.
func (l Lang) Supported() bool {
	for _, s := range Languages() {
		if s == l {
			return true
		}
	}
	return false
}

// Text returns the text for k in l. A key the language lacks falls back
// to English, so a missing translation shows English, never a raw key; a
// test fails on any missing key, so the fallback is a safety net only.
func (l Lang) Text(k Key) string {
	if l != English {
		if s, ok := translations()[l][k]; ok {
			return s
		}
	}
	return Text(k)
}

// translations holds each language's own texts in one map per language,
// built on first use from its parts (the browser part wins, then the
// translation, then the areas), so a page's dozens of lookups cost one
// map access each. Like english, nothing refers to it at package
// initialisation, so the browser module carries none of it.
func translations() map[Lang]map[Key]string {
	translationsOnce.Do(func() {
		all := make(map[Lang]map[Key]string)
		for _, l := range Languages() {
			if l == English {
				continue
			}
			m := make(map[Key]string)
			for _, part := range slices.Backward(l.areas()) {
				maps.Copy(m, part)
			}
			maps.Copy(m, l.translation())
			for _, e := range l.browser() {
				m[e.key] = e.text
			}
			all[l] = m
		}
		translationIndex = all
	})
	return translationIndex
}

var (
	translationsOnce sync.Once
	translationIndex map[Lang]map[Key]string
)

// Has reports whether l has its own text for k (English has every key
// the catalog defines). Tests use it to name missing translations.
func (l Lang) Has(k Key) bool {
	if l == English {
		for _, e := range Keys() {
			if e == k {
				return true
			}
		}
		return false
	}
	if _, ok := lookup(l.browser(), k); ok {
		return true
	}
	if _, ok := l.translation()[k]; ok {
		return true
	}
	for _, m := range l.areas() {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// Fill is Fill in l.
func (l Lang) Fill(k Key, pairs ...string) string {
	return fill(l.Text(k), pairs)
}

// Dir is the writing direction of l for <html dir>: "rtl" for the
// languages written right to left, else "ltr".
func (l Lang) Dir() string {
	switch l {
	case "ar", "fa", "he", "ur":
		return "rtl"
	}
	return "ltr"
}
