package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/web"
)

// failLogins posts n wrong passwords for addr.
func (h *harness) failLogins(t *testing.T, addr string, n int) {
	t.Helper()
	for i := range n {
		if r := h.post(h.browser(), "/login", creds(addr, "not the password")); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d for %s: %d", i+1, addr, r.status)
		}
	}
}

func TestFailedPasswordsAreThrottledPerAddress(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signup("throttled@example.com", "correct horse staple 1")

	// A success clears the address's count: 9 + 9 failures around one
	// success never reach the limit of 10.
	for round := 1; round <= 2; round++ {
		h.failLogins(t, "throttled@example.com", 9)
		if r := h.post(h.browser(), "/login", creds("throttled@example.com", "correct horse staple 1")); r.status != http.StatusSeeOther {
			t.Fatalf("round %d: right password after 9 failures: %d", round, r.status)
		}
	}
	h.failLogins(t, "throttled@example.com", 10)
	// Now even the right password waits, and says so in writing.
	r := h.post(h.browser(), "/login", creds("throttled@example.com", "correct horse staple 1"))
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, msg(messages.LoginThrottled)) {
		t.Fatalf("11th attempt: %d", r.status)
	}
	// An address without an account is limited alike: the limit tells
	// nothing about who has an account.
	h.failLogins(t, "nobody@example.com", 10)
	if r := h.post(h.browser(), "/login", creds("nobody@example.com", "anything at all")); r.status != http.StatusTooManyRequests {
		t.Fatalf("unknown address after 10 failures: %d", r.status)
	}
	// Other addresses are not held up.
	if r := h.post(h.browser(), "/login", creds("someone@example.com", "anything at all")); r.status != http.StatusUnauthorized {
		t.Fatalf("another address: %d", r.status)
	}
	// Once the failures age out, the right password works again.
	h.clock.Advance(30 * time.Minute)
	if r := h.post(h.browser(), "/login", creds("throttled@example.com", "correct horse staple 1")); r.status != http.StatusSeeOther {
		t.Fatalf("after the window: %d", r.status)
	}
	throttled := 0
	for _, e := range h.events(t) {
		if e.Event == "login" && e.Detail["reason"] == "throttled" {
			throttled++
		}
	}
	if throttled != 2 {
		t.Fatalf("%d throttled logins audited, want 2", throttled)
	}
}

func TestFailedPasswordsAreThrottledPerClient(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{policies: guard.DefaultPolicies()})
	h.signup("spray@example.com", "correct horse staple 1")
	// A spray: one wrong password for each of many addresses, one client.
	for i := range 100 {
		h.failLogins(t, fmt.Sprintf("user%d@example.com", i), 1)
	}
	if r := h.post(h.browser(), "/login", creds("spray@example.com", "correct horse staple 1")); r.status != http.StatusTooManyRequests {
		t.Fatalf("after 100 failures from one client: %d", r.status)
	}
}

func TestPasswordGrantIsThrottled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signup("api-throttle@example.com", "correct horse staple 1")
	h.failLogins(t, "api-throttle@example.com", 10)
	r := h.grant(url.Values{"grant_type": {"password"}, "username": {"api-throttle@example.com"}, "password": {"correct horse staple 1"}})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, `"slow_down"`) {
		t.Fatalf("password grant after 10 failures: %d %s", r.status, r.body)
	}
}

// Wrong passwords typed to re-authenticate are throttled per user too: a
// borrowed signed-in session cannot guess the password.
func TestReauthPasswordsAreThrottled(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	c := h.signup("reauth-throttle@example.com", "correct horse staple 1")
	confirm := func(pw string) reply {
		return h.post(c, web.ReauthPath, url.Values{pages.ReauthMethodField: {"password"}, "password": {pw}, pages.NextField: {"/account"}})
	}
	for i := range 10 {
		if r := confirm("not the password"); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i+1, r.status)
		}
	}
	if r := confirm("correct horse staple 1"); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, msg(messages.LoginThrottled)) || r.header.Get("Retry-After") == "" {
		t.Fatalf("right password after 10 failures: %d", r.status)
	}
	h.clock.Advance(30 * time.Minute)
	c = h.browser()
	if r := h.post(c, "/login", creds("reauth-throttle@example.com", "correct horse staple 1")); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	if r := confirm("correct horse staple 1"); r.status != http.StatusSeeOther {
		t.Fatalf("after the window: %d", r.status)
	}
}
