package web_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

const uaCLI = "latch-cli/1.4 (+https://example.com/cli)"

// apiLogin is a password grant for an existing account from a client with
// the user agent, failing the test unless it succeeds.
func (h *harness) apiLogin(email, pw, ua string) tokenReply {
	h.t.Helper()
	r := h.api(http.MethodPost, "/api/v1/token", formType,
		url.Values{"grant_type": {"password"}, "username": {email}, "password": {pw}}.Encode(), "User-Agent", ua)
	if r.status != http.StatusOK || r.AccessToken == "" || r.RefreshToken == "" {
		h.t.Fatalf("password grant for %s: %d %s", email, r.status, r.body)
	}
	return r
}

// apiClient is one entry of the rendered list of API clients.
type apiClient struct {
	label, agent, ip, lastRefresh, publicID string
}

// apiClients reads the devices page's API clients by data-testid.
func apiClients(t testing.TB, body string) []apiClient {
	t.Helper()
	doc, err := xhtml.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []apiClient
	for _, li := range findAllNodes(doc, byTestID("api-client")) {
		var c apiClient
		for testid, dst := range map[string]*string{"api-client-name": &c.label, "api-client-agent": &c.agent, "api-client-ip": &c.ip, "api-client-last-refresh": &c.lastRefresh} {
			if n := findNode(li, byTestID(testid)); n != nil {
				*dst = nodeText(n)
			}
		}
		if in := findNode(li, func(n *xhtml.Node) bool { return n.Data == "input" && attrOf(n, "name") == pages.APIClientField }); in != nil {
			c.publicID = attrOf(in, "value")
		}
		out = append(out, c)
	}
	return out
}

func apiClientLabeled(t testing.TB, list []apiClient, label string) apiClient {
	t.Helper()
	for _, c := range list {
		if c.label == label {
			if c.publicID == "" {
				t.Fatalf("%s has no sign-out form", label)
			}
			return c
		}
	}
	t.Fatalf("no API client %q in %+v", label, list)
	return apiClient{}
}

// alive reports whether a grant's access token still works on /api/v1/me
// and its refresh token still refreshes; it fails the test when the two
// disagree. A refresh rotates the token, so call it once per grant.
func (h *harness) alive(g tokenReply) bool {
	h.t.Helper()
	me := h.me(g.AccessToken)
	switch me.status {
	case http.StatusOK:
	case http.StatusUnauthorized:
		if me.Error != "invalid_token" {
			h.t.Fatalf("refused access token: %s", me.body)
		}
	default:
		h.t.Fatalf("/api/v1/me: %d %s", me.status, me.body)
	}
	rt := h.refresh(g.RefreshToken)
	if (me.status == http.StatusOK) != (rt.status == http.StatusOK) {
		h.t.Fatalf("access token %d but refresh %d %s", me.status, rt.status, rt.body)
	}
	return me.status == http.StatusOK
}

