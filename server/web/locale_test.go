package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/pages"
)

// getLang is h.get with an Accept-Language header.
func (h *harness) getLang(c *http.Client, path, accept string) reply {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	return h.do(c, req)
}

// wantLang checks a page is wholly in l: <html lang>, Content-Language,
// Vary, and the login page's words.
func wantLang(t *testing.T, r reply, l messages.Lang, what string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: status %d", what, r.status)
	}
	if !strings.Contains(r.body, `<html lang="`+string(l)+`" dir="ltr">`) {
		t.Errorf("%s: want <html lang=%q>, page starts %.200s", what, l, r.body)
	}
	if got := r.header.Get("Content-Language"); got != string(l) {
		t.Errorf("%s: Content-Language %q, want %q", what, got, l)
	}
	if vary := strings.Join(r.header.Values("Vary"), ", "); !strings.Contains(vary, "Accept-Language") || !strings.Contains(vary, "Cookie") {
		t.Errorf("%s: Vary %q, want Accept-Language and Cookie", what, vary)
	}
	for _, k := range []messages.Key{messages.LabelEmail, messages.LoginSubmit, messages.LangPickerLabel} {
		if want := l.Text(k); !strings.Contains(r.body, want) {
			t.Errorf("%s: page lacks %s %q", what, k, want)
		}
	}
}

// TestLanguageFromAcceptLanguage: a request naming French gets the login
// page in French, whatever the region or weights; one naming no language
// the catalog has gets the default.
func TestLanguageFromAcceptLanguage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	for _, tt := range []struct {
		accept string
		want   messages.Lang
	}{
		{"fr", messages.French},
		{"fr-CA", messages.French},
		{"de-DE, fr;q=0.8, en;q=0.5", messages.French},
		{"en;q=0.2, fr;q=0.9", messages.French},
		{"en-GB,en;q=0.9", messages.English},
		{"de, ja", messages.English},
		{"", messages.English},
		{"fr;q=0", messages.English},
		{"x-!!, fr", messages.French}, // a malformed entry is skipped, not fatal
	} {
		wantLang(t, h.getLang(c, "/login", tt.accept), tt.want, "Accept-Language "+tt.accept)
	}
	if r := h.getLang(c, "/login", "fr"); !strings.Contains(r.body, "Se connecter") || !strings.Contains(r.body, "Adresse e-mail") {
		t.Error("the French login page lacks Se connecter / Adresse e-mail")
	}
	// Static files are the same in every language: no Vary on the
	// language, so caches keep one copy.
	page := h.getLang(c, "/login", "fr")
	i := strings.Index(page.body, "/static/")
	if i < 0 {
		t.Fatal("no static file linked")
	}
	asset := page.body[i : i+strings.IndexByte(page.body[i:], '"')]
	if r := h.getLang(c, asset, "fr"); r.status != http.StatusOK || r.header.Get("Content-Language") != "" ||
		strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Accept-Language") {
		t.Errorf("static %s: %d Content-Language %q Vary %q", asset, r.status, r.header.Get("Content-Language"), r.header.Values("Vary"))
	}
}

// TestHostileAcceptLanguage: oversized, malformed and repetitive headers
// neither fail nor slow the page; they read as the default language.
func TestHostileAcceptLanguage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	for _, tt := range []struct {
		name, accept string
		want         messages.Lang
	}{
		{"many dashes", strings.Repeat("a-", 3000), messages.English},
		{"long tag", "fr-" + strings.Repeat("x", 4000), messages.English},
		{"many entries", strings.Repeat("zz,", 2000) + "fr", messages.English},
		{"many entries, French first", "fr," + strings.Repeat("de-DE;q=0.5,", 1000), messages.French},
		{"bad weight", "fr;q=abc", messages.English},
		{"huge weight", "fr;q=1e309", messages.English},
		{"wildcard", "*", messages.English},
		{"semicolons", strings.Repeat(";", 4000), messages.English},
		{"private use", "x-klingon, i-default", messages.English},
		{"script", "<script>alert(1)</script>", messages.English},
		{"unicode", "fr\u00e9, ж", messages.English},
	} {
		start := time.Now()
		r := h.getLang(c, "/login", tt.accept)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", tt.name, d)
		}
		wantLang(t, r, tt.want, tt.name)
		if strings.Contains(r.body, "<script>alert") {
			t.Errorf("%s: the header is echoed", tt.name)
		}
	}
}

