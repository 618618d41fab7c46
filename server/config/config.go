// Package config loads Latch's one Config from the environment.
//
// Every key is listed, with its default and meaning, in .env.example at the
// repository root. Load never reads files or global state: main passes
// os.Getenv, tests pass a map.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/components/brand"
	"github.com/latch-dev/latch/server/guard"
	"github.com/latch-dev/latch/server/password"
	"github.com/latch-dev/latch/server/phone"
	"github.com/latch-dev/latch/server/pow"
	"github.com/latch-dev/latch/server/provider"
	"github.com/latch-dev/latch/server/token"
)

// Env names where Latch runs. Dev enables the local database and relaxes
// the Secure cookie flag on plain-HTTP localhost; nothing else.
type Env string

// The environments Latch knows.
const (
	EnvDev        Env = "dev"
	EnvProduction Env = "production"
)

// Config is everything Latch reads from the environment.
type Config struct {
	Env Env // LATCH_ENV: dev | production (default production)

	Addr      string   // LATCH_ADDR: listen address (default 127.0.0.1:8080)
	AdminAddr string   // LATCH_ADMIN_ADDR: when set, the admin console listens here only, not on Addr
	PublicURL *url.URL // LATCH_PUBLIC_URL: the origin users reach (default http://localhost:8080)

	DatabaseURL string // DATABASE_URL: PostgreSQL DSN; empty in dev starts a local cluster
	DataDir     string // LATCH_DATA_DIR: where the dev cluster lives (default .data)
	DBMaxConns  int    // LATCH_DB_MAX_CONNS (default 20)

	App string // LATCH_APP: slug of the app this server answers for (default "default")
	// Brand is the product's name, logo, favicon, support contact and legal
	// links (LATCH_BRAND_*, brand.go); unset fields keep the built-in brand.
	Brand brand.Brand

	SessionIdleTimeout time.Duration // LATCH_SESSION_IDLE_TIMEOUT (default 30m)
	SessionLifetime    time.Duration // LATCH_SESSION_LIFETIME: absolute lifetime (default 12h)
	// "Keep me signed in" sessions: a persistent cookie and these longer limits.
	SessionRememberIdleTimeout time.Duration // LATCH_SESSION_REMEMBER_IDLE_TIMEOUT (default 168h, 7 days)
	SessionRememberLifetime    time.Duration // LATCH_SESSION_REMEMBER_LIFETIME: absolute lifetime (default 720h, 30 days)

	Argon2MemoryKiB   uint32 // LATCH_ARGON2_MEMORY_KIB (default 19456)
	Argon2Iterations  uint32 // LATCH_ARGON2_ITERATIONS (default 2)
	Argon2Parallelism uint8  // LATCH_ARGON2_PARALLELISM (default 1)
	HashConcurrency   int    // LATCH_HASH_CONCURRENCY: argon2 computations at once (default every CPU)
	// HashSharePercent is LATCH_HASH_SHARE_PERCENT: the share of those
	// slots' time hashing may use while other requests are being served
	// (default 30, password.DefaultShare; 100 never yields).
	HashSharePercent int
	HashQueue        int // LATCH_HASH_QUEUE: hashes that may wait for a slot (default 64); past it, 503
	// HashQueueWait is LATCH_HASH_QUEUE_WAIT: how long a hash may wait for
	// a slot (default 2s); past it, 503 with Retry-After.
	HashQueueWait time.Duration
	// AuditRetention is LATCH_AUDIT_RETENTION: how long audit events are
	// kept before the housekeeping prune removes them; 0 keeps them.
	AuditRetention time.Duration
	// Guard is the guard's policy table (server/guard), with the
	// LATCH_GUARD_<POLICY>_<SCOPE> overrides applied.
	Guard guard.Policies

	TrustProxyHeaders bool // LATCH_TRUST_PROXY_HEADERS: take the client IP from X-Forwarded-For's last hop
	// PowBits is LATCH_POW_BITS: the zero bits a proof of work needs at
	// its base level (default 19, under half a second in a desktop browser); the
	// rate-limit guard may raise it at run time (server/pow.Issuer.SetLevel).
	PowBits int

	AccessTokenTTL       time.Duration // LATCH_ACCESS_TOKEN_TTL: lifetime of API access tokens (default 5m)
	RefreshTokenLifetime time.Duration // LATCH_REFRESH_TOKEN_LIFETIME: absolute lifetime of a refresh-token family (default 720h)
	RefreshGrace         time.Duration // LATCH_REFRESH_GRACE: a concurrent refresh with the same token gets the same pair this long (default 10s)
	// TokenAudience is LATCH_TOKEN_AUDIENCE: the aud claim of every access
	// token, which verification requires (default the public origin, the
	// same value as iss). Services that accept Latch's tokens check it.
	TokenAudience string

	RecoveryWait time.Duration // LATCH_RECOVERY_WAIT: how long a started account recovery waits, every channel told, before it can finish (default 48h)
	// DeleteGrace is LATCH_DELETE_GRACE: how long a deleted account can be
	// restored by logging in before its personal data is purged (default
	// 336h, 14 days; at least 1h).
	DeleteGrace time.Duration
	// TokenKEK is LATCH_TOKEN_KEK decoded: the key-encryption key (32 bytes,
	// base64) that seals signing keys at rest. nil when unset: serving then
	// refuses to start in production, and in dev keeps one in
	// DataDir/keys/kek.
	TokenKEK []byte

	// SMTP delivers email (one-time codes). Unset in production, Latch
	// offers no email-code login; in dev, messages go to a local mailbox.
	SMTPHost     string // LATCH_SMTP_HOST
	SMTPPort     int    // LATCH_SMTP_PORT (default 587)
	SMTPUsername string // LATCH_SMTP_USERNAME (empty: no authentication)
	SMTPPassword string // LATCH_SMTP_PASSWORD
	SMTPFrom     string // LATCH_SMTP_FROM, e.g. "Latch <no-reply@example.com>"
	SMTPTLS      string // LATCH_SMTP_TLS: mandatory | opportunistic | implicit | none (default mandatory)

	// Phone numbers: the regions SMS codes may be sent to, and the region of
	// numbers typed without a country code.
	PhoneRegions       []string // LATCH_PHONE_REGIONS: ISO 3166-1 alpha-2 codes, comma-separated (default US,CA,GB,IE,FR,DE,NL,BE,ES,IT,AU,NZ)
	PhoneDefaultRegion string   // LATCH_PHONE_DEFAULT_REGION (default US; must be in LATCH_PHONE_REGIONS)

	// Twilio (or a gateway speaking its Messages API) delivers SMS codes.
	// Unset in production, phone login, signup and numbers are off; in dev,
	// text messages go to the local mailbox.
	TwilioAccountSID string // LATCH_TWILIO_ACCOUNT_SID
	TwilioAuthToken  string // LATCH_TWILIO_AUTH_TOKEN
	TwilioFrom       string // LATCH_TWILIO_FROM: an E.164 number or a messaging service SID
	TwilioBaseURL    string // LATCH_TWILIO_BASE_URL (default https://api.twilio.com)

	// A k-anonymity range service (Pwned Passwords' shape) that new
	// passwords are also checked against; off when empty. See breach.go.
	BreachRangeURL     string        // LATCH_BREACH_RANGE_URL, e.g. https://api.pwnedpasswords.com (default empty: off)
	BreachRangeTimeout time.Duration // LATCH_BREACH_RANGE_TIMEOUT: one lookup, failing open after it (default 2s)

	// Providers are the sign-in providers (LATCH_PROVIDERS and
	// LATCH_PROVIDER_<ID>_*, see providers.go); none by default.
	Providers []provider.Config
	// Passkeys (WebAuthn): the relying party ID passkeys are bound to and
	// the origins a ceremony may come from. By default the public URL's
	// host and its origin (http://localhost:8080 gives RP ID localhost).
	WebAuthnRPID    string   // LATCH_WEBAUTHN_RP_ID: a domain, the public host or a parent of it
	WebAuthnOrigins []string // LATCH_WEBAUTHN_ORIGINS: comma-separated origins, each on the RP ID or a subdomain of it
	Lifetimes                // policy durations and background intervals (lifetimes.go)
	CORSOrigins     []string // LATCH_CORS_ORIGINS: exact origins whose pages may call the token API (lifetimes.go)
	DevTools                 // the development loop's settings (dev.go)
	Metrics                  // the Prometheus exposition (metrics.go)
	Apps                     // several apps on one deployment (apps.go)

	// DefaultLang is LATCH_DEFAULT_LANG: the language of requests that name
	// none the catalog has (no saved choice, no picker cookie, no match in
	// Accept-Language); one of messages.Languages (default en).
	DefaultLang messages.Lang

	LogLevel  slog.Level // LATCH_LOG_LEVEL: debug | info | warn | error (default info)
	LogFormat string     // LATCH_LOG_FORMAT: text | json (default text in dev, json in production)
}

