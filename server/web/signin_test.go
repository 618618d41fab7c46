package web_test

import (
	"net/http"
	"testing"

	"github.com/latch-dev/latch/server/web"
)

// A first factor for one user in a browser signed in as another signs the
// other out: the browser must never stay signed in as A while B's second
// step is pending.
func TestFirstFactorSignsOutTheUserBefore(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	b := h.signup("second@example.com", "correct horse staple 2")
	h.enrolTOTP(t, b)
	a := h.signup("first@example.com", "correct horse staple 1")
	r := h.post(a, "/login", creds("second@example.com", "correct horse staple 2"))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != web.SecondFactorPath {
		t.Fatalf("first factor: %d %q", r.status, r.header.Get("Location"))
	}
	if r := h.get(a, "/account"); r.status != http.StatusSeeOther {
		t.Fatalf("still signed in as the first user while the second's step is pending: %d", r.status)
	}
}
