package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func newAssets(t *testing.T) *Assets {
	t.Helper()
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func get(a *Assets, url string, header ...string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	return rec.Result()
}

func decode(t *testing.T, coding string, body []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(body)
	switch coding {
	case "br":
		r = brotli.NewReader(r)
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", coding, err)
	}
	return out
}

func TestWasmServedByContentNegotiation(t *testing.T) {
	a := newAssets(t)
	url := a.URL("wasm/latch.wasm")
	if !regexp.MustCompile(`^/static/wasm/latch\.[0-9a-f]{12}\.wasm$`).MatchString(url) {
		t.Fatalf("wasm URL %q is not content-hashed", url)
	}
	raw, err := files.ReadFile("wasm/latch.wasm")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("\x00asm")) {
		t.Fatal("wasm/latch.wasm is not a WebAssembly module")
	}
	tests := []struct {
		accept string // Accept-Encoding; "-" for no header
		want   string // Content-Encoding
	}{
		{"-", ""},
		{"", ""},
		{"identity", ""},
		{"gzip, deflate, br, zstd", "br"}, // Chromium's header: brotli first, whatever the order
		{"gzip", "gzip"},
		{"GZIP;Q=0.5", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"br;q=0, gzip;q=0", ""},
		{"*", "br"},
		{"br;q=0, *", "gzip"},
		{"*;q=0, identity", ""},
		{"gzip;q=bogus", ""},
		{"deflate, zstd", ""},
	}
	etags := map[string]string{}
	for _, tt := range tests {
		var resp *http.Response
		if tt.accept == "-" {
			resp = get(a, url)
		} else {
			resp = get(a, url, "Accept-Encoding", tt.accept)
		}
		body, _ := io.ReadAll(resp.Body)
		h := resp.Header
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("Accept-Encoding %q: status %d", tt.accept, resp.StatusCode)
		}
		if got := h.Get("Content-Encoding"); got != tt.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tt.accept, got, tt.want)
		}
		for k, want := range map[string]string{
			"Content-Type":   "application/wasm",
			"Cache-Control":  "public, max-age=31536000, immutable",
			"Vary":           "Accept-Encoding",
			"Content-Length": strconv.Itoa(len(body)),
		} {
			if got := h.Get(k); got != want {
				t.Errorf("Accept-Encoding %q: %s %q, want %q", tt.accept, k, got, want)
			}
		}
		if !bytes.Equal(decode(t, tt.want, body), raw) {
			t.Errorf("Accept-Encoding %q: the %q body does not decode to latch.wasm", tt.accept, tt.want)
		}
		if prev, ok := etags[tt.want]; ok && prev != h.Get("ETag") {
			t.Errorf("encoding %q served with ETags %s and %s", tt.want, prev, h.Get("ETag"))
		}
		etags[tt.want] = h.Get("ETag")
	}
	if len(etags) != 3 || etags[""] == etags["br"] || etags["br"] == etags["gzip"] || etags[""] == etags["gzip"] {
		t.Errorf("each encoding needs its own ETag: %v", etags)
	}

	// A revalidation in the negotiated encoding is answered 304.
	resp := get(a, url, "Accept-Encoding", "br", "If-None-Match", etags["br"])
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match %s: status %d, want 304", etags["br"], resp.StatusCode)
	}
	// The copies are not assets of their own.
	for _, name := range []string{"wasm/latch.wasm.br", "wasm/latch.wasm.gz"} {
		if _, ok := a.urls[name]; ok {
			t.Errorf("%s is served under its own name", name)
		}
	}
}

func TestPlainAssetsAreNotNegotiated(t *testing.T) {
	a := newAssets(t)
	for name, ct := range map[string]string{"js/latch.js": "text/javascript; charset=utf-8", "css/app.css": "text/css; charset=utf-8"} {
		resp := get(a, a.URL(name), "Accept-Encoding", "br, gzip")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != ct {
			t.Errorf("%s: status %d, Content-Type %q, want 200 %q", name, resp.StatusCode, resp.Header.Get("Content-Type"), ct)
		}
		if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "" {
			t.Errorf("%s: Content-Encoding %q, Vary %q: it has no precompressed copies", name, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
		}
	}
}

func TestGzipOfDetectsAStaleCopy(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("the module as built"))
	zw.Close()
	if !gzipOf(buf.Bytes(), []byte("the module as built")) {
		t.Error("a matching copy was refused")
	}
	for _, other := range []string{"the module rebuilt", "the module as built!", ""} {
		if gzipOf(buf.Bytes(), []byte(other)) {
			t.Errorf("a copy of another file was accepted for %q", other)
		}
	}
	if gzipOf([]byte("not gzip at all, not gzip at all"), nil) {
		t.Error("a non-gzip copy was accepted")
	}
}

func TestNewFromDiskServesEditsAtOnce(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "css"), 0o755); err != nil {
		t.Fatal(err)
	}
	theme := filepath.Join(dir, "css", "theme.css")
	if err := os.WriteFile(theme, []byte("body{color:red}"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := NewFromDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	if u := a.URL("css/theme.css"); u != "/static/css/theme.css" {
		t.Fatalf("URL = %q", u)
	}
	get := func(p string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		return rec
	}
	if r := get("/static/css/theme.css"); r.Body.String() != "body{color:red}" || r.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(r.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("first read: %q %v", r.Body.String(), r.Header())
	}
	if err := os.WriteFile(theme, []byte("body{color:blue}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := get("/static/css/theme.css"); r.Body.String() != "body{color:blue}" {
		t.Fatalf("after an edit: %q", r.Body.String())
	}
	for _, bad := range []string{"/static/../embed.go", "/static/css/../../x", "/static/.env", "/static/missing.css"} {
		if r := get(bad); r.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d", bad, r.Code)
		}
	}
	if _, err := NewFromDisk(t.TempDir()); err == nil {
		t.Fatal("a folder without css/theme.css was accepted")
	}
}
