// Package web is Latch's HTTP adapter: the URL map, the middleware every
// request passes through, and one file per flow. Handlers return errors;
// one adapter (errors.go) renders them for the kind of request.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/brand"
	"github.com/latch-dev/latch/components/layout"
	"github.com/latch-dev/latch/components/pages"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/protect"
	"github.com/latch-dev/latch/server/provider"
	"github.com/latch-dev/latch/server/session"
)

// Accounts is what the web layer needs from the account domain.
type Accounts interface {
	Signup(ctx context.Context, appID uuid.UUID, email, password string) (auth.SignupResult, error)
	Login(ctx context.Context, appID uuid.UUID, email, password string) (auth.User, error)
	Logout(ctx context.Context, appID, userID uuid.UUID)
	Account(ctx context.Context, appID, userID uuid.UUID) (auth.Account, error)
	// AccountOverview is the account page's one read (auth.Service.AccountOverview).
	AccountOverview(ctx context.Context, appID, userID uuid.UUID) (auth.AccountOverview, error)
	// Restore restores an account pending deletion once a sign-in's last
	// factor has passed (auth.Service.Restore).
	Restore(ctx context.Context, u auth.User, method string) (auth.User, error)
}

// Assets resolves logical asset names to hashed URLs and serves them.
type Assets interface {
	http.Handler
	URL(name string) string
}

// Pinger reports whether the database answers.
type Pinger interface {
	PingContext(ctx context.Context) error
}

// Deps is everything the web layer uses; main builds it.
type Deps struct {
	Accounts          Accounts
	Devices           Devices
	Sessions          *session.Manager
	Assets            Assets
	DB                Pinger
	Logger            *slog.Logger
	AppID             uuid.UUID      // the default app: answers every host Apps does not know (LATCH_APP)
	Secure            bool           // served over TLS: HSTS
	PublicOrigin      string         // scheme://host[:port] users reach; trusted for cross-origin checks behind a proxy
	TrustProxyHeaders bool           // take the client IP from X-Forwarded-For
	Tokens            Tokens         // the token API; nil leaves its routes out
	KeySet            KeySet         // public keys for /.well-known/jwks.json, with Tokens
	Codes             CodeRequester  // one-time login codes; nil leaves /login/code and POST /api/v1/otp out
	DevMailbox        DevMailbox     // the development mailbox; nil (always, outside dev) leaves /dev/mailbox out
	Verifier          EmailVerifier  // email verification by code and link; nil leaves its routes and prompts out
	Signups           SignupFlows    // verify-first signup by email; nil (no email delivery): signup creates the account at once
	SecondFactors     SecondFactors  // who must pass a second factor at sign-in; nil: nobody
	TwoFactor         TwoFactorFlows // two-step verification pages and the second sign-in step; nil leaves them out
	Phones            PhoneFlows     // login, signup and numbers by SMS code; nil (no SMS delivery) leaves them out
	PhoneRegions      pages.Regions  // where phone numbers may be from, for hints
	Recovery          RecoveryFlows  // delayed account recovery; nil leaves /recover out
	Passwords         PasswordFlows  // password reset and change; nil (no message delivery) leaves them out
	Proofs            Proofs         // proof-of-work challenges (pow.go); nil leaves /pow/challenge out and botCheck finds no proof
	Passkeys          PasskeyFlows   // passkeys: sign-in, second factor, the account's passkeys page; nil leaves them out
	// Settings runs re-authentication and the account settings (email,
	// identities, deletion, export, activity); nil leaves their routes out
	// and sensitive actions need no fresh proof.
	Settings AccountSettings
	// Reauthenticators are extra ways to prove who you are on ReauthPath
	// (an authenticator app…); nil offers none.
	Reauthenticators Reauthenticators
	// DeviceKey signs device cookies (device.go): a browser that signed in
	// to an account before is a known device of it. Empty: no browser is
	// ever known, so every client meets the account-wide limits.
	DeviceKey []byte
	// SignInNotices tells an account holder about a sign-in from a browser
	// that is not a known device of theirs; nil sends none.
	SignInNotices SignInNotices
	// Providers decides which account a sign-in provider's answer is, and
	// links and unlinks providers (auth.Providers); IdentityProviders are
	// the configured providers, in the order their buttons show. Either
	// empty leaves every provider route out.
	Providers         ProviderFlows
	IdentityProviders []provider.Provider
	// OnUnguarded, when set, hears of every request that checked a secret,
	// sent a message or hashed a password without a guard reservation
	// first (tests fail on it); such requests are always logged as errors.
	OnUnguarded func(r *http.Request, problems []string)
	// ReauthWindow is how long a proof of identity counts as fresh for
	// sensitive changes; zero means the default, ReauthWindow.
	ReauthWindow time.Duration
	// Roles checks permissions and grants roles (roles.Service); with
	// Admin and Settings it turns the admin console on at /admin.
	Roles Roles
	// Admin is the admin console's reading and actions (admin.Console).
	Admin AdminConsole
	// AdminSeparate serves the admin console only from AdminHandler (the
	// LATCH_ADMIN_ADDR listener), never from Handler.
	AdminSeparate bool
	// Dev is LATCH_ENV=dev: pages show developer panels (the account
	// page's API check) that end users never see.
	Dev bool
	// Brand is the product's name, logo, favicon, support contact and
	// legal links (components/brand); empty fields take the built-in
	// brand. Every page reads it from its request (brand.Of).
	Brand brand.Brand
	// CORSOrigins are the exact origins (scheme://host[:port]) whose pages
	// may call the token API (/api/v1/…) from a browser; none: no CORS.
	CORSOrigins []string
	// Metrics hears of every request, sign-in and refresh; nil counts
	// nothing. MetricsHandler, when set, is served at /metrics on this
	// listener (LATCH_METRICS=on), behind MetricsToken as a bearer token
	// when that is set.
	Metrics        Metrics
	MetricsHandler http.Handler
	MetricsToken   string
	// Apps finds each request's app by its host (app.go); nil: every
	// request is AppID's. TrustForwardedHost takes the host from
	// X-Forwarded-Host (LATCH_TRUST_FORWARDED_HOST), for a proxy that
	// rewrites Host and sets that header itself.
	Apps               AppResolver
	TrustForwardedHost bool
	// Locales keeps the language each account chose; nil: only the
	// picker's cookie and Accept-Language choose, and messages go out in
	// the language of the request that caused them.
	Locales Locales
	// DefaultLang answers requests that name no language of the catalog
	// (LATCH_DEFAULT_LANG); English when empty.
	DefaultLang messages.Lang
}

