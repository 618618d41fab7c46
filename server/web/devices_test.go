package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	xhtml "golang.org/x/net/html"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
)

// deviceParts are the pieces of the harness the device tests reach into.
type deviceParts struct {
	store    *db.Sessions
	accounts *auth.Service
	devices  *auth.Devices
}

// rememberOptions set the "keep me signed in" limits; zero means the same
// as the plain ones.
type rememberOptions struct {
	idle, lifetime time.Duration
}

const (
	uaFirefoxWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	uaSafariIPhone   = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	uaChromeAndroid  = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	devicesPassword  = "violet tram at noon"
	form             = "application/x-www-form-urlencoded"
)

// agentTransport sends every request with one User-Agent, as a browser does.
type agentTransport struct {
	ua   string
	next http.RoundTripper
}

func (a agentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", a.ua)
	return a.next.RoundTrip(r)
}

// browserAs is browser() with a fixed User-Agent.
func (h *harness) browserAs(ua string) *http.Client {
	c := h.browser()
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = agentTransport{ua: ua, next: next}
	return c
}

// signupOn creates an account from a browser with the user agent.
func (h *harness) signupOn(ua, email string, extra ...string) *http.Client {
	h.t.Helper()
	c := h.browserAs(ua)
	f := creds(email, devicesPassword)
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	if r := h.signupSteps(c, f); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		h.t.Fatalf("signup %s: %d %q", email, r.status, r.header.Get("Location"))
	}
	return c
}

// loginOn signs in to an existing account from a new browser.
func (h *harness) loginOn(ua, email string) *http.Client {
	h.t.Helper()
	c := h.browserAs(ua)
	if r := h.post(c, "/login", creds(email, devicesPassword)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		h.t.Fatalf("login %s: %d %q", email, r.status, r.header.Get("Location"))
	}
	return c
}

// signedIn reports whether the client's next request is signed in.
func (h *harness) signedIn(c *http.Client) bool {
	h.t.Helper()
	r := h.get(c, "/account")
	switch {
	case r.status == http.StatusOK:
		return true
	case r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/login"):
		return false
	}
	h.t.Fatalf("GET /account: %d %q", r.status, r.header.Get("Location"))
	return false
}

// device is one entry of the rendered device list.
type device struct {
	label    string
	ip       string
	current  bool
	publicID string // from its sign-out form; "" for the current device
}

// devices loads the devices page and reads the list by data-testid.
func (h *harness) devices(c *http.Client) (reply, []device) {
	h.t.Helper()
	r := h.get(c, "/account/devices")
	if r.status != http.StatusOK {
		h.t.Fatalf("GET /account/devices: %d %q", r.status, r.header.Get("Location"))
	}
	return r, parseDevices(h.t, r.body)
}

func parseDevices(t testing.TB, body string) []device {
	t.Helper()
	doc, err := xhtml.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []device
	for _, li := range findAllNodes(doc, byTestID("device")) {
		d := device{current: hasAttr(li, "data-current")}
		if n := findNode(li, byTestID("device-name")); n != nil {
			d.label = nodeText(n)
		}
		if n := findNode(li, byTestID("device-ip")); n != nil {
			d.ip = nodeText(n)
		}
		if in := findNode(li, func(n *xhtml.Node) bool { return n.Data == "input" && attrOf(n, "name") == "session" }); in != nil {
			d.publicID = attrOf(in, "value")
		}
		out = append(out, d)
	}
	return out
}

func findNode(n *xhtml.Node, match func(*xhtml.Node) bool) *xhtml.Node {
	if all := findAllNodes(n, match); len(all) > 0 {
		return all[0]
	}
	return nil
}

func findAllNodes(n *xhtml.Node, match func(*xhtml.Node) bool) []*xhtml.Node {
	var out []*xhtml.Node
	if n.Type == xhtml.ElementNode && match(n) {
		out = append(out, n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, findAllNodes(c, match)...)
	}
	return out
}

func byTestID(id string) func(*xhtml.Node) bool {
	return func(n *xhtml.Node) bool { return attrOf(n, "data-testid") == id }
}

