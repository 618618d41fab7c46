package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/web"
)

// These tests hold each way in that an attacker could once guess at
// without bound to the guard's budgets, through the real routes, on the
// default policy table.

func strictHarness(t *testing.T, o harnessOptions) *harness {
	o.policies = guard.DefaultPolicies()
	return newHarnessWith(t, o)
}

func TestConcurrentWrongPasswordsCheckExactlyTheBudget(t *testing.T) {
	t.Parallel()
	h := strictHarness(t, harnessOptions{})
	h.signup("burst@example.com", "correct horse staple 1")
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.post(h.browser(), "/login", creds("burst@example.com", "not the password"))
			mu.Lock()
			counts[r.status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[http.StatusUnauthorized] != 10 || counts[http.StatusTooManyRequests] != 30 {
		t.Fatalf("40 concurrent wrong passwords, budget 10: %v", counts)
	}
}

func TestStrangersCannotLockTheOwnerOut(t *testing.T) {
	t.Parallel()
	h := strictHarness(t, harnessOptions{codes: true})
	owner := h.signup("owner@example.com", "correct horse staple 1") // a known device from now on
	h.post(owner, "/logout", nil)
	// A stranger spends the account's budget, and sprays the address's.
	for range 12 {
		h.post(h.browser(), "/login", creds("owner@example.com", "a wrong guess"))
	}
	for i := range 100 {
		h.post(h.browser(), "/login", creds(fmt.Sprintf("someone%d@example.com", i), "a wrong guess"))
	}
	if r := h.post(h.browser(), "/login", creds("owner@example.com", "correct horse staple 1")); r.status != http.StatusTooManyRequests {
		t.Fatalf("a new browser with the right password during the attack: %d, want 429", r.status)
	}
	if r := h.post(owner, "/login", creds("owner@example.com", "correct horse staple 1")); r.status != http.StatusSeeOther {
		t.Fatalf("the owner's known browser during the attack: %d", r.status)
	}
	h.post(owner, "/logout", nil)
	// Strangers ask for codes to the owner's address until the address's
	// budget is spent; the owner can still ask for one, and use it.
	refused, sent := 0, 0
	for range 15 {
		h.clock.Advance(61e9) // past the one-a-minute cooldown
		r := h.post(h.browser(), pages.CodeLoginPath, url.Values{"email": {"owner@example.com"}})
		switch {
		case r.status == http.StatusTooManyRequests && strings.Contains(r.body, msg(messages.SendThrottled)):
			refused++
		case r.status == http.StatusOK:
			sent++
		}
	}
	for deadline := time.Now().Add(10 * time.Second); h.emailsTo(t, "owner@example.com") < sent; {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d codes delivered", h.emailsTo(t, "owner@example.com"), sent)
		}
		time.Sleep(50 * time.Millisecond)
	}
	last := h.awaitCode(t, "owner@example.com")
	if refused == 0 {
		t.Fatal("15 strangers' code requests in 15 minutes met no budget")
	}
	h.clock.Advance(61e9)
	if r := h.post(owner, pages.CodeLoginPath, url.Values{"email": {"owner@example.com"}}); r.status != http.StatusOK {
		t.Fatalf("the owner's code request during the flood: %d", r.status)
	}
	code := h.awaitCodeNot(t, "owner@example.com", last)
	if r := h.post(owner, pages.CodeLoginVerifyPath, url.Values{"email": {"owner@example.com"}, "code": {code}}); r.status != http.StatusSeeOther {
		t.Fatalf("the owner's code: %d", r.status)
	}
}

