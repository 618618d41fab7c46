// Package providertest runs identity providers inside tests: a real
// OpenID provider (zitadel/oidc's example OP, in process), and local
// stand-ins that speak GitHub's OAuth 2 and REST shapes and WeChat Login's
// request and response shapes, including their errors.
package providertest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/text/language"
)

// Person is someone who can sign in at a test provider.
type Person struct {
	Username      string // also the password at the OP
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	UnionID       string // WeChat only: the unionid, when the app belongs to an open platform account
}

// OP is a real OpenID provider on loopback.
type OP struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	users        *users
	server       *httptest.Server
}

// NewOP starts an OpenID provider whose only client is clientID with
// secret, redirecting to redirectURL; it stops when the test ends.
func NewOP(t testing.TB, redirectURL string, people ...Person) *OP {
	t.Helper()
	u := &users{byID: map[string]*storage.User{}}
	op := &OP{ClientID: "latch-" + strings.ToLower(randomish(t)), ClientSecret: "op-secret", users: u}
	for _, p := range people {
		op.Add(p)
	}
	// The listener first, so the issuer can name its port.
	srv := httptest.NewUnstartedServer(nil)
	op.Issuer = "http://" + srv.Listener.Addr().String()
	clients := map[string]*storage.Client{op.ClientID: storage.WebClient(op.ClientID, op.ClientSecret, redirectURL)}
	st := storage.NewStorageWithClients(u, clients)
	srv.Config.Handler = exampleop.SetupServer(op.Issuer, st, nil, false)
	srv.Start()
	op.server = srv
	t.Cleanup(srv.Close)
	return op
}

// Add lets p sign in at the OP.
func (op *OP) Add(p Person) {
	op.users.mu.Lock()
	defer op.users.mu.Unlock()
	op.users.byID[p.Subject] = &storage.User{ID: p.Subject, Username: p.Username, Password: p.Username,
		FirstName: p.Name, Email: p.Email, EmailVerified: p.EmailVerified, PreferredLanguage: language.English}
}

// SignIn plays the browser at the OP: it opens authURL, signs in as
// username and returns the URL the OP then sends the browser to (the
// relying party's callback, with code and state). It fails the test if the
// OP does not get there.
func (op *OP) SignIn(t testing.TB, authURL, username string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), op.Issuer) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatalf("providertest: open the OP: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="id" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("providertest: the OP showed no login form (%d): %.300s", resp.StatusCode, body)
	}
	resp, err = c.PostForm(op.Issuer+"/login/username", url.Values{"id": {string(m[1])}, "username": {username}, "password": {username}})
	if err != nil {
		t.Fatalf("providertest: sign in at the OP: %v", err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc == "" || strings.HasPrefix(loc, op.Issuer) {
		t.Fatalf("providertest: the OP did not send the browser back (%d, %q)", resp.StatusCode, loc)
	}
	return loc
}

// users is the OP's user store (storage.UserStore).
type users struct {
	mu   sync.Mutex
	byID map[string]*storage.User
}

func (u *users) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.byID[id]
}

func (u *users) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, x := range u.byID {
		if x.Username == name {
			return x
		}
	}
	return nil
}

func (u *users) ExampleClientID() string { return "unused-example-client" }

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// randomish is a client id part unique to the test.
func randomish(t testing.TB) string {
	s := nonWord.ReplaceAllString(t.Name(), "-")
	if len(s) > 40 {
		s = s[len(s)-40:]
	}
	return s
}
