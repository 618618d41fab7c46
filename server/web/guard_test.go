package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/web"
)

// TestEveryPostRouteNamesItsGuard builds the server with every flow on:
// Handler panics on a POST route without an entry in the route-guard
// table, and every policy an entry names must be in the policy table.
func TestEveryPostRouteNamesItsGuard(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, phones: true, recovery: true, twoFactor: true, passwords: true})
	table := guard.DefaultPolicies()
	declared := web.New(h.deps).RouteGuards()
	for path, names := range declared {
		for _, n := range names {
			if _, ok := table[n]; !ok {
				t.Errorf("%s names policy %q, which is not in the table", path, n)
			}
		}
	}
	// The routes that check a secret or send a message say so.
	for path, want := range map[string]guard.Name{
		"/login": guard.Password, "/signup": guard.Signup, pages.SecondFactorPath: guard.TOTP,
		pages.RecoverCodePath: guard.RecoveryCode, pages.CodeLoginVerifyPath: guard.Code, pages.CodeLoginPath: guard.SendEmail,
		pages.PhoneSignupPath: guard.SendSMS, pages.ChangePasswordPath: guard.Password, pages.ReauthPath: guard.TOTP,
		"/api/v1/token": guard.TOTP, "/api/v1/otp": guard.SendEmail,
	} {
		if !slices.Contains(declared[path], want) {
			t.Errorf("%s does not name %s", path, want)
		}
	}
}

// unguardedAccounts is a flow written without the guard: it hashes the
// password it is given.
type unguardedAccounts struct {
	web.Accounts
	hasher auth.Hasher
}

func (u unguardedAccounts) Login(ctx context.Context, appID uuid.UUID, email, password string) (auth.User, error) {
	_, _ = u.hasher.VerifyDummy(ctx, password)
	return auth.User{}, &auth.Error{Code: messages.LoginFailed}
}

// TestAFlowWithoutAGuardIsCaught drives a login flow that hashes without
// reserving: the request is reported, as every harness test would report
// it (and fail).
func TestAFlowWithoutAGuardIsCaught(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var mu sync.Mutex
	var caught []string
	d := h.deps
	d.Accounts = unguardedAccounts{Accounts: d.Accounts, hasher: h.hasher}
	d.OnUnguarded = func(r *http.Request, problems []string) {
		mu.Lock()
		defer mu.Unlock()
		caught = append(caught, r.URL.Path+": "+strings.Join(problems, "; "))
	}
	srv := web.New(d)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	res, err := http.PostForm(ts.URL+"/login", url.Values{"email": {"a@example.com"}, "password": {"whatever it is"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// The report is made once the answer is written: wait for it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(caught)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(caught) != 1 || !strings.Contains(caught[0], "hash without a reservation") {
		t.Fatalf("unguarded hash reported as %q", caught)
	}
}

// TestRefusalsCarryRetryAfter checks the answers of the guard's refusals
// on the form and on the token API.
func TestRefusalsCarryRetryAfter(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signup("retry@example.com", "correct horse staple 1")
	c := h.browser()
	for range 10 {
		h.post(c, "/login", creds("retry@example.com", "not the password"))
	}
	r := h.post(c, "/login", creds("retry@example.com", "not the password"))
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("11th wrong password: %d", r.status)
	}
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 15*60 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// A 405 names what is allowed.
	req, _ := http.NewRequest(http.MethodPut, h.srv.URL+"/login", nil)
	res, err := h.browser().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(res.Header.Get("Allow"), "POST") || !strings.Contains(res.Header.Get("Allow"), "GET") {
		t.Fatalf("PUT /login: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}
