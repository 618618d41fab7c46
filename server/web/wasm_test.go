package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestPagesLoadTheWasmModule follows the page's loader tag to the files it
// names, through the whole middleware chain.
func TestPagesLoadTheWasmModule(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	page := h.get(c, "/signup")
	m := regexp.MustCompile(`<script type="module" src="(/static/js/latch\.[0-9a-f]{12}\.js)" data-latch-runtime="(/static/vendor/wasm_exec\.[0-9a-f]{12}\.js)" data-latch-module="(/static/wasm/latch\.[0-9a-f]{12}\.wasm)"></script>`).
		FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("the signup page has no module loader tag with hashed URLs:\n%s", page.body)
	}
	csp := page.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "'unsafe-eval'") && !strings.Contains(csp, "'wasm-unsafe-eval'") {
		t.Errorf("CSP %q forbids compiling WebAssembly", csp)
	}

	for _, f := range []struct{ path, contentType string }{
		{m[1], "text/javascript; charset=utf-8"},
		{m[2], "text/javascript; charset=utf-8"},
	} {
		r := h.get(c, f.path)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != f.contentType {
			t.Errorf("GET %s: %d %q, want 200 %q", f.path, r.status, r.header.Get("Content-Type"), f.contentType)
		}
	}

	req, err := http.NewRequest(http.MethodGet, h.srv.URL+m[3], nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd") // as Chromium sends it
	r := h.do(c, req)
	for key, want := range map[string]string{
		"Content-Type":     "application/wasm",
		"Content-Encoding": "br",
		"Cache-Control":    "public, max-age=31536000, immutable",
		"Vary":             "Accept-Encoding",
	} {
		if got := r.header.Get(key); got != want {
			t.Errorf("GET %s: %s %q, want %q", m[3], key, got, want)
		}
	}
	if r.status != http.StatusOK || len(r.body) < 100_000 {
		t.Errorf("GET %s: %d with %d bytes", m[3], r.status, len(r.body))
	}
}
