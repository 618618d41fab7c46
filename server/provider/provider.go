// Package provider signs people in with identity providers: any OpenID
// Connect issuer (by discovery), Google, Microsoft and Apple (OpenID
// Connect with their quirks), GitHub (OAuth 2, verified emails from its
// API) and WeChat Login (its website QR flow).
//
// A provider only answers "who is this, according to them": a Profile with
// a stable subject and, when the provider vouches for it, an email address.
// Deciding which Latch account that is belongs to the account domain
// (auth.Providers), which never matches accounts by email unless the
// operator trusts the provider's verified emails.
//
// Every flow is the authorization code grant with a state bound to the
// browser session, and, where the provider supports them, PKCE (S256) and
// an OpenID Connect nonce. The caller keeps the Start it was given and
// hands it back with the code: this package holds no state between the two.
package provider

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Kind names the protocol and quirks a provider speaks.
type Kind string

// The kinds of provider Latch speaks to.
const (
	KindOIDC      Kind = "oidc"      // any OpenID Connect issuer, by discovery
	KindGoogle    Kind = "google"    // OpenID Connect at accounts.google.com
	KindMicrosoft Kind = "microsoft" // OpenID Connect at login.microsoftonline.com, per tenant
	KindApple     Kind = "apple"     // Sign in with Apple: form_post, a client secret JWT
	KindGitHub    Kind = "github"    // OAuth 2; emails from the REST API
	KindWeChat    Kind = "wechat"    // WeChat Login for websites (snsapi_login)
)

// Kinds lists every kind, for configuration errors.
var Kinds = []Kind{KindOIDC, KindGoogle, KindMicrosoft, KindApple, KindGitHub, KindWeChat}

// Config is one configured provider.
type Config struct {
	// ID names the provider in URLs and in the identities it creates
	// (lower-case letters, digits and dashes, at most 32): changing it
	// orphans every account linked to it.
	ID   string
	Kind Kind
	// Name is shown on buttons and pages ("Continue with {Name}").
	Name string

	ClientID     string
	ClientSecret string // unused by Apple, which signs one per request (AppleKey)
	// Issuer is the OpenID Connect issuer URL (KindOIDC; a fixed default
	// for Google and Apple; for Microsoft it follows Tenant).
	Issuer string
	// Scopes are asked for beyond the defaults of the kind.
	Scopes []string
	// RedirectURL is this server's callback for the provider, exact:
	// {public origin}/login/with/{ID}/callback.
	RedirectURL string

	// TrustEmail lets a verified email from this provider link to the
	// account holding that address without its holder signing in first.
	// Only for providers that verify every address they report.
	TrustEmail bool
	// KeepTokens keeps the provider's tokens after sign-in (sealed), for a
	// product that calls the provider's API on the user's behalf.
	KeepTokens bool

	// Tenant is Microsoft's tenant: "common" (default), "organizations",
	// "consumers" or a tenant id.
	Tenant string
	// AppleTeamID, AppleKeyID and AppleKey sign Apple's client secret.
	AppleTeamID string
	AppleKeyID  string
	AppleKey    any // *ecdsa.PrivateKey (P-256), from the .p8 file Apple issues
	// AuthBaseURL and APIBaseURL replace a provider's fixed hosts (GitHub:
	// https://github.com and https://api.github.com; WeChat:
	// https://open.weixin.qq.com and https://api.weixin.qq.com), for GitHub
	// Enterprise or a local stand-in.
	AuthBaseURL string
	APIBaseURL  string
}

