package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/components/brand"
	"github.com/latch-dev/latch/components/email"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/admin"
	"github.com/latch-dev/latch/server/apps"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/metrics"
	"github.com/latch-dev/latch/server/outbox"
	"github.com/latch-dev/latch/server/outbox/outboxtest"
	"github.com/latch-dev/latch/server/password"
	"github.com/latch-dev/latch/server/provider"
	"github.com/latch-dev/latch/server/roles"
	"github.com/latch-dev/latch/server/session"
	"github.com/latch-dev/latch/server/web"
	"github.com/latch-dev/latch/static"
)

// testParams keeps hashing cheap in tests; benchmarks use the real cost.
var testParams = password.Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// clock is a controllable time source shared by the session manager and
// the session store. It stands still unless wall is set, when it follows
// the real clock (for browser tests whose tokens must really expire);
// Advance moves it ahead either way.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	wall   bool
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wall {
		return time.Now().Add(c.offset)
	}
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.offset += d
}

// harness is a whole Latch server on a real, private database.
type harness struct {
	t       testing.TB
	srv     *httptest.Server
	handler http.Handler
	db      *bun.DB
	appID   uuid.UUID
	clock   *clock
	audit   *db.Audit
	hasher  *password.Hasher
	logs    *strings.Builder
	tok     tokenParts
	dev     deviceParts
	mailbox *outbox.Mailbox // with harnessOptions.codes: where emails land
	second  *auth.TwoFactor // with harnessOptions.twoFactor
	// linkOrigin is the public origin emailed links are built on.
	linkOrigin string
	settings   *auth.Settings
	// deps built the server, for tests that build a variant of it.
	deps web.Deps
	// passkeys, with harnessOptions.passkeys.
	passkeys *auth.Passkeys
	// roles, with harnessOptions.admin.
	roles *roles.Service
}

type harnessOptions struct {
	params   password.Params
	hasher   auth.Hasher // overrides params when set
	idle     time.Duration
	lifetime time.Duration
	secure   bool   // serve over TLS with Secure, __Host- cookies and HSTS
	origin   string // the public origin, as behind a proxy that rewrites Host
	tokens   tokenOptions
	remember rememberOptions
	// wallClock makes the harness clock follow real time.
	wallClock bool
	// wrap, when set, wraps the whole handler, to watch requests.
	wrap func(http.Handler) http.Handler
	// codes turns on login by email code, with a River worker delivering
	// to a mailbox the test reads (h.mailbox).
	codes bool
	// devMailbox, with codes, serves the mailbox at /dev/mailbox as dev does.
	devMailbox bool
	// phones, with codes, turns on the SMS code flows (login, signup and
	// adding a number), their messages landing in h.mailbox.
	phones bool
	// recovery, with phones, turns on delayed account recovery; with
	// twoFactor, also recovery by a recovery code.
	recovery bool
	// twoFactor turns on two-step verification (authenticator codes and
	// recovery codes) for the pages, the sign-in step and the token API;
	// with codes, its notices land in h.mailbox.
	twoFactor bool
	// passwords, with codes, turns on password reset and change.
	passwords bool
	// secondFactors says who must pass a second factor at sign-in.
	secondFactors web.SecondFactors
	// metrics counts requests, events, refusals and hashes, served at
	// /metrics behind metricsToken (server/metrics).
	metrics      *metrics.Metrics
	metricsToken string
	// multiApp finds each request's app by its host among the apps in
	// the database (reloaded on every request), the default app for any
	// other host.
	multiApp bool
	// trustForwardedHost, with multiApp, picks the app by X-Forwarded-Host.
	trustForwardedHost bool
	// deleteGrace is the grace period of deleted accounts (14 days when zero).
	deleteGrace time.Duration
	// reauthenticators are extra ways to prove who you are.
	reauthenticators web.Reauthenticators
	// proofs issues proof-of-work challenges (GET /pow/challenge).
	proofs web.Proofs
	// policies replaces the guard's policy table (nil: the default).
	policies guard.Policies
	// providers, when set, configures sign-in providers; it is given the
	// public origin their callbacks are under.
	providers func(origin string) []provider.Config
	// passkeys turns on passkeys, with the relying party localhost and
	// the harness's localhost origin (h.passkeys).
	passkeys bool
	// product, when set, adds the product's own routes to the server.
	product func(*web.Server)
	// corsOrigins may call the token API from a browser.
	corsOrigins []string
	// admin turns on roles and the admin console (h.roles).
	admin bool
	// staticDir, when set, serves the static files from this folder on
	// disk, as dev does with LATCH_STATIC_DIR.
	staticDir string
	// brand is the product's brand (the built-in one when zero).
	brand brand.Brand
	// dev shows the developer panels, as LATCH_ENV=dev does.
	dev bool
}

