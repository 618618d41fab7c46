package redirect

import (
	"net/url"
	"strings"
	"testing"
)

var allowed = []string{"https://trusted.example", "http://localhost:8080"}

func TestSafe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		next, want string
	}{
		// Accepted.
		{"/", "/"},
		{"/account", "/account"},
		{"/ok?x=1#y", "/ok?x=1#y"},
		{"/devices/", "/devices/"},
		{"/a/./b/../c", "/a/c"},
		{"/../../etc", "/etc"},
		{"/%2e%2e/%2E%2E/x", "/x"},
		{"/..//evil.example", "/evil.example"},
		{"/.//evil.example", "/evil.example"},
		{"/javascript:alert(1)", "/javascript:alert(1)"},
		{"/search?q=a%20b", "/search?q=a%20b"},
		{"/x?next=//evil.example", "/x?next=//evil.example"},
		{"https://trusted.example/welcome?x=1#y", "https://trusted.example/welcome?x=1#y"},
		{"HTTPS://Trusted.Example:443/a/../b", "https://trusted.example/b"},
		{"https://trusted.example", "https://trusted.example/"},
		{"https://trusted.example?x=1", "https://trusted.example/?x=1"},
		{"http://localhost:8080/account", "http://localhost:8080/account"},

		// Refused.
		{"", Fallback},
		{"//evil.example", Fallback},
		{"///evil.example", Fallback},
		{`/\evil.example`, Fallback},
		{`\\evil.example`, Fallback},
		{`/ok\evil`, Fallback},
		{"/%2F%2Fevil.example", Fallback},
		{"/%2f/evil.example", Fallback},
		{"/%252F%252Fevil.example", Fallback},
		{"/%5Cevil", Fallback},
		{"/%5cevil", Fallback},
		{"/%255Cevil", Fallback},
		{"/bad%zz", Fallback},
		{"https://evil.example", Fallback},
		{"https://evil.example/account", Fallback},
		{"http://trusted.example/", Fallback}, // another scheme is another origin
		{"https://trusted.example:8443/", Fallback},
		{"https://trusted.example.evil.example/", Fallback},
		{"https://evil.example/https://trusted.example", Fallback},
		{"http://trusted.example@evil.example", Fallback},
		{"https://trusted.example@evil.example/", Fallback},
		{"https://user:pw@trusted.example/", Fallback},
		{"https://trusted.example%40evil.example/", Fallback},
		{"https:trusted.example/", Fallback},
		{"https:/trusted.example/", Fallback},
		// "@" and "$", raw or encoded: Datastar rewrites them in expressions.
		{"/a?@in(1)", Fallback},
		{"/a?$x=1", Fallback},
		{"/a#@post('/logout')", Fallback},
		{"/%40get(1)", Fallback},
		{"/%2540get(1)", Fallback},
		{"/a?%24x=1", Fallback},
		{"https://trusted.example/a?$x=1", Fallback},
		{"https://trusted.example/%40get(1)", Fallback},
		{"https:///trusted.example/", Fallback},
		{"javascript:alert(1)", Fallback},
		{"JavaScript:alert(1)//", Fallback},
		{"data:text/html,<script>alert(1)</script>", Fallback},
		{"ftp://trusted.example/", Fallback},
		{"account", Fallback},
		{"evil.example", Fallback},
		{"/\t/evil.example", Fallback},
		{"/\n/evil.example", Fallback},
		{"/ok\r\nSet-Cookie: x=1", Fallback},
		{" /ok", Fallback},
		{"/ok x", Fallback},
		{"/\x00", Fallback},
		{"/\x7f", Fallback},
		{"/／evil.example", Fallback}, // U+FF0F fullwidth solidus
		{"／／evil.example", Fallback},
		{"/%EF%BC%8Fevil.example", Fallback},   // the same, encoded
		{"/＼evil.example", Fallback},           // U+FF3C fullwidth reverse solidus
		{"/∕evil.example", Fallback},           // U+2215 division slash
		{"/⁄evil.example", Fallback},           // U+2044 fraction slash
		{"https://trusted。example/", Fallback}, // U+3002 ideographic full stop
		{"https://ｔrusted.example/", Fallback}, // fullwidth t
		{"/\u200b/evil.example", Fallback},     // zero-width space
		{"/\u202e/evil.example", Fallback},     // right-to-left override
		{"/" + strings.Repeat("a", maxLen), Fallback},
	} {
		got, ok := Safe(tc.next, allowed)
		if got != tc.want || ok != (tc.want != Fallback || tc.next == Fallback) {
			t.Errorf("Safe(%q) = %q, %v; want %q", tc.next, got, ok, tc.want)
		}
	}
}

func TestSafeIgnoresMalformedAllowlistEntries(t *testing.T) {
	t.Parallel()
	for _, origin := range []string{"https://evil.example/path", "https://u@evil.example", "evil.example", "", "https://evil.example?x"} {
		if got, ok := Safe("https://evil.example/", []string{origin}); ok {
			t.Errorf("allowlist %q let through %q", origin, got)
		}
	}
	if got, ok := Safe("https://trusted.example/", []string{"https://TRUSTED.example:443/"}); !ok || got != "https://trusted.example/" {
		t.Errorf("allowlist with default port and slash: %q %v", got, ok)
	}
}

func FuzzSafe(f *testing.F) {
	for _, s := range []string{
		"/", "/ok?x=1#y", "//evil.example", `/\evil`, "/%2F%2Fevil", "/%5Cevil", "https://trusted.example/x",
		"http://trusted.example@evil.example", "javascript:alert(1)", "/\t/evil", "/／evil", "/%2e%2e//x",
		"https://trusted.example?x", "HTTP://LOCALHOST:8080", "/a/../..//b", "/a?@in(1)", "/%40get(1)", "/a?$x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got, ok := Safe(next, allowed)
		if !ok {
			if got != Fallback {
				t.Fatalf("Safe(%q) refused but returned %q", next, got)
			}
			return
		}
		if !plainASCII(got) || strings.ContainsAny(got, "\\@$") {
			t.Fatalf("Safe(%q) = %q holds unsafe characters", next, got)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("Safe(%q) = %q does not parse: %v", next, got, err)
		}
		if strings.HasPrefix(got, "/") {
			if strings.HasPrefix(got, "//") || u.Scheme != "" || u.Host != "" || u.User != nil {
				t.Fatalf("Safe(%q) = %q leaves the site", next, got)
			}
			if dec, err := url.PathUnescape(got); err != nil || strings.HasPrefix(dec, "//") || strings.ContainsRune(dec, '\\') {
				t.Fatalf("Safe(%q) = %q leaves the site once decoded", next, got)
			}
			return
		}
		origin := u.Scheme + "://" + u.Host
		if u.User != nil || (origin != allowed[0] && origin != allowed[1]) || !strings.HasPrefix(got, origin+"/") {
			t.Fatalf("Safe(%q) = %q is not on an allowed origin", next, got)
		}
	})
}