// Secure reports whether the public origin is served over TLS. It decides
// the Secure cookie flag, the __Host- cookie prefix and HSTS.
func (c Config) Secure() bool { return c.PublicURL.Scheme == "https" }

// Origin returns the public origin, scheme://host[:port], with no path.
func (c Config) Origin() string { return c.PublicURL.Scheme + "://" + c.PublicURL.Host }

// Load reads the configuration through getenv and checks it. Every problem
// found is reported at once, each naming its key; values are never echoed
// for DATABASE_URL, which may hold a password.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	c := Config{
		Env:                Env(p.str("LATCH_ENV", string(EnvProduction))),
		Addr:               p.str("LATCH_ADDR", "127.0.0.1:8080"),
		AdminAddr:          strings.TrimSpace(getenv("LATCH_ADMIN_ADDR")),
		DatabaseURL:        strings.TrimSpace(getenv("DATABASE_URL")),
		DataDir:            p.str("LATCH_DATA_DIR", ".data"),
		DBMaxConns:         p.int("LATCH_DB_MAX_CONNS", 20, 1, 1000),
		App:                p.str("LATCH_APP", "default"),
		SessionIdleTimeout: p.duration("LATCH_SESSION_IDLE_TIMEOUT", 30*time.Minute),
		SessionLifetime:    p.duration("LATCH_SESSION_LIFETIME", 12*time.Hour),
		Argon2MemoryKiB:    uint32(p.int("LATCH_ARGON2_MEMORY_KIB", 19456, 64, 4<<20)),
		Argon2Iterations:   uint32(p.int("LATCH_ARGON2_ITERATIONS", 2, 1, 100)),
		Argon2Parallelism:  uint8(p.int("LATCH_ARGON2_PARALLELISM", 1, 1, 64)),
		HashConcurrency:    p.int("LATCH_HASH_CONCURRENCY", defaultHashConcurrency(), 1, 1024),
		HashSharePercent:   p.int("LATCH_HASH_SHARE_PERCENT", int(password.DefaultShare*100), 5, 100),
		TrustProxyHeaders:  p.bool("LATCH_TRUST_PROXY_HEADERS", false),
		PowBits:            p.int("LATCH_POW_BITS", pow.DefaultBits, pow.MinBits, pow.MaxBits),

		AccessTokenTTL:       p.duration("LATCH_ACCESS_TOKEN_TTL", 5*time.Minute),
		RefreshTokenLifetime: p.duration("LATCH_REFRESH_TOKEN_LIFETIME", 30*24*time.Hour),
		RefreshGrace:         p.duration("LATCH_REFRESH_GRACE", 10*time.Second),
		RecoveryWait:         p.duration("LATCH_RECOVERY_WAIT", 48*time.Hour),
		DeleteGrace:          p.duration("LATCH_DELETE_GRACE", 14*24*time.Hour),

		SessionRememberIdleTimeout: p.duration("LATCH_SESSION_REMEMBER_IDLE_TIMEOUT", 7*24*time.Hour),
		SessionRememberLifetime:    p.duration("LATCH_SESSION_REMEMBER_LIFETIME", 30*24*time.Hour),
	}

	switch c.Env {
	case EnvDev, EnvProduction:
	default:
		p.fail("LATCH_ENV", "must be dev or production")
	}
	defaultLogFormat := "json"
	if c.Env == EnvDev {
		defaultLogFormat = "text"
	}
	c.LogFormat = p.str("LATCH_LOG_FORMAT", defaultLogFormat)
	if c.LogFormat != "text" && c.LogFormat != "json" {
		p.fail("LATCH_LOG_FORMAT", "must be text or json")
	}
	if err := c.LogLevel.UnmarshalText([]byte(p.str("LATCH_LOG_LEVEL", "info"))); err != nil {
		p.fail("LATCH_LOG_LEVEL", "must be debug, info, warn or error")
	}

	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		p.fail("LATCH_ADDR", "must be host:port, e.g. 127.0.0.1:8080 or :8080")
	}
	if c.AdminAddr != "" {
		if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
			p.fail("LATCH_ADMIN_ADDR", "must be host:port, e.g. 127.0.0.1:9090")
		} else if c.AdminAddr == c.Addr {
			p.fail("LATCH_ADMIN_ADDR", "must differ from LATCH_ADDR")
		}
	}
	c.PublicURL = p.publicURL("LATCH_PUBLIC_URL", "http://localhost:8080", c.Env)
	c.TokenAudience = p.str("LATCH_TOKEN_AUDIENCE", c.Origin())
	c.WebAuthnRPID, c.WebAuthnOrigins = p.webauthn(c)
	if len(c.TokenAudience) > 200 || strings.IndexFunc(c.TokenAudience, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		p.fail("LATCH_TOKEN_AUDIENCE", "must be at most 200 characters with no spaces or control characters, e.g. https://api.example.com")
	}

	if c.DatabaseURL == "" && c.Env != EnvDev {
		p.fail("DATABASE_URL", "is required in production (only LATCH_ENV=dev starts a local database)")
	}
	if !validSlug(c.App) {
		p.fail("LATCH_APP", "must be a slug: lowercase letters, digits and hyphens")
	}
	if c.SessionIdleTimeout < time.Minute {
		p.fail("LATCH_SESSION_IDLE_TIMEOUT", "must be at least 1m")
	}
	if c.SessionLifetime < c.SessionIdleTimeout {
		p.fail("LATCH_SESSION_LIFETIME", "must be at least LATCH_SESSION_IDLE_TIMEOUT")
	}
	if c.SessionRememberIdleTimeout < c.SessionIdleTimeout {
		p.fail("LATCH_SESSION_REMEMBER_IDLE_TIMEOUT", "must be at least LATCH_SESSION_IDLE_TIMEOUT")
	}
	if c.SessionRememberLifetime < c.SessionRememberIdleTimeout || c.SessionRememberLifetime < c.SessionLifetime {
		p.fail("LATCH_SESSION_REMEMBER_LIFETIME", "must be at least LATCH_SESSION_REMEMBER_IDLE_TIMEOUT and LATCH_SESSION_LIFETIME")
	}
	if c.AccessTokenTTL < 10*time.Second || c.AccessTokenTTL > time.Hour {
		p.fail("LATCH_ACCESS_TOKEN_TTL", "must be from 10s to 1h (revocation reaches third parties only when tokens expire)")
	}
	if c.RefreshTokenLifetime < time.Hour || c.RefreshTokenLifetime < c.AccessTokenTTL {
		p.fail("LATCH_REFRESH_TOKEN_LIFETIME", "must be at least 1h and at least LATCH_ACCESS_TOKEN_TTL")
	}
	if c.RefreshGrace > time.Minute {
		p.fail("LATCH_REFRESH_GRACE", "must be at most 1m")
	}
	if c.DeleteGrace < time.Hour {
		p.fail("LATCH_DELETE_GRACE", "must be at least 1h")
	}
	if v := strings.TrimSpace(getenv("LATCH_TOKEN_KEK")); v != "" {
		kek, err := token.ParseKEK(v)
		if err != nil {
			p.fail("LATCH_TOKEN_KEK", "must be 32 random bytes in base64, e.g. from `openssl rand -base64 32`")
		}
		c.TokenKEK = kek
	}
	c.SMTPHost = strings.TrimSpace(getenv("LATCH_SMTP_HOST"))
	c.SMTPPort = p.int("LATCH_SMTP_PORT", 587, 1, 65535)
	c.SMTPUsername = strings.TrimSpace(getenv("LATCH_SMTP_USERNAME"))
	c.SMTPPassword = getenv("LATCH_SMTP_PASSWORD")
	c.SMTPFrom = strings.TrimSpace(getenv("LATCH_SMTP_FROM"))
	c.SMTPTLS = p.str("LATCH_SMTP_TLS", "mandatory")
	switch c.SMTPTLS {
	case "mandatory", "opportunistic", "implicit", "none":
	default:
		p.fail("LATCH_SMTP_TLS", "must be mandatory, opportunistic, implicit or none")
	}
	if c.SMTPHost != "" && c.SMTPFrom == "" {
		p.fail("LATCH_SMTP_FROM", "is required with LATCH_SMTP_HOST")
	}
	c.DefaultLang = messages.Lang(strings.ToLower(p.str("LATCH_DEFAULT_LANG", string(messages.English))))
	if !c.DefaultLang.Supported() {
		var langs []string
		for _, l := range messages.Languages() {
			langs = append(langs, string(l))
		}
		p.fail("LATCH_DEFAULT_LANG", fmt.Sprintf("must be one of %s, got %q", strings.Join(langs, ", "), c.DefaultLang))
	}
	c.loadBrand(&p)
	c.loadPhone(&p)
	c.loadBreach(&p)
	c.loadGuard(&p)
	c.loadAudit(&p)
	c.loadProviders(&p)
	c.loadLifetimes(&p)
	c.loadCORS(&p)
	c.loadDevTools(&p)
	c.loadMetrics(&p)
	c.loadApps(&p)
	if c.Argon2MemoryKiB < 8*uint32(c.Argon2Parallelism) {
		p.fail("LATCH_ARGON2_MEMORY_KIB", "must be at least 8 × LATCH_ARGON2_PARALLELISM")
	}
	return c, errors.Join(p.errs...)
}

