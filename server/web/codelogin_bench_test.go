package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// BenchmarkCodeLoginRequest measures POST /login/code through the whole
// middleware chain into PostgreSQL: for a known address, the code and link
// row, the sealed email queued in the same transaction, the audit event
// and the session remembering the link; for an unknown one the same row
// and audit with nothing queued. The difference is the cost of enqueueing
// a message per login request. The clock moves an hour per request, so
// the send limits never refuse one.
func BenchmarkCodeLoginRequest(b *testing.B) {
	for _, known := range []bool{true, false} {
		name := "account=unknown"
		if known {
			name = "account=known"
		}
		b.Run(name, func(b *testing.B) {
			h := newHarnessWith(b, harnessOptions{codes: true, hasher: plainHasher{}})
			addr := "nobody@example.com"
			if known {
				addr = "bench@example.com"
				h.signup(addr, "correct horse staple 1")
			}
			body := url.Values{"email": {addr}}.Encode()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				h.clock.Advance(time.Hour + time.Second)
				req := httptest.NewRequest(http.MethodPost, "http://localhost/login/code", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				req.RemoteAddr = "127.0.0.1:40000"
				rec := httptest.NewRecorder()
				h.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("request: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
