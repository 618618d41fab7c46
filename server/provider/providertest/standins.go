package providertest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
)

// grant is an authorization code a stand-in handed out.
type grant struct {
	person    Person
	challenge string // PKCE S256 challenge, GitHub only
	redirect  string
	used      bool
}

// standIn is what the GitHub and WeChat stand-ins share: people who may
// sign in, the codes handed out, and the tokens issued.
type standIn struct {
	mu     sync.Mutex
	people map[string]Person // by username
	codes  map[string]*grant
	tokens map[string]Person
	// FailNext, when set, is answered to the next token request instead.
	failNext string
}

func newStandIn() standIn {
	return standIn{people: map[string]Person{}, codes: map[string]*grant{}, tokens: map[string]Person{}}
}

func (s *standIn) add(p Person) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people[p.Username] = p
}

func (s *standIn) code(p Person, challenge, redirect string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := token()
	s.codes[c] = &grant{person: p, challenge: challenge, redirect: redirect}
	return c
}

func token() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// approvePage is the stand-ins' sign-in page: one button per person, as a
// provider's consent screen would offer (the QR scan, for WeChat).
var approvePage = template.Must(template.New("approve").Parse(`<!doctype html>
<html lang="en"><head><title>{{.Title}}</title></head><body>
<h1>{{.Title}}</h1>
{{range .People}}<form method="post"><input type="hidden" name="username" value="{{.}}"><button type="submit" name="approve" value="yes" data-testid="approve-{{.}}">Continue as {{.}}</button></form>{{end}}
<form method="post"><button type="submit" name="approve" value="no" data-testid="decline">Cancel</button></form>
</body></html>`))

func (s *standIn) approve(w http.ResponseWriter, r *http.Request, title string, redirect func(Person, url.Values) string) {
	if r.Method == http.MethodGet {
		s.mu.Lock()
		var names []string
		for n := range s.people {
			names = append(names, n)
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = approvePage.Execute(w, map[string]any{"Title": title, "People": names})
		return
	}
	_ = r.ParseForm()
	q, _ := url.ParseQuery(r.URL.RawQuery)
	if r.PostForm.Get("approve") != "yes" {
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"error": {"access_denied"}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
		return
	}
	s.mu.Lock()
	p, ok := s.people[r.PostForm.Get("username")]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "no such person", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, redirect(p, q), http.StatusFound)
}

// GitHub is a stand-in for github.com and api.github.com: the OAuth 2
// authorize page, the token endpoint (PKCE S256 checked, codes single use)
// and the REST endpoints /user and /user/emails.
type GitHub struct {
	URL          string // both the web and the API base URL
	ClientID     string
	ClientSecret string
	standIn
}