// DefaultPhoneRegions is LATCH_PHONE_REGIONS when unset.
const DefaultPhoneRegions = "US,CA,GB,IE,FR,DE,NL,BE,ES,IT,AU,NZ"

// SMS reports whether an SMS gateway is configured.
func (c Config) SMS() bool { return c.TwilioAccountSID != "" }

// loadPhone reads the phone regions and the Twilio settings. A region list
// naming an unknown region, or a default outside it, is refused; so are
// Twilio settings given in part.
func (c *Config) loadPhone(p *parser) {
	for _, r := range strings.Split(p.str("LATCH_PHONE_REGIONS", DefaultPhoneRegions), ",") {
		c.PhoneRegions = append(c.PhoneRegions, strings.ToUpper(strings.TrimSpace(r)))
	}
	c.PhoneDefaultRegion = strings.ToUpper(p.str("LATCH_PHONE_DEFAULT_REGION", "US"))
	var bad []string
	for _, r := range c.PhoneRegions {
		if _, err := phone.New(r, []string{r}); err != nil {
			bad = append(bad, strconv.Quote(r))
		}
	}
	switch {
	case len(bad) > 0:
		p.fail("LATCH_PHONE_REGIONS", "must be comma-separated ISO 3166-1 alpha-2 country codes such as US,GB,FR; not a region: "+strings.Join(bad, ", "))
	case !slices.Contains(c.PhoneRegions, c.PhoneDefaultRegion):
		p.fail("LATCH_PHONE_DEFAULT_REGION", fmt.Sprintf("must be one of LATCH_PHONE_REGIONS, got %q", c.PhoneDefaultRegion))
	}
	c.TwilioAccountSID = strings.TrimSpace(p.getenv("LATCH_TWILIO_ACCOUNT_SID"))
	c.TwilioAuthToken = strings.TrimSpace(p.getenv("LATCH_TWILIO_AUTH_TOKEN"))
	c.TwilioFrom = strings.TrimSpace(p.getenv("LATCH_TWILIO_FROM"))
	c.TwilioBaseURL = p.str("LATCH_TWILIO_BASE_URL", "https://api.twilio.com")
	set := 0
	for _, v := range []string{c.TwilioAccountSID, c.TwilioAuthToken, c.TwilioFrom} {
		if v != "" {
			set++
		}
	}
	if set != 0 && set != 3 {
		p.fail("LATCH_TWILIO_ACCOUNT_SID", "LATCH_TWILIO_AUTH_TOKEN and LATCH_TWILIO_FROM must be set together")
	}
	u, err := url.Parse(c.TwilioBaseURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "":
		p.fail("LATCH_TWILIO_BASE_URL", fmt.Sprintf("must be an http(s) URL such as https://api.twilio.com, got %q", c.TwilioBaseURL))
	case u.Scheme == "http" && c.Env != EnvDev && !isLoopback(u.Hostname()):
		p.fail("LATCH_TWILIO_BASE_URL", "must use https in production (the auth token travels with every request)")
	}
}

