package web_test

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/password"
)

// plainHasher stands in for argon2id when a benchmark measures everything
// around the hash: it "hashes" by prefixing, so verifying costs nothing.
type plainHasher struct{}

func (plainHasher) Hash(_ context.Context, plain string) (string, error) {
	return "$argon2id$v=19$m=64,t=1,p=1$plain$" + plain, nil
}

func (plainHasher) Verify(_ context.Context, plain, encoded string) (bool, bool, error) {
	want := "$argon2id$v=19$m=64,t=1,p=1$plain$" + plain
	return subtle.ConstantTimeCompare([]byte(want), []byte(encoded)) == 1, false, nil
}

func (plainHasher) VerifyDummy(context.Context, string) (bool, error) { return false, nil }

// BenchmarkLoginHandler measures a whole successful login through the
// middleware chain into PostgreSQL: identity lookup, password check, session
// commit with token renewal, audit insert and the redirect. "hash=excluded"
// shows Latch's own overhead; "hash=argon2id" adds the real default cost.
func BenchmarkLoginHandler(b *testing.B) {
	for _, tc := range []struct {
		name string
		opt  harnessOptions
	}{
		{"hash=excluded", harnessOptions{hasher: plainHasher{}}},
		{"hash=argon2id", harnessOptions{params: password.DefaultParams()}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h := newHarnessWith(b, tc.opt)
			h.signup("bench@example.com", "correct horse staple 1")
			body := url.Values{"email": {"bench@example.com"}, "password": {"correct horse staple 1"}}.Encode()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "http://localhost/login", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				req.RemoteAddr = "127.0.0.1:40000"
				rec := httptest.NewRecorder()
				h.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusSeeOther {
					b.Fatalf("login: %d", rec.Code)
				}
			}
		})
	}
}

// BenchmarkAccountPage measures a signed-in page view: session lookup,
// account query and render.
func BenchmarkAccountPage(b *testing.B) {
	h := newHarnessWith(b, harnessOptions{hasher: plainHasher{}})
	c := h.signup("page@example.com", "correct horse staple 1")
	u, _ := url.Parse(h.srv.URL)
	var cookie *http.Cookie
	for _, ck := range c.Jar.Cookies(u) {
		cookie = ck
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "http://localhost/account", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("account: %d", rec.Code)
		}
	}
}

// BenchmarkLoginFailure compares a wrong password for a known email with
// any password for an unknown one, at the real hashing cost: the two must
// take about the same time so timing reveals no account.
func BenchmarkLoginFailure(b *testing.B) {
	h := newHarnessWith(b, harnessOptions{params: password.DefaultParams()})
	h.signup("known@example.com", "correct horse staple 1")
	for _, email := range []string{"known@example.com", "unknown@example.com"} {
		b.Run("email="+strings.Split(email, "@")[0], func(b *testing.B) {
			body := url.Values{"email": {email}, "password": {"not the password 1"}}.Encode()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "http://localhost/login", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				rec := httptest.NewRecorder()
				h.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusUnauthorized {
					b.Fatalf("login: %d", rec.Code)
				}
			}
		})
	}
}
