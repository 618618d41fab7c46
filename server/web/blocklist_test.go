package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/blocklist"
	"github.com/latch-dev/latch/server/web"
)

// testBlocklist is the blocklist main wires (the common-password list and
// the context words), without the optional breach service.
func testBlocklist() auth.Blocklist { return blocklist.New("Latch") }

// blocked are passwords every path that sets one must refuse, with the
// reason it must show. The email-based ones assume an address at
// example.com.
var blocked = []struct {
	pw   string
	want messages.Key
}{
	{"12345678", messages.PasswordCommon},
	{"password", messages.PasswordCommon},
	{"qwertyuiop", messages.PasswordCommon},
	{"PassWord", messages.PasswordCommon},
	{"Latch2024!", messages.PasswordHasContext},
}

// blockedForEmail adds a password built from the address's domain.
var blockedForEmail = append(blocked[:len(blocked):len(blocked)], struct {
	pw   string
	want messages.Key
}{"Example#2024", messages.PasswordHasContext})

// refused fails the test unless r is the form again (422) with want's
// written reason on it.
func refused(t *testing.T, what string, r reply, want messages.Key) {
	t.Helper()
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg(want)) {
		t.Errorf("%s: %d, want 422 with %q\n%.2000s", what, r.status, messages.Text(want), r.body)
	}
}

func TestBlockedPasswordsRefusedAtSignup(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signup("taken@example.com", "violet tram at noon")
	for _, b := range blockedForEmail {
		refused(t, "signup "+b.pw, h.post(h.browser(), "/signup", creds("new@example.com", b.pw)), b.want)
		// An address with an account gets the same refusal, so the
		// answer still says nothing about who has one.
		refused(t, "signup (taken) "+b.pw, h.post(h.browser(), "/signup", creds("taken@example.com", b.pw)), b.want)
		// Nothing was created with it.
		if r := h.post(h.browser(), "/login", creds("new@example.com", b.pw)); r.status == http.StatusSeeOther {
			t.Errorf("an account was made with %q", b.pw)
		}
	}
	// The same address with a good password goes through.
	h.signup("new@example.com", "a brand new passphrase 22")
}

func TestBlockedPasswordsRefusedByResetCode(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	h.signup("code@example.com", resetOld)
	c := h.browser()
	if r := h.forgot(t, c, "code@example.com"); r.status != 200 {
		t.Fatalf("forgot: %d", r.status)
	}
	code, _ := h.awaitReset(t, "code@example.com")
	for _, b := range blockedForEmail {
		r := h.post(c, "/password/forgot/code", url.Values{"identity": {"code@example.com"}, "code": {code}, "password": {b.pw}})
		refused(t, "reset by code "+b.pw, r, b.want)
	}
	// The refusals spent nothing: the old password still works, and so
	// does the code, with a good password.
	if r := h.post(h.browser(), "/login", creds("code@example.com", resetOld)); r.status != http.StatusSeeOther {
		t.Fatalf("old password after refusals: %d", r.status)
	}
	r := h.post(c, "/password/forgot/code", url.Values{"identity": {"code@example.com"}, "code": {code}, "password": {resetNew}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("reset by code with a good password: %d %s", r.status, r.body)
	}
}

func TestBlockedPasswordsRefusedByResetLink(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	h.signup("link@example.com", resetOld)
	c := h.browser()
	h.forgot(t, c, "link@example.com")
	_, link := h.awaitReset(t, "link@example.com")
	_, token := linkParts(t, link)
	h.confirmReset(t, c, token)
	for _, b := range blockedForEmail {
		refused(t, "reset by link "+b.pw, h.post(c, "/password/reset", url.Values{"password": {b.pw}}), b.want)
	}
	if r := h.post(c, "/password/reset", url.Values{"password": {resetNew}}); r.status != http.StatusSeeOther {
		t.Fatalf("reset by link with a good password: %d %s", r.status, r.body)
	}
}

func TestBlockedPasswordsRefusedByChange(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	me := h.signup("change@example.com", resetOld)
	for _, b := range blockedForEmail {
		r := h.post(me, "/account/password", url.Values{"current_password": {resetOld}, "password": {b.pw}})
		refused(t, "change "+b.pw, r, b.want)
	}
	if r := h.post(h.browser(), "/login", creds("change@example.com", resetOld)); r.status != http.StatusSeeOther {
		t.Fatalf("old password after refusals: %d", r.status)
	}
	if r := h.post(me, "/account/password", url.Values{"current_password": {resetOld}, "password": {resetNew}}); r.status != http.StatusSeeOther {
		t.Fatalf("change to a good password: %d %s", r.status, r.body)
	}
}

func TestBlockedPasswordsRefusedAsAFirstPassword(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{phones: true})
	c := h.phoneSignup(t, "+447400123456", "+447400123456", 1)
	for _, b := range blocked { // the account has no email
		refused(t, "first password "+b.pw, h.post(c, "/account/password", url.Values{"password": {b.pw}}), b.want)
	}
	if r := h.post(c, "/account/password", url.Values{"password": {resetNew}}); r.status != http.StatusSeeOther || r.header.Get("Location") == web.ReauthPath+"?next=/account/password" {
		t.Fatalf("first password, a good one: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
}

func TestBlockedPasswordsRefusedByRecoveryFinish(t *testing.T) {
	t.Parallel()
	h := recoveryHarness(t, false)
	recoveryAccount(t, h)
	link := startBySMS(t, h, h.browser(), 1)
	h.clock.Advance(recoveryWait + time.Second)
	c := h.browser()
	h.confirmFinish(t, c, link, true)
	for _, b := range blockedForEmail {
		r := h.post(c, pages.RecoveryFinishPath, url.Values{"email": {"found@example.com"}, "password": {b.pw}})
		refused(t, "recovery finish "+b.pw, r, b.want)
		if !strings.Contains(r.body, "recovery-finish-errors") {
			t.Errorf("recovery finish %s: no error summary", b.pw)
		}
	}
	// Built from the new address's local part.
	r := h.post(c, pages.RecoveryFinishPath, url.Values{"email": {"bob@example.com"}, "password": {"Bob-1234567"}})
	refused(t, "recovery finish with the new address's name", r, messages.PasswordHasContext)

	r = h.post(c, pages.RecoveryFinishPath, url.Values{"email": {"found@example.com"}, "password": {"a brand new passphrase"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("finish with a good password: %d %q", r.status, r.header.Get("Location"))
	}
}
