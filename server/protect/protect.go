// Package protect puts Latch's sign-in in front of a product's own
// handlers: it is what a team that builds on Latch imports to say "this
// page needs a signed-in user", "this action needs a fresh proof of
// identity" or "this needs a permission". It is named for that job; the
// rate-limiting guard is server/guard, the sessions themselves are
// server/session.
//
// A Protector reads the request's cookie session (through the small
// Sessions interface that *session.Manager satisfies), so its middleware
// must run inside the session middleware: routes added with
// web.Server.Handle are. Latch's own pages use the same Protector, so a
// product page and the account page behave alike:
//
//   - RequireUser lets a signed-in user through and puts a User in the
//     context (UserFrom). Anyone else gets, for a page, a 303 to the login
//     page whose next (checked by server/redirect) brings them back; for an
//     API, JSON or Datastar request, a 401 with WWW-Authenticate.
//   - RequireFresh also needs a proof of identity younger than FreshFor;
//     a page request goes to the re-authentication page with next, an API
//     request gets a 401 with error="insufficient_user_authentication".
//   - RequirePermission asks a Checker (roles and permissions plug in
//     there) and answers 403 when it says no.
package protect

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latch-dev/latch/server/redirect"
)

// Default paths and window, Latch's own.
const (
	DefaultLoginPath  = "/login"
	DefaultReauthPath = "/account/confirm"
	DefaultFreshFor   = 5 * time.Minute
	// NextParam is the query parameter that carries the page to return to.
	NextParam = "next"
)

// Sessions is what a Protector reads from the request's session.
// *session.Manager implements it.
type Sessions interface {
	// UserID is the signed-in user, false when nobody is signed in (or
	// the sign-in waits for its second factor).
	UserID(ctx context.Context) (uuid.UUID, bool)
	// PublicID names the session (never its cookie token).
	PublicID(ctx context.Context) string
	// AuthAge is how long ago the user last proved who they are.
	AuthAge(ctx context.Context) time.Duration
}

// Options configure a Protector; zero values take the defaults.
type Options struct {
	LoginPath  string        // where to sign in; DefaultLoginPath
	ReauthPath string        // where to prove identity again; DefaultReauthPath
	FreshFor   time.Duration // how long a proof of identity counts as fresh; DefaultFreshFor
	// PublicOrigin (scheme://host[:port]) is the one origin an absolute
	// next may name; relative paths on this site are always accepted.
	PublicOrigin string
	Realm        string       // the WWW-Authenticate realm; "latch"
	Logger       *slog.Logger // where permission-check failures go; nil discards
}

// Protector is the middleware factory. It is safe for concurrent use.
type Protector struct {
	sessions Sessions
	opt      Options
}

// New returns a Protector over sessions.
func New(sessions Sessions, opt Options) *Protector {
	if opt.LoginPath == "" {
		opt.LoginPath = DefaultLoginPath
	}
	if opt.ReauthPath == "" {
		opt.ReauthPath = DefaultReauthPath
	}
	if opt.FreshFor <= 0 {
		opt.FreshFor = DefaultFreshFor
	}
	if opt.Realm == "" {
		opt.Realm = "latch"
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Protector{sessions: sessions, opt: opt}
}

// User is the signed-in user of a request, as RequireUser found it.
type User struct {
	ID        uuid.UUID     // the user's id
	SessionID string        // the session's public id (as on the devices page), never its token
	AuthAge   time.Duration // how long ago the user last proved who they are
}

type userKey struct{}

// WithUser returns ctx carrying u, as RequireUser does.
func WithUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the user RequireUser put in ctx, false outside it.
func UserFrom(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(userKey{}).(User)
	return u, ok
}

// Current reads the request's session: its signed-in user, false when
// there is none.
func (p *Protector) Current(r *http.Request) (User, bool) {
	ctx := r.Context()
	id, ok := p.sessions.UserID(ctx)
	if !ok {
		return User{}, false
	}
	return User{ID: id, SessionID: p.sessions.PublicID(ctx), AuthAge: p.sessions.AuthAge(ctx)}, true
}

// Fresh reports whether the request's user proved who they are within
// FreshFor.
func (p *Protector) Fresh(r *http.Request) bool {
	return p.sessions.AuthAge(r.Context()) <= p.opt.FreshFor
}

// FreshFor is the re-authentication window.
func (p *Protector) FreshFor() time.Duration { return p.opt.FreshFor }

// Next returns target if server/redirect accepts it (a path on this site
// or a URL on PublicOrigin), cleaned, and "" for anything else: a refused
// target is dropped, never carried further.
func (p *Protector) Next(target string) string {
	if target == "" {
		return ""
	}
	var origins []string
	if p.opt.PublicOrigin != "" {
		origins = []string{p.opt.PublicOrigin}
	}
	t, ok := redirect.Safe(target, origins)
	if !ok {
		return ""
	}
	return t
}

// LoginURL is the login page that returns to next (checked; dropped when
// refused).
func (p *Protector) LoginURL(next string) string {
	return withNext(p.opt.LoginPath, p.Next(next))
}

// ReauthURL is the re-authentication page that returns to next (checked).
func (p *Protector) ReauthURL(next string) string {
	return withNext(p.opt.ReauthPath, p.Next(next))
}

func withNext(path, next string) string {
	if next == "" {
		return path
	}
	return path + "?" + url.Values{NextParam: {next}}.Encode()
}

// ReturnTo is the page a request should come back to after signing in:
// the URL asked for by a GET or HEAD, and "" for anything else (a form
// post cannot be replayed by a redirect).
func ReturnTo(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	return ""
}

// IsAPI reports whether r wants a status rather than a page: a Datastar
// request, a request that sends credentials in Authorization, one that
// accepts JSON but not HTML, or any path under /api/.
func IsAPI(r *http.Request) bool {
	if r.Header.Get("Datastar-Request") == "true" || r.Header.Get("Authorization") != "" ||
		strings.HasPrefix(r.URL.Path, "/api/") {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "json") && !strings.Contains(accept, "text/html")
}

// RequireUser runs h for a signed-in user, with the User in the context.
// A page request from anyone else is redirected (303) to the login page
// with next set to the page asked for; an API request gets 401 with
// WWW-Authenticate.
func (p *Protector) RequireUser(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := p.Current(r)
		if !ok {
			if IsAPI(r) {
				p.unauthorized(w, "login_required", "Sign in first.")
				return
			}
			http.Redirect(w, r, p.LoginURL(ReturnTo(r)), http.StatusSeeOther)
			return
		}
		h.ServeHTTP(w, r.WithContext(WithUser(r.Context(), u)))
	})
}