func TestSecondFactorGuessesAreBoundedAcrossSignIns(t *testing.T) {
	t.Parallel()
	h := strictHarness(t, harnessOptions{codes: true, twoFactor: true})
	c := h.signup("totp-guess@example.com", "correct horse staple 1")
	secret, _ := h.enrolTOTP(t, c)
	wrong := func() string {
		code := h.totp(secret, 0)
		if code == "000000" {
			return "111111"
		}
		return "000000"
	}
	// Each password round used to start a new count: now five wrong codes
	// in any number of rounds, through any door, spend the account's burst.
	for round, n := range []int{2, 2, 1} {
		b := h.firstFactor(t, "totp-guess@example.com", "correct horse staple 1")
		for i := range n {
			r := h.secondFactor(b, "code", wrong())
			// The fifth wrong code in a row also ends the sign-in.
			ended := r.status == http.StatusSeeOther && strings.Contains(r.header.Get("Location"), "from=")
			if r.status != http.StatusUnauthorized && !(round == 2 && ended) {
				t.Fatalf("round %d, guess %d: %d %s", round+1, i+1, r.status, r.header.Get("Location"))
			}
		}
	}
	b := h.firstFactor(t, "totp-guess@example.com", "correct horse staple 1")
	if r := h.secondFactor(b, "code", h.totp(secret, 0)); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, msg(messages.TwoFactorThrottled)) {
		t.Fatalf("sixth code at the second step, even the right one: %d", r.status)
	}
	// The token API and re-authentication draw on the same budget.
	g := h.grant(url.Values{"grant_type": {"password"}, "username": {"totp-guess@example.com"}, "password": {"correct horse staple 1"}, "totp": {wrong()}})
	if g.status != http.StatusTooManyRequests || g.Error != "slow_down" {
		t.Fatalf("token API with an authenticator code: %d %s", g.status, g.body)
	}
	// The owner's own browser, a known device, is not locked out by them.
	h.stale()
	r := h.post(c, web.ReauthPath, url.Values{pages.ReauthMethodField: {"totp"}, pages.CodeFieldName: {h.totp(secret, 0)}, pages.NextField: {"/account"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("the owner's re-authentication with an app code: %d", r.status)
	}
	// The "could not finish signing in" notice goes out once an hour at most.
	if notices := h.queued(t, "second_factor_failed"); notices > 1 {
		t.Fatalf("%d lockout notices", notices)
	}
}

func TestCurrentPasswordAndRecoveryCodesAreBounded(t *testing.T) {
	t.Parallel()
	h := strictHarness(t, harnessOptions{codes: true, passwords: true, phones: true, recovery: true, twoFactor: true})
	c := h.signup("bounded@example.com", "correct horse staple 1")
	h.enrolTOTP(t, c)
	statuses := []int{}
	for range 11 {
		r := h.post(c, pages.ChangePasswordPath, url.Values{"current_password": {"not it at all"}, "password": {"a brand new passphrase 9"}})
		statuses = append(statuses, r.status)
	}
	if last := statuses[len(statuses)-1]; last != http.StatusTooManyRequests {
		t.Fatalf("11 wrong current passwords: %v", statuses)
	}
	stranger := h.browser()
	for i := range 6 {
		r := h.post(stranger, pages.RecoverCodePath, url.Values{"email": {"bounded@example.com"}, "code": {"k7mnp-q2rst"}})
		if i < 5 && r.status == http.StatusTooManyRequests {
			t.Fatalf("recovery code %d refused early", i+1)
		}
		if i == 5 && r.status != http.StatusTooManyRequests {
			t.Fatalf("6th wrong recovery code: %d", r.status)
		}
	}
	// An address without an account meets the same budget.
	for i := range 6 {
		r := h.post(stranger, pages.RecoverCodePath, url.Values{"email": {"nobody@example.com"}, "code": {"k7mnp-q2rst"}})
		if i == 5 && r.status != http.StatusTooManyRequests {
			t.Fatalf("6th wrong recovery code for an unknown address: %d", r.status)
		}
	}
}

func TestOneClientCannotPumpTextsOrFloodInboxes(t *testing.T) {
	t.Parallel()
	h := strictHarness(t, harnessOptions{codes: true, phones: true})
	c := h.browser()
	sent := 0
	for i := range 40 {
		r := h.post(c, pages.PhoneSignupPath, url.Values{"phone": {fmt.Sprintf("+4474001%05d", i)}})
		if r.status == http.StatusOK {
			sent++
		} else if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("number %d: %d", i, r.status)
		}
	}
	if sent != 3 {
		t.Fatalf("one client without a proof of work texted %d of 40 numbers, want 3", sent)
	}
	created := 0
	for i := range 20 {
		r := h.post(h.browser(), "/signup", creds(fmt.Sprintf("victim%d@example.org", i), "correct horse staple 1"))
		if r.status == http.StatusSeeOther || r.status == http.StatusOK {
			created++
		} else if r.status != http.StatusTooManyRequests {
			t.Fatalf("signup %d: %d", i, r.status)
		}
	}
	if created != 5 {
		t.Fatalf("one client without a proof of work signed up %d of 20 addresses, want 5", created)
	}
}

// TestEnrolmentCodesAreBounded: the codes typed to confirm a new
// authenticator key are guesses too, on the account's TOTP budget.
func TestEnrolmentCodesAreBounded(t *testing.T) {
	t.Parallel()
	h := strictHarness(t, harnessOptions{twoFactor: true})
	c := h.signup("enrol-guess@example.com", "correct horse staple 1")
	if page := h.get(c, "/account/2fa"); page.status != http.StatusOK {
		t.Fatalf("enrolment page: %d", page.status)
	}
	for i := range 5 {
		if r := h.post(c, "/account/2fa", url.Values{"code": {"000000"}}); r.status == http.StatusTooManyRequests {
			t.Fatalf("enrolment guess %d refused early", i+1)
		}
	}
	if r := h.post(c, "/account/2fa", url.Values{"code": {"000000"}}); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("6th enrolment guess: %d", r.status)
	}
}
