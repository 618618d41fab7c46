package provider_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/latch-dev/latch/server/provider"
	"github.com/latch-dev/latch/server/provider/providertest"
)

const callback = "http://127.0.0.1:9/auth/test/callback"

var (
	alice = providertest.Person{Username: "alice", Subject: "sub-alice", Email: "Alice@Example.com", EmailVerified: true, Name: "Alice"}
	bob   = providertest.Person{Username: "bob", Subject: "sub-bob", Email: "bob@example.com", EmailVerified: false, Name: "Bob"}
)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func oidcFor(t *testing.T, op *providertest.OP, issuer string, c *clock) provider.Provider {
	t.Helper()
	if issuer == "" {
		issuer = op.Issuer
	}
	now := time.Now
	if c != nil {
		now = c.Now
	}
	p, err := provider.New(provider.Config{ID: "test", Kind: provider.KindOIDC, Issuer: issuer,
		ClientID: op.ClientID, ClientSecret: op.ClientSecret, RedirectURL: callback}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// signIn runs one attempt through the OP and returns the code and state
// the OP sent back.
func signIn(t *testing.T, op *providertest.OP, p provider.Provider, s provider.Start, who string) (code, state string) {
	t.Helper()
	authURL, err := p.AuthURL(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") != s.Nonce || q.Get("state") != s.State {
		t.Fatalf("authorization request lacks PKCE, nonce or state: %s", authURL)
	}
	if strings.Contains(authURL, s.Verifier) {
		t.Fatal("the PKCE verifier left the server")
	}
	back, err := url.Parse(op.SignIn(t, authURL, who))
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Scheme + "://" + back.Host + back.Path; got != callback {
		t.Fatalf("OP sent the browser to %s, want %s", got, callback)
	}
	return back.Query().Get("code"), back.Query().Get("state")
}

func TestOIDCSignIn(t *testing.T) {
	op := providertest.NewOP(t, callback, alice, bob)
	p := oidcFor(t, op, "", nil)
	s := provider.NewStart()
	code, state := signIn(t, op, p, s, "alice")
	if state != s.State {
		t.Fatalf("state %q came back as %q", s.State, state)
	}
	prof, err := p.Exchange(context.Background(), code, s)
	if err != nil {
		t.Fatal(err)
	}
	if prof.Subject != "sub-alice" || prof.Email != "alice@example.com" || !prof.EmailVerified {
		t.Fatalf("profile = %+v", prof)
	}
	// The code is single use.
	if _, err := p.Exchange(context.Background(), code, s); !errors.Is(err, provider.ErrRejected) {
		t.Fatalf("replayed code: err = %v, want ErrRejected", err)
	}
}

func TestOIDCUnverifiedEmail(t *testing.T) {
	op := providertest.NewOP(t, callback, bob)
	p := oidcFor(t, op, "", nil)
	s := provider.NewStart()
	code, _ := signIn(t, op, p, s, "bob")
	prof, err := p.Exchange(context.Background(), code, s)
	if err != nil {
		t.Fatal(err)
	}
	if prof.Email != "bob@example.com" || prof.EmailVerified {
		t.Fatalf("profile = %+v, want bob's address, unverified", prof)
	}
}

func TestOIDCRefusesWhatDoesNotCheckOut(t *testing.T) {
	op := providertest.NewOP(t, callback, alice)
	cases := []struct {
		name  string
		start func(s provider.Start) provider.Start // what the callback finds, from what was sent
		clock time.Duration                         // how far Latch's clock is ahead of the OP's
		why   string                                // in the error
	}{
		{"nonce of another attempt", func(s provider.Start) provider.Start { s.Nonce = provider.NewStart().Nonce; return s }, 0, "nonce"},
		{"no nonce", func(s provider.Start) provider.Start { s.Nonce = ""; return s }, 0, "nonce"},
		{"PKCE verifier of another attempt", func(s provider.Start) provider.Start { s.Verifier = provider.NewStart().Verifier; return s }, 0, "token endpoint"},
		{"expired ID token", func(s provider.Start) provider.Start { return s }, 2 * time.Hour, "expired"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{now: time.Now().Add(tc.clock)}
			p := oidcFor(t, op, "", c)
			s := provider.NewStart()
			code, _ := signIn(t, op, p, s, "alice")
			c.now = time.Now().Add(tc.clock)
			prof, err := p.Exchange(context.Background(), code, tc.start(s))
			if !errors.Is(err, provider.ErrRejected) || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("err = %v (profile %+v), want ErrRejected for a %s", err, prof, tc.why)
			}
		})
	}
}

