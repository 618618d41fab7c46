// Package email holds the bodies of the emails Latch sends, each with an
// HTML variant (templ, inside Layout) and a plain-text variant (inside
// TextLayout), rendered to strings by Render.
//
// Mail clients ignore stylesheets and CSS variables, so colours come from a
// Theme passed in, applied as inline styles: a reskin changes the Theme.
package email

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
	"github.com/latch-dev/latch/components/theme"
)

// Theme is what an email takes from the page theme, as CSS values: the
// colours, fonts and radii of the light scheme of static/css/theme.css
// (ThemeFrom). Emails are light only: many mail clients restyle dark mail
// on their own.
type Theme struct {
	Background  string // --color-bg
	Surface     string // --color-surface
	Text        string // --color-text
	Muted       string // --color-muted
	Primary     string // --color-primary
	PrimaryText string // --color-primary-text
	Border      string // --color-border
	Font        string // --font-sans
	FontMono    string // --font-mono
	Radius      string // --radius, in px
	RadiusSmall string // --radius-sm, in px
}

// ThemeFrom takes an email's theme from the page theme's tokens, so a
// reskin of theme.css reaches every email with no Go to change.
//
// Errors: a token an email needs is missing from the theme.
func ThemeFrom(t theme.Tokens) (Theme, error) {
	v, err := t.Need("color-bg", "color-surface", "color-text", "color-muted", "color-primary",
		"color-primary-text", "color-border", "font-sans", "font-mono", "radius", "radius-sm")
	if err != nil {
		return Theme{}, err
	}
	// Family names lose their quotes: an inline style attribute would
	// escape them into part of the name. Unquoted, "Segoe UI" is the same
	// family.
	unquote := strings.NewReplacer(`"`, "", "'", "")
	return Theme{Background: v[0], Surface: v[1], Text: v[2], Muted: v[3], Primary: v[4], PrimaryText: v[5],
		Border: v[6], Font: unquote.Replace(v[7]), FontMono: unquote.Replace(v[8]), Radius: theme.Pixels(v[9]), RadiusSmall: theme.Pixels(v[10])}, nil
}

// DefaultTheme is the theme of the stylesheet built into the binary.
func DefaultTheme() Theme {
	t, err := ThemeFrom(theme.Default())
	if err != nil {
		panic(err) // the built-in theme is checked by this package's tests
	}
	return t
}

// Brand is what every email says about who sent it, and how it looks.
type Brand struct {
	AppName string // the product's name (LATCH_BRAND_NAME)
	Theme   Theme  // zero value: DefaultTheme
	// Support, Terms and Privacy are the product's help link (mailto: or
	// https) and legal pages, linked under every HTML email; empty ones are
	// left out.
	Support, Terms, Privacy string
	// Logo is the product's logo as configured (LATCH_BRAND_LOGO): an
	// http(s) URL, or a path on Latch's own server resolved against
	// BaseURL. Empty: the email shows the name only.
	Logo string
	// BaseURL is the public URL of the app the email is sent for
	// (LATCH_PUBLIC_URL, or the app's own): what a logo path is read
	// against, since a mail client has no page to resolve it from.
	BaseURL string
}

// logoSize is the logo's width and height in the email, in CSS pixels.
const logoSize = 48

var logoSizeAttr = strconv.Itoa(logoSize)

// LogoURL is the absolute URL of the brand's logo for an email, or "" when
// there is none a mail client could load: no logo, a path with no BaseURL
// to read it against, a data: URL (mail clients block them, and some
// filters mark mail carrying them), or anything but http and https.
func (b Brand) LogoURL() string {
	logo := strings.TrimSpace(b.Logo)
	if logo == "" {
		return ""
	}
	ref, err := url.Parse(logo)
	if err != nil {
		return ""
	}
	if !ref.IsAbs() {
		if b.BaseURL == "" || strings.HasPrefix(logo, "//") {
			return ""
		}
		base, err := url.Parse(b.BaseURL)
		if err != nil || !base.IsAbs() || base.Host == "" {
			return ""
		}
		ref = base.ResolveReference(ref)
	}
	if (ref.Scheme != "https" && ref.Scheme != "http") || ref.Host == "" || ref.User != nil {
		return ""
	}
	return ref.String()
}

// footerLinks are the brand's links for the foot of an email, in order.
func (b Brand) footerLinks() []footerLink {
	var out []footerLink
	for _, l := range []footerLink{{messages.FooterSupport, b.Support}, {messages.FooterTerms, b.Terms}, {messages.FooterPrivacy, b.Privacy}} {
		if l.href != "" {
			out = append(out, l)
		}
	}
	return out
}

type footerLink struct {
	label messages.Key
	href  string
}

func (b Brand) theme() Theme {
	if b.Theme == (Theme{}) {
		return DefaultTheme()
	}
	return b.Theme
}

// The inline styles the email bodies share, built from the theme.
func (t Theme) bodyStyle() string {
	return "margin:0;padding:0;background:" + t.Background + ";color:" + t.Text + ";font-family:" + t.Font + ";"
}

func (t Theme) cardStyle() string {
	return "max-width:480px;background:" + t.Surface + ";border:1px solid " + t.Border + ";border-radius:" + t.Radius + ";"
}

func (t Theme) buttonStyle() string {
	return "display:inline-block;padding:10px 18px;border-radius:" + t.RadiusSmall +
		";text-decoration:none;font-weight:600;font-family:" + t.Font + ";background:" + t.Primary + ";color:" + t.PrimaryText + ";"
}

func (t Theme) codeStyle() string {
	return "margin:0 0 20px;font-size:28px;font-weight:700;letter-spacing:6px;font-family:" + t.FontMono + ";color:" + t.Text + ";"
}

func (t Theme) smallStyle(margin string) string {
	return "margin:" + margin + ";font-size:14px;color:" + t.Muted + ";"
}

func (t Theme) linkStyle() string { return "color:" + t.Primary + ";" }

// Email is one kind of email: its subject and its two bodies.
type Email interface {
	// Subject and Text are in l; HTML reads the language from the
	// context it is rendered with (components/i18n).
	Subject(l messages.Lang) string
	HTML() templ.Component
	Text(l messages.Lang) templ.Component
}

// Rendered is an email ready for outbox.Message's Subject, Text and HTML.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Render renders e's subject and bodies in the language ctx carries
// (i18n.LangOf). It returns the first rendering error.
func Render(ctx context.Context, e Email) (Rendered, error) {
	l := i18n.LangOf(ctx)
	var h, t strings.Builder
	if err := e.HTML().Render(ctx, &h); err != nil {
		return Rendered{}, fmt.Errorf("email: render html: %w", err)
	}
	if err := e.Text(l).Render(ctx, &t); err != nil {
		return Rendered{}, fmt.Errorf("email: render text: %w", err)
	}
	return Rendered{Subject: e.Subject(l), Text: t.String(), HTML: h.String()}, nil
}

// TextLayout is the plain-text counterpart of Layout: body, then a
// signature. Plain text is written as is, never HTML-escaped, so text
// bodies are components written in Go (PlainText) rather than in templ.
func TextLayout(b Brand, body templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if err := body.Render(ctx, w); err != nil {
			return err
		}
		_, err := io.WriteString(w, "\n-- \n"+b.AppName+"\n"+i18n.T(ctx, messages.EmailAutomated)+"\n")
		return err
	})
}

// PlainText is a component that writes s unescaped, for text bodies.
func PlainText(s string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	})
}