// NewGitHub starts a GitHub stand-in; it stops when the test ends.
func NewGitHub(t testing.TB, people ...Person) *GitHub {
	g := &GitHub{ClientID: "gh-client", ClientSecret: "gh-secret", standIn: newStandIn()}
	for _, p := range people {
		g.add(p)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != g.ClientID || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
			http.Error(w, "bad authorize request", http.StatusBadRequest)
			return
		}
		g.approve(w, r, "Authorize on GitHub", func(p Person, q url.Values) string {
			code := g.code(p, q.Get("code_challenge"), q.Get("redirect_uri"))
			return q.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		})
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f := r.PostForm
		w.Header().Set("Content-Type", "application/json")
		if f.Get("client_id") != g.ClientID || f.Get("client_secret") != g.ClientSecret {
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "incorrect_client_credentials"})
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		gr, ok := g.codes[f.Get("code")]
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if !ok || gr.used || gr.redirect != f.Get("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != gr.challenge {
			// GitHub answers a bad code with status 200 and an error body.
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."})
			return
		}
		gr.used = true
		tok := token()
		g.tokens[tok] = gr.person
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": tok, "token_type": "bearer", "scope": "read:user,user:email"})
	})
	person := func(w http.ResponseWriter, r *http.Request) (Person, bool) {
		g.mu.Lock()
		defer g.mu.Unlock()
		p, ok := g.tokens[r.Header.Get("Authorization")[min(len("Bearer "), len(r.Header.Get("Authorization"))):]]
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"message": "Bad credentials"})
		}
		return p, ok
	}
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		if p, ok := person(w, r); ok {
			id, _ := strconv.ParseInt(p.Subject, 10, 64)
			_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "login": p.Username, "name": p.Name})
		}
	})
	mux.HandleFunc("GET /user/emails", func(w http.ResponseWriter, r *http.Request) {
		if p, ok := person(w, r); ok {
			_ = json.NewEncoder(w).Encode([]map[string]any{
				{"email": "noreply-" + p.Username + "@users.noreply.example", "primary": false, "verified": true, "visibility": nil},
				{"email": p.Email, "primary": true, "verified": p.EmailVerified, "visibility": "private"},
			})
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// Add lets p sign in at the stand-in (Subject: a decimal user id).
func (g *GitHub) Add(p Person) { g.add(p) }

// WeChat is a stand-in for open.weixin.qq.com and api.weixin.qq.com: the
// QR login page (a button stands for the scan), sns/oauth2/access_token
// and sns/userinfo, answering errors as WeChat does: status 200 and
// {"errcode":…,"errmsg":…}.
type WeChat struct {
	URL    string // both the open and the API base URL
	AppID  string
	Secret string
	standIn
}

// WeChat error codes the stand-in answers.
const (
	WeChatInvalidCode   = 40029
	WeChatCodeUsed      = 40163
	WeChatInvalidAppID  = 40013
	WeChatInvalidSecret = 40125
	WeChatBusy          = -1
)

// NewWeChat starts a WeChat stand-in; it stops when the test ends. A
// Person's Subject is their openid.
func NewWeChat(t testing.TB, people ...Person) *WeChat {
	wc := &WeChat{AppID: "wx0123456789abcdef", Secret: "wechat-secret", standIn: newStandIn()}
	for _, p := range people {
		wc.add(p)
	}
	fail := func(w http.ResponseWriter, code int, msg string) {
		// WeChat answers JSON as text/plain.
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, `{"errcode":%d,"errmsg":%q}`, code, msg+", rid: 6650a1b2-0c1d2e3f-4a5b6c7d")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/connect/qrconnect", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("appid") != wc.AppID || q.Get("scope") != "snsapi_login" || q.Get("response_type") != "code" {
			http.Error(w, "参数错误 (bad parameters)", http.StatusBadRequest)
			return
		}
		wc.approve(w, r, "WeChat Login", func(p Person, q url.Values) string {
			code := wc.code(p, "", q.Get("redirect_uri"))
			return q.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		})
	})
	mux.HandleFunc("GET /sns/oauth2/access_token", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		wc.mu.Lock()
		defer wc.mu.Unlock()
		if f := wc.failNext; f != "" {
			wc.failNext = ""
			code, _ := strconv.Atoi(f)
			fail(w, code, "failure on request")
			return
		}
		switch {
		case q.Get("appid") != wc.AppID:
			fail(w, WeChatInvalidAppID, "invalid appid")
			return
		case q.Get("secret") != wc.Secret:
			fail(w, WeChatInvalidSecret, "invalid appsecret")
			return
		case q.Get("grant_type") != "authorization_code" || q.Get("code") == "":
			fail(w, 41008, "missing code")
			return
		}
		gr, ok := wc.codes[q.Get("code")]
		switch {
		case !ok:
			fail(w, WeChatInvalidCode, "invalid code")
			return
		case gr.used:
			fail(w, WeChatCodeUsed, "code been used")
			return
		}
		gr.used = true
		tok := token()
		wc.tokens[tok] = gr.person
		w.Header().Set("Content-Type", "text/plain")
		out := map[string]any{"access_token": tok, "expires_in": 7200, "refresh_token": token(),
			"openid": gr.person.Subject, "scope": "snsapi_login"}
		if gr.person.UnionID != "" {
			out["unionid"] = gr.person.UnionID
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /sns/userinfo", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		wc.mu.Lock()
		p, ok := wc.tokens[q.Get("access_token")]
		wc.mu.Unlock()
		if !ok {
			fail(w, 40001, "invalid credential, access_token is invalid or not latest")
			return
		}
		if q.Get("openid") != p.Subject {
			fail(w, 40003, "invalid openid")
			return
		}
		out := map[string]any{"openid": p.Subject, "nickname": p.Name, "sex": 0, "province": "", "city": "",
			"country": "", "headimgurl": "", "privilege": []string{}}
		if p.UnionID != "" {
			out["unionid"] = p.UnionID
		}
		w.Header().Set("Content-Type", "text/plain")
		_ = json.NewEncoder(w).Encode(out)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	wc.URL = srv.URL
	return wc
}

// Add lets p sign in at the stand-in.
func (wc *WeChat) Add(p Person) { wc.add(p) }

// FailNextToken makes the next access_token request answer errcode.
func (wc *WeChat) FailNextToken(errcode int) {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	wc.failNext = strconv.Itoa(errcode)
}

// Approve plays the person at the stand-in's page: it opens authURL,
// approves as username and returns the callback URL with code and state.
func (s *standIn) Approve(t testing.TB, authURL, username string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatalf("providertest: auth URL: %v", err)
	}
	u.Fragment = ""
	resp, err := c.PostForm(u.String(), url.Values{"username": {username}, "approve": {"yes"}})
	if err != nil {
		t.Fatalf("providertest: approve: %v", err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Fatalf("providertest: approve answered %d %q", resp.StatusCode, loc)
	}
	return loc
}
