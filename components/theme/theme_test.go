package theme_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/latch-dev/latch/components/theme"
)

// The component stylesheet takes every colour, font and radius from a
// theme token, so editing theme.css alone reskins every page.
func TestAppStylesheetUsesOnlyTokens(t *testing.T) {
	b, err := os.ReadFile("../../static/css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	css := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(b), "")
	tokens := theme.Default()
	decl := regexp.MustCompile(`(?m)^\s*([a-z-]+)\s*:\s*([^;{}]+);`)
	literal := regexp.MustCompile(`#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(`)
	// Values that are no theme choice: keywords, and a circle's 50 %.
	keyword := map[string]bool{"none": true, "inherit": true, "currentColor": true, "transparent": true, "0": true, "50%": true, "initial": true, "unset": true}
	for _, m := range decl.FindAllStringSubmatch(css, -1) {
		prop, val := m[1], strings.TrimSpace(strings.TrimSuffix(m[2], "!important"))
		val = strings.TrimSpace(val)
		if literal.MatchString(val) {
			t.Errorf("%s: %s is a literal colour", prop, val)
		}
		themed := strings.HasPrefix(prop, "border-radius") || prop == "font-family" || prop == "font-size" ||
			prop == "color" || prop == "background" || prop == "background-color" || prop == "border-color" || prop == "outline-color"
		if themed && !keyword[val] && !strings.Contains(val, "var(--") {
			t.Errorf("%s: %s comes from no token", prop, val)
		}
		for _, ref := range regexp.MustCompile(`var\(--([a-z0-9-]+)`).FindAllStringSubmatch(val, -1) {
			if _, ok := tokens[ref[1]]; !ok {
				t.Errorf("%s: --%s is not defined in theme.css", prop, ref[1])
			}
		}
	}
}

func TestParseReadsTheLightScheme(t *testing.T) {
	tok, err := theme.Parse([]byte(`/* --color-primary: #000; */ :root { --color-primary: #2450c8; --font-sans: a, "b c"; }
		@media (prefers-color-scheme: dark) { :root { --color-primary: #8fb3ff; } }`))
	if err != nil {
		t.Fatal(err)
	}
	if tok["color-primary"] != "#2450c8" || tok["font-sans"] != `a, "b c"` {
		t.Errorf("tokens = %v", tok)
	}
	if _, err := theme.Parse([]byte("body { color: red; }")); err == nil {
		t.Error("a stylesheet with no :root parsed")
	}
	if got := theme.Pixels("0.625rem"); got != "10px" {
		t.Errorf("Pixels = %q", got)
	}
}
