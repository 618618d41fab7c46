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
	"strings"

	"github.com/a-h/templ"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/i18n"
)

// Theme is the handful of colours an email uses, as CSS colour values.
type Theme struct {
	Background  string
	Surface     string
	Text        string
	Muted       string
	Primary     string
	PrimaryText string
	Border      string
}

// DefaultTheme matches the light scheme of static/css/theme.css.
var DefaultTheme = Theme{
	Background: "#f4f5f7", Surface: "#ffffff", Text: "#1b1f24", Muted: "#57606a",
	Primary: "#1f5fbf", PrimaryText: "#ffffff", Border: "#d0d7de",
}

// Brand is what every email says about who sent it.
type Brand struct {
	AppName string // "Latch"
	Theme   Theme  // zero value: DefaultTheme
}

func (b Brand) theme() Theme {
	if b.Theme == (Theme{}) {
		return DefaultTheme
	}
	return b.Theme
}

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
