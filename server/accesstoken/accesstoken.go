// Package accesstoken verifies Latch's access tokens in another Go
// service, from Latch's published keys alone: no database, no
// key-encryption key, nothing of Latch's but its URL.
//
// A Verifier fetches the JWKS document (GET /.well-known/jwks.json) on
// first use and keeps the keys for as long as the document's Cache-Control
// max-age allows (5 minutes from Latch), refetching earlier when a token
// names a kid it does not know — at most once per MinRefetch, so a flood
// of forged kids cannot turn into a flood of fetches. A failed refetch
// keeps the keys it had.
//
// A token passes when it is an EdDSA JWS (no other algorithm is tried),
// typed at+jwt, signed by a published key under its kid, issued by Issuer
// for Audience, inside exp and nbf (with Leeway for clock skew) and not
// issued in the future, with sub, sid and app that are UUIDs. Latch also
// revokes tokens when a user signs out; a verifier that only has the keys
// accepts a revoked token until it expires (5 minutes by default), which
// is the price of not asking Latch: call GET /api/v1/me instead where that
// matters.
//
// The token checks use github.com/golang-jwt/jwt/v5, the library Latch's
// own server/token signs with.
package accesstoken

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Defaults of Options.
const (
	DefaultLeeway     = 10 * time.Second
	DefaultMinRefetch = 30 * time.Second
	DefaultCacheFor   = 5 * time.Minute
	// maxCacheFor bounds a max-age the document asks for.
	maxCacheFor = time.Hour
	// maxTokenLen refuses oversized input before parsing it.
	maxTokenLen = 4096
	// maxJWKSBytes bounds the JWKS document read.
	maxJWKSBytes = 64 << 10
	// failureBackoff is how long a failed fetch is not tried again: a
	// broken or unreachable key set costs Latch one request per this, not
	// one per token.
	failureBackoff = 5 * time.Second
)

// ErrInvalid is the error of every token that must be refused; the
// wrapped detail is for the log, never for the caller's client.
var ErrInvalid = errors.New("accesstoken: invalid access token")

// ErrKeys is the error when no keys could be had at all (the JWKS
// document could not be fetched or read and none was cached).
var ErrKeys = errors.New("accesstoken: no signing keys")

// Options configure a Verifier. JWKSURL, Issuer and Audience are required.
type Options struct {
	// JWKSURL is Latch's key set, e.g. https://auth.example.com/.well-known/jwks.json.
	JWKSURL string
	// Issuer is Latch's public origin (LATCH_PUBLIC_URL), the iss of its tokens.
	Issuer string
	// Audience is the aud a token must name (LATCH_TOKEN_AUDIENCE).
	Audience string
	// Leeway is the clock skew allowed on exp, nbf and iat; DefaultLeeway
	// when zero, none when negative.
	Leeway time.Duration
	// MinRefetch is the shortest time between two fetches caused by an
	// unknown kid; DefaultMinRefetch when zero.
	MinRefetch time.Duration
	// HTTPClient fetches the key set; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// Clock is the time source; nil means time.Now.
	Clock func() time.Time
	// Logger hears of failed fetches; nil discards.
	Logger *slog.Logger
}

// Claims is what a verified access token says.
type Claims struct {
	UserID    uuid.UUID // sub
	SessionID uuid.UUID // sid: the login (refresh-token family or browser session) it was issued for
	AppID     uuid.UUID // app
	Issuer    string    // iss
	Audience  []string  // aud
	IssuedAt  time.Time // iat
	ExpiresAt time.Time // exp
	KeyID     string    // the kid header
	Roles     []string  // roles: the user's roles when it was issued (none: nil)
}

// Verifier checks access tokens. It is safe for concurrent use.
type Verifier struct {
	opt Options

	fetch sync.Mutex // one fetch at a time

	mu        sync.RWMutex
	keys      map[string]ed25519.PublicKey
	fresh     time.Time // the keys are used without a fetch until then
	lastFetch time.Time // the last fetch attempt, for MinRefetch
	fetches   int
}

