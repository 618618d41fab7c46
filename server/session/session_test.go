package session_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/latch-dev/latch/db"
	"github.com/latch-dev/latch/db/dbtest"
	"github.com/latch-dev/latch/server/auth"
	"github.com/latch-dev/latch/server/session"
)

const fakeHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// rig is a Manager over the real store, behind a tiny app:
//
//	POST /login?remember=1  signs in rig.user
//	POST /renew             renews the token
//	GET  /me                answers "user public-id", or "-" when signed out
//	GET  /revoke-self       deletes its own row mid-request, then answers
type rig struct {
	t     *testing.T
	db    *bun.DB
	store *db.Sessions
	clock *clock
	m     *session.Manager
	srv   *httptest.Server
	user  uuid.UUID
}

const (
	idle         = 30 * time.Minute
	lifetime     = 12 * time.Hour
	rememberIdle = 7 * 24 * time.Hour
	rememberLife = 30 * 24 * time.Hour
)

func newRig(t *testing.T) *rig {
	t.Helper()
	bdb := dbtest.Open(t)
	ctx := context.Background()
	app, err := db.AppID(ctx, bdb, "default")
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, db: bdb, clock: &clock{now: time.Now()}, user: uuid.Must(uuid.NewV7())}
	if err := db.NewUsers(bdb).CreatePasswordUser(ctx, auth.NewPasswordUser{
		User:  auth.User{ID: r.user, AppID: app, Status: auth.StatusActive, CreatedAt: time.Now()},
		Email: "rig@example.com", PasswordHash: fakeHash,
	}); err != nil {
		t.Fatal(err)
	}
	r.store = db.NewSessions(bdb, db.SessionKeys{User: session.UserKey, PublicID: session.PublicIDKey}, r.clock.Now)
	r.m = session.New(r.store, session.Options{
		IdleTimeout: idle, Lifetime: lifetime, RememberIdleTimeout: rememberIdle, RememberLifetime: rememberLife,
		Clock: r.clock.Now,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, req *http.Request) {
		if err := r.m.Login(req.Context(), r.user, req.URL.Query().Get("remember") == "1"); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("POST /renew", func(w http.ResponseWriter, req *http.Request) {
		if err := r.m.Renew(req.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
		}
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, req *http.Request) {
		io.WriteString(w, r.me(req.Context()))
	})
	mux.HandleFunc("GET /revoke-self", func(w http.ResponseWriter, req *http.Request) {
		// As if another device signed this one out while it was being served.
		if _, err := r.store.DeleteUserSession(req.Context(), r.user, r.m.PublicID(req.Context())); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		io.WriteString(w, r.me(req.Context()))
	})
	r.srv = httptest.NewServer(r.m.Middleware(mux))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rig) me(ctx context.Context) string {
	id, ok := r.m.UserID(ctx)
	if !ok {
		return "-"
	}
	return id.String() + " " + r.m.PublicID(ctx)
}

// call makes a request with the cookie value token ("" for none) and
// returns the body and the session cookie set, if any.
func (r *rig) call(method, path, token string) (string, *http.Cookie) {
	r.t.Helper()
	req, _ := http.NewRequest(method, r.srv.URL+path, nil)
	if token != "" {
		req.AddCookie(&http.Cookie{Name: session.CookieName(false), Value: token})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.Name == session.CookieName(false) {
			return string(b), c
		}
	}
	return string(b), nil
}

func (r *rig) login(remember bool) *http.Cookie {
	r.t.Helper()
	path := "/login"
	if remember {
		path += "?remember=1"
	}
	_, c := r.call("POST", path, "")
	if c == nil || c.Value == "" {
		r.t.Fatal("login set no cookie")
	}
	return c
}

// storedExpiry is the expiry of the only stored session.
func (r *rig) storedExpiry() time.Time {
	r.t.Helper()
	var exp []time.Time
	if err := r.db.NewSelect().TableExpr("sessions").Column("expiry").Scan(context.Background(), &exp); err != nil || len(exp) != 1 {
		r.t.Fatalf("stored sessions: %v %v", exp, err)
	}
	return exp[0]
}

func TestRenewKeepsTheSessionUnderANewToken(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	old := r.login(true)
	before, _ := r.call("GET", "/me", old.Value)
	if !strings.HasPrefix(before, r.user.String()+" ") {
		t.Fatalf("after login /me = %q", before)
	}

	r.clock.Advance(5 * time.Minute)
	_, renewed := r.call("POST", "/renew", old.Value)
	if renewed == nil || renewed.Value == "" || renewed.Value == old.Value {
		t.Fatalf("renew cookie = %+v, want a new token", renewed)
	}
	if got, _ := r.call("GET", "/me", old.Value); got != "-" {
		t.Fatalf("old token after renew: /me = %q, want signed out", got)
	}
	if got, _ := r.call("GET", "/me", renewed.Value); got != before {
		t.Fatalf("new token: /me = %q, want %q (same user and public id)", got, before)
	}
	// Still remembered, ending when it would have ended anyway.
	if d := renewed.Expires.Sub(old.Expires); renewed.MaxAge <= 0 || d < -2*time.Second || d > 2*time.Second {
		t.Fatalf("renewed cookie Max-Age %d Expires %v, login cookie Expires %v", renewed.MaxAge, renewed.Expires, old.Expires)
	}

	if _, c := r.call("POST", "/renew", ""); c != nil {
		t.Fatal("renewing with no session started one")
	}
}

func TestRenewWithoutAUserFails(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	req := httptest.NewRequest("GET", "/", nil)
	var err error
	r.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		err = r.m.Renew(req.Context())
	})).ServeHTTP(httptest.NewRecorder(), req)
	if !errors.Is(err, session.ErrNoUser) {
		t.Fatalf("Renew signed out = %v, want ErrNoUser", err)
	}
}

