// Package session wires scs cookie sessions for Latch: the cookie's
// security attributes, an idle timeout enforced without a database write on
// every request, "keep me signed in" with its own lifetimes, a public id per
// session for the device list, and the Login/Renew/Logout steps that renew
// the session token.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
)

// Keys in the session data. UserKey and PublicIDKey are read by the session
// store to record which user a session belongs to and its public id.
const (
	UserKey     = "user_id"
	PublicIDKey = "public_id"
	seenKey     = "seen_at"  // unix seconds of the last recorded activity
	rememberKey = "remember" // true for a "keep me signed in" session
	appKey      = "app"      // the app the session signed in to (Options.AppOf)
)

// ErrNoUser is returned by Renew for a session nobody is signed in to.
var ErrNoUser = errors.New("session: no signed-in user")

// TouchInterval is how stale the recorded last activity may get before a
// request writes it again: at most one session write a minute per session.
const TouchInterval = time.Minute

// Options configure a Manager.
type Options struct {
	Secure      bool          // TLS origin: Secure cookie named with the __Host- prefix
	IdleTimeout time.Duration // a session unused this long ends
	Lifetime    time.Duration // a session ends this long after login, used or not
	// RememberIdleTimeout and RememberLifetime replace IdleTimeout and
	// Lifetime for a session started with "keep me signed in", whose cookie
	// also outlives the browser. Zero means the same as the other.
	RememberIdleTimeout time.Duration
	RememberLifetime    time.Duration
	// PendingTTL bounds the time between a first factor and the second
	// (DefaultPendingTTL when zero); ProviderTTL a round trip to a sign-in
	// provider and how long a provider account is held for linking
	// (DefaultProviderTTL when zero).
	PendingTTL  time.Duration
	ProviderTTL time.Duration
	Clock       func() time.Time // nil means time.Now
	Logger      *slog.Logger     // nil discards
	// AppOf names the app of the request in ctx (when one server serves
	// several); Login binds the session to it (App). nil binds none.
	AppOf func(ctx context.Context) string
	// Sealer encrypts the link tokens a session holds between two steps
	// (a reset's, a recovery's finish), so the sessions table never holds
	// one in plain form. Every instance needs the same one (Latch derives
	// it from LATCH_TOKEN_KEK). nil seals under a key made for this
	// process only: a token held by one process is lost to another.
	Sealer Sealer
}

// Sealer encrypts small values bound to associated data (token.Sealer).
type Sealer interface {
	Seal(plain, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// Store is the session storage a Manager needs: scs's store, and an
// update that never creates a session (see saver.save).
type Store interface {
	scs.CtxStore
	// UpdateCtx saves an existing session and reports false, writing
	// nothing, when the session is no longer stored.
	UpdateCtx(ctx context.Context, token string, b []byte, expiry time.Time) (bool, error)
}

// Manager is Latch's session manager.
type Manager struct {
	sm               *scs.SessionManager
	idle             time.Duration
	lifetime         time.Duration
	rememberIdle     time.Duration
	rememberLifetime time.Duration
	pendingTTL       time.Duration
	providerTTL      time.Duration
	clock            func() time.Time
	log              *slog.Logger
	appOf            func(ctx context.Context) string
	sealer           Sealer
}

// CookieName returns the session cookie's name: "__Host-latch_session" on a
// TLS origin, so browsers bind it to this host and path "/" only.
func CookieName(secure bool) string {
	if secure {
		return "__Host-latch_session"
	}
	return "latch_session"
}

// New returns a Manager over store.
func New(store Store, opt Options) *Manager {
	sm := scs.New()
	sm.Codec = Codec{}
	sm.Lifetime = opt.Lifetime
	sm.IdleTimeout = 0 // enforced by Manager, see enforceIdle
	sm.Cookie.Name = CookieName(opt.Secure)
	sm.Cookie.Path = "/"
	sm.Cookie.Domain = ""
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = opt.Secure
	sm.Cookie.Persist = false // a browser-session cookie unless remembered; the server enforces both timeouts
	m := &Manager{
		sm: sm, idle: opt.IdleTimeout, lifetime: opt.Lifetime,
		rememberIdle: opt.RememberIdleTimeout, rememberLifetime: opt.RememberLifetime,
		pendingTTL: opt.PendingTTL, providerTTL: opt.ProviderTTL,
		clock: opt.Clock, log: opt.Logger, appOf: opt.AppOf, sealer: opt.Sealer,
	}
	if m.sealer == nil {
		m.sealer = processSealer()
	}
	if m.pendingTTL <= 0 {
		m.pendingTTL = DefaultPendingTTL
	}
	if m.providerTTL <= 0 {
		m.providerTTL = DefaultProviderTTL
	}
	if m.rememberIdle <= 0 {
		m.rememberIdle = m.idle
	}
	if m.rememberLifetime <= 0 {
		m.rememberLifetime = m.lifetime
	}
	if m.clock == nil {
		m.clock = time.Now
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	sm.Store = &idleStore{Store: store, m: m}
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		m.log.ErrorContext(r.Context(), "session store failed", "err", err)
		http.Error(w, messages.Text(messages.InternalError), http.StatusInternalServerError)
	}
	return m
}

// Middleware loads the session for each request, ends it when idle too
// long, records activity at most once per TouchInterval, and saves it once,
// just before the response's headers go out.
//
// It replaces scs's LoadAndSave because that one misses responses whose
// headers are sent by a flush (server-sent events, as Datastar answers):
// here Flush saves the session and writes the cookie first, like WriteHeader
// and Write do, so a login answered over SSE keeps its cookie, and no
// request saves a session twice.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Cookie")
		var token string
		if c, err := r.Cookie(m.sm.Cookie.Name); err == nil {
			token = c.Value
		}
		ctx, err := m.sm.Load(r.Context(), token)
		if errors.Is(err, ErrFormat) {
			// Stored in a form this version does not read (gob, before
			// Codec): a fresh anonymous session, never the old one.
			ctx, err = m.sm.Load(r.Context(), "")
		}
		if err != nil {
			m.sm.ErrorFunc(w, r, err)
			return
		}
		r = r.WithContext(ctx)
		m.enforceIdle(ctx)
		// The token of the stored session this request loaded, "" for none:
		// a save under the same token is an update, never an insert.
		sw := &saver{ResponseWriter: w, m: m, r: r, loaded: m.sm.Token(ctx)}
		next.ServeHTTP(sw, r)
		sw.save()
	})
}

