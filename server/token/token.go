// Package token signs and verifies Latch's access tokens and keeps the keys
// that sign them.
//
// Access tokens are JWTs signed with Ed25519 (JWS "EdDSA"), typed "at+jwt",
// carrying sub (the user id), sid (the refresh-token family or browser
// session they were issued for), app, iss, aud (when the ring has an
// Audience, as Latch's always does), iat and exp, and a kid header naming
// the key. Verification is strict: only EdDSA, only a kid the ring
// publishes, exp and iat required and checked, iss must match, aud must be
// present and name the ring's Audience when it has one, base64 must be
// canonical.
//
// Signing keys live in the database (a KeyStore), their private halves
// sealed with AES-256-GCM under a key-encryption key from the environment.
// The first key is made on first start and kept; Rotate adds a new one and
// keeps the old public keys published until the last token they signed has
// expired. JWKS builds the RFC 7517 document (RFC 8037 OKP keys) that third
// parties verify with.
//
// The package also makes the opaque refresh tokens (NewRefreshToken) and
// the Sealer that keeps small secrets encrypted at rest.
package token

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// TypeAccessToken is the JWT "typ" header of Latch's access tokens
// (RFC 9068), so they cannot be confused with other JWTs.
const TypeAccessToken = "at+jwt"

// ErrInvalid is returned by Verify for any token that must be refused.
// The wrapped detail is for the log only.
var ErrInvalid = errors.New("token: invalid access token")

// Claims is what an access token says.
type Claims struct {
	UserID    uuid.UUID // sub
	SessionID uuid.UUID // sid: the refresh family or browser session
	AppID     uuid.UUID // app
	IssuedAt  time.Time // iat
	ExpiresAt time.Time // exp
	KeyID     string    // kid header, set by Issue and Verify
	// Roles are the user's roles when the token was issued (roles,
	// omitted when none): for a product's coarse checks. They live as
	// long as the token; Latch's own permission checks read the database.
	Roles []string
}

type jwtClaims struct {
	jwt.RegisteredClaims
	SID   string   `json:"sid"`
	App   string   `json:"app"`
	Roles []string `json:"roles,omitempty"`
}

// Issue signs an access token for c.UserID, c.SessionID and c.AppID with
// the active key. It sets IssuedAt (now, whole seconds), ExpiresAt (now +
// AccessTTL) and KeyID, and returns the token and the completed claims.
//
// Errors: ErrNoSigningKey; a signing failure.
func (r *Ring) Issue(c Claims) (string, Claims, error) {
	at := r.opt.Clock().UTC()
	k, ok := r.active(at)
	now := at.Truncate(time.Second)
	if !ok {
		return "", Claims{}, ErrNoSigningKey
	}
	c.IssuedAt, c.ExpiresAt, c.KeyID = now, now.Add(r.opt.AccessTTL), k.ID
	jc := jwtClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    r.opt.Issuer,
			Subject:   c.UserID.String(),
			IssuedAt:  jwt.NewNumericDate(c.IssuedAt),
			ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
		},
		SID:   c.SessionID.String(),
		App:   c.AppID.String(),
		Roles: c.Roles,
	}
	if r.opt.Audience != "" {
		jc.Audience = jwt.ClaimStrings{r.opt.Audience}
	}
	if c.AppID != uuid.Nil {
		jc.Audience = append(jc.Audience, AppAudience(c.AppID))
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jc)
	t.Header["kid"] = k.ID
	t.Header["typ"] = TypeAccessToken
	s, err := t.SignedString(k.private)
	if err != nil {
		return "", Claims{}, fmt.Errorf("token: sign: %w", err)
	}
	return s, c, nil
}

