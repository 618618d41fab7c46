package web_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/latch-dev/latch/client/messages"
)

// Browser tests of the module's token manager (client/wasm/tokens.go): an
// access token for the page's session, kept in memory, renewed before it
// ends while the page uses it, shared by the tabs of one browser, and given
// up cleanly when the session ends.

// tokenWatch sees, on the server, every token the browser mints and every
// API call it makes.
type tokenWatch struct {
	mu    sync.Mutex
	mints []watchedMint
	calls []watchedCall
}

type watchedMint struct {
	at     time.Time
	status int
	token  string
}

type watchedCall struct {
	at     time.Time
	tab    string // the X-Test-Tab header the test's page script sent
	token  string
	status int
	late   bool // sent after the token's end
}

// wrap records POST /auth/token and GET /api/v1/me around next.
func (w *tokenWatch) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mint := r.Method == http.MethodPost && r.URL.Path == "/auth/token"
		call := r.Method == http.MethodGet && r.URL.Path == "/api/v1/me"
		if !mint && !call {
			next.ServeHTTP(rw, r)
			return
		}
		at := time.Now()
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			rw.Header()[k] = v
		}
		rw.WriteHeader(rec.Code)
		_, _ = rw.Write(rec.Body.Bytes())

		w.mu.Lock()
		defer w.mu.Unlock()
		if mint {
			var body struct {
				AccessToken string `json:"access_token"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			w.mints = append(w.mints, watchedMint{at: at, status: rec.Code, token: body.AccessToken})
			return
		}
		// exp is in whole seconds and the token's true end is up to a
		// second after it (iat is truncated, exp = iat + TTL): late means
		// sent after even that.
		exp := tokenExp(token)
		w.calls = append(w.calls, watchedCall{at: at, tab: r.Header.Get("X-Test-Tab"), token: token, status: rec.Code,
			late: !exp.IsZero() && at.After(exp.Add(time.Second))})
	})
}

// tokenExp reads the exp claim of an access token, unverified.
func tokenExp(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}
	}
	var c struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(raw, &c) != nil || c.Exp == 0 {
		return time.Time{}
	}
	return time.Unix(c.Exp, 0)
}

// since returns the mints and calls seen from t on.
func (w *tokenWatch) since(t time.Time) ([]watchedMint, []watchedCall) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var mints []watchedMint
	var calls []watchedCall
	for _, m := range w.mints {
		if !m.at.Before(t) {
			mints = append(mints, m)
		}
	}
	for _, c := range w.calls {
		if !c.at.Before(t) {
			calls = append(calls, c)
		}
	}
	return mints, calls
}

// minted lists every token the server handed out.
func (w *tokenWatch) minted() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, m := range w.mints {
		if m.token != "" {
			out = append(out, m.token)
		}
	}
	return out
}

// sameBrowserTab opens another tab in b's browser context, in a window of
// its own (so it is visible and painted): same cookies, storage,
// BroadcastChannel and Web Locks, as a second tab of one browser.
func (b *browser) sameBrowserTab() *browser {
	t := b.t
	t.Helper()
	tabCtx, cancelTab := chromedp.NewContext(b.ctx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	nb := &browser{t: t, h: b.h, base: b.base, ctx: tabCtx}
	nb.watchConsole()
	if _, err := chromedp.Call(tabCtx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: datastarReadyProbe}); err != nil {
		t.Fatalf("prepare the second tab: %v", err)
	}
	return nb
}

// signUpToAccount signs up through the page and lands on the account page.
func (b *browser) signUpToAccount() {
	b.t.Helper()
	b.open("/signup")
	b.navigateBy("sign up", chromedp.Steps(
		typeInto("signup-email", journeyEmail),
		typeInto("signup-password", journeyPassword),
		click(`[data-testid="signup-submit"]`),
	))
	b.wantLocation("/account")
}

// waitAPICheck waits for the account page's API check to say want.
func (b *browser) waitAPICheck(want messages.Key) {
	b.t.Helper()
	b.waitTextIn(`[data-testid="api-me-status"]`, messages.Text(want))
}

// apiLoop is what callLoop's page script reports.
type apiLoop struct {
	OK       int
	Failed   []string
	Duration float64
}

// callLoop calls GET /api/v1/me through window.latch.fetch, one call after
// another with gapMS between them, for ms milliseconds, checking each
// answer names userID. Each call carries X-Test-Tab: tab.
func (b *browser) callLoop(tab, userID string, ms, gapMS int) apiLoop {
	b.t.Helper()
	return run(b, "call the API in a loop", chromedp.Evaluate[apiLoop](`(async () => {
		const out = {OK: 0, Failed: [], Duration: 0};
		const start = Date.now();
		while (Date.now() - start < `+jsInt(ms)+`) {
			try {
				const r = await window.latch.fetch("/api/v1/me", {headers: {"X-Test-Tab": `+jsString(tab)+`}});
				const body = await r.json();
				if (r.ok && body.id === `+jsString(userID)+`) out.OK++;
				else out.Failed.push(r.status + " " + JSON.stringify(body));
			} catch (e) {
				out.Failed.push(String(e));
			}
			await new Promise((resolve) => setTimeout(resolve, `+jsInt(gapMS)+`));
		}
		out.Duration = Date.now() - start;
		return out;
	})()`, chromedp.EvalAwaitPromise))
}

func jsInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestBrowserTokensRenewWhileInUse: with 2-second access tokens, a page
// that keeps calling the API gets through several renewals without one
// failed call or one token sent past its end, and the token is never
// written anywhere a script or a later visit could read it.
func TestBrowserTokensRenewWhileInUse(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t) // before the database, to fail fast
	watch := &tokenWatch{}
	h := newHarnessWith(t, harnessOptions{dev: true, wallClock: true, wrap: watch.wrap, tokens: tokenOptions{accessTTL: 2 * time.Second}})
	b := newBrowser(t, chromium, h, true)

	b.signUpToAccount()
	id := b.accountUserID(journeyEmail).String()
	b.waitAPICheck(messages.APICheckOK)
	b.wantText(`[data-testid="api-me-user-id"]`, id)
	if keys := run(b, "read window.latch", chromedp.Evaluate[[]string](`Object.keys(window.latch)`)); strings.Join(keys, ",") != "fetch" {
		t.Fatalf("window.latch has %v, want only fetch", keys)
	}

	start := time.Now()
	loop := b.callLoop("a", id, 9000, 100)
	mints, calls := watch.since(start)
	t.Logf("%d calls in %.1f s, %d tokens minted", loop.OK, loop.Duration/1000, len(mints))
	if len(loop.Failed) > 0 {
		t.Fatalf("%d of %d calls failed: %q", len(loop.Failed), loop.OK+len(loop.Failed), loop.Failed)
	}
	if loop.OK < 30 {
		t.Fatalf("only %d calls in %.0f ms", loop.OK, loop.Duration)
	}
	// A 2 s token is renewed after 1.5 s: six or so in 9 s.
	if len(mints) < 4 {
		t.Fatalf("%d tokens minted in 9 s of calls with 2 s tokens, want at least 4", len(mints))
	}
	tokens := map[string]bool{}
	for _, c := range calls {
		tokens[c.token] = true
		if c.status != http.StatusOK || c.late {
			t.Errorf("call at %s: status %d, token sent after its end: %v", c.at.Sub(start), c.status, c.late)
		}
	}
	for _, m := range mints {
		if m.status != http.StatusOK {
			t.Errorf("mint at %s answered %d", m.at.Sub(start), m.status)
		}
	}
	if len(tokens) < 4 {
		t.Errorf("calls used %d distinct tokens, want at least 4", len(tokens))
	}

	// The token is in no storage a script, an extension's content script
	// or the next visitor of this profile could read, nor in the page.
	type stores struct {
		Local, Session, Cookie, HTML string
		Databases, Caches            []string
	}
	s := run(b, "read the page's storage", chromedp.Evaluate[stores](`(async () => ({
		Local: JSON.stringify(Object.entries(localStorage)),
		Session: JSON.stringify(Object.entries(sessionStorage)),
		Cookie: document.cookie,
		HTML: document.documentElement.outerHTML,
		Databases: (await indexedDB.databases()).map((d) => d.name),
		Caches: await caches.keys(),
	}))()`, chromedp.EvalAwaitPromise))
	if len(s.Databases) > 0 || len(s.Caches) > 0 {
		t.Errorf("the page created IndexedDB databases %q or caches %q", s.Databases, s.Caches)
	}
	minted := watch.minted()
	if len(minted) == 0 {
		t.Fatal("no token was minted")
	}
	for _, tok := range minted {
		for where, v := range map[string]string{"localStorage": s.Local, "sessionStorage": s.Session, "document.cookie": s.Cookie, "the page": s.HTML} {
			if strings.Contains(v, tok) || strings.Contains(v, tok[strings.LastIndexByte(tok, '.')+1:]) {
				t.Errorf("%s holds an access token", where)
			}
		}
	}
	if s.Local != "[]" || s.Session != "[]" {
		t.Errorf("storage is not empty: localStorage %s, sessionStorage %s", s.Local, s.Session)
	}
	b.wantCleanConsole()
}

// TestBrowserTokensOneRenewalAcrossTabs: two tabs of one browser calling
// the API at once share their token, so each time it is due only one of
// them asks the server.
func TestBrowserTokensOneRenewalAcrossTabs(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t) // before the database, to fail fast
	watch := &tokenWatch{}
	const ttl = 3 * time.Second
	h := newHarnessWith(t, harnessOptions{dev: true, wallClock: true, wrap: watch.wrap, tokens: tokenOptions{accessTTL: ttl}})
	a := newBrowser(t, chromium, h, true)
	a.signUpToAccount()
	id := a.accountUserID(journeyEmail).String()
	a.waitAPICheck(messages.APICheckOK)

	b := a.sameBrowserTab()
	b.open("/account")
	b.waitAPICheck(messages.APICheckOK)
	// The second tab minted its own token on arrival and broadcast it; the
	// first adopts it, as it outlives its own. Give the message a moment.
	time.Sleep(200 * time.Millisecond)

	start := time.Now()
	var wg sync.WaitGroup
	loops := make([]apiLoop, 2)
	for i, tab := range []*browser{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loops[i] = tab.callLoop(string(rune('a'+i)), id, 8000, 150)
		}()
	}
	wg.Wait()
	mints, calls := watch.since(start)
	t.Logf("tab a: %d calls, tab b: %d calls, %d tokens minted in %.1f s", loops[0].OK, loops[1].OK, len(mints), time.Since(start).Seconds())
	for i, l := range loops {
		if len(l.Failed) > 0 {
			t.Errorf("tab %c: %d calls failed: %q", 'a'+i, len(l.Failed), l.Failed)
		}
		if l.OK < 20 {
			t.Errorf("tab %c made only %d calls", 'a'+i, l.OK)
		}
	}
	// 3 s tokens are renewed after 2.25 s: three or four renewals in 8 s.
	// Had each tab renewed on its own, they would come in pairs, moments
	// apart (both tabs hold the same token, due at the same time).
	if len(mints) < 2 {
		t.Fatalf("%d tokens minted in 8 s with 3 s tokens, want at least 2", len(mints))
	}
	for i := 1; i < len(mints); i++ {
		if gap := mints[i].at.Sub(mints[i-1].at); gap < ttl/2 {
			t.Errorf("mints %d and %d only %s apart: both tabs renewed", i-1, i, gap)
		}
	}
	byTab := map[string]map[string]bool{"a": {}, "b": {}}
	for _, c := range calls {
		if c.status != http.StatusOK || c.late {
			t.Errorf("tab %s call at %s: status %d, token sent after its end: %v", c.tab, c.at.Sub(start), c.status, c.late)
		}
		byTab[c.tab][c.token] = true
	}
	// Both tabs sent the same tokens: the one they shared at the start and
	// then each renewal (the last may come too late for one of them).
	shared := 0
	for tok := range byTab["a"] {
		if byTab["b"][tok] {
			shared++
		}
	}
	if shared < len(mints) {
		t.Errorf("the tabs shared %d tokens (a used %d, b %d) over %d renewals", shared, len(byTab["a"]), len(byTab["b"]), len(mints))
	}
	a.wantCleanConsole()
	b.wantCleanConsole()
}

// TestBrowserTokensAfterLogoutInAnotherTab: when one tab logs out, the
// other tab's next API call fails once, cleanly (a LatchTokenError, one
// refused call, one refused mint), and nothing keeps retrying.
func TestBrowserTokensAfterLogoutInAnotherTab(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath(t) // before the database, to fail fast
	watch := &tokenWatch{}
	h := newHarnessWith(t, harnessOptions{dev: true, wrap: watch.wrap})
	a := newBrowser(t, chromium, h, true)
	a.signUpToAccount()
	id := a.accountUserID(journeyEmail).String()
	a.waitAPICheck(messages.APICheckOK)
	b := a.sameBrowserTab()
	b.open("/account")
	b.waitAPICheck(messages.APICheckOK)
	b.wantText(`[data-testid="api-me-user-id"]`, id)

	a.navigateBy("log out", click(`[data-testid="logout"]`))
	a.wantLocation("/login?from=logout")
	if run(a, "look for window.latch", chromedp.Evaluate[bool](`"latch" in window || document.documentElement.hasAttribute("data-latch-api")`)) {
		t.Error("the login page runs the token manager")
	}

	start := time.Now()
	type outcome struct{ Name, Code, Status string }
	got := run(b, "call the API after logout", chromedp.Evaluate[outcome](`window.latch.fetch("/api/v1/me").then(
		(r) => ({Status: String(r.status)}),
		(e) => ({Name: e.name, Code: e.code}))`, chromedp.EvalAwaitPromise))
	if got.Name != "LatchTokenError" || got.Code != "login_required" {
		t.Fatalf("call after logout in another tab: %+v, want a LatchTokenError login_required", got)
	}
	// Nothing more happens on its own.
	time.Sleep(3 * time.Second)
	mints, calls := watch.since(start)
	if len(calls) != 1 || calls[0].status != http.StatusUnauthorized {
		t.Errorf("API calls after logout: %+v, want one refused", calls)
	}
	if len(mints) != 1 || mints[0].status != http.StatusUnauthorized {
		t.Errorf("mints after logout: %+v, want one refused", mints)
	}

	// The page says so in words.
	b.do("check again", click(`[data-testid="api-me-again"]`))
	b.waitAPICheck(messages.APICheckSignedOut)
	if got := run(b, "read the API check's user id", chromedp.Evaluate[string](`document.querySelector('[data-testid="api-me-user-id"]').textContent`)); got != "" {
		t.Errorf("the API check still shows user id %q", got)
	}
	a.wantCleanConsole()
	b.wantCleanConsole()
}

// TestTokenEndpointOnlyOnSignedInPages: the module's token manager is
// offered on the account and devices pages only, and the account page's
// API check, a development panel, stays hidden until the module shows it
// and is not there at all outside development.
func TestTokenEndpointOnlyOnSignedInPages(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{dev: true})
	loader := regexp.MustCompile(`<script[^>]*data-latch-module="[^"]*"[^>]*>`)
	tokens := func(body string) string {
		tag := loader.FindString(body)
		if tag == "" {
			t.Fatal("no module loader tag")
		}
		m := regexp.MustCompile(`data-latch-tokens="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return ""
		}
		return m[1]
	}
	anon := h.browser()
	for _, path := range []string{"/signup", "/login"} {
		if got := tokens(h.get(anon, path).body); got != "" {
			t.Errorf("%s names token endpoint %q to a visitor", path, got)
		}
	}
	c := h.signup(journeyEmail, journeyPassword)
	for _, path := range []string{"/account", "/account/devices"} {
		if got := tokens(h.get(c, path).body); got != "/auth/token" {
			t.Errorf("%s names token endpoint %q, want /auth/token", path, got)
		}
	}
	for _, path := range []string{"/signup", "/login"} {
		r := h.get(c, path)
		if r.status == http.StatusOK && tokens(r.body) != "" {
			t.Errorf("%s names the token endpoint", path)
		}
	}
	account := h.get(c, "/account").body
	panel := regexp.MustCompile(`<section[^>]*id="api-check"[^>]*>`).FindString(account)
	if panel == "" || !strings.Contains(panel, " hidden") || !strings.Contains(panel, `data-testid="api-me"`) {
		t.Errorf("account page API check = %q, want a hidden section with data-testid=api-me", panel)
	}

	prod := newHarness(t)
	if body := prod.get(prod.signup(journeyEmail, journeyPassword), "/account").body; strings.Contains(body, `id="api-check"`) {
		t.Error("the account page shows the developer's API check outside development")
	}
}
