package provider

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/oauth2"
)

// githubProvider signs in with GitHub's OAuth 2 (GitHub is not an OpenID
// provider): the code grant with PKCE, then the REST API for the user's
// numeric id and their primary verified email.
type githubProvider struct {
	c      Config
	client *http.Client
	oauth  *oauth2.Config
}

func newGitHub(c Config, client *http.Client) (*githubProvider, error) {
	if c.ClientSecret == "" {
		return nil, fmt.Errorf("provider %s: a client secret is needed", c.ID)
	}
	if c.AuthBaseURL == "" {
		c.AuthBaseURL = "https://github.com"
	}
	if c.APIBaseURL == "" {
		c.APIBaseURL = "https://api.github.com"
	}
	c.AuthBaseURL = strings.TrimSuffix(c.AuthBaseURL, "/")
	c.APIBaseURL = strings.TrimSuffix(c.APIBaseURL, "/")
	return &githubProvider{c: c, client: client, oauth: &oauth2.Config{
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL,
		Scopes: append([]string{"read:user", "user:email"}, c.Scopes...),
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.AuthBaseURL + "/login/oauth/authorize",
			TokenURL:  c.AuthBaseURL + "/login/oauth/access_token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}}, nil
}

func (p *githubProvider) Config() Config { return p.c }
func (p *githubProvider) FormPost() bool { return false }

func (p *githubProvider) AuthURL(_ context.Context, s Start) (string, error) {
	return p.oauth.AuthCodeURL(s.State, oauth2.S256ChallengeOption(s.Verifier)), nil
}

// githubUser and githubEmail are the parts of GitHub's REST answers Latch reads.
type githubUser struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
	Name  string `json:"name"`
}

type githubEmail struct {
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

func (p *githubProvider) Exchange(ctx context.Context, code string, s Start) (Profile, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, p.client)
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(s.Verifier))
	if err != nil {
		return Profile{}, exchangeError(err)
	}
	var u githubUser
	if err := p.get(ctx, tok, "/user", &u); err != nil {
		return Profile{}, err
	}
	if u.ID <= 0 {
		return Profile{}, fmt.Errorf("%w: GitHub user without an id", ErrRejected)
	}
	var emails []githubEmail
	if err := p.get(ctx, tok, "/user/emails", &emails); err != nil {
		return Profile{}, err
	}
	prof := Profile{Subject: strconv.FormatInt(u.ID, 10), Name: u.Name, Token: tok}
	if prof.Name == "" {
		prof.Name = u.Login
	}
	for _, e := range emails {
		if e.Primary {
			prof.Email, prof.EmailVerified = e.Email, e.Verified
		}
	}
	return checked(prof)
}

func (p *githubProvider) get(ctx context.Context, tok *oauth2.Token, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.c.APIBaseURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	tok.SetAuthHeader(req)
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: GitHub %s: %v", ErrUnavailable, path, err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		resp.Body.Close()
		return fmt.Errorf("%w: GitHub %s: %d", ErrRejected, path, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		resp.Body.Close()
		return fmt.Errorf("%w: GitHub %s: %d", ErrUnavailable, path, resp.StatusCode)
	}
	if err := decode(resp, v); err != nil {
		return fmt.Errorf("%w: GitHub %s: %v", ErrUnavailable, path, err)
	}
	return nil
}