func attrOf(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *xhtml.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func nodeText(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// other returns the listed device with the label that is not the current one.
func other(t testing.TB, list []device, label string) device {
	t.Helper()
	for _, d := range list {
		if !d.current && d.label == label {
			if d.publicID == "" {
				t.Fatalf("%s has no sign-out form", label)
			}
			return d
		}
	}
	t.Fatalf("no other device %q in %+v", label, list)
	return device{}
}

func cookieValue(t testing.TB, h *harness, c *http.Client) string {
	t.Helper()
	u, _ := url.Parse(h.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "latch_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie in the jar")
	return ""
}

// withToken is a new browser holding only the given session token.
func (h *harness) withToken(token string) *http.Client {
	c := h.browser()
	u, _ := url.Parse(h.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "latch_session", Value: token, Path: "/"}})
	return c
}

func revokeEvents(t testing.TB, h *harness) []db.AuditEvent {
	t.Helper()
	var out []db.AuditEvent
	for _, e := range h.events(t) {
		if e.Event == "session.revoke" {
			out = append(out, e)
		}
	}
	return out
}

func TestDevicesPageListsTheUsersSessions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signupOn(uaFirefoxWindows, "ada@example.com")
	h.loginOn(uaSafariIPhone, "ada@example.com")
	h.signupOn(uaChromeAndroid, "bob@example.com") // someone else's session
	unknown := h.browser()                         // Go's own user agent
	if r := h.post(unknown, "/login", creds("ada@example.com", devicesPassword)); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}

	r, list := h.devices(laptop)
	if len(list) != 3 {
		t.Fatalf("listed %d devices, want Ada's 3: %+v", len(list), list)
	}
	if first := list[0]; !first.current || first.label != "Firefox on Windows" || first.publicID != "" || first.ip != "127.0.0.1" {
		t.Fatalf("first device = %+v, want this Firefox on Windows, marked, without a sign-out form", first)
	}
	if !strings.Contains(r.body, messages.Text(messages.DevicesThisDevice)) {
		t.Error("this device is not labelled")
	}
	other(t, list, "Safari on iOS")
	other(t, list, messages.Fill(messages.DeviceLabel, "{browser}", messages.Text(messages.DeviceUnknownBrowser), "{os}", messages.Text(messages.DeviceUnknownOS)))
	for _, testid := range []string{"devices-sign-out-others", "devices-sign-out-everywhere", "nav-devices"} {
		if !strings.Contains(r.body, `data-testid="`+testid+`"`) {
			t.Errorf("page lacks %s", testid)
		}
	}
	if !strings.Contains(r.body, `id="devices-panel"`) || strings.Count(r.body, `method="post"`) < 4 {
		t.Error("the list is not a patch target of real form posts")
	}
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " style=") || strings.Contains(r.body, "<style") {
		t.Error("inline script or style on the devices page")
	}
	if a := h.get(laptop, "/account"); !strings.Contains(a.body, `href="/account/devices"`) || !strings.Contains(a.body, `data-testid="account-devices"`) {
		t.Error("account page does not link to the devices page")
	}

	// No token, and no hash of one, appears in the page in any encoding.
	for _, c := range []*http.Client{laptop, unknown} {
		tok := cookieValue(t, h, c)
		sum := sha256.Sum256([]byte(tok))
		for _, leak := range []string{tok, hex.EncodeToString(sum[:]), base64.RawURLEncoding.EncodeToString(sum[:]),
			base64.StdEncoding.EncodeToString(sum[:]), base64.RawStdEncoding.EncodeToString(sum[:])} {
			if strings.Contains(r.body, leak) {
				t.Fatal("the devices page shows a session token or its hash")
			}
		}
	}

	// Signed out visitors are sent to log in.
	if r := h.get(h.browser(), "/account/devices"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Faccount%2Fdevices" {
		t.Fatalf("signed-out GET: %d %q", r.status, r.header.Get("Location"))
	}
}

