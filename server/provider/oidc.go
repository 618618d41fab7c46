package provider

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/latch-dev/latch/client/validate"
)

// The fixed issuers of the OpenID Connect kinds.
const (
	googleIssuer = "https://accounts.google.com"
	appleIssuer  = "https://appleid.apple.com"
	// microsoftIssuer is the v2.0 issuer of a tenant: the tenant's id for
	// tokens, or one of the multi-tenant aliases for discovery.
	microsoftIssuer = "https://login.microsoftonline.com/%s/v2.0"
)

// oidcProvider speaks OpenID Connect: discovery, the authorization code
// grant with PKCE and a nonce, and a verified ID token.
type oidcProvider struct {
	c      Config
	client *http.Client
	now    func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider // discovered on first use; nil until it succeeds
}

func newOIDC(c Config, client *http.Client, now func() time.Time) (*oidcProvider, error) {
	switch c.Kind {
	case KindGoogle:
		if c.Issuer == "" {
			c.Issuer = googleIssuer
		}
	case KindApple:
		if c.Issuer == "" {
			c.Issuer = appleIssuer
		}
		if c.AppleTeamID == "" || c.AppleKeyID == "" {
			return nil, fmt.Errorf("provider %s: Apple needs a team id and a key id", c.ID)
		}
		if _, ok := c.AppleKey.(*ecdsa.PrivateKey); !ok {
			return nil, fmt.Errorf("provider %s: Apple needs its private key (a P-256 .p8 file)", c.ID)
		}
	case KindMicrosoft:
		if c.Tenant == "" {
			c.Tenant = "common"
		}
		if c.Issuer == "" {
			c.Issuer = fmt.Sprintf(microsoftIssuer, c.Tenant)
		}
	}
	if c.Issuer == "" {
		return nil, fmt.Errorf("provider %s: an issuer URL is needed", c.ID)
	}
	if c.Kind != KindApple && c.ClientSecret == "" {
		return nil, fmt.Errorf("provider %s: a client secret is needed", c.ID)
	}
	return &oidcProvider{c: c, client: client, now: now}, nil
}

func (p *oidcProvider) Config() Config { return p.c }

// FormPost: Apple posts its answer when names or emails are asked for.
func (p *oidcProvider) FormPost() bool { return p.c.Kind == KindApple }

// multiTenant reports whether the issuer in tokens differs from the one
// discovered: Microsoft's aliases for many tenants.
func (p *oidcProvider) multiTenant() bool {
	if p.c.Kind != KindMicrosoft {
		return false
	}
	switch p.c.Tenant {
	case "common", "organizations", "consumers":
		return true
	}
	return false
}

func (p *oidcProvider) context(ctx context.Context) context.Context {
	return context.WithValue(oidc.ClientContext(ctx, p.client), oauth2.HTTPClient, p.client)
}

// discover fetches the issuer's configuration once; a failure is retried
// at the next sign-in.
func (p *oidcProvider) discover(ctx context.Context) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, nil
	}
	ctx = p.context(ctx)
	if p.multiTenant() {
		// The discovery document names its issuer with a {tenantid}
		// placeholder; tokens are checked against the tenant they carry.
		ctx = oidc.InsecureIssuerURLContext(ctx, fmt.Sprintf(microsoftIssuer, "{tenantid}"))
	}
	op, err := oidc.NewProvider(ctx, p.c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery of %s: %v", ErrUnavailable, p.c.Issuer, err)
	}
	p.provider = op
	return op, nil
}

func (p *oidcProvider) oauth(op *oidc.Provider) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID}
	switch p.c.Kind {
	case KindApple:
		scopes = append(scopes, "email") // "name" too would only arrive once, in the POST
	default:
		scopes = append(scopes, "email", "profile")
	}
	ep := op.Endpoint()
	if p.c.Kind == KindApple {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{ClientID: p.c.ClientID, ClientSecret: p.c.ClientSecret, Endpoint: ep,
		RedirectURL: p.c.RedirectURL, Scopes: append(scopes, p.c.Scopes...)}
}

func (p *oidcProvider) AuthURL(ctx context.Context, s Start) (string, error) {
	op, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(s.Verifier), oidc.Nonce(s.Nonce)}
	if p.FormPost() {
		opts = append(opts, oauth2.SetAuthURLParam("response_mode", "form_post"))
	}
	return p.oauth(op).AuthCodeURL(s.State, opts...), nil
}

// idClaims are the ID token claims Latch reads. Apple sends
// email_verified as the string "true"; flexBool takes both.
type idClaims struct {
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	Name          string   `json:"name"`
	TenantID      string   `json:"tid"`
	// Microsoft: the email's domain is verified by its tenant (optional claim).
	DomainVerified flexBool `json:"xms_edov"`
}

