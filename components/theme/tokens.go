package theme

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"github.com/latch-dev/latch/static/css"
)

// Tokens are the custom properties of the theme's light scheme, by name
// without the leading dashes ("color-primary" → "#2450c8"): the values of
// the first :root block of theme.css.
type Tokens map[string]string

var (
	rootBlock = regexp.MustCompile(`(?s):root\s*\{(.*?)\}`)
	comment   = regexp.MustCompile(`(?s)/\*.*?\*/`)
	property  = regexp.MustCompile(`(?s)--([a-z0-9-]+)\s*:\s*([^;]+);`)
)

// Parse reads the tokens of a theme stylesheet: every --name: value; of its
// first :root block (the light scheme).
//
// Errors: the stylesheet has no :root block, or the block no property.
func Parse(stylesheet []byte) (Tokens, error) {
	src := comment.ReplaceAllString(string(stylesheet), "")
	m := rootBlock.FindStringSubmatch(src)
	if m == nil {
		return nil, errors.New("theme: no :root block")
	}
	t := Tokens{}
	for _, p := range property.FindAllStringSubmatch(m[1], -1) {
		t[p[1]] = strings.Join(strings.Fields(p[2]), " ")
	}
	if len(t) == 0 {
		return nil, errors.New("theme: the :root block sets no custom property")
	}
	return t, nil
}

// Default returns the tokens of the theme built into the binary
// (static/css/theme.css).
func Default() Tokens {
	t, err := Parse(css.Theme)
	if err != nil {
		panic(err) // the embedded file is checked by the package's tests
	}
	return t
}

// Load returns the tokens of ThemeFile inside fsys: the static folder on
// disk in development, so an edited theme reaches emails on the next send.
//
// Errors: the file cannot be read or parsed.
func Load(fsys fs.FS) (Tokens, error) {
	b, err := fs.ReadFile(fsys, ThemeFile)
	if err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	return Parse(b)
}

// Need returns the value of each named token, in order.
//
// Errors: a token is missing or empty (a theme that renamed a property).
func (t Tokens) Need(names ...string) ([]string, error) {
	out := make([]string, len(names))
	var missing []string
	for i, n := range names {
		out[i] = t[n]
		if out[i] == "" {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("theme: missing %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// Pixels converts a length in rem (of a 16 px root) or px to whole pixels,
// for mail clients that handle neither rem nor calc; anything else is
// returned as is.
func Pixels(v string) string {
	for _, u := range []struct {
		suffix string
		scale  float64
	}{{"rem", 16}, {"px", 1}} {
		if n, err := strconv.ParseFloat(strings.TrimSuffix(v, u.suffix), 64); strings.HasSuffix(v, u.suffix) && err == nil {
			return strconv.Itoa(int(n*u.scale+0.5)) + "px"
		}
	}
	return v
}
