// Package i18n carries the language of a request to everything that
// renders text for it: templates call T and F with their context, and the
// web server puts the language chosen for the request into that context
// with WithLang. The text itself lives in client/messages, which stays
// free of context so the browser module can import it.
package i18n

import (
	"context"

	"github.com/latch-dev/latch/client/messages"
)

type langKey struct{}

// WithLang returns ctx carrying l, the language of everything rendered
// for the request.
func WithLang(ctx context.Context, l messages.Lang) context.Context {
	return context.WithValue(ctx, langKey{}, l)
}

// LangOf returns the language ctx carries, English when it carries none.
func LangOf(ctx context.Context) messages.Lang {
	if l, ok := ctx.Value(langKey{}).(messages.Lang); ok && l != "" {
		return l
	}
	return messages.English
}

// T returns the text for k in the request's language: what templates
// call.
func T(ctx context.Context, k messages.Key) string {
	return LangOf(ctx).Text(k)
}

// F is messages.Fill in the request's language.
func F(ctx context.Context, k messages.Key, pairs ...string) string {
	return LangOf(ctx).Fill(k, pairs...)
}

type pathKey struct{}

// WithPath returns ctx carrying the path of the page being rendered: where
// the language picker returns after a language is chosen. The web server
// sets it for GET requests only (a page answering a POST returns to the
// start).
func WithPath(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, pathKey{}, path)
}

// PathOf returns the path WithPath put in ctx, "" when none.
func PathOf(ctx context.Context) string {
	p, _ := ctx.Value(pathKey{}).(string)
	return p
}