type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(string(data), `"`) {
	case "true":
		*b = true
	default:
		*b = false
	}
	return nil
}

func (p *oidcProvider) Exchange(ctx context.Context, code string, s Start) (Profile, error) {
	op, err := p.discover(ctx)
	if err != nil {
		return Profile{}, err
	}
	cfg := p.oauth(op)
	if p.c.Kind == KindApple {
		if cfg.ClientSecret, err = p.appleSecret(); err != nil {
			return Profile{}, fmt.Errorf("provider %s: client secret: %w", p.c.ID, err)
		}
	}
	ctx = p.context(ctx)
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(s.Verifier))
	if err != nil {
		return Profile{}, exchangeError(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Profile{}, fmt.Errorf("%w: no ID token in the token response", ErrRejected)
	}
	v := op.Verifier(&oidc.Config{ClientID: p.c.ClientID, Now: p.now, SkipIssuerCheck: p.multiTenant()})
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return Profile{}, fmt.Errorf("%w: ID token: %v", ErrRejected, err)
	}
	if s.Nonce == "" || idt.Nonce != s.Nonce {
		return Profile{}, fmt.Errorf("%w: ID token nonce does not match this sign-in", ErrRejected)
	}
	var cl idClaims
	if err := idt.Claims(&cl); err != nil {
		return Profile{}, fmt.Errorf("%w: ID token claims: %v", ErrRejected, err)
	}
	if p.multiTenant() && (cl.TenantID == "" || idt.Issuer != fmt.Sprintf(microsoftIssuer, cl.TenantID)) {
		return Profile{}, fmt.Errorf("%w: issuer %q is not the token's tenant", ErrRejected, idt.Issuer)
	}
	prof := Profile{Subject: idt.Subject, Email: cl.Email, EmailVerified: bool(cl.EmailVerified), Name: cl.Name, Token: tok}
	if prof.Email == "" && op.UserInfoEndpoint() != "" {
		// Some providers put the email in userinfo only.
		if err := p.userInfo(ctx, op, tok, &prof); err != nil {
			return Profile{}, err
		}
	}
	if p.c.Kind == KindMicrosoft {
		// Microsoft's email claim is whatever the account holder typed,
		// unless its domain is verified by the tenant.
		prof.EmailVerified = bool(cl.DomainVerified)
	}
	return checked(prof)
}

func (p *oidcProvider) userInfo(ctx context.Context, op *oidc.Provider, tok *oauth2.Token, prof *Profile) error {
	ui, err := op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("%w: userinfo: %v", ErrUnavailable, err)
	}
	if ui.Subject != prof.Subject {
		return fmt.Errorf("%w: userinfo is about another subject", ErrRejected)
	}
	var cl idClaims
	if err := ui.Claims(&cl); err != nil {
		return fmt.Errorf("%w: userinfo claims: %v", ErrRejected, err)
	}
	prof.Email, prof.EmailVerified = ui.Email, bool(cl.EmailVerified)
	if prof.Name == "" {
		prof.Name = cl.Name
	}
	return nil
}

// appleSecret is Sign in with Apple's client secret: a short-lived ES256
// JWT signed with the team's key.
func (p *oidcProvider) appleSecret() (string, error) {
	now := p.now()
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.RegisteredClaims{
		Issuer:    p.c.AppleTeamID,
		Subject:   p.c.ClientID,
		Audience:  jwt.ClaimStrings{appleIssuer},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute)),
	})
	t.Header["kid"] = p.c.AppleKeyID
	return t.SignedString(p.c.AppleKey)
}

// exchangeError sorts a failed code redemption: the provider refusing the
// code (used, expired, not ours) or failing.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil && re.Response.StatusCode >= 500 {
			return fmt.Errorf("%w: token endpoint: %d", ErrUnavailable, re.Response.StatusCode)
		}
		return fmt.Errorf("%w: token endpoint: %s %.200s", ErrRejected, re.ErrorCode, re.ErrorDescription)
	}
	return fmt.Errorf("%w: token endpoint: %v", ErrUnavailable, err)
}

// checked bounds what a provider said before anything stores it.
func checked(p Profile) (Profile, error) {
	if p.Subject == "" || len(p.Subject) > 255 {
		return Profile{}, fmt.Errorf("%w: subject missing or longer than 255 bytes", ErrRejected)
	}
	// An address Latch could not store as an email identity is no address.
	if email, problem := validate.Email(p.Email); problem == "" {
		p.Email = email
	} else {
		p.Email, p.EmailVerified = "", false
	}
	if len(p.Name) > 200 {
		p.Name = p.Name[:200]
	}
	return p, nil
}

// decode reads a JSON body of at most maxResponse bytes.
func decode(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(v)
}