func TestDevicesPageListsAPIClientsAndSignsOneOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signupOn(uaFirefoxWindows, "ada@example.com")
	phoneApp := h.apiLogin("ada@example.com", devicesPassword, uaChromeAndroid)
	cli := h.apiLogin("ada@example.com", devicesPassword, uaCLI)
	h.signupOn(uaFirefoxWindows, "bob@example.com")
	bobApp := h.apiLogin("bob@example.com", devicesPassword, uaSafariIPhone)

	r, sessions := h.devices(laptop)
	if len(sessions) != 1 || !sessions[0].current {
		t.Fatalf("API clients listed as browser sessions: %+v", sessions)
	}
	list := apiClients(t, r.body)
	if len(list) != 2 {
		t.Fatalf("listed %d API clients, want Ada's 2: %+v", len(list), list)
	}
	phone := apiClientLabeled(t, list, "Chrome on Android")
	unknown := messages.Fill(messages.DeviceLabel, "{browser}", messages.Text(messages.DeviceUnknownBrowser), "{os}", messages.Text(messages.DeviceUnknownOS))
	if c := apiClientLabeled(t, list, unknown); c.agent != uaCLI {
		t.Fatalf("the CLI's user agent reads %q", c.agent)
	}
	if phone.ip != "127.0.0.1" || phone.lastRefresh != messages.Text(messages.APIClientNeverRefreshed) || phone.agent != uaChromeAndroid {
		t.Fatalf("phone app = %+v", phone)
	}
	body := html.UnescapeString(r.body)
	for _, testid := range []string{"api-client-sign-out", "devices-sign-out-api-clients", "devices-sign-out-others"} {
		if !strings.Contains(body, `data-testid="`+testid+`"`) {
			t.Errorf("page lacks %s", testid)
		}
	}
	if strings.Contains(body, "Safari on iOS") {
		t.Fatal("Bob's API client is on Ada's page")
	}
	// Neither token, a hash of the refresh token, nor the family id (the
	// access token's sid) is in the page.
	for _, g := range []tokenReply{phoneApp, cli} {
		raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(g.RefreshToken, "latch_rt_"))
		sum := sha256.Sum256(raw)
		_, claims := decodeJWT(t, g.AccessToken)
		for _, leak := range []string{g.AccessToken, g.RefreshToken, strings.TrimPrefix(g.RefreshToken, "latch_rt_"),
			hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:]), base64.RawURLEncoding.EncodeToString(sum[:]),
			claims["sid"].(string)} {
			if strings.Contains(r.body, leak) {
				t.Fatalf("the devices page shows a token, its hash or its family id: %q", leak)
			}
		}
	}

	// A refresh shows as the last one.
	h.clock.Advance(time.Minute)
	cliNext := h.refresh(cli.RefreshToken)
	if cliNext.status != http.StatusOK {
		t.Fatalf("refresh: %d %s", cliNext.status, cliNext.body)
	}
	_, list = h.devicesWithClients(laptop)
	if c := apiClientLabeled(t, list, unknown); c.lastRefresh != humanUTC(h.clock.Now()) {
		t.Fatalf("last refresh reads %q, want %q", c.lastRefresh, humanUTC(h.clock.Now()))
	}

	// Signing out the phone app ends its tokens at once, and nothing else.
	out := h.post(laptop, pages.APIClientSignOutPath, url.Values{pages.APIClientField: {phone.publicID}})
	if out.status != http.StatusSeeOther || out.header.Get("Location") != "/account/devices?done=api_client" {
		t.Fatalf("sign out API client: %d %q %s", out.status, out.header.Get("Location"), out.body)
	}
	if h.alive(phoneApp) {
		t.Fatal("the signed-out app's tokens still work")
	}
	if !h.alive(cliNext) || !h.alive(bobApp) || !h.signedIn(laptop) {
		t.Fatal("signing out one app ended another client")
	}
	page := h.get(laptop, out.header.Get("Location"))
	if list := apiClients(t, page.body); len(list) != 1 || list[0].label != unknown {
		t.Fatalf("API clients after the sign-out: %+v", list)
	}
	if !strings.Contains(html.UnescapeString(page.body), messages.Text(messages.APIClientSignedOut)) {
		t.Error("no notice after the sign-out")
	}
	var audited bool
	for _, e := range revokeEvents(t, h) {
		audited = audited || (e.Outcome == "success" && e.Detail["scope"] == "one" && e.Detail["kind"] == "api_client" &&
			e.Detail["browser"] == "Chrome" && e.Detail["os"] == "Android" && e.Detail["family"] == decodeSID(t, phoneApp))
	}
	if !audited {
		t.Fatalf("the API client's sign-out was not audited: %+v", revokeEvents(t, h))
	}

	// Again, or someone else's: refused alike, nothing changes.
	_, bobList := h.devicesWithClients(h.loginOn(uaFirefoxWindows, "bob@example.com"))
	bobs := apiClientLabeled(t, bobList, "Safari on iOS")
	for _, id := range []string{phone.publicID, bobs.publicID} {
		r := h.post(laptop, pages.APIClientSignOutPath, url.Values{pages.APIClientField: {id}})
		if r.status != http.StatusNotFound || !strings.Contains(html.UnescapeString(r.body), messages.Text(messages.APIClientNotFound)) {
			t.Fatalf("refused sign-out: %d", r.status)
		}
		if strings.Contains(r.body, "Safari on iOS") {
			t.Fatal("the refusal shows another user's app")
		}
	}
	if r := h.me(bobApp.AccessToken); r.status != http.StatusOK {
		t.Fatalf("a refused sign-out ended Bob's app: %d", r.status)
	}
	// Malformed ids are refused before the store is asked.
	for _, bad := range []string{"", "not-a-public-id", phoneApp.RefreshToken} {
		if r := h.post(laptop, pages.APIClientSignOutPath, url.Values{pages.APIClientField: {bad}}); r.status != http.StatusBadRequest {
			t.Errorf("public id %q: %d, want 400", bad, r.status)
		}
	}
}

