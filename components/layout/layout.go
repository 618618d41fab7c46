// Package layout holds the page frames every screen renders into: Base (the
// HTML document, header and footer), AuthCard (a centred card for sign-in
// screens), AppShell (a wider column for signed-in pages) and SettingsPage
// (every settings page under /account/, with SettingsSection cards).
//
// The frames contain no inline script or style, so pages can be served under
// a strict Content-Security-Policy; stylesheets and scripts are linked by URL
// from Page.
package layout

import (
	"context"
	"strings"

	"github.com/a-h/templ"
	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/brand"
	"github.com/latch-dev/latch/components/i18n"
)

// Page is what every frame needs to know about the page being rendered.
type Page struct {
	// Title is the page's own title; the document title is "Title · Brand".
	// TitleKey, when set, names it in the catalog instead, read in the
	// request's language.
	Title    string
	TitleKey messages.Key
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

func documentTitle(ctx context.Context, p Page) string {
	product := brand.Of(ctx).Name
	title := p.Title
	if p.TitleKey != "" {
		title = i18n.T(ctx, p.TitleKey)
	}
	if title == "" {
		return product
	}
	return title + " · " + product
}

type pathKey struct{}

// WithPath returns ctx carrying the path of the request being rendered, so
// the navigation can mark the current page (aria-current).
func WithPath(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, pathKey{}, path)
}

// The navigation's items, for navCurrent.
const (
	navAccount = iota
	navDevices
	navLogin
	navSignup
)

// navCurrent is the aria-current attribute of a navigation item:
// "page" on its own page (the account item covers every settings page but
// the devices page), nothing elsewhere.
func navCurrent(ctx context.Context, item int) templ.Attributes {
	p, _ := ctx.Value(pathKey{}).(string)
	under := func(prefix string) bool { return p == prefix || strings.HasPrefix(p, prefix+"/") }
	on := false
	switch item {
	case navAccount:
		on = under("/account") && !under("/account/devices")
	case navDevices:
		on = under("/account/devices")
	case navLogin:
		on = p == "/login"
	case navSignup:
		on = p == "/signup"
	}
	if on {
		return templ.Attributes{"aria-current": "page"}
	}
	return templ.Attributes{}
}
