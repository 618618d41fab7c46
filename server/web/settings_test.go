package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

const settingsPW = "correct horse battery staple"

// stale moves the harness clock past the re-authentication window, so the
// signed-in users' last proof is too old for sensitive changes.
func (h *harness) stale() { h.clock.Advance(6 * time.Minute) }

// reauth proves the password again and checks it lands on next.
func (h *harness) reauth(t *testing.T, c *http.Client, next string) {
	t.Helper()
	r := h.post(c, pages.ReauthPath, url.Values{"password": {settingsPW}, "next": {next}, "method": {"password"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != next {
		t.Fatalf("reauth: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
}

func TestSensitiveActionsNeedAFreshProof(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.signup("ada@example.com", settingsPW)
	h.stale()
	cases := []struct {
		method, path string
		form         url.Values
		next         string
	}{
		{"GET", pages.EmailChangePath, nil, pages.EmailChangePath},
		{"POST", pages.EmailChangePath, url.Values{"email": {"new@example.com"}}, pages.EmailChangePath},
		{"POST", pages.EmailChangeCodePath, url.Values{"email": {"new@example.com"}, "code": {"123456"}}, pages.EmailChangePath},
		{"POST", pages.IdentityRemovePath, url.Values{"kind": {"email"}, "value": {"ada@example.com"}}, "/account"},
		{"GET", pages.DeletePath, nil, pages.DeletePath},
		{"POST", pages.DeletePath, url.Values{"confirm": {"yes"}}, pages.DeletePath},
		{"GET", pages.ExportPath, nil, pages.ExportPath},
		{"POST", pages.ExportPath, url.Values{}, pages.ExportPath},
		{"POST", pages.DevicesSignOutOthersPath, url.Values{}, "/account/devices"},
		{"POST", pages.DevicesSignOutAllPath, url.Values{}, "/account/devices"},
	}
	for _, tc := range cases {
		var r reply
		if tc.method == "GET" {
			r = h.get(c, tc.path)
		} else {
			r = h.post(c, tc.path, tc.form)
		}
		if want := pages.ReauthURL(tc.next); r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Errorf("%s %s stale: %d %q, want 303 to %s", tc.method, tc.path, r.status, r.header.Get("Location"), want)
		}
		// Over Datastar, the answer navigates to the same place.
		if tc.method == "POST" {
			r = h.post(c, tc.path, tc.form, "Datastar-Request", "true")
			if !strings.Contains(r.body, "window.location.assign") || !strings.Contains(r.body, "/account/confirm?next=") {
				t.Errorf("%s %s stale over Datastar: %d %s", tc.method, tc.path, r.status, r.body)
			}
		}
	}
	// The account is untouched and still signed in everywhere.
	if r := h.get(c, "/account"); r.status != 200 || !strings.Contains(r.body, "ada@example.com") {
		t.Fatalf("account after refused actions: %d", r.status)
	}
	// A fresh proof opens them.
	h.reauth(t, c, pages.DeletePath)
	if r := h.get(c, pages.DeletePath); r.status != 200 || !strings.Contains(r.body, `data-testid="delete-submit"`) {
		t.Fatalf("delete page after reauth: %d", r.status)
	}
	h.clock.Advance(4 * time.Minute)
	if r := h.get(c, pages.ExportPath); r.status != 200 {
		t.Fatalf("export page inside the window: %d", r.status)
	}
	h.clock.Advance(2 * time.Minute)
	if r := h.get(c, pages.ExportPath); r.status != http.StatusSeeOther {
		t.Fatalf("export page after the window: %d", r.status)
	}
}

func TestReauthFormRefusesBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.signup("ada@example.com", settingsPW)
	h.stale()
	if r := h.get(c, pages.ReauthURL("/account/delete")); r.status != 200 || !strings.Contains(r.body, `name="next" value="/account/delete"`) {
		t.Fatalf("reauth page: %d %s", r.status, r.body)
	}
	// A hostile next is dropped, never reflected.
	if r := h.get(c, pages.ReauthURL("https://evil.example/x")); strings.Contains(r.body, "evil.example") {
		t.Fatal("reauth page reflects a foreign next")
	}
	good := url.Values{"password": {settingsPW}, "next": {"/account/export"}, "method": {"password"}}
	cases := []struct {
		name    string
		body    string
		headers []string
		status  int
	}{
		{"wrong content type", good.Encode(), []string{"Content-Type", "text/plain"}, http.StatusUnsupportedMediaType},
		{"duplicated password", good.Encode() + "&password=x", nil, http.StatusBadRequest},
		{"duplicated next", good.Encode() + "&next=/account", nil, http.StatusBadRequest},
		{"oversized", "password=" + strings.Repeat("a", 20<<10), nil, http.StatusRequestEntityTooLarge},
		{"malformed", "password=%zz", nil, http.StatusBadRequest},
		{"unknown method", "method=magic&code=123456", nil, http.StatusBadRequest},
		{"cross-origin", good.Encode(), []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"wrong password", "password=nope-nope-nope&next=/account/export", nil, http.StatusUnauthorized},
		{"overlong password", "password=" + strings.Repeat("a", 2000), nil, http.StatusUnauthorized},
		{"empty password", "password=", nil, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		r := h.postRaw(c, pages.ReauthPath, tc.body, append([]string{"Content-Type", "application/x-www-form-urlencoded"}, tc.headers...)...)
		if r.status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, r.status, tc.status, r.body)
		}
		if tc.status == http.StatusUnauthorized && !strings.Contains(r.body, msg(messages.ReauthFailed)) {
			t.Errorf("%s: no written refusal", tc.name)
		}
	}
	// None of them opened the window.
	if r := h.get(c, pages.ExportPath); r.status != http.StatusSeeOther {
		t.Fatalf("export after refused proofs: %d", r.status)
	}
	// Over Datastar a refusal patches the panel.
	r := h.post(c, pages.ReauthPath, url.Values{"password": {"wrong-wrong-wrong"}}, "Datastar-Request", "true")
	if !strings.Contains(r.body, "datastar-patch-elements") || !strings.Contains(r.body, `id="reauth-panel"`) || !strings.Contains(r.body, msg(messages.ReauthFailed)) {
		t.Fatalf("Datastar refusal: %s", r.body)
	}
	// A foreign next lands on the account page.
	for _, next := range []string{"//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		r := h.post(c, pages.ReauthPath, url.Values{"password": {settingsPW}, "next": {next}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
			t.Errorf("next %q: %d %q", next, r.status, r.header.Get("Location"))
		}
	}
	var ok, failed int
	for _, e := range h.events(t) {
		if e.Event == "reauth" && e.Outcome == "success" {
			ok++
		}
		if e.Event == "reauth" && e.Outcome == "failure" {
			failed++
		}
	}
	if ok != 4 || failed < 4 {
		t.Fatalf("reauth events: %d successes, %d failures", ok, failed)
	}
}

func TestDeleteAccountThenLoginRestoresIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.signup("ada@example.com", settingsPW)
	other := h.browser()
	if r := h.post(other, "/login", creds("ada@example.com", settingsPW)); r.status != http.StatusSeeOther {
		t.Fatalf("second login: %d", r.status)
	}
	for _, bad := range []url.Values{{}, {"confirm": {"no"}}, {"confirm": {"yes", "yes"}}} {
		r := h.post(c, pages.DeletePath, bad)
		if r.status == http.StatusSeeOther {
			t.Fatalf("delete with %v went through", bad)
		}
	}
	if r := h.post(c, pages.DeletePath, url.Values{}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg(messages.DeleteUnconfirmed)) {
		t.Fatalf("unconfirmed delete: %d", r.status)
	}
	if r := h.post(c, pages.DeletePath, url.Values{}, "Datastar-Request", "true"); !strings.Contains(r.body, `id="delete-panel"`) || !strings.Contains(r.body, msg(messages.DeleteUnconfirmed)) {
		t.Fatalf("unconfirmed delete over Datastar: %s", r.body)
	}
	if r := h.postRaw(c, pages.DeletePath, "confirm=yes", "Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Fatalf("cross-origin delete: %d", r.status)
	}
	r := h.post(c, pages.DeletePath, url.Values{"confirm": {"yes"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?from=deleted" {
		t.Fatalf("delete: %d %q", r.status, r.header.Get("Location"))
	}
	for _, b := range []*http.Client{c, other} {
		if r := h.get(b, "/account"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Faccount" {
			t.Fatalf("a session survived the deletion: %d %q", r.status, r.header.Get("Location"))
		}
	}
	if r := h.get(c, "/login?from=deleted"); !strings.Contains(r.body, msg(messages.AccountDeletedLogin)) {
		t.Fatalf("login page after deletion does not say how to come back")
	}
	h.clock.Advance(13 * 24 * time.Hour)
	back := h.browser()
	if r := h.post(back, "/login", creds("ada@example.com", settingsPW)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("login in grace: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if r := h.get(back, "/account"); r.status != 200 || !strings.Contains(r.body, msg(messages.AccountRestored)) {
		t.Fatalf("account after restore: %d, no notice", r.status)
	}
	var deleted, restored bool
	for _, e := range h.events(t) {
		deleted = deleted || e.Event == "account.delete"
		restored = restored || e.Event == "account.restore"
	}
	if !deleted || !restored {
		t.Fatalf("audit: delete %v restore %v", deleted, restored)
	}
}

func TestExportIsAJSONAttachment(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.signup("ada@example.com", settingsPW)
	h.signup("bob@example.com", settingsPW)
	if r := h.postRaw(c, pages.ExportPath, "a=1&a=2", "Content-Type", "application/x-www-form-urlencoded"); r.status != 200 {
		// The form has no fields: extra ones are ignored, like any form.
		t.Logf("export with stray fields: %d", r.status)
	}
	if r := h.postRaw(c, pages.ExportPath, "", "Content-Type", "text/plain"); r.status != http.StatusUnsupportedMediaType {
		t.Fatalf("export with a wrong content type: %d", r.status)
	}
	if r := h.get(h.browser(), pages.ExportPath); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Faccount%2Fexport" {
		t.Fatalf("export signed out: %d", r.status)
	}
	r := h.post(c, pages.ExportPath, url.Values{})
	if r.status != 200 {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	for k, want := range map[string]string{
		"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
	} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="latch-data-`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	var out struct {
		Format string `json:"format"`
		User   struct {
			ID          string `json:"id"`
			Status      string `json:"status"`
			HasPassword bool   `json:"has_password"`
		} `json:"user"`
		Identities []struct {
			Kind, Value string
			VerifiedAt  *time.Time `json:"verified_at"`
		} `json:"identities"`
		Sessions []struct {
			Device  string `json:"device"`
			Current bool   `json:"current"`
		} `json:"sessions"`
		Events []struct {
			Event, Outcome string
		} `json:"security_events"`
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Format != "latch-export/1" || out.User.ID == "" || out.User.Status != "active" || !out.User.HasPassword {
		t.Fatalf("export user: %+v", out)
	}
	if len(out.Identities) != 1 || out.Identities[0].Value != "ada@example.com" || out.Identities[0].Kind != "email" {
		t.Fatalf("export identities: %+v", out.Identities)
	}
	if len(out.Sessions) != 1 || !out.Sessions[0].Current {
		t.Fatalf("export sessions: %+v", out.Sessions)
	}
	var signup bool
	for _, e := range out.Events {
		signup = signup || e.Event == "signup"
	}
	if !signup {
		t.Fatalf("export events: %+v", out.Events)
	}
	for _, secret := range []string{"$argon2id", "bob@example.com", "token_hash", "password_hash"} {
		if strings.Contains(r.body, secret) {
			t.Errorf("export holds %q", secret)
		}
	}
	if ck := sessionCookie(t, r.header); ck != nil && strings.Contains(r.body, ck.Value) {
		t.Error("export holds the session cookie")
	}
}

func TestIdentityRemovalRefusesTheLastWayIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.signup("ada@example.com", settingsPW)
	if r := h.get(c, "/account"); strings.Contains(r.body, `data-testid="identity-remove"`) {
		t.Fatal("the only address offers a remove button")
	}
	for _, bad := range []url.Values{
		{"kind": {"oauth"}, "value": {"x"}},
		{"kind": {"email"}},
		{"kind": {"email"}, "value": {strings.Repeat("a", 400)}},
		{"kind": {"email", "phone"}, "value": {"ada@example.com"}},
	} {
		if r := h.post(c, pages.IdentityRemovePath, bad); r.status != http.StatusBadRequest {
			t.Errorf("remove %v: %d", bad, r.status)
		}
	}
	r := h.post(c, pages.IdentityRemovePath, url.Values{"kind": {"email"}, "value": {"ada@example.com"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.IdentityLastWayIn)) {
		t.Fatalf("removing the last way in: %d", r.status)
	}
	r = h.post(c, pages.IdentityRemovePath, url.Values{"kind": {"email"}, "value": {"ada@example.com"}}, "Datastar-Request", "true")
	if !strings.Contains(r.body, `id="identities-panel"`) || !strings.Contains(r.body, msg(messages.IdentityLastWayIn)) {
		t.Fatalf("over Datastar: %s", r.body)
	}
	if r := h.post(c, pages.IdentityRemovePath, url.Values{"kind": {"phone"}, "value": {"+447400123456"}}); r.status != http.StatusNotFound {
		t.Fatalf("removing a number not held: %d", r.status)
	}
}

func TestActivityPageSaysEventsInWords(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.signup("ada@example.com", settingsPW)
	h.signup("bob@example.com", settingsPW)
	for range 30 {
		h.post(c, pages.ReauthPath, url.Values{"password": {"wrong-wrong-wrong"}})
	}
	r := h.get(c, pages.ActivityPath)
	if r.status != 200 || !strings.Contains(r.body, messages.Text(messages.ActivityReauthFailed)) {
		t.Fatalf("activity: %d", r.status)
	}
	if n := strings.Count(r.body, `data-testid="activity-line"`); n != 25 {
		t.Fatalf("first page holds %d events, want 25", n)
	}
	// Grouped by day under a heading; failures marked, not shouted.
	if n := strings.Count(r.body, `class="activity-day-heading"`); n != 1 {
		t.Errorf("%d day headings for events of one day", n)
	}
	if !strings.Contains(r.body, "activity-item activity-failure") || strings.Contains(r.body, "(failed)") {
		t.Error("failed re-authentications are not marked as failures, or still read \"(failed)\"")
	}
	older := h.get(c, pages.ActivityPath)
	i := strings.Index(older.body, `href="/account/activity?before=`)
	if i < 0 {
		t.Fatal("no link to older events")
	}
	link := older.body[i+len(`href="`):]
	link = strings.ReplaceAll(link[:strings.IndexByte(link, '"')], "&amp;", "&")
	page2 := h.get(c, link)
	if !strings.Contains(page2.body, messages.Text(messages.ActivitySignup)) {
		t.Fatalf("second page lacks the signup: %s", page2.body)
	}
	if strings.Contains(r.body+page2.body, "bob@example.com") {
		t.Fatal("activity shows another account")
	}
	for _, bad := range []string{"?before=abc", "?before=-1", "?before=1&before=2"} {
		if r := h.get(c, pages.ActivityPath+bad); bad != "?before=1&before=2" && r.status != http.StatusBadRequest {
			t.Errorf("activity%s: %d", bad, r.status)
		}
	}
}

func TestChangeEmailByCode(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	c := h.signup("ada@example.com", settingsPW)
	if r := h.get(c, "/account"); !strings.Contains(r.body, `data-testid="account-change-email"`) {
		t.Fatal("no change-email link")
	}
	for _, tc := range []struct {
		form   url.Values
		status int
	}{
		{url.Values{"email": {"not-an-address"}}, http.StatusUnprocessableEntity},
		{url.Values{"email": {"ada@example.com"}}, http.StatusUnprocessableEntity},
		{url.Values{"email": {"a@example.com", "b@example.com"}}, http.StatusBadRequest},
		{url.Values{"email": {strings.Repeat("a", 400) + "@example.com"}}, http.StatusUnprocessableEntity},
	} {
		if r := h.post(c, pages.EmailChangePath, tc.form); r.status != tc.status {
			t.Errorf("change email %v: %d, want %d", tc.form, r.status, tc.status)
		}
	}
	r := h.post(c, pages.EmailChangePath, url.Values{"email": {"not-an-address"}}, "Datastar-Request", "true")
	if !strings.Contains(r.body, `id="email-change-panel"`) || !strings.Contains(r.body, msg(messages.EmailInvalid)) {
		t.Fatalf("inline error over Datastar: %s", r.body)
	}
	if r := h.post(c, pages.EmailChangePath, url.Values{"email": {"New@Example.com"}}); r.status != 200 || !strings.Contains(r.body, `data-testid="email-change-code"`) {
		t.Fatalf("request code: %d %s", r.status, r.body)
	}
	code := sixDigits(t, h.awaitMail(t, "new@example.com", "change_email_code").Text)
	if r := h.post(c, pages.EmailChangeCodePath, url.Values{"email": {"new@example.com"}, "code": {"000000"}}); r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Fatalf("wrong code: %d", r.status)
	}
	r = h.post(c, pages.EmailChangeCodePath, url.Values{"email": {"new@example.com"}, "code": {code}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}
	if r := h.get(c, "/account"); !strings.Contains(r.body, "new@example.com") || !strings.Contains(r.body, msg(messages.EmailChanged)) || strings.Contains(r.body, "ada@example.com") {
		t.Fatalf("account after change: %s", r.body)
	}
	notice := h.awaitMail(t, "ada@example.com", "email_changed")
	if !strings.Contains(notice.Text, "n***@example.com") || strings.Contains(notice.Text, "new@example.com") {
		t.Fatalf("notice to the old address: %q", notice.Text)
	}
	// The old address no longer logs in; the new one does.
	if r := h.post(h.browser(), "/login", creds("ada@example.com", settingsPW)); r.status != http.StatusUnauthorized {
		t.Fatalf("old address still logs in: %d", r.status)
	}
	if r := h.post(h.browser(), "/login", creds("new@example.com", settingsPW)); r.status != http.StatusSeeOther {
		t.Fatalf("new address does not log in: %d", r.status)
	}
}

func TestPhoneOnlyAccountReauthsByCodeAndAddsAnEmail(t *testing.T) {
	t.Parallel()
	h := phoneHarness(t)
	c := h.phoneSignup(t, "07400 123456", "+447400123456", 1)
	h.stale()
	r := h.get(c, pages.ReauthURL(pages.EmailChangePath))
	if r.status != 200 || strings.Contains(r.body, `type="password"`) || !strings.Contains(r.body, "+44 ••• ••• •56") {
		t.Fatalf("reauth page for a phone-only account: %d %s", r.status, r.body)
	}
	if panel := r.body[strings.Index(r.body, `id="reauth-panel"`):]; strings.Contains(panel, "+447400123456") {
		t.Fatal("the reauth panel shows the whole number")
	}
	r = h.post(c, pages.ReauthSendPath, url.Values{"next": {pages.EmailChangePath}})
	if r.status != 200 || !strings.Contains(r.body, `data-testid="reauth-code"`) {
		t.Fatalf("send reauth code: %d %s", r.status, r.body)
	}
	code := h.awaitNthCode(t, "+447400123456", 2)
	if r := h.post(c, pages.ReauthPath, url.Values{"method": {"code"}, "code": {"000000"}, "next": {pages.EmailChangePath}}); r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Fatalf("wrong reauth code: %d", r.status)
	}
	// A password cannot stand in for the code.
	if r := h.post(c, pages.ReauthPath, url.Values{"password": {"anything-at-all"}, "next": {pages.EmailChangePath}}); r.status != http.StatusUnauthorized {
		t.Fatalf("password on a passwordless account: %d", r.status)
	}
	r = h.post(c, pages.ReauthPath, url.Values{"method": {"code"}, "code": {code}, "next": {pages.EmailChangePath}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != pages.EmailChangePath {
		t.Fatalf("reauth by code: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if r := h.get(c, pages.EmailChangePath); r.status != 200 || !strings.Contains(r.body, msg(messages.EmailAddTitle)) {
		t.Fatalf("add-email page: %d", r.status)
	}
	h.post(c, pages.EmailChangePath, url.Values{"email": {"ada@example.com"}})
	code = sixDigits(t, h.awaitMail(t, "ada@example.com", "change_email_code").Text)
	if r := h.post(c, pages.EmailChangeCodePath, url.Values{"email": {"ada@example.com"}, "code": {code}}); r.status != http.StatusSeeOther {
		t.Fatalf("add email: %d %s", r.status, r.body)
	}
	if r := h.get(c, "/account"); !strings.Contains(r.body, msg(messages.EmailAdded)) || !strings.Contains(r.body, "ada@example.com") {
		t.Fatalf("account after adding an email: %s", r.body)
	}
	// Now either identity can go, but not both.
	if r := h.post(c, pages.IdentityRemovePath, url.Values{"kind": {"phone"}, "value": {"+447400123456"}}); r.status != http.StatusSeeOther {
		t.Fatalf("remove the number: %d %s", r.status, r.body)
	}
	if r := h.post(c, pages.IdentityRemovePath, url.Values{"kind": {"email"}, "value": {"ada@example.com"}}); r.status != http.StatusConflict {
		t.Fatalf("remove the last address: %d", r.status)
	}
}

func TestEmailCodeLoginRestoresADeletedAccount(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	c := h.signup("ada@example.com", settingsPW)
	if r := h.post(c, pages.DeletePath, url.Values{"confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	back := h.browser()
	if r := h.post(back, pages.CodeLoginPath, url.Values{"email": {"ada@example.com"}}); r.status != 200 {
		t.Fatalf("ask for a code: %d", r.status)
	}
	code := h.awaitCode(t, "ada@example.com")
	r := h.post(back, pages.CodeLoginVerifyPath, url.Values{"email": {"ada@example.com"}, "code": {code}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("code login in grace: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if r := h.get(back, "/account"); r.status != 200 || !strings.Contains(r.body, msg(messages.AccountRestored)) {
		t.Fatalf("account after a code login: %d", r.status)
	}
}
