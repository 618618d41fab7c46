// Package css holds the theme stylesheet for Go code that needs its values
// outside a browser: emails, which mail clients render without stylesheets
// or CSS variables (components/theme parses it). The static package serves
// the same file to browsers.
package css

import _ "embed"

// Theme is static/css/theme.css as built into the binary.
//
//go:embed theme.css
var Theme []byte