func TestSigningOutADeviceEndsItOnItsNextRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signupOn(uaFirefoxWindows, "ada@example.com")
	phone := h.loginOn(uaSafariIPhone, "ada@example.com")
	_, list := h.devices(laptop)
	target := other(t, list, "Safari on iOS")

	r := h.post(laptop, "/account/devices/sign-out", url.Values{"session": {target.publicID}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/devices?done=one" {
		t.Fatalf("sign out: %d %q", r.status, r.header.Get("Location"))
	}
	if h.signedIn(phone) {
		t.Fatal("the signed-out phone is still signed in")
	}
	if !h.signedIn(laptop) {
		t.Fatal("signing out the phone ended the laptop")
	}
	page := h.get(laptop, r.header.Get("Location"))
	if list := parseDevices(t, page.body); len(list) != 1 || !list[0].current {
		t.Fatalf("devices after sign-out: %+v", list)
	}
	if !strings.Contains(html.UnescapeString(page.body), messages.Text(messages.DeviceSignedOut)) {
		t.Error("no notice after the sign-out")
	}
	evs := revokeEvents(t, h)
	if len(evs) != 1 || evs[0].Outcome != "success" || evs[0].Detail["scope"] != "one" ||
		evs[0].Detail["browser"] != "Safari" || evs[0].Detail["os"] != "iOS" || evs[0].UserAgent != uaFirefoxWindows {
		t.Fatalf("revocation audit = %+v", evs)
	}

	// Signing out the same device again changes nothing and says so.
	again := h.post(laptop, "/account/devices/sign-out", url.Values{"session": {target.publicID}})
	if again.status != http.StatusNotFound || !strings.Contains(html.UnescapeString(again.body), messages.Text(messages.DeviceNotFound)) {
		t.Fatalf("second sign-out: %d", again.status)
	}
	if !h.signedIn(laptop) {
		t.Fatal("a repeated sign-out ended this device")
	}
}

func TestSigningOutThisDeviceFromTheListLogsOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signupOn(uaFirefoxWindows, "ada@example.com")
	phone := h.loginOn(uaSafariIPhone, "ada@example.com")
	_, list := h.devices(phone)
	self := other(t, list, "Firefox on Windows") // the laptop, seen from the phone
	// The laptop posts its own public id (as read from the phone's list).
	r := h.post(laptop, "/account/devices/sign-out", url.Values{"session": {self.publicID}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?from=logout" {
		t.Fatalf("sign out self: %d %q", r.status, r.header.Get("Location"))
	}
	if ck := sessionCookie(t, r.header); ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("cookie not cleared: %+v", ck)
	}
	if h.signedIn(laptop) || !h.signedIn(phone) {
		t.Fatal("wrong device signed out")
	}
}

func TestSignOutOtherDevicesRenewsThisOne(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signupOn(uaFirefoxWindows, "ada@example.com")
	phone := h.loginOn(uaSafariIPhone, "ada@example.com")
	tablet := h.loginOn(uaChromeAndroid, "ada@example.com")
	bob := h.signupOn(uaFirefoxWindows, "bob@example.com")
	before := cookieValue(t, h, laptop)

	r := h.post(laptop, "/account/devices/sign-out-others", url.Values{})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/devices?done=others" {
		t.Fatalf("sign out others: %d %q", r.status, r.header.Get("Location"))
	}
	if ck := sessionCookie(t, r.header); ck == nil || ck.Value == "" || ck.Value == before {
		t.Fatalf("this device's token was not renewed: %+v", ck)
	}
	if h.signedIn(phone) || h.signedIn(tablet) {
		t.Fatal("another device is still signed in")
	}
	if !h.signedIn(laptop) || !h.signedIn(bob) {
		t.Fatal("this device, or another user, was signed out")
	}
	if h.signedIn(h.withToken(before)) {
		t.Fatal("a copy of this device's old cookie still works")
	}
	page := h.get(laptop, r.header.Get("Location"))
	if list := parseDevices(t, page.body); len(list) != 1 || !list[0].current || !strings.Contains(page.body, `data-testid="devices-no-others"`) {
		t.Fatalf("devices after sign-out-others:\n%s", page.body)
	}
	if strings.Contains(page.body, `data-testid="devices-sign-out-others"`) {
		t.Error("sign out others offered with no other device")
	}
	if !strings.Contains(html.UnescapeString(page.body), messages.Text(messages.DevicesOthersSignedOut)) {
		t.Error("no notice")
	}
	evs := revokeEvents(t, h)
	if len(evs) != 1 || evs[0].Detail["scope"] != "others" || evs[0].Detail["count"] != "2" {
		t.Fatalf("revocation audit = %+v", evs)
	}
}