// New returns a Verifier. It fetches nothing until the first Verify.
//
// Errors: a required option missing or not a URL.
func New(opt Options) (*Verifier, error) {
	if opt.JWKSURL == "" || opt.Issuer == "" || opt.Audience == "" {
		return nil, errors.New("accesstoken: JWKSURL, Issuer and Audience are required")
	}
	if !strings.HasPrefix(opt.JWKSURL, "https://") && !strings.HasPrefix(opt.JWKSURL, "http://") {
		return nil, fmt.Errorf("accesstoken: JWKSURL %q is not an http(s) URL", opt.JWKSURL)
	}
	switch {
	case opt.Leeway == 0:
		opt.Leeway = DefaultLeeway
	case opt.Leeway < 0:
		opt.Leeway = 0
	}
	if opt.MinRefetch <= 0 {
		opt.MinRefetch = DefaultMinRefetch
	}
	if opt.HTTPClient == nil {
		opt.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Verifier{opt: opt}, nil
}

// ForLatch returns the Options for the Latch at origin (its
// LATCH_PUBLIC_URL) whose tokens name audience.
func ForLatch(origin, audience string) Options {
	origin = strings.TrimRight(origin, "/")
	return Options{JWKSURL: origin + "/.well-known/jwks.json", Issuer: origin, Audience: audience}
}

// Fetches is how many times the key set was fetched (for tests and
// metrics).
func (v *Verifier) Fetches() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.fetches
}

type jwtClaims struct {
	jwt.RegisteredClaims
	SID   string   `json:"sid"`
	App   string   `json:"app"`
	Roles []string `json:"roles,omitempty"`
}

// Verify checks raw and returns its claims.
//
// Errors: ErrInvalid (wrapping why) for a token to refuse; ErrKeys when
// no key set could be had, which is the verifier's failure, not the
// token's (answer 503, not 401).
func (v *Verifier) Verify(ctx context.Context, raw string) (Claims, error) {
	if raw == "" || len(raw) > maxTokenLen {
		return Claims{}, fmt.Errorf("%w: empty or oversized", ErrInvalid)
	}
	if err := v.ensureKeys(ctx); err != nil {
		return Claims{}, err
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(v.opt.Issuer),
		jwt.WithAudience(v.opt.Audience),
		jwt.WithLeeway(v.opt.Leeway),
		jwt.WithTimeFunc(v.opt.Clock),
		jwt.WithStrictDecoding(),
	)
	var jc jwtClaims
	var kid string
	var keysErr error
	t, err := parser.ParseWithClaims(raw, &jc, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodEdDSA {
			return nil, errors.New("algorithm is not EdDSA")
		}
		if typ, _ := t.Header["typ"].(string); !strings.EqualFold(typ, "at+jwt") {
			return nil, errors.New("typ is not at+jwt")
		}
		kid, _ = t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("no kid")
		}
		k, ok := v.key(kid)
		if !ok {
			if keysErr = v.refetchForUnknownKID(ctx); keysErr == nil {
				k, ok = v.key(kid)
			}
		}
		if !ok {
			return nil, fmt.Errorf("unknown kid %q", kid)
		}
		return k, nil
	})
	if err != nil || !t.Valid {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if jc.IssuedAt == nil || jc.ExpiresAt == nil {
		return Claims{}, fmt.Errorf("%w: iat or exp missing", ErrInvalid)
	}
	c := Claims{KeyID: kid, Issuer: jc.Issuer, Audience: jc.Audience, IssuedAt: jc.IssuedAt.Time, ExpiresAt: jc.ExpiresAt.Time, Roles: jc.Roles}
	if c.UserID, err = uuid.Parse(jc.Subject); err != nil {
		return Claims{}, fmt.Errorf("%w: sub is not a user id", ErrInvalid)
	}
	if c.SessionID, err = uuid.Parse(jc.SID); err != nil {
		return Claims{}, fmt.Errorf("%w: sid is not an id", ErrInvalid)
	}
	if c.AppID, err = uuid.Parse(jc.App); err != nil {
		return Claims{}, fmt.Errorf("%w: app is not an id", ErrInvalid)
	}
	return c, nil
}

func (v *Verifier) key(kid string) (ed25519.PublicKey, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	k, ok := v.keys[kid]
	return k, ok
}

// ensureKeys fetches the key set when there is none or it is stale. A
// stale set whose refetch fails is kept (and the failure logged).
func (v *Verifier) ensureKeys(ctx context.Context) error {
	v.mu.RLock()
	have, fresh := len(v.keys) > 0, v.opt.Clock().Before(v.fresh)
	v.mu.RUnlock()
	if fresh {
		return nil
	}
	v.fetch.Lock()
	defer v.fetch.Unlock()
	now := v.opt.Clock()
	v.mu.RLock()
	fresh = now.Before(v.fresh)
	have = len(v.keys) > 0
	failedRecently := v.fetches > 0 && now.Sub(v.lastFetch) < failureBackoff
	v.mu.RUnlock()
	if fresh { // another caller fetched meanwhile
		return nil
	}
	if !have && failedRecently {
		return fmt.Errorf("%w: the last fetch failed less than %v ago", ErrKeys, failureBackoff)
	}
	err := v.fetchKeys(ctx)
	if err != nil && have {
		v.opt.Logger.WarnContext(ctx, "JWKS refetch failed; keeping the cached keys", "url", v.opt.JWKSURL, "err", err)
		v.mu.Lock()
		v.fresh = now.Add(failureBackoff)
		v.mu.Unlock()
		return nil
	}
	return err
}

