package config

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/latch-dev/latch/server/provider"
)

// ProviderCallbackPath is where a provider sends the browser back, under
// the public origin: /login/with/{id}/callback. It is the exact redirect URI to
// register with the provider.
func ProviderCallbackPath(id string) string { return "/login/with/" + id + "/callback" }

// loadProviders reads the sign-in providers: LATCH_PROVIDERS names them
// (comma-separated ids), and each id's settings are
// LATCH_PROVIDER_<ID>_<SETTING> (the id upper-cased, dashes as
// underscores). An id that is a kind (google, microsoft, apple, github,
// wechat) is that kind unless _KIND says otherwise; any other id needs
// _KIND=oidc and _ISSUER. Secrets are never echoed in errors.
func (c *Config) loadProviders(p *parser) {
	list := strings.TrimSpace(p.getenv("LATCH_PROVIDERS"))
	if list == "" {
		return
	}
	for _, id := range strings.Split(list, ",") {
		id = strings.TrimSpace(id)
		if !provider.ValidID(id) {
			p.fail("LATCH_PROVIDERS", fmt.Sprintf("must be comma-separated ids of lower-case letters, digits and dashes (at most 32), got %q", id))
			continue
		}
		if slices.ContainsFunc(c.Providers, func(x provider.Config) bool { return x.ID == id }) {
			p.fail("LATCH_PROVIDERS", fmt.Sprintf("names %q twice", id))
			continue
		}
		if pc, ok := c.loadProvider(p, id); ok {
			c.Providers = append(c.Providers, pc)
		}
	}
}

func (c *Config) loadProvider(p *parser, id string) (provider.Config, bool) {
	prefix := "LATCH_PROVIDER_" + strings.ToUpper(strings.ReplaceAll(id, "-", "_")) + "_"
	get := func(k string) string { return strings.TrimSpace(p.getenv(prefix + k)) }
	kind := provider.Kind(get("KIND"))
	if kind == "" {
		kind = provider.Kind(id)
	}
	if !slices.Contains(provider.Kinds, kind) {
		p.fail(prefix+"KIND", fmt.Sprintf("must be one of oidc, google, microsoft, apple, github, wechat (an id that is not a kind needs it), got %q", kind))
		return provider.Config{}, false
	}
	pc := provider.Config{
		ID: id, Kind: kind, Name: get("NAME"),
		ClientID: get("CLIENT_ID"), ClientSecret: get("CLIENT_SECRET"),
		Issuer: get("ISSUER"), Tenant: get("TENANT"),
		AppleTeamID: get("TEAM_ID"), AppleKeyID: get("KEY_ID"),
		AuthBaseURL: strings.TrimRight(get("AUTH_URL"), "/"), APIBaseURL: strings.TrimRight(get("API_URL"), "/"),
		TrustEmail:  p.bool(prefix+"TRUST_EMAIL", false),
		KeepTokens:  p.bool(prefix+"KEEP_TOKENS", false),
		RedirectURL: c.Origin() + ProviderCallbackPath(id),
	}
	if s := get("SCOPES"); s != "" {
		pc.Scopes = strings.Fields(strings.ReplaceAll(s, ",", " "))
	}
	ok := true
	need := func(k, v, why string) {
		if v == "" {
			p.fail(prefix+k, "is required "+why)
			ok = false
		}
	}
	need("CLIENT_ID", pc.ClientID, "(the client id the provider issued)")
	switch kind {
	case provider.KindApple:
		need("TEAM_ID", pc.AppleTeamID, "for Apple")
		need("KEY_ID", pc.AppleKeyID, "for Apple")
		key, err := appleKey(get("PRIVATE_KEY_FILE"))
		if err != nil {
			p.fail(prefix+"PRIVATE_KEY_FILE", err.Error())
			ok = false
		}
		pc.AppleKey = key
	default:
		need("CLIENT_SECRET", pc.ClientSecret, "(the client secret the provider issued; WeChat's AppSecret)")
	}
	if kind == provider.KindOIDC {
		need("ISSUER", pc.Issuer, "for an OpenID Connect provider (its issuer URL, e.g. https://login.example.com)")
	}
	for k, v := range map[string]string{"ISSUER": pc.Issuer, "AUTH_URL": pc.AuthBaseURL, "API_URL": pc.APIBaseURL} {
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
			p.fail(prefix+k, fmt.Sprintf("must be an http(s) URL without credentials, query or fragment, got %q", v))
			ok = false
		case u.Scheme == "http" && c.Env != EnvDev && !isLoopback(u.Hostname()):
			p.fail(prefix+k, "must use https in production")
			ok = false
		}
	}
	if pc.TrustEmail && (kind == provider.KindMicrosoft || kind == provider.KindWeChat) {
		p.fail(prefix+"TRUST_EMAIL", fmt.Sprintf("cannot be set for %s: it does not vouch for the addresses it reports", kind))
		ok = false
	}
	if pc.KeepTokens && c.TokenKEK == nil && c.Env != EnvDev {
		p.fail(prefix+"KEEP_TOKENS", "needs LATCH_TOKEN_KEK to seal the tokens it keeps")
		ok = false
	}
	return pc, ok
}

// appleKey reads the P-256 private key of a .p8 file Apple issued.
func appleKey(path string) (*ecdsa.PrivateKey, error) {
	if path == "" {
		return nil, fmt.Errorf("is required for Apple (the .p8 key file Apple issued)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %v", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("must be a PEM .p8 file")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("must hold a PKCS #8 private key")
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("must hold an EC P-256 private key")
	}
	return ec, nil
}