func TestOIDCWrongIssuer(t *testing.T) {
	op := providertest.NewOP(t, callback, alice)
	// The same server under another name: its discovery document names
	// an issuer other than the one configured.
	other := strings.Replace(op.Issuer, "127.0.0.1", "localhost", 1)
	p := oidcFor(t, op, other, nil)
	if _, err := p.AuthURL(context.Background(), provider.NewStart()); !errors.Is(err, provider.ErrUnavailable) || !strings.Contains(err.Error(), "issuer") {
		t.Fatalf("err = %v, want an issuer mismatch", err)
	}
}

func TestGitHub(t *testing.T) {
	gh := providertest.NewGitHub(t,
		providertest.Person{Username: "octo", Subject: "583231", Email: "octo@example.com", EmailVerified: true, Name: "Octo Cat"},
		providertest.Person{Username: "newbie", Subject: "99", Email: "newbie@example.com", EmailVerified: false})
	p, err := provider.New(provider.Config{ID: "github", Kind: provider.KindGitHub, ClientID: gh.ClientID, ClientSecret: gh.ClientSecret,
		RedirectURL: callback, AuthBaseURL: gh.URL, APIBaseURL: gh.URL}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := func(who string, s provider.Start) (string, provider.Start) {
		authURL, err := p.AuthURL(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		back, _ := url.Parse(gh.Approve(t, authURL, who))
		if back.Query().Get("state") != s.State {
			t.Fatalf("state did not come back: %s", back)
		}
		return back.Query().Get("code"), s
	}
	code, s := run("octo", provider.NewStart())
	prof, err := p.Exchange(context.Background(), code, s)
	if err != nil {
		t.Fatal(err)
	}
	if prof.Subject != "583231" || prof.Email != "octo@example.com" || !prof.EmailVerified || prof.Name != "Octo Cat" {
		t.Fatalf("profile = %+v", prof)
	}
	if _, err := p.Exchange(context.Background(), code, s); !errors.Is(err, provider.ErrRejected) {
		t.Fatalf("replayed code: err = %v, want ErrRejected", err)
	}
	code, s = run("octo", provider.NewStart())
	s.Verifier = provider.NewStart().Verifier
	if _, err := p.Exchange(context.Background(), code, s); !errors.Is(err, provider.ErrRejected) {
		t.Fatalf("wrong PKCE verifier: err = %v, want ErrRejected", err)
	}
	code, s = run("newbie", provider.NewStart())
	prof, err = p.Exchange(context.Background(), code, s)
	if err != nil || prof.EmailVerified || prof.Subject != "99" {
		t.Fatalf("unverified primary email: %+v, %v", prof, err)
	}
}

func TestWeChat(t *testing.T) {
	wc := providertest.NewWeChat(t,
		providertest.Person{Username: "li", Subject: "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", UnionID: "o6_bmasdasdsad6_2sgVt7hMZOPfL", Name: "Li"},
		providertest.Person{Username: "wang", Subject: "oWANGopenid000000000000000", Name: "Wang"})
	newP := func(secret string) provider.Provider {
		p, err := provider.New(provider.Config{ID: "wechat", Kind: provider.KindWeChat, ClientID: wc.AppID, ClientSecret: secret,
			RedirectURL: callback, AuthBaseURL: wc.URL, APIBaseURL: wc.URL}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := newP(wc.Secret)
	code := func(who string) string {
		s := provider.NewStart()
		authURL, err := p.AuthURL(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(authURL, "#wechat_redirect") || !strings.Contains(authURL, "scope=snsapi_login") {
			t.Fatalf("auth URL = %s", authURL)
		}
		back, _ := url.Parse(wc.Approve(t, authURL, who))
		if back.Query().Get("state") != s.State {
			t.Fatalf("state did not come back: %s", back)
		}
		return back.Query().Get("code")
	}
	c := code("li")
	prof, err := p.Exchange(context.Background(), c, provider.Start{})
	if err != nil {
		t.Fatal(err)
	}
	if prof.Subject != "unionid:o6_bmasdasdsad6_2sgVt7hMZOPfL" || prof.Email != "" || prof.Name != "Li" {
		t.Fatalf("profile = %+v, want keyed by unionid, no email", prof)
	}
	if _, err := p.Exchange(context.Background(), c, provider.Start{}); !errors.Is(err, provider.ErrRejected) || !strings.Contains(err.Error(), "40163") {
		t.Fatalf("replayed code: err = %v, want ErrRejected (40163)", err)
	}
	prof, err = p.Exchange(context.Background(), code("wang"), provider.Start{})
	if err != nil || prof.Subject != "openid:oWANGopenid000000000000000" {
		t.Fatalf("without a unionid: %+v, %v", prof, err)
	}
	if _, err := p.Exchange(context.Background(), "not-a-code", provider.Start{}); !errors.Is(err, provider.ErrRejected) || !strings.Contains(err.Error(), "40029") {
		t.Fatalf("unknown code: err = %v, want ErrRejected (40029)", err)
	}
	wc.FailNextToken(providertest.WeChatBusy)
	if _, err := p.Exchange(context.Background(), code("li"), provider.Start{}); !errors.Is(err, provider.ErrUnavailable) {
		t.Fatalf("system busy: err = %v, want ErrUnavailable", err)
	}
	wrong := newP("not-the-secret")
	_, err = wrong.Exchange(context.Background(), code("li"), provider.Start{})
	if !errors.Is(err, provider.ErrUnavailable) || !strings.Contains(err.Error(), "40125") {
		t.Fatalf("wrong AppSecret: err = %v, want ErrUnavailable (40125)", err)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatal("the AppSecret reached an error message")
	}
}

func TestAppleSignsItsClientSecretAndAsksForAPost(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	op := providertest.NewOP(t, callback, alice)
	p, err := provider.New(provider.Config{ID: "apple", Kind: provider.KindApple, Issuer: op.Issuer, ClientID: "com.example.web",
		RedirectURL: callback, AppleTeamID: "TEAM123456", AppleKeyID: "KEY1234567", AppleKey: key}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !p.FormPost() {
		t.Fatal("Apple answers with a POST")
	}
	authURL, err := p.AuthURL(context.Background(), provider.NewStart())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(authURL, "response_mode=form_post") {
		t.Fatalf("auth URL = %s", authURL)
	}
	secret := provider.AppleClientSecret(p)
	tok, err := jwt.Parse(secret, func(*jwt.Token) (any, error) { return &key.PublicKey, nil }, jwt.WithValidMethods([]string{"ES256"}),
		jwt.WithIssuer("TEAM123456"), jwt.WithSubject("com.example.web"), jwt.WithAudience("https://appleid.apple.com"), jwt.WithExpirationRequired())
	if err != nil || tok.Header["kid"] != "KEY1234567" {
		t.Fatalf("client secret %q: %v", secret, err)
	}
	if _, err := provider.New(provider.Config{ID: "apple", Kind: provider.KindApple, ClientID: "x", RedirectURL: callback}, nil, nil); err == nil {
		t.Fatal("Apple without a key was accepted")
	}
}

func TestCallbackError(t *testing.T) {
	for code, want := range map[string]error{
		"access_denied": provider.ErrDenied, "server_error": provider.ErrUnavailable,
		"invalid_request": provider.ErrRejected, "<script>": provider.ErrRejected,
	} {
		if err := provider.CallbackError(code, "described"); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", code, err, want)
		}
	}
	if provider.CallbackError("", "") != nil {
		t.Error("no error parameter is no error")
	}
}

func TestConfigChecks(t *testing.T) {
	for name, c := range map[string]provider.Config{
		"bad id":       {ID: "Google!", Kind: provider.KindGoogle, ClientID: "x", ClientSecret: "y", RedirectURL: callback},
		"no client":    {ID: "g", Kind: provider.KindGoogle, ClientSecret: "y", RedirectURL: callback},
		"no secret":    {ID: "g", Kind: provider.KindGoogle, ClientID: "x", RedirectURL: callback},
		"no issuer":    {ID: "acme", Kind: provider.KindOIDC, ClientID: "x", ClientSecret: "y", RedirectURL: callback},
		"unknown kind": {ID: "acme", Kind: "saml", ClientID: "x", ClientSecret: "y", RedirectURL: callback},
		"no redirect":  {ID: "g", Kind: provider.KindGoogle, ClientID: "x", ClientSecret: "y"},
	} {
		if _, err := provider.New(c, nil, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
