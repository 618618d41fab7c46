package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/phone"
)

// testRegions is the phone configuration of the harness: numbers typed
// without a country code are British.
var testRegions = pages.Regions{Default: "GB", Allowed: []string{"GB", "US", "FR"}}

func testNumbers(t testing.TB) *phone.Numbers {
	t.Helper()
	n, err := phone.New(testRegions.Default, testRegions.Allowed)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// awaitNthCode waits for the nth message (1 for the first) to number and
// returns its code, so a test never reads an older message still at the
// top of the mailbox.
func (h *harness) awaitNthCode(t *testing.T, number string, n int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := h.mailbox.List(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		var to []string
		for i := len(msgs) - 1; i >= 0; i-- { // oldest first
			if msgs[i].To == number {
				to = append(to, msgs[i].Text)
			}
		}
		if len(to) >= n {
			return sixDigits(t, to[n-1])
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("message %d to %s never came", n, number)
	return ""
}

func phoneHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, harnessOptions{codes: true, phones: true})
}

// phoneSignup signs up number through the forms and returns the signed-in
// client.
func (h *harness) phoneSignup(t *testing.T, typed, number string, nth int) *http.Client {
	t.Helper()
	c := h.browser()
	r := h.post(c, pages.PhoneSignupPath, url.Values{"phone": {typed}})
	if r.status != 200 || !strings.Contains(r.body, `name="phone" value="`+number+`"`) {
		t.Fatalf("phone signup request: %d %s", r.status, r.body)
	}
	code := h.awaitNthCode(t, number, nth)
	r = h.post(c, pages.PhoneSignupVerifyPath, url.Values{"phone": {number}, "code": {code}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" || sessionCookie(t, r.header) == nil {
		t.Fatalf("phone signup verify: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	return c
}

func TestPhoneFlowsAreAbsentWithoutSMS(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	c := h.browser()
	for _, path := range []string{pages.PhoneSignupPath, pages.PhoneAddPath} {
		if r := h.get(c, path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
	if r := h.get(c, "/signup"); strings.Contains(r.body, "to-phone-signup") {
		t.Error("signup offers a phone signup without SMS")
	}
	r := h.get(c, pages.CodeLoginPath)
	if !strings.Contains(r.body, msg(messages.LabelEmail)) || !strings.Contains(r.body, `type="email"`) {
		t.Errorf("code login without SMS is not email-only: %s", r.body)
	}
	// A number goes down the email path and is refused as an email.
	r = h.post(c, pages.CodeLoginPath, url.Values{"email": {"+447400123456"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg(messages.EmailInvalid)) {
		t.Errorf("number without SMS: %d", r.status)
	}
}

func TestPhoneSignupThenLoginBySMS(t *testing.T) {
	t.Parallel()
	h := phoneHarness(t)
	c := h.browser()
	if r := h.get(c, "/signup"); !strings.Contains(r.body, `href="/signup/phone"`) || !strings.Contains(r.body, msg(messages.SignupUsePhone)) {
		t.Fatal("signup page has no link to phone signup")
	}
	r := h.get(c, pages.PhoneSignupPath)
	for _, want := range []string{`method="post"`, `action="/signup/phone"`, `name="phone"`, `type="tel"`, `autocomplete="tel"`,
		`maxlength="64"`, `data-on:submit`, html.EscapeString(testRegions.Hint(context.Background()))} {
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Fatalf("GET /signup/phone: %d, missing %q", r.status, want)
		}
	}

	signedIn := h.phoneSignup(t, "07400 123456", "+447400123456", 1)
	a := h.get(signedIn, "/account")
	if a.status != 200 || !strings.Contains(a.body, "+447400123456") || !strings.Contains(a.body, msg(messages.AccountVerified)) ||
		strings.Contains(a.body, `data-testid="account-email"`) {
		t.Fatalf("account after phone signup: %d %s", a.status, a.body)
	}

	// Log in with the number on the code login page, typed another way.
	c = h.browser()
	r = h.get(c, pages.CodeLoginPath)
	if !strings.Contains(r.body, msg(messages.LabelEmailOrPhone)) || !strings.Contains(r.body, `type="text"`) || !strings.Contains(r.body, `name="email"`) {
		t.Fatalf("code login with SMS does not accept numbers: %s", r.body)
	}
	h.clock.Advance(2 * 60e9) // past the send cooldown of the signup code
	known := h.post(c, pages.CodeLoginPath, url.Values{"email": {"+44 (0)7400 123-456"}})
	unknown := h.post(c, pages.CodeLoginPath, url.Values{"email": {"07400 654321"}})
	if known.status != 200 || unknown.status != 200 {
		t.Fatalf("statuses %d and %d", known.status, unknown.status)
	}
	for _, want := range []string{msg(messages.PhoneCodeSent), `name="email" value="+447400123456"`, `autocomplete="one-time-code"`,
		html.EscapeString(messages.Fill(messages.HintSMSCode, "{phone}", "+447400123456"))} {
		if !strings.Contains(known.body, want) {
			t.Fatalf("code step lacks %q: %s", want, known.body)
		}
	}
	if codeStep(known.body, "+447400123456") != codeStep(unknown.body, "+447400654321") {
		t.Fatal("the code step differs between a known and an unknown number")
	}
	code := h.awaitNthCode(t, "+447400123456", 2)
	r = h.post(c, pages.CodeLoginVerifyPath, url.Values{"email": {"+447400123456"}, "code": {code}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" || sessionCookie(t, r.header) == nil {
		t.Fatalf("verify: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}

	// Signing up the same number again logs in to the same account.
	h.clock.Advance(2 * 60e9)
	again := h.phoneSignup(t, "+447400123456", "+447400123456", 3)
	if b := h.get(again, "/account"); !strings.Contains(b.body, accountID(t, a.body)) {
		t.Fatal("a second signup of the number reached another account")
	}
	var signups int
	for _, e := range h.events(t) {
		if e.Event == "signup" {
			signups++
		}
	}
	if signups != 1 {
		t.Fatalf("%d signup events, want 1", signups)
	}
}

func accountID(t *testing.T, body string) string {
	t.Helper()
	const marker = `data-testid="account-user-id">`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatal("no account id on the page")
	}
	rest := body[i+len(marker):]
	return rest[:strings.Index(rest, "<")]
}

func TestPhoneFormsRefuseBadInput(t *testing.T) {
	t.Parallel()
	h := phoneHarness(t)
	c := h.browser()
	for _, tc := range []struct {
		name, path, input string
		want              messages.Key
	}{
		{"not allowed country", pages.PhoneSignupPath, "+81 90 1234 5678", messages.PhoneCountryNotAllowed},
		{"landline", pages.PhoneSignupPath, "+44 20 7946 0018", messages.PhoneNotMobile},
		{"plus alone", pages.PhoneSignupPath, "+", messages.PhoneInvalid},
		{"empty", pages.PhoneSignupPath, "", messages.PhoneRequired},
		{"NUL", pages.PhoneSignupPath, "+4474001\x0023456", messages.PhoneInvalid},
		{"script", pages.PhoneSignupPath, "+44<script>alert(1)</script>", messages.PhoneInvalid},
		{"10 KB", pages.PhoneSignupPath, strings.Repeat("7", 10<<10), messages.PhoneTooLong},
		{"Unicode digits on login", pages.CodeLoginPath, "+٤٤٧٤٠٠١٢٣٤٥٦", messages.PhoneInvalid},
		{"Unicode digits alone on login", pages.CodeLoginPath, "٤٤٧٤٠٠١٢٣٤٥٦", messages.EmailInvalid}, // not number-shaped: the email path
		{"not allowed country on login", pages.CodeLoginPath, "+81 90 1234 5678", messages.PhoneCountryNotAllowed},
		{"letters on login", pages.CodeLoginPath, "0800 FLOWERS", messages.PhoneInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			field := "phone"
			if tc.path == pages.CodeLoginPath {
				field = "email"
			}
			r := h.post(c, tc.path, url.Values{field: {tc.input}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg(tc.want)) || strings.Contains(r.body, "one-time-code") {
				t.Fatalf("%q: %d, want 422 with %q: %s", tc.input, r.status, messages.Text(tc.want), r.body)
			}
			if strings.Contains(r.body, "<script>alert") {
				t.Fatal("input echoed unescaped")
			}
			ds := h.post(c, tc.path, url.Values{field: {tc.input}}, "Datastar-Request", "true")
			if ds.status != 200 || !strings.Contains(ds.body, "datastar-patch-elements") || !strings.Contains(ds.body, msg(tc.want)) ||
				!strings.Contains(ds.body, `data-init="el.focus()"`) {
				t.Fatalf("Datastar: %d %s", ds.status, ds.body)
			}
		})
	}
	// Duplicated, malformed, oversized and cross-origin posts.
	if r := h.postRaw(c, pages.PhoneSignupPath, "phone=%2B447400123456&phone=%2B447400654321", "Content-Type", "application/x-www-form-urlencoded"); r.status != http.StatusBadRequest {
		t.Errorf("duplicated phone: %d", r.status)
	}
	if r := h.postRaw(c, pages.PhoneSignupVerifyPath, "phone=%2B447400123456&code=1&code=2", "Content-Type", "application/x-www-form-urlencoded"); r.status != http.StatusBadRequest {
		t.Errorf("duplicated code: %d", r.status)
	}
	if r := h.postRaw(c, pages.PhoneSignupPath, "phone=%zz", "Content-Type", "application/x-www-form-urlencoded"); r.status != http.StatusBadRequest {
		t.Errorf("malformed body: %d", r.status)
	}
	if r := h.postRaw(c, pages.PhoneSignupPath, `{"phone":"+447400123456"}`, "Content-Type", "application/json"); r.status != http.StatusUnsupportedMediaType {
		t.Errorf("JSON body: %d", r.status)
	}
	if r := h.postRaw(c, pages.PhoneSignupPath, "phone="+strings.Repeat("7", 1<<20), "Content-Type", "application/x-www-form-urlencoded"); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", r.status)
	}
	for _, path := range []string{pages.PhoneSignupPath, pages.PhoneSignupVerifyPath, pages.PhoneAddPath, pages.PhoneAddVerifyPath} {
		r := h.post(c, path, url.Values{"phone": {"+447400123456"}, "code": {"123456"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if r.status != http.StatusForbidden || !strings.Contains(r.body, msg(messages.CrossOriginDenied)) {
			t.Errorf("cross-origin POST %s: %d", path, r.status)
		}
	}
	// A verify with a number that is not E.164 never reaches the store.
	r := h.post(c, pages.PhoneSignupVerifyPath, url.Values{"phone": {"07400 123456"}, "code": {"123456"}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Errorf("verify with a national number: %d", r.status)
	}
}

func TestPhoneAddToAccount(t *testing.T) {
	t.Parallel()
	h := phoneHarness(t)
	a := h.signup("a@example.com", "correct horse staple 1")
	page := h.get(a, "/account")
	if !strings.Contains(page.body, `href="/account/phone"`) {
		t.Fatal("account page has no link to add a phone")
	}
	if r := h.get(h.browser(), pages.PhoneAddPath); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Faccount%2Fphone" {
		t.Fatalf("signed out GET /account/phone: %d %q", r.status, r.header.Get("Location"))
	}
	r := h.post(a, pages.PhoneAddPath, url.Values{"phone": {"+1 201 555 0123"}})
	if r.status != 200 || !strings.Contains(r.body, msg(messages.PhoneAddCodeSent)) || !strings.Contains(r.body, `value="+12015550123"`) {
		t.Fatalf("add request: %d %s", r.status, r.body)
	}
	code := h.awaitNthCode(t, "+12015550123", 1)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	r = h.post(a, pages.PhoneAddVerifyPath, url.Values{"phone": {"+12015550123"}, "code": {wrong}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Fatalf("wrong code: %d", r.status)
	}
	r = h.post(a, pages.PhoneAddVerifyPath, url.Values{"phone": {"+12015550123"}, "code": {code}}, "Datastar-Request", "true")
	if r.status != 200 || !strings.Contains(r.body, "/account") || sessionCookie(t, r.header) == nil {
		t.Fatalf("add verify: %d %s", r.status, r.body)
	}
	page = h.get(a, "/account")
	if !strings.Contains(page.body, "+12015550123") || !strings.Contains(page.body, "a@example.com") || !strings.Contains(page.body, msg(messages.PhoneAdded)) {
		t.Fatalf("account after adding: %s", page.body)
	}

	// B may ask, and gets a code, but cannot take A's number.
	b := h.signup("b@example.com", "correct horse staple 2")
	h.clock.Advance(2 * 60e9)
	if r := h.post(b, pages.PhoneAddPath, url.Values{"phone": {"(201) 555-0123"}}); r.status != http.StatusUnprocessableEntity {
		// A national US number is read as British here: refused as invalid.
		t.Fatalf("national number of another region: %d", r.status)
	}
	if r := h.post(b, pages.PhoneAddPath, url.Values{"phone": {"+12015550123"}}); r.status != 200 {
		t.Fatalf("B's request: %d", r.status)
	}
	code = h.awaitNthCode(t, "+12015550123", 2)
	r = h.post(b, pages.PhoneAddVerifyPath, url.Values{"phone": {"+12015550123"}, "code": {code}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, msg(messages.PhoneTaken)) {
		t.Fatalf("B takes A's number: %d %s", r.status, r.body)
	}
	if page := h.get(b, "/account"); strings.Contains(page.body, "+12015550123") {
		t.Fatal("B's account shows A's number")
	}
	var added, refused int
	for _, e := range h.events(t) {
		if e.Event == "phone.add" && e.Outcome == "success" {
			added++
		}
		if e.Event == "phone.add" && e.Outcome == "failure" {
			refused++
		}
	}
	if added != 1 || refused != 1 {
		t.Fatalf("phone.add events: %d added, %d refused", added, refused)
	}
}

func TestDevMailboxListsSMS(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, phones: true, devMailbox: true})
	c := h.browser()
	h.post(c, pages.PhoneSignupPath, url.Values{"phone": {"+33 6 12 34 56 78"}})
	code := h.awaitNthCode(t, "+33612345678", 1)
	r := h.get(c, "/dev/mailbox")
	if r.status != 200 || !strings.Contains(r.body, `data-kind="sms"`) || !strings.Contains(r.body, "+33612345678") ||
		!strings.Contains(r.body, code) || !strings.Contains(r.body, msg(messages.DevMailboxSMS)) {
		t.Fatalf("dev mailbox: %d %s", r.status, r.body)
	}
}

func TestPhoneOnlyAccountIsNamedByItsNumber(t *testing.T) {
	t.Parallel()
	h := phoneHarness(t)
	c := h.phoneSignup(t, "+33 6 12 34 56 78", "+33612345678", 1)
	for _, path := range []string{"/account", "/account/devices", pages.PhoneAddPath} {
		r := h.get(c, path)
		if r.status != 200 || !strings.Contains(r.body, `data-testid="nav-email">`+phone.Display("+33612345678", testRegions.Default)+`<`) || !strings.Contains(r.body, "data-latch-tokens") {
			t.Errorf("GET %s: %d, the header does not name the account by its number", path, r.status)
		}
	}
}
