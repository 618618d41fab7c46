package protect_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/protect"
)

func TestLoginURLDropsHostileNext(t *testing.T) {
	p := protect.New(signedIn{}, protect.Options{PublicOrigin: "https://app.example"})
	for _, bad := range []string{"//evil.example", `/\evil.example`, "https://evil.example/x", "javascript:alert(1)",
		"http://app.example@evil.example/", "/%2F%2Fevil.example", "https://app.example.evil.example/"} {
		if got := p.LoginURL(bad); got != "/login" {
			t.Errorf("LoginURL(%q) = %q, want /login", bad, got)
		}
		if got := p.ReauthURL(bad); got != "/account/confirm" {
			t.Errorf("ReauthURL(%q) = %q", bad, got)
		}
	}
	for next, want := range map[string]string{
		"/reports?y=1":               "/login?next=%2Freports%3Fy%3D1",
		"https://app.example/orders": "/login?next=https%3A%2F%2Fapp.example%2Forders",
	} {
		if got := p.LoginURL(next); got != want {
			t.Errorf("LoginURL(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestRequireUserPathsNeverLeakAbsoluteRequests(t *testing.T) {
	p := protect.New(signedIn{}, protect.Options{})
	h := p.RequireUser(http.NotFoundHandler())
	// A request line with an absolute URL names another host: next must
	// stay a path on this site.
	req := httptest.NewRequest("GET", "http://evil.example//evil.example/x", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("absolute request: %d %q", rec.Code, loc)
	}
}

func TestRequirePermissionFailsClosed(t *testing.T) {
	id := uuid.New()
	p := protect.New(signedIn{id: id}, protect.Options{})
	var asked string
	failing := protect.CheckerFunc(func(_ context.Context, u uuid.UUID, perm string) (bool, error) {
		asked = perm
		return true, context.DeadlineExceeded
	})
	rec := httptest.NewRecorder()
	p.RequirePermission("billing.read", failing)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Fatal("handler ran on a failed check")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/billing", nil))
	if rec.Code != http.StatusInternalServerError || asked != "billing.read" {
		t.Fatalf("failed check: %d asked %q", rec.Code, asked)
	}
}