func TestLoginGivesANewPublicIDEachTime(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	a, _ := r.call("GET", "/me", r.login(false).Value)
	b, _ := r.call("GET", "/me", r.login(false).Value)
	pa, pb := strings.Fields(a)[1], strings.Fields(b)[1]
	if pa == pb || !session.IsPublicID(pa) || !session.IsPublicID(pb) {
		t.Fatalf("public ids %q and %q, want two distinct well-formed ids", pa, pb)
	}
}

func TestStoredExpiryFollowsTheIdleWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		remember bool
		idle     time.Duration
	}{{"browser session", false, idle}, {"remembered", true, rememberIdle}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			login := r.clock.Now()
			c := r.login(tc.remember)
			if got, want := r.storedExpiry(), login.Add(tc.idle); got.Unix() != want.Unix() {
				t.Fatalf("stored expiry %v, want the end of the idle window %v", got, want)
			}
			// Activity moves the window, written at most once a minute.
			r.clock.Advance(30 * time.Second)
			r.call("GET", "/me", c.Value)
			if got, want := r.storedExpiry(), login.Add(tc.idle); got.Unix() != want.Unix() {
				t.Fatalf("a request within a minute rewrote the session: expiry %v", got)
			}
			r.clock.Advance(time.Minute)
			r.call("GET", "/me", c.Value)
			if got, want := r.storedExpiry(), r.clock.Now().Add(tc.idle); got.Unix() != want.Unix() {
				t.Fatalf("stored expiry after activity %v, want %v", got, want)
			}
		})
	}
}

func TestRememberedSessionsUseTheirOwnTimeouts(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	plain, kept := r.login(false), r.login(true)
	r.clock.Advance(2 * time.Hour) // past the idle timeout, well within the remembered one
	if got, _ := r.call("GET", "/me", plain.Value); got != "-" {
		t.Fatalf("browser session survived 2h idle: %q", got)
	}
	if got, _ := r.call("GET", "/me", kept.Value); got == "-" {
		t.Fatal("remembered session ended after 2h idle")
	}
	r.clock.Advance(rememberIdle + time.Minute)
	if got, _ := r.call("GET", "/me", kept.Value); got != "-" {
		t.Fatalf("remembered session survived its own idle timeout: %q", got)
	}

	// Used every few days, it still ends at its absolute lifetime.
	kept = r.login(true)
	for used := time.Duration(0); used < rememberLife-3*24*time.Hour; used += 3 * 24 * time.Hour {
		r.clock.Advance(3 * 24 * time.Hour)
		if got, _ := r.call("GET", "/me", kept.Value); got == "-" {
			t.Fatalf("remembered session ended early, %v after login", used)
		}
	}
	r.clock.Advance(4 * 24 * time.Hour)
	if got, _ := r.call("GET", "/me", kept.Value); got != "-" {
		t.Fatalf("remembered session outlived its lifetime: %q", got)
	}
}