func TestSignOutEverywhere(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signupOn(uaFirefoxWindows, "ada@example.com")
	phone := h.loginOn(uaSafariIPhone, "ada@example.com")
	bob := h.signupOn(uaChromeAndroid, "bob@example.com")

	r := h.post(laptop, "/account/devices/sign-out-everywhere", url.Values{})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?from=everywhere" {
		t.Fatalf("sign out everywhere: %d %q", r.status, r.header.Get("Location"))
	}
	if ck := sessionCookie(t, r.header); ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("this device's cookie not cleared: %+v", ck)
	}
	if h.signedIn(laptop) || h.signedIn(phone) {
		t.Fatal("a device is still signed in")
	}
	if !h.signedIn(bob) {
		t.Fatal("another user was signed out")
	}
	login := h.get(laptop, "/login?from=everywhere")
	if !strings.Contains(html.UnescapeString(login.body), messages.Text(messages.SignedOutEverywhere)) {
		t.Fatal("the login page does not say what happened")
	}
	evs := revokeEvents(t, h)
	if len(evs) != 1 || evs[0].Detail["scope"] != "all" || evs[0].Detail["count"] != "2" {
		t.Fatalf("revocation audit = %+v", evs)
	}
}

func TestOneUserCannotSignOutAnothersDevice(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ada := h.signupOn(uaFirefoxWindows, "ada@example.com")
	adaPhone := h.loginOn(uaSafariIPhone, "ada@example.com")
	bob := h.signupOn(uaChromeAndroid, "bob@example.com")
	_, list := h.devices(ada)
	victim := other(t, list, "Safari on iOS")

	for _, datastar := range []bool{false, true} {
		var headers []string
		if datastar {
			headers = []string{"Datastar-Request", "true"}
		}
		r := h.post(bob, "/account/devices/sign-out", url.Values{"session": {victim.publicID}}, headers...)
		body := html.UnescapeString(r.body)
		if !strings.Contains(body, messages.Text(messages.DeviceNotFound)) {
			t.Fatalf("datastar=%v: refusal lacks the not-found message: %d %s", datastar, r.status, r.body)
		}
		if !datastar && r.status != http.StatusNotFound {
			t.Fatalf("status %d, want 404", r.status)
		}
		if strings.Contains(body, "Safari on iOS") {
			t.Fatal("the answer shows the other user's device")
		}
	}
	// Bob's own bulk sign-outs never reach Ada either.
	h.post(bob, "/account/devices/sign-out-others", url.Values{})
	h.post(bob, "/account/devices/sign-out-everywhere", url.Values{})
	if !h.signedIn(ada) || !h.signedIn(adaPhone) {
		t.Fatal("another user signed Ada out")
	}
	var failures int
	for _, e := range revokeEvents(t, h) {
		if e.Outcome == "failure" && e.Detail["reason"] == "not_found" {
			failures++
		}
	}
	if failures != 2 {
		t.Fatalf("refused cross-user sign-outs audited %d times, want 2", failures)
	}
}

func TestDevicesPostsRefuseBadRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ada := h.signupOn(uaFirefoxWindows, "ada@example.com")
	phone := h.loginOn(uaSafariIPhone, "ada@example.com")
	_, list := h.devices(ada)
	id := other(t, list, "Safari on iOS").publicID

	cases := []struct {
		name, path, body string
		headers          []string
		status           int
		want             messages.Key
	}{
		{"missing id", "/account/devices/sign-out", "", []string{"Content-Type", form}, 400, messages.FormMalformed},
		{"malformed id", "/account/devices/sign-out", "session=not-a-public-id", []string{"Content-Type", form}, 400, messages.FormMalformed},
		{"hostile id", "/account/devices/sign-out", "session=" + url.QueryEscape(`"><script>alert(1)</script>`), []string{"Content-Type", form}, 400, messages.FormMalformed},
		{"token-shaped id", "/account/devices/sign-out", "session=" + url.QueryEscape(cookieValue(t, h, phone)), []string{"Content-Type", form}, 400, messages.FormMalformed},
		{"duplicated id", "/account/devices/sign-out", "session=" + id + "&session=" + id, []string{"Content-Type", form}, 400, messages.FormMalformed},
		{"bad encoding", "/account/devices/sign-out", "session=%zz", []string{"Content-Type", form}, 400, messages.FormMalformed},
		{"oversized", "/account/devices/sign-out", "session=" + id + "&pad=" + strings.Repeat("x", 20<<10), []string{"Content-Type", form}, 413, messages.FormTooLarge},
		{"oversized others", "/account/devices/sign-out-others", "pad=" + strings.Repeat("x", 20<<10), []string{"Content-Type", form}, 413, messages.FormTooLarge},
		{"json", "/account/devices/sign-out", `{"session":"` + id + `"}`, []string{"Content-Type", "application/json"}, 415, messages.FormMalformed},
		{"json everywhere", "/account/devices/sign-out-everywhere", `{}`, []string{"Content-Type", "application/json"}, 415, messages.FormMalformed},
		{"bad encoding others", "/account/devices/sign-out-others", "x=%zz", []string{"Content-Type", form}, 400, messages.FormMalformed},
		{"cross-origin one", "/account/devices/sign-out", "session=" + id, []string{"Content-Type", form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, messages.CrossOriginDenied},
		{"cross-origin others", "/account/devices/sign-out-others", "", []string{"Content-Type", form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, messages.CrossOriginDenied},
		{"cross-origin everywhere", "/account/devices/sign-out-everywhere", "", []string{"Content-Type", form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, messages.CrossOriginDenied},
		{"same-site subdomain", "/account/devices/sign-out-everywhere", "", []string{"Content-Type", form, "Origin", "https://sub.example.test", "Sec-Fetch-Site", "same-site"}, 403, messages.CrossOriginDenied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.postRaw(ada, tc.path, tc.body, tc.headers...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d", r.status, tc.status)
			}
			if !strings.Contains(html.UnescapeString(r.body), messages.Text(tc.want)) {
				t.Fatalf("body lacks %q", messages.Text(tc.want))
			}
		})
	}
	for _, path := range []string{"/account/devices/sign-out", "/account/devices/sign-out-others", "/account/devices/sign-out-everywhere"} {
		if r := h.get(ada, path); r.status != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d, want 405", path, r.status)
		}
		if r := h.post(h.browser(), path, url.Values{"session": {id}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
			t.Errorf("signed-out POST %s: %d %q", path, r.status, r.header.Get("Location"))
		}
	}
	req, _ := http.NewRequest(http.MethodDelete, h.srv.URL+"/account/devices", nil)
	if r := h.do(ada, req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /account/devices: %d", r.status)
	}
	if !h.signedIn(ada) || !h.signedIn(phone) {
		t.Fatal("a refused request signed a device out")
	}
	if evs := revokeEvents(t, h); len(evs) != 0 {
		t.Fatalf("refused requests were audited as revocations: %+v", evs)
	}
}

func TestDevicesOverDatastar(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signupOn(uaFirefoxWindows, "ada@example.com")
	phone := h.loginOn(uaSafariIPhone, "ada@example.com")
	tablet := h.loginOn(uaChromeAndroid, "ada@example.com")
	_, list := h.devices(laptop)
	target := other(t, list, "Safari on iOS")

	r := h.post(laptop, "/account/devices/sign-out", url.Values{"session": {target.publicID}}, "Datastar-Request", "true")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d type %q", r.status, r.header.Get("Content-Type"))
	}
	body := html.UnescapeString(r.body)
	for _, want := range []string{"datastar-patch-elements", `id="devices-panel"`, messages.Text(messages.DeviceSignedOut), "Chrome on Android", `data-init="el.focus()"`} {
		if !strings.Contains(body, want) {
			t.Errorf("patch lacks %q", want)
		}
	}
	if strings.Contains(body, "Safari on iOS") {
		t.Error("patch still lists the signed-out device")
	}
	if h.signedIn(phone) {
		t.Fatal("phone still signed in")
	}

	// Sign out others answers in place, renewing this device's cookie on
	// the SSE answer itself.
	before := cookieValue(t, h, laptop)
	r = h.post(laptop, "/account/devices/sign-out-others", url.Values{}, "Datastar-Request", "true")
	ck := sessionCookie(t, r.header)
	if r.status != http.StatusOK || ck == nil || ck.Value == before || ck.Value == "" {
		t.Fatalf("SSE sign-out-others: %d cookie %+v", r.status, ck)
	}
	body = html.UnescapeString(r.body)
	if !strings.Contains(body, messages.Text(messages.DevicesOthersSignedOut)) || !strings.Contains(body, "Firefox on Windows") ||
		!strings.Contains(body, `data-current="true"`) || strings.Contains(body, "Chrome on Android") {
		t.Fatalf("patch after sign-out-others:\n%s", r.body)
	}
	if h.signedIn(tablet) || !h.signedIn(laptop) {
		t.Fatal("wrong devices signed out")
	}

	r = h.post(laptop, "/account/devices/sign-out-everywhere", url.Values{}, "Datastar-Request", "true")
	if !strings.Contains(r.body, `/login?from=everywhere`) {
		t.Fatalf("no navigation to login:\n%s", r.body)
	}
	if ck := sessionCookie(t, r.header); ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("SSE sign-out-everywhere left the cookie: %+v", ck)
	}
	if h.signedIn(laptop) {
		t.Fatal("still signed in after signing out everywhere")
	}

	// A revoked device's next Datastar post is sent to the login page.
	gone := h.post(phone, "/account/devices/sign-out-others", url.Values{}, "Datastar-Request", "true")
	if !strings.Contains(gone.body, "window.location.assign") || !strings.Contains(gone.body, "/login") {
		t.Fatalf("revoked device's Datastar post:\n%s", gone.body)
	}
}

