package web_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/otp"
)

// addAuthenticator gives the tab a virtual platform authenticator (CTAP2,
// internal, resident keys, user verification that succeeds, presence
// given automatically), as a phone or laptop with a screen lock is.
func (b *browser) addAuthenticator() webauthn.AuthenticatorID {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		b.t.Fatalf("enable WebAuthn: %v", err)
	}
	res, err := chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true,
		}})
	if err != nil {
		b.t.Fatalf("add a virtual authenticator: %v", err)
	}
	return res.AuthenticatorID
}

// blockAutofill makes the tab's pages report that passkey autofill
// (conditional mediation) is unavailable, so the virtual authenticator,
// which answers a conditional request at once, leaves the page to the
// test; it returns the way to lift the block for the next documents.
func (b *browser) blockAutofill() func() {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `if (window.PublicKeyCredential) { PublicKeyCredential.isConditionalMediationAvailable = async () => false; }`})
	if err != nil {
		b.t.Fatalf("block passkey autofill: %v", err)
	}
	return func() {
		if _, err := chromedp.Call(b.ctx, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: res.Identifier}); err != nil {
			b.t.Fatalf("unblock passkey autofill: %v", err)
		}
	}
}

// waitLocation waits for the tab to reach path, across the navigations
// on the way (a poll cut off by one starts again).
func (b *browser) waitLocation(step, path string) {
	b.t.Helper()
	deadline := time.Now().Add(stepLimit)
	for {
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("location.pathname"))
		if err == nil && got == path {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: page is %q (%v), want %s", step, got, err, path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// credentials lists the passkeys the virtual authenticator holds.
func (b *browser) credentials(id webauthn.AuthenticatorID) []*webauthn.Credential {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
	if err != nil {
		b.t.Fatalf("read the authenticator's credentials: %v", err)
	}
	return res.Credentials
}

// wantNoAxeViolations runs axe-core (LATCH_AXE_JS, as TestBrowserProofOfWork
// does) on the page and fails on any WCAG 2.2 AA or best-practice
// violation.
func (b *browser) wantNoAxeViolations(what string) {
	b.t.Helper()
	path := os.Getenv("LATCH_AXE_JS")
	if path == "" {
		b.t.Logf("LATCH_AXE_JS not set: axe not run on %s", what)
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		b.t.Fatal(err)
	}
	b.do("load axe", chromedp.Evaluate[chromedp.Void](string(src)))
	violations := run(b, "run axe on "+what, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa", "best-practice"]}})
		.then(r => r.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", ")))`, chromedp.EvalAwaitPromise))
	if len(violations) > 0 {
		b.t.Errorf("axe violations on %s: %s", what, strings.Join(violations, "; "))
	}
}

// addPasskeyInBrowser opens the passkeys page from the account page and
// adds a passkey named name with the tab's authenticator.
func (b *browser) addPasskeyInBrowser(name string) {
	b.t.Helper()
	b.open("/account")
	b.navigateBy("open passkeys", click(`[data-testid="account-passkeys-link"]`))
	b.wantLocation(pages.PasskeysPath)
	b.waitFor("passkey control shown", `!document.getElementById("passkey-add").hidden`)
	b.navigateBy("add a passkey", chromedp.Steps(typeInto("passkey-new-name", name), click(`[data-testid="passkey-add-start"]`)))
	b.wantLocation(pages.PasskeysPath)
	b.wantText(`[data-testid="passkeys-notice"]`, messages.Text(messages.PasskeyAdded))
	b.wantText(`[data-testid="passkeys-list"]`, name)
}

// TestBrowserPasskeySignIn registers a passkey from the account page (the
// sign-up is the fresh proof), signs out, signs in with the passkey
// button, then through the login field's autofill (conditional
// mediation), and finds the one passkey of an account without a verified
// address cannot be removed. Axe checks the passkeys and login pages.
func TestBrowserPasskeySignIn(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	h := newHarnessWith(t, harnessOptions{passkeys: true, wallClock: true})
	b := newBrowser(t, chromium, h, true)
	auth := b.addAuthenticator()
	b.signUpInBrowser(journeyEmail, journeyPassword, true)
	b.wantText(`[data-testid="account-passkeys"]`, messages.Text(messages.AccountPasskeysNone))
	// The sign-up's proof of identity is too old now: adding a way in asks
	// for a fresh one first.
	h.clock.Advance(6 * time.Minute)
	b.navigateBy("open passkeys", click(`[data-testid="account-passkeys-link"]`))
	b.wantLocation(pages.ReauthURL(pages.PasskeysPath))
	b.waitPageScripts()
	b.navigateBy("confirm with the password", chromedp.Steps(typeInto("reauth-password", journeyPassword), click(`[data-testid="reauth-submit"]`)))
	b.wantLocation(pages.PasskeysPath)
	b.addPasskeyInBrowser("Test laptop")
	if creds := b.credentials(auth); len(creds) != 1 || !creds[0].IsResidentCredential {
		t.Fatalf("authenticator holds %d credentials, want one discoverable", len(creds))
	}
	b.wantNoAxeViolations("the passkeys page")

	// The only way in of an account whose address is unverified.
	b.navigateBy("remove the only passkey", click(`[data-testid="passkey-remove"]`))
	b.wantText(`[data-testid="passkeys-error"]`, messages.Text(messages.PasskeyLastWayIn))
	b.wantText(`[data-testid="passkeys-list"]`, "Test laptop")

	b.navigateBy("log out", click(`[data-testid="logout"]`))
	unblock := b.blockAutofill()
	b.open("/login")
	b.waitFor("passkey button shown", `!document.getElementById("passkey-login").hidden`)
	b.wantNoAxeViolations("the login page")
	if got := run(b, "autocomplete tokens", chromedp.Evaluate[string](`document.getElementById("login-email").getAttribute("autocomplete")`)); got != "username webauthn" {
		t.Fatalf("login field autocomplete %q", got)
	}
	if run(b, "autofill not started", chromedp.Evaluate[bool](`document.getElementById("passkey-login").dataset.passkeyConditionalStarted === "true"`)) {
		t.Fatal("autofill started though blocked")
	}
	b.navigateBy("sign in with a passkey", click(`[data-testid="passkey-login-start"]`))
	b.wantLocation("/account")
	b.wantText(`[data-testid="account-passkeys"]`, "1")
	if e := lastEvent(t, h, "login"); e.Detail["method"] != "passkey" || e.Detail["user_verified"] != "true" {
		t.Fatalf("login audited as %+v", e)
	}

	// Autofill: the page starts a conditional request on load; Chromium's
	// virtual authenticator answers it with the one discoverable passkey,
	// as a person picking it from the login field's suggestions would.
	b.navigateBy("log out", click(`[data-testid="logout"]`))
	unblock()
	b.open("/login")
	b.waitLocation("signed in by autofill", "/account")
	if e := lastEvent(t, h, "passkey.use"); e.Outcome != "success" {
		t.Fatalf("passkey.use audited as %+v", e)
	}
	b.wantCleanConsole()
}

// TestBrowserPasskeySecondFactor: a user with an authenticator app signs
// in with the password, then uses a passkey instead of a code; with a
// verified address the passkey can be removed.
func TestBrowserPasskeySecondFactor(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	h := newHarnessWith(t, harnessOptions{passkeys: true, twoFactor: true, codes: true, wallClock: true})
	b := newBrowser(t, chromium, h, true)
	b.addAuthenticator()
	b.signUpInBrowser(journeyEmail, journeyPassword, true)
	b.addPasskeyInBrowser("Phone")

	// Two-step verification on, as a person would turn it on.
	b.open("/account/2fa")
	b.waitPageScripts()
	secret, err := otp.DecodeTOTPSecret(b.text(`[data-testid="totp-secret"]`))
	if err != nil {
		t.Fatalf("the key on the page does not decode: %v", err)
	}
	b.do("confirm the app's code", typeInto("totp-confirm-code", h.totp(secret, 0)), click(`[data-testid="totp-confirm-submit"]`))
	b.waitFor("recovery codes shown", `document.querySelectorAll('[data-testid="recovery-code"]').length === 10`)

	b.navigateBy("log out", click(`[data-testid="logout"]`))
	b.blockAutofill() // the login page's autofill would sign in with the passkey alone (UV)
	b.logInFirstFactor(true)
	b.waitFor("passkey offered", `!document.getElementById("passkey-second").hidden`)
	b.wantNoAxeViolations("the second step")
	b.navigateBy("use the passkey", click(`[data-testid="passkey-second-start"]`))
	b.wantLocation("/account")
	if e := lastEvent(t, h, "login"); e.Detail["method"] != "password" || e.Detail["second_factor"] != "passkey" {
		t.Fatalf("login audited as %+v", e)
	}

	// The address is verified: the passkey is not the last way in.
	b.open(pages.PasskeysPath)
	if b.location() != pages.PasskeysPath {
		// The sign-in was the fresh proof; a slow machine may still land
		// on the confirm page: prove it with the password.
		b.navigateBy("confirm", chromedp.Steps(typeInto("reauth-password", journeyPassword), click(`[data-testid="reauth-submit"]`)))
	}
	b.navigateBy("remove the passkey", click(`[data-testid="passkey-remove"]`))
	b.wantText(`[data-testid="passkeys-notice"]`, messages.Text(messages.PasskeyRemoved))
	b.wantText(`[data-testid="passkeys-empty"]`, messages.Text(messages.PasskeysEmpty))
	b.wantCleanConsole()
}

// TestBrowserPasskeyWithoutJavaScript: without script the passkey control
// stays hidden and the password form signs in as before.
func TestBrowserPasskeyWithoutJavaScript(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	h := newHarnessWith(t, harnessOptions{passkeys: true})
	h.signup(journeyEmail, journeyPassword)
	b := newBrowser(t, chromium, h, false)
	b.open("/login")
	visible := run(b, "is the passkey button shown", chromedp.Evaluate[bool](`(() => { const e = document.getElementById("passkey-login-start"); return !!(e && e.offsetParent); })()`))
	if visible {
		t.Fatal("the passkey button shows without JavaScript")
	}
	b.logIn(journeyEmail, journeyPassword)
	b.wantLocation("/account")
}

// TestBrowserPasskeyAlreadyRegisteredAndCancelled: adding a second
// passkey from the same authenticator is refused by the browser (the
// account's passkeys are excluded) and the page says so; a prompt the
// person does not answer (no user presence) ends with the cancelled
// message and changes nothing; a browser without WebAuthn is told so.
func TestBrowserPasskeyAlreadyRegisteredAndCancelled(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t)
	h := newHarnessWith(t, harnessOptions{passkeys: true, wallClock: true})
	b := newBrowser(t, chromium, h, true)
	id := b.addAuthenticator()
	b.signUpInBrowser(journeyEmail, journeyPassword, true)
	b.addPasskeyInBrowser("First")
	b.do("add the same authenticator again", typeInto("passkey-new-name", "Again"), click(`[data-testid="passkey-add-start"]`))
	b.waitFor("already registered said", `document.querySelector('[data-testid="passkey-add-error"]').textContent === `+jsString(messages.Text(messages.PasskeyAlreadyRegistered)))
	if n := len(b.credentials(id)); n != 1 {
		t.Fatalf("authenticator holds %d credentials", n)
	}

	// A person who dismisses the prompt: with presence off the virtual
	// authenticator never answers, and the test ends the pending request
	// (AbortError; a dismissed browser prompt gives NotAllowedError, which
	// passkey.js words the same).
	if _, err := chromedp.Call(b.ctx, webauthn.SetAutomaticPresenceSimulation, webauthn.SetAutomaticPresenceSimulationParams{AuthenticatorID: id, Enabled: false}); err != nil {
		t.Fatal(err)
	}
	b.do("start a request and cancel it", chromedp.Evaluate[chromedp.Void](`(() => {
		const ac = new AbortController();
		const orig = navigator.credentials.create.bind(navigator.credentials);
		navigator.credentials.create = (o) => { setTimeout(() => ac.abort(), 300); return orig({ ...o, signal: ac.signal }); };
	})()`))
	b.do("add a passkey, then cancel", typeInto("passkey-new-name", "Never"), click(`[data-testid="passkey-add-start"]`))
	b.waitFor("cancelled said", `document.querySelector('[data-testid="passkey-add-error"]').textContent === `+jsString(messages.Text(messages.PasskeyCancelled)))
	if n := len(passkeyIDs(t, h)); n != 1 {
		t.Fatalf("%d passkeys stored", n)
	}
	b.wantCleanConsole()

	// A browser without WebAuthn: the login page says so, offers no
	// button, and the password form works.
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `delete window.PublicKeyCredential;`}); err != nil {
		t.Fatal(err)
	}
	b.navigateBy("log out", click(`[data-testid="logout"]`))
	b.open("/login")
	b.waitFor("unsupported said", `document.querySelector('[data-testid="passkey-login-error"]').textContent === `+jsString(messages.Text(messages.PasskeyUnsupported)))
	if run(b, "is the passkey button shown", chromedp.Evaluate[bool](`!!document.getElementById("passkey-login-start").offsetParent`)) {
		t.Fatal("a passkey button is offered by a browser without WebAuthn")
	}
	b.logIn(journeyEmail, journeyPassword)
}
