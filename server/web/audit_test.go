package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/latch-dev/latch/components/pages"
)

// TestWrongCodesAreAuditedUnderTheirAccount: a stranger's wrong guesses
// at an account's login code are recorded under that account, so its
// holder's security activity shows them.
func TestWrongCodesAreAuditedUnderTheirAccount(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	owner := h.signup("audited@example.com", "correct horse staple 1")
	id := userID(t, h, owner)
	stranger := h.browser()
	if r := h.post(stranger, pages.CodeLoginPath, url.Values{"email": {"audited@example.com"}}); r.status != http.StatusOK {
		t.Fatalf("code request: %d", r.status)
	}
	code := h.awaitCode(t, "audited@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if r := h.post(stranger, pages.CodeLoginVerifyPath, url.Values{"email": {"audited@example.com"}, "code": {wrong}}); r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", r.status)
	}
	found := false
	for _, e := range h.events(t) {
		if e.Event == "code.use" && e.Outcome == "failure" {
			if e.UserID == nil || *e.UserID != id {
				t.Fatalf("wrong code audited under %v, want %s", e.UserID, id)
			}
			found = true
		}
	}
	if !found {
		t.Fatal("the wrong code was not audited")
	}
}
