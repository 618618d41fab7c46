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

const passkeyPW = "correct horse staple 1"

// TestPasskeyRegisterThenSignIn registers a passkey from the account's
// passkey paths, signs out, signs in with it (user verified: one step,
// both factors) and checks what was stored and audited.
func TestPasskeyRegisterThenSignIn(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("pia@example.com", passkeyPW)
	if r := h.get(c, "/account"); !strings.Contains(r.body, `href="/account/passkeys"`) {
		t.Fatalf("account page does not link the passkeys page: %s", r.body)
	}
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "  Work laptop  ")
	page := h.get(c, pages.PasskeysPath)
	if !strings.Contains(page.body, msg(messages.PasskeyAdded)) || !strings.Contains(page.body, ">Work laptop<") {
		t.Fatalf("passkeys page after adding: %d %s", page.status, page.body)
	}
	var row struct {
		Name         string
		SignCount    int64
		UserVerified bool
		Handle       []byte
	}
	if err := h.db.NewRaw(`SELECT p.name, p.sign_count, p.user_verified, w.handle FROM passkeys p JOIN webauthn_handles w USING (user_id)`).
		Scan(context.Background(), &row.Name, &row.SignCount, &row.UserVerified, &row.Handle); err != nil {
		t.Fatal(err)
	}
	if row.Name != "Work laptop" || !row.UserVerified || len(row.Handle) != 32 || string(row.Handle) != string(k.handle) {
		t.Fatalf("stored passkey %+v; the authenticator got handle %x", row, k.handle)
	}
	if strings.Contains(string(k.handle), "pia") {
		t.Fatal("the user handle carries the email")
	}
	if e := lastEvent(t, h, "passkey.add"); e.Outcome != "success" {
		t.Fatalf("passkey.add audited as %+v", e)
	}

	other := h.browser()
	r := h.passkeyLogin(other, k)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"redirect":"/account"`) {
		t.Fatalf("passkey sign-in: %d %s", r.status, r.body)
	}
	if r := h.get(other, "/account"); r.status != http.StatusOK || !strings.Contains(r.body, "pia@example.com") {
		t.Fatalf("after a passkey sign-in, /account: %d", r.status)
	}
	if e := lastEvent(t, h, "passkey.use"); e.Outcome != "success" || e.Detail["step"] != "first" {
		t.Fatalf("passkey.use audited as %+v", e)
	}
	if e := lastEvent(t, h, "login"); e.Detail["method"] != "passkey" || e.Detail["user_verified"] != "true" {
		t.Fatalf("login audited as %+v", e)
	}
	var count int64
	var used *time.Time
	if err := h.db.NewRaw(`SELECT sign_count, last_used_at FROM passkeys`).Scan(context.Background(), &count, &used); err != nil {
		t.Fatal(err)
	}
	if count != int64(k.count) || used == nil {
		t.Fatalf("after use: sign_count %d (authenticator at %d), last_used_at %v", count, k.count, used)
	}

	// Registering the same authenticator again is refused in writing.
	o := h.postJSON(c, pages.PasskeyRegisterOptionsPath, "{}")
	again := h.postJSON(c, pages.PasskeyRegisterPath, answerBody(k.create(o.body), `"name":"again"`))
	if again.status != http.StatusConflict || !strings.Contains(again.body, string(messages.PasskeyAlreadyRegistered)) {
		t.Fatalf("registering the same credential twice: %d %s", again.status, again.body)
	}
}

// TestPasskeyRegistrationNeedsFreshProof: adding a passkey is a sensitive
// change: past the window, the options path answers with the way to the
// re-authentication page and issues nothing.
func TestPasskeyRegistrationNeedsFreshProof(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("fay@example.com", passkeyPW)
	h.clock.Advance(6 * time.Minute)
	r := h.postJSON(c, pages.PasskeyRegisterOptionsPath, "{}")
	if r.status != http.StatusOK || !strings.Contains(r.body, `"redirect":"/account/confirm`) || strings.Contains(r.body, "challenge") {
		t.Fatalf("stale session asking for registration options: %d %s", r.status, r.body)
	}
	if g := h.get(c, pages.PasskeysPath); g.status != http.StatusSeeOther || !strings.HasPrefix(g.header.Get("Location"), "/account/confirm") {
		t.Fatalf("stale session opening the passkeys page: %d %q", g.status, g.header.Get("Location"))
	}
}