func newHarness(t testing.TB) *harness {
	return newHarnessWith(t, harnessOptions{})
}

func newHarnessWith(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	if o.params.MemoryKiB == 0 {
		o.params = testParams
	}
	if o.idle == 0 {
		o.idle = 30 * time.Minute
	}
	if o.lifetime == 0 {
		o.lifetime = 12 * time.Hour
	}
	var bdb *bun.DB
	var pool *pgxpool.Pool
	if o.codes {
		bdb, pool = outboxtest.Open(t)
	} else {
		bdb = dbtest.Open(t)
	}
	ctx := context.Background()
	appID, err := db.AppID(ctx, bdb, "default")
	if err != nil {
		t.Fatal(err)
	}
	assets, err := static.New()
	if o.staticDir != "" {
		assets, err = static.NewFromDisk(o.staticDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Now(), wall: o.wallClock}
	logs := &strings.Builder{}
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{w: logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	hasher := password.NewHasher(o.params, 4)
	var accountHasher auth.Hasher = hasher
	if o.hasher != nil {
		accountHasher = o.hasher
	}
	audit := db.NewAudit(bdb, clk.Now)
	var recorder auth.Auditor = audit // with metrics: counted on the way
	var guardMetrics guard.Metrics
	if o.metrics != nil {
		recorder, guardMetrics = o.metrics.Audit(audit), o.metrics
		hasher.SetMetrics(o.metrics)
		if err := o.metrics.Register(append(metrics.HashQueueGauges(hasher), metrics.DBStats(bdb.DB))...); err != nil {
			t.Fatal(err)
		}
	}
	store := db.NewSessions(bdb, db.SessionKeys{User: session.UserKey, PublicID: session.PublicIDKey}, clk.Now)
	sessions := session.New(store, session.Options{
		Secure: o.secure, IdleTimeout: o.idle, Lifetime: o.lifetime, Clock: clk.Now, Logger: log,
		RememberIdleTimeout: o.remember.idle, RememberLifetime: o.remember.lifetime, AppOf: web.SessionApp,
	})
	policies := o.policies
	if policies == nil {
		// Every request of these tests comes from one address and none
		// carries a proof of work: the plain-form budgets, meant for
		// strangers' bots, are widened here. Tests of those budgets set
		// policies to guard.DefaultPolicies().
		policies = guard.DefaultPolicies()
		for _, p := range policies {
			for i, l := range p.Limits {
				if l.Unproven || l.Scope == guard.ScopeIP {
					p.Limits[i].Budget *= 20
				}
			}
		}
	}
	gd, err := guard.New(db.NewGuard(bdb, clk.Now), policies, appID, guard.Options{Clock: clk.Now, Logger: log, Metrics: guardMetrics,
		AppOf: func(ctx context.Context) (uuid.UUID, bool) { a, ok := apps.FromContext(ctx); return a.ID, ok }})
	if err != nil {
		t.Fatal(err)
	}
	// The listener exists before the server starts, so the links emailed
	// can point at it: on localhost, as browser tests browse, unless the
	// test sets a public origin.
	ts := httptest.NewUnstartedServer(nil)
	t.Cleanup(ts.Close)
	linkOrigin := o.origin
	if linkOrigin == "" {
		scheme := "http"
		if o.secure {
			scheme = "https"
		}
		linkOrigin = scheme + "://" + strings.Replace(ts.Listener.Addr().String(), "127.0.0.1", "localhost", 1)
	}
	var codes *auth.Codes
	var phones *auth.Phones
	var passwords *auth.Passwords
	var mailbox *outbox.Mailbox
	var notices auth.Notifier
	var delivery settingsDelivery
	if o.codes {
		codes, phones, passwords, mailbox, notices, delivery = newCodeParts(t, bdb, pool, recorder, clk, log, linkOrigin, accountHasher, gd)
		o.tokens.codes = codes
	}
	var signInNotices *auth.SignInNotices
	accountOptions := auth.Options{Blocklist: testBlocklist(), Clock: clk.Now, Logger: log, Guard: gd}
	if notices != nil {
		signInNotices = auth.NewSignInNotices(db.NewUsers(bdb), notices, web.SignInMessages{Brand: email.Brand{AppName: "Latch"}, Origin: linkOrigin}, gd, clk.Now, log)
		accountOptions.Restored = signInNotices
	}
	accounts := auth.NewService(db.NewUsers(bdb), accountHasher, recorder, accountOptions)
	dev := deviceParts{store: store, accounts: accounts, devices: auth.NewDevices(store, db.NewRefreshTokens(bdb), audit, clk.Now, log)}
	var second *auth.TwoFactor
	if o.twoFactor {
		second = newTwoFactor(t, bdb, audit, notices, clk, log, gd)
		o.tokens.second = second
	}
	settings := newSettings(bdb, store, accountHasher, audit, clk, log, delivery, o, gd)
	tok := newTokenParts(t, bdb, accounts, audit, clk, log, o.tokens)
	var codeRequester web.CodeRequester
	var verifier web.EmailVerifier
	var signups web.SignupFlows
	if codes != nil {
		codeRequester, verifier = codes, codes
		signups = auth.NewSignups(accounts, codes, db.NewSignups(bdb, db.NewOneTime(bdb, db.DefaultSendLimits, clk.Now), delivery.queue, clk.Now), web.CodeMessages{Brand: email.Brand{AppName: "Latch"}, Origin: linkOrigin})
	}
	var devMailbox web.DevMailbox
	if o.devMailbox && mailbox != nil {
		devMailbox = mailbox
	}
	var phoneFlows web.PhoneFlows
	if o.phones && phones != nil {
		phoneFlows = phones
	}
	var recovery web.RecoveryFlows
	if o.recovery && phones != nil {
		var codes auth.RecoveryCodes
		if second != nil {
			codes = second
		}
		recovery = newRecoveryFlows(t, bdb, phones, accountHasher, audit, clk, linkOrigin, codes, gd)
	}
	var passwordFlows web.PasswordFlows
	if o.passwords && passwords != nil {
		passwordFlows = passwords
	}
	deps := web.Deps{Locales: db.NewLocales(bdb), SecondFactors: o.secondFactors, Passwords: passwordFlows, Phones: phoneFlows, PhoneRegions: testRegions, Codes: codeRequester, DevMailbox: devMailbox, Verifier: verifier, Signups: signups, Recovery: recovery, Accounts: accounts, Devices: dev.devices, Sessions: sessions, Assets: assets, DB: bdb, Logger: log, AppID: appID, Secure: o.secure, PublicOrigin: o.origin, Brand: o.brand, Dev: o.dev,
		Tokens: tok.flows, KeySet: tok.ring, Settings: settings, Reauthenticators: o.reauthenticators,
		DeviceKey: []byte("a device key for tests, 32 bytes"),
		// Every check, send or hash must be reserved first: a flow that
		// skips the guard fails whichever test drives it.
		OnUnguarded: func(r *http.Request, problems []string) {
			t.Errorf("%s %s did unguarded work: %v", r.Method, r.URL.Path, problems)
		}}
	if signInNotices != nil {
		deps.SignInNotices = signInNotices
	}
	if second != nil {
		deps.SecondFactors, deps.TwoFactor = second, second
		if deps.Reauthenticators == nil {
			deps.Reauthenticators = web.Reauthenticators{web.AppCodeReauth{TwoFactor: second}}
		}
	}
	deps.Proofs = o.proofs
	if o.providers != nil {
		var settings []auth.ProviderSettings
		for _, pc := range o.providers(linkOrigin) {
			if pc.RedirectURL == "" {
				pc.RedirectURL = linkOrigin + "/login/with/" + pc.ID + "/callback"
			}
			p, err := provider.New(pc, nil, clk.Now)
			if err != nil {
				t.Fatal(err)
			}
			deps.IdentityProviders = append(deps.IdentityProviders, p)
			c := p.Config()
			settings = append(settings, auth.ProviderSettings{ID: c.ID, Name: c.Name, TrustEmail: c.TrustEmail, KeepTokens: c.KeepTokens})
		}
		po := auth.ProvidersOptions{Guard: gd, SecondFactors: deps.SecondFactors, Clock: clk.Now, Logger: log}
		if signInNotices != nil {
			po.Notices = signInNotices
		}
		deps.Providers = auth.NewProviders(db.NewProviders(bdb), settings, audit, po)
	}
	var passkeys *auth.Passkeys
	if o.passkeys {
		passkeys = newPasskeys(t, bdb, audit, notices, clk, log, gd, linkOrigin)
		deps.Passkeys = passkeys
	}
	deps.CORSOrigins = o.corsOrigins
	if o.multiApp {
		resolver, err := apps.NewResolver(ctx, db.NewApps(bdb), "default", linkOrigin, time.Nanosecond, log)
		if err != nil {
			t.Fatal(err)
		}
		deps.Apps, deps.TrustForwardedHost = resolver, o.trustForwardedHost
	}
	if o.metrics != nil {
		deps.Metrics, deps.MetricsHandler, deps.MetricsToken = o.metrics, o.metrics.Handler(), o.metricsToken
	}
	var roleService *roles.Service
	if o.admin {
		roleService = roles.New(db.NewRoles(bdb), audit, log)
		cd := admin.Deps{Store: db.NewAdmin(bdb), Accounts: accounts, Deleter: settings, Devices: dev.devices, Roles: roleService, Audit: audit, Clock: clk.Now, Apps: db.NewAppChanges(bdb)}
		if delivery.queue != nil {
			cd.Outbox = delivery.queue
		}
		cd.PasswordResets = passwordFlows != nil
		if second != nil {
			cd.Authenticators = second
		}
		if codes != nil {
			cd.Verifier = codes
		}
		deps.Roles, deps.Admin = roleService, admin.New(cd)
	}
	srv := web.New(deps)
	if o.product != nil {
		o.product(srv)
	}
	handler := srv.Handler()
	if o.wrap != nil {
		handler = o.wrap(handler)
	}
	ts.Config.Handler = handler
	if o.secure {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	return &harness{settings: settings, t: t, srv: ts, handler: handler, db: bdb, appID: appID, clock: clk, audit: audit, hasher: hasher, logs: logs, tok: tok, dev: dev, mailbox: mailbox, second: second, linkOrigin: linkOrigin, deps: deps, passkeys: passkeys, roles: roleService}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// browser returns a client with its own cookie jar that does not follow
// redirects, so tests see each 303.
func (h *harness) browser() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	c := new(http.Client)
	*c = *h.srv.Client() // a copy: Client returns one shared value; it trusts the test certificate on TLS
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	return c
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (h *harness) do(c *http.Client, req *http.Request) reply {
	h.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (h *harness) get(c *http.Client, path string) reply {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.do(c, req)
}

// post sends a same-origin form post, as a browser would.
func (h *harness) post(c *http.Client, path string, form url.Values, headers ...string) reply {
	h.t.Helper()
	return h.postRaw(c, path, form.Encode(), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, headers...)...)
}

func (h *harness) postRaw(c *http.Client, path, body string, headers ...string) reply {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Origin", h.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return h.do(c, req)
}

func creds(email, pw string) url.Values {
	return url.Values{"email": {email}, "password": {pw}}
}

// signup creates an account through the form and returns the signed-in
// client. With email delivery (harnessOptions.codes) it completes the
// code step, reading the code from the mailbox as the owner would.
func (h *harness) signup(email, pw string) *http.Client {
	h.t.Helper()
	c := h.browser()
	r := h.signupSteps(c, creds(email, pw))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		h.t.Fatalf("signup %s: status %d location %q body %s", email, r.status, r.header.Get("Location"), r.body)
	}
	return c
}

// signupSteps posts the signup form f from c and, with email delivery,
// the code emailed to f's address on the code step that follows. It
// returns the last answer.
func (h *harness) signupSteps(c *http.Client, f url.Values) reply {
	h.t.Helper()
	r := h.post(c, "/signup", f)
	if h.mailbox == nil {
		return r
	}
	if r.status != http.StatusOK {
		h.t.Fatalf("signup %s: status %d body %s", f.Get("email"), r.status, r.body)
	}
	code := h.awaitSignupCode(f.Get("email"))
	return h.post(c, pages.SignupVerifyPath, url.Values{"email": {f.Get("email")}, pages.CodeFieldName: {code}, pages.SignupIDField: {signupID(h.t, r.body)}})
}

func (h *harness) events(t testing.TB) []db.AuditEvent {
	t.Helper()
	evs, err := h.audit.Events(context.Background(), h.appID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func sessionCookie(t testing.TB, header http.Header) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: header}).Cookies() {
		if c.Name == session.CookieName(false) || c.Name == session.CookieName(true) {
			return c
		}
	}
	return nil
}