// AuthOrigin is the origin the browser is sent to to sign in: the
// issuer's for OpenID Connect (where Google, Microsoft, Apple and common
// identity servers keep their authorization endpoint), else the
// authorization base URL's. Pages that post to the sign-in start allow it
// as a form-action, since the start redirects there.
func (c Config) AuthOrigin() string {
	raw := c.AuthBaseURL
	switch c.Kind {
	case KindOIDC, KindApple:
		raw = c.Issuer
	case KindGoogle:
		raw = cmp.Or(c.Issuer, googleIssuer)
	case KindMicrosoft:
		raw = "https://login.microsoftonline.com"
	case KindGitHub:
		raw = cmp.Or(raw, "https://github.com")
	case KindWeChat:
		raw = cmp.Or(raw, "https://open.weixin.qq.com")
	}
	if c.Kind == KindApple && raw == "" {
		raw = appleIssuer
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// ValidID reports whether id can name a provider.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Start is what one sign-in attempt sends to the provider and must find
// again at the callback. The caller keeps it in the browser's session,
// never in a URL beyond the state.
type Start struct {
	State    string // echoed by the provider: ties the callback to this browser
	Nonce    string // in the ID token: ties the token to this attempt (OpenID Connect)
	Verifier string // PKCE code verifier: only this attempt can redeem the code
}

// NewStart returns a Start of fresh random values.
func NewStart() Start {
	return Start{State: random(32), Nonce: random(32), Verifier: oauth2.GenerateVerifier()}
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Profile is who the provider says signed in.
type Profile struct {
	// Subject is the provider's stable id for the person: OpenID Connect's
	// sub, GitHub's numeric user id, WeChat's unionid (else openid).
	Subject string
	// Email is an address the provider reports, or "". EmailVerified says
	// the provider vouches that the person controls it.
	Email         string
	EmailVerified bool
	// Name is a display name, or "".
	Name string
	// Token is the provider's token response, for KeepTokens.
	Token *oauth2.Token
}

// Provider is one configured identity provider.
type Provider interface {
	Config() Config
	// AuthURL is where to send the browser to sign in (the authorization
	// endpoint, with state, PKCE challenge and nonce).
	AuthURL(ctx context.Context, s Start) (string, error)
	// FormPost reports whether the provider answers with a cross-site POST
	// (response_mode=form_post) rather than a redirect.
	FormPost() bool
	// Exchange redeems the code of the attempt s and checks what comes
	// back: signature, issuer, audience, expiry and nonce of an ID token.
	Exchange(ctx context.Context, code string, s Start) (Profile, error)
}

// Errors the providers return, wrapped with detail for the log.
var (
	// ErrDenied: the person declined, or the provider refused them.
	ErrDenied = errors.New("provider: sign-in declined")
	// ErrRejected: the answer did not check out (a code used, expired or
	// not ours, a token with the wrong issuer, audience, nonce or expiry).
	ErrRejected = errors.New("provider: answer rejected")
	// ErrUnavailable: the provider could not be reached or failed.
	ErrUnavailable = errors.New("provider: unavailable")
)

// CallbackError turns the error parameters of a callback (RFC 6749
// section 4.1.2.1) into ErrDenied or ErrRejected, or nil when there are
// none. The description is the provider's and goes to the log only.
func CallbackError(errCode, description string) error {
	switch errCode {
	case "":
		return nil
	case "access_denied", "consent_required", "interaction_required", "login_required", "user_cancelled_login", "user_cancelled_authorize":
		return fmt.Errorf("%w: %s: %.200s", ErrDenied, errCode, description)
	case "temporarily_unavailable", "server_error":
		return fmt.Errorf("%w: %s: %.200s", ErrUnavailable, errCode, description)
	}
	return fmt.Errorf("%w: %.60s: %.200s", ErrRejected, errCode, description)
}

// New returns the provider c describes, checking its settings. Nothing is
// fetched yet: an OpenID Connect issuer is discovered on first use, so a
// provider that is down at start-up does not stop the server. client makes
// every request to the provider (a short timeout: see HTTPClient); now is
// the clock for token expiry.
func New(c Config, client *http.Client, now func() time.Time) (Provider, error) {
	if !ValidID(c.ID) {
		return nil, fmt.Errorf("provider: id %q: lower-case letters, digits and dashes, at most 32", c.ID)
	}
	if c.ClientID == "" {
		return nil, fmt.Errorf("provider %s: a client id is needed", c.ID)
	}
	if c.RedirectURL == "" {
		return nil, fmt.Errorf("provider %s: a redirect URL is needed", c.ID)
	}
	if client == nil {
		client = HTTPClient()
	}
	if now == nil {
		now = time.Now
	}
	if c.Name == "" {
		c.Name = defaultName(c.Kind, c.ID)
	}
	switch c.Kind {
	case KindOIDC, KindGoogle, KindMicrosoft, KindApple:
		return newOIDC(c, client, now)
	case KindGitHub:
		return newGitHub(c, client)
	case KindWeChat:
		return newWeChat(c, client)
	}
	return nil, fmt.Errorf("provider %s: unknown kind %q", c.ID, c.Kind)
}

func defaultName(k Kind, id string) string {
	switch k {
	case KindGoogle:
		return "Google"
	case KindMicrosoft:
		return "Microsoft"
	case KindApple:
		return "Apple"
	case KindGitHub:
		return "GitHub"
	case KindWeChat:
		return "WeChat"
	}
	return strings.ToUpper(id[:1]) + id[1:]
}

// HTTPClient is the client New uses by default: every call to a provider
// ends within 10 seconds, and redirects are not followed (no provider
// endpoint needs them; following one could lead anywhere).
func HTTPClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// maxResponse bounds every body read from a provider.
const maxResponse = 1 << 20