// RequireFresh is RequireUser that also needs a proof of identity within
// FreshFor, for a sensitive action of the product. A page request without
// one goes (303) to the re-authentication page, which returns to the page
// asked for (a GET) or to back (a form post; "" for the account page); an
// API request gets 401 with error="insufficient_user_authentication"
// (RFC 9470) and max_age.
func (p *Protector) RequireFresh(back string, h http.Handler) http.Handler {
	return p.RequireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.Fresh(r) {
			h.ServeHTTP(w, r)
			return
		}
		if IsAPI(r) {
			w.Header().Set("WWW-Authenticate", `Session realm="`+p.opt.Realm+
				`", error="insufficient_user_authentication", max_age=`+strconv.Itoa(int(p.opt.FreshFor/time.Second)))
			writeJSONError(w, http.StatusUnauthorized, "insufficient_user_authentication", "Confirm it is you first.")
			return
		}
		next := ReturnTo(r)
		if next == "" {
			next = back
		}
		http.Redirect(w, r, p.ReauthURL(next), http.StatusSeeOther)
	}))
}

// Checker decides permissions; roles plug in here. Allowed reports
// whether userID may do permission; an error is a failure to decide (the
// request gets a 500, never a yes).
type Checker interface {
	Allowed(ctx context.Context, userID uuid.UUID, permission string) (bool, error)
}

// CheckerFunc is a function that is a Checker.
type CheckerFunc func(ctx context.Context, userID uuid.UUID, permission string) (bool, error)

// Allowed calls f.
func (f CheckerFunc) Allowed(ctx context.Context, userID uuid.UUID, permission string) (bool, error) {
	return f(ctx, userID, permission)
}

// ErrNoChecker is what RequirePermission logs when it was given no
// Checker: every request is then refused.
var ErrNoChecker = errors.New("protect: no permission checker")

// RequirePermission returns middleware that is RequireUser and then asks
// c whether the user has permission: 403 when not, 500 when c fails (or
// is nil). It never lets a request through on an error.
func (p *Protector) RequirePermission(permission string, c Checker) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return p.RequireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, _ := UserFrom(r.Context())
			var ok bool
			err := ErrNoChecker
			if c != nil {
				ok, err = c.Allowed(r.Context(), u.ID, permission)
			}
			switch {
			case err != nil:
				p.opt.Logger.ErrorContext(r.Context(), "permission check failed", "permission", permission, "user_id", u.ID, "err", err)
				writeStatus(w, r, http.StatusInternalServerError, "server_error", "Something went wrong.")
			case !ok:
				writeStatus(w, r, http.StatusForbidden, "forbidden", "You do not have permission to do that.")
			default:
				h.ServeHTTP(w, r)
			}
		}))
	}
}

func (p *Protector) unauthorized(w http.ResponseWriter, code, message string) {
	w.Header().Set("WWW-Authenticate", `Session realm="`+p.opt.Realm+`", error="`+code+`"`)
	writeJSONError(w, http.StatusUnauthorized, code, message)
}

func writeStatus(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	if IsAPI(r) {
		writeJSONError(w, status, code, message)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(message + "\n"))
}

func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "message": message})
}