// Verify checks an access token and returns its claims. It refuses any
// algorithm but EdDSA, a missing or unknown kid (after one rate-limited
// reload of the ring), a typ other than at+jwt, a missing or past exp, a
// missing or future iat, an issuer or audience other than the ring's, and
// sub, sid or app that are not UUIDs. It does not know about revocation:
// callers check the sid against the store.
//
// Errors: ErrInvalid, wrapping the reason for the log.
func (r *Ring) Verify(ctx context.Context, raw string) (Claims, error) {
	if raw == "" || len(raw) > 4096 {
		return Claims{}, fmt.Errorf("%w: empty or oversized", ErrInvalid)
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{AlgEdDSA}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(r.opt.Leeway),
		jwt.WithTimeFunc(r.opt.Clock),
		jwt.WithStrictDecoding(),
	}
	if r.opt.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(r.opt.Issuer))
	}
	if r.opt.Audience != "" {
		opts = append(opts, jwt.WithAudience(r.opt.Audience))
	}
	var jc jwtClaims
	var kid string
	t, err := jwt.NewParser(opts...).ParseWithClaims(raw, &jc, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodEdDSA {
			return nil, errors.New("algorithm is not EdDSA")
		}
		if typ, _ := t.Header["typ"].(string); !strings.EqualFold(typ, TypeAccessToken) {
			return nil, errors.New("typ is not at+jwt")
		}
		kid, _ = t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("no kid")
		}
		now := r.opt.Clock().UTC()
		k, ok := r.key(kid, now)
		if !ok && r.reloadForUnknownKID(ctx) {
			k, ok = r.key(kid, now)
		}
		if !ok {
			return nil, errors.New("unknown kid")
		}
		return k.Public, nil
	})
	if err != nil || !t.Valid {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if jc.IssuedAt == nil || jc.ExpiresAt == nil {
		return Claims{}, fmt.Errorf("%w: iat or exp missing", ErrInvalid)
	}
	c := Claims{KeyID: kid, IssuedAt: jc.IssuedAt.Time, ExpiresAt: jc.ExpiresAt.Time, Roles: jc.Roles}
	if c.UserID, err = uuid.Parse(jc.Subject); err != nil {
		return Claims{}, fmt.Errorf("%w: sub is not a user id", ErrInvalid)
	}
	if c.SessionID, err = uuid.Parse(jc.SID); err != nil {
		return Claims{}, fmt.Errorf("%w: sid is not an id", ErrInvalid)
	}
	if c.AppID, err = uuid.Parse(jc.App); err != nil {
		return Claims{}, fmt.Errorf("%w: app is not an id", ErrInvalid)
	}
	if !slices.Contains(jc.Audience, AppAudience(c.AppID)) {
		return Claims{}, fmt.Errorf("%w: aud does not name the token's app", ErrInvalid)
	}
	return c, nil
}

// AppAudience is the audience naming one app, in every access token
// issued for it besides the ring's Audience: a service that accepts one
// app's tokens only requires it (accesstoken.Options.Audience), and a
// token of another app of the same deployment is refused.
func AppAudience(appID uuid.UUID) string { return "urn:latch:app:" + appID.String() }

// refreshPrefix starts every refresh token, so secret scanners can find
// leaked ones and a token pasted in the wrong place is recognisable.
const refreshPrefix = "latch_rt_"

// refreshBytes is the random part of a refresh token: 256 bits.
const refreshBytes = 32

// NewRefreshToken returns a new opaque refresh token and the SHA-256 hash
// under which it is stored. Only the hash is ever written down.
func NewRefreshToken() (token string, hash []byte, err error) {
	b := make([]byte, refreshBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(b)
	return refreshPrefix + base64.RawURLEncoding.EncodeToString(b), sum[:], nil
}

// HashRefreshToken returns the stored hash of a refresh token, or false
// when s cannot be one (wrong prefix or length), so malformed input never
// reaches the database.
//
// Lookup by this hash needs no constant-time comparison: the token carries
// 256 random bits, so learning how a guessed token's hash compares with
// stored ones reveals nothing usable about any stored token.
func HashRefreshToken(s string) ([]byte, bool) {
	rest, ok := strings.CutPrefix(s, refreshPrefix)
	if !ok || len(rest) != base64.RawURLEncoding.EncodedLen(refreshBytes) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	if err != nil || len(b) != refreshBytes {
		return nil, false
	}
	sum := sha256.Sum256(b)
	return sum[:], true
}
