package web_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/server/token"
)

const apiPassword = "correct horse battery staple"

func TestPasswordGrantAndMe(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.passwordGrant("ada@example.com", apiPassword)
	if r.TokenType != "Bearer" || r.ExpiresIn != 300 || r.UserID == "" {
		t.Fatalf("token response %s", r.body)
	}
	if !strings.HasPrefix(r.RefreshToken, "latch_rt_") || len(r.RefreshToken) != len("latch_rt_")+43 {
		t.Fatalf("refresh token %q is not a 256-bit opaque token", r.RefreshToken)
	}
	for name, want := range map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache", "Content-Type": "application/json; charset=utf-8"} {
		if got := r.header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if r.header.Get("Set-Cookie") != "" {
		t.Error("the token API set a cookie")
	}
	// The access token is an EdDSA JWT carrying the claims Latch promises.
	header, claims := decodeJWT(t, r.AccessToken)
	if header["alg"] != "EdDSA" || header["typ"] != "at+jwt" || header["kid"] == "" {
		t.Fatalf("header %v", header)
	}
	for _, c := range []string{"sub", "sid", "app", "iat", "exp", "iss"} {
		if claims[c] == nil {
			t.Errorf("claim %s missing: %v", c, claims)
		}
	}
	if claims["sub"] != r.UserID || claims["exp"].(float64)-claims["iat"].(float64) != 300 || claims["iss"] != testIssuer {
		t.Fatalf("claims %v", claims)
	}

	me := h.me(r.AccessToken)
	if me.status != http.StatusOK || !strings.Contains(me.body, `"email":"ada@example.com"`) || !strings.Contains(me.body, `"id":"`+r.UserID+`"`) {
		t.Fatalf("me: %d %s", me.status, me.body)
	}
	if me.header.Get("Cache-Control") != "no-store" {
		t.Error("me is cacheable")
	}

	// The same grant as JSON.
	j := h.api(http.MethodPost, "/api/v1/token", "application/json; charset=utf-8",
		`{"grant_type":"password","username":"ada@example.com","password":"`+apiPassword+`"}`)
	if j.status != http.StatusOK || j.RefreshToken == "" || j.RefreshToken == r.RefreshToken {
		t.Fatalf("JSON password grant: %d %s", j.status, j.body)
	}

	evs := h.events(t)
	if evs[0].Event != "token.issue" || evs[0].Outcome != "success" || evs[0].Detail["grant"] != "password" || evs[1].Event != "login" {
		t.Fatalf("audit %+v", evs[:2])
	}
}

func TestTokenEndpointRefusesBadRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signup("known@example.com", apiPassword)
	pw := func(user, pass string) string {
		return url.Values{"grant_type": {"password"}, "username": {user}, "password": {pass}}.Encode()
	}
	for _, tc := range []struct {
		name, method, path, ctype, body string
		headers                         []string
		status                          int
		code                            string
	}{
		{"wrong password", "POST", "/api/v1/token", formType, pw("known@example.com", "not the password at all"), nil, 400, "invalid_grant"},
		{"unknown user", "POST", "/api/v1/token", formType, pw("nobody@example.com", apiPassword), nil, 400, "invalid_grant"},
		{"malformed email", "POST", "/api/v1/token", formType, pw("not an email", apiPassword), nil, 400, "invalid_grant"},
		{"no grant type", "POST", "/api/v1/token", formType, "username=a%40b.c&password=x", nil, 400, "invalid_request"},
		{"unsupported grant", "POST", "/api/v1/token", formType, "grant_type=client_credentials", nil, 400, "unsupported_grant_type"},
		{"authorization code", "POST", "/api/v1/token", formType, "grant_type=authorization_code&code=x", nil, 400, "unsupported_grant_type"},
		{"no username", "POST", "/api/v1/token", formType, "grant_type=password&password=x", nil, 400, "invalid_request"},
		{"no password", "POST", "/api/v1/token", formType, "grant_type=password&username=known%40example.com", nil, 400, "invalid_request"},
		{"no refresh token", "POST", "/api/v1/token", formType, "grant_type=refresh_token", nil, 400, "invalid_request"},
		{"malformed refresh token", "POST", "/api/v1/token", formType, "grant_type=refresh_token&refresh_token=abc", nil, 400, "invalid_grant"},
		{"unknown refresh token", "POST", "/api/v1/token", formType, "grant_type=refresh_token&refresh_token=latch_rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil, 400, "invalid_grant"},
		{"repeated parameter", "POST", "/api/v1/token", formType, pw("known@example.com", apiPassword) + "&grant_type=password", nil, 400, "invalid_request"},
		{"parameters in the URL", "POST", "/api/v1/token?" + pw("known@example.com", apiPassword), formType, "", nil, 400, "invalid_request"},
		{"no content type", "POST", "/api/v1/token", "", pw("known@example.com", apiPassword), nil, 400, "invalid_request"},
		{"text content type", "POST", "/api/v1/token", "text/plain", pw("known@example.com", apiPassword), nil, 400, "invalid_request"},
		{"multipart", "POST", "/api/v1/token", "multipart/form-data; boundary=x", "--x--", nil, 400, "invalid_request"},
		{"bad form encoding", "POST", "/api/v1/token", formType, "grant_type=%zz", nil, 400, "invalid_request"},
		{"JSON not an object", "POST", "/api/v1/token", "application/json", `["password"]`, nil, 400, "invalid_request"},
		{"JSON number", "POST", "/api/v1/token", "application/json", `{"grant_type":"password","username":1,"password":"x"}`, nil, 400, "invalid_request"},
		{"JSON repeated key", "POST", "/api/v1/token", "application/json", `{"grant_type":"password","grant_type":"refresh_token"}`, nil, 400, "invalid_request"},
		{"JSON trailing data", "POST", "/api/v1/token", "application/json", `{"grant_type":"password"} {}`, nil, 400, "invalid_request"},
		{"JSON truncated", "POST", "/api/v1/token", "application/json", `{"grant_type":"pass`, nil, 400, "invalid_request"},
		{"client secret", "POST", "/api/v1/token", formType, pw("known@example.com", apiPassword) + "&client_id=x&client_secret=y", nil, 401, "invalid_client"},
		{"basic client auth", "POST", "/api/v1/token", formType, pw("known@example.com", apiPassword), []string{"Authorization", "Basic eDp5"}, 401, "invalid_client"},
		{"oversized body", "POST", "/api/v1/token", formType, "grant_type=password&username=" + strings.Repeat("a", 20<<10), nil, 413, "invalid_request"},
		{"GET token endpoint", "GET", "/api/v1/token", "", "", nil, 405, "method_not_allowed"},
		{"GET logout", "GET", "/api/v1/logout", "", "", nil, 405, "method_not_allowed"},
		{"POST me", "POST", "/api/v1/me", formType, "", nil, 405, "method_not_allowed"},
		{"unknown API path", "GET", "/api/v1/nope", "", "", nil, 404, "not_found"},
		{"logout without token", "POST", "/api/v1/logout", formType, "", nil, 400, "invalid_request"},
		{"logout wrong content type", "POST", "/api/v1/logout", "text/plain", "refresh_token=x", nil, 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.api(tc.method, tc.path, tc.ctype, tc.body, tc.headers...)
			if r.status != tc.status || r.Error != tc.code {
				t.Fatalf("%d %q, want %d %q: %s", r.status, r.Error, tc.status, tc.code, r.body)
			}
			if r.ErrorDescription == "" || strings.ContainsAny(r.ErrorDescription, "\"\\") || !isASCII(r.ErrorDescription) {
				t.Fatalf("error_description %q must be written, ASCII, without quotes or backslashes", r.ErrorDescription)
			}
			if r.header.Get("Cache-Control") != "no-store" || r.AccessToken != "" {
				t.Fatalf("headers %v body %s", r.header, r.body)
			}
		})
	}
	// Wrong password and unknown user read exactly alike.
	a := h.api("POST", "/api/v1/token", formType, pw("known@example.com", "not the password at all"))
	b := h.api("POST", "/api/v1/token", formType, pw("nobody@example.com", apiPassword))
	if a.body != b.body {
		t.Fatalf("known and unknown users answer differently:\n%s\n%s", a.body, b.body)
	}
	if got := h.api("POST", "/api/v1/token", formType, pw("known@example.com", apiPassword), "Authorization", "Basic eDp5"); got.header.Get("WWW-Authenticate") != `Basic realm="latch"` {
		t.Fatalf("basic client auth challenge %q", got.header.Get("WWW-Authenticate"))
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	first := h.passwordGrant("rot@example.com", apiPassword)

	h.clock.Advance(time.Second)
	second := h.refresh(first.RefreshToken)
	if second.status != http.StatusOK || second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatalf("refresh: %d %s", second.status, second.body)
	}
	if second.UserID != first.UserID || second.ExpiresIn != 300 {
		t.Fatalf("refresh response %s", second.body)
	}
	_, c1 := decodeJWT(t, first.AccessToken)
	_, c2 := decodeJWT(t, second.AccessToken)
	if c1["sid"] != c2["sid"] {
		t.Fatal("a rotated pair left its family")
	}
	h.clock.Advance(time.Second)
	third := h.refresh(second.RefreshToken)
	if third.status != http.StatusOK {
		t.Fatalf("second rotation: %d %s", third.status, third.body)
	}
	if me := h.me(third.AccessToken); me.status != http.StatusOK {
		t.Fatalf("me with the newest token: %d", me.status)
	}

	// Long after the grace window, the first token comes back: a thief or
	// a bug. The whole family dies, at once for Latch's own API.
	h.clock.Advance(time.Minute)
	reuse := h.refresh(first.RefreshToken)
	if reuse.status != http.StatusBadRequest || reuse.Error != "invalid_grant" {
		t.Fatalf("reuse: %d %s", reuse.status, reuse.body)
	}
	if r := h.refresh(third.RefreshToken); r.status != http.StatusBadRequest || r.Error != "invalid_grant" {
		t.Fatalf("newest refresh token after reuse: %d %s", r.status, r.body)
	}
	me := h.me(third.AccessToken)
	if me.status != http.StatusUnauthorized || !strings.Contains(me.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("access token of a revoked family: %d %q", me.status, me.header.Get("WWW-Authenticate"))
	}
	reuseEvents := 0
	for _, e := range h.events(t) {
		if e.Event == "token.reuse" {
			reuseEvents++
			if e.Outcome != "failure" || e.Detail["family"] != c1["sid"] || e.Detail["family_revoked"] != "true" || e.UserID == nil || e.UserID.String() != first.UserID {
				t.Fatalf("reuse event %+v", e)
			}
		}
	}
	if reuseEvents != 1 {
		t.Fatalf("%d token.reuse events, want 1", reuseEvents)
	}
	var revoked int
	if err := h.db.NewRaw("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NOT NULL AND family_id = ?", c1["sid"]).Scan(context.Background(), &revoked); err != nil || revoked != 3 {
		t.Fatalf("%d revoked refresh tokens (%v), want 3", revoked, err)
	}
}