// saver saves the session once, before the first byte of the response.
type saver struct {
	http.ResponseWriter
	m          *Manager
	r          *http.Request
	loaded     string // token of the stored session the request loaded
	saved      bool
	failed     bool // the commit failed: the response becomes a 500
	errWritten bool
}

// save commits a modified session and writes its cookie, or clears the
// cookie of a destroyed one. A failed commit turns the response into a 500:
// an answer that promised a session must not go out without one.
//
// A session this request loaded from the store, and still holds under the
// same token, is saved as an update only: if it was revoked while the
// request ran (signed out from another device, the user suspended), the
// save writes nothing rather than bring it back.
func (s *saver) save() {
	if s.saved {
		return
	}
	s.saved = true
	ctx := s.r.Context()
	switch s.m.sm.Status(ctx) {
	case scs.Modified:
		if s.loaded != "" && s.m.sm.Token(ctx) == s.loaded {
			ctx = context.WithValue(ctx, updateOnlyKey{}, true)
		}
		token, expiry, err := s.m.sm.Commit(ctx)
		if err != nil {
			s.failed = true
			s.m.log.ErrorContext(ctx, "session commit failed", "err", err)
			return
		}
		s.m.sm.WriteSessionCookie(ctx, s.ResponseWriter, token, expiry)
	case scs.Destroyed:
		s.m.sm.WriteSessionCookie(ctx, s.ResponseWriter, "", time.Time{})
	}
}

