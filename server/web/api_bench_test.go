package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkRefreshGrant measures one rotation through the whole handler
// chain into PostgreSQL: the row locked FOR UPDATE, a child token inserted,
// the parent marked rotated with its sealed replay, an access token signed.
// Each iteration spends the refresh token the previous one returned.
func BenchmarkRefreshGrant(b *testing.B) {
	h := newHarnessWith(b, harnessOptions{hasher: plainHasher{}})
	rt := h.passwordGrant("bench@example.com", "correct horse staple 1").RefreshToken
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rt = refreshOnce(b, h.handler, rt, http.StatusOK)
	}
}

// BenchmarkRefreshGrantReplay measures a refresh inside the grace window:
// the row locked, the sealed pair opened and returned, nothing written.
func BenchmarkRefreshGrantReplay(b *testing.B) {
	h := newHarnessWith(b, harnessOptions{hasher: plainHasher{}})
	rt := h.passwordGrant("bench@example.com", "correct horse staple 1").RefreshToken
	refreshOnce(b, h.handler, rt, http.StatusOK)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		refreshOnce(b, h.handler, rt, http.StatusOK)
	}
}

// BenchmarkMe measures an API call: signature and claims checked, the
// token's family looked up, the account read.
func BenchmarkMe(b *testing.B) {
	h := newHarnessWith(b, harnessOptions{hasher: plainHasher{}})
	access := h.passwordGrant("bench@example.com", "correct horse staple 1").AccessToken
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "http://localhost/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+access)
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("me: %d %s", rec.Code, rec.Body)
		}
	}
}

func refreshOnce(b *testing.B, handler http.Handler, rt string, want int) string {
	body := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}.Encode()
	req := httptest.NewRequest(http.MethodPost, "http://localhost/api/v1/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "127.0.0.1:40000"
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("refresh: %d %s", rec.Code, rec.Body)
	}
	var r struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		b.Fatal(err)
	}
	return r.RefreshToken
}
