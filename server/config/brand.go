package config

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latch-dev/latch/components/brand"
)

// loadBrand reads the product's brand (LATCH_BRAND_*): its name, logo,
// dark logo, favicon, support contact and legal links. Unset fields keep
// the built-in brand (web fills them in). Every value is checked here, so a
// typo stops the server at start with the key's name instead of showing a
// broken logo or a dead link.
func (c *Config) loadBrand(p *parser) {
	b := brand.Brand{
		Name:       p.str("LATCH_BRAND_NAME", brand.DefaultName),
		Logo:       strings.TrimSpace(p.getenv("LATCH_BRAND_LOGO")),
		LogoDark:   strings.TrimSpace(p.getenv("LATCH_BRAND_LOGO_DARK")),
		Favicon:    strings.TrimSpace(p.getenv("LATCH_BRAND_FAVICON")),
		Support:    strings.TrimSpace(p.getenv("LATCH_BRAND_SUPPORT")),
		TermsURL:   strings.TrimSpace(p.getenv("LATCH_BRAND_TERMS_URL")),
		PrivacyURL: strings.TrimSpace(p.getenv("LATCH_BRAND_PRIVACY_URL")),
	}
	if n := utf8.RuneCountInString(b.Name); n > 60 || !utf8.ValidString(b.Name) ||
		strings.IndexFunc(b.Name, func(r rune) bool { return unicode.IsControl(r) }) >= 0 {
		p.fail("LATCH_BRAND_NAME", "must be at most 60 characters with no control characters, e.g. Acme")
	}
	for _, f := range []struct {
		key string
		v   string
	}{{"LATCH_BRAND_LOGO", b.Logo}, {"LATCH_BRAND_LOGO_DARK", b.LogoDark}, {"LATCH_BRAND_FAVICON", b.Favicon}} {
		if f.v != "" && !c.brandURL(f.v, true) {
			p.fail(f.key, fmt.Sprintf("must be a path on this server (/brand/logo.svg) or an https URL, got %q", f.v))
		}
	}
	for _, f := range []struct {
		key string
		v   string
	}{{"LATCH_BRAND_TERMS_URL", b.TermsURL}, {"LATCH_BRAND_PRIVACY_URL", b.PrivacyURL}} {
		if f.v != "" && !c.brandURL(f.v, false) {
			p.fail(f.key, fmt.Sprintf("must be an https URL, got %q", f.v))
		}
	}
	if b.Support != "" && !brand.IsEmail(b.Support) && !c.brandURL(b.Support, false) {
		p.fail("LATCH_BRAND_SUPPORT", fmt.Sprintf("must be an email address (help@example.com) or an https URL, got %q", b.Support))
	}
	c.Brand = b
}

// brandURL reports whether v is a URL a brand setting may hold: https
// (http only for localhost, or anywhere in dev), with a host, no user
// info and no spaces; with path, also a path on this server ("/x", never
// "//x", which a browser reads as another host).
func (c *Config) brandURL(v string, path bool) bool {
	if len(v) > 2000 || strings.ContainsAny(v, " \t\r\n\"'<>\\") {
		return false
	}
	if path && strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") {
		_, err := url.Parse(v)
		return err == nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	return u.Scheme == "https" || (u.Scheme == "http" && (c.Env == EnvDev || isLoopback(u.Hostname())))
}