// TestPasskeyChallengeSingleUseAndBoundToSession replays an assertion
// (its challenge is spent), answers another browser's challenge, and
// answers without any challenge.
func TestPasskeyChallengeSingleUseAndBoundToSession(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("rey@example.com", passkeyPW)
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "Phone")

	a := h.browser()
	o := h.postJSON(a, pages.PasskeyLoginOptionsPath, "{}")
	cred := k.get(o.body)
	if r := h.postJSON(a, pages.PasskeyLoginPath, answerBody(cred, "")); r.status != http.StatusOK {
		t.Fatalf("first use: %d %s", r.status, r.body)
	}
	// The same answer again, from a fresh browser holding no challenge,
	// and from one holding a challenge of its own.
	b := h.browser()
	if r := h.postJSON(b, pages.PasskeyLoginPath, answerBody(cred, "")); r.status != http.StatusBadRequest || !strings.Contains(r.body, string(messages.PasskeyExpired)) {
		t.Fatalf("replay without a challenge: %d %s", r.status, r.body)
	}
	h.postJSON(b, pages.PasskeyLoginOptionsPath, "{}")
	if r := h.postJSON(b, pages.PasskeyLoginPath, answerBody(cred, "")); r.status != http.StatusUnauthorized || !strings.Contains(r.body, string(messages.PasskeyNotAccepted)) {
		t.Fatalf("replay against another challenge: %d %s", r.status, r.body)
	}
	// A challenge of browser d, answered from browser e.
	d, e := h.browser(), h.browser()
	od := h.postJSON(d, pages.PasskeyLoginOptionsPath, "{}")
	h.postJSON(e, pages.PasskeyLoginOptionsPath, "{}")
	if r := h.postJSON(e, pages.PasskeyLoginPath, answerBody(k.get(od.body), "")); r.status != http.StatusUnauthorized {
		t.Fatalf("an answer to another session's challenge: %d %s", r.status, r.body)
	}
	// A challenge answers once: d's, used now, fails too (spent by
	// nothing but its own first answer below), and the second try finds
	// none.
	if r := h.postJSON(d, pages.PasskeyLoginPath, answerBody(k.get(od.body), "")); r.status != http.StatusOK {
		t.Fatalf("d answering its own challenge: %d %s", r.status, r.body)
	}
	if r := h.postJSON(d, pages.PasskeyLoginPath, answerBody(k.get(od.body), "")); r.status != http.StatusBadRequest {
		t.Fatalf("d answering its spent challenge again: %d %s", r.status, r.body)
	}
	// A challenge older than its lifetime is void.
	f := h.browser()
	of := h.postJSON(f, pages.PasskeyLoginOptionsPath, "{}")
	h.clock.Advance(6 * time.Minute)
	if r := h.postJSON(f, pages.PasskeyLoginPath, answerBody(k.get(of.body), "")); r.status != http.StatusBadRequest {
		t.Fatalf("an expired challenge: %d %s", r.status, r.body)
	}
	if e := lastEvent(t, h, "passkey.use"); e.Outcome != "failure" || e.Detail["reason"] != "no_challenge" {
		t.Fatalf("last passkey.use %+v, want a no_challenge failure", e)
	}
}

// TestPasskeyClonedCounterRefused: an assertion whose signature counter is
// not above the stored one (a cloned authenticator) is refused and
// audited with reason "counter"; nothing is updated.
func TestPasskeyClonedCounterRefused(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("cleo@example.com", passkeyPW)
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "Key")
	if r := h.passkeyLogin(h.browser(), k); r.status != http.StatusOK {
		t.Fatalf("first sign-in: %d %s", r.status, r.body)
	}
	// The clone signs with an older counter than the original has used.
	if _, err := h.db.NewRaw(`UPDATE passkeys SET sign_count = 100`).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := h.passkeyLogin(h.browser(), k)
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, string(messages.PasskeyNotAccepted)) {
		t.Fatalf("stale counter: %d %s", r.status, r.body)
	}
	if e := lastEvent(t, h, "passkey.use"); e.Outcome != "failure" || e.Detail["reason"] != "counter" {
		t.Fatalf("passkey.use %+v, want a counter failure", e)
	}
	var count int64
	if err := h.db.NewRaw(`SELECT sign_count FROM passkeys`).Scan(context.Background(), &count); err != nil {
		t.Fatal(err)
	}
	if count != 100 {
		t.Fatalf("sign_count %d after a refused clone, want 100 kept", count)
	}
	// An authenticator without a counter (always 0) is not a clone.
	z := newSoftKey(t, h.linkOrigin)
	z.counter = false
	h.addPasskey(c, z, "No counter")
	for i := 0; i < 2; i++ {
		if r := h.passkeyLogin(h.browser(), z); r.status != http.StatusOK {
			t.Fatalf("counterless sign-in %d: %d %s", i, r.status, r.body)
		}
	}
}

