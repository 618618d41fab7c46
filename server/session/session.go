// Package session wires scs cookie sessions for Latch: the cookie's
// security attributes, an idle timeout enforced without a database write on
// every request, and the Login/Logout steps that renew the session token.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"
)

// Keys in the session data. UserKey is read by the session store to record
// which user a session belongs to.
const (
	UserKey = "user_id"
	seenKey = "seen_at" // unix seconds of the last recorded activity
)

// TouchInterval is how stale the recorded last activity may get before a
// request writes it again: at most one session write a minute per session.
const TouchInterval = time.Minute

// Options configure a Manager.
type Options struct {
	Secure      bool             // TLS origin: Secure cookie named with the __Host- prefix
	IdleTimeout time.Duration    // a session unused this long ends
	Lifetime    time.Duration    // a session ends this long after login, used or not
	Clock       func() time.Time // nil means time.Now
	Logger      *slog.Logger     // nil discards
}

// Manager is Latch's session manager.
type Manager struct {
	sm    *scs.SessionManager
	idle  time.Duration
	clock func() time.Time
	log   *slog.Logger
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
func New(store scs.CtxStore, opt Options) *Manager {
	sm := scs.New()
	sm.Store = store
	sm.Lifetime = opt.Lifetime
	sm.IdleTimeout = 0 // enforced by Manager, see enforceIdle
	sm.Cookie.Name = CookieName(opt.Secure)
	sm.Cookie.Path = "/"
	sm.Cookie.Domain = ""
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = opt.Secure
	sm.Cookie.Persist = false // a browser-session cookie; the server enforces both timeouts
	m := &Manager{sm: sm, idle: opt.IdleTimeout, clock: opt.Clock, log: opt.Logger}
	if m.clock == nil {
		m.clock = time.Now
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		m.log.ErrorContext(r.Context(), "session store failed", "err", err)
		http.Error(w, "Something went wrong on our side. Try again in a moment.", http.StatusInternalServerError)
	}
	return m
}

// Middleware loads the session for each request, ends it when idle too
// long, records activity at most once per TouchInterval, and saves it.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return m.sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.enforceIdle(r.Context())
		next.ServeHTTP(w, r)
	}))
}

func (m *Manager) enforceIdle(ctx context.Context) {
	if !m.sm.Exists(ctx, UserKey) {
		return
	}
	now := m.clock()
	seen := time.Unix(m.sm.GetInt64(ctx, seenKey), 0)
	switch {
	case now.Sub(seen) > m.idle:
		if err := m.sm.Destroy(ctx); err != nil {
			m.log.WarnContext(ctx, "ending idle session failed", "err", err)
		}
	case now.Sub(seen) >= TouchInterval:
		m.sm.Put(ctx, seenKey, now.Unix())
	}
}

// UserID returns the signed-in user of the request's session.
func (m *Manager) UserID(ctx context.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(m.sm.GetString(ctx, UserKey))
	return id, err == nil
}

// Login starts a signed-in session for userID: a new token (the old one is
// deleted, defeating session fixation), the user recorded, and the session
// saved and its cookie written now. Writing the cookie here, before any
// response body, is what keeps logins that answer over server-sent events
// (whose flush bypasses scs's cookie hook) working.
func (m *Manager) Login(ctx context.Context, w http.ResponseWriter, userID uuid.UUID) error {
	if err := m.sm.RenewToken(ctx); err != nil {
		return fmt.Errorf("session: renew token: %w", err)
	}
	m.sm.Put(ctx, UserKey, userID.String())
	m.sm.Put(ctx, seenKey, m.clock().Unix())
	token, expiry, err := m.sm.Commit(ctx)
	if err != nil {
		return fmt.Errorf("session: commit: %w", err)
	}
	m.sm.WriteSessionCookie(ctx, w, token, expiry)
	return nil
}

// Logout ends the session: its row is deleted and the cookie is cleared,
// also written now for the same reason as in Login.
func (m *Manager) Logout(ctx context.Context, w http.ResponseWriter) error {
	if err := m.sm.Destroy(ctx); err != nil {
		return fmt.Errorf("session: destroy: %w", err)
	}
	m.sm.WriteSessionCookie(ctx, w, "", time.Time{})
	return nil
}

// ErrNoSession is returned by Token when the request has no saved session.
var ErrNoSession = errors.New("session: none")

// Token returns the request's session token, for tests and device lists.
func (m *Manager) Token(ctx context.Context) (string, error) {
	if t := m.sm.Token(ctx); t != "" {
		return t, nil
	}
	return "", ErrNoSession
}
