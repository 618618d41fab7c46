// Package layout holds the page frames every screen renders into: Base (the
// HTML document, header and footer), AuthCard (a centred card for sign-in
// screens) and AppShell (a wider column for signed-in pages).
//
// The frames contain no inline script or style, so pages can be served under
// a strict Content-Security-Policy; stylesheets and scripts are linked by URL
// from Page.
package layout

import (
	"context"

	"github.com/latch-dev/latch/client/messages"
)

// Page is what every frame needs to know about the page being rendered.
type Page struct {
	// Title is the page's own title; the document title is "Title · Latch".
	Title string
	// CSS lists stylesheet URLs (content-hashed), in order: the theme
	// (css/theme.css) first, then the component styles (css/app.css).
	CSS []string
	// Scripts lists module script URLs, such as the Datastar bundle.
	Scripts []string
	// Wasm loads the browser module after the page has painted; the zero
	// value loads nothing.
	Wasm Wasm
	// UserEmail is the signed-in user's email, or "" when signed out.
	UserEmail string
	// DevMailbox, in development only, is the dev mailbox's URL: a banner
	// at the top of every page links to it. "" shows no banner.
	DevMailbox string
	// MainID is the id of the <main> element, the skip link's target;
	// "main" when empty.
	MainID string
}

func mainID(p Page) string {
	if p.MainID == "" {
		return "main"
	}
	return p.MainID
}

type productKey struct{}

// WithProduct returns ctx in which pages carry name (the brand of the
// request's app, when one server serves several) where they name the
// product; empty keeps the catalog's ProductName.
func WithProduct(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, productKey{}, name)
}

// product is the name pages rendered with ctx carry.
func product(ctx context.Context) string {
	if n, _ := ctx.Value(productKey{}).(string); n != "" {
		return n
	}
	return messages.Text(messages.ProductName)
}

func documentTitle(ctx context.Context, p Page) string {
	product := product(ctx)
	if p.Title == "" {
		return product
	}
	return p.Title + " · " + product
}