func TestConcurrentRefreshInsideTheGraceWindowGetsOnePair(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	first := h.passwordGrant("race@example.com", apiPassword)

	const n = 8
	replies := make([]tokenReply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { replies[i] = h.refresh(first.RefreshToken) })
	}
	wg.Wait()
	for i, r := range replies {
		if r.status != http.StatusOK {
			t.Fatalf("refresh %d: %d %s", i, r.status, r.body)
		}
		if r.RefreshToken != replies[0].RefreshToken || r.AccessToken != replies[0].AccessToken {
			t.Fatalf("refresh %d got another pair", i)
		}
	}
	var children int
	if err := h.db.NewRaw("SELECT count(*) FROM refresh_tokens WHERE parent_id IS NOT NULL").Scan(context.Background(), &children); err != nil || children != 1 {
		t.Fatalf("%d rotations stored (%v), want 1", children, err)
	}

	pair := replies[0]

	// Still inside the window, a late retry gets the same pair too.
	h.clock.Advance(9 * time.Second)
	late := h.refresh(first.RefreshToken)
	if late.status != http.StatusOK || late.RefreshToken != pair.RefreshToken || late.ExpiresIn != 291 {
		t.Fatalf("retry inside the window: %d %s", late.status, late.body)
	}
	var sealed []byte
	if err := h.db.NewRaw("SELECT replay_sealed FROM refresh_tokens WHERE parent_id IS NOT NULL").Scan(context.Background(), &sealed); err != nil {
		t.Fatal(err)
	}
	if len(sealed) == 0 || strings.Contains(string(sealed), pair.RefreshToken) || strings.Contains(string(sealed), "latch_rt_") {
		t.Fatal("the replayable pair is not sealed at rest")
	}

	// After the window the same token is a reuse: the family is revoked,
	// once, however many copies arrive together.
	h.clock.Advance(2 * time.Second)
	for i := range n {
		wg.Go(func() { replies[i] = h.refresh(first.RefreshToken) })
	}
	wg.Wait()
	for i, r := range replies {
		if r.status != http.StatusBadRequest || r.Error != "invalid_grant" {
			t.Fatalf("reuse %d after the window: %d %s", i, r.status, r.body)
		}
	}
	reuses := 0
	for _, e := range h.events(t) {
		if e.Event == "token.reuse" {
			reuses++
		}
	}
	if reuses != 1 {
		t.Fatalf("%d token.reuse events for one family, want 1", reuses)
	}
	if r := h.refresh(pair.RefreshToken); r.status != http.StatusBadRequest {
		t.Fatalf("child after its family was revoked: %d %s", r.status, r.body)
	}
	if me := h.me(pair.AccessToken); me.status != http.StatusUnauthorized {
		t.Fatalf("access token after revocation: %d", me.status)
	}
	if evs := h.events(t); evs[0].Event != "token.reuse" {
		t.Fatalf("latest event %+v, want token.reuse", evs[0])
	}

	// Cleanup wipes sealed pairs once the window has passed.
	if _, err := h.tok.store.Cleanup(context.Background(), h.clock.Now(), h.tok.flows.Grace()); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := h.db.NewRaw("SELECT count(*) FROM refresh_tokens WHERE replay_sealed IS NOT NULL").Scan(context.Background(), &left); err != nil || left != 0 {
		t.Fatalf("%d sealed pairs left (%v)", left, err)
	}
}

