package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

// Metrics hears what the web layer sees (server/metrics implements it).
// Every label is bounded: route is a ServeMux pattern, never a path.
type Metrics interface {
	// Request records one request: the pattern that served it ("" when
	// none did), the status it stood for, and how long it took.
	Request(route string, status int, d time.Duration)
	// SignIn records a first factor that passed: outcome "success" (a
	// session was granted) or "second_factor_required".
	SignIn(method, outcome string)
	// TokenRefresh records a refresh-token grant: "success" or "failure".
	TokenRefresh(outcome string)
}

// metricsPath is where the exposition is served when Deps.MetricsHandler
// is set.
const metricsPath = "/metrics"

// recordPattern runs mux and then notes the pattern that served the
// request. ServeMux sets Pattern on the very request it was given, so the
// wrapper reads it after ServeHTTP; the innermost mux answers first, so
// its (more precise) pattern wins.
func recordPattern(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if rec := exchangeOf(r); rec != nil && rec.route == "" {
				rec.route = r.Pattern
			}
		}()
		mux.ServeHTTP(w, r)
	})
}

// metricsEndpoint guards the exposition: with a token, only a request
// whose Authorization is "Bearer <token>" (compared in constant time) is
// served; every other gets 401, telling nothing.
func (s *Server) metricsEndpoint(next http.Handler) http.Handler {
	if s.MetricsToken == "" {
		return next
	}
	want := sha256.Sum256([]byte(s.MetricsToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) countSignIn(how firstFactor, outcome string) {
	if s.Metrics != nil {
		s.Metrics.SignIn(string(how), outcome)
	}
}

// outcomeOf is "success" for a nil error, else "failure".
func outcomeOf(err error) string {
	if err != nil {
		return "failure"
	}
	return "success"
}
