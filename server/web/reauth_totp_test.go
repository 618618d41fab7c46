package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/web"
)

// A user with two-step verification on may prove who they are again with
// an app code; each code works once there too.
func TestReauthWithAnAppCode(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, twoFactor: true})
	c := h.signup("app@example.com", "correct horse staple 1")
	secret, _ := h.enrolTOTP(t, c)
	h.clock.Advance(web.ReauthWindow + time.Minute)

	r := h.get(c, "/account/2fa")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), web.ReauthPath) {
		t.Fatalf("stale proof: %d %q", r.status, r.header.Get("Location"))
	}
	page := h.get(c, r.header.Get("Location"))
	if !strings.Contains(page.body, `value="totp"`) || !strings.Contains(page.body, msg(messages.LabelAuthCode)) {
		t.Fatalf("the confirm page offers no app code:\n%s", page.body)
	}
	code := h.totp(secret, 0)
	form := url.Values{pages.ReauthMethodField: {"totp"}, pages.CodeFieldName: {code}, pages.NextField: {"/account/2fa"}}
	r = h.post(c, web.ReauthPath, form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/2fa" {
		t.Fatalf("app code: %d %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if r := h.get(c, "/account/2fa"); r.status != http.StatusOK {
		t.Fatalf("after the proof: %d", r.status)
	}
	// The same code again is refused.
	h.clock.Advance(web.ReauthWindow + time.Minute)
	if r := h.post(c, web.ReauthPath, form); r.status != http.StatusUnauthorized {
		t.Fatalf("a spent app code: %d", r.status)
	}
}

// Adding a phone number adds a way into the account: it needs a fresh
// proof like the other sensitive changes.
func TestAddingAPhoneNeedsAFreshProof(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, phones: true})
	c := h.signup("phone-fresh@example.com", "correct horse staple 1")
	if r := h.get(c, pages.PhoneAddPath); r.status != http.StatusOK {
		t.Fatalf("fresh: %d", r.status)
	}
	h.clock.Advance(web.ReauthWindow + time.Minute)
	for _, r := range []reply{
		h.get(c, pages.PhoneAddPath),
		h.post(c, pages.PhoneAddPath, url.Values{"phone": {"+447400123456"}}),
		h.post(c, pages.PhoneAddVerifyPath, url.Values{"phone": {"+447400123456"}, "code": {"123456"}}),
	} {
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), web.ReauthPath) {
			t.Fatalf("stale proof: %d %q", r.status, r.header.Get("Location"))
		}
	}
}