// refetchForUnknownKID fetches the key set again unless the last fetch is
// younger than MinRefetch.
func (v *Verifier) refetchForUnknownKID(ctx context.Context) error {
	v.fetch.Lock()
	defer v.fetch.Unlock()
	v.mu.RLock()
	recent := v.opt.Clock().Sub(v.lastFetch) < v.opt.MinRefetch
	v.mu.RUnlock()
	if recent {
		return nil
	}
	if err := v.fetchKeys(ctx); err != nil {
		v.opt.Logger.WarnContext(ctx, "JWKS refetch for an unknown kid failed", "url", v.opt.JWKSURL, "err", err)
		return err
	}
	return nil
}

type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// fetchKeys loads the key set; the caller holds v.fetch.
func (v *Verifier) fetchKeys(ctx context.Context) error {
	now := v.opt.Clock()
	v.mu.Lock()
	v.lastFetch = now
	v.fetches++
	v.mu.Unlock()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.opt.JWKSURL, nil)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrKeys, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.opt.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrKeys, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: GET %s: %s", ErrKeys, v.opt.JWKSURL, resp.Status)
	}
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKSBytes)).Decode(&doc); err != nil {
		return fmt.Errorf("%w: reading the key set: %v", ErrKeys, err)
	}
	keys := make(map[string]ed25519.PublicKey, len(doc.Keys))
	for _, k := range doc.Keys {
		if k.Kty != "OKP" || k.Crv != "Ed25519" || k.Kid == "" || (k.Alg != "" && k.Alg != "EdDSA") || (k.Use != "" && k.Use != "sig") {
			continue // not a key Latch signs with: never used
		}
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			continue
		}
		keys[k.Kid] = ed25519.PublicKey(x)
	}
	if len(keys) == 0 {
		return fmt.Errorf("%w: the key set at %s has no Ed25519 signing key", ErrKeys, v.opt.JWKSURL)
	}
	v.mu.Lock()
	v.keys = keys
	v.fresh = now.Add(cacheFor(resp.Header.Get("Cache-Control")))
	v.mu.Unlock()
	return nil
}

// cacheFor is the max-age of a Cache-Control header, bounded, or
// DefaultCacheFor without one.
func cacheFor(cc string) time.Duration {
	for _, part := range strings.Split(cc, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		if strings.EqualFold(name, "no-store") || strings.EqualFold(name, "no-cache") {
			return 0
		}
		if strings.EqualFold(name, "max-age") {
			if n, err := strconv.Atoi(value); err == nil && n >= 0 {
				return min(time.Duration(n)*time.Second, maxCacheFor)
			}
		}
	}
	return DefaultCacheFor
}

type claimsKey struct{}

// FromContext returns the claims Middleware put in ctx.
func FromContext(ctx context.Context) (Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(Claims)
	return c, ok
}

// Middleware runs next for a request with a valid Authorization: Bearer
// access token, its claims in the context (FromContext). Without one it
// answers 401 with WWW-Authenticate (RFC 6750: a bare challenge, or
// error="invalid_token"); when no key set can be had, 503.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values := r.Header.Values("Authorization")
		scheme, raw, _ := strings.Cut(strings.TrimSpace(strings.Join(values, "")), " ")
		if len(values) != 1 || !strings.EqualFold(scheme, "Bearer") {
			w.Header().Set("WWW-Authenticate", `Bearer`)
			writeError(w, http.StatusUnauthorized, "invalid_token", "An access token is required.")
			return
		}
		c, err := v.Verify(r.Context(), strings.TrimSpace(raw))
		if err != nil {
			if errors.Is(err, ErrInvalid) {
				v.opt.Logger.InfoContext(r.Context(), "access token refused", "err", err)
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				writeError(w, http.StatusUnauthorized, "invalid_token", "The access token is invalid or expired.")
				return
			}
			v.opt.Logger.ErrorContext(r.Context(), "access tokens cannot be checked", "err", err)
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "Try again shortly.")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, c)))
	})
}

func writeError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