// TestLanguagePickerCookie: an anonymous visitor's choice is kept in a
// Lax, HttpOnly latch_lang cookie by a POST (never a GET), returns to the
// page it was made on, and wins over Accept-Language. A value the catalog
// does not have, a duplicated field or a bad content type is refused with
// a clear error and changes nothing.
func TestLanguagePickerCookie(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	wantLang(t, h.getLang(c, "/login", "en"), messages.English, "before choosing")

	for _, bad := range []url.Values{
		{"lang": {"de"}},
		{"lang": {""}},
		{"lang": {"FR"}},
		{"lang": {"fr\x00"}},
		{"lang": {"fr;"}},
		{"lang": {strings.Repeat("f", 5000)}},
		{"lang": {"fr", "en"}},
		{},
	} {
		r := h.post(c, "/language", url.Values(bad), "Accept-Language", "en")
		if r.status != http.StatusBadRequest {
			t.Errorf("lang %q: status %d, want 400", bad["lang"], r.status)
		}
		if want := messages.Text(messages.LangInvalid); len(bad["lang"]) == 1 && !strings.Contains(r.body, want) {
			t.Errorf("lang %q: the answer does not say %q", bad["lang"], want)
		}
		if sc := r.header.Values("Set-Cookie"); len(sc) > 0 {
			for _, v := range sc {
				if strings.HasPrefix(v, "latch_lang=") {
					t.Errorf("lang %q set %s", bad["lang"], v)
				}
			}
		}
	}
	if r := h.postRaw(c, "/language", `{"lang":"fr"}`, "Content-Type", "application/json"); r.status != http.StatusUnsupportedMediaType {
		t.Errorf("JSON body: %d", r.status)
	}
	if r := h.get(c, "/language?lang=fr"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /language: %d, want 405", r.status)
	}
	wantLang(t, h.getLang(c, "/login", "en"), messages.English, "after refused choices")

	r := h.post(c, "/language", url.Values{"lang": {"fr"}, "back": {"/login"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Fatalf("choosing French: %d to %q", r.status, r.header.Get("Location"))
	}
	cookie := ""
	for _, v := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "latch_lang=") {
			cookie = v
		}
	}
	for _, want := range []string{"latch_lang=fr", "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age="} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %s", cookie, want)
		}
	}
	wantLang(t, h.getLang(c, "/login", "en"), messages.French, "the cookie over Accept-Language")

	// Elsewhere than this site, and nowhere: back to the start.
	for _, back := range []string{"https://evil.example/", "//evil.example", "", "/language"} {
		r := h.post(c, "/language", url.Values{"lang": {"fr"}, "back": {back}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Errorf("back %q: %d to %q", back, r.status, r.header.Get("Location"))
		}
	}
	// A forged cookie is ignored.
	forged := h.browser()
	u, _ := url.Parse(h.srv.URL)
	forged.Jar.SetCookies(u, []*http.Cookie{{Name: "latch_lang", Value: "xx-<b>", Path: "/"}})
	wantLang(t, h.getLang(forged, "/login", "fr"), messages.French, "forged cookie, French header")
	wantLang(t, h.getLang(forged, "/login", ""), messages.English, "forged cookie")
}

// TestSavedLanguageWinsAndFollowsTheAccount: a signed-in user's choice is
// saved on the account; it wins over Accept-Language and over another
// browser's cookie, and after signing out and in again in a fresh browser
// the pages are still in that language.
func TestSavedLanguageWinsAndFollowsTheAccount(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const addr, pw = "saved-lang@example.com", "correct horse staple 1"
	c := h.signup(addr, pw)
	r := h.post(c, "/language", url.Values{"lang": {"fr"}, "back": {"/account"}}, "Accept-Language", "en")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("choosing French: %d to %q", r.status, r.header.Get("Location"))
	}
	var saved string
	if err := h.db.NewRaw(`SELECT coalesce(u.locale, '') FROM users u JOIN identities i ON i.user_id = u.id WHERE i.value = ?`, addr).
		Scan(context.Background(), &saved); err != nil || saved != "fr" {
		t.Fatalf("saved locale %q, %v", saved, err)
	}
	acct := h.getLang(c, "/account", "en")
	if acct.status != http.StatusOK || !strings.Contains(acct.body, `<html lang="fr"`) ||
		!strings.Contains(acct.body, messages.French.Text(messages.AccountTitle)) ||
		!strings.Contains(acct.body, messages.French.Text(messages.LangChanged)) {
		t.Fatalf("account page after choosing French: %d %.300s", acct.status, acct.body)
	}
	if r := h.post(c, "/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}

	// A fresh browser that asks for English and holds an English cookie.
	fresh := h.browser()
	if r := h.post(fresh, "/language", url.Values{"lang": {"en"}}); r.status != http.StatusSeeOther {
		t.Fatalf("anonymous English: %d", r.status)
	}
	wantLang(t, h.getLang(fresh, "/login", "en"), messages.English, "before signing in")
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/login", strings.NewReader(creds(addr, pw).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.srv.URL)
	req.Header.Set("Accept-Language", "en")
	if r := h.do(fresh, req); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	acct = h.getLang(fresh, "/account", "en")
	if !strings.Contains(acct.body, `<html lang="fr"`) || acct.header.Get("Content-Language") != "fr" ||
		!strings.Contains(acct.body, messages.French.Text(messages.AccountTitle)) {
		t.Fatalf("account page after signing in again: %.300s", acct.body)
	}
	// Choosing again from the account changes it back.
	if r := h.post(fresh, "/language", url.Values{"lang": {"en"}, "back": {"/account"}}); r.status != http.StatusSeeOther {
		t.Fatalf("back to English: %d", r.status)
	}
	if acct := h.getLang(fresh, "/account", "fr"); !strings.Contains(acct.body, `<html lang="en"`) {
		t.Fatalf("account page after choosing English: %.200s", acct.body)
	}
	// A refused value changes nothing saved.
	if r := h.post(fresh, "/language", url.Values{"lang": {"zz"}}); r.status != http.StatusBadRequest {
		t.Fatalf("zz: %d", r.status)
	}
	if err := h.db.NewRaw(`SELECT coalesce(u.locale, '') FROM users u JOIN identities i ON i.user_id = u.id WHERE i.value = ?`, addr).
		Scan(context.Background(), &saved); err != nil || saved != "en" {
		t.Fatalf("saved locale after a refused value %q, %v", saved, err)
	}
}