type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) fail(key, msg string) {
	p.errs = append(p.errs, fmt.Errorf("config: %s %s", key, msg))
}

func (p *parser) str(key, def string) string {
	if v := strings.TrimSpace(p.getenv(key)); v != "" {
		return v
	}
	return def
}

func (p *parser) int(key string, def, lo, hi int) int {
	v := strings.TrimSpace(p.getenv(key))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(key, fmt.Sprintf("must be a whole number from %d to %d, got %q", lo, hi, v))
		return def
	}
	return n
}

func (p *parser) bool(key string, def bool) bool {
	v := strings.TrimSpace(p.getenv(key))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(key, fmt.Sprintf("must be true or false, got %q", v))
		return def
	}
	return b
}

func (p *parser) duration(key string, def time.Duration) time.Duration {
	v := strings.TrimSpace(p.getenv(key))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail(key, fmt.Sprintf("must be a positive duration such as 30m or 12h, got %q", v))
		return def
	}
	return d
}

func (p *parser) publicURL(key, def string, env Env) *url.URL {
	raw := p.str(key, def)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		p.fail(key, fmt.Sprintf("must be an origin such as https://auth.example.com, got %q", raw))
		u, _ = url.Parse(def)
		return u
	}
	u.Path = ""
	if u.Scheme == "http" && env != EnvDev && !isLoopback(u.Hostname()) {
		p.fail(key, "must use https in production (plain http is allowed only for localhost)")
	}
	return u
}

