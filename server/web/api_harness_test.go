package web_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/roles"
	"github.com/latch-dev/latch/server/token"
)

// tokenOptions tune the token flows of a harness; zero values take the
// defaults (5 min access tokens, 30 day families, 10 s grace).
type tokenOptions struct {
	accessTTL time.Duration
	lifetime  time.Duration
	grace     time.Duration
	codes     auth.CodeVerifier // offers the one-time code grant when set
	second    auth.GrantSecondFactors
}

// tokenParts are the token flows of a harness, for tests that reach past
// HTTP: rotating keys, reading the store.
type tokenParts struct {
	ring  *token.Ring
	flows *auth.Tokens
	store *db.RefreshTokens
	kek   []byte
}

// testIssuer is the iss of the harness's tokens.
const testIssuer = "http://latch.test"

// testAudience is the aud of the harness's tokens.
const testAudience = "https://api.latch.test"

func newTokenParts(t testing.TB, bdb *bun.DB, accounts *auth.Service, audit auth.Auditor, clk *clock, log *slog.Logger, o tokenOptions) tokenParts {
	t.Helper()
	kek := make([]byte, token.KEKSize)
	if _, err := rand.Read(kek); err != nil {
		t.Fatal(err)
	}
	ring, err := token.NewRing(context.Background(), db.NewSigningKeys(bdb), kek, token.Options{
		AccessTTL: o.accessTTL, Issuer: testIssuer, Audience: testAudience, Clock: clk.Now, Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	replay, err := token.NewSealer(kek, token.PurposeRefreshReplay)
	if err != nil {
		t.Fatal(err)
	}
	store := db.NewRefreshTokens(bdb)
	flows := auth.NewTokens(accounts, store, ring, replay, audit, auth.TokenOptions{
		RefreshLifetime: o.lifetime, Grace: o.grace, Clock: clk.Now, Logger: log, Codes: o.codes, SecondFactors: o.second,
		Roles:        roles.New(db.NewRoles(bdb), audit, log),
		LiveAccounts: db.NewUsers(bdb),
		FamilyRoles:  store,
	})
	return tokenParts{ring: ring, flows: flows, store: store, kek: kek}
}

// tokenReply is a decoded token endpoint answer, success or error.
type tokenReply struct {
	reply
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int    `json:"expires_in"`
	RefreshToken     string `json:"refresh_token"`
	UserID           string `json:"user_id"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// api sends a request as a non-browser client would: no cookie jar, no
// Origin, no Sec-Fetch-Site.
func (h *harness) api(method, path, contentType, body string, headers ...string) tokenReply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	r := h.do(h.srv.Client(), req)
	tr := tokenReply{reply: r}
	if strings.HasPrefix(r.header.Get("Content-Type"), "application/json") && r.body != "" {
		if err := json.Unmarshal([]byte(r.body), &tr); err != nil {
			h.t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, r.body)
		}
	}
	return tr
}

const formType = "application/x-www-form-urlencoded"

// grant posts form to the token endpoint.
func (h *harness) grant(form url.Values) tokenReply {
	h.t.Helper()
	return h.api(http.MethodPost, "/api/v1/token", formType, form.Encode())
}

// passwordGrant signs up email (through the form) and returns a password
// grant for it, failing the test unless it succeeds.
func (h *harness) passwordGrant(email, pw string) tokenReply {
	h.t.Helper()
	h.signup(email, pw)
	r := h.grant(url.Values{"grant_type": {"password"}, "username": {email}, "password": {pw}})
	if r.status != http.StatusOK || r.AccessToken == "" || r.RefreshToken == "" {
		h.t.Fatalf("password grant: %d %s", r.status, r.body)
	}
	return r
}

func (h *harness) refresh(rt string) tokenReply {
	h.t.Helper()
	return h.grant(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

func (h *harness) me(access string) tokenReply {
	h.t.Helper()
	return h.api(http.MethodGet, "/api/v1/me", "", "", "Authorization", "Bearer "+access)
}