func (s *saver) WriteHeader(code int) {
	s.save()
	if s.failed {
		s.fail()
		return
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *saver) Write(b []byte) (int, error) {
	s.save()
	if s.failed {
		s.fail()
		return len(b), nil // the handler's body is replaced by the error
	}
	return s.ResponseWriter.Write(b)
}

// Flush saves before the headers are flushed; http.ResponseController
// finds this method before unwrapping to the writer underneath.
func (s *saver) Flush() {
	s.save()
	if s.failed {
		s.fail()
		return
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// fail writes the generic error, once.
func (s *saver) fail() {
	if s.errWritten {
		return
	}
	s.errWritten = true
	h := s.ResponseWriter.Header()
	h.Del("Location")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	s.ResponseWriter.WriteHeader(http.StatusInternalServerError)
	_, _ = s.ResponseWriter.Write([]byte(messages.Text(messages.InternalError) + "\n"))
}

func (s *saver) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (m *Manager) enforceIdle(ctx context.Context) {
	if !m.sm.Exists(ctx, UserKey) {
		return
	}
	now := m.clock()
	seen := time.Unix(m.sm.GetInt64(ctx, seenKey), 0)
	switch {
	case now.Sub(seen) > m.idleTimeout(m.sm.GetBool(ctx, rememberKey)):
		if err := m.sm.Destroy(ctx); err != nil {
			m.log.WarnContext(ctx, "ending idle session failed", "err", err)
		}
		return
	case now.Sub(seen) >= TouchInterval:
		m.sm.Put(ctx, seenKey, now.Unix())
	}
	if m.sm.GetString(ctx, PublicIDKey) == "" {
		// A session started before sessions had public ids gets one now,
		// once, so it can be listed and signed out like any other.
		m.sm.Put(ctx, PublicIDKey, newPublicID())
	}
}

func (m *Manager) idleTimeout(remember bool) time.Duration {
	if remember {
		return m.rememberIdle
	}
	return m.idle
}

// UserID returns the signed-in user of the request's session.
func (m *Manager) UserID(ctx context.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(m.sm.GetString(ctx, UserKey))
	return id, err == nil
}

// PublicID returns the public id of the request's session, "" when nobody
// is signed in. It names the session on the device list and in its forms;
// it is random and unrelated to the cookie token.
func (m *Manager) PublicID(ctx context.Context) string {
	if !m.sm.Exists(ctx, UserKey) {
		return ""
	}
	return m.sm.GetString(ctx, PublicIDKey)
}

// Login starts a signed-in session for userID: a new token (the old one is
// deleted, defeating session fixation), a new public id, and the user
// recorded. With remember, the session lasts RememberLifetime with
// RememberIdleTimeout, and its cookie persists after the browser closes;
// without, the cookie is a browser-session cookie. The session is saved,
// and its cookie written, when the response starts.
func (m *Manager) Login(ctx context.Context, userID uuid.UUID, remember bool) error {
	if err := m.sm.RenewToken(ctx); err != nil {
		return fmt.Errorf("session: renew token: %w", err)
	}
	now := m.clock()
	lifetime := m.lifetime
	if remember {
		lifetime = m.rememberLifetime
	}
	m.sm.SetDeadline(ctx, now.Add(lifetime).UTC())
	m.sm.Put(ctx, UserKey, userID.String())
	m.sm.Put(ctx, PublicIDKey, newPublicID())
	m.sm.Put(ctx, seenKey, now.Unix())
	m.sm.Put(ctx, authAtKey, now.Unix()) // signing in is a fresh proof
	m.sm.Put(ctx, rememberKey, remember)
	if m.appOf != nil {
		m.sm.Put(ctx, appKey, m.appOf(ctx))
	}
	m.sm.RememberMe(ctx, remember)
	return nil
}

// App is the app the signed-in session was started in (Options.AppOf),
// "" when it names none (no AppOf, or a session from before).
func (m *Manager) App(ctx context.Context) string { return m.sm.GetString(ctx, appKey) }

// Renew gives the signed-in session a new token and deletes the old one,
// keeping who is signed in, the session's public id, whether it is
// remembered and when it must end. Call it on every privilege change (a new
// password, a second factor turned on, other devices signed out), so a
// token copied before the change is dead after it.
//
// Errors: ErrNoUser when nobody is signed in; a store failure deleting the
// old token.
func (m *Manager) Renew(ctx context.Context) error {
	if !m.sm.Exists(ctx, UserKey) {
		return ErrNoUser
	}
	deadline := m.sm.Deadline(ctx)
	if err := m.sm.RenewToken(ctx); err != nil {
		return fmt.Errorf("session: renew token: %w", err)
	}
	m.sm.SetDeadline(ctx, deadline) // a renewal never extends a session
	m.sm.Put(ctx, seenKey, m.clock().Unix())
	return nil
}

// Logout ends the session: its row is deleted now and the cookie cleared
// when the response starts.
func (m *Manager) Logout(ctx context.Context) error {
	if err := m.sm.Destroy(ctx); err != nil {
		return fmt.Errorf("session: destroy: %w", err)
	}
	return nil
}

// newPublicID returns 16 random bytes as 22 characters of unpadded
// base64url: the session's public id.
func newPublicID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// IsPublicID reports whether s has the form of a public id, so a handler can
// refuse a malformed one before asking the store.
func IsPublicID(s string) bool {
	if len(s) != 22 {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}

type updateOnlyKey struct{}

// idleStore sits between scs and the store. It stores each session with
// its expiry brought forward to the end of its idle window (last recorded
// activity plus the idle timeout), so the store itself stops finding, no
// longer lists, and cleans up sessions the Manager would end as idle; and
// it turns saves of a loaded session into updates that never recreate it.
// The cookie's own expiry stays the session's absolute deadline.
type idleStore struct {
	Store
	m *Manager
}

// CommitCtx saves the session with its expiry capped by the idle window.
func (s *idleStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if _, values, err := s.m.sm.Codec.Decode(b); err == nil {
		if seen, ok := values[seenKey].(int64); ok {
			remember, _ := values[rememberKey].(bool)
			if end := time.Unix(seen, 0).Add(s.m.idleTimeout(remember)); end.Before(expiry) {
				expiry = end
			}
		}
	}
	if only, _ := ctx.Value(updateOnlyKey{}).(bool); only {
		if ok, err := s.Store.UpdateCtx(ctx, token, b, expiry); err != nil || ok {
			return err
		}
		s.m.log.InfoContext(ctx, "session ended while its request ran; not saved again")
		return nil
	}
	return s.Store.CommitCtx(ctx, token, b, expiry)
}

// Commit satisfies scs.Store; scs calls CommitCtx.
func (s *idleStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}