// TestPasskeyFinishRefusesBadJSON: the finish paths take one strict JSON
// object: another content type, broken, duplicated, unknown or oversized
// input each gets its own written answer, and nothing is signed in.
func TestPasskeyFinishRefusesBadJSON(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("dee@example.com", passkeyPW)
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "Key")
	b := h.browser()
	o := h.postJSON(b, pages.PasskeyLoginOptionsPath, "{}")
	cred := string(k.get(o.body))
	big := `{"credential":` + cred + `,"name":"` + strings.Repeat("a", 20<<10) + `"}`
	cases := []struct {
		name, body, contentType string
		status                  int
		key                     messages.Key
	}{
		{"form post", "credential=x", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, messages.FormMalformed},
		{"broken", `{"credential":`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"two values", `{"credential":` + cred + `} {}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"duplicated key", `{"credential":` + cred + `,"credential":` + cred + `}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"duplicated nested key", `{"credential":` + strings.Replace(cred, `"type":"public-key"`, `"type":"public-key","type":"public-key"`, 1) + `}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"unknown field", `{"credential":` + cred + `,"admin":true}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"no credential", `{"remember":true}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"credential not an object", `{"credential":"x"}`, "application/json", http.StatusBadRequest, messages.FormMalformed},
		{"oversized", big, "application/json", http.StatusRequestEntityTooLarge, messages.FormTooLarge},
		{"hostile credential", `{"credential":{"id":"<script>","rawId":"%%%","type":"public-key","response":{}}}`, "application/json", http.StatusUnauthorized, messages.PasskeyNotAccepted},
	}
	for _, tc := range cases {
		r := h.postRaw(b, pages.PasskeyLoginPath, tc.body, "Content-Type", tc.contentType, "Accept", "application/json")
		if r.status != tc.status || !strings.Contains(r.body, `"error":"`+string(tc.key)+`"`) || strings.Contains(r.body, "<script>") {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.body, tc.status, tc.key)
		}
	}
	if r := h.get(b, "/account"); r.status != http.StatusSeeOther {
		t.Fatalf("after refused answers, /account: %d", r.status)
	}
	// Registration's name is bounded too.
	ro := h.postJSON(c, pages.PasskeyRegisterOptionsPath, "{}")
	r := h.postJSON(c, pages.PasskeyRegisterPath, answerBody(newSoftKey(t, h.linkOrigin).create(ro.body), `"name":"`+strings.Repeat("n", 65)+`"`))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, string(messages.PasskeyNameInvalid)) {
		t.Fatalf("a 65-character name: %d %s", r.status, r.body)
	}
	if r := h.postJSON(b, pages.PasskeyLoginOptionsPath, `{"x":1}`); r.status != http.StatusBadRequest {
		t.Fatalf("options with a body: %d %s", r.status, r.body)
	}
}

// TestPasskeyAsSecondFactor: a TOTP user who passed the password can use
// their passkey instead of a code; another user's passkey is refused.
func TestPasskeyAsSecondFactor(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true, twoFactor: true})
	const ann, bob = "ann@example.com", "bob@example.com"
	ca := h.signup(ann, passkeyPW)
	h.enrolTOTP(t, ca)
	ka := newSoftKey(t, h.linkOrigin)
	h.addPasskey(ca, ka, "Ann's key")
	cb := h.signup(bob, passkeyPW)
	kb := newSoftKey(t, h.linkOrigin)
	h.addPasskey(cb, kb, "Bob's key")

	c := h.firstFactor(t, ann, passkeyPW)
	page := h.get(c, pages.SecondFactorPath)
	if !strings.Contains(page.body, `data-passkey="second_factor"`) || !strings.Contains(page.body, "/static/js/passkey.") {
		t.Fatalf("second step does not offer the passkey: %s", page.body)
	}
	o := h.postJSON(c, pages.PasskeySecondOptionsPath, "{}")
	if opts := parseOptions(t, o.body); len(opts.PublicKey.AllowCredentials) != 1 || opts.PublicKey.AllowCredentials[0].ID != b64.EncodeToString(ka.id) {
		t.Fatalf("second-step options list %+v, want Ann's one passkey", opts.PublicKey.AllowCredentials)
	}
	r := h.postJSON(c, pages.PasskeySecondFactorFinish, answerBody(kb.get(o.body), ""))
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, string(messages.PasskeyNotAccepted)) {
		t.Fatalf("Bob's passkey on Ann's second step: %d %s", r.status, r.body)
	}
	if e := lastEvent(t, h, "passkey.use"); e.Detail["reason"] != "other_credential" || e.Detail["step"] != "second" {
		t.Fatalf("passkey.use %+v, want other_credential", e)
	}
	if g := h.get(c, "/account"); g.status != http.StatusSeeOther {
		t.Fatalf("signed in after a refused passkey: %d", g.status)
	}
	o = h.postJSON(c, pages.PasskeySecondOptionsPath, "{}")
	r = h.postJSON(c, pages.PasskeySecondFactorFinish, answerBody(ka.get(o.body), ""))
	if r.status != http.StatusOK || !strings.Contains(r.body, `"redirect":"/account"`) {
		t.Fatalf("Ann's passkey on her second step: %d %s", r.status, r.body)
	}
	if g := h.get(c, "/account"); g.status != http.StatusOK {
		t.Fatalf("after the passkey second step, /account: %d", g.status)
	}
	if e := lastEvent(t, h, "login"); e.Detail["method"] != "password" || e.Detail["second_factor"] != "passkey" {
		t.Fatalf("login audited as %+v", e)
	}

	// Without a pending sign-in there is no second step to begin.
	if r := h.postJSON(h.browser(), pages.PasskeySecondOptionsPath, "{}"); r.status != http.StatusBadRequest {
		t.Fatalf("second-step options with nothing pending: %d %s", r.status, r.body)
	}
}

// TestPasskeyUserVerificationDecidesTheSecondStep: with UV a passkey is
// both factors (a TOTP user is signed in at once); without UV it is one
// factor and the TOTP user goes on to the second step.
func TestPasskeyUserVerificationDecidesTheSecondStep(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true, twoFactor: true})
	c := h.signup("uma@example.com", passkeyPW)
	secret, _ := h.enrolTOTP(t, c)
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "Key")
	if r := h.passkeyLogin(h.browser(), k); !strings.Contains(r.body, `"redirect":"/account"`) {
		t.Fatalf("UV passkey of a TOTP user: %d %s", r.status, r.body)
	}
	k.noUV = true
	b := h.browser()
	r := h.passkeyLogin(b, k)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"redirect":"/login/verify"`) {
		t.Fatalf("passkey without UV for a TOTP user: %d %s", r.status, r.body)
	}
	if g := h.get(b, "/account"); g.status != http.StatusSeeOther {
		t.Fatalf("signed in with one factor: %d", g.status)
	}
	if e := lastEvent(t, h, "login"); e.Detail["user_verified"] != "false" {
		t.Fatalf("login audited as %+v", e)
	}
	// The same key, still without its PIN, is not the second factor too:
	// the step asks for the authenticator's code or a recovery code.
	if page := h.get(b, pages.SecondFactorPath); page.status != http.StatusOK || strings.Contains(page.body, `data-passkey="second_factor"`) {
		t.Fatalf("the second step after a passkey offers a passkey again: %d", page.status)
	}
	if o := h.postJSON(b, pages.PasskeySecondOptionsPath, "{}"); o.status != http.StatusBadRequest || !strings.Contains(o.body, string(messages.PasskeyNotTwice)) {
		t.Fatalf("second-step passkey options after a passkey: %d %s", o.status, o.body)
	}
	// Options begun in a password sign-in's second step, answered in this
	// one, are refused all the same.
	pw := h.firstFactor(t, "uma@example.com", passkeyPW)
	o := h.postJSON(pw, pages.PasskeySecondOptionsPath, "{}")
	if o.status != http.StatusOK {
		t.Fatalf("second-step passkey options after a password: %d %s", o.status, o.body)
	}
	if r := h.postJSON(b, pages.PasskeySecondFactorFinish, answerBody(k.get(o.body), "")); r.status != http.StatusBadRequest || !strings.Contains(r.body, string(messages.PasskeyNotTwice)) {
		t.Fatalf("a passkey as the second step after a passkey: %d %s", r.status, r.body)
	}
	if g := h.get(b, "/account"); g.status != http.StatusSeeOther {
		t.Fatalf("signed in with the same passkey twice: %d", g.status)
	}
	h.clock.Advance(30 * time.Second) // past the step enrolment used
	if r := h.post(b, pages.SecondFactorPath, url.Values{pages.CodeFieldName: {h.totp(secret, 0)}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("the authenticator's code after a passkey: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestPasskeyRemoveKeepsAWayIn: without a verified identity (no email
// delivery: the address is unverified), the one passkey is the last way
// in and cannot be removed; with a second passkey, one can.
func TestPasskeyRemoveKeepsAWayIn(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("lee@example.com", passkeyPW)
	k1, k2 := newSoftKey(t, h.linkOrigin), newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k1, "First")
	id1 := passkeyIDs(t, h)[0]
	r := h.post(c, pages.PasskeyRemovePath, url.Values{pages.PasskeyIDField: {id1}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.PasskeyLastWayIn)) {
		t.Fatalf("removing the last way in: %d %s", r.status, r.body)
	}
	if e := lastEvent(t, h, "passkey.remove"); e.Outcome != "failure" || e.Detail["reason"] != "last_way_in" {
		t.Fatalf("passkey.remove %+v", e)
	}
	h.addPasskey(c, k2, "Second")
	r = h.post(c, pages.PasskeyRenamePath, url.Values{pages.PasskeyIDField: {id1}, pages.PasskeyNameField: {"Old one"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", r.status, r.body)
	}
	r = h.post(c, pages.PasskeyRemovePath, url.Values{pages.PasskeyIDField: {id1}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("removing one of two: %d %s", r.status, r.body)
	}
	if ids := passkeyIDs(t, h); len(ids) != 1 || ids[0] == id1 {
		t.Fatalf("passkeys left %v", ids)
	}
	if r := h.passkeyLogin(h.browser(), k1); r.status != http.StatusUnauthorized {
		t.Fatalf("a removed passkey signing in: %d %s", r.status, r.body)
	}
	// Another user's passkey id is not found, and a malformed one is refused.
	other := h.signup("max@example.com", passkeyPW)
	if r := h.post(other, pages.PasskeyRemovePath, url.Values{pages.PasskeyIDField: {passkeyIDs(t, h)[0]}}); r.status != http.StatusNotFound {
		t.Fatalf("removing another user's passkey: %d", r.status)
	}
	if r := h.post(other, pages.PasskeyRenamePath, url.Values{pages.PasskeyIDField: {"not-a-uuid"}, pages.PasskeyNameField: {"x"}}); r.status != http.StatusBadRequest {
		t.Fatalf("renaming a malformed id: %d", r.status)
	}
	if e := lastEvent(t, h, "passkey.remove"); e.Outcome != "failure" || e.Detail["reason"] != "not_found" {
		t.Fatalf("removing another user's passkey audited as %+v", e)
	}
	for _, name := range []string{"passkey.add", "passkey.rename", "passkey.remove"} {
		found := false
		for _, e := range h.events(t) {
			found = found || (e.Event == name && e.Outcome == "success")
		}
		if !found {
			t.Fatalf("no successful %s audited", name)
		}
	}
	// With a passkey, the (unverified) email is no longer needed as a way in.
	acct := h.get(c, "/account")
	if !strings.Contains(acct.body, `data-testid="account-passkeys"`) {
		t.Fatalf("account page lacks the passkeys line")
	}
}

func passkeyIDs(t *testing.T, h *harness) []string {
	t.Helper()
	var ids []string
	if err := h.db.NewRaw(`SELECT id::text FROM passkeys ORDER BY created_at`).Scan(context.Background(), &ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestPasskeyGuardRefuses: assertions that fail to verify are counted
// under the passkey policy before any check; past the account budget the
// answer is a 429 with Retry-After, audited, and even a good assertion
// waits.
func TestPasskeyGuardRefuses(t *testing.T) {
	t.Parallel()
	policies := guard.DefaultPolicies()
	if err := policies.Override(guard.Passkey, guard.ScopeAccount, "3/15m"); err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, harnessOptions{passkeys: true, policies: policies})
	c := h.signup("gus@example.com", passkeyPW)
	k := newSoftKey(t, h.linkOrigin)
	h.addPasskey(c, k, "Key")
	forger := newSoftKey(t, h.linkOrigin) // another key claiming k's credential
	forger.id, forger.handle = k.id, k.handle
	b := h.browser()
	var last reply
	for i := 0; i < 4; i++ {
		last = h.passkeyLogin(b, forger)
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" || !strings.Contains(last.body, string(messages.PasskeyThrottled)) {
		t.Fatalf("fourth forged assertion: %d Retry-After %q %s", last.status, last.header.Get("Retry-After"), last.body)
	}
	if e := lastEvent(t, h, "passkey.use"); e.Detail["reason"] != "throttled" {
		t.Fatalf("passkey.use %+v, want throttled", e)
	}
	if r := h.passkeyLogin(b, k); r.status != http.StatusTooManyRequests {
		t.Fatalf("good assertion from a stranger past the budget: %d", r.status)
	}
	failures := 0
	for _, e := range h.events(t) {
		if e.Event == "passkey.use" && e.Detail["reason"] == "invalid" {
			failures++
		}
	}
	if failures != 3 {
		t.Fatalf("%d invalid assertions audited, want 3", failures)
	}
}

// TestPasskeyOptionsBounded: the options paths write session state, so
// they spend the passkey_challenge budget; past it, 429.
func TestPasskeyOptionsBounded(t *testing.T) {
	t.Parallel()
	policies := guard.DefaultPolicies()
	if err := policies.Override(guard.PasskeyChallenge, guard.ScopeIP, "2/1h"); err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, harnessOptions{passkeys: true, policies: policies})
	var r reply
	for i := 0; i < 3; i++ {
		r = h.postJSON(h.browser(), pages.PasskeyLoginOptionsPath, "{}")
	}
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("third challenge from one address: %d %s", r.status, r.body)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || body["error"] != string(messages.PasskeyThrottled) {
		t.Fatalf("refusal body %s", r.body)
	}
}

// TestPasskeyLoginPageMarkup: the login page offers the passkey
// only to script (hidden until passkey.js shows it), says in <noscript>
// that a passkey needs JavaScript, and marks the identifier for autofill.
func TestPasskeyLoginPageMarkup(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	r := h.get(h.browser(), "/login")
	for _, want := range []string{`autocomplete="username webauthn"`, `data-passkey="login"`, `data-passkey-conditional="true"`, "<noscript>",
		msg(messages.PasskeyNeedsJavaScript), `action="/login"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	if !strings.Contains(r.body, `id="passkey-login" class="passkey" hidden`) {
		t.Errorf("the passkey control is not hidden for browsers without script")
	}
	plain := newHarness(t)
	if r := plain.get(plain.browser(), "/login"); strings.Contains(r.body, "webauthn") || strings.Contains(r.body, "data-passkey") {
		t.Errorf("without passkeys, the login page mentions them")
	}
}

// TestPasskeyHeldAfterReset: within the hold after a password reset no
// passkey may be added (a reset cannot plant a lasting way in).
func TestPasskeyHeldAfterReset(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	c := h.signup("hal@example.com", passkeyPW)
	if _, err := h.db.NewRaw(`UPDATE users SET password_reset_at = ?`, h.clock.Now().UTC()).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := h.postJSON(c, pages.PasskeyRegisterOptionsPath, "{}")
	if r.status != http.StatusForbidden || !strings.Contains(r.body, string(messages.ChangeHeldAfterReset)) {
		t.Fatalf("registration options after a reset: %d %s", r.status, r.body)
	}
	if e := lastEvent(t, h, "passkey.add"); e.Outcome != "failure" || e.Detail["reason"] != "held_after_reset" {
		t.Fatalf("passkey.add %+v", e)
	}
}

// TestPasskeyAddedNotice: adding a passkey emails the account holder
// through the outbox, naming the passkey; and with a verified address the
// one passkey may be removed.
func TestPasskeyAddedNotice(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{passkeys: true, codes: true})
	const addr = "nia@example.com"
	c := h.signup(addr, passkeyPW)
	h.addPasskey(c, newSoftKey(t, h.linkOrigin), "Desk key")
	m := h.awaitMail(t, addr, "passkey_added")
	if !strings.Contains(m.Subject, "passkey was added") || !strings.Contains(m.Text, `"Desk key"`) {
		t.Fatalf("notice %q: %s", m.Subject, m.Text)
	}
	id := passkeyIDs(t, h)[0]
	if r := h.post(c, pages.PasskeyRemovePath, url.Values{pages.PasskeyIDField: {id}}); r.status != http.StatusSeeOther {
		t.Fatalf("removing the passkey of an account with a verified address: %d %s", r.status, r.body)
	}
}