func TestRememberMeMakesAPersistentCookie(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{remember: rememberOptions{idle: 7 * 24 * time.Hour, lifetime: 30 * 24 * time.Hour}})
	h.signupOn(uaFirefoxWindows, "ada@example.com")

	persistent := func(name string, r reply) {
		t.Helper()
		raw := strings.Join(r.header.Values("Set-Cookie"), "\n")
		ck := sessionCookie(t, r.header)
		if ck == nil || !strings.Contains(raw, "Max-Age=") || !strings.Contains(raw, "Expires=") {
			t.Fatalf("%s: Set-Cookie %q, want Max-Age and Expires", name, raw)
		}
		if days := time.Duration(ck.MaxAge) * time.Second / (24 * time.Hour); days < 29 || days > 30 {
			t.Fatalf("%s: Max-Age %ds, want about 30 days", name, ck.MaxAge)
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("%s: cookie %+v lost its attributes", name, ck)
		}
	}
	browserSession := func(name string, r reply) {
		t.Helper()
		var lines []string // the session cookie's, not the device cookie's
		for _, l := range r.header.Values("Set-Cookie") {
			if !strings.Contains(l, "latch_device=") {
				lines = append(lines, l)
			}
		}
		raw := strings.Join(lines, "\n")
		if sessionCookie(t, r.header) == nil || strings.Contains(raw, "Max-Age") || strings.Contains(raw, "Expires") {
			t.Fatalf("%s: Set-Cookie %q, want a browser-session cookie", name, raw)
		}
	}

	withBox := creds("ada@example.com", devicesPassword)
	withBox.Set("remember", "1")
	persistent("login, remembered", h.post(h.browser(), "/login", withBox))
	persistent("login over Datastar, remembered", h.post(h.browser(), "/login", withBox, "Datastar-Request", "true"))
	browserSession("login", h.post(h.browser(), "/login", creds("ada@example.com", devicesPassword)))
	browserSession("login over Datastar", h.post(h.browser(), "/login", creds("ada@example.com", devicesPassword), "Datastar-Request", "true"))

	signup := creds("new@example.com", devicesPassword)
	signup.Set("remember", "1")
	persistent("signup, remembered", h.post(h.browser(), "/signup", signup))
	browserSession("signup", h.post(h.browser(), "/signup", creds("plain@example.com", devicesPassword)))

	// A refused login keeps the box ticked; the login and signup forms offer it.
	wrong := creds("ada@example.com", "not the password")
	wrong.Set("remember", "1")
	if r := h.post(h.browser(), "/login", wrong); !strings.Contains(r.body, `name="remember"`) || !strings.Contains(r.body, " checked") {
		t.Fatalf("refused login lost the remember box:\n%s", r.body)
	}
	for _, path := range []string{"/login", "/signup"} {
		r := h.get(h.browser(), path)
		if !strings.Contains(r.body, `type="checkbox"`) || !strings.Contains(r.body, `name="remember"`) || strings.Contains(r.body, " checked") {
			t.Errorf("GET %s: no unticked remember box", path)
		}
	}
	dup := "email=ada%40example.com&password=x&remember=1&remember=1"
	if r := h.postRaw(h.browser(), "/login", dup, "Content-Type", form); r.status != http.StatusBadRequest {
		t.Errorf("duplicated remember field: %d, want 400", r.status)
	}
}