// devicesWithClients loads the devices page and reads its API clients.
func (h *harness) devicesWithClients(c *http.Client) (reply, []apiClient) {
	h.t.Helper()
	r, _ := h.devices(c)
	return r, apiClients(h.t, r.body)
}

func humanUTC(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }

func decodeSID(t *testing.T, g tokenReply) string {
	t.Helper()
	_, claims := decodeJWT(t, g.AccessToken)
	return claims["sid"].(string)
}

func TestDevicesSignOutEverywhereRevokesAPIClients(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signupOn(uaFirefoxWindows, "ada@example.com")
	apps := []tokenReply{h.apiLogin("ada@example.com", devicesPassword, uaChromeAndroid), h.apiLogin("ada@example.com", devicesPassword, uaCLI)}
	h.signupOn(uaFirefoxWindows, "bob@example.com")
	bobApp := h.apiLogin("bob@example.com", devicesPassword, uaSafariIPhone)
	for _, g := range apps {
		if r := h.me(g.AccessToken); r.status != http.StatusOK {
			t.Fatalf("control: the access token must work before: %d", r.status)
		}
	}

	r := h.post(laptop, pages.DevicesSignOutAllPath, url.Values{})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?from=everywhere" {
		t.Fatalf("sign out everywhere: %d %q", r.status, r.header.Get("Location"))
	}
	for i, g := range apps {
		if me := h.me(g.AccessToken); me.status != http.StatusUnauthorized || me.Error != "invalid_token" {
			t.Fatalf("app %d: its access token still works on /api/v1/me: %d %s", i, me.status, me.body)
		}
		if rt := h.refresh(g.RefreshToken); rt.status != http.StatusBadRequest || rt.Error != "invalid_grant" {
			t.Fatalf("app %d: its refresh token still works: %d %s", i, rt.status, rt.body)
		}
	}
	if !h.alive(bobApp) {
		t.Fatal("another user's app was signed out")
	}
	evs := revokeEvents(t, h)
	if len(evs) != 1 || evs[0].Detail["scope"] != "all" || evs[0].Detail["api_clients"] != "2" || evs[0].Detail["count"] != "1" {
		t.Fatalf("revocation audit = %+v", evs)
	}
	var reasons []string
	if err := h.db.NewRaw("SELECT revoke_reason FROM token_families WHERE kind = 'refresh' AND revoked_at IS NOT NULL ORDER BY 1").
		Scan(t.Context(), &reasons); err != nil {
		t.Fatal(err)
	}
	if len(reasons) != 2 || reasons[0] != "signed_out_all" {
		t.Fatalf("revoked families: %v", reasons)
	}
}

