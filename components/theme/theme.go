// Package theme documents where Latch's look is defined and how to change it.
//
// The theme is not Go code. It is one stylesheet, static/css/theme.css, that
// sets CSS custom properties on :root: semantic colours (--color-bg,
// --color-surface, --color-text, --color-muted, --color-border,
// --color-primary, --color-primary-text, --color-primary-hover,
// --color-danger, --color-danger-bg, --color-success, --color-success-bg,
// --color-warning,
// --color-info-bg, --color-focus), font families and sizes, the spacing scale
// --space-1 to --space-6, radii (--radius-sm, --radius, --radius-pill), the
// logo size and a shadow, plus a
// prefers-color-scheme: dark block that overrides the colours.
//
// Every component style lives in static/css/app.css and reads only those
// properties, so reskinning means editing theme.css alone:
//
//  1. Change the values in theme.css (or replace the file with your own that
//     defines the same properties). Do not rename properties: app.css uses
//     them by name.
//  2. Keep WCAG AA contrast in both schemes: 4.5:1 for text on the
//     backgrounds it sits on (text on bg and surface, primary-text on primary
//     and primary-hover, danger on danger-bg, success on success-bg), 3:1 for
//     --color-border and --color-focus against bg and surface. The pairs are
//     listed at the top of theme.css.
//  3. To ship a light-only look, delete the dark block and keep
//     --color-scheme: light.
//
// Emails follow the same file: mail clients read neither stylesheets nor
// custom properties, so Parse reads the light scheme's tokens from theme.css
// and components/email inlines them (email.ThemeFrom). A test fails if an
// email uses a colour that is no token, or app.css a colour, font or radius
// that comes from no token.
//
// Pages load theme.css before app.css (see layout.Page.CSS); both are served
// with content-hashed names, so a changed theme reaches browsers on the next
// deploy without cache trouble.
package theme

// ThemeFile is the path of the theme stylesheet inside the static file
// system, the one file a product team edits to reskin Latch.
const ThemeFile = "css/theme.css"

// AppFile is the path of the component stylesheet inside the static file
// system. It holds no colours of its own and must be loaded after ThemeFile.
const AppFile = "css/app.css"