func TestARevokedSessionIsNotSavedBackByItsRunningRequest(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.login(false)
	r.clock.Advance(2 * time.Minute) // the next request records activity: a save
	if got, _ := r.call("GET", "/revoke-self", c.Value); got == "-" {
		t.Fatal("request was not signed in")
	}
	if _, found, err := r.store.FindCtx(context.Background(), c.Value); err != nil || found {
		t.Fatalf("revoked session stored again by its own request: found=%v err=%v", found, err)
	}
	if got, _ := r.call("GET", "/me", c.Value); got != "-" {
		t.Fatalf("revoked session still signed in: %q", got)
	}
}

func TestASessionWithoutAPublicIDGetsOne(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	// A session saved before sessions carried public ids.
	data, err := session.Codec{}.Encode(r.clock.Now().Add(time.Hour), map[string]any{
		session.UserKey: r.user.String(), "seen_at": r.clock.Now().Unix(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.CommitCtx(context.Background(), "legacy-token", data, r.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ := r.call("GET", "/me", "legacy-token")
	fields := strings.Fields(got)
	if len(fields) != 2 || !session.IsPublicID(fields[1]) {
		t.Fatalf("/me = %q, want a user and a public id", got)
	}
	list, err := r.store.UserSessions(context.Background(), r.user)
	if err != nil || len(list) != 1 || list[0].PublicID != fields[1] {
		t.Fatalf("stored sessions %+v %v, want the public id %s", list, err, fields[1])
	}
}

func TestIsPublicID(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"AAAAAAAAAAAAAAAAAAAAAA":                     true,
		"abcdefghijklmnopqrstuA":                     true,
		"AAAAAAAAAAAAAAAAAAAAA":                      false, // 21
		"AAAAAAAAAAAAAAAAAAAAAAA":                    false, // 23
		"AAAAAAAAAAAAAAAAAAAA+/":                     false, // not base64url
		"AAAAAAAAAAAAAAAAAAAAA=":                     false,
		"AAAAAAAAAAAAAAAAAAAAAB":                     false, // stray bits: not what 16 bytes encode to
		"":                                           false,
		"<script>alert(1)</script>":                  false,
		strings.Repeat("A", 64):                      false,
		"0123456789012345678901234567890123456789AB": false,
	} {
		if got := session.IsPublicID(s); got != want {
			t.Errorf("IsPublicID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestASessionStoredByGobStartsFresh(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	// A signed-in session saved by scs's gob codec, before Codec.
	data, err := scs.GobCodec{}.Encode(r.clock.Now().Add(time.Hour), map[string]any{
		session.UserKey: r.user.String(), "seen_at": r.clock.Now().Unix(), session.PublicIDKey: "AAAAAAAAAAAAAAAAAAAAAA",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.CommitCtx(context.Background(), "gob-token", data, r.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.call("GET", "/me", "gob-token"); got != "-" {
		t.Fatalf("a gob session signed in: /me = %q, want a fresh anonymous session", got)
	}
}

func TestCodecRoundTripsAndRefusesOtherData(t *testing.T) {
	t.Parallel()
	deadline := time.Unix(1_900_000_000, 123)
	values := map[string]any{"user_id": "u", "seen_at": int64(-7), "remember": true, "off": false, "empty": ""}
	b, err := session.Codec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	gotDeadline, got, err := session.Codec{}.Decode(b)
	if err != nil || !gotDeadline.Equal(deadline) || len(got) != len(values) {
		t.Fatalf("Decode = %v %v %v", gotDeadline, got, err)
	}
	for k, v := range values {
		if got[k] != v {
			t.Fatalf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	if _, err := (session.Codec{}).Encode(deadline, map[string]any{"t": time.Now()}); err == nil {
		t.Fatal("a time.Time value was encoded; Decode could not read it")
	}
	gob, _ := scs.GobCodec{}.Encode(deadline, values)
	hostile := [][]byte{nil, {}, gob, {0x4c}, append(append([]byte{}, b...), 0), {0x4c, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}}
	for i := range b { // every truncation, and every byte flipped
		hostile = append(hostile, b[:i])
		c := append([]byte{}, b...)
		c[i] ^= 0xff
		hostile = append(hostile, c)
	}
	for i, h := range hostile {
		_, v, err := session.Codec{}.Decode(h)
		if i < 6 && !errors.Is(err, session.ErrFormat) {
			t.Fatalf("hostile input %d decoded: %v %v", i, v, err)
		}
	}
}