func TestDevicesSignOutOthersAsksAboutAPIClients(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signupOn(uaFirefoxWindows, "ada@example.com")
	phone := h.loginOn(uaSafariIPhone, "ada@example.com")
	app := h.apiLogin("ada@example.com", devicesPassword, uaChromeAndroid)

	// The box is offered, ticked, with a written label.
	r, _ := h.devices(laptop)
	doc, err := xhtml.Parse(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	box := findNode(doc, byTestID("devices-sign-out-api-clients"))
	if box == nil || attrOf(box, "type") != "checkbox" || attrOf(box, "name") != pages.SignOutAPIClientsField || !hasAttr(box, "checked") {
		t.Fatalf("no ticked box to sign out API clients:\n%s", r.body)
	}
	label := findNode(doc, func(n *xhtml.Node) bool { return n.Data == "label" && attrOf(n, "for") == attrOf(box, "id") })
	if label == nil || !strings.Contains(nodeText(label), messages.Text(messages.DevicesSignOutAPIClients)) {
		t.Fatal("the box has no written label")
	}

	// Unticked: the other sessions end, the app stays.
	if r := h.post(laptop, pages.DevicesSignOutOthersPath, url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("sign out others: %d", r.status)
	}
	if h.signedIn(phone) {
		t.Fatal("the other session is still signed in")
	}
	if r := h.me(app.AccessToken); r.status != http.StatusOK {
		t.Fatalf("unticked, the app was signed out too: %d", r.status)
	}
	// Ticked (over Datastar, as the page sends it): the app ends too.
	r = h.post(laptop, pages.DevicesSignOutOthersPath, url.Values{pages.SignOutAPIClientsField: {"1"}}, "Datastar-Request", "true")
	if r.status != http.StatusOK || !strings.Contains(html.UnescapeString(r.body), messages.Text(messages.DevicesOthersSignedOut)) {
		t.Fatalf("sign out others with API clients: %d %s", r.status, r.body)
	}
	if strings.Contains(r.body, `data-testid="api-client"`) {
		t.Fatal("the patched panel still lists the app")
	}
	if h.alive(app) {
		t.Fatal("ticked, the app's tokens still work")
	}
	if !h.signedIn(laptop) {
		t.Fatal("this device was signed out")
	}
	var with, without int
	for _, e := range revokeEvents(t, h) {
		switch e.Detail["api_clients"] {
		case "":
			without++
		case "1":
			with++
		}
	}
	if with != 1 || without != 1 {
		t.Fatalf("revocation audit = %+v", revokeEvents(t, h))
	}
}

func TestDevicesSigningOutAnotherDeviceNeedsAFreshProof(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signup("ada@example.com", settingsPW)
	phone := h.browserAs(uaSafariIPhone)
	if r := h.post(phone, "/login", creds("ada@example.com", settingsPW)); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	app := h.apiLogin("ada@example.com", settingsPW, uaChromeAndroid)
	r, sessions := h.devices(laptop)
	session := other(t, sessions, "Safari on iOS")
	client := apiClientLabeled(t, apiClients(t, r.body), "Chrome on Android")

	h.stale()
	posts := []struct {
		path string
		form url.Values
	}{
		{pages.DeviceSignOutPath, url.Values{"session": {session.publicID}}},
		{pages.APIClientSignOutPath, url.Values{pages.APIClientField: {client.publicID}}},
	}
	for _, p := range posts {
		r := h.post(laptop, p.path, p.form)
		if want := pages.ReauthURL(devicesPath); r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Fatalf("stale POST %s: %d %q, want 303 to %s", p.path, r.status, r.header.Get("Location"), want)
		}
		r = h.post(laptop, p.path, p.form, "Datastar-Request", "true")
		if !strings.Contains(r.body, "window.location.assign") || !strings.Contains(r.body, pages.ReauthPath+"?next=") {
			t.Fatalf("stale POST %s over Datastar: %s", p.path, r.body)
		}
	}
	// (The access token has expired with the clock; a refresh tells.)
	app = h.refresh(app.RefreshToken)
	if !h.signedIn(phone) || app.status != http.StatusOK || h.me(app.AccessToken).status != http.StatusOK {
		t.Fatal("a stale session signed another device out")
	}
	if evs := revokeEvents(t, h); len(evs) != 0 {
		t.Fatalf("refused sign-outs were audited as revocations: %+v", evs)
	}

	// A fresh proof opens them.
	h.reauth(t, laptop, devicesPath)
	for _, p := range posts {
		if r := h.post(laptop, p.path, p.form); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), devicesPath+"?done=") {
			t.Fatalf("fresh POST %s: %d %q", p.path, r.status, r.header.Get("Location"))
		}
	}
	if h.signedIn(phone) || h.me(app.AccessToken).status != http.StatusUnauthorized {
		t.Fatal("after a fresh proof, the sign-outs did nothing")
	}
}

const devicesPath = "/account/devices"

func TestDevicesPasswordChangeRevokesAPIClients(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	me := h.signup("change@example.com", resetOld)
	other := h.apiLogin("change@example.com", resetOld, uaCLI)
	h.signupOn(uaFirefoxWindows, "bob@example.com")
	bob := h.apiLogin("bob@example.com", devicesPassword, uaCLI)

	// "Sign out of all other devices" unticked: sessions stay, API clients
	// do not, since a password change is what someone does after a leak.
	r := h.post(me, pages.ChangePasswordPath, url.Values{"current_password": {resetOld}, "password": {resetNew}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if me := h.me(other.AccessToken); me.status != http.StatusUnauthorized || me.Error != "invalid_token" {
		t.Fatalf("the access token outlived the password change: %d %s", me.status, me.body)
	}
	if rt := h.refresh(other.RefreshToken); rt.status != http.StatusBadRequest {
		t.Fatalf("the refresh token outlived the password change: %d", rt.status)
	}
	if !h.alive(bob) {
		t.Fatal("another user's API client was revoked")
	}
	var revoked int
	if err := h.db.NewRaw("SELECT count(*) FROM token_families WHERE revoke_reason = 'password_change'").Scan(t.Context(), &revoked); err != nil {
		t.Fatal(err)
	}
	if revoked != 1 {
		t.Fatalf("%d families revoked by the change, want 1", revoked)
	}
	var audited bool
	for _, e := range h.events(t) {
		audited = audited || (e.Event == "password.change" && e.Outcome == "success" && e.Detail["families_revoked"] == "1")
	}
	if !audited {
		t.Fatal("the change's revocations are not audited")
	}
}