func TestRefreshFamilyLifetimeAndInactiveUsers(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, harnessOptions{tokens: tokenOptions{lifetime: 2 * time.Hour}})
	r := h.passwordGrant("life@example.com", apiPassword)
	h.clock.Advance(2*time.Hour + time.Second)
	if got := h.refresh(r.RefreshToken); got.status != http.StatusBadRequest || got.Error != "invalid_grant" {
		t.Fatalf("refresh after the family's lifetime: %d %s", got.status, got.body)
	}
	// Cleanup deletes the expired family and its tokens.
	if n, err := h.tok.store.Cleanup(context.Background(), h.clock.Now(), time.Second); err != nil || n != 1 {
		t.Fatalf("cleanup removed %d families (%v), want 1", n, err)
	}
	var left int
	if err := h.db.NewRaw("SELECT count(*) FROM refresh_tokens").Scan(context.Background(), &left); err != nil || left != 0 {
		t.Fatalf("%d refresh tokens left after cleanup (%v)", left, err)
	}

	r = h.grant(url.Values{"grant_type": {"password"}, "username": {"life@example.com"}, "password": {apiPassword}})
	if _, err := h.db.NewRaw("UPDATE users SET status = 'suspended' WHERE id = ?", r.UserID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if me := h.me(r.AccessToken); me.status != http.StatusUnauthorized {
		t.Fatalf("me for a suspended user: %d", me.status)
	}
	if got := h.refresh(r.RefreshToken); got.status != http.StatusBadRequest {
		t.Fatalf("refresh for a suspended user: %d %s", got.status, got.body)
	}
}

func TestLogoutRevokesTheFamily(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.passwordGrant("bye@example.com", apiPassword)
	other := h.grant(url.Values{"grant_type": {"password"}, "username": {"bye@example.com"}, "password": {apiPassword}})

	out := h.api(http.MethodPost, "/api/v1/logout", formType, url.Values{"refresh_token": {r.RefreshToken}}.Encode())
	if out.status != http.StatusOK || out.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("logout: %d %s", out.status, out.body)
	}
	if me := h.me(r.AccessToken); me.status != http.StatusUnauthorized {
		t.Fatalf("access token after logout: %d", me.status)
	}
	if got := h.refresh(r.RefreshToken); got.status != http.StatusBadRequest {
		t.Fatalf("refresh after logout: %d", got.status)
	}
	// Another device's family is untouched.
	if me := h.me(other.AccessToken); me.status != http.StatusOK {
		t.Fatalf("other family after logout: %d", me.status)
	}
	if evs := h.events(t); evs[0].Event != "token.logout" || evs[0].Outcome != "success" {
		t.Fatalf("latest event %+v", evs[0])
	}
	// Logout racing a refresh and a reuse of the same family: every request
	// gets a clean answer, never a deadlock or a 500.
	for range 5 {
		g := h.grant(url.Values{"grant_type": {"password"}, "username": {"bye@example.com"}, "password": {apiPassword}})
		next := h.refresh(g.RefreshToken)
		h.clock.Advance(11 * time.Second)
		var wg sync.WaitGroup
		var results [3]tokenReply
		wg.Go(func() { results[0] = h.refresh(next.RefreshToken) })
		wg.Go(func() { results[1] = h.refresh(g.RefreshToken) })
		wg.Go(func() {
			results[2] = h.api(http.MethodPost, "/api/v1/logout", formType, url.Values{"refresh_token": {next.RefreshToken}}.Encode())
		})
		wg.Wait()
		for i, r := range results {
			if r.status != http.StatusOK && r.status != http.StatusBadRequest {
				t.Fatalf("racing request %d: %d %s", i, r.status, r.body)
			}
		}
		if r := h.refresh(next.RefreshToken); r.status != http.StatusBadRequest {
			t.Fatalf("family alive after logout and reuse: %d", r.status)
		}
	}

	// Unknown, malformed and already-revoked tokens answer the same.
	for _, tok := range []string{r.RefreshToken, "latch_rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "garbage"} {
		got := h.api(http.MethodPost, "/api/v1/logout", "application/json", `{"refresh_token":"`+tok+`"}`)
		if got.status != out.status || got.body != out.body {
			t.Fatalf("logout %q: %d %s", tok, got.status, got.body)
		}
	}
}

func TestMeNeedsAValidBearerToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	good := h.passwordGrant("me@example.com", apiPassword)

	none := h.api(http.MethodGet, "/api/v1/me", "", "")
	if none.status != http.StatusUnauthorized || none.header.Get("WWW-Authenticate") != `Bearer realm="latch"` {
		t.Fatalf("no token: %d %q", none.status, none.header.Get("WWW-Authenticate"))
	}
	for name, value := range map[string]string{
		"garbage":        "Bearer not.a.jwt",
		"empty":          "Bearer ",
		"refresh token":  "Bearer " + good.RefreshToken,
		"truncated":      "Bearer " + good.AccessToken[:len(good.AccessToken)-4],
		"basic":          "Basic eDp5",
		"token in query": "",
	} {
		t.Run(name, func(t *testing.T) {
			path, headers := "/api/v1/me", []string{"Authorization", value}
			if value == "" {
				path, headers = "/api/v1/me?access_token="+url.QueryEscape(good.AccessToken), nil
			}
			r := h.api(http.MethodGet, path, "", "", headers...)
			if r.status != http.StatusUnauthorized || r.Error != "invalid_token" {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer realm="latch"`) {
				t.Fatalf("challenge %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	two := h.api(http.MethodGet, "/api/v1/me", "", "", "Authorization", "Bearer "+good.AccessToken, "Authorization", "Bearer x")
	if two.status != http.StatusBadRequest || two.Error != "invalid_request" {
		t.Fatalf("two Authorization headers: %d %s", two.status, two.body)
	}
	if me := h.api(http.MethodGet, "/api/v1/me", "", "", "Authorization", "bearer "+good.AccessToken); me.status != http.StatusOK {
		t.Fatalf("the scheme is case-insensitive: %d", me.status)
	}
}

func TestTamperedAndExpiredAccessTokensAreRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	good := h.passwordGrant("jwt@example.com", apiPassword)
	other := h.passwordGrant("other@example.com", apiPassword)
	header, claims := decodeJWT(t, good.AccessToken)
	kid := header["kid"].(string)
	key := h.signingKey(kid)
	pub := key.Public().(ed25519.PublicKey)

	// sign makes a token with the real signing key, so only what the case
	// changes can make it fail.
	sign := func(edit func(jwt.MapClaims, map[string]any)) string {
		c := jwt.MapClaims{}
		for k, v := range claims {
			c[k] = v
		}
		tk := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		tk.Header["kid"], tk.Header["typ"] = kid, "at+jwt"
		edit(c, tk.Header)
		s, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if r := h.me(sign(func(jwt.MapClaims, map[string]any) {})); r.status != http.StatusOK {
		t.Fatalf("control: a re-signed copy of a good token must pass: %d %s", r.status, r.body)
	}
	parts := strings.Split(good.AccessToken, ".")
	now := h.clock.Now().Unix()

	cases := map[string]string{
		"alg none":                 enc(map[string]any{"alg": "none", "typ": "at+jwt", "kid": kid}) + "." + parts[1] + ".",
		"alg none, signature kept": enc(map[string]any{"alg": "none", "typ": "at+jwt", "kid": kid}) + "." + parts[1] + "." + parts[2],
		"HS256 with the public key as secret": func() string {
			tk := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(claims))
			tk.Header["kid"], tk.Header["typ"] = kid, "at+jwt"
			s, _ := tk.SignedString([]byte(pub))
			return s
		}(),
		"HS256 with the JWKS x as secret": func() string {
			tk := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(claims))
			tk.Header["kid"], tk.Header["typ"] = kid, "at+jwt"
			s, _ := tk.SignedString([]byte(base64.RawURLEncoding.EncodeToString(pub)))
			return s
		}(),
		"payload modified (sub swapped)":  parts[0] + "." + enc(withClaim(claims, "sub", other.UserID)) + "." + parts[2],
		"payload modified (exp extended)": parts[0] + "." + enc(withClaim(claims, "exp", now+86400)) + "." + parts[2],
		"header modified (kid)":           enc(map[string]any{"alg": "EdDSA", "typ": "at+jwt", "kid": "nope"}) + "." + parts[1] + "." + parts[2],
		"signature from another key": func() string {
			_, stranger, _ := ed25519.GenerateKey(rand.Reader)
			tk := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims(claims))
			tk.Header["kid"], tk.Header["typ"] = kid, "at+jwt"
			s, _ := tk.SignedString(stranger)
			return s
		}(),
		"unknown kid, own key": func() string {
			_, stranger, _ := ed25519.GenerateKey(rand.Reader)
			tk := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims(claims))
			tk.Header["kid"], tk.Header["typ"] = token.Thumbprint(stranger.Public().(ed25519.PublicKey)), "at+jwt"
			s, _ := tk.SignedString(stranger)
			return s
		}(),
		"no kid":           sign(func(_ jwt.MapClaims, hd map[string]any) { delete(hd, "kid") }),
		"typ JWT":          sign(func(_ jwt.MapClaims, hd map[string]any) { hd["typ"] = "JWT" }),
		"no exp":           sign(func(c jwt.MapClaims, _ map[string]any) { delete(c, "exp") }),
		"no iat":           sign(func(c jwt.MapClaims, _ map[string]any) { delete(c, "iat") }),
		"iat in future":    sign(func(c jwt.MapClaims, _ map[string]any) { c["iat"] = now + 3600; c["exp"] = now + 3900 }),
		"expired":          sign(func(c jwt.MapClaims, _ map[string]any) { c["iat"] = now - 600; c["exp"] = now - 300 }),
		"other issuer":     sign(func(c jwt.MapClaims, _ map[string]any) { c["iss"] = "https://evil.example" }),
		"no issuer":        sign(func(c jwt.MapClaims, _ map[string]any) { delete(c, "iss") }),
		"sub not an id":    sign(func(c jwt.MapClaims, _ map[string]any) { c["sub"] = "admin" }),
		"unknown sid":      sign(func(c jwt.MapClaims, _ map[string]any) { c["sid"] = "019ab000-0000-7000-8000-00000000dead" }),
		"other user's sid": sign(func(c jwt.MapClaims, _ map[string]any) { c["sub"] = other.UserID }),
		"other app":        sign(func(c jwt.MapClaims, _ map[string]any) { c["app"] = "019ab000-0000-7000-8000-00000000beef" }),
		"padded base64":    parts[0] + "=." + parts[1] + "." + parts[2],
		"four segments":    good.AccessToken + ".x",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			r := h.me(tok)
			if r.status != http.StatusUnauthorized || r.Error != "invalid_token" ||
				r.header.Get("WWW-Authenticate") != `Bearer realm="latch", error="invalid_token", error_description="The access token is invalid, expired or revoked."` {
				t.Fatalf("%d %q %s", r.status, r.header.Get("WWW-Authenticate"), r.body)
			}
		})
	}

	// The genuine token expires with the clock: 300 s plus 5 s of leeway.
	if r := h.me(good.AccessToken); r.status != http.StatusOK {
		t.Fatalf("good token: %d", r.status)
	}
	h.clock.Advance(300*time.Second + 6*time.Second)
	if r := h.me(good.AccessToken); r.status != http.StatusUnauthorized || r.Error != "invalid_token" {
		t.Fatalf("expired token: %d %s", r.status, r.body)
	}
}

func TestKeyRotationKeepsOldTokensValid(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	old := h.passwordGrant("keys@example.com", apiPassword)
	oldHeader, _ := decodeJWT(t, old.AccessToken)
	oldKID := oldHeader["kid"].(string)

	if kids := jwksKIDs(t, h); len(kids) != 1 || kids[0] != oldKID {
		t.Fatalf("JWKS before rotation: %v", kids)
	}
	newKey, err := h.tok.ring.Rotate(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if newKey.ID == oldKID {
		t.Fatal("rotation kept the kid")
	}
	// Old tokens still verify; new ones carry the new kid.
	if r := h.me(old.AccessToken); r.status != http.StatusOK {
		t.Fatalf("token signed before rotation: %d %s", r.status, r.body)
	}
	fresh := h.refresh(old.RefreshToken)
	if fresh.status != http.StatusOK {
		t.Fatalf("refresh after rotation: %d %s", fresh.status, fresh.body)
	}
	if hd, _ := decodeJWT(t, fresh.AccessToken); hd["kid"] != newKey.ID {
		t.Fatalf("new token kid %v, want %s", hd["kid"], newKey.ID)
	}
	if r := h.me(fresh.AccessToken); r.status != http.StatusOK {
		t.Fatalf("token signed after rotation: %d", r.status)
	}
	kids := jwksKIDs(t, h)
	if len(kids) != 2 || kids[0] != newKey.ID || kids[1] != oldKID {
		t.Fatalf("JWKS after rotation: %v, want [%s %s]", kids, newKey.ID, oldKID)
	}

	// A third party verifies with nothing but the JWKS document.
	doc := h.api(http.MethodGet, "/.well-known/jwks.json", "", "")
	if doc.header.Get("Cache-Control") != "public, max-age=300" || doc.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("JWKS headers %v", doc.header)
	}
	var set token.JWKS
	if err := json.Unmarshal([]byte(doc.body), &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		if k.KeyType != "OKP" || k.Curve != "Ed25519" || k.Algorithm != "EdDSA" || k.Use != "sig" || len(k.X) != 43 {
			t.Fatalf("JWK %+v", k)
		}
		x, _ := base64.RawURLEncoding.DecodeString(k.X)
		if token.Thumbprint(x) != k.KeyID {
			t.Fatalf("kid %s is not the key's RFC 7638 thumbprint", k.KeyID)
		}
	}
	for _, tok := range []string{old.AccessToken, fresh.AccessToken} {
		_, err := jwt.Parse(tok, func(tk *jwt.Token) (any, error) {
			for _, k := range set.Keys {
				if k.KeyID == tk.Header["kid"] {
					x, _ := base64.RawURLEncoding.DecodeString(k.X)
					return ed25519.PublicKey(x), nil
				}
			}
			return nil, jwt.ErrTokenUnverifiable
		}, jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithIssuer(testIssuer), jwt.WithTimeFunc(h.clock.Now))
		if err != nil {
			t.Fatalf("third-party verification: %v", err)
		}
	}

	// Once every token the old key signed has expired, it is unpublished.
	h.clock.Advance(5*time.Minute + 2*time.Minute + time.Second)
	if err := h.tok.ring.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if kids := jwksKIDs(t, h); len(kids) != 1 || kids[0] != newKey.ID {
		t.Fatalf("JWKS after the old key's tokens expired: %v", kids)
	}

	// A restart loads the same keys; it never makes new ones.
	again, err := token.NewRing(context.Background(), db.NewSigningKeys(h.db), h.tok.kek, token.Options{Clock: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if ks := again.Keys(); len(ks) != 1 || ks[0].ID != newKey.ID {
		t.Fatalf("keys after restart: %+v", ks)
	}
}

func TestSessionTokenNeedsASignedInSameOriginBrowser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	anon := h.browser()
	if r := h.post(anon, "/auth/token", url.Values{}); r.status != http.StatusUnauthorized || !strings.Contains(r.body, `"error":"login_required"`) {
		t.Fatalf("no session: %d %s", r.status, r.body)
	}

	c := h.signup("browser@example.com", apiPassword)
	r := h.post(c, "/auth/token", url.Values{})
	if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("session token: %d %s\n%s", r.status, r.body, h.logs.String())
	}
	var tr tokenReply
	if err := json.Unmarshal([]byte(r.body), &tr); err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken == "" || tr.TokenType != "Bearer" || tr.ExpiresIn != 300 || strings.Contains(r.body, "refresh_token") {
		t.Fatalf("session token response %s", r.body)
	}
	if me := h.me(tr.AccessToken); me.status != http.StatusOK || !strings.Contains(me.body, "browser@example.com") {
		t.Fatalf("me with a session token: %d %s", me.status, me.body)
	}
	// A second mint names the same session.
	r2 := h.post(c, "/auth/token", url.Values{})
	var tr2 tokenReply
	_ = json.Unmarshal([]byte(r2.body), &tr2)
	_, c1 := decodeJWT(t, tr.AccessToken)
	_, c2 := decodeJWT(t, tr2.AccessToken)
	if c1["sid"] != c2["sid"] {
		t.Fatalf("two mints for one session got sids %v and %v", c1["sid"], c2["sid"])
	}

	// Cross-site: refused by cross-origin protection.
	cross := h.post(c, "/auth/token", url.Values{}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if cross.status != http.StatusForbidden {
		t.Fatalf("cross-site: %d %s", cross.status, cross.body)
	}
	// A cookie with no browser headers at all: not a same-origin page.
	u, _ := url.Parse(h.srv.URL)
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/auth/token", nil)
	for _, ck := range c.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	if r := h.do(h.srv.Client(), req); r.status != http.StatusForbidden || !strings.Contains(r.body, "same-origin") {
		t.Fatalf("cookie without browser headers: %d %s", r.status, r.body)
	}
	if r := h.get(c, "/auth/token"); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET /auth/token: %d", r.status)
	}

	// Logging out of the browser ends its access tokens at once.
	if r := h.post(c, "/logout", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	if me := h.me(tr.AccessToken); me.status != http.StatusUnauthorized {
		t.Fatalf("session token after browser logout: %d", me.status)
	}
}

// signingKey opens a stored private key with the harness's KEK, so tests
// can sign tokens exactly as Latch does and change one thing.
func (h *harness) signingKey(kid string) ed25519.PrivateKey {
	h.t.Helper()
	var sealed []byte
	if err := h.db.NewRaw("SELECT private_key_sealed FROM signing_keys WHERE kid = ?", kid).Scan(context.Background(), &sealed); err != nil {
		h.t.Fatal(err)
	}
	s, err := token.NewSealer(h.tok.kek, token.PurposeSigningKeys)
	if err != nil {
		h.t.Fatal(err)
	}
	seed, err := s.Open(sealed, []byte(kid))
	if err != nil {
		h.t.Fatal(err)
	}
	return ed25519.NewKeyFromSeed(seed)
}

func decodeJWT(t *testing.T, s string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWS", s)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

func enc(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func withClaim(claims map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for key, val := range claims {
		out[key] = val
	}
	out[k] = v
	return out
}

func jwksKIDs(t *testing.T, h *harness) []string {
	t.Helper()
	r := h.api(http.MethodGet, "/.well-known/jwks.json", "", "")
	if r.status != http.StatusOK {
		t.Fatalf("jwks: %d", r.status)
	}
	var set token.JWKS
	if err := json.Unmarshal([]byte(r.body), &set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids
}

func TestAccessTokensCarryAndRequireTheAudience(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	good := h.passwordGrant("aud@example.com", apiPassword)
	header, claims := decodeJWT(t, good.AccessToken)
	app := token.AppAudience(h.appID)
	if aud, ok := claims["aud"].([]any); !ok || len(aud) != 2 || aud[0] != testAudience || aud[1] != app {
		t.Fatalf("aud = %#v, want [%q %q]", claims["aud"], testAudience, app)
	}
	kid := header["kid"].(string)
	key := h.signingKey(kid)
	// sign re-signs the good token's claims with the real key and one
	// change, so only the audience can make it fail.
	sign := func(aud any) string {
		c := jwt.MapClaims{}
		for k, v := range claims {
			c[k] = v
		}
		if aud == nil {
			delete(c, "aud")
		} else {
			c["aud"] = aud
		}
		tk := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		tk.Header["kid"], tk.Header["typ"] = kid, "at+jwt"
		s, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for name, c := range map[string]struct {
		aud    any
		status int
	}{
		"the same audience":                {[]any{testAudience, app}, http.StatusOK},
		"another audience and ours":        {[]any{"https://other.example", testAudience, app}, http.StatusOK},
		"ours without the app's":           {[]any{testAudience}, http.StatusUnauthorized},
		"ours as a string, no app":         {testAudience, http.StatusUnauthorized},
		"ours and another app's":           {[]any{testAudience, token.AppAudience(uuid.New())}, http.StatusUnauthorized},
		"only the app's":                   {[]any{app}, http.StatusUnauthorized},
		"another audience":                 {[]any{"https://other.example"}, http.StatusUnauthorized},
		"another audience, as a string":    {"https://other.example", http.StatusUnauthorized},
		"no audience":                      {nil, http.StatusUnauthorized},
		"an empty audience":                {[]any{}, http.StatusUnauthorized},
		"the issuer as audience":           {testIssuer, http.StatusUnauthorized},
		"our audience with a trailing '/'": {testAudience + "/", http.StatusUnauthorized},
	} {
		t.Run(name, func(t *testing.T) {
			r := h.me(sign(c.aud))
			if r.status != c.status || (c.status == http.StatusUnauthorized && r.Error != "invalid_token") {
				t.Fatalf("%d %s, want %d", r.status, r.body, c.status)
			}
		})
	}
}
