// Package brand is what a product tells its users about itself: its name,
// logo, favicon, support contact and legal links. One Brand value is
// resolved for each request (layout.Page.Brand) and for each message sent,
// so every page, email and SMS, the authenticator-app issuer and the
// passkey relying-party name say the same thing, and a rebrand is one
// setting (LATCH_BRAND_*, see server/config/brand.go).
//
// The package uses only the standard library: pages, emails, the
// configuration and main all import it.
package brand

import (
	"context"
	"net/mail"
	"strings"
)

// DefaultName is the product name when none is configured.
const DefaultName = "Latch"

// Built-in images inside the static file system, used when the brand
// names none of its own.
const (
	LogoFile     = "img/logo.svg"
	LogoDarkFile = "img/logo-dark.svg"
	FaviconFile  = "img/favicon.svg"
)

// Brand is one product's identity. Image fields are URLs a browser can
// load under the page's Content-Security-Policy: a path on Latch's own
// origin ("/static/…") or an https URL whose origin the policy allows
// (ImageOrigins).
type Brand struct {
	// Name is the product's name: the header, the document title, every
	// email and SMS, the authenticator-app issuer, the passkey name.
	Name string
	// Logo is the logo on light backgrounds; LogoDark on dark ones (the
	// browser picks by prefers-color-scheme). Empty LogoDark uses Logo.
	Logo     string
	LogoDark string
	// Favicon is the page icon (SVG, PNG or ICO).
	Favicon string
	// Support is where users get help: an email address or an https URL.
	// Empty shows no support link.
	Support string
	// TermsURL and PrivacyURL are the product's legal pages; empty hides
	// each link.
	TermsURL   string
	PrivacyURL string
}

// Default returns the built-in brand with its images at the URLs url
// gives for the static files (LogoFile, LogoDarkFile, FaviconFile).
func Default(url func(name string) string) Brand {
	return Brand{Name: DefaultName, Logo: url(LogoFile), LogoDark: url(LogoDarkFile), Favicon: url(FaviconFile)}
}

// Or fills every empty field of b from d: a configured brand over the
// built-in one.
func (b Brand) Or(d Brand) Brand {
	pick := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	logoDark := b.LogoDark
	if logoDark == "" && b.Logo != "" {
		logoDark = b.Logo // a configured light logo beats the built-in dark one
	}
	return Brand{
		Name: pick(b.Name, d.Name), Logo: pick(b.Logo, d.Logo), LogoDark: pick(logoDark, d.LogoDark),
		Favicon: pick(b.Favicon, d.Favicon), Support: pick(b.Support, d.Support),
		TermsURL: pick(b.TermsURL, d.TermsURL), PrivacyURL: pick(b.PrivacyURL, d.PrivacyURL),
	}
}

// SupportIsEmail reports whether Support is an email address rather than
// a URL.
func (b Brand) SupportIsEmail() bool {
	return b.Support != "" && !strings.Contains(b.Support, "://") && IsEmail(b.Support)
}

// SupportHref is the link to Support: mailto: for an address, else the
// URL itself; "" when there is none.
func (b Brand) SupportHref() string {
	if b.SupportIsEmail() {
		return "mailto:" + b.Support
	}
	return b.Support
}

// HasFooter reports whether the brand has any link for the page footer.
func (b Brand) HasFooter() bool {
	return b.Support != "" || b.TermsURL != "" || b.PrivacyURL != ""
}

// ImageOrigins lists the origins (scheme://host) of b's images that are
// not on Latch's own origin, for the Content-Security-Policy's img-src.
func (b Brand) ImageOrigins() []string {
	var out []string
	for _, u := range []string{b.Logo, b.LogoDark, b.Favicon} {
		if o := originOf(u); o != "" && !contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// IsEmail reports whether s is a bare email address (no display name).
func IsEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

func originOf(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

type ctxKey struct{}

// With returns ctx carrying b, the brand of everything rendered for the
// request. The web server sets it on every request it renders, so the
// brand can differ per request (one per app).
func With(ctx context.Context, b Brand) context.Context {
	return context.WithValue(ctx, ctxKey{}, b)
}

// Of returns the brand ctx carries; a context with none gives a brand
// with only DefaultName set (no images or links).
func Of(ctx context.Context) Brand {
	if b, ok := ctx.Value(ctxKey{}).(Brand); ok {
		return b
	}
	return Brand{Name: DefaultName}
}
