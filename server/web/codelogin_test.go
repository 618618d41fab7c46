package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
)

// msg is the text of k as it appears in rendered HTML.
func msg(k messages.Key) string { return html.EscapeString(messages.Text(k)) }

func TestCodeLoginIsAbsentWithoutCodeDelivery(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	for _, path := range []string{"/login/code", "/login/code/verify", "/dev/mailbox"} {
		if r := h.get(c, path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
	if r := h.post(c, "/login/code", url.Values{"email": {"a@example.com"}}); r.status != http.StatusNotFound {
		t.Errorf("POST /login/code: %d, want 404", r.status)
	}
	if r := h.get(c, "/login"); r.status != 200 || strings.Contains(r.body, "to-code-login") {
		t.Errorf("login page offers a code login with no delivery: %d", r.status)
	}
}

func TestCodeLoginPages(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	c := h.browser()
	if r := h.get(c, "/login"); !strings.Contains(r.body, `href="/login/code"`) || !strings.Contains(r.body, msg(messages.LoginUseCode)) {
		t.Fatalf("login page has no link to the code login: %s", r.body)
	}
	r := h.get(c, "/login/code")
	for _, want := range []string{`method="post"`, `action="/login/code"`, `name="email"`, `data-on:submit`, msg(messages.CodeLoginRequest)} {
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Fatalf("GET /login/code: %d, missing %q", r.status, want)
		}
	}
	if r := h.get(c, "/dev/mailbox"); r.status != http.StatusNotFound {
		t.Fatalf("GET /dev/mailbox without a dev mailbox: %d, want 404", r.status)
	}
}

// codeStep strips the address from a code step, so the steps for two
// addresses can be compared.
func codeStep(body, addr string) string {
	return strings.ReplaceAll(body, addr, "ADDR")
}

func TestCodeLoginAnswersKnownAndUnknownAlike(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("known@example.com", "correct horse staple 1")
	c := h.browser()
	known := h.post(c, "/login/code", url.Values{"email": {"known@example.com"}})
	unknown := h.post(c, "/login/code", url.Values{"email": {"nobody@example.com"}})
	if known.status != 200 || unknown.status != 200 {
		t.Fatalf("statuses %d and %d, want 200", known.status, unknown.status)
	}
	for _, want := range []string{msg(messages.CodeSent), `autocomplete="one-time-code"`, `inputmode="numeric"`,
		`type="hidden" name="email" value="known@example.com"`, `action="/login/code/verify"`, "autofocus"} {
		if !strings.Contains(known.body, want) {
			t.Fatalf("code step lacks %q", want)
		}
	}
	if codeStep(known.body, "known@example.com") != codeStep(unknown.body, "nobody@example.com") {
		t.Fatal("the code step differs between a known and an unknown address")
	}
	// Datastar gets the same step as a patch.
	ds := h.post(c, "/login/code", url.Values{"email": {"other@example.com"}}, "Datastar-Request", "true")
	if ds.status != 200 || !strings.Contains(ds.body, "datastar-patch-elements") || !strings.Contains(ds.body, `id="login-code-panel"`) ||
		!strings.Contains(ds.body, `data-init="el.focus()"`) {
		t.Fatalf("Datastar code request: %d %s", ds.status, ds.body)
	}
}

func TestCodeLoginSignsInWithAPastedCode(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("paste@example.com", "correct horse staple 1")
	c := h.browser()
	if r := h.post(c, "/login/code", url.Values{"email": {"paste@example.com"}}); r.status != 200 {
		t.Fatalf("request: %d", r.status)
	}
	code := h.awaitCode(t, "paste@example.com")
	pasted := " " + code[:3] + "-" + code[3:] + " "
	r := h.post(c, "/login/code/verify", url.Values{"email": {"paste@example.com"}, "code": {pasted}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" || sessionCookie(t, r.header) == nil {
		t.Fatalf("verify: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if a := h.get(c, "/account"); a.status != 200 || !strings.Contains(a.body, "paste@example.com") {
		t.Fatalf("account after code login: %d", a.status)
	}
	// Receiving the code proved the mailbox: the address is verified.
	if !h.verifiedNow(t, c) {
		t.Fatal("a login code did not verify the address it went to")
	}
	// The code is spent.
	other := h.browser()
	r = h.post(other, "/login/code/verify", url.Values{"email": {"paste@example.com"}, "code": {code}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Fatalf("used code: %d", r.status)
	}
}

func TestCodeLoginWithDatastarNavigatesToAccount(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("ds@example.com", "correct horse staple 1")
	c := h.browser()
	h.post(c, "/login/code", url.Values{"email": {"ds@example.com"}}, "Datastar-Request", "true")
	code := h.awaitCode(t, "ds@example.com")
	r := h.post(c, "/login/code/verify", url.Values{"email": {"ds@example.com"}, "code": {code}}, "Datastar-Request", "true")
	if r.status != 200 || !strings.Contains(r.body, "/account") || sessionCookie(t, r.header) == nil {
		t.Fatalf("Datastar verify: %d %s", r.status, r.body)
	}
}

func TestCodeLoginRefusals(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	h.signup("guess@example.com", "correct horse staple 1")
	c := h.browser()

	// A malformed email stays on the first step with the field error.
	r := h.post(c, "/login/code", url.Values{"email": {"not-an-email"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg(messages.EmailInvalid)) ||
		!strings.Contains(r.body, `value="not-an-email"`) || strings.Contains(r.body, "one-time-code") {
		t.Fatalf("malformed email: %d %s", r.status, r.body)
	}
	ds := h.post(c, "/login/code", url.Values{"email": {""}}, "Datastar-Request", "true")
	if ds.status != 200 || !strings.Contains(ds.body, msg(messages.EmailRequired)) || !strings.Contains(ds.body, `data-init="el.focus()"`) {
		t.Fatalf("empty email over Datastar: %d %s", ds.status, ds.body)
	}

	if r := h.post(c, "/login/code", url.Values{"email": {"guess@example.com"}}); r.status != 200 {
		t.Fatalf("request: %d", r.status)
	}
	// Asking again at once is limited, shown on the same code step.
	r = h.post(c, "/login/code", url.Values{"email": {"guess@example.com"}})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, msg(messages.CodeSendLimited)) ||
		!strings.Contains(r.body, `name="email" value="guess@example.com"`) || !strings.Contains(r.body, "one-time-code") {
		t.Fatalf("second request: %d %s", r.status, r.body)
	}
	code := h.awaitCode(t, "guess@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i, bad := range []string{wrong, "12345", "abcdef", strings.Repeat("9", 40)} {
		r := h.post(c, "/login/code/verify", url.Values{"email": {"guess@example.com"}, "code": {bad}})
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, msg(messages.CodeInvalid)) ||
			!strings.Contains(r.body, `name="email" value="guess@example.com"`) || !strings.Contains(r.body, "autofocus") {
			t.Fatalf("bad code %d %q: %d %s", i, bad, r.status, r.body)
		}
	}
	// A wrong code for an unknown address reads the same.
	if r := h.post(c, "/login/code/verify", url.Values{"email": {"nobody@example.com"}, "code": {wrong}}); r.status != http.StatusUnauthorized ||
		!strings.Contains(r.body, msg(messages.CodeInvalid)) {
		t.Fatalf("unknown address: %d", r.status)
	}
	for range 5 {
		h.post(c, "/login/code/verify", url.Values{"email": {"guess@example.com"}, "code": {wrong}})
	}
	// The guard refuses the next guess, even the right code, in writing.
	r = h.post(c, "/login/code/verify", url.Values{"email": {"guess@example.com"}, "code": {code}}, "Datastar-Request", "true")
	if !strings.Contains(r.body, messages.Text(messages.CodeGuessThrottled)) || !strings.Contains(r.body, `data-init="el.focus()"`) ||
		!strings.Contains(r.body, `value="guess@example.com"`) {
		t.Fatalf("right code after too many wrong ones: %d %s", r.status, r.body)
	}
	if a := h.get(c, "/account"); a.status != http.StatusSeeOther {
		t.Fatalf("account after refused codes: %d, want a redirect to login", a.status)
	}
	// The code was not voided: once the guard lets one more guess
	// through, it still signs in.
	h.clock.Advance(6 * time.Minute)
	if r := h.post(c, "/login/code/verify", url.Values{"email": {"guess@example.com"}, "code": {code}}); r.status != http.StatusSeeOther {
		t.Fatalf("right code once the wait is over: %d", r.status)
	}
}

func TestCodeLoginRefusesBadRequests(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true})
	c := h.browser()
	form := "application/x-www-form-urlencoded"
	for _, path := range []string{"/login/code", "/login/code/verify"} {
		for name, tc := range map[string]struct {
			body    string
			headers []string
			status  int
			text    messages.Key
		}{
			"oversized":    {"email=" + strings.Repeat("a", 20<<10), []string{"Content-Type", form}, 413, messages.FormTooLarge},
			"duplicated":   {"email=a%40example.com&email=b%40example.com&code=123456", []string{"Content-Type", form}, 400, messages.FormMalformed},
			"malformed":    {"email=%zz", []string{"Content-Type", form}, 400, messages.FormMalformed},
			"not a form":   {`{"email":"a@example.com"}`, []string{"Content-Type", "application/json"}, 415, messages.FormMalformed},
			"cross-origin": {"email=a%40example.com&code=123456", []string{"Content-Type", form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, messages.CrossOriginDenied},
		} {
			r := h.postRaw(c, path, tc.body, tc.headers...)
			if r.status != tc.status || !strings.Contains(r.body, msg(tc.text)) {
				t.Errorf("%s %s: %d, want %d with %q", path, name, r.status, tc.status, tc.text)
			}
		}
	}
	if r := h.get(c, "/login/code/verify"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /login/code/verify: %d, want 405", r.status)
	}
	if len(h.mailboxList(t)) != 0 {
		t.Error("a refused request sent an email")
	}
}

func TestDevMailboxListsLatestEmails(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{codes: true, devMailbox: true})
	h.createAccount(t, "dev@example.com", "correct horse staple 1") // no email sent yet
	c := h.browser()
	if r := h.get(c, "/dev/mailbox"); r.status != 200 || !strings.Contains(r.body, msg(messages.DevMailboxEmpty)) {
		t.Fatalf("empty mailbox: %d", r.status)
	}
	h.post(c, "/login/code", url.Values{"email": {"dev@example.com"}})
	code := h.awaitCode(t, "dev@example.com")
	r := h.get(c, "/dev/mailbox")
	if r.status != 200 || !strings.Contains(r.body, "dev@example.com") || !strings.Contains(r.body, code) ||
		r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("mailbox: %d %v %s", r.status, r.header, r.body)
	}
	if r := h.post(c, "/dev/mailbox", url.Values{}); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("POST /dev/mailbox: %d, want 405", r.status)
	}
}

func (h *harness) mailboxList(t *testing.T) []string {
	t.Helper()
	msgs, err := h.mailbox.List(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, m := range msgs {
		to = append(to, m.To)
	}
	return to
}
