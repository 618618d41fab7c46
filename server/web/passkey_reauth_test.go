package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/guard"
)

// passkeyReauth confirms it is you from c with k: options, then the
// assertion with next. It returns the options' body and the finish
// path's reply.
func (h *harness) passkeyReauth(c *http.Client, k *softKey, next string) (string, reply) {
	h.t.Helper()
	o := h.postJSON(c, pages.PasskeyReauthOptionsPath, "{}")
	if o.status != http.StatusOK {
		h.t.Fatalf("re-authentication options: %d %s", o.status, o.body)
	}
	n, _ := json.Marshal(next)
	return o.body, h.postJSON(c, pages.PasskeyReauthPath, answerBody(k.get(o.body), `"next":`+string(n)))
}

// wantStale fails unless c, opening the sensitive page path, is sent to
// confirm it is you first.
func (h *harness) wantStale(c *http.Client, path string) {
	h.t.Helper()
	if g := h.get(c, path); g.status != http.StatusSeeOther || g.header.Get("Location") != pages.ReauthURL(path) {
		h.t.Fatalf("stale session opening %s: %d %q", path, g.status, g.header.Get("Location"))
	}
}

// TestPasskeyReauthConfirmsThenSensitivePageOpens: past ReauthWindow a
// user with a passkey is asked to confirm it is you, is offered the
// passkey (limited to their own credentials, user verification asked),
// confirms with it, and the sensitive page opens; the proof renews the
// session token, updates the passkey's counter and is audited as a
// reauth by passkey. A next pointing off the site lands on the account.
func TestPasskeyReauthConfirmsThenSensitivePageOpens(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("ria@example.com", passkeyPW)
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "Laptop")
	h.addPasskey(h.signup("sam@example.com", passkeyPW), newSoftKey(t, h.linkOrigin), "Sam's")

	h.clock.Advance(6 * time.Minute)
	h.wantStale(c, pages.PasskeysPath)
	page := h.get(c, pages.ReauthURL(pages.PasskeysPath))
	for _, want := range []string{`data-passkey="reauth"`, `data-passkey-options="` + pages.PasskeyReauthOptionsPath + `"`,
		`data-passkey-finish="` + pages.PasskeyReauthPath + `"`, `data-passkey-next="` + pages.PasskeysPath + `"`,
		"/static/js/passkey.", msg(messages.PasskeyReauth), "<noscript>", msg(messages.PasskeyNeedsJavaScript),
		`id="passkey-reauth" class="passkey" hidden`, `data-testid="reauth-password"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("confirm page lacks %q", want)
		}
	}
	if strings.Contains(page.body, `data-testid="reauth-unavailable"`) {
		t.Error("confirm page says no way is available")
	}

	before := cookieValue(t, h, c)
	options, r := h.passkeyReauth(c, k, pages.PasskeysPath)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"redirect":"`+pages.PasskeysPath+`"`) {
		t.Fatalf("confirming with the passkey: %d %s", r.status, r.body)
	}
	if cookieValue(t, h, c) == before {
		t.Error("the proof did not renew the session token")
	}
	var o struct {
		PublicKey struct {
			UserVerification string `json:"userVerification"`
			AllowCredentials []struct {
				ID string `json:"id"`
			} `json:"allowCredentials"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal([]byte(options), &o); err != nil {
		t.Fatal(err)
	}
	if len(o.PublicKey.AllowCredentials) != 1 || o.PublicKey.AllowCredentials[0].ID != b64.EncodeToString(k.id) || o.PublicKey.UserVerification != "required" {
		t.Fatalf("options %s, want Ria's one passkey with user verification required", options)
	}
	if g := h.get(c, pages.PasskeysPath); g.status != http.StatusOK {
		t.Fatalf("after the passkey proof, %s: %d", pages.PasskeysPath, g.status)
	}
	var id string
	var count int64
	var used *time.Time
	if err := h.db.NewRaw(`SELECT id::text, sign_count, last_used_at FROM passkeys WHERE credential_id = ?`, k.id).Scan(context.Background(), &id, &count, &used); err != nil {
		t.Fatal(err)
	}
	if e := lastEvent(t, h, "reauth"); e.Outcome != "success" || e.Detail["method"] != "passkey" || e.Detail["passkey"] != id {
		t.Fatalf("reauth audited as %+v, want a success by passkey %s", e, id)
	}
	if count != int64(k.count) || used == nil {
		t.Fatalf("after the proof: sign_count %d (authenticator at %d), last_used_at %v", count, k.count, used)
	}
	for _, ev := range h.events(t) {
		if ev.Event == "passkey.use" {
			t.Fatalf("a re-authentication audited as a passkey sign-in: %+v", ev)
		}
	}

	// Another time, asked to go off the site: the account page instead.
	h.clock.Advance(6 * time.Minute)
	h.wantStale(c, pages.ExportPath)
	if _, r := h.passkeyReauth(c, k, "https://evil.example/"); r.status != http.StatusOK || !strings.Contains(r.body, `"redirect":"/account"`) {
		t.Fatalf("an off-site next: %d %s", r.status, r.body)
	}
	if g := h.get(c, pages.ExportPath); g.status != http.StatusOK {
		t.Fatalf("after the second proof, %s: %d", pages.ExportPath, g.status)
	}
}

// TestPasskeyReauthRefusals: another user's passkey, a replayed challenge
// or assertion, an assertion without user verification (refused in its
// own words) and a cloned counter each leave the session unconfirmed,
// audited as a failed reauth by passkey with its reason.
func TestPasskeyReauthRefusals(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("ivy@example.com", passkeyPW)
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "Ivy's")
	kb := newSoftKey(t, h.linkOrigin)
	h.addPasskey(h.signup("jon@example.com", passkeyPW), kb, "Jon's")
	h.clock.Advance(6 * time.Minute)

	wantRefused := func(what string, r reply, status int, key messages.Key, reason string) {
		t.Helper()
		if r.status != status || !strings.Contains(r.body, `"error":"`+string(key)+`"`) || strings.Contains(r.body, "redirect") {
			t.Fatalf("%s: %d %s, want %d %s", what, r.status, r.body, status, key)
		}
		e := lastEvent(t, h, "reauth")
		if e.Outcome != "failure" || e.Detail["method"] != "passkey" || e.Detail["reason"] != reason {
			t.Fatalf("%s audited as %+v, want reason %s", what, e, reason)
		}
		h.wantStale(c, pages.PasskeysPath)
	}

	// Jon's passkey answering Ivy's challenge.
	_, r := h.passkeyReauth(c, kb, pages.PasskeysPath)
	wantRefused("another user's passkey", r, http.StatusUnauthorized, messages.PasskeyNotAccepted, "other_credential")

	// Without user verification: its own message.
	k.noUV = true
	_, r = h.passkeyReauth(c, k, pages.PasskeysPath)
	wantRefused("no user verification", r, http.StatusUnauthorized, messages.PasskeyReauthNotVerified, "not_verified")
	if !strings.Contains(r.body, `"message":`) || !strings.Contains(r.body, "did not check that it is you") {
		t.Fatalf("no-UV refusal does not say why: %s", r.body)
	}
	k.noUV = false

	// A challenge answers once: the spent one is gone, and an assertion
	// replayed against a new challenge does not match it.
	o := h.postJSON(c, pages.PasskeyReauthOptionsPath, "{}")
	cred := k.get(o.body)
	if r := h.postJSON(c, pages.PasskeyReauthPath, answerBody(k.assert("AAAA"), "")); r.status != http.StatusUnauthorized {
		t.Fatalf("an assertion over the wrong challenge: %d %s", r.status, r.body)
	}
	r = h.postJSON(c, pages.PasskeyReauthPath, answerBody(cred, ""))
	wantRefused("the right assertion after its challenge was spent", r, http.StatusBadRequest, messages.PasskeyExpired, "no_challenge")
	h.postJSON(c, pages.PasskeyReauthOptionsPath, "{}")
	r = h.postJSON(c, pages.PasskeyReauthPath, answerBody(cred, ""))
	wantRefused("an assertion replayed against a new challenge", r, http.StatusUnauthorized, messages.PasskeyNotAccepted, "invalid")

	// A challenge issued to another browser of the same user.
	other := h.browser()
	if lr := h.passkeyLogin(other, k); lr.status != http.StatusOK {
		t.Fatalf("second browser sign-in: %d %s", lr.status, lr.body)
	}
	h.clock.Advance(6 * time.Minute)
	oo := h.postJSON(other, pages.PasskeyReauthOptionsPath, "{}")
	r = h.postJSON(c, pages.PasskeyReauthPath, answerBody(k.get(oo.body), ""))
	wantRefused("an answer to another browser's challenge", r, http.StatusBadRequest, messages.PasskeyExpired, "no_challenge")

	// A challenge past its lifetime.
	o = h.postJSON(c, pages.PasskeyReauthOptionsPath, "{}")
	h.clock.Advance(6 * time.Minute)
	r = h.postJSON(c, pages.PasskeyReauthPath, answerBody(k.get(o.body), ""))
	wantRefused("an expired challenge", r, http.StatusBadRequest, messages.PasskeyExpired, "no_challenge")

	// A cloned authenticator: its counter is behind the stored one.
	if _, err := h.db.NewRaw(`UPDATE passkeys SET sign_count = 1000`).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, r = h.passkeyReauth(c, k, pages.PasskeysPath)
	wantRefused("a cloned counter", r, http.StatusUnauthorized, messages.PasskeyNotAccepted, "counter")

	// A user without a passkey is offered none, and asking is refused.
	d := h.signup("kit@example.com", passkeyPW)
	h.clock.Advance(6 * time.Minute)
	if p := h.get(d, pages.ReauthPath); strings.Contains(p.body, "data-passkey") || strings.Contains(p.body, "/static/js/passkey.") {
		t.Fatalf("confirm page offers a passkey to an account without one")
	}
	if r := h.postJSON(d, pages.PasskeyReauthOptionsPath, "{}"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, string(messages.PasskeyNone)) {
		t.Fatalf("options for an account without passkeys: %d %s", r.status, r.body)
	}
	// Signed out: nothing is issued.
	if r := h.postJSON(h.browser(), pages.PasskeyReauthOptionsPath, "{}"); r.status != http.StatusOK || !strings.Contains(r.body, `"redirect":"/login"`) || strings.Contains(r.body, "challenge") {
		t.Fatalf("options when signed out: %d %s", r.status, r.body)
	}
}

// TestPasskeyReauthRefusesBadJSON: the finish path takes one strict JSON
// object; the options path takes nothing or {}. Each bad body gets its
// written 4xx and confirms nothing.
func TestPasskeyReauthRefusesBadJSON(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("lou@example.com", passkeyPW)
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "Key")
	h.clock.Advance(6 * time.Minute)
	o := h.postJSON(c, pages.PasskeyReauthOptionsPath, "{}")
	cred := string(k.get(o.body))
	big := `{"credential":` + cred + `,"next":"/` + strings.Repeat("a", 20<<10) + `"}`
	cases := []struct {
		name, body, contentType string
		status                  int
		key                     messages.Key
	}{
		{"form post", "credential=x", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, messages.FormMalformed},
		{"broken", `{"credential":`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"two values", `{"credential":` + cred + `} {}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"duplicated key", `{"credential":` + cred + `,"credential":` + cred + `}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"duplicated next", `{"next":"/account","next":"https://evil.example/","credential":` + cred + `}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"duplicated nested key", `{"credential":` + strings.Replace(cred, `"type":"public-key"`, `"type":"public-key","type":"public-key"`, 1) + `}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"unknown field", `{"credential":` + cred + `,"user":"someone-else"}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"next not a string", `{"credential":` + cred + `,"next":["/a"]}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"no credential", `{"next":"/account"}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"credential not an object", `{"credential":"x"}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"oversized", big, "application/json", http.StatusRequestEntityTooLarge, messages.FormTooLarge},
		{"hostile credential", `{"credential":{"id":"<script>","rawId":"%%%","type":"public-key","response":{}}}`, "application/json", http.StatusUnauthorized, messages.PasskeyNotAccepted},
	}
	for _, tc := range cases {
		r := h.postRaw(c, pages.PasskeyReauthPath, tc.body, "Content-Type", tc.contentType, "Accept", "application/json")
		if r.status != tc.status || !strings.Contains(r.body, `"error":"`+string(tc.key)+`"`) || strings.Contains(r.body, "<script>") {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.body, tc.status, tc.key)
		}
	}
	h.wantStale(c, pages.PasskeysPath)
	for _, body := range []string{`{"x":1}`, `{"next":"/account"}`, `{} {}`, `[`} {
		if r := h.postJSON(c, pages.PasskeyReauthOptionsPath, body); r.status != http.StatusBadRequest {
			t.Errorf("options with body %s: %d %s", body, r.status, r.body)
		}
	}
}

// TestPasskeyReauthGuardRefuses: with the default policies, failed
// assertions are counted under the passkey policy before any check; past
// the budget the answer is a 429 with Retry-After, audited, and even a
// good assertion waits; the password still confirms it is you.
func TestPasskeyReauthGuardRefuses(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true, policies: guard.DefaultPolicies()})
	c := h.signup("mae@example.com", passkeyPW)
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "Key")
	h.clock.Advance(6 * time.Minute)
	forger := newSoftKey(t, h.linkOrigin) // another key claiming k's credential
	forger.id, forger.handle = k.id, k.handle
	var last reply
	attempts := 0
	for ; attempts < 40 && last.status != http.StatusTooManyRequests; attempts++ {
		_, last = h.passkeyReauth(c, forger, pages.PasskeysPath)
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" || !strings.Contains(last.body, string(messages.PasskeyThrottled)) {
		t.Fatalf("after %d forged assertions: %d Retry-After %q %s", attempts, last.status, last.header.Get("Retry-After"), last.body)
	}
	if attempts < 2 {
		t.Fatalf("refused after %d attempts: no failure was allowed", attempts)
	}
	if e := lastEvent(t, h, "reauth"); e.Outcome != "failure" || e.Detail["method"] != "passkey" || e.Detail["reason"] != "throttled" {
		t.Fatalf("reauth %+v, want throttled", e)
	}
	invalid := 0
	for _, e := range h.events(t) {
		if e.Event == "reauth" && e.Detail["reason"] == "invalid" {
			invalid++
		}
	}
	if invalid != attempts-1 {
		t.Fatalf("%d invalid assertions audited, want %d", invalid, attempts-1)
	}
	if _, r := h.passkeyReauth(c, k, pages.PasskeysPath); r.status != http.StatusTooManyRequests {
		t.Fatalf("good assertion past the budget: %d %s", r.status, r.body)
	}
	h.wantStale(c, pages.PasskeysPath)
	r := h.post(c, pages.ReauthPath, url.Values{"password": {passkeyPW}, pages.NextField: {pages.PasskeysPath}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != pages.PasskeysPath {
		t.Fatalf("the password past the passkey budget: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestPasskeyReauthOnlyWayIn: an account with no password and no address
// a code can reach, but a passkey, is offered the passkey alone (words
// for it, no "nothing available"); without the passkey it is told
// nothing is available.
func TestPasskeyReauthOnlyWayIn(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("ned@example.com", passkeyPW)
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "Only")
	if _, err := h.db.NewRaw(`DELETE FROM password_credentials`).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(6 * time.Minute)
	p := h.get(c, pages.ReauthURL(pages.PasskeysPath))
	if strings.Contains(p.body, `data-testid="reauth-unavailable"`) || strings.Contains(p.body, `data-testid="reauth-password"`) ||
		!strings.Contains(p.body, `data-testid="reauth-passkey-intro"`) || !strings.Contains(p.body, `data-passkey="reauth"`) {
		t.Fatalf("confirm page of a passkey-only account: %s", p.body)
	}
	if _, r := h.passkeyReauth(c, k, pages.PasskeysPath); r.status != http.StatusOK || !strings.Contains(r.body, `"redirect":"`+pages.PasskeysPath+`"`) {
		t.Fatalf("confirming with the only passkey: %d %s", r.status, r.body)
	}
	if _, err := h.db.NewRaw(`DELETE FROM passkeys`).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(6 * time.Minute)
	if p := h.get(c, pages.ReauthPath); !strings.Contains(p.body, `data-testid="reauth-unavailable"`) || strings.Contains(p.body, "data-passkey") {
		t.Fatalf("confirm page with no way at all: %s", p.body)
	}
}
