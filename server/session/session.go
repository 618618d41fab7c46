// Package session wires scs cookie sessions for Latch: the cookie's
// security attributes, an idle timeout enforced without a database write on
// every request, and the Login/Logout steps that renew the session token.
package session

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"

	"github.com/latch-dev/latch/client/messages"
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
		if err != nil {
			m.sm.ErrorFunc(w, r, err)
			return
		}
		r = r.WithContext(ctx)
		m.enforceIdle(ctx)
		sw := &saver{ResponseWriter: w, m: m, r: r}
		next.ServeHTTP(sw, r)
		sw.save()
	})
}

// saver saves the session once, before the first byte of the response.
type saver struct {
	http.ResponseWriter
	m          *Manager
	r          *http.Request
	saved      bool
	failed     bool // the commit failed: the response becomes a 500
	errWritten bool
}

// save commits a modified session and writes its cookie, or clears the
// cookie of a destroyed one. A failed commit turns the response into a 500:
// an answer that promised a session must not go out without one.
func (s *saver) save() {
	if s.saved {
		return
	}
	s.saved = true
	ctx := s.r.Context()
	switch s.m.sm.Status(ctx) {
	case scs.Modified:
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
// deleted, defeating session fixation) and the user recorded. The session is
// saved, and its cookie written, when the response starts.
func (m *Manager) Login(ctx context.Context, userID uuid.UUID) error {
	if err := m.sm.RenewToken(ctx); err != nil {
		return fmt.Errorf("session: renew token: %w", err)
	}
	m.sm.Put(ctx, UserKey, userID.String())
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