// TestEmailInRecipientLanguage: a reset email to an account that saved
// French is French even when an English browser asks for it; one to an
// address of no account follows the language of the request.
func TestEmailInRecipientLanguage(t *testing.T) {
	t.Parallel()
	h := newResetHarness(t, harnessOptions{})
	const addr = "french@example.com"
	c := h.signup(addr, resetOld)
	if r := h.post(c, "/language", url.Values{"lang": {"fr"}}); r.status != http.StatusSeeOther {
		t.Fatalf("choosing French: %d", r.status)
	}
	other := h.browser()
	if r := h.post(other, "/password/forgot", url.Values{"email": {addr}}, "Accept-Language", "en"); r.status != http.StatusOK {
		t.Fatalf("forgot: %d", r.status)
	}
	m := h.awaitMail(t, addr, "reset_password")
	for _, want := range []string{"Réinitialisez votre mot de passe", messages.French.Text(messages.EmailResetIntro), messages.French.Text(messages.EmailAutomated)} {
		if !strings.Contains(m.Subject+"\n"+m.Text, want) {
			t.Errorf("the reset email lacks %q:\n%s\n%s", want, m.Subject, m.Text)
		}
	}
	if !strings.Contains(m.HTML, messages.French.Text(messages.EmailResetButton)) || !strings.Contains(m.HTML, "expirent dans 15 minutes") {
		t.Errorf("the reset email's HTML is not French:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, `<html lang="fr" dir="ltr">`) {
		t.Errorf("the French email's document is not marked French (asked from an English browser):\n%.200s", m.HTML)
	}

	// An English account asked from a French browser: the request's
	// language only when the account saved none.
	const en = "english@example.com"
	h.signup(en, resetOld)
	if r := h.post(h.browser(), "/password/forgot", url.Values{"email": {en}}, "Accept-Language", "fr"); r.status != http.StatusOK {
		t.Fatalf("forgot: %d", r.status)
	}
	if m := h.awaitMail(t, en, "reset_password"); !strings.HasPrefix(m.Subject, "Réinitialisez") {
		t.Errorf("an account with no saved language, asked in French: subject %q", m.Subject)
	}
}

// TestSMSAndErrorsInTheRightLanguage: a text message to a number whose
// account saved French is French even when an English browser asks for
// it; a JSON error answer is in the request's language; the devices page
// names an unknown device in the account's language.
func TestSMSAndErrorsInTheRightLanguage(t *testing.T) {
	t.Parallel()
	h := phoneHarness(t)
	const number = "+447400123456"
	c := h.phoneSignup(t, "07400 123456", number, 1)
	if r := h.post(c, "/language", url.Values{"lang": {"fr"}}); r.status != http.StatusSeeOther {
		t.Fatalf("choosing French: %d", r.status)
	}
	if r := h.get(c, "/account/devices"); !strings.Contains(r.body, messages.French.Text(messages.DevicesTitle)) ||
		!strings.Contains(r.body, messages.French.Text(messages.DeviceUnknownBrowser)) {
		t.Errorf("the devices page is not French: %.300s", r.body)
	}
	if r := h.post(h.browser(), pages.CodeLoginPath, url.Values{"email": {number}}, "Accept-Language", "en"); r.status != http.StatusOK {
		t.Fatalf("code login by SMS: %d", r.status)
	}
	code := h.awaitNthCode(t, number, 2)
	var text string
	msgs, err := h.mailbox.List(context.Background(), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs { // newest first
		if m.To == number {
			text = m.Text
			break
		}
	}
	if want := messages.French.Fill(messages.SMSLoginCode, "{code}", code, "{app}", "Latch", "{minutes}", "10"); text != want {
		t.Errorf("the SMS reads %q, want %q", text, want)
	}

	r := h.postRaw(h.browser(), "/language", "lang=zz", "Content-Type", "application/x-www-form-urlencoded",
		"Accept", "application/json", "Accept-Language", "fr")
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `"message":"`+messages.French.Text(messages.LangInvalid)) ||
		!strings.Contains(r.body, `"error":"lang.invalid"`) {
		t.Errorf("JSON error in French: %d %s", r.status, r.body)
	}
}