// defaultHashConcurrency is every CPU: the hasher itself keeps to
// LATCH_HASH_SHARE_PERCENT of them while other requests are served
// (password.Hasher.Track), so logins alone use the whole machine and page
// views keep most of it in a login storm.
func defaultHashConcurrency() int {
	return runtime.GOMAXPROCS(0)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func validSlug(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r == '-' && i > 0:
		default:
			return false
		}
	}
	return true
}

// webauthn reads the passkey relying party: LATCH_WEBAUTHN_RP_ID (default
// the public URL's host) and LATCH_WEBAUTHN_ORIGINS (default the public
// origin). Each origin must be https (http only for localhost in dev or
// loopback) and on the RP ID or a subdomain of it, as browsers require.
func (p *parser) webauthn(c Config) (string, []string) {
	host, origin := c.PublicURL.Hostname(), c.Origin()
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		// Browsers refuse passkeys on an IP address: a loopback public
		// URL gets them on localhost, the same port.
		host, origin = "localhost", c.PublicURL.Scheme+"://"+net.JoinHostPort("localhost", c.PublicURL.Port())
		if c.PublicURL.Port() == "" {
			origin = c.PublicURL.Scheme + "://localhost"
		}
	}
	rpID := strings.ToLower(p.str("LATCH_WEBAUTHN_RP_ID", host))
	if rpID == "" || strings.ContainsAny(rpID, ":/ ") || net.ParseIP(rpID) != nil || len(rpID) > 253 {
		p.fail("LATCH_WEBAUTHN_RP_ID", fmt.Sprintf("must be a domain such as example.com (not an IP address or URL), got %q; passkeys need LATCH_PUBLIC_URL on a domain name, or this set", rpID))
		return host, []string{origin}
	}
	var origins []string
	raw := p.str("LATCH_WEBAUTHN_ORIGINS", origin)
	for _, o := range strings.Split(raw, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			p.fail("LATCH_WEBAUTHN_ORIGINS", fmt.Sprintf("must list origins such as https://auth.example.com, got %q", o))
			continue
		}
		host := strings.ToLower(u.Hostname())
		if host != rpID && !strings.HasSuffix(host, "."+rpID) {
			p.fail("LATCH_WEBAUTHN_ORIGINS", fmt.Sprintf("origin %q is not on the RP ID %q or a subdomain of it", o, rpID))
			continue
		}
		if u.Scheme == "http" && !isLoopback(host) {
			p.fail("LATCH_WEBAUTHN_ORIGINS", fmt.Sprintf("origin %q must use https (plain http only for localhost)", o))
			continue
		}
		origins = append(origins, u.Scheme+"://"+u.Host)
	}
	if len(origins) == 0 {
		origins = []string{origin}
	}
	return rpID, origins
}
