package accesstoken

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestCacheFor(t *testing.T) {
	for cc, want := range map[string]time.Duration{
		"public, max-age=300": 5 * time.Minute,
		"max-age=99999":       maxCacheFor,
		"no-store":            0,
		"":                    DefaultCacheFor,
		"max-age=abc":         DefaultCacheFor,
	} {
		if got := cacheFor(cc); got != want {
			t.Errorf("cacheFor(%q) = %v, want %v", cc, got, want)
		}
	}
}

// TestNoKeysIsTheVerifiersFailure checks a key set that cannot be had
// gives 503, not a 401 blaming the token, and that a broken key set is
// not fetched again on every request.
func TestNoKeysIsTheVerifiersFailure(t *testing.T) {
	var hits atomic.Int32
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[{"kty":"RSA","kid":"r1","n":"x","e":"AQAB"}]}`)) // no Ed25519 key: unusable
	}))
	defer jwks.Close()
	v, err := New(Options{JWKSURL: jwks.URL, Issuer: "https://auth.example.com", Audience: "https://api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Fatal("handler ran") }))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer eyJhbGciOiJFZERTQSJ9.e30.c2ln")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("no usable keys: %d %v", rec.Code, rec.Header())
	}
	// Again at once: still 503, and the broken key set is not fetched again.
	before := hits.Load()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || hits.Load() != before {
		t.Fatalf("second request: %d, %d more fetches", rec.Code, hits.Load()-before)
	}
	// No Authorization at all: a 401 challenge without touching the keys.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != "Bearer" || hits.Load() != before {
		t.Fatalf("no token: %d %q, %d fetches", rec.Code, rec.Header().Get("WWW-Authenticate"), hits.Load()-before)
	}
	if _, err := New(Options{JWKSURL: "file:///etc/passwd", Issuer: "x", Audience: "y"}); err == nil {
		t.Fatal("a non-http JWKS URL was accepted")
	}
}