// SignInNotices sends "new sign-in" notices (auth.SignInNotices).
type SignInNotices interface {
	NewSignIn(ctx context.Context, appID, userID uuid.UUID) error
}

// Server holds the handlers.
type Server struct {
	Deps
	// brand is Deps.Brand over the built-in brand, put on every rendered
	// request.
	brand   brand.Brand
	css     []string
	scripts []string
	wasm    layout.Wasm
	// passkeyScript is the URL of static/js/passkey.js, on the pages that
	// offer a passkey.
	passkeyScript string
	// guards is routeGuards, read once: what each route may reserve.
	guards map[string][]guard.Name
	// protect is the sign-in check of Latch's pages and the product's.
	protect *protect.Protector
	// product are the routes added with Handle.
	product []productRoute
	// adminExtra are the routes added with HandleAdmin.
	adminExtra []productRoute
	// adminRouted lists the admin console's routes ("METHOD /path") the
	// last build registered, for the permission tests.
	adminRouted []string
	// routed lists every route ("METHOD /path") the last build
	// registered, for the tests that must reach every page.
	routed []string
	// langs chooses each request's language (locale.go).
	langs *languages
}

type productRoute struct {
	pattern string
	h       http.Handler
}

// New returns a Server. It resolves asset URLs once, so a missing asset
// fails at start, not on a page view.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.ReauthWindow <= 0 {
		d.ReauthWindow = ReauthWindow
	}
	return &Server{
		Deps:          d,
		brand:         d.Brand.Or(brand.Default(d.Assets.URL)),
		passkeyScript: d.Assets.URL("js/passkey.js"),
		protect: protect.New(d.Sessions, protect.Options{
			LoginPath: "/login", ReauthPath: ReauthPath, FreshFor: d.ReauthWindow,
			PublicOrigin: d.PublicOrigin, Logger: d.Logger,
		}),
		css:     []string{d.Assets.URL("css/theme.css"), d.Assets.URL("css/app.css")},
		scripts: []string{d.Assets.URL("vendor/datastar.js"), d.Assets.URL("js/controls.js")},
		wasm: layout.Wasm{
			Loader:  d.Assets.URL("js/latch.js"),
			Runtime: d.Assets.URL("vendor/wasm_exec.js"),
			Module:  d.Assets.URL("wasm/latch.wasm"),
		},
	}
}

// Protect returns the Protector Latch's own pages use, for the product's
// handlers: RequireUser, RequireFresh, RequirePermission (server/protect).
func (s *Server) Protect() *protect.Protector { return s.protect }

// Handle adds a product route to the server, inside the cookie session
// and cross-origin protection like Latch's own pages, so a Protector's
// middleware can read the session. pattern is an http.ServeMux pattern
// ("GET /reports"); call Handle before Handler.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.product = append(s.product, productRoute{pattern, h})
}

// HTTPServer returns an http.Server for h with timeouts that bound slow
// clients: headers in 5 s, a whole request in 15 s, idle keep-alives 2 min.
func HTTPServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