func TestRememberedSessionsHaveTheirOwnTimeouts(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{idle: 30 * time.Minute, lifetime: 12 * time.Hour,
		remember: rememberOptions{idle: 7 * 24 * time.Hour, lifetime: 30 * 24 * time.Hour}})
	plain := h.signupOn(uaFirefoxWindows, "ada@example.com")
	kept := h.browserAs(uaSafariIPhone)
	withBox := creds("ada@example.com", devicesPassword)
	withBox.Set("remember", "1")
	h.post(kept, "/login", withBox)

	h.clock.Advance(3 * time.Hour) // past the plain idle timeout
	if h.signedIn(plain) {
		t.Fatal("browser session survived 3h idle")
	}
	if !h.signedIn(kept) {
		t.Fatal("remembered session ended after 3h idle")
	}
	// Used every six days, it outlives the plain lifetime by far...
	for i := 0; i < 4; i++ {
		h.clock.Advance(6 * 24 * time.Hour)
		if !h.signedIn(kept) {
			t.Fatalf("remembered session ended %d days after login", 6*(i+1))
		}
	}
	// ...but not its own absolute lifetime.
	h.clock.Advance(6 * 24 * time.Hour)
	if h.signedIn(kept) {
		t.Fatal("remembered session outlived its lifetime")
	}
	// And left alone longer than its idle timeout, it ends.
	again := h.browserAs(uaSafariIPhone)
	h.post(again, "/login", withBox)
	h.clock.Advance(7*24*time.Hour + time.Minute)
	if h.signedIn(again) {
		t.Fatal("remembered session survived its idle timeout")
	}
}

func TestSuspendingAUserEndsAllTheirSessions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	laptop := h.signupOn(uaFirefoxWindows, "ada@example.com")
	phone := h.loginOn(uaSafariIPhone, "ada@example.com")
	bob := h.signupOn(uaChromeAndroid, "bob@example.com")
	ada := signupUserIDFor(t, h, "ada")

	ctx := auth.WithClient(context.Background(), auth.Client{RequestID: "admin-1"})
	if err := h.dev.accounts.SetStatus(ctx, h.appID, ada, auth.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	if h.signedIn(laptop) || h.signedIn(phone) {
		t.Fatal("a suspended user is still signed in")
	}
	if !h.signedIn(bob) {
		t.Fatal("suspending Ada signed Bob out")
	}
	if r := h.post(h.browser(), "/login", creds("ada@example.com", devicesPassword)); r.status != http.StatusUnauthorized {
		t.Fatalf("suspended user logged in: %d", r.status)
	}
	var status, revoke bool
	for _, e := range h.events(t) {
		status = status || (e.Event == "user.status" && e.Detail["status"] == "suspended")
		revoke = revoke || (e.Event == "session.revoke" && e.Detail["reason"] == "status_suspended" && e.Detail["count"] == "2" && e.Detail["scope"] == "all")
	}
	if !status || !revoke {
		t.Fatalf("audit lacks the status change (%v) or the revocation (%v)", status, revoke)
	}

	if err := h.dev.accounts.SetStatus(ctx, h.appID, ada, auth.StatusActive); err != nil {
		t.Fatal(err)
	}
	h.loginOn(uaFirefoxWindows, "ada@example.com")
	if err := h.dev.accounts.SetStatus(ctx, h.appID, ada, auth.StatusDeleted); err != nil {
		t.Fatal(err)
	}
	if list, err := h.dev.store.UserSessions(ctx, ada); err != nil || len(list) != 0 {
		t.Fatalf("sessions left after deletion: %+v %v", list, err)
	}
	if err := h.dev.accounts.SetStatus(ctx, h.appID, ada, "frozen"); err == nil {
		t.Fatal("an unknown status was accepted")
	}
	if err := h.dev.accounts.SetStatus(ctx, h.appID, uuid.New(), auth.StatusSuspended); err == nil {
		t.Fatal("suspending an unknown user succeeded")
	}
}

// signupUserIDFor is the id of the user whose email starts with local.
func signupUserIDFor(t *testing.T, h *harness, local string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := h.db.NewSelect().TableExpr("identities").Column("user_id").
		Where("kind = 'email' AND value = ?", local+"@example.com").Scan(context.Background(), &id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestLogoutKillsTheOldToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.signupOn(uaFirefoxWindows, "ada@example.com")
	old := cookieValue(t, h, c)
	h.post(c, "/logout", url.Values{})
	if h.signedIn(h.withToken(old)) {
		t.Fatal("the token from before logout still works")
	}
	// Logging in again gives a new token; the one before it stays dead.
	in := h.loginOn(uaFirefoxWindows, "ada@example.com")
	if tok := cookieValue(t, h, in); tok == old {
		t.Fatal("login reused a token")
	}
}
